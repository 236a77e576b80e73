"""The outbox sender against the fake Bot API, on SQLite and PostgreSQL: a platform error then
success sends once, a 429's retry_after is honoured and holds back the rest of the batch, a day's
outage loses nothing, a sender that died after claiming is replaced without a double send, a
batch that outlasts its claim is not sent twice, a blocked chat is given up on; and
two senders at once on PostgreSQL share the work without sending anything twice."""

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.adapters.telegram import TelegramAdapter
from bot.app.runner import serve
from bot.app.services import Services
from bot.services.front import Front
from bot.services.outbox_sender import LEASE, OutboxSender
from flows.clock import utcnow
from storage import outbox_store as queue
from storage.database import Database
from storage.models import OutboxMessage
from tests.conftest import LEAD

LATER = {"text": "A safeguarding alert."}


@pytest.fixture
async def adapter(settings, reporting):
    # Without PTB's own flood-limit retries, so the outbox's handling of a 429 is what is tested.
    adapter = TelegramAdapter(settings.telegram.model_copy(update={"flood_limits": False}), Front(reporting))
    await adapter.application.initialize()
    yield adapter
    await adapter.application.shutdown()


@pytest.fixture
def sender(database, keys, clock, adapter) -> OutboxSender:
    sender = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    sender.adapters = {"telegram": adapter}
    return sender


async def queue_one(database, keys, clock, key="alert:1", chat: int = LEAD, text: str = LATER["text"]) -> None:
    async with database.unit() as session:
        await queue.enqueue(
            session,
            keys=keys,
            key=key,
            address={"platform": "telegram", "chat": str(chat)},
            text=text,
            now=clock(),
        )


async def queue_held_reply(database, keys, clock, *, held: timedelta) -> None:
    """Queues a reference as a reply is kept with its change: held while the live path sends it."""
    async with database.unit() as session:
        await queue.enqueue(
            session,
            keys=keys,
            key="reply:telegram:7:0",
            address={"platform": "telegram", "chat": str(LEAD)},
            text="Sent. Your reference is NM-2345-6789.",
            now=clock(),
            due_at=clock() + held,
        )


def sent_to_leads(telegram_api, leads: int) -> int:
    return sum(len(telegram_api.sent_to(LEAD + n)) for n in range(leads))


async def row(database) -> OutboxMessage:
    async with database.unit() as session:
        return await session.scalar(select(OutboxMessage))


async def test_a_message_is_queued_once_per_key_and_its_address_sealed(database, keys, clock):
    await queue_one(database, keys, clock)
    await queue_one(database, keys, clock)
    async with database.unit() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert len(rows) == 1 and str(LEAD).encode() not in rows[0].address


async def test_the_sender_wakes_for_a_message_due_now_not_for_a_reply_held_for_the_live_path(database, keys, clock):
    woken = []
    database.on_queued = lambda: woken.append("drain")
    await queue_held_reply(database, keys, clock, held=timedelta(seconds=20))
    assert woken == []  # the scheduled drain sends it if the live path never does
    await queue_one(database, keys, clock)
    assert woken == ["drain"]


async def test_a_bad_gateway_then_success_sends_once(telegram_api, database, keys, clock, sender):
    await queue_one(database, keys, clock)
    telegram_api.fail("sendMessage", 502, "Bad Gateway")
    assert await sender.drain() == 0
    assert (await row(database)).due_at == clock.now + timedelta(seconds=30)
    assert await sender.drain() == 0  # not due yet
    clock.advance(seconds=31)
    assert await sender.drain() == 1
    assert [m["text"] for m in telegram_api.sent_to(LEAD)] == [LATER["text"]]
    sent = await row(database)
    assert sent.sent_at == clock.now and sent.address is None and sent.text == "" and sent.attempts == 2
    assert await sender.drain() == 0


async def test_a_429_waits_as_long_as_telegram_says(telegram_api, database, keys, clock, sender):
    await queue_one(database, keys, clock)
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    assert await sender.drain() == 0
    assert (await row(database)).due_at == clock.now + timedelta(seconds=7)
    clock.advance(seconds=7)
    assert await sender.drain() == 1
    assert len(telegram_api.sent_to(LEAD)) == 1


async def test_a_429_holds_back_the_rest_of_the_batch_untried(telegram_api, database, keys, clock, sender):
    for n in range(3):
        await queue_one(database, keys, clock, key=f"alert:{n}")
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    assert await sender.drain() == 0
    assert len([c for c in telegram_api.calls if c.method == "sendMessage"]) == 1
    async with database.unit() as session:
        assert set(await session.scalars(select(OutboxMessage.due_at))) == {clock.now + timedelta(seconds=7)}
    clock.advance(seconds=7)
    assert await sender.drain() == 3


