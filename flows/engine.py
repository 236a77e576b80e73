"""Advances a report draft by one answer and says what to show next, for any platform.

The engine never stores anything and imports no chat library: a typed draft in, a Turn out,
with any problem as a code.
"""

import copy
from collections import Counter
from datetime import date, time, timedelta
from typing import Any

from flows import messages as M
from flows.chat import Action, Answer, Message
from flows.dates import EARLIEST_YEAR, DateProblem, When, parse_when
from flows.draft import (
    PROBLEM_TEXT,
    WANTS_A_CHOICE,
    DraftState,
    Filled,
    Outcome,
    Problem,
    ReportContent,
    Turn,
)
from flows.lists import Grade, Lists, Option
from flows.masking import Identifier, mask
from flows.messages import _, ngettext
from flows.report_flow import REPORT_FLOW, Kind, Step
from flows.report_prompts import CONFIRM_CANCEL, SUMMARY, TODAY, TYPED, WEEK, YESTERDAY, Prompts

TEXT_LIMIT = 1000
MIN_TEXT = 3

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
    Identifier.VEHICLE: M.FOUND_VEHICLE,
    Identifier.HANDLE: M.FOUND_HANDLE,
    Identifier.SCHOOL: M.FOUND_SCHOOL,
    Identifier.NAME: M.FOUND_NAME,
}


