"""Advances a report draft by one answer and says what to show next, for any platform.

A draft is a plain dict (kept in our own table as JSON), so it survives restarts and reads the
same on every platform. The engine never stores anything and imports no chat library.
"""

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Any

from flows import messages as M
from flows.dates import EARLIEST_YEAR, DateProblem, When, parse_when
from flows.lists import Lists, Option
from flows.masking import Identifier, mask
from flows.messages import _
from flows.report_flow import REPORT_FLOW, Kind, Step

SUMMARY = "summary"
CONFIRM_CANCEL = "cancel"
TEXT_LIMIT = 1000
_MIN_TEXT = 3
_WEEK, _TYPED = "week", "typed"  # the date step's two follow-up questions
_TODAY, _YESTERDAY = "today", "yesterday"
_DAYS_IN_WEEK_LIST = range(2, 7)

_FOUND = {
    Identifier.URL: M.FOUND_URL,
    Identifier.EMAIL: M.FOUND_EMAIL,
    Identifier.NHS: M.FOUND_NHS,
    Identifier.NI: M.FOUND_NI,
    Identifier.DOB: M.FOUND_DOB,
    Identifier.POSTCODE: M.FOUND_POSTCODE,
    Identifier.PHONE: M.FOUND_PHONE,
    Identifier.CASE: M.FOUND_CASE,
    Identifier.ADDRESS: M.FOUND_ADDRESS,
    Identifier.NAME: M.FOUND_NAME,
}


class Action(StrEnum):
    PICK = "p"
    TOGGLE = "t"
    DONE = "d"
    TEXT = "x"
    BACK = "b"
    SKIP = "s"
    CANCEL = "c"
    EDIT = "e"
    SUBMIT = "ok"
    YES = "y"
    NO = "n"
    MANAGE = "m"  # a manager's button: step names the verb, value its argument


@dataclass(frozen=True)
class Answer:
    action: Action
    value: str = ""
    step: str = ""  # the question a button was shown with; empty for typed text
    token: str = ""  # the button's signature, echoed back by the adapter


TYPED_ACTIONS = (Action.TEXT, Action.CANCEL)  # answers that may come without a button


@dataclass(frozen=True)
class Button:
    action: Action
    label: str
    step: str
    value: str = ""
    selected: bool = False
    token: str = ""  # set by the service: ties the button to one reporter and one draft

    def answer(self) -> Answer:
        """Returns the answer tapping this button gives."""
        return Answer(self.action, self.value, self.step, self.token)


@dataclass(frozen=True)
class Message:
    text: str
    options: tuple[Button, ...] = ()
    controls: tuple[Button, ...] = ()
    step: str = ""
    accepts_text: bool = False
    retry: bool = False  # "please try again": the question and its buttons stay as they were
    edit: bool = False  # shown in place of the message whose button was tapped


_SEPARATOR = "|"


def encode_button(button: Button) -> str:
    """Returns a button as the short text a platform hands back when it is tapped."""
    return _SEPARATOR.join((button.action.value, button.step, button.value, button.token))


def decode_button(data: str | None) -> Answer | None:
    """Returns the answer an encoded button stands for, or None if the text means nothing."""
    parts = (data or "").split(_SEPARATOR)
    if len(parts) != 4:
        return None
    try:
        action = Action(parts[0])
    except ValueError:
        return None
    return Answer(action, parts[2], parts[1], parts[3])


class Outcome(StrEnum):
    CONTINUE = "continue"
    CANCELLED = "cancelled"
    SUBMITTED = "submitted"


@dataclass
class Turn:
    state: dict[str, Any]
    messages: list[Message] = field(default_factory=list)
    outcome: Outcome = Outcome.CONTINUE


@dataclass
class Filled:
    """A whole report answered at once (a one-screen form): the draft, or what to correct."""

    state: dict[str, Any]
    errors: dict[str, str]  # question key -> what is wrong with its answer
    notes: list[str]        # what the reporter should be told, e.g. what was masked


