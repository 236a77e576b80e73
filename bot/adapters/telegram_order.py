"""Updates from different chats handled at once, and those of one chat strictly in turn."""

from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.adapters.in_turn import InTurn


class PerChatOrder(BaseUpdateProcessor):
    """Runs updates from different chats at once, and those of one chat strictly in turn."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chats = InTurn()

    async def process_update(self, update: object, coroutine: Any) -> None:  # type: ignore[misc]  # per-chat order must wrap the slot, which PTB marks final
        # The chat's turn first, then one of the shared slots: updates queued behind one busy
        # chat must not hold slots other chats need.
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update, coroutine)
            return
        async with self._chats.turn(chat.id):
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
