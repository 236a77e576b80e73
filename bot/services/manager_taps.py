"""A manager's taps on a report's triage card and its questions: one handler a verb, looked up
in one table. Each runs inside the caller's unit of work and returns what to show."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.services.casework import Casework
from flows import messages as M
from flows import triage
from flows.chat import Message
from flows.lifecycle import Status, may_move
from flows.lists import Lists
from flows.manager_flow import LINK, NEW_ACTION, ROOT_CAUSE, Conversation, ManagerEngine, manager_state
from flows.messages import _
from flows.triage import Verb
from storage import triage_store
from storage.models import ManagerSession, Report


@dataclass
class Tap:
    """A manager's tapped button about one report, inside one unit of work."""

    work: Casework
    report: Report
    args: list[str]
    state: ManagerSession


class ReportTaps:
    def __init__(self, *, lists: Lists, conversations: ManagerEngine, today: Callable[[], date]) -> None:
        self.lists = lists
        self._conversations = conversations
        self._today = today

    async def handle(self, verb: Verb, tap: Tap) -> list[Message]:
        """Applies a tap on a report's card or question."""
        return await ON_TAP[verb](self, tap)

    async def _grade(self, tap: Tap) -> list[Message]:
        return [triage.ask_consequence(tap.report.reference)]

    async def _consequence(self, tap: Tap) -> list[Message]:
        if not _scale(tap.args, 1):
            return [Message(_(M.STALE_BUTTON))]
        return [triage.ask_likelihood(tap.report.reference, int(tap.args[1]))]

    async def _likelihood(self, tap: Tap) -> list[Message]:
        if not (_scale(tap.args, 1) and _scale(tap.args, 2)):
            return [Message(_(M.STALE_BUTTON))]
        return await tap.work.grade(tap.report, int(tap.args[1]), int(tap.args[2]))

    async def _themes(self, tap: Tap) -> list[Message]:
        report = tap.report
        if not report.themes:
            report.themes = list(report.factors)  # the reporter's view as a starting point
        return [triage.themes_picker(report.reference, report.themes, self.lists)]

    async def _theme(self, tap: Tap) -> list[Message]:
        report, args = tap.report, tap.args
        if not (len(args) == 2 and any(o.code == args[1] for o in self.lists.factors)):
            return [Message(_(M.STALE_BUTTON))]
        themes = list(report.themes or [])
        report.themes = [t for t in themes if t != args[1]] if args[1] in themes else [*themes, args[1]]
        await tap.work.audit(report, "themes", ",".join(report.themes))
        return [triage.themes_picker(report.reference, report.themes, self.lists, edit=True)]

    async def _themes_done(self, tap: Tap) -> list[Message]:
        report = tap.report
        return [
            Message(
                _(M.THEMES_SET).format(
                    reference=report.reference, themes=triage.labels(self.lists.factors, report.themes or [])
                )
            ),
            await tap.work.card(report),
        ]

    async def _status(self, tap: Tap) -> list[Message]:
        return [triage.status_picker(tap.report.reference, tap.report.status)]

    async def _set_status(self, tap: Tap) -> list[Message]:
        report, args = tap.report, tap.args
        # A second tap on the same status (a double tap) says so again, as the first did.
        if not (len(args) == 2 and (args[1] == report.status or may_move(report.status, args[1]))):
            return [Message(_(M.STALE_BUTTON))]
        await tap.work.set_status(report, Status(args[1]))
        await tap.work.audit(report, "status", args[1])
        return [Message(_(M.STATUS_SET).format(reference=report.reference, status=_(M.STATUS[args[1]])))]

    async def _begin(self, tap: Tap, conversation: Conversation) -> list[Message]:
        turn = self._conversations.begin(conversation, reference=tap.report.reference)
        tap.state.awaiting, tap.state.data = turn.state.awaiting, turn.state.data
        return turn.messages

    async def _link(self, tap: Tap) -> list[Message]:
        return await self._begin(tap, LINK)

    async def _root_cause(self, tap: Tap) -> list[Message]:
        return await self._begin(tap, ROOT_CAUSE)

    async def _root_cause_done(self, tap: Tap) -> list[Message]:
        turn = self._conversations.enough(
            manager_state(tap.state.awaiting, tap.state.data), reference=tap.report.reference
        )
        tap.state.awaiting, tap.state.data = turn.state.awaiting, turn.state.data
        return turn.messages

    async def _action(self, tap: Tap) -> list[Message]:
        actions = await triage_store.open_actions(tap.work.session, teams=[tap.report.team])
        return [triage.action_picker(tap.report.reference, actions, self._today())]

    async def _new_action(self, tap: Tap) -> list[Message]:
        return await self._begin(tap, NEW_ACTION)

    async def _link_action(self, tap: Tap) -> list[Message]:
        if len(tap.args) != 2:
            return [Message(_(M.STALE_BUTTON))]
        action = await triage_store.find_action(tap.work.session, reference=tap.args[1], teams=[tap.report.team])
        if action is None:
            return [Message(_(M.NO_SUCH_ACTION).format(reference=tap.args[1][:20]))]
        return await tap.work.link_action(tap.report, action)


ON_TAP: dict[Verb, Callable[[ReportTaps, Tap], Awaitable[list[Message]]]] = {
    Verb.GRADE: ReportTaps._grade,
    Verb.CONSEQUENCE: ReportTaps._consequence,
    Verb.LIKELIHOOD: ReportTaps._likelihood,
    Verb.THEMES: ReportTaps._themes,
    Verb.THEME: ReportTaps._theme,
    Verb.THEMES_DONE: ReportTaps._themes_done,
    Verb.STATUS: ReportTaps._status,
    Verb.SET_STATUS: ReportTaps._set_status,
    Verb.LINK: ReportTaps._link,
    Verb.RCA: ReportTaps._root_cause,
    Verb.RCA_DONE: ReportTaps._root_cause_done,
    Verb.ACTION: ReportTaps._action,
    Verb.NEW_ACTION: ReportTaps._new_action,
    Verb.LINK_ACTION: ReportTaps._link_action,
}


def _scale(args: list[str], index: int) -> bool:
    return len(args) > index and args[index] in ("1", "2", "3", "4", "5")
