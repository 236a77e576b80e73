"""The newest message the bot posted in each chat, in memory: a tapped question gives way to the
next in the same message only when it is the newest, so the next question never appears higher
up the chat than a copy of the question still live below it. And the one question of a report
whose buttons are live in each chat, and the messages lately handled."""

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

LIMIT = 100_000  # chats remembered; the least recently written to is forgotten first

Question = TypeVar("Question")
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


def _keep(kept: dict[Key, Value], key: Key, value: Value, limit: int) -> None:
    """Keeps a value as the newest in a bounded dict, forgetting the oldest beyond the limit."""
    kept.pop(key, None)
    kept[key] = value
    if len(kept) > limit:
        del kept[next(iter(kept))]


class NewestMessages:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._newest: dict[str, str] = {}

    def posted(self, chat: str, message: str) -> None:
        _keep(self._newest, chat, message, self._limit)

    def is_newest(self, chat: str, message: str) -> bool:
        """Says whether a message is the newest posted in its chat; one from before a restart is
        taken to be, as it usually is."""
        return self._newest.get(chat, message) == message


class LiveQuestions(Generic[Question]):
    """Each chat's one report question whose buttons are live, in memory, so that however it is
    answered (a tap, typed words, a command) its buttons go when the next is shown. Nothing
    remembers it across a restart: the question then live keeps its buttons."""

    def __init__(self, key: Callable[[Question], Hashable] = lambda question: question, limit: int = LIMIT) -> None:
        self._key, self._limit = key, limit
        self._live: dict[Hashable, Question] = {}

    def shown(self, chat: Hashable, question: Question) -> Question | None:
        """Makes a question the chat's live one; returns the one it replaces, if another message."""
        was = self._live.get(chat)
        _keep(self._live, chat, question, self._limit)
        return was if was is not None and self._key(was) != self._key(question) else None

    def answered(self, chat: Hashable) -> Question | None:
        """Returns the chat's live question, which is live no longer."""
        return self._live.pop(chat, None)

    def gone(self, chat: Hashable, key: Hashable) -> None:
        """Forgets the chat's live question if it is this message (its buttons went with it)."""
        if chat in self._live and self._key(self._live[chat]) == key:
            del self._live[chat]


class Handled:
    """The messages lately handled, by chat and id, in memory: one a platform delivers again
    while the process that handled it still runs (Teams, when its first answer seemed late) gets
    no second reply. After a restart nothing is remembered, so one whose reply may have died
    with the process is answered."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._handled: dict[tuple[str, str], None] = {}

    def __contains__(self, message: tuple[str, str]) -> bool:
        return message in self._handled

    def add(self, message: tuple[str, str]) -> None:
        _keep(self._handled, message, None, self._limit)
