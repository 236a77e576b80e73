"""A manager's typed conversations as data (link a report, the five whys and barriers, a new
action), walked by one small engine: typed text in, the next question or the finished answers out.
What only storage can check (does the other report exist?) is left to the service."""

import copy
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from flows import messages as M
from flows.chat import Message
from flows.dates import DateProblem, parse_due
from flows.engine import MIN_TEXT, TEXT_LIMIT
from flows.masking import mask
from flows.messages import _
from flows.triage import Verb, button


class Awaiting(StrEnum):
    """The question a manager's session waits on, as stored."""

    NOTHING = ""
    LINK = "link"
    WHY = "why"
    BARRIERS = "barriers"
    ACTION_WHAT = "action_what"
    ACTION_OWNER = "action_owner"
    ACTION_DUE = "action_due"


class Reading(StrEnum):
    """How a typed answer is read."""

    REFERENCE = "reference"  # another report's reference, as typed
    WORDS = "words"  # free text, masked before it is kept
    DUE_DATE = "due"  # a date, today or later


@dataclass(frozen=True)
class Question:
    key: Awaiting
    ask: str  # catalogue text; may use {reference} and {number}
    reading: Reading
    keep_as: str  # the answer's name in the session's data
    most: int = 1  # answers it takes, asked one by one; after the first, a Done button stops early
    cut_at: int = 0  # keep only this many characters (0: all)


class Finish(StrEnum):
    LINK = "link"
    ROOT_CAUSE = "root_cause"
    ACTION = "action"


@dataclass(frozen=True)
class Conversation:
    finish: Finish
    questions: tuple[Question, ...]


LINK = Conversation(Finish.LINK, (Question(Awaiting.LINK, M.ASK_LINK, Reading.REFERENCE, "other"),))
ROOT_CAUSE = Conversation(
    Finish.ROOT_CAUSE,
    (
        Question(Awaiting.WHY, M.ASK_WHY, Reading.WORDS, "whys", most=5),
        Question(Awaiting.BARRIERS, M.ASK_BARRIERS, Reading.WORDS, "barriers"),
    ),
)
NEW_ACTION = Conversation(
    Finish.ACTION,
    (
        Question(Awaiting.ACTION_WHAT, M.ASK_ACTION_WHAT, Reading.WORDS, "what"),
        Question(Awaiting.ACTION_OWNER, M.ASK_ACTION_OWNER, Reading.WORDS, "owner", cut_at=120),
        Question(Awaiting.ACTION_DUE, M.ASK_ACTION_DUE, Reading.DUE_DATE, "due"),
    ),
)
CONVERSATIONS = (LINK, ROOT_CAUSE, NEW_ACTION)
_PLACE = {q.key: (c, n) for c in CONVERSATIONS for n, q in enumerate(c.questions)}

Answers = dict[str, str | list[str]]


@dataclass
class ManagerState:
    awaiting: Awaiting = Awaiting.NOTHING
    data: Answers = field(default_factory=dict)


def manager_state(awaiting: str, data: dict[str, Any]) -> ManagerState:
    """Returns a manager's session as stored."""
    return ManagerState(Awaiting(awaiting), dict(data))


@dataclass
class ManagerTurn:
    state: ManagerState
    messages: list[Message]
    finished: Conversation | None = None  # every answer is in state.data: the service acts on them


class ManagerEngine:
    def begin(self, conversation: Conversation, *, reference: str) -> ManagerTurn:
        """Returns a session waiting on the conversation's first question."""
        state = ManagerState(conversation.questions[0].key)
        return ManagerTurn(state, [self.ask(state, reference=reference)])

    def answer(self, state: ManagerState, text: str, *, reference: str, today: date) -> ManagerTurn:
        """Reads one typed answer and returns the next question, the answer's problem, or the end."""
        conversation, position = _PLACE[state.awaiting]
        question = conversation.questions[position]
        try:
            read = _read(question, text, today)
        except _Refused as refused:
            return ManagerTurn(state, [Message(refused.text, accepts_text=True)])
        state = copy.deepcopy(state)
        if question.most > 1:
            answers = [*_as_list(state.data.get(question.keep_as)), read]
            state.data[question.keep_as] = answers
            if len(answers) < question.most:
                return ManagerTurn(state, [self.ask(state, reference=reference)])
        else:
            state.data[question.keep_as] = read
        return self._next(state, conversation, position, reference)

    def enough(self, state: ManagerState, *, reference: str) -> ManagerTurn:
        """Moves on from a question answered more than once (the Done button)."""
        conversation, position = _PLACE[state.awaiting]
        return self._next(copy.deepcopy(state), conversation, position, reference)

    def ask(self, state: ManagerState, *, reference: str) -> Message:
        """Returns the question the session waits on."""
        conversation, position = _PLACE[state.awaiting]
        question = conversation.questions[position]
        if question.most == 1:
            return Message(_(question.ask).format(reference=reference), accepts_text=True)
        number = len(_as_list(state.data.get(question.keep_as))) + 1
        controls = (button(_(M.BUTTON_DONE), Verb.RCA_DONE, reference),) if number > 1 else ()
        return Message(_(question.ask).format(reference=reference, number=number), controls=controls, accepts_text=True)

    def _next(self, state: ManagerState, conversation: Conversation, position: int, reference: str) -> ManagerTurn:
        if position + 1 < len(conversation.questions):
            state.awaiting = conversation.questions[position + 1].key
            return ManagerTurn(state, [self.ask(state, reference=reference)])
        state.awaiting = Awaiting.NOTHING
        return ManagerTurn(state, [], finished=conversation)


def _as_list(value: str | list[str] | None) -> list[str]:
    return list(value) if isinstance(value, list) else []


class _Refused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _read(question: Question, text: str, today: date) -> str:
    """Returns the answer as it is kept; raises _Refused saying what is wrong with it."""
    match question.reading:
        case Reading.REFERENCE:
            return text
        case Reading.DUE_DATE:
            due = parse_due(text, today=today)
            if due is DateProblem.UNREADABLE:
                raise _Refused(_(M.DATE_UNREADABLE))
            if isinstance(due, DateProblem):  # passed already
                raise _Refused(_(M.DUE_PAST))
            return due.isoformat()
    words = mask(text).text.strip()
    if len(words) < MIN_TEXT:
        raise _Refused(_(M.NEED_WORDS))
    if len(words) > TEXT_LIMIT:
        raise _Refused(_(M.TOO_LONG).format(length=len(words), limit=TEXT_LIMIT))
    return words[: question.cut_at] if question.cut_at else words
