"""Telling a reporter what happened because they spoke up: feedback when a change is agreed, when
it is in place and when their report closes, and a progress note after a long silence. Pushed
only to reporters who asked to hear back; the rest see the same with /status CODE."""

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.languages import language_for
from flows import messages as M
from flows.messages import ENGLISH, _, speaking
from storage import outbox_store, report_store
from storage.database import Database
from storage.keys import KeyProblem, Keys, KeySource, in_force
from storage.models import Report
from storage.triage_store import AWAITING_FEEDBACK

log = logging.getLogger(__name__)

PROGRESS_BATCH = 200


Text = Callable[[], str]  # a text rendered in its reader's language, once we know whose that is
NO_TEAM_LANGUAGES: Mapping[str, str] = MappingProxyType({})


async def give_feedback(
    session: AsyncSession, *, keys: Keys, report: Report, kind: str, text: Text, now: datetime, language: str
) -> bool:
    """Records feedback on a report and queues it to its reporter if they asked to hear back, in
    their language (`language` if they chose none); says whether it was queued."""
    report.first_feedback_at = report.first_feedback_at or now
    return await _tell_reporter(
        session, keys=keys, report=report, key=f"feedback:{kind}:{report.id}", text=text, now=now, language=language
    )


async def send_progress_notes(
    *,
    database: Database,
    keys: Keys | KeySource,
    quiet_days: int,
    now: datetime,
    batch: int = PROGRESS_BATCH,
    team_languages: Mapping[str, str] = NO_TEAM_LANGUAGES,
) -> int:
    """Queues a progress note for each report still awaiting its change whose reporter asked to
    hear back and has heard nothing for `quiet_days`, in their language (else their team's, by
    team id, else English); returns how many. Safe to run from two processes at once."""
    if not quiet_days:
        return 0
    queued, silent_since = 0, now - timedelta(days=quiet_days)
    while True:  # a batch a unit of work; each report done moves its last news to now
        async with database.unit() as session:
            reports = await report_store.quiet_reports(
                session, statuses=AWAITING_FEEDBACK, silent_since=silent_since, limit=batch
            )
            for report in reports:
                language = team_languages.get(report.team, ENGLISH)
                queued += await _progress_note(session, keys=in_force(keys), report=report, now=now, language=language)
        if len(reports) < batch:
            break
    if queued:
        log.info("%d progress notes queued", queued)
    return queued


async def _progress_note(session: AsyncSession, *, keys: Keys, report: Report, now: datetime, language: str) -> bool:
    # Keyed by the silence it ends, so a second process queues the same note, not another.
    key = f"progress:{report.id}:{int(report.last_news_at.timestamp())}"

    def text() -> str:
        return _(M.PROGRESS_NOTE).format(reference=report.reference, where=_(M.PROGRESS_WHERE[report.status]))

    try:
        return await _tell_reporter(session, keys=keys, report=report, key=key, text=text, now=now, language=language)
    except KeyProblem:  # its key is gone: stop trying, rather than hold up the reports behind it
        report.last_news_at = now
        log.error("a reporter's contact could not be opened for a progress note")
        return False


async def _tell_reporter(
    session: AsyncSession, *, keys: Keys, report: Report, key: str, text: Text, now: datetime, language: str
) -> bool:
    address = await report_store.open_report_contact(session, keys=keys, report_id=report.id)
    if address is None:
        return False
    with speaking(await language_for(session, keys=keys, address=address, default=language)):
        words = text()
    await outbox_store.enqueue(session, keys=keys, key=key, address=address, text=words, now=now)
    report.last_news_at = now
    return True
