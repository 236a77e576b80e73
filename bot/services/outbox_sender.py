"""The one sender of queued messages: claims due rows, sends each through its platform's
adapter, and marks it sent, or puts it back with a backoff, or gives up on a dead address.

Only a refusal that retrying cannot mend (a blocked chat, a key that is gone) gives a message
up: an outage of any length delays alerts and feedback, and loses none."""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.services.metrics import Metrics
from bot.services.platform import Platform, SendFailed
from flows.clock import utcnow
from storage import outbox_store
from storage.database import Database
from storage.keys import KeyProblem, Keys, KeySource, in_force

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600  # seconds: a message failing for days is still tried every hour
STILL_FAILING = 8  # attempts after which each retry is logged as a warning


class OutboxSender:
    def __init__(
        self,
        *,
        database: Database,
        keys: Keys | KeySource,
        clock: Callable[[], datetime] = utcnow,
        per_second: float = 20,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 50,
        metrics: Metrics | None = None,
    ) -> None:
        self._database = database
        self._sends = (metrics or Metrics()).sends
        self._key_source = keys
        self._clock = clock
        self._interval = 1 / per_second
        self._lease, self._batch = lease, batch
        self._paused: dict[str, datetime] = {}  # platform: until when it asked us to wait, this drain
        self.adapters: dict[str, Platform] = {}
        self._lock = asyncio.Lock()
        self._waiting = False
        self._tasks: set[asyncio.Task] = set()
        self._last_send = 0.0

    def kick(self) -> None:
        """Drains soon, after the change that queued a message has committed; one waiting drain at most."""
        if self._waiting or not self.adapters:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._kicked())
        except RuntimeError:
            return  # no loop (a CLI command): the scheduled drain sends it
        self._waiting = True
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _kicked(self) -> None:
        async with self._lock:
            self._waiting = False
            try:
                await self._drain()
            except Exception as error:  # the scheduled drain tries again
                log.error("outbox drain failed: %s", type(error).__name__)

    async def drain(self) -> int:
        """Sends every message now due; returns how many were sent."""
        async with self._lock:
            return await self._drain()

    async def _drain(self) -> int:
        sent, self._paused = 0, {}
        while platforms := [p for p in self.adapters if p not in self._paused]:
            renew_from = self._clock() + self._lease / 2
            async with self._database.unit() as session:
                claimed = [
                    (m.id, m.platform, m.address_key_id, m.address, m.text, m.image, m.attempts)
                    for m in await outbox_store.claim(
                        session, now=self._clock(), lease=self._lease, limit=self._batch, platforms=platforms
                    )
                ]
            for row in claimed:
                sent += await self._send(*row, renew=self._clock() >= renew_from)
            if len(claimed) < self._batch:
                break
        return sent

    async def _send(self, message_id, platform, key_id, sealed, text, image, attempts, *, renew: bool) -> int:
        adapter = self.adapters[platform]
        if platform in self._paused:  # it said to wait: the rest of its batch waits too, untried
            async with self._database.unit() as session:
                await outbox_store.retry_at(session, message_id=message_id, when=self._paused[platform])
            return 0
        if renew:  # half the batch's lease is gone: a fresh one for this send, if the claim is still ours
            async with self._database.unit() as session:
                if not await outbox_store.renew(
                    session, message_id=message_id, attempts=attempts, until=self._clock() + self._lease
                ):
                    return 0  # the lease ran out on a slow platform, and another sender has it
        try:
            address = json.loads(self._keys().open(key_id, sealed))
            await self._pace()
            await adapter.deliver(address["chat"], text, image)
        except Exception as error:  # every failure is retried or given up on, never lost
            await self._failed(message_id, platform, attempts, error)
            return 0
        async with self._database.unit() as session:
            await outbox_store.mark_sent(session, message_id=message_id, now=self._clock())
        self._sends.labels(platform, "sent").inc()
        return 1

    async def _failed(self, message_id: int, platform: str, attempts: int, error: Exception) -> None:
        now = self._clock()
        permanent = isinstance(error, KeyProblem) or (isinstance(error, SendFailed) and error.permanent)
        async with self._database.unit() as session:
            if permanent:
                log.warning("outbox message %d undeliverable: %s", message_id, type(error).__name__)
                await outbox_store.give_up(session, message_id=message_id, now=now)
                self._sends.labels(platform, "given_up").inc()
                return
            retry_after = error.retry_after if isinstance(error, SendFailed) else None
            delay = retry_after if retry_after is not None else min(30 * 2 ** min(attempts - 1, 7), MAX_BACKOFF)
            if retry_after is not None:
                self._paused[platform] = now + timedelta(seconds=retry_after)
            level = logging.WARNING if attempts >= STILL_FAILING else logging.INFO
            log.log(
                level,
                "outbox message %d will be retried in %ds (attempt %d): %s",
                message_id,
                delay,
                attempts,
                type(error).__name__,
            )
            await outbox_store.retry_at(session, message_id=message_id, when=now + timedelta(seconds=delay))
            self._sends.labels(platform, "retried").inc()

    async def _pace(self) -> None:
        """Keeps within the configured messages per second, whatever the platform allows."""
        wait = self._last_send + self._interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_send = time.monotonic()

    def _keys(self) -> Keys:
        return in_force(self._key_source)
