"""What a reporter sees of the report flow: each question with its buttons, and the summary card."""

from datetime import date, time, timedelta

from flows import messages as M
from flows.chat import Action, Button, Message
from flows.draft import DraftState
from flows.lists import Lists
from flows.masked_note import spoken_placeholders
from flows.messages import WEEKDAY_DAY, WEEKDAY_DAY_YEAR, _, day
from flows.report_flow import REPORT_FLOW, Kind, Step

SUMMARY = "summary"
CONFIRM_CANCEL = "cancel"
WEEK, TYPED, WHICH = "week", "typed", "which"  # the date question's follow-ups
MAYBE = "when_maybe"  # the two readings of an ambiguous typed date, while the reporter chooses
TODAY, YESTERDAY = "today", "yesterday"
_DAYS_IN_WEEK_LIST = range(2, 7)
_SHOWN_WHOLE, _OPENING_WORDS = 6, 4  # a typed answer longer than this shows its first words on the card


class Prompts:
    def __init__(self, lists: Lists) -> None:
        self._steps = {step.key: step for step in REPORT_FLOW}
        self._lists = lists

    def prompt(self, state: DraftState, *, today: date) -> Message:
        """Returns the question the draft is waiting on, with its buttons."""
        if state.step == SUMMARY:
            return self._summary(state, today)
        if state.step == CONFIRM_CANCEL:
            return Message(
                _(M.ASK_CONFIRM_CANCEL),
                options=(
                    Button(Action.YES, _(M.BUTTON_YES_CANCEL), CONFIRM_CANCEL),
                    Button(Action.NO, _(M.BUTTON_NO_CARRY_ON), CONFIRM_CANCEL),
                ),
                step=CONFIRM_CANCEL,
            )
        step = self._steps[state.step]
        question, options = self.question(step), tuple[Button, ...]()
        match step.kind:
            case Kind.DATE:
                question, options = self._date_options(state, step, today)
            case Kind.CHOICE:
                chosen = state.text(step.key)
                options = tuple(
                    Button(Action.PICK, _(o.label), step.key, o.code, selected=o.code == chosen)
                    for o in self._lists.named(step.options)
                )
            case Kind.MULTI:
                chosen_codes = state.codes(step.key)
                options = tuple(
                    Button(Action.TOGGLE, _(o.label), step.key, o.code, selected=o.code in chosen_codes)
                    for o in self._lists.named(step.options)
                )
            case Kind.TEXT if state.editing and (typed := state.text(step.key)):
                question = f"{question}\n\n“{spoken_placeholders(typed)}”"
        controls = []
        if step.kind is Kind.MULTI:
            controls.append(Button(Action.DONE, _(M.BUTTON_DONE), step.key))
        if state.trail or state.editing or state.sub:
            controls.append(Button(Action.BACK, _(M.BUTTON_BACK), step.key))
        if step.optional:
            controls.append(Button(Action.SKIP, _(M.BUTTON_SKIP), step.key))
        controls.append(Button(Action.CANCEL, _(M.BUTTON_CANCEL), step.key))
        accepts_text = step.kind is Kind.TEXT or step.kind is Kind.DATE
        return Message(question, options, tuple(controls), step.key, accepts_text)

    @staticmethod
    def question(step: Step) -> str:
        """Returns a question as a chat asks it: the question, and how to answer it."""
        return f"{_(step.question)} {_(step.hint)}" if step.hint else _(step.question)

    def _date_options(self, state: DraftState, step: Step, today: date) -> tuple[str, tuple[Button, ...]]:
        if state.sub == WHICH:
            return _(M.ASK_WHICH_DATE), tuple(
                Button(Action.PICK, spoken(*(read_when_value(value) or (today, None)), today=today), step.key, value)
                for value in state.codes(MAYBE)
            )
        if state.sub == TYPED:
            return _(M.ASK_WHEN_TYPED), ()
        if state.sub == WEEK:
            days = [today - timedelta(days=n) for n in _DAYS_IN_WEEK_LIST]
            return _(M.ASK_WHEN_DAY), tuple(
                Button(Action.PICK, day(when, WEEKDAY_DAY), step.key, when.isoformat()) for when in days
            )
        return _(step.question), tuple(
            Button(Action.PICK, _(label), step.key, value)
            for value, label in (
                (TODAY, M.WHEN_TODAY),
                (YESTERDAY, M.WHEN_YESTERDAY),
                (WEEK, M.WHEN_THIS_WEEK),
                (TYPED, M.WHEN_PICK),
            )
        )

    def card(self, state: DraftState, today: date) -> str:
        """Returns every answer, one field a line, as the summary card shows them. An optional
        question left unanswered is left out (its ✏ button is still there), and a long typed
        answer shows its first words: the reporter has just written it, the masking note showed
        every part that changed, and its ✏ button shows it whole."""
        shown = {
            step: self.describe(state, step, today)
            for step in REPORT_FLOW
            if state.answers.get(step.key) or not step.optional
        }
        return "\n".join(
            f"{_(step.field)}: {_opening(answer) if step.kind is Kind.TEXT else answer}"
            for step, answer in shown.items()
        )

    def short_card(self, state: DraftState, today: date) -> str:
        """Returns a finished report in one line: when, where and the outcome."""
        return " · ".join(self.describe(state, self._steps[key], today) for key in ("when", "where", "outcome"))

    def _summary(self, state: DraftState, today: date) -> Message:
        lines = [_(M.ASK_CHECK), self.card(state, today)]
        edits = tuple(
            Button(Action.EDIT, _(M.BUTTON_EDIT).format(field=_(step.field)), SUMMARY, step.key) for step in REPORT_FLOW
        )
        controls = (
            Button(Action.SUBMIT, _(M.BUTTON_SUBMIT), SUMMARY),
            Button(Action.BACK, _(M.BUTTON_BACK), SUMMARY),
            Button(Action.CANCEL, _(M.BUTTON_CANCEL), SUMMARY),
        )
        return Message("\n".join(lines), edits, controls, SUMMARY)

    def describe(self, state: DraftState, step: Step, today: date) -> str:
        """Returns one answer in words, as the summary card shows it (a date's year only when it is
        not this year's)."""
        if not state.answers.get(step.key):
            return _(M.NOT_GIVEN)
        if step.kind is Kind.DATE:
            on = date.fromisoformat(state.text(step.key) or "")
            shown = day(on, WEEKDAY_DAY if on.year == today.year else WEEKDAY_DAY_YEAR)
            at = state.text("when_time")
            return f"{shown}, {at}" if at else shown
        if step.kind is Kind.TEXT:
            return spoken_placeholders(state.text(step.key) or "")
        labels = {o.code: _(o.label) for o in self._lists.named(step.options)}
        codes = state.codes(step.key) if step.kind is Kind.MULTI else [state.text(step.key) or ""]
        return ", ".join(labels.get(code, code) for code in codes)


