"""Polling the Bot API for updates, confirming each only once it has been handled.

The Bot API forgets an update once a getUpdates call asks for later ones. PTB's Updater asks for
them as soon as it has fetched a batch, before handling it, so a process killed in between loses
the batch: a tap never applied and never answered. Here the offset asked for stays at the oldest
update still being handled, so whatever a dead process was handling is delivered again to the
next (docs/delivery.md). Updates still being handled come back with each poll: they are skipped
before PTB would parse them, which is most of a poll's cost.
"""

import asyncio
import logging
from contextlib import suppress

from telegram import Update
from telegram.error import RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

LONG_POLL = 10  # seconds a poll waits for an update when nothing is being handled
# While updates are being handled the Bot API answers a poll at once, so the loop waits between
# polls: until the oldest is handled (the offset can move on), at least BUSY_GAP, at most BUSY_POLL.
BUSY_GAP = 0.05  # the default of [telegram] poll_gap_seconds
BUSY_POLL = 0.25
READ_GRACE = 5.0  # seconds a poll's answer may take beyond its long-poll timeout
REFUSED_WAIT = 2.0  # seconds before polling again after the Bot API refused a poll
CONFIRM_WAIT = 2.0  # seconds the last poll, confirming what was handled, may take at a stop


class Polling:
    """Fetches updates and hands each to the application, its handling in a task of its own."""

    def __init__(self, application: Application, allowed_updates: list[str], *, busy_gap: float = BUSY_GAP) -> None:
        self._application = application
        self._allowed_updates = allowed_updates
        self._busy_gap = busy_gap
        self._next = 0  # the first update id not yet fetched
        self._handling: set[int] = set()
        self._oldest_handled = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self._application.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._task = asyncio.create_task(self._poll(), name="telegram polling")

    async def stop(self) -> None:
        """Stops fetching; what is being handled goes on (the application's stop waits for it)."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def confirm(self) -> None:
        """Confirms every update handled, once the application has stopped, so that the next
        process is not handed them again."""
        if self._next and not self._handling:
            try:
                async with asyncio.timeout(CONFIRM_WAIT):
                    await self._fetch(self._next, timeout=0)
            except (TelegramError, TimeoutError) as error:
                log.warning("telegram: could not confirm the last updates (%s); they come again", type(error).__name__)

    async def _poll(self) -> None:
        while True:
            if self._handling:
                await self._until_oldest_handled()
            offset = min(self._handling, default=self._next)
            try:
                updates = await self._fetch(offset, timeout=0 if self._handling else LONG_POLL)
            except TimedOut:
                continue
            except RetryAfter as error:
                await self._refused(error, error.retry_after)
                continue
            except TelegramError as error:  # the network and server errors are tried again below it
                await self._refused(error, REFUSED_WAIT)
                continue
            for data in updates:
                if data["update_id"] >= self._next:
                    self._next = data["update_id"] + 1
                    self._take(data)

    def _take(self, data: dict) -> None:
        """Hands an update to the application; one PTB cannot read is logged and confirmed with the
        rest, never fetched again and again."""
        try:
            update = Update.de_json(data, self._application.bot)
        except Exception as error:
            log.error("telegram: update %s could not be read (%s); skipped", data["update_id"], type(error).__name__)
            return
        self._handling.add(update.update_id)
        self._application.create_task(self._handle(update), update=update)

    async def _until_oldest_handled(self) -> None:
        self._oldest_handled.clear()
        await asyncio.sleep(self._busy_gap)
        with suppress(TimeoutError):  # not wait_for, which in 3.11 can swallow a stop's cancel
            async with asyncio.timeout(BUSY_POLL - self._busy_gap):
                await self._oldest_handled.wait()

    async def _fetch(self, offset: int, *, timeout: float) -> list[dict]:
        """Returns the updates from `offset` on as the Bot API sent them: `Bot.get_updates` would
        parse every one, those already being handled too."""
        asked = {"timeout": timeout, "allowed_updates": self._allowed_updates} | ({"offset": offset} if offset else {})
        return await self._application.bot.do_api_request(
            "getUpdates", api_kwargs=asked, read_timeout=timeout + READ_GRACE
        )

    async def _handle(self, update: Update) -> None:
        try:
            processor = self._application.update_processor
            await processor.process_update(update, self._application.process_update(update))
        finally:
            oldest = min(self._handling)
            self._handling.discard(update.update_id)
            if update.update_id == oldest:
                self._oldest_handled.set()

    @staticmethod
    async def _refused(error: TelegramError, wait) -> None:
        seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
        log.warning("telegram polling failed: %s; trying again in %gs", type(error).__name__, seconds)
        await asyncio.sleep(seconds)