class ReportEngine:
    """Walks REPORT_FLOW: one answer in, the next messages out."""

    def __init__(self, lists: Lists, *, text_limit: int = TEXT_LIMIT) -> None:
        self._steps = {step.key: step for step in REPORT_FLOW}
        self._order = [step.key for step in REPORT_FLOW]
        self._lists = lists
        self._text_limit = text_limit
        self.prompts = Prompts(lists)

    def start(self, *, today: date) -> Turn:
        """Returns a fresh draft with the safety line and the first question."""
        state = DraftState(step=self._order[0])
        return Turn(state, [Message(_(M.INTRO)), self.prompt(state, today=today)])

    def resume(self, state: DraftState, *, today: date) -> Turn:
        """Returns the draft as it was, with a reminder of where the reporter is."""
        return Turn(state, [Message(_(M.RESUME)), self.prompt(state, today=today)])

    def prompt(self, state: DraftState, *, today: date) -> Message:
        """Returns the question the draft is waiting on, with its buttons."""
        return self.prompts.prompt(state, today=today)

    def card(self, state: DraftState) -> str:
        """Returns every answer, one field a line, as the summary card shows them."""
        return self.prompts.card(state)

    def advance(self, state: DraftState, answer: Answer, *, today: date) -> Turn:
        """Applies one answer to a copy of the draft and returns what to show next."""
        state = copy.deepcopy(state)
        current = state.step
        if answer.action is Action.CANCEL and current != CONFIRM_CANCEL:
            state.resume, state.step = current, CONFIRM_CANCEL
            return self._ask(state, today)
        if answer.step and answer.step != current:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        if current == CONFIRM_CANCEL:
            return self._confirm_cancel(state, answer, today)
        if current == SUMMARY:
            return self._at_summary(state, answer, today)
        step = self._steps[current]
        if answer.action is Action.BACK:
            return self._back(state, today)
        if answer.action is Action.SKIP:
            if not step.optional:
                return self._refuse(state, today, Problem.CANNOT_SKIP)
            state.answers.pop(step.key, None)
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
            for answer in _form_answers(step, values.get(step.key)):
                turn = self.advance(turn.state, answer, today=today)
            if turn.state.step == step.key:
                errors[step.key] = _form_error(step, turn)
                state = copy.deepcopy(state)
                state.answers.pop(step.key, None)
                state.step, state.sub = self._following(step.key), ""
                state.trail.append(step.key)
            else:
                state = turn.state
                notes += [m.text for m in turn.messages[:-1]]
        return Filled(state, errors, notes)

    def content(self, state: DraftState) -> ReportContent:
        """Returns the finished report's fields, typed."""
        at = state.text("when_time")
        return ReportContent(
            occurred_on=date.fromisoformat(_required(state.text("when"))),
            occurred_at=time.fromisoformat(at) if at else None,
            setting=_required(state.text("where")),
            involved=tuple(state.codes("who")),
            what=_required(state.text("what")),
            immediate_action=_required(state.text("action")),
            grade=_required(state.text("outcome")),
            factors=tuple(state.codes("factors")),
            what_stopped_it=state.text("stopped"),
            wants_feedback=state.text("feedback") == "yes",
        )

    # Answers, one kind of question each.

    def _answer_date(self, state: DraftState, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is Action.TEXT:
            when = parse_when(answer.value, today=today)
            if when is DateProblem.UNREADABLE:
                return self._refuse(state, today, Problem.DATE_UNREADABLE)
            if isinstance(when, DateProblem):  # in the future
                return self._refuse(state, today, Problem.DATE_FUTURE)
            return self._set_date(state, step, when, today)
        if answer.action is not Action.PICK:
            return self._refuse(state, today, Problem.NEED_BUTTON)
        if answer.value in (WEEK, TYPED):
            state.sub = answer.value
            return self._ask(state, today)
        if answer.value in (TODAY, YESTERDAY):
            day = today if answer.value == TODAY else today - timedelta(days=1)
            return self._set_date(state, step, When(day), today)
        try:
            day = date.fromisoformat(answer.value)
        except ValueError:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        if day.year < EARLIEST_YEAR:
            return self._refuse(state, today, Problem.DATE_UNREADABLE)
        if day > today:
            return self._refuse(state, today, Problem.DATE_FUTURE)
        return self._set_date(state, step, When(day), today)

    def _set_date(self, state: DraftState, step: Step, when: When, today: date) -> Turn:
        state.answers[step.key] = when.day.isoformat()
        if when.at is None:
            state.answers.pop("when_time", None)
        else:
            state.answers["when_time"] = when.at.strftime("%H:%M")
        return self._move_on(state, step, today)

    def _answer_choice(self, state: DraftState, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is not Action.PICK:
            return self._refuse(state, today, Problem.NEED_BUTTON)
        option = self._find(step, answer.value)
        if option is None:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        state.answers[step.key] = option.code
        notes = [_(M.STATUTORY)] if isinstance(option, Grade) and option.statutory else []
        return self._move_on(state, step, today, notes)

    def _answer_multi(self, state: DraftState, step: Step, answer: Answer, today: date) -> Turn:
        chosen = state.codes(step.key)
        if answer.action is Action.TOGGLE:
            if self._find(step, answer.value) is None:
                return self._refuse(state, today, Problem.STALE_BUTTON)
            picked = set(chosen) ^ {answer.value}
            state.answers[step.key] = [o.code for o in self._lists.named(step.options) if o.code in picked]
            return self._ask(state, today)
        if answer.action is not Action.DONE:
            return self._refuse(state, today, Problem.NEED_BUTTON)
        if not chosen and not step.optional:
            return self._refuse(state, today, Problem.NEED_ONE)
        if not chosen:
            state.answers.pop(step.key, None)
        return self._move_on(state, step, today)

    def _answer_text(self, state: DraftState, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is not Action.TEXT:
            return self._refuse(state, today, Problem.NEED_WORDS)
        text = answer.value.strip()
        if len(text) > self._text_limit:
            return self._refuse(state, today, Problem.TOO_LONG, length=len(text), limit=self._text_limit)
        masked = mask(text)
        if len(masked.text) > self._text_limit:  # placeholders can make it longer
            return self._refuse(state, today, Problem.TOO_LONG, length=len(masked.text), limit=self._text_limit)
        if len(masked.text.strip()) < MIN_TEXT:
            return self._refuse(state, today, Problem.NEED_WORDS)
        state.answers[step.key] = masked.text
        notes = [_(M.MASKED).format(found=_describe(masked.found), text=masked.text)] if masked.found else []
        return self._move_on(state, step, today, notes)

    # Moving about the flow.

    def _at_summary(self, state: DraftState, answer: Answer, today: date) -> Turn:
        if answer.action is Action.SUBMIT:
            return Turn(state, [], Outcome.SUBMITTED)
        if answer.action is Action.EDIT and answer.value in self._steps:
            state.step, state.sub, state.editing = answer.value, "", True
            return self._ask(state, today)
        if answer.action is Action.BACK:
            return self._back(state, today)
        return self._refuse(state, today, Problem.NEED_BUTTON)

    def _confirm_cancel(self, state: DraftState, answer: Answer, today: date) -> Turn:
        if answer.action is Action.YES:
            return Turn(state, [Message(_(M.CANCELLED))], Outcome.CANCELLED)
        if answer.action in (Action.NO, Action.BACK):
            state.step, state.resume = state.resume, ""
            return self._ask(state, today)
        return self._refuse(state, today, Problem.NEED_BUTTON)

    def _back(self, state: DraftState, today: date) -> Turn:
        if state.sub:
            state.sub = ""
        elif state.editing:
            state.step, state.editing = SUMMARY, False
        elif state.trail:
            state.step, state.sub = state.trail.pop(), ""
        else:
            return self._refuse(state, today, Problem.FIRST_QUESTION)
        return self._ask(state, today)

    def _move_on(self, state: DraftState, step: Step, today: date, notes: list[str] | None = None) -> Turn:
        if state.editing:
            state.step, state.editing = SUMMARY, False
        else:
            state.trail.append(step.key)
            state.step = self._following(step.key)
        state.sub = ""
        return self._ask(state, today, *(notes or ()))

    def _ask(self, state: DraftState, today: date, *notes: str) -> Turn:
        return Turn(state, [Message(note) for note in notes] + [self.prompt(state, today=today)])

    def _refuse(self, state: DraftState, today: date, problem: Problem, **details: int) -> Turn:
        """Returns the same question again, after what was wrong with the answer."""
        turn = self._ask(state, today, _(PROBLEM_TEXT[problem]).format(**details))
        turn.problem = problem
        return turn

    def _following(self, key: str) -> str:
        position = self._order.index(key) + 1
        return self._order[position] if position < len(self._order) else SUMMARY

    def _find(self, step: Step, code: str) -> Option | None:
        return next((o for o in self._lists.named(step.options) if o.code == code), None)


def _required(value: str | None) -> str:
    if value is None:
        raise ValueError("the draft is not finished")
    return value


def _form_error(step: Step, turn: Turn) -> str:
    """Returns a chat note about a refused answer in words that suit a form."""
    if turn.problem in WANTS_A_CHOICE:
        return _(M.FORM_CHOOSE_SOME) if step.kind is Kind.MULTI else _(M.FORM_CHOOSE)
    return turn.messages[0].text if turn.problem is not None else _(M.NEED_WORDS)


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


def _describe(found: Counter[Identifier]) -> str:
    parts = []
    for kind, count in found.items():
        parts.append(ngettext(_FOUND[kind], count).format(n=count))
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_(M.AND)} {parts[-1]}"
