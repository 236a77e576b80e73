"""The changes a manager makes to reports and actions, each inside the caller's unit of work:
grading, moving through the lifecycle, linking actions and marking them done. Each is audited,
and tells reporters who asked to hear back what changed."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.config import Settings
from bot.services.alerts import queue_alert
from bot.services.languages import team_language
from bot.services.reporter_news import give_feedback
from flows import messages as M
from flows import triage
from flows.chat import Message
from flows.clock import Clock
from flows.commands import Vocabularies
from flows.lifecycle import Event, Status, after
from flows.lists import Lists
from flows.messages import _, day
from flows.risk import risk_score
from storage import report_store, triage_store
from storage.keys import Keys
from storage.models import Action, Report


@dataclass
class Casework:
    """One unit of work's changes, by one manager (`actor`, their audit pseudonym)."""

    session: AsyncSession
    keys: Keys
    settings: Settings
    lists: Lists
    vocabularies: Vocabularies
    actor: str
    clock: Clock

    async def audit(self, report: Report, verb: str, detail: str = "") -> None:
        await triage_store.audit(
            self.session,
            actor=self.actor,
            team=report.team,
            verb=verb,
            now=self.clock(),
            report_id=report.id,
            detail=detail,
        )

    async def card(self, report: Report) -> Message:
        return triage.card(
            report,
            lists=self.lists,
            bands=self.settings.triage.bands(),
            links=await triage_store.linked_references(self.session, report_id=report.id),
            actions=await triage_store.actions_for(self.session, report_id=report.id),
        )

    async def grade(self, report: Report, consequence: int, likelihood: int) -> list[Message]:
        """Records the risk score; a red report needs a root cause analysis and alerts the lead."""
        bands, now, score = self.settings.triage.bands(), self.clock(), risk_score(consequence, likelihood)
        colour = bands.colour(score)
        report.consequence, report.likelihood, report.risk_score, report.risk_colour = (
            consequence,
            likelihood,
            score,
            colour,
        )
        report.triaged_at = report.triaged_at or now
        if (moved := after(report.status, Event.GRADED)) != report.status:
            await self.set_status(report, moved)
        replies = [Message(_(M.GRADED).format(reference=report.reference, risk=triage.risk_text(report, bands)))]
        if colour == "red":
            report.needs_rca = True
            replies.append(Message(_(M.RED_MARKED)))
            await queue_alert(
                self.session,
                keys=self.keys,
                settings=self.settings,
                lists=self.lists,
                vocabularies=self.vocabularies,
                report=report,
                reason=lambda: _(M.ALERT_RED).format(score=score),
                kind="red",
                now=now,
            )
        await self.audit(report, "grade", f"{consequence}x{likelihood}={score} {colour}")
        return [*replies, await self.card(report)]

    async def set_status(self, report: Report, status: Status) -> None:
        """Moves a report through its lifecycle, dated; closing it says thank you and forgets the contact."""
        if status != report.status:
            await triage_store.record_status(self.session, report=report, status=status, now=self.clock())
        report.status = status
        report.closed_at = self.clock() if status is Status.CLOSED else None
        if status is Status.CLOSED:
            await self._tell(report, "closed", M.CLOSED_NOTE, reference=report.reference)
            await report_store.forget_report_contact(self.session, report_id=report.id)

    async def link_action(self, report: Report, action: Action) -> list[Message]:
        await triage_store.link_action(self.session, action=action, report=report)
        if (moved := after(report.status, Event.ACTION_LINKED)) != report.status:
            await self.set_status(report, moved)
        if report.status != Status.CLOSED:
            await self._tell(
                report,
                f"agreed:{action.id}",
                M.FEEDBACK_AGREED,
                reference=report.reference,
                what=action.description,
                owner=action.owner_role,
                due=action.due_on,
            )
        await self.audit(report, "link_action", action.reference)
        return [Message(_(M.ACTION_LINKED).format(reference=report.reference, action=action.reference))]

    async def action_done(self, teams: list[str], reference: str) -> list[Message]:
        """Marks an action done and tells the reporters of every report linked to it."""
        action = await triage_store.find_action(self.session, reference=reference, teams=teams)
        if action is None or action.done_at is not None:
            return [Message(_(M.NO_SUCH_ACTION).format(reference=reference[:20]))]
        action.done_at = self.clock()
        await triage_store.audit(
            self.session,
            actor=self.actor,
            team=action.team,
            verb="action_done",
            now=self.clock(),
            detail=action.reference,
        )
        for report in await triage_store.reports_of_action(self.session, action_id=action.id):
            if report.status == Status.CLOSED:
                continue
            # Given whether pushed or not: a reporter who kept no contact reads it with their status command.
            await self._tell(
                report, f"done:{action.id}", M.FEEDBACK_DONE, reference=report.reference, what=action.description
            )
            if (moved := after(report.status, Event.ACTION_DONE)) != report.status:
                await self.set_status(report, moved)
        return [Message(_(M.ACTION_DONE).format(action=action.reference))]

    async def _tell(self, report: Report, kind: str, text: str, **fields: str | date) -> None:
        """Gives feedback on a report, written in its reporter's language (dates too)."""

        def words() -> str:
            return _(text).format(**{name: day(v) if isinstance(v, date) else v for name, v in fields.items()})

        await give_feedback(
            self.session,
            keys=self.keys,
            report=report,
            kind=kind,
            now=self.clock(),
            text=words,
            language=team_language(self.settings, report.team),
        )

    async def record_action(self, report: Report, *, what: str, owner: str, due: str) -> list[Message]:
        """Records a new action agreed because of a report, and links it."""
        action = await triage_store.add_action(
            self.session,
            team=report.team,
            description=what,
            owner_role=owner,
            due_on=date.fromisoformat(due),
            now=self.clock(),
        )
        await triage_store.audit(
            self.session, actor=self.actor, team=report.team, verb="action", now=self.clock(), detail=action.reference
        )
        await self.link_action(report, action)
        return [
            Message(
                _(M.ACTION_RECORDED).format(
                    action=action.reference,
                    reference=report.reference,
                    what=action.description,
                    owner=action.owner_role,
                    due=day(action.due_on),
                )
            )
        ]
