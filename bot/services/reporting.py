"""What a reporter does: join a team, and answer the report's questions one by one or on one
form. Each answer is applied to their stored draft in one unit of work, and the messages are
returned only after it has committed."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.app.config import Settings
from bot.services.alerts import queue_alert, submission_alert
from bot.services.button_signing import genuine, signed
from bot.services.languages import Languages
from bot.services.metrics import Metrics
from bot.services.progress import Progress
from bot.services.replies import Replies, keep
from bot.services.reporters import Reporters
from bot.services.sender import Refused, Sender, first_delivery, first_delivery_and_draft
from flows import messages as M
from flows.chat import Answer, Message
from flows.clock import Clock, utcnow
from flows.commands import Command, Vocabularies, language_picker
from flows.draft import DraftState, Outcome, ReportContent
from flows.engine import ReportEngine
from flows.messages import _
from flows.report_flow import REPORT_FLOW, Kind
from storage import report_store
from storage.database import Database
from storage.keys import Keys, KeySource, Pseudonym
from storage.models import Draft

log = logging.getLogger(__name__)

FORM_PROBLEM_FIELD = REPORT_FLOW[-1].key  # a form's last question, by its submit button


@dataclass(frozen=True)
class FormResult:
    """A one-screen report: what to correct (nothing stored), what was masked for the reporter to
    check before anything is stored, or what to tell the reporter once it is."""

    errors: dict[str, str]
    messages: list[Message]
    review: dict[str, str] | None = None  # the typed answers as they would be kept, by question
    review_note: str = ""  # what was hidden, and what to do


Work = Callable[[Sender], Awaitable[list[Message]]]


class Reporting:
    def __init__(
        self,
        *,
        database: Database,
        keys: Keys | KeySource,
        settings: Settings,
        vocabularies: Vocabularies,
        clock: Clock = utcnow,
        metrics: Metrics | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._metrics = metrics or Metrics()
        self._vocabularies = vocabularies
        self._clock = clock
        self.reporters = Reporters(keys=keys, settings=settings, vocabularies=vocabularies, clock=clock)
        self.progress = Progress(database=database, reporters=self.reporters, settings=settings)
        self.languages = Languages(database=database, reporters=self.reporters, settings=settings)
        self.replies = Replies(database=database, keys=keys, clock=clock)
        self.lists = settings.lists.to_lists()
        self._engine = ReportEngine(self.lists)
        self._idle = timedelta(hours=settings.drafts.expire_after_hours)

    def today(self) -> date:
        """Returns today's date where the reporters are."""
        return self.reporters.today()

    async def is_member(self, sender: Sender) -> bool:
        """Says whether the sender may report; stores nothing."""
        async with self._database.unit() as session:
            return await self.reporters.team(session, sender) is not None

    def help(self, sender: Sender) -> list[Message]:
        """Returns the help text, in the sender's platform's words."""
        return [self.reporters.help(sender.platform)]

    async def join(self, sender: Sender, code: str, *, first_contact: bool = False) -> list[Message]:
        """Adds the sender to the team whose invite code they gave; at first contact, offers
        them their language too."""
        if not await self.reporters.within_limit(sender):
            return [Message(_(M.SLOW_DOWN), retry=True)]
        team = next(
            (
                t
                for t in self._settings.teams
                if t.invite_code and code and t.invite_code.get_secret_value() == code.strip()
            ),
            None,
        )
        if team is None:
            return [Message(_(M.BAD_INVITE))]
        now, reporter = self._clock(), self.reporters.pseudonym(sender)
        async with self._database.unit() as session:
            if not await first_delivery(session, sender, now):
                return []
            await report_store.join_team(session, reporter=reporter.value, team=team.id, now=now)
        joined = Message(_(M.JOINED).format(team=team.name, start=self.reporters.word(sender.platform, Command.REPORT)))
        return [joined, language_picker()] if first_contact else [joined]

    async def start(self, sender: Sender) -> list[Message]:
        """Starts a report, or carries on with the one in progress."""
        return await self._guarded(sender, self._start)

    async def answer(self, sender: Sender, answer: Answer) -> list[Message]:
        """Applies one answer to the sender's draft and returns what to show next."""
        return await self._guarded(sender, lambda s: self._answer(s, answer))

    async def not_text(self, sender: Sender) -> list[Message]:
        """Explains that only typed text is taken, and shows where the reporter is."""
        return [Message(_(M.TEXT_ONLY)), *await self._guarded(sender, self._where_am_i)]

    async def where_am_i(self, sender: Sender) -> list[Message]:
        """Shows the question the reporter's draft is waiting on, after a button that meant nothing."""
        return [Message(_(M.WHERE_YOU_ARE)), *await self._guarded(sender, self._where_am_i)]

    async def question_waiting(self, sender: Sender) -> list[Message]:
        """Returns the question the sender's draft waits on, or nothing when there is none: what
        answers an update delivered again after it was applied, whose reply may never have gone."""
        return await self._handled(sender, self._question_waiting)

    async def submit_form(self, sender: Sender, values: dict[str, Any], *, reviewed: bool = False) -> FormResult:
        """Stores a report answered on one screen, or returns what to correct, keeping nothing.
        Where anything was masked, the text as it would be kept comes back first for the reporter
        to check (unless they have just `reviewed` it)."""
        if not await self.reporters.within_limit(sender):
            return FormResult({FORM_PROBLEM_FIELD: _(M.SLOW_DOWN)}, [])
        now = self._clock()
        filled = self._engine.fill(values, today=self.reporters.today(now))
        if filled.errors:
            return FormResult(filled.errors, [])
        if filled.hidden and not reviewed:
            kept = {step.key: filled.state.text(step.key) or "" for step in REPORT_FLOW if step.kind is Kind.TEXT}
            return FormResult({}, [], review=kept, review_note=_(M.REVIEW_NOTE).format(found=filled.hidden))
        reporter = self.reporters.pseudonym(sender)
        try:
            async with self._database.unit() as session:
                team = await self._admit(session, sender, now)
                content = self._engine.content(filled.state)
                acknowledgement = await self._store_report(
                    session,
                    content=content,
                    team=team,
                    reporter=reporter,
                    platform=sender.platform,
                    now=now,
                    address=sender.address() if content.wants_feedback else None,
                )
                # One message: the reference, the report in a line, and the statutory route if it applies.
                statutory = [_(M.STATUTORY)] if self._engine.statutory(content.grade) else []
                in_a_line = self._engine.prompts.short_card(filled.state, self.reporters.today(now))
                text = "\n\n".join([acknowledgement.text, in_a_line, *statutory])
                messages = await keep(
                    session, keys=self.reporters.keys(), sender=sender, messages=[Message(text)], now=now
                )
        except Refused as refused:
            return FormResult({}, refused.messages)
        except IntegrityError:
            return FormResult({}, [])
        except (DBAPIError, ConnectionError, TimeoutError) as error:
            log.error("database unavailable: %s", error.__class__.__name__)
            return FormResult({FORM_PROBLEM_FIELD: _(M.BUSY)}, [])
        return FormResult({}, messages)

    # Inside one unit of work each.

    async def _guarded(self, sender: Sender, work: Work) -> list[Message]:
        if not await self.reporters.within_limit(sender):
            return [Message(_(M.SLOW_DOWN), retry=True)]
        return await self._handled(sender, work)

    async def _handled(self, sender: Sender, work: Work) -> list[Message]:
        try:
            return await work(sender)
        except Refused as refused:
            return refused.messages
        except IntegrityError:
            # The same delivery, applied by another worker a moment ago.
            return []
        except StaleDataError:
            # Two taps crossed; the other one won. Show the reporter where they now are.
            return [Message(_(M.TAPS_CROSSED)), *await self._handled(sender, self._where_am_i)]
        except (DBAPIError, ConnectionError, TimeoutError) as error:
            log.error("database unavailable: %s", error.__class__.__name__)
            return [Message(_(M.BUSY), retry=True)]

    async def _start(self, sender: Sender) -> list[Message]:
        now, reporter = self._clock(), self.reporters.pseudonym(sender)
        async with self._database.unit() as session:
            team = await self._admit(session, sender, now)
            draft = await report_store.get_draft(session, reporters=self.reporters.every_pseudonym(sender))
            if draft is None or await self._expire_if_idle(session, draft):
                turn = self._engine.start(today=self.reporters.today(now))
                draft = await report_store.add_draft(
                    session,
                    reporter=reporter.value,
                    team=team,
                    platform=sender.platform,
                    state=turn.state.to_json(),
                    now=now,
                    expires_at=now + self._idle,
                )
            else:
                turn = self._engine.resume(DraftState.from_json(draft.state), today=self.reporters.today(now))
                await report_store.save_draft(
                    session, draft=draft, state=draft.state, now=now, expires_at=now + self._idle
                )
            await report_store.seal_contact(
                session, keys=self.reporters.keys(), draft_id=draft.id, now=now, address=sender.address()
            )
        return self._signed(turn.messages, reporter, draft.id)

    async def _answer(self, sender: Sender, answer: Answer) -> list[Message]:
        now, reporter = self._clock(), self.reporters.pseudonym(sender)
        async with self._database.unit() as session:
            draft = await self._admitted_draft(session, sender, now)
            if await self._expire_if_idle(session, draft):
                return [self.reporters.expired(sender.platform)]
            state = DraftState.from_json(draft.state)
            if not genuine(self.reporters.keys(), answer, self.reporters.pseudonyms(sender), draft.id):
                prompt = self._engine.prompt(state, today=self.reporters.today(now))
                return self._signed([Message(_(M.WHERE_YOU_ARE)), prompt], reporter, draft.id)
            turn = self._engine.advance(state, answer, today=self.reporters.today(now))
            if turn.outcome is Outcome.CANCELLED:
                await report_store.delete_draft(session, draft=draft)
            elif turn.outcome is Outcome.SUBMITTED:
                turn.messages.append(
                    await self._store_report(
                        session,
                        content=self._engine.content(turn.state),
                        team=draft.team,
                        reporter=reporter,
                        platform=draft.platform,
                        now=now,
                        draft=draft,
                    )
                )
                # The reference is kept with the report, so it reaches the reporter whatever
                # happens to the live reply.
                messages = self._signed(turn.messages, reporter, draft.id)
                return await keep(session, keys=self.reporters.keys(), sender=sender, messages=messages, now=now)
            else:
                await report_store.save_draft(
                    session, draft=draft, state=turn.state.to_json(), now=now, expires_at=now + self._idle
                )
                if answer.token and len(turn.messages) == 1:
                    # A tapped question gives way to the next in the same message: the chat keeps
                    # one live question, and a tap costs a platform call fewer.
                    turn.messages = [replace(turn.messages[0], edit=True)]
        return self._signed(turn.messages, reporter, draft.id)

    async def _store_report(
        self,
        session: AsyncSession,
        *,
        content: ReportContent,
        team: str,
        reporter: Pseudonym,
        platform: str,
        now: datetime,
        draft: Draft | None = None,
        address: dict[str, str] | None = None,
    ) -> Message:
        """Stores a finished report, keeps the contact only if feedback was asked for, and
        returns the acknowledgement with its reference."""
        report = await report_store.add_report(
            session, content=content, team=team, reporter=reporter, platform=platform, now=now
        )
        if draft is not None:
            if content.wants_feedback:
                await report_store.keep_contact_for_report(session, draft_id=draft.id, report_id=report.id)
            await report_store.delete_draft(session, draft=draft)
        elif address is not None:
            await report_store.seal_contact(
                session, keys=self.reporters.keys(), address=address, now=now, report_id=report.id
            )
        alert = submission_alert(content.grade, self.lists)
        if alert is not None:
            kind, reason = alert
            await queue_alert(
                session,
                keys=self.reporters.keys(),
                settings=self._settings,
                lists=self.lists,
                vocabularies=self._vocabularies,
                report=report,
                reason=reason,
                kind=kind,
                now=now,
            )
        log.info("report submitted for team %s", team)
        counted = self._metrics.reports.labels(platform)
        event.listen(session.sync_session, "after_commit", lambda _session: counted.inc(), once=True)  # if it commits
        follow_up = M.SUBMITTED_FEEDBACK if content.wants_feedback else M.SUBMITTED_NO_CONTACT
        return Message(f"{_(M.SUBMITTED).format(reference=report.reference)}\n{_(follow_up)}")

    async def _where_am_i(self, sender: Sender) -> list[Message]:
        now, reporter = self._clock(), self.reporters.pseudonym(sender)
        async with self._database.unit() as session:
            if await self.reporters.team(session, sender) is None:
                return self.reporters.refuse(sender)
            draft = await self._open_draft(session, sender)
            if await self._expire_if_idle(session, draft):
                return [self.reporters.expired(sender.platform)]
            return self._question_of(draft, reporter, now)

    async def _question_waiting(self, sender: Sender) -> list[Message]:
        now, reporter = self._clock(), self.reporters.pseudonym(sender)
        async with self._database.unit() as session:
            draft = await report_store.get_draft(session, reporters=self.reporters.every_pseudonym(sender))
            if draft is None or draft.expires_at <= now:
                return []
            return self._question_of(draft, reporter, now)

    def _question_of(self, draft: Draft, reporter: Pseudonym, now: datetime) -> list[Message]:
        """Returns the question a draft waits on, its buttons signed."""
        prompt = self._engine.prompt(DraftState.from_json(draft.state), today=self.reporters.today(now))
        return self._signed([prompt], reporter, draft.id)

    async def _admit(self, session: AsyncSession, sender: Sender, now: datetime) -> str:
        """Returns the sender's team; refuses a stranger, and a redelivery with nothing to say."""
        team = await self._team(session, sender)
        if not await first_delivery(session, sender, now):
            raise Refused([])
        return team

    async def _team(self, session: AsyncSession, sender: Sender) -> str:
        """Returns the sender's team; refuses a stranger."""
        team = await self.reporters.team(session, sender)
        if team is None:
            raise Refused(self.reporters.refuse(sender))
        return team

    async def _admitted_draft(self, session: AsyncSession, sender: Sender, now: datetime) -> Draft:
        """As _admit then _open_draft, with the event's record and the draft's read together."""
        await self._team(session, sender)
        reporters = self.reporters.every_pseudonym(sender)
        first, draft = await first_delivery_and_draft(session, sender, now, reporters=reporters)
        if not first:
            raise Refused([])
        if draft is None:
            raise self._no_draft(sender)
        return draft

    async def _open_draft(self, session: AsyncSession, sender: Sender) -> Draft:
        """Returns the reporter's draft; refuses when there is none."""
        draft = await report_store.get_draft(session, reporters=self.reporters.every_pseudonym(sender))
        if draft is None:
            raise self._no_draft(sender)
        return draft

    def _no_draft(self, sender: Sender) -> Refused:
        return Refused([Message(_(M.NO_DRAFT).format(start=self.reporters.word(sender.platform, Command.REPORT)))])

    async def _expire_if_idle(self, session: AsyncSession, draft: Draft) -> bool:
        """Deletes the draft if it has been idle too long; says whether it did."""
        if draft.expires_at > self._clock():
            return False
        await report_store.delete_draft(session, draft=draft)
        await session.flush()
        return True

    def _signed(self, messages: list[Message], reporter: Pseudonym, draft_id: str) -> list[Message]:
        return signed(self.reporters.keys(), messages, reporter, draft_id)
