"""A report in progress as the engine reads and writes it, what the engine says back, and the
finished report's fields. A draft is stored as JSON in our own table, so it survives restarts
and reads the same on every platform."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any

from flows import messages as M
from flows.chat import Message

AnswerValue = str | list[str]  # an ISO date or time, a code, a list of codes, or masked text


@dataclass
class DraftState:
    step: str  # the question waiting for an answer, or the summary, or the cancel confirmation
    sub: str = ""  # a follow-up within the question (the date's "which day?")
    trail: list[str] = field(default_factory=list)  # the questions answered, for Back
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    editing: bool = False  # changing one answer from the summary, and back to it after
    resume: str = ""  # the question to go back to if the reporter does not cancel after all

    def to_json(self) -> dict[str, Any]:
        """Returns the draft as stored."""
        document: dict[str, Any] = {
            "step": self.step,
            "sub": self.sub,
            "trail": list(self.trail),
            "answers": {key: list(value) if isinstance(value, list) else value for key, value in self.answers.items()},
            "editing": self.editing,
        }
        return document | ({"resume": self.resume} if self.resume else {})

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> "DraftState":
        """Returns a stored draft."""
        return cls(
            step=str(document["step"]),
            sub=str(document.get("sub", "")),
            trail=list(document.get("trail", [])),
            answers=dict(document.get("answers", {})),
            editing=bool(document.get("editing", False)),
            resume=str(document.get("resume", "")),
        )

    def text(self, key: str) -> str | None:
        """Returns a one-value answer (a date, a code, text), or None if unanswered."""
        value = self.answers.get(key)
        return value if isinstance(value, str) else None

    def codes(self, key: str) -> list[str]:
        """Returns a multi-select's codes, or none if unanswered."""
        value = self.answers.get(key)
        return list(value) if isinstance(value, list) else []


class Problem(StrEnum):
    """Why an answer was not taken; the reporter is told, and asked again."""

    STALE_BUTTON = "stale_button"
    NEED_BUTTON = "need_button"
    NEED_ONE = "need_one"
    NEED_WORDS = "need_words"
    CANNOT_SKIP = "cannot_skip"
    FIRST_QUESTION = "first_question"
    DATE_UNREADABLE = "date_unreadable"
    DATE_FUTURE = "date_future"
    DATE_TOO_EARLY = "date_too_early"
    NO_SUCH_TIME = "no_such_time"
    TOO_LONG = "too_long"


PROBLEM_TEXT = {
    Problem.STALE_BUTTON: M.WHERE_YOU_ARE,
    Problem.NEED_BUTTON: M.NEED_BUTTON,
    Problem.NEED_ONE: M.NEED_ONE,
    Problem.NEED_WORDS: M.NEED_WORDS,
    Problem.CANNOT_SKIP: M.CANNOT_SKIP,
    Problem.FIRST_QUESTION: M.FIRST_QUESTION,
    Problem.DATE_UNREADABLE: M.DATE_UNREADABLE,
    Problem.DATE_FUTURE: M.DATE_FUTURE,
    Problem.DATE_TOO_EARLY: M.DATE_TOO_EARLY,  # with {date} and {year}
    Problem.NO_SUCH_TIME: M.NO_SUCH_TIME,  # with {time}
    Problem.TOO_LONG: M.TOO_LONG,  # with {length} and {limit}
}

# Problems that say a button was wanted: a form, which has no buttons, words them its own way.
WANTS_A_CHOICE = frozenset({Problem.STALE_BUTTON, Problem.NEED_BUTTON, Problem.NEED_ONE})


class Outcome(StrEnum):
    CONTINUE = "continue"
    CANCELLED = "cancelled"
    SUBMITTED = "submitted"


@dataclass
class Turn:
    state: DraftState
    messages: list[Message] = field(default_factory=list)
    outcome: Outcome = Outcome.CONTINUE
    problem: Problem | None = None  # why the answer was not taken, if it was not


@dataclass
class Filled:
    """A whole report answered at once (a one-screen form): the draft, or what to correct."""

    state: DraftState
    errors: dict[str, str]  # question key -> what is wrong with its answer
    notes: list[str]  # what the reporter should be told, e.g. what was masked
    hidden: str = ""  # the kinds of identifier masked, in words ("a name and a phone number"), or ""


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