async def test_an_outage_of_a_day_delays_a_message_and_loses_nothing(telegram_api, database, keys, clock, sender):
    await queue_one(database, keys, clock)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=30)
    began, waits = clock.now, []
    for _ in range(30):
        failed_at = clock.now
        assert await sender.drain() == 0
        waits.append((await row(database)).due_at - failed_at)
        clock.now = (await row(database)).due_at
    assert waits[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert max(waits) == timedelta(hours=1) and clock.now - began >= timedelta(days=1)
    assert await sender.drain() == 1
    assert [m["text"] for m in telegram_api.sent_to(LEAD)] == [LATER["text"]]


async def test_a_sender_that_died_after_claiming_is_replaced_without_a_double_send(
    telegram_api, database, keys, clock, sender
):
    await queue_one(database, keys, clock)
    async with database.unit() as session:  # a sender claims the row, then its process dies
        assert (
            len(await queue.claim(session, now=clock(), lease=timedelta(minutes=5), limit=10, platforms=["telegram"]))
            == 1
        )
    assert await sender.drain() == 0  # still claimed by the dead sender
    clock.advance(minutes=5)
    assert await sender.drain() == 1
    assert await sender.drain() == 0
    assert len(telegram_api.sent_to(LEAD)) == 1


async def test_a_batch_outlasting_its_lease_on_a_slow_platform_is_not_sent_twice(
    telegram_api, database, keys, clock, adapter, sender
):
    first = OutboxSender(
        database=database, keys=keys, clock=clock, per_second=1000, batch=5, lease=timedelta(minutes=5)
    )

    class SlowTelegram:  # the real adapter, on a platform that takes two minutes a message
        sent = 0

        async def deliver(self, *args) -> None:
            clock.advance(minutes=2)
            await adapter.deliver(*args)
            self.sent += 1
            if self.sent == 3:  # six minutes on: the first sender's claim on the batch has run out
                assert await sender.drain() == 2  # another sender takes the two left

    first.adapters = {"telegram": SlowTelegram()}
    for n in range(5):  # to five leads: one person's messages are sent in turn, by one sender
        await queue_one(database, keys, clock, key=f"alert:{n}", chat=LEAD + n)
    assert await first.drain() == 3
    assert sent_to_leads(telegram_api, 5) == 5


async def test_a_message_never_sent_keeps_its_address_no_longer_than_a_contact(database, keys, clock, housekeeping):
    async with database.unit() as session:  # for a platform no sender runs any more
        await queue.enqueue(
            session,
            keys=keys,
            key="alert:slack",
            address={"platform": "slack", "chat": "D0LEAD"},
            text=LATER["text"],
            now=clock(),
        )
    clock.advance(days=179)
    await housekeeping.sweep()
    assert (await row(database)).address is not None
    clock.advance(days=2)
    await housekeeping.sweep()
    given_up = await row(database)
    assert given_up.failed_at == clock.now and given_up.address is None and given_up.text == ""


async def test_a_blocked_chat_is_given_up_on(telegram_api, database, keys, clock, sender):
    await queue_one(database, keys, clock)
    telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await sender.drain() == 0
    given_up = await row(database)
    assert given_up.failed_at == clock.now and given_up.address is None
    clock.advance(days=1)
    assert await sender.drain() == 0 and telegram_api.sent_to(LEAD) == []


async def test_two_senders_on_postgresql_never_send_a_message_twice(
    telegram_api, database, database_url, keys, clock, settings, reporting
):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one sender by design; two at once is a PostgreSQL set-up")
    for n in range(300):  # to 30 leads: one person's messages are sent in turn, by one sender
        await queue_one(database, keys, clock, key=f"alert:{n}", chat=LEAD + n % 30)
    senders, databases = [], [Database(database_url) for _ in range(2)]
    for own_database in databases:  # as two processes would: their own connections and Bot API clients
        adapter = TelegramAdapter(settings.telegram.model_copy(update={"flood_limits": False}), Front(reporting))
        await adapter.application.initialize()
        sender = OutboxSender(database=own_database, keys=keys, clock=clock, per_second=1000, batch=20)
        sender.adapters = {"telegram": adapter}
        senders.append(sender)
    try:
        counts = await asyncio.gather(*(s.drain() for s in senders))
    finally:
        for sender, own_database in zip(senders, databases):
            await sender.adapters["telegram"].application.shutdown()
            await own_database.close()
    assert sum(counts) == 300 and min(counts) > 0, counts
    assert sent_to_leads(telegram_api, 30) == 300
    async with database.unit() as session:
        assert set(await session.scalars(select(OutboxMessage.attempts))) == {1}


class Held:
    """The real adapter, with each send held until the test lets it go."""

    def __init__(self, adapter) -> None:
        self.adapter, self.started, self.go = adapter, asyncio.Event(), asyncio.Event()

    async def deliver(self, *args, **kwargs) -> None:
        self.started.set()
        await self.go.wait()
        await self.adapter.deliver(*args, **kwargs)


async def test_a_dead_senders_claim_is_taken_over_within_seconds(telegram_api, database, keys, clock, adapter, sender):
    await queue_one(database, keys, clock)
    dead = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    held = Held(adapter)
    dead.adapters = {"telegram": held}
    dying = asyncio.create_task(dead.drain())
    await held.started.wait()  # it claimed the message, and is killed while sending (nothing renews it)

    assert await sender.drain() == 0
    clock.advance(seconds=LEASE.total_seconds())
    assert timedelta(seconds=30) >= LEASE
    assert await sender.drain() == 1
    dying.cancel()
    assert len(telegram_api.sent_to(LEAD)) == 1


async def test_a_live_sender_keeps_its_claim_while_a_slow_send_lasts(
    telegram_api, database, keys, clock, adapter, sender
):
    await queue_one(database, keys, clock)
    slow = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000, lease=timedelta(seconds=0.3))
    held = Held(adapter)
    slow.adapters = {"telegram": held}
    sending = asyncio.create_task(slow.drain())
    await held.started.wait()

    clock.advance(seconds=1)  # the first lease is long gone
    await asyncio.sleep(0.3)  # but the sender renewed it
    assert await sender.drain() == 0
    held.go.set()
    assert await sending == 1
    assert len(telegram_api.sent_to(LEAD)) == 1


