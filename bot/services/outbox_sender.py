"""The one sender of queued messages: claims due rows, sends each through its platform's
adapter, and marks it sent, or puts it back with a backoff, or gives up on a dead address.

Only a refusal that retrying cannot mend (a blocked chat, a key that is gone) gives a message
up: an outage of any length delays alerts and feedback, and loses none."""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.services.metrics import Metrics
from bot.services.platform import Platform, SendFailed
from flows.chat import message_from_body
from flows.clock import utcnow
from storage import outbox_store
from storage.database import Database
from storage.keys import KeyProblem, Keys, KeySource, in_force
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600  # seconds: a message failing for days is still tried every hour
# Seconds before each new try of a reply (someone is waiting for it), the last repeating: it goes
# within seconds of the platform answering again, however long the outage.
REPLY_RETRY_WAITS = (2, 5)
STILL_FAILING = 8  # attempts after which each retry is logged as a warning
# A claim's life: renewed every third of it while its sender lives, so a dead sender's messages
# are taken over by another within this.
LEASE = timedelta(seconds=15)
RECORD_WAITS = (0.2, 1.0, 3.0)  # seconds before each new try at recording a message sent


@dataclass(frozen=True)
class Claimed:
    """A message this sender claimed, as read in the claim's transaction."""

    id: int
    platform: str
    key_id: str | None
    sealed: bytes | None
    text: str
    image: bytes | None
    body: dict[str, Any] | None
    attempts: int
    recipient: str | None

    @classmethod
    def of(cls, row: OutboxMessage) -> "Claimed":
        return cls(
            row.id,
            row.platform,
            row.address_key_id,
            row.address,
            row.text,
            row.image,
            row.body,
            row.attempts,
            row.recipient,
        )


@dataclass
class Batch:
    """The messages of one claim not yet sent (id: the attempt that claims it), kept claimed
    while they wait, and when the claim was last made good."""

    claims: dict[int, int]
    renewed_at: datetime