@dataclass(frozen=True)
class ReportContent:
    occurred_on: date
    occurred_at: time | None
    setting: str
    involved: tuple[str, ...]
    what: str
    immediate_action: str
    grade: str
    factors: tuple[str, ...]
    what_stopped_it: str | None
    wants_feedback: bool


class ReportEngine:
    """Walks REPORT_FLOW: one answer in, the next messages out."""

    def __init__(self, lists: Lists, *, text_limit: int = TEXT_LIMIT) -> None:
        self._steps = {step.key: step for step in REPORT_FLOW}
        self._order = [step.key for step in REPORT_FLOW]
        self._lists = lists
        self._text_limit = text_limit

    def start(self, *, today: date) -> Turn:
        """Returns a fresh draft with the safety line and the first question."""
        state = {"step": self._order[0], "sub": "", "trail": [], "answers": {}, "editing": False}
        return Turn(state, [Message(_(M.INTRO)), self.prompt(state, today=today)])

    def resume(self, state: dict[str, Any], *, today: date) -> Turn:
        """Returns the draft as it was, with a reminder of where the reporter is."""
        return Turn(state, [Message(_(M.RESUME)), self.prompt(state, today=today)])

    def advance(self, state: dict[str, Any], answer: Answer, *, today: date) -> Turn:
        """Applies one answer to a copy of the draft and returns what to show next."""
        state = copy.deepcopy(state)
        current = state["step"]
        if answer.action is Action.CANCEL and current != CONFIRM_CANCEL:
            state["resume"], state["step"] = current, CONFIRM_CANCEL
            return self._ask(state, today)
        if answer.step and answer.step != current:
            return self._ask(state, today, M.STALE_BUTTON)
        if current == CONFIRM_CANCEL:
            return self._confirm_cancel(state, answer, today)
        if current == SUMMARY:
            return self._at_summary(state, answer, today)
        step = self._steps[current]
        if answer.action is Action.BACK:
            return self._back(state, today)
        if answer.action is Action.SKIP:
            if not step.optional:
                return self._ask(state, today, M.CANNOT_SKIP)
            state["answers"].pop(step.key, None)
            return self._move_on(state, step, today)
        match step.kind:
            case Kind.DATE:
                return self._answer_date(state, step, answer, today)
            case Kind.CHOICE:
                return self._answer_choice(state, step, answer, today)
            case Kind.MULTI:
                return self._answer_multi(state, step, answer, today)
            case Kind.TEXT:
                return self._answer_text(state, step, answer, today)

    def fill(self, values: dict[str, Any], *, today: date) -> Filled:
        """Answers every question from a form's values, with the same checks as one at a time.

        Values are a date (ISO text) for the date, a code for a choice, a list of codes for a
        multi-select and text for free text; None or empty for an unanswered question.
        """
        state, errors, notes = self.start(today=today).state, {}, []
        for step in REPORT_FLOW:
            turn = Turn(state)
            for answer in self._form_answers(step, values.get(step.key)):
                turn = self.advance(turn.state, answer, today=today)
            if turn.state["step"] == step.key:
                errors[step.key] = self._form_error(step, turn)
                state = copy.deepcopy(state)
                state["answers"].pop(step.key, None)
                state.update(step=self._following(step.key), sub="")
                state["trail"].append(step.key)
            else:
                state = turn.state
                notes += [m.text for m in turn.messages[:-1]]
        return Filled(state, errors, notes)

    @staticmethod
    def _form_error(step: Step, turn: Turn) -> str:
        """Returns a chat note about a refused answer in words that suit a form."""
        note = turn.messages[0].text if len(turn.messages) > 1 else _(M.NEED_WORDS)
        if note in (_(M.STALE_BUTTON), _(M.NEED_BUTTON), _(M.NEED_ONE)):
            return _(M.FORM_CHOOSE_SOME) if step.kind is Kind.MULTI else _(M.FORM_CHOOSE)
        return note

    @staticmethod
    def _form_answers(step: Step, value: Any) -> list[Answer]:
        if value in (None, "", []):
            return [Answer(Action.SKIP, step=step.key)] if step.optional else [Answer(Action.TEXT, "")]
        match step.kind:
            case Kind.DATE | Kind.CHOICE:
                return [Answer(Action.PICK, str(value), step.key)]
            case Kind.MULTI:
                return [Answer(Action.TOGGLE, code, step.key) for code in value] + [Answer(Action.DONE, step=step.key)]
            case Kind.TEXT:
                return [Answer(Action.TEXT, str(value))]

    def content(self, state: dict[str, Any]) -> ReportContent:
        """Returns the finished report's fields, typed."""
        answers = state["answers"]
        at = answers.get("when_time")
        return ReportContent(
            occurred_on=date.fromisoformat(answers["when"]),
            occurred_at=time.fromisoformat(at) if at else None,
            setting=answers["where"],
            involved=tuple(answers["who"]),
            what=answers["what"],
            immediate_action=answers["action"],
            grade=answers["outcome"],
            factors=tuple(answers.get("factors", ())),
            what_stopped_it=answers.get("stopped"),
            wants_feedback=answers["feedback"] == "yes",
        )

    # Answers, one kind of question each.

    def _answer_date(self, state, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is Action.TEXT:
            when = parse_when(answer.value, today=today)
            if when is DateProblem.UNREADABLE:
                return self._ask(state, today, M.DATE_UNREADABLE)
            if when is DateProblem.FUTURE:
                return self._ask(state, today, M.DATE_FUTURE)
            return self._set_date(state, step, when, today)
        if answer.action is not Action.PICK:
            return self._ask(state, today, M.NEED_BUTTON)
        if answer.value in (_WEEK, _TYPED):
            state["sub"] = answer.value
            return self._ask(state, today)
        if answer.value in (_TODAY, _YESTERDAY):
            day = today if answer.value == _TODAY else today - timedelta(days=1)
            return self._set_date(state, step, When(day), today)
        try:
            day = date.fromisoformat(answer.value)
        except ValueError:
            return self._ask(state, today, M.STALE_BUTTON)
        if day.year < EARLIEST_YEAR:
            return self._ask(state, today, M.DATE_UNREADABLE)
        if day > today:
            return self._ask(state, today, M.DATE_FUTURE)
        return self._set_date(state, step, When(day), today)

    def _set_date(self, state, step: Step, when: When, today: date) -> Turn:
        state["answers"][step.key] = when.day.isoformat()
        if when.at is None:
            state["answers"].pop("when_time", None)
        else:
            state["answers"]["when_time"] = when.at.strftime("%H:%M")
        return self._move_on(state, step, today)

    def _answer_choice(self, state, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is not Action.PICK:
            return self._ask(state, today, M.NEED_BUTTON)
        option = self._find(step, answer.value)
        if option is None:
            return self._ask(state, today, M.STALE_BUTTON)
        state["answers"][step.key] = option.code
        notes = [M.STATUTORY] if getattr(option, "statutory", False) else []
        return self._move_on(state, step, today, notes)

    def _answer_multi(self, state, step: Step, answer: Answer, today: date) -> Turn:
        chosen: list[str] = state["answers"].get(step.key, [])
        if answer.action is Action.TOGGLE:
            if self._find(step, answer.value) is None:
                return self._ask(state, today, M.STALE_BUTTON)
            picked = set(chosen) ^ {answer.value}
            state["answers"][step.key] = [o.code for o in self._lists.named(step.options) if o.code in picked]
            return self._ask(state, today)
        if answer.action is not Action.DONE:
            return self._ask(state, today, M.NEED_BUTTON)
        if not chosen and not step.optional:
            return self._ask(state, today, M.NEED_ONE)
        if not chosen:
            state["answers"].pop(step.key, None)
        return self._move_on(state, step, today)

    def _answer_text(self, state, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is not Action.TEXT:
            return self._ask(state, today, M.NEED_WORDS)
        text = answer.value.strip()
        if len(text) > self._text_limit:
            note = _(M.TOO_LONG).format(length=len(text), limit=self._text_limit)
            return self._ask(state, today, note)
        masked = mask(text)
        if len(masked.text) > self._text_limit:  # placeholders can make it longer
            note = _(M.TOO_LONG).format(length=len(masked.text), limit=self._text_limit)
            return self._ask(state, today, note)
        if len(masked.text.strip()) < _MIN_TEXT:
            return self._ask(state, today, M.NEED_WORDS)
        state["answers"][step.key] = masked.text
        notes = [_(M.MASKED).format(found=_describe(masked.found), text=masked.text)] if masked.found else []
        return self._move_on(state, step, today, notes)

    # Moving about the flow.

    def _at_summary(self, state, answer: Answer, today: date) -> Turn:
        if answer.action is Action.SUBMIT:
            return Turn(state, [], Outcome.SUBMITTED)
        if answer.action is Action.EDIT and answer.value in self._steps:
            state.update(step=answer.value, sub="", editing=True)
            return self._ask(state, today)
        if answer.action is Action.BACK:
            return self._back(state, today)
        return self._ask(state, today, M.NEED_BUTTON)

    def _confirm_cancel(self, state, answer: Answer, today: date) -> Turn:
        if answer.action is Action.YES:
            return Turn(state, [Message(_(M.CANCELLED))], Outcome.CANCELLED)
        if answer.action in (Action.NO, Action.BACK):
            state["step"] = state.pop("resume")
            return self._ask(state, today)
        return self._ask(state, today, M.NEED_BUTTON)

    def _back(self, state, today: date) -> Turn:
        if state["sub"]:
            state["sub"] = ""
        elif state["editing"]:
            state.update(step=SUMMARY, editing=False)
        elif state["trail"]:
            state.update(step=state["trail"].pop(), sub="")
        else:
            return self._ask(state, today, M.FIRST_QUESTION)
        return self._ask(state, today)

    def _move_on(self, state, step: Step, today: date, notes: list[str] = ()) -> Turn:
        if state["editing"]:
            state.update(step=SUMMARY, editing=False, sub="")
        else:
            state["trail"].append(step.key)
            state.update(step=self._following(step.key), sub="")
        return self._ask(state, today, *notes)

    def _ask(self, state, today: date, *notes: str) -> Turn:
        return Turn(state, [Message(_(note)) for note in notes] + [self.prompt(state, today=today)])

    def _following(self, key: str) -> str:
        position = self._order.index(key) + 1
        return self._order[position] if position < len(self._order) else SUMMARY

    def _find(self, step: Step, code: str) -> Option | None:
        return next((o for o in self._lists.named(step.options) if o.code == code), None)

    # What the reporter sees.

    def prompt(self, state: dict[str, Any], *, today: date) -> Message:
        """Returns the question the draft is waiting on, with its buttons."""
        current = state["step"]
        if current == SUMMARY:
            return self._summary(state)
        if current == CONFIRM_CANCEL:
            return Message(
                _(M.ASK_CONFIRM_CANCEL),
                options=(
                    Button(Action.YES, _(M.BUTTON_YES_CANCEL), CONFIRM_CANCEL),
                    Button(Action.NO, _(M.BUTTON_NO_CARRY_ON), CONFIRM_CANCEL),
                ),
                step=CONFIRM_CANCEL,
            )
        step = self._steps[current]
        answer = state["answers"].get(step.key)
        question, options = _(step.question), ()
        match step.kind:
            case Kind.DATE:
                question, options = self._date_options(state, step, today)
            case Kind.CHOICE:
                options = tuple(
                    Button(Action.PICK, _(o.label), step.key, o.code, selected=o.code == answer)
                    for o in self._lists.named(step.options)
                )
            case Kind.MULTI:
                options = tuple(
                    Button(Action.TOGGLE, _(o.label), step.key, o.code, selected=o.code in (answer or ()))
                    for o in self._lists.named(step.options)
                )
            case Kind.TEXT if answer and state["editing"]:
                question = f"{question}\n\n“{answer}”"
        controls = []
        if step.kind is Kind.MULTI:
            controls.append(Button(Action.DONE, _(M.BUTTON_DONE), step.key))
        if state["trail"] or state["editing"] or state["sub"]:
            controls.append(Button(Action.BACK, _(M.BUTTON_BACK), step.key))
        if step.optional:
            controls.append(Button(Action.SKIP, _(M.BUTTON_SKIP), step.key))
        controls.append(Button(Action.CANCEL, _(M.BUTTON_CANCEL), step.key))
        accepts_text = step.kind is Kind.TEXT or step.kind is Kind.DATE
        return Message(question, options, tuple(controls), step.key, accepts_text)

    def _date_options(self, state, step: Step, today: date) -> tuple[str, tuple[Button, ...]]:
        if state["sub"] == _TYPED:
            return _(M.ASK_WHEN_TYPED), ()
        if state["sub"] == _WEEK:
            days = [today - timedelta(days=n) for n in _DAYS_IN_WEEK_LIST]
            return _(M.ASK_WHEN_DAY), tuple(
                Button(Action.PICK, day.strftime("%a %-d %b"), step.key, day.isoformat()) for day in days
            )
        return _(step.question), tuple(
            Button(Action.PICK, _(label), step.key, value)
            for value, label in (
                (_TODAY, M.WHEN_TODAY),
                (_YESTERDAY, M.WHEN_YESTERDAY),
                (_WEEK, M.WHEN_THIS_WEEK),
                (_TYPED, M.WHEN_PICK),
            )
        )

    def card(self, state: dict[str, Any]) -> str:
        """Returns every answer, one field a line, as the summary card shows them."""
        return "\n".join(f"{_(step.field)}: {self.describe(state, step)}" for step in REPORT_FLOW)

    def _summary(self, state) -> Message:
        lines = [_(M.ASK_CHECK), "", self.card(state), "", _(M.CHECK_HINT)]
        edits = tuple(
            Button(Action.EDIT, _(M.BUTTON_EDIT).format(field=_(step.field)), SUMMARY, step.key)
            for step in REPORT_FLOW
        )
        controls = (
            Button(Action.SUBMIT, _(M.BUTTON_SUBMIT), SUMMARY),
            Button(Action.BACK, _(M.BUTTON_BACK), SUMMARY),
            Button(Action.CANCEL, _(M.BUTTON_CANCEL), SUMMARY),
        )
        return Message("\n".join(lines), edits, controls, SUMMARY)

    def describe(self, state: dict[str, Any], step: Step) -> str:
        """Returns one answer in words, as the summary card shows it."""
        answer = state["answers"].get(step.key)
        if not answer:
            return _(M.NOT_GIVEN)
        if step.kind is Kind.DATE:
            shown = date.fromisoformat(answer).strftime("%a %-d %b %Y")
            at = state["answers"].get("when_time")
            return f"{shown}, {at}" if at else shown
        if step.kind is Kind.TEXT:
            return answer
        labels = {o.code: _(o.label) for o in self._lists.named(step.options)}
        codes = answer if isinstance(answer, list) else [answer]
        return ", ".join(labels.get(code, code) for code in codes)


def _describe(found: Counter[Identifier]) -> str:
    parts = []
    for kind, count in found.items():
        one, many = _FOUND[kind]
        parts.append(_(one) if count == 1 else _(many).format(n=count))
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_(M.AND)} {parts[-1]}"
