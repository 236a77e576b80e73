"""How a reporter hears back without being contacted: their own reports' progress, found
through their pseudonym, or one report's by its reference."""

from dataclasses import dataclass

import limits

from bot.app.config import Settings
from bot.services.reporters import Reporters
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Message
from flows.commands import Command
from flows.feedback import progress
from flows.messages import _
from storage import report_store, triage_store
from storage.database import Database


@dataclass(frozen=True)
class OwnReport:
    reference: str
    progress: list[str]  # its status and the changes it led to, a line each


class Progress:
    def __init__(self, *, database: Database, reporters: Reporters, settings: Settings) -> None:
        self._database = database
        self._reporters = reporters
        self._zone = settings.zone
        self._status_misses = limits.parse(settings.limits.status_misses)

    async def own_reports(self, sender: Sender) -> list[OwnReport]:
        """Returns the sender's own reports and their progress, found through their pseudonym."""
        async with self._database.unit() as session:
            reports = await report_store.reports_by(session, reporters=self._reporters.every_pseudonym(sender))
            return [
                OwnReport(r.reference, progress(r, await triage_store.actions_for(session, report_id=r.id), self._zone))
                for r in reports
            ]

    async def status(self, sender: Sender, reference: str) -> list[Message]:
        """Returns a report's progress and the changes agreed because of it, for its reference:
        how a reporter who kept no contact hears back. Members only, their own team's reports
        only, rate-limited, and a few unknown references at most."""
        reporters = self._reporters
        if not await reporters.within_limit(sender):
            return [Message(_(M.SLOW_DOWN), retry=True)]
        ask = _(M.STATUS_ASK).format(command=reporters.word(sender.platform, Command.STATUS))
        if not reference.strip():  # their own reports, found through their pseudonym, for a lost code
            own = ["\n".join(r.progress) for r in await self.own_reports(sender)]
            return [Message("\n\n".join([_(M.STATUS_YOURS), *own, ask]) if own else ask)]
        pseudonym = reporters.pseudonym(sender).value
        if not await reporters.limiter.test(self._status_misses, "status-miss", pseudonym):
            return [Message(_(M.STATUS_TOO_MANY_MISSES))]
        async with self._database.unit() as session:
            team = await reporters.team(session, sender)
            if team is None:
                return reporters.refuse(sender)
            report = await report_store.report_with_reference(session, reference=reference)
            if report is None or report.team != team:
                await reporters.limiter.hit(self._status_misses, "status-miss", pseudonym)
                return [Message(_(M.STATUS_UNKNOWN).format(reference=reference.strip()[:16]))]
            actions = await triage_store.actions_for(session, report_id=report.id)
        return [Message("\n".join(progress(report, actions, self._zone)))]