async def test_a_stopped_sender_lets_go_of_its_batch_at_once(telegram_api, database, keys, clock, adapter, sender):
    for n in range(3):
        await queue_one(database, keys, clock, key=f"alert:{n}", chat=LEAD + n)
    stopped = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    held = Held(adapter)
    stopped.adapters = {"telegram": held}
    stopping = asyncio.create_task(stopped.drain())
    await held.started.wait()
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping

    assert await sender.drain() == 3  # at once, not when the lease ends
    assert sent_to_leads(telegram_api, 3) == 3


async def test_a_database_dropped_mid_batch_holds_back_nothing_and_sends_nothing_twice(
    telegram_api, database, keys, clock, adapter, sender
):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    for n in range(5):
        await queue_one(database, keys, clock, key=f"alert:{n}", chat=LEAD + n)

    class Dropping:  # the real adapter; after the second send the server drops every connection
        sent = 0

        async def deliver(self, *args) -> None:
            await adapter.deliver(*args)
            self.sent += 1
            if self.sent == 2:
                await drop_connections(database)

    sender.adapters = {"telegram": Dropping()}
    assert await sender.drain() == 5
    clock.advance(minutes=10)
    assert await sender.drain() == 0
    assert [len(telegram_api.sent_to(LEAD + n)) for n in range(5)] == [1] * 5


async def drop_connections(database: Database) -> None:
    admin = await asyncpg.connect(make_url(database.engine.url).set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database.engine.url.database,
        )
    finally:
        await admin.close()


async def test_one_persons_messages_go_in_the_order_queued_even_after_a_failure(
    telegram_api, database, keys, clock, sender
):
    for n in range(3):
        await queue_one(database, keys, clock, key=f"note:{n}", text=f"note {n}")
    await queue_one(database, keys, clock, key="other", chat=LEAD + 1)
    telegram_api.fail("sendMessage", 502, "Bad Gateway")  # the first note

    assert await sender.drain() == 1  # someone else's message is not held back
    assert telegram_api.sent_to(LEAD) == [] and len(telegram_api.sent_to(LEAD + 1)) == 1
    clock.advance(minutes=1)
    assert await sender.drain() == 3
    assert [m["text"] for m in telegram_api.sent_to(LEAD)] == ["note 0", "note 1", "note 2"]


async def test_a_worker_without_the_scheduler_sends_what_it_queues_at_once(settings, database, keys, telegram_api):
    services = Services.build(settings, database, keys)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(services, stop, scheduler_enabled=False))
    try:
        for _wait in range(100):  # until the bot is polling
            if any(c.method == "getUpdates" for c in telegram_api.calls):
                break
            await asyncio.sleep(0.05)
        await queue_one(database, keys, utcnow)
        await asyncio.wait_for(telegram_api.next_change(LEAD, timeout=5), 5)
        assert [m["text"] for m in telegram_api.sent_to(LEAD)] == [LATER["text"]]
    finally:
        stop.set()
        await running


async def test_what_waited_in_the_outbox_is_sent_as_soon_as_the_platform_connects(
    settings, database, keys, telegram_api
):
    # Queued before this process started (a reply left by a crashed one): no sweep runs here, so
    # only connecting can send it.
    await queue_one(database, keys, utcnow)
    services = Services.build(settings, database, keys)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(services, stop, scheduler_enabled=False))
    try:
        await asyncio.wait_for(telegram_api.next_change(LEAD, timeout=5), 5)
        assert [m["text"] for m in telegram_api.sent_to(LEAD)] == [LATER["text"]]
    finally:
        stop.set()
        await running


async def test_a_reply_held_for_the_live_path_is_sent_when_its_hold_ends_not_at_the_next_sweep(
    telegram_api, database, keys, clock, sender
):
    # A reference held while its live reply is tried, left by a process killed in between: the
    # drain on connecting finds it not yet due, and drains again when it is.
    await queue_held_reply(database, keys, clock, held=timedelta(seconds=0.5))
    assert await sender.drain() == 0
    clock.advance(seconds=0.5)
    await asyncio.wait_for(telegram_api.next_change(LEAD, timeout=5), 5)
    assert [m["text"] for m in telegram_api.sent_to(LEAD)] == ["Sent. Your reference is NM-2345-6789."]
