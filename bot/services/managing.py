"""What managers do in chat: list and open their teams' reports, triage them, link them,
record root causes and actions. Never who reported; every read and change is audited."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.app.config import Settings
from bot.services.reporter_news import give_feedback
from bot.services.alerts import queue_alert
from bot.services.reporting import Sender
from flows.clock import utcnow
from flows import messages as M
from flows import triage
from flows.dates import DateProblem, parse_due
from flows.engine import TEXT_LIMIT, Answer, Message
from flows.masking import mask
from flows.messages import _
from flows.risk import LIFECYCLE, risk_score
from flows.triage import Verb
from storage import triage_store
from storage import report_store
from storage.report_store import forget_report_contact
from storage.database import Database
from storage.keys import KeySource, Keys, in_force
from storage.models import Report

log = logging.getLogger(__name__)

COMMANDS = {"telegram": ("/reports", "/open", "/actions"), "slack": ("/nearmiss reports", "/nearmiss open",
                                                                    "/nearmiss actions")}
WHYS = 5
WAITS_FOR = timedelta(minutes=30)  # how long a manager's unanswered question waits for typing
CANCEL_WORDS = ("cancel", "stop")


class Managing:
    def __init__(
        self, *, database: Database, keys: Keys | KeySource, settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._key_source = keys
        self._settings = settings
        self._clock = clock
        self.lists = settings.lists.to_lists()
        self._bands = settings.triage.bands()

    def teams_of(self, sender: Sender) -> list[str]:
        """Returns the teams the sender manages (from the config)."""
        return [t.id for t in self._settings.teams if sender.user_id in t.managers.get(sender.platform, ())]

    def is_manager(self, sender: Sender) -> bool:
        return bool(self.teams_of(sender))

    def help(self, sender: Sender) -> list[Message]:
        reports, open_, actions = COMMANDS.get(sender.platform, COMMANDS["telegram"])
        return [Message(_(M.MANAGER_HELP).format(reports=reports, open=open_, actions=actions))]

    # Entry points: each is one unit of work.

    async def list_reports(self, sender: Sender) -> list[Message]:
        """Returns the open reports of the sender's teams."""
        return await self._work(sender, self._list_reports)

    async def open(self, sender: Sender, reference: str) -> list[Message]:
        """Returns one report's triage card."""
        return await self._work(sender, lambda session, teams, actor: self._open(session, teams, actor, reference))

    async def list_actions(self, sender: Sender) -> list[Message]:
        """Returns the open actions of the sender's teams."""
        async def work(session, teams, actor):
            for team in teams:
                await triage_store.audit(session, actor=actor, team=team, verb="list_actions", now=self._clock())
            return [triage.action_list(await triage_store.open_actions(session, teams=teams), self._today())]
        return await self._work(sender, work)

    async def button(self, sender: Sender, answer: Answer) -> list[Message]:
        """Applies a manager's tapped button."""
        try:
            verb = Verb(answer.step)
        except ValueError:
            return [Message(_(M.STALE_BUTTON))]
        return await self._work(sender, lambda session, teams, actor: self._tapped(
            session, teams, actor, verb, answer.value.split(":")))

    async def text(self, sender: Sender, text: str) -> list[Message] | None:
        """Takes typed text as the answer a manager's session waits for; None if it waits for none."""
        if not self.is_manager(sender):
            return None
        if text.strip().lower().lstrip("/") in CANCEL_WORDS:
            return await self.cancel(sender)
        return await self._work(sender, lambda session, teams, actor: self._typed(
            session, teams, actor, text, sender.platform), none_if_idle=True)

    async def cancel(self, sender: Sender) -> list[Message] | None:
        """Stops what the manager's session waits for; None if it waits for nothing."""
        if not self.is_manager(sender):
            return None

        async def work(session, teams, actor):
            state = await triage_store.manager_session(session, manager=actor, now=self._clock())
            state.awaiting, state.data = "", {}
            return [Message(_(M.INPUT_CANCELLED))]
        return await self._work(sender, work, none_if_idle=True)

    # Inside one unit of work each.

    async def _work(self, sender: Sender, work, *, none_if_idle: bool = False) -> list[Message] | None:
        teams = self.teams_of(sender)
        if not teams:
            return [Message(_(M.NOT_A_MANAGER))]
        actor, now = self._actor(sender), self._clock()
        async with self._database.unit() as session:
            if none_if_idle:
                state = await triage_store.manager_session(session, manager=actor, now=now)
                if state.awaiting and now - state.updated_at > WAITS_FOR:
                    state.awaiting, state.data = "", {}  # a question left this long is forgotten
                if not state.awaiting:
                    return None
            if sender.event and not await report_store.first_sighting(
                    session, key=f"{sender.platform}:{sender.event}", now=now):
                return []
            return await work(session, teams, actor)

    async def _list_reports(self, session, teams: list[str], actor: str) -> list[Message]:
        for team in teams:
            await triage_store.audit(session, actor=actor, team=team, verb="list", now=self._clock())
        return [triage.report_list(await triage_store.open_reports(session, teams=teams), now=self._clock())]

    async def _open(self, session, teams: list[str], actor: str, reference: str) -> list[Message]:
        report = await triage_store.find_report(session, reference=reference, teams=teams)
        if report is None:
            return [Message(_(M.NO_SUCH_REPORT).format(reference=reference.strip().upper()[:20]))]
        state = await triage_store.manager_session(session, manager=actor, now=self._clock())
        state.report_id, state.awaiting, state.data, state.updated_at = report.id, "", {}, self._clock()
        await self._audit(session, actor, report, "read")
        return [await self._card(session, report)]

    async def _card(self, session, report: Report) -> Message:
        return triage.card(report, lists=self.lists, bands=self._bands,
                           links=await triage_store.linked_references(session, report_id=report.id),
                           actions=await triage_store.actions_for(session, report_id=report.id))

    async def _tapped(self, session, teams: list[str], actor: str, verb: Verb, args: list[str]) -> list[Message]:
        if verb is Verb.LIST:
            return await self._list_reports(session, teams, actor)
        if verb is Verb.ACTION_DONE:
            return await self._action_done(session, teams, actor, args[0])
        if verb is Verb.OPEN:
            return await self._open(session, teams, actor, args[0])
        report = await triage_store.find_report(session, reference=args[0], teams=teams)
        if report is None:
            return [Message(_(M.NO_SUCH_REPORT).format(reference=args[0][:20]))]
        ref, now = report.reference, self._clock()
        state = await triage_store.manager_session(session, manager=actor, now=now)
        answering_whys = verb is Verb.RCA_DONE and state.awaiting == "why" and state.report_id == report.id
        if verb is Verb.RCA_DONE and not answering_whys:
            return [Message(_(M.STALE_BUTTON))]
        if not answering_whys:  # a tap moves on: nothing half-typed carries over to it
            state.awaiting, state.data = "", {}
        state.report_id, state.updated_at = report.id, now
        match verb:
            case Verb.GRADE:
                return [triage.ask_consequence(ref)]
            case Verb.CONSEQUENCE if _scale(args, 1):
                return [triage.ask_likelihood(ref, int(args[1]))]
            case Verb.LIKELIHOOD if _scale(args, 1) and _scale(args, 2):
                return await self._grade(session, actor, report, int(args[1]), int(args[2]))
            case Verb.THEMES:
                if not report.themes:
                    report.themes = list(report.factors)  # the reporter's view as a starting point
                return [triage.themes_picker(ref, report.themes, self.lists)]
            case Verb.THEME if len(args) == 2 and any(o.code == args[1] for o in self.lists.factors):
                themes = list(report.themes or [])
                report.themes = [t for t in themes if t != args[1]] if args[1] in themes else themes + [args[1]]
                await self._audit(session, actor, report, "themes", ",".join(report.themes))
                return [triage.themes_picker(ref, report.themes, self.lists, edit=True)]
            case Verb.THEMES_DONE:
                return [Message(_(M.THEMES_SET).format(reference=ref, themes=triage.labels(
                    self.lists.factors, report.themes or []))), await self._card(session, report)]
            case Verb.STATUS:
                return [triage.status_picker(ref, report.status)]
            case Verb.SET_STATUS if len(args) == 2 and args[1] in LIFECYCLE:
                await self._set_status(session, report, args[1])
                await self._audit(session, actor, report, "status", args[1])
                return [Message(_(M.STATUS_SET).format(reference=ref, status=_(M.STATUS[args[1]])))]
            case Verb.LINK:
                state.awaiting, state.data = "link", {}
                return [Message(_(M.ASK_LINK).format(reference=ref), accepts_text=True)]
            case Verb.RCA:
                state.awaiting, state.data = "why", {"whys": []}
                return [triage.ask_why(ref, 1)]
            case Verb.RCA_DONE:
                state.awaiting = "barriers"
                return [Message(_(M.ASK_BARRIERS), accepts_text=True)]
            case Verb.ACTION:
                actions = await triage_store.open_actions(session, teams=[report.team])
                return [triage.action_picker(ref, actions, self._today())]
            case Verb.NEW_ACTION:
                state.awaiting, state.data = "action_what", {}
                return [Message(_(M.ASK_ACTION_WHAT), accepts_text=True)]
            case Verb.LINK_ACTION if len(args) == 2:
                action = await triage_store.find_action(session, reference=args[1], teams=[report.team])
                if action is None:
                    return [Message(_(M.NO_SUCH_ACTION).format(reference=args[1][:20]))]
                return await self._link_action(session, actor, report, action)
        return [Message(_(M.STALE_BUTTON))]

    async def _grade(self, session, actor: str, report: Report, consequence: int, likelihood: int) -> list[Message]:
        now, score = self._clock(), risk_score(consequence, likelihood)
        colour = self._bands.colour(score)
        report.consequence, report.likelihood, report.risk_score, report.risk_colour = (
            consequence, likelihood, score, colour)
        report.triaged_at = report.triaged_at or now
        if report.status == "submitted":
            report.status = "triaged"
        replies = [Message(_(M.GRADED).format(reference=report.reference,
                                              risk=triage.risk_text(report, self._bands)))]
        if colour == "red":
            report.needs_rca = True
            replies.append(Message(_(M.RED_MARKED)))
            await self._queue_alert(session, report, "red", _(M.ALERT_RED).format(score=score))
        await self._audit(session, actor, report, "grade", f"{consequence}x{likelihood}={score} {colour}")
        return replies + [await self._card(session, report)]

    async def _queue_alert(self, session, report: Report, kind: str, reason: str) -> None:
        await queue_alert(session, keys=self._keys(), settings=self._settings, lists=self.lists, report=report,
                          reason=reason, kind=kind, now=self._clock())

    async def _set_status(self, session, report: Report, status: str) -> None:
        """Moves a report through its lifecycle; closing it says thank you and forgets the contact."""
        report.status = status
        report.closed_at = self._clock() if status == "closed" else None
        if status == "closed":
            await give_feedback(session, keys=self._keys(), report=report, kind="closed", now=self._clock(),
                                text=_(M.CLOSED_NOTE).format(reference=report.reference))
            await forget_report_contact(session, report_id=report.id)

    async def _link_action(self, session, actor: str, report: Report, action) -> list[Message]:
        await triage_store.link_action(session, action=action, report=report)
        if _before(report.status, "action_agreed"):
            await self._set_status(session, report, "action_agreed")
        if report.status != "closed":
            await give_feedback(session, keys=self._keys(), report=report, kind=f"agreed:{action.id}",
                                now=self._clock(), text=_(M.FEEDBACK_AGREED).format(
                                    reference=report.reference, what=action.description, owner=action.owner_role,
                                    due=action.due_on.strftime("%-d %b %Y")))
        await self._audit(session, actor, report, "link_action", action.reference)
        return [Message(_(M.ACTION_LINKED).format(reference=report.reference, action=action.reference))]

    async def _action_done(self, session, teams: list[str], actor: str, reference: str) -> list[Message]:
        action = await triage_store.find_action(session, reference=reference, teams=teams)
        if action is None or action.done_at is not None:
            return [Message(_(M.NO_SUCH_ACTION).format(reference=reference[:20]))]
        action.done_at = self._clock()
        await triage_store.audit(session, actor=actor, team=action.team, verb="action_done", now=self._clock(),
                         detail=action.reference)
        for report in await triage_store.reports_of_action(session, action_id=action.id):
            if report.status == "closed":
                continue
            # Given whether pushed or not: a reporter who kept no contact reads it with /status.
            await give_feedback(session, keys=self._keys(), report=report, kind=f"done:{action.id}",
                                now=self._clock(),
                                text=_(M.FEEDBACK_DONE).format(reference=report.reference, what=action.description))
            if _before(report.status, "feedback_sent"):
                await self._set_status(session, report, "feedback_sent")
        return [Message(_(M.ACTION_DONE).format(action=action.reference))]

    async def _typed(self, session, teams: list[str], actor: str, text: str, platform: str) -> list[Message]:
        now = self._clock()
        state = await triage_store.manager_session(session, manager=actor, now=now)
        state.updated_at = now
        report = await session.get(Report, state.report_id) if state.report_id else None
        if report is None or report.team not in teams:
            state.awaiting, state.data = "", {}
            return [Message(_(M.NO_REPORT_OPEN).format(open=COMMANDS.get(platform, COMMANDS["telegram"])[1]))]
        if state.awaiting == "link":
            other = await triage_store.find_report(session, reference=text, teams=teams)
            if other is None:
                return [Message(_(M.NO_SUCH_REPORT).format(reference=text.strip().upper()[:20]), accepts_text=True)]
            if other.id == report.id:
                return [Message(_(M.LINK_SELF), accepts_text=True)]
            await triage_store.link_reports(session, first=report, second=other, now=now)
            state.awaiting = ""
            await self._audit(session, actor, report, "link", other.reference)
            return [Message(_(M.LINKED).format(reference=report.reference, other=other.reference))]
        if state.awaiting == "action_due":
            due = parse_due(text, today=self._today())
            if due is DateProblem.UNREADABLE:
                return [Message(_(M.DATE_UNREADABLE), accepts_text=True)]
            if due is DateProblem.PAST:
                return [Message(_(M.DUE_PAST), accepts_text=True)]
            return await self._record_action(session, actor, report, state, due)
        words = _masked(text)
        if isinstance(words, Message):
            return [words]
        data = dict(state.data)
        match state.awaiting:
            case "why":
                data["whys"] = data.get("whys", []) + [words]
                state.data = data
                if len(data["whys"]) < WHYS:
                    return [triage.ask_why(report.reference, len(data["whys"]) + 1)]
                state.awaiting = "barriers"
                return [Message(_(M.ASK_BARRIERS), accepts_text=True)]
            case "barriers":
                report.rca = {"whys": data.get("whys", []), "barriers": words}
                state.awaiting, state.data = "", {}
                await self._audit(session, actor, report, "rca")
                return [Message(_(M.RCA_RECORDED).format(reference=report.reference)),
                        await self._card(session, report)]
            case "action_what":
                state.data, state.awaiting = {"what": words}, "action_owner"
                return [Message(_(M.ASK_ACTION_OWNER), accepts_text=True)]
            case "action_owner":
                state.data, state.awaiting = data | {"owner": words[:120]}, "action_due"
                return [Message(_(M.ASK_ACTION_DUE), accepts_text=True)]
        state.awaiting = ""
        return [Message(_(M.STALE_BUTTON))]

    async def _record_action(self, session, actor: str, report: Report, state, due) -> list[Message]:
        data = state.data
        action = await triage_store.add_action(session, team=report.team, description=data["what"],
                                       owner_role=data["owner"], due_on=due, now=self._clock())
        state.awaiting, state.data = "", {}
        await triage_store.audit(session, actor=actor, team=report.team, verb="action", now=self._clock(),
                         detail=action.reference)
        await self._link_action(session, actor, report, action)
        return [Message(_(M.ACTION_RECORDED).format(
            action=action.reference, reference=report.reference, what=action.description,
            owner=action.owner_role, due=due.strftime("%-d %b %Y")))]

    async def _audit(self, session, actor: str, report: Report, verb: str, detail: str = "") -> None:
        await triage_store.audit(session, actor=actor, team=report.team, verb=verb, now=self._clock(),
                         report_id=report.id, detail=detail)

    def _actor(self, sender: Sender) -> str:
        """Returns the manager's pseudonym for the audit log: keyed apart from reporter pseudonyms,
        so a manager's audit rows cannot be joined to the reports they made themselves."""
        return self._keys().pseudonym(platform=f"manager:{sender.platform}", workspace=sender.workspace,
                                      user_id=sender.user_id).value

    def _keys(self) -> Keys:
        return in_force(self._key_source)

    def _today(self):
        return self._clock().astimezone(self._settings.zone).date()


def _before(status: str, other: str) -> bool:
    return LIFECYCLE.index(status) < LIFECYCLE.index(other)


def _scale(args: list[str], index: int) -> bool:
    return len(args) > index and args[index] in ("1", "2", "3", "4", "5")


def _masked(text: str) -> str | Message:
    """Returns a manager's typed text with identifiers masked, or what is wrong with it."""
    words = mask(text).text.strip()
    if len(words) < 3:
        return Message(_(M.NEED_WORDS), accepts_text=True)
    if len(words) > TEXT_LIMIT:
        return Message(_(M.TOO_LONG).format(length=len(words), limit=TEXT_LIMIT), accepts_text=True)
    return words