def _opening(text: str) -> str:
    """Returns a long text's first words, marked as cut; a short one whole."""
    words = text.split()
    return text if len(words) <= _SHOWN_WHOLE else " ".join(words[:_OPENING_WORDS]) + " …"


def when_value(day: date, at: time | None) -> str:
    """Returns a date, and a time if there is one, as a button carries it."""
    return f"{day.isoformat()}T{at.strftime('%H:%M')}" if at else day.isoformat()


def read_when_value(value: str) -> tuple[date, time | None] | None:
    """Returns the date (and time) a date button carries, or None if it carries none."""
    on, _t, at = value.partition("T")
    try:
        return date.fromisoformat(on), time.fromisoformat(at) if at else None
    except ValueError:
        return None


def spoken(on: date, at: time | None = None, *, today: date) -> str:
    """Returns a date as a person says it: "Tuesday 24 November, about 3pm" (with the year when
    it is not this year's)."""
    said = day(on, "EEEE d MMMM" if on.year == today.year else "EEEE d MMMM y")
    if at is None:
        return said
    hour = at.hour % 12 or 12
    clock = f"{hour}:{at.minute:02d}" if at.minute else f"{hour}"
    return _(M.TIME_ABOUT).format(day=said, time=_(M.TIME_PM if at.hour >= 12 else M.TIME_AM).format(time=clock))
