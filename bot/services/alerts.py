"""Who hears about a team on their own initiative, and the alerts queued for them.

Managers and safeguarding leads are named in the config by platform user id; a private chat
on Telegram and a direct message on Slack both reach a user at their id.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.config import Settings
from bot.services.languages import language_for
from flows import messages as M
from flows import triage
from flows.commands import Command, Vocabularies
from flows.lists import Lists
from flows.messages import _, speaking
from storage import outbox_store
from storage.keys import Keys
from storage.models import Report


def addresses(people: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """Returns the chat address of each person listed by platform."""
    return [{"platform": platform, "chat": user} for platform, users in sorted(people.items()) for user in users]


def recipient(keys: Keys, address: dict[str, str]) -> str:
    """Returns a pseudonym for an address, for idempotency keys: no id in clear in the outbox."""
    return keys.pseudonym(platform=f"recipient:{address['platform']}", workspace="", user_id=address["chat"]).value


async def queue_alert(
    session: AsyncSession,
    *,
    keys: Keys,
    settings: Settings,
    lists: Lists,
    vocabularies: Vocabularies,
    report: Report,
    reason: Callable[[], str],
    kind: str,
    now: datetime,
) -> int:
    """Queues an immediate alert about one report to each of its team's safeguarding leads, once
    per report and kind; returns how many were queued."""
    team = settings.team(report.team)
    if team is None:
        return 0
    leads = addresses(team.leads)
    for address in leads:
        with speaking(await language_for(session, keys=keys, address=address, default=team.languages[0])):
            text = triage.alert(
                report,
                team_name=team.name,
                reason=reason(),
                lists=lists,
                open_command=vocabularies[address["platform"]][Command.OPEN],
            )
        await outbox_store.enqueue(
            session,
            keys=keys,
            key=f"alert:{kind}:{report.id}:{recipient(keys, address)}",
            address=address,
            text=text,
            now=now,
        )
    return len(leads)


def submission_alert(grade: str, lists: Lists) -> tuple[str, Callable[[], str]] | None:
    """Returns the alert's kind and reason (rendered in each lead's language) for a newly
    submitted report's grade, if it needs one."""
    found = next((g for g in lists.grades if g.code == grade), None)
    if found is None or not found.harm:
        return None
    if found.statutory:
        return "statutory", lambda: _(M.ALERT_STATUTORY)
    return "harm", lambda: _(M.ALERT_GRADED)
