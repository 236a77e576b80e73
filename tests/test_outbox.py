"""The outbox sender against the fake Bot API, on SQLite and PostgreSQL: a platform error then
success sends once, a 429's retry_after is honoured and holds back the rest of the batch, a day's
outage loses nothing, a sender that died after claiming is replaced without a double send, a
batch that outlasts its claim is not sent twice, a blocked chat is given up on; and
two senders at once on PostgreSQL share the work without sending anything twice."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.adapters.telegram import TelegramAdapter
from bot.services.front import Front
from bot.services.outbox_sender import OutboxSender
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


async def queue_one(database, keys, clock, key="alert:1", chat: int = LEAD) -> None:
    async with database.unit() as session:
        await queue.enqueue(
            session,
            keys=keys,
            key=key,
            address={"platform": "telegram", "chat": str(chat)},
            text=LATER["text"],
            now=clock(),
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