class OutboxSender:
    def __init__(
        self,
        *,
        database: Database,
        keys: Keys | KeySource,
        clock: Callable[[], datetime] = utcnow,
        per_second: float = 20,
        lease: timedelta = LEASE,
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
        self._unrecorded: set[int] = set()  # sent, but the database would not take the record yet
        self._wake_at: float | None = None  # the loop time of the next drain set for a message falling due

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
            await self._drain_or_wait()

    async def sweep(self) -> None:
        """The scheduler's drain: a failure (the database away) is one log line, not a traceback."""
        async with self._lock:
            await self._drain_or_wait()

    async def _drain_or_wait(self) -> None:
        try:
            await self._drain()
        except Exception as error:  # the database away: tried again in a few seconds
            log.error("outbox drain failed: %s", type(error).__name__)
            self._wake(REPLY_RETRY_WAITS[-1])

    async def drain(self) -> int:
        """Sends every message now due; returns how many were sent."""
        async with self._lock:
            return await self._drain()

    async def _drain(self) -> int:
        sent, self._paused, tried = 0, {}, set[int]()
        await self._record_unrecorded()
        while platforms := [p for p in self.adapters if p not in self._paused]:
            async with self._database.unit() as session:
                claimed = [
                    Claimed.of(m)
                    for m in await outbox_store.claim(
                        session, now=self._clock(), lease=self._lease, limit=self._batch, platforms=platforms
                    )
                ]
            fresh = [m for m in claimed if m.id not in tried]
            await self._release([m for m in claimed if m.id in tried])  # failed to record this drain: later
            if not fresh:
                break
            tried.update(m.id for m in fresh)
            sent += await self._send_batch(fresh)
        await self._wake_when_next_due()
        return sent

    async def _wake_when_next_due(self) -> None:
        """Drains again when the next message waiting falls due (a reply held for the live path,
        which after a restart no live path will send), rather than at the scheduler's next sweep."""
        async with self._database.unit() as session:
            due = await outbox_store.next_due(session, platforms=list(self.adapters))
        if due is not None and (wait := (due - self._clock()).total_seconds()) > 0:
            self._wake(wait)

    async def _send_batch(self, messages: list[Claimed]) -> int:
        """Sends a claimed batch in order, keeping the claim on what is still to send alive; a
        message that fails holds back only later messages to the same person."""
        batch = Batch({m.id: m.attempts for m in messages}, self._clock())
        heartbeat = asyncio.create_task(self._keep_claimed(batch))
        sent, stuck = 0, set[str]()
        try:
            for message in messages:
                try:
                    if message.recipient in stuck and message.platform not in self._paused:
                        await self._release([message])  # after the earlier one, in order
                    elif await self._send(message, batch):
                        sent += 1
                    elif message.recipient is not None:
                        stuck.add(message.recipient)
                except Exception as error:  # the database, recording a failure: the lease ends soon
                    log.error("outbox message %d could not be handled: %s", message.id, type(error).__name__)
                    if message.recipient is not None:
                        stuck.add(message.recipient)
                batch.claims.pop(message.id, None)  # done with, unless stopped mid-send
        finally:
            heartbeat.cancel()
            left = [m for m in messages if m.id in batch.claims]
            if left:  # stopped part way: the rest is due again at once, for any sender
                await self._release(left)
        return sent

    async def _keep_claimed(self, batch: Batch) -> None:
        """Renews the claim on the batch's unsent messages every third of a lease, so a live
        sender keeps them however slow the platform, and a dead one loses them within a lease."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self._record_unrecorded()
                async with self._database.unit() as session:
                    now = self._clock()
                    for message_id, attempts in list(batch.claims.items()):
                        if not await outbox_store.renew(
                            session, message_id=message_id, attempts=attempts, until=now + self._lease
                        ):
                            batch.claims.pop(message_id, None)  # another sender has it now
                batch.renewed_at = now
            except Exception as error:
                log.warning("could not renew the outbox's claim: %s", type(error).__name__)

    async def _send(self, message: Claimed, batch: Batch) -> bool:
        """Sends one message; says whether it went."""
        if message.id not in batch.claims:
            return False  # the claim lapsed and another sender took it
        adapter = self.adapters[message.platform]
        if message.platform in self._paused:  # it said to wait: the rest of its batch waits too, untried
            async with self._database.unit() as session:
                await outbox_store.retry_at(session, message_id=message.id, when=self._paused[message.platform])
            return False
        if self._clock() >= batch.renewed_at + self._lease / 2:
            # Half the lease gone unrenewed: a fresh one for this send, if the claim is still ours.
            async with self._database.unit() as session:
                if not await outbox_store.renew(
                    session, message_id=message.id, attempts=message.attempts, until=self._clock() + self._lease
                ):
                    return False  # the lease ran out on a slow platform, and another sender has it
        try:
            address = json.loads(self._keys().open(message.key_id, message.sealed))
            await self._pace()
            if message.body is None:
                await adapter.deliver(address["chat"], message.text, message.image)
            else:
                reply = message_from_body(message.text, message.body)
                await adapter.deliver(address["chat"], message.text, reply=reply)
        except Exception as error:  # every failure is retried or given up on, never lost
            await self._failed(message.id, message.platform, message.attempts, error, reply=message.body is not None)
            return False
        self._sends.labels(message.platform, "sent").inc()
        await self._record_sent(message.id)
        return True

    async def _record_sent(self, message_id: int) -> None:
        """Records a message as sent at once, trying again for a few seconds while the database
        is away: a message sent and not recorded would be sent again when its claim ends."""
        for wait in (*RECORD_WAITS, None):
            try:
                async with self._database.unit() as session:
                    await outbox_store.mark_sent(session, message_id=message_id, now=self._clock())
                return
            except Exception as error:
                if wait is None:
                    log.error("outbox message %d was sent but not recorded: %s", message_id, type(error).__name__)
                    self._unrecorded.add(message_id)
                    return
                await asyncio.sleep(wait)

    async def _record_unrecorded(self) -> None:
        """Records the messages sent while the database was away, before anything is claimed."""
        if not self._unrecorded:
            return
        async with self._database.unit() as session:
            for message_id in self._unrecorded:
                await outbox_store.mark_sent(session, message_id=message_id, now=self._clock())
        self._unrecorded.clear()

    async def _release(self, messages: list[Claimed]) -> None:
        if not messages:
            return
        try:
            async with self._database.unit() as session:
                for message in messages:
                    await outbox_store.release(
                        session, message_id=message.id, attempts=message.attempts, now=self._clock()
                    )
        except Exception as error:  # their lease ends in seconds anyway
            log.warning("could not let go of %d outbox messages: %s", len(messages), type(error).__name__)

    async def _failed(self, message_id: int, platform: str, attempts: int, error: Exception, *, reply: bool) -> None:
        now = self._clock()
        permanent = isinstance(error, KeyProblem) or (isinstance(error, SendFailed) and error.permanent)
        async with self._database.unit() as session:
            if permanent:
                log.warning("outbox message %d given up, it cannot be delivered: %s", message_id, _cause(error))
                await outbox_store.give_up(session, message_id=message_id, now=now)
                self._sends.labels(platform, "given_up").inc()
                return
            retry_after = error.retry_after if isinstance(error, SendFailed) else None
            if retry_after is not None:
                delay = retry_after
            elif reply:
                delay = REPLY_RETRY_WAITS[min(attempts, len(REPLY_RETRY_WAITS)) - 1]
            else:
                delay = min(30 * 2 ** min(attempts - 1, 7), MAX_BACKOFF)
            if retry_after is not None:
                self._paused[platform] = now + timedelta(seconds=retry_after)
            level = logging.WARNING if attempts >= STILL_FAILING else logging.INFO
            log.log(
                level,
                "outbox message %d will be retried in %ds (attempt %d): %s",
                message_id,
                delay,
                attempts,
                _cause(error),
            )
            await outbox_store.retry_at(session, message_id=message_id, when=now + timedelta(seconds=delay))
            self._sends.labels(platform, "retried").inc()
        self._wake(delay)

    def _wake(self, seconds: float) -> None:
        """Drains again when a retry falls due, rather than at the scheduler's next sweep; one
        wake-up set for an earlier time covers this one (its drain sets the next)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: the sweep sends it
            return
        at = loop.time() + seconds
        if self._wake_at is not None and loop.time() < self._wake_at <= at:
            return
        self._wake_at = at
        loop.call_at(at, self._woken)

    def _woken(self) -> None:
        self._wake_at = None
        self.kick()

    async def _pace(self) -> None:
        """Keeps within the configured messages per second, whatever the platform allows."""
        wait = self._last_send + self._interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_send = time.monotonic()

    def _keys(self) -> Keys:
        return in_force(self._key_source)


def _cause(error: Exception) -> str:
    """Names why a send failed: the platform's reason when it gave one, else the kind of error
    (never its text, which can carry the message)."""
    reason = str(error) if isinstance(error, SendFailed | KeyProblem) else ""
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__
