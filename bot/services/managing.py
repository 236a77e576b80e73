"""What managers do in chat: list and open their teams' reports, triage them, link them,
record root causes and actions. Never who reported; every read and change is audited.

A tap about a report is handled in bot/services/manager_taps.py; a typed answer is read by
the manager conversations' engine (flows/manager_flow.py)."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.app.config import Settings
from bot.services.casework import Casework
from bot.services.manager_taps import ReportTaps, Tap
from bot.services.sender import Sender, first_delivery
from flows import messages as M
from flows import triage
from flows.chat import Answer, Message
from flows.clock import Clock, utcnow
from flows.commands import Command, Vocabularies
from flows.manager_flow import Awaiting, Finish, ManagerEngine, manager_state
from flows.messages import _
from flows.triage import Verb
from storage import triage_store
from storage.database import Database
from storage.keys import Keys, KeySource, in_force
from storage.models import ManagerSession, Report

log = logging.getLogger(__name__)

WAITS_FOR = timedelta(minutes=30)  # how long a manager's unanswered question waits for typing
CANCEL_WORDS = ("cancel", "stop")


@dataclass(frozen=True)
class Taken:
    """What became of a manager's typed text: the reply, if it answered the question their
    session waits on; else (handled False) it is not the managers' to answer."""

    handled: bool
    messages: list[Message]


