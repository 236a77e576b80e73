"""A burst limit per key, in memory: at most so many hits in any moving window."""

import time
from collections import deque

import limits


class MovingWindow:
    """Allows a key up to the limit's number of hits in any window of its length.

    limits' own asyncio memory storage hands every key to a thread each time it expires old
    hits, which cost more than the rest of an update; this keeps them in the event loop.
    """

    def __init__(self, limit: str) -> None:
        item = limits.parse(limit)
        self._amount, self._window = item.amount, item.get_expiry()
        self._hits: dict[str, deque[float]] = {}
        self._swept = time.monotonic()

    def hit(self, key: str) -> bool:
        """Records a hit unless the key is at its limit; says whether it was allowed."""
        now = time.monotonic()
        if now - self._swept > self._window:
            self._forget_idle(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= self._amount:
            return False
        hits.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        self._swept = now
        self._hits = {key: hits for key, hits in self._hits.items() if hits and hits[-1] > now - self._window}
