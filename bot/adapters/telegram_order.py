"""Updates from different chats handled at once, and those of one chat strictly in turn."""

import asyncio
from collections import Counter
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatOrder(BaseUpdateProcessor):
    """Runs updates from different chats at once, and those of one chat strictly in turn."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: Counter[int] = Counter()

    async def process_update(self, update: object, coroutine: Any) -> None:  # type: ignore[misc]  # per-chat order must wrap the slot, which PTB marks final
        # The chat's turn first, then one of the shared slots: updates queued behind one busy
        # chat must not hold slots other chats need.
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._queued[chat.id] += 1
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._queued[chat.id] -= 1
            if not self._queued[chat.id]:
                del self._queued[chat.id], self._locks[chat.id]

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
