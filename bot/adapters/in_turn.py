"""One chat's events, or one chat's replies, strictly in turn; other chats' at the same time."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class InTurn:
    """A lock for each key (a chat), made when first needed and dropped once nobody waits on it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._queued: Counter[Hashable] = Counter()

    def __len__(self) -> int:
        """Returns how many keys have a lock now: none once every chat is idle."""
        return len(self._locks)

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._queued[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]
