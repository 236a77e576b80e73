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
from flows.dates import EARLIEST_YEAR, DateProblem, When, read_when
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
from flows.masked_note import hidden_kinds, masked_note
from flows.masking import Identifier, mask
from flows.messages import ENGLISH, _, day, speaking
from flows.report_flow import REPORT_FLOW, Kind, Step
from flows.report_prompts import (
    CONFIRM_CANCEL,
    MAYBE,
    SUMMARY,
    TODAY,
    TYPED,
    WEEK,
    WHICH,
    YESTERDAY,
    Prompts,
    read_when_value,
    spoken,
    when_value,
)
from flows.typed import NOTHING, WORDS, YES_NO, closest, plain, typed_list

TEXT_LIMIT = 1000
MIN_TEXT = 3


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

    def advance(self, state: DraftState, answer: Answer, *, today: date, words: bool = True) -> Turn:
        """Applies one answer to a copy of the draft and returns what to show next. Typed text
        that names a button ("home visit", "skip", "back") is taken as a tap on it, unless
        `words` is off (a form's text box means only what it says)."""
        state = copy.deepcopy(state)
        current = state.step
        if answer.action is Action.TEXT and words:
            step = self._steps.get(current)
            fuzzy = step is None or step.kind in (Kind.CHOICE, Kind.MULTI)
            if taps := self._typed(state, answer.value, today, fuzzy=fuzzy):
                return self._said_back(self._apply(state, taps, today), step, taps, answer.value, today)
        if answer.action is Action.CANCEL and current != CONFIRM_CANCEL:
            state.resume, state.step = current, CONFIRM_CANCEL
            return self._ask(state, today)
        if answer.step and answer.step != current:
            return self._stale(state, answer, today)
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
        state, errors, notes, found = self.start(today=today).state, {}, [], Counter[Identifier]()
        for step in REPORT_FLOW:
            if step.kind is Kind.TEXT and values.get(step.key):
                found += mask(str(values[step.key])).found
            turn = Turn(state)
            for answer in _form_answers(step, values.get(step.key)):
                turn = self.advance(turn.state, answer, today=today, words=False)
            if turn.state.step == step.key:
                errors[step.key] = _form_error(step, turn)
                state = copy.deepcopy(state)
                state.answers.pop(step.key, None)
                state.step, state.sub = self._following(step.key), ""
                state.trail.append(step.key)
            else:
                state = turn.state
                notes += [m.text for m in turn.messages[:-1]]
        return Filled(state, errors, notes, hidden_kinds(found) if found else "")

    def statutory(self, grade: str) -> bool:
        """Says whether a grade must also go through the statutory route."""
        return any(g.statutory for g in self._lists.grades if g.code == grade)

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
            return self._typed_date(state, step, answer.value, today)
        if answer.action is not Action.PICK:
            return self._refuse(state, today, Problem.NEED_BUTTON)
        if answer.value in (WEEK, TYPED):
            state.sub = answer.value
            return self._ask(state, today)
        when = _date_of(answer.value, today)
        if when is None:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        if when.day.year < EARLIEST_YEAR:
            return self._refuse(state, today, Problem.DATE_UNREADABLE)
        if when.day > today:
            return self._refuse(state, today, Problem.DATE_FUTURE)
        return self._set_date(state, step, when, today)

    def _typed_date(self, state: DraftState, step: Step, text: str, today: date) -> Turn:
        """Reads a typed date; says what it was read as, or asks which of two was meant."""
        reading = read_when(text, today=today)
        match reading.problem:
            case DateProblem.UNREADABLE:
                if taps := self._typed(state, text, today, fuzzy=True):  # "yesterdy"
                    return self._apply(state, taps, today)
                return self._refuse(state, today, Problem.DATE_UNREADABLE)
            case DateProblem.NO_SUCH_TIME:
                return self._refuse(state, today, Problem.NO_SUCH_TIME, time=reading.clock)
            case DateProblem.TOO_EARLY:
                said = day(reading.read_as or today)
                return self._refuse(state, today, Problem.DATE_TOO_EARLY, date=said, year=EARLIEST_YEAR)
            case DateProblem.FUTURE:
                return self._refuse(state, today, Problem.DATE_FUTURE)
        assert reading.when is not None
        if reading.other is not None:
            state.sub = WHICH
            state.answers[MAYBE] = [when_value(w.day, w.at) for w in (reading.when, reading.other)]
            return self._ask(state, today)
        fix = _(M.BUTTON_EDIT).format(field=_(M.FIELD_WHEN)) if state.editing else _(M.BUTTON_BACK)
        echo = _(M.DATE_UNDERSTOOD).format(when=spoken(reading.when.day, reading.when.at, today=today), fix=fix)
        return self._set_date(state, step, reading.when, today, [echo])

    def _set_date(self, state: DraftState, step: Step, when: When, today: date, notes: list[str] | None = None) -> Turn:
        state.answers.pop(MAYBE, None)
        state.answers[step.key] = when.day.isoformat()
        if when.at is None:
            state.answers.pop("when_time", None)
        else:
            state.answers["when_time"] = when.at.strftime("%H:%M")
        return self._move_on(state, step, today, notes)

    def _answer_choice(self, state: DraftState, step: Step, answer: Answer, today: date) -> Turn:
        if answer.action is not Action.PICK:
            return self._refuse(state, today, Problem.NEED_BUTTON)
        option = self._find(step, answer.value)
        if option is None:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        state.answers[step.key] = option.code
        return self._move_on(state, step, today, _choice_notes(option))

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
        if len(text) > self._text_limit:  # what was typed; placeholders may make the kept text longer
            return self._refuse(state, today, Problem.TOO_LONG, length=len(text), limit=self._text_limit)
        masked = mask(text)
        if len(masked.text.strip()) < MIN_TEXT:
            return self._refuse(state, today, Problem.NEED_WORDS)
        state.answers[step.key] = masked.text
        return self._move_on(state, step, today, [masked_note(masked)] if masked.found else [])

    # Typed words for buttons, and taps on older messages.

    def _typed(self, state: DraftState, text: str, today: date, *, fuzzy: bool) -> list[Answer]:
        """Returns the taps typed text stands for: a word such as "skip" or "back" where it
        applies, a button's label (in the reporter's language or English), with `fuzzy` a close
        misspelling or a unique start of one, and for a multi-select a list of labels."""
        typed, step = plain(text), self._steps.get(state.step)
        if not typed:
            return []
        if step is not None and step.kind is Kind.TEXT:
            return self._word_on_text(typed, step)
        for action, words in WORDS.items():
            if typed in words and self._word_applies(action, state, step):
                return [Answer(action, step=state.step)]
            if typed in words and step is not None and step.options == "feedback" and action in YES_NO:
                return [Answer(Action.PICK, YES_NO[action], step.key)]  # "yes": tell me what changes
        labels = self._labels(state, today)
        if step is not None and step.kind is Kind.MULTI:  # one label or several, and that is all
            return self._typed_list(state, step, text, labels)
        if exact := [a for label, a in labels if label == typed]:
            return exact[:1]
        if not fuzzy:
            return []
        found = closest(typed, labels)
        return [found] if found else []

    def _said_back(self, turn: Turn, step: Step | None, taps: list[Answer], typed: str, today: date) -> Turn:
        """Says what typed words were taken for at a list question, unless they were its answer's
        label exactly: "Noted: Who: Police, Health." for "police and helth"."""
        picked = any(tap.action in (Action.PICK, Action.TOGGLE) for tap in taps)
        if turn.problem is not None or step is None or step.kind not in (Kind.CHOICE, Kind.MULTI) or not picked:
            return turn
        if turn.state.step == SUMMARY:  # the card, shown next, says every answer
            return turn
        answer = self.prompts.describe(turn.state, step, today)
        if plain(typed) == plain(answer):
            return turn
        noted = _(M.NOTED).format(field=_(step.field), answer=answer)
        turn.messages.insert(0, Message(noted))
        return turn

    @staticmethod
    def _word_on_text(typed: str, step: Step) -> list[Answer]:
        """Returns what a word typed alone at a text question stands for: "skip" skips it (or is
        told the question is required), as does "done" (a list's word, typed a question late);
        "none" answers a required one ("What was done straight away?" "None.")"""
        if typed in NOTHING and not step.optional:
            return []
        for action in (Action.BACK, Action.CANCEL, Action.SKIP, Action.DONE):
            if typed in WORDS[action]:
                return [Answer(Action.SKIP if action is Action.DONE else action, step=step.key)]
        return []

    def _typed_list(self, state: DraftState, step: Step, typed: str, labels: list[tuple[str, Answer]]) -> list[Answer]:
        """Returns a typed list of a multi-select's labels as taps on each, then Done."""
        picked = typed_list(typed, [(label, a) for label, a in labels if a.action is Action.TOGGLE])
        if not picked:
            return []
        chosen = set(state.codes(step.key))
        taps = [a for a in dict.fromkeys(picked) if a.value not in chosen]
        return [*taps, Answer(Action.DONE, step=step.key)]

    def _labels(self, state: DraftState, today: date) -> list[tuple[str, Answer]]:
        """Returns each button of the question, by its label plainly written, in the reporter's
        language and in English."""
        shown = self.prompt(state, today=today)
        with speaking(ENGLISH):
            english = self.prompt(state, today=today)
        labels = []
        for message in (shown, english):
            for button in message.options + message.controls:
                labels.append((plain(button.label), button.answer()))
        if (step := self._steps.get(state.step)) is not None and step.options and not state.sub:
            answers = {a.value: a for _label, a in labels if a.step == step.key and a.value}
            labels += [
                (plain(fuller), answers[o.code])
                for o in self._lists.named(step.options)
                if o.code in answers
                for fuller in o.also
            ]
        return labels

    @staticmethod
    def _word_applies(action: Action, state: DraftState, step: Step | None) -> bool:
        if state.step == CONFIRM_CANCEL:
            return action in (Action.YES, Action.NO, Action.BACK)
        if state.step == SUMMARY:
            return action in (Action.SUBMIT, Action.BACK, Action.CANCEL)
        if action is Action.DONE:
            return step is not None and step.kind is Kind.MULTI
        return action in (Action.BACK, Action.SKIP, Action.CANCEL)

    def _apply(self, state: DraftState, taps: list[Answer], today: date) -> Turn:
        turn = Turn(state)
        for tap in taps:
            turn = self.advance(turn.state, tap, today=today)
            if turn.problem is not None:
                break
        return turn

    def _stale(self, state: DraftState, answer: Answer, today: date) -> Turn:
        """Takes a tap on an older copy of an answered question (its reply perhaps lost on the
        way) as that question's answer; anything else shows the reporter where they are."""
        step = self._steps.get(answer.step)
        if step is None or answer.action is not Action.PICK or answer.step not in state.trail or state.sub:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        notes: list[str] = []
        if step.kind is Kind.CHOICE and (option := self._find(step, answer.value)) is not None:
            state.answers[step.key] = option.code
            notes = _choice_notes(option)
        elif step.kind is Kind.DATE and (when := _date_of(answer.value, today)) and when.day <= today:
            state.answers[step.key] = when.day.isoformat()
            state.answers.pop("when_time", None)
        else:
            return self._refuse(state, today, Problem.STALE_BUTTON)
        noted = _(M.NOTED).format(field=_(step.field), answer=self.prompts.describe(state, step, today))
        return self._ask(state, today, noted, *notes)

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

    def _refuse(self, state: DraftState, today: date, problem: Problem, **details: int | str) -> Turn:
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


def _date_of(value: str, today: date) -> When | None:
    """Returns the date a date button carries (today, yesterday, or a day and time)."""
    if value in (TODAY, YESTERDAY):
        return When(today if value == TODAY else today - timedelta(days=1))
    read = read_when_value(value)
    return When(*read) if read else None


def _choice_notes(option: Option) -> list[str]:
    return [_(M.STATUTORY)] if isinstance(option, Grade) and option.statutory else []