class Managing:
    def __init__(
        self,
        *,
        database: Database,
        keys: Keys | KeySource,
        settings: Settings,
        vocabularies: Vocabularies,
        clock: Clock = utcnow,
    ) -> None:
        self._database = database
        self._key_source = keys
        self._settings = settings
        self._vocabularies = vocabularies
        self._clock = clock
        self.lists = settings.lists.to_lists()
        self._conversations = ManagerEngine()
        self._taps = ReportTaps(lists=self.lists, conversations=self._conversations, today=self._today)

    def teams_of(self, sender: Sender) -> list[str]:
        """Returns the teams the sender manages (from the config)."""
        return [t.id for t in self._settings.teams if sender.user_id in t.managers.get(sender.platform, ())]

    def is_manager(self, sender: Sender) -> bool:
        return bool(self.teams_of(sender))

    def help(self, sender: Sender) -> list[Message]:
        words = self._vocabularies[sender.platform]
        return [
            Message(
                _(M.MANAGER_HELP).format(
                    reports=words[Command.REPORTS], open=words[Command.OPEN], actions=words[Command.ACTIONS]
                )
            )
        ]

    # Entry points: each is one unit of work.

    async def list_reports(self, sender: Sender) -> list[Message]:
        """Returns the open reports of the sender's teams."""
        return (await self._work(sender, lambda work, teams: self._list_reports(work, teams))).messages

    async def open(self, sender: Sender, reference: str) -> list[Message]:
        """Returns one report's triage card."""
        return (await self._work(sender, lambda work, teams: self._open(work, teams, reference))).messages

    async def list_actions(self, sender: Sender) -> list[Message]:
        """Returns the open actions of the sender's teams."""

        async def listed(work: Casework, teams: list[str]) -> list[Message]:
            for team in teams:
                await triage_store.audit(
                    work.session, actor=work.actor, team=team, verb="list_actions", now=self._clock()
                )
            return [triage.action_list(await triage_store.open_actions(work.session, teams=teams), self._today())]

        return (await self._work(sender, listed)).messages

    async def button(self, sender: Sender, answer: Answer) -> list[Message]:
        """Applies a manager's tapped button."""
        try:
            verb = Verb(answer.step)
        except ValueError:
            return [Message(_(M.STALE_BUTTON))]
        args = answer.value.split(":")
        return (await self._work(sender, lambda work, teams: self._tapped(work, teams, verb, args))).messages

    async def typed(self, sender: Sender, text: str) -> Taken:
        """Takes typed text as the answer a manager's session waits on, if it waits on one."""
        if text.strip().lower().lstrip("/") in CANCEL_WORDS:
            return await self.cancel(sender)
        return await self._work(
            sender, lambda work, teams: self._typed(work, teams, text, sender.platform), only_if_waiting=True
        )

    async def cancel(self, sender: Sender) -> Taken:
        """Stops what the manager's session waits on, if it waits on anything."""

        async def stopped(work: Casework, teams: list[str]) -> list[Message]:
            state = await triage_store.manager_session(work.session, manager=work.actor, now=self._clock())
            state.awaiting, state.data = Awaiting.NOTHING, {}
            return [Message(_(M.INPUT_CANCELLED))]

        return await self._work(sender, stopped, only_if_waiting=True)

    # Inside one unit of work each.

    async def _work(
        self,
        sender: Sender,
        act: Callable[[Casework, list[str]], Awaitable[list[Message]]],
        *,
        only_if_waiting: bool = False,
    ) -> Taken:
        teams = self.teams_of(sender)
        if not teams:
            return Taken(not only_if_waiting, [Message(_(M.NOT_A_MANAGER))])
        actor, now = self._actor(sender), self._clock()
        async with self._database.unit() as session:
            if only_if_waiting:
                state = await triage_store.manager_session(session, manager=actor, now=now)
                if state.awaiting and now - state.updated_at > WAITS_FOR:
                    state.awaiting, state.data = Awaiting.NOTHING, {}  # a question left this long is forgotten
                if not state.awaiting:
                    return Taken(False, [])
            if not await first_delivery(session, sender, now):
                return Taken(True, [])
            work = Casework(
                session=session,
                keys=self._keys(),
                settings=self._settings,
                lists=self.lists,
                vocabularies=self._vocabularies,
                actor=actor,
                clock=self._clock,
            )
            return Taken(True, await act(work, teams))

    async def _list_reports(self, work: Casework, teams: list[str]) -> list[Message]:
        for team in teams:
            await triage_store.audit(work.session, actor=work.actor, team=team, verb="list", now=self._clock())
        return [triage.report_list(await triage_store.open_reports(work.session, teams=teams), now=self._clock())]

    async def _open(self, work: Casework, teams: list[str], reference: str) -> list[Message]:
        report = await triage_store.find_report(work.session, reference=reference, teams=teams)
        if report is None:
            return [Message(_(M.NO_SUCH_REPORT).format(reference=reference.strip().upper()[:20]))]
        state = await triage_store.manager_session(work.session, manager=work.actor, now=self._clock())
        state.report_id, state.awaiting, state.data, state.updated_at = report.id, Awaiting.NOTHING, {}, self._clock()
        await work.audit(report, "read")
        return [await work.card(report)]

    async def _tapped(self, work: Casework, teams: list[str], verb: Verb, args: list[str]) -> list[Message]:
        if verb is Verb.LIST:
            return await self._list_reports(work, teams)
        if verb is Verb.ACTION_DONE:
            return await work.action_done(teams, args[0])
        if verb is Verb.OPEN:
            return await self._open(work, teams, args[0])
        report = await triage_store.find_report(work.session, reference=args[0], teams=teams)
        if report is None:
            return [Message(_(M.NO_SUCH_REPORT).format(reference=args[0][:20]))]
        now = self._clock()
        state = await triage_store.manager_session(work.session, manager=work.actor, now=now)
        answering_whys = verb is Verb.RCA_DONE and state.awaiting == Awaiting.WHY and state.report_id == report.id
        if verb is Verb.RCA_DONE and not answering_whys:
            return [Message(_(M.STALE_BUTTON))]
        if not answering_whys:  # a tap moves on: nothing half-typed carries over to it
            state.awaiting, state.data = Awaiting.NOTHING, {}
        state.report_id, state.updated_at = report.id, now
        return await self._taps.handle(verb, Tap(work, report, args, state))

    # Typed answers.

    async def _typed(self, work: Casework, teams: list[str], text: str, platform: str) -> list[Message]:
        now = self._clock()
        session_row = await triage_store.manager_session(work.session, manager=work.actor, now=now)
        session_row.updated_at = now
        report = await work.session.get(Report, session_row.report_id) if session_row.report_id else None
        if report is None or report.team not in teams:
            session_row.awaiting, session_row.data = Awaiting.NOTHING, {}
            return [Message(_(M.NO_REPORT_OPEN).format(open=self._vocabularies[platform][Command.OPEN]))]
        turn = self._conversations.answer(
            manager_state(session_row.awaiting, session_row.data), text, reference=report.reference, today=self._today()
        )
        session_row.awaiting, session_row.data = turn.state.awaiting, turn.state.data
        if turn.finished is None:
            return turn.messages
        return await FINISH[turn.finished.finish](self, work, teams, report, session_row)

    async def _finish_link(
        self, work: Casework, teams: list[str], report: Report, row: ManagerSession
    ) -> list[Message]:
        typed = str(row.data["other"])
        other = await triage_store.find_report(work.session, reference=typed, teams=teams)
        if other is None or other.id == report.id:
            row.awaiting, row.data = Awaiting.LINK, {}  # still waiting for a reference it can link
            problem = (
                _(M.LINK_SELF)
                if other is not None
                else _(M.NO_SUCH_REPORT).format(reference=typed.strip().upper()[:20])
            )
            return [Message(problem, accepts_text=True)]
        await triage_store.link_reports(work.session, first=report, second=other, now=self._clock())
        row.data = {}
        await work.audit(report, "link", other.reference)
        return [Message(_(M.LINKED).format(reference=report.reference, other=other.reference))]

    async def _finish_root_cause(
        self, work: Casework, teams: list[str], report: Report, row: ManagerSession
    ) -> list[Message]:
        report.rca = {"whys": row.data.get("whys", []), "barriers": row.data["barriers"]}
        row.data = {}
        await work.audit(report, "rca")
        return [Message(_(M.RCA_RECORDED).format(reference=report.reference)), await work.card(report)]

    async def _finish_action(
        self, work: Casework, teams: list[str], report: Report, row: ManagerSession
    ) -> list[Message]:
        data, row.data = row.data, {}
        return await work.record_action(report, what=str(data["what"]), owner=str(data["owner"]), due=str(data["due"]))

    def _actor(self, sender: Sender) -> str:
        """Returns the manager's pseudonym for the audit log: keyed apart from reporter pseudonyms,
        so a manager's audit rows cannot be joined to the reports they made themselves."""
        return (
            self._keys()
            .pseudonym(platform=f"manager:{sender.platform}", workspace=sender.workspace, user_id=sender.user_id)
            .value
        )

    def _keys(self) -> Keys:
        return in_force(self._key_source)

    def _today(self) -> date:
        return self._clock().astimezone(self._settings.zone).date()


FINISH = {
    Finish.LINK: Managing._finish_link,
    Finish.ROOT_CAUSE: Managing._finish_root_cause,
    Finish.ACTION: Managing._finish_action,
}
