"""The newest message the bot posted in each chat, in memory: a tapped question gives way to the
next in the same message only when it is the newest, so the next question never appears higher
up the chat than a copy of the question still live below it."""

LIMIT = 100_000  # chats remembered; the least recently written to is forgotten first


class NewestMessages:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._newest: dict[str, str] = {}

    def posted(self, chat: str, message: str) -> None:
        self._newest.pop(chat, None)
        self._newest[chat] = message
        if len(self._newest) > self._limit:
            del self._newest[next(iter(self._newest))]

    def is_newest(self, chat: str, message: str) -> bool:
        """Says whether a message is the newest posted in its chat; one from before a restart is
        taken to be, as it usually is."""
        return self._newest.get(chat, message) == message
