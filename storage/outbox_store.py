"""The outbox: messages the bot sends on its own initiative, queued in the transaction that
causes them and sent by one scheduled sender that claims rows safely."""

import json
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.database import QUEUED, insert_new
from storage.keys import Keys
from storage.models import OutboxMessage

PENDING = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))  # neither sent nor given up
WIPED = {
    "address": None,
    "address_key_id": None,
    "text": "",
    "image": None,
    "body": None,
}  # a done message keeps no words


async def enqueue(
    session: AsyncSession,
    *,
    keys: Keys,
    key: str,
    address: dict[str, str],
    text: str,
    now: datetime,
    image: bytes | None = None,
    body: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> None:
    """Queues one message to a sealed address, once per idempotency key; `body` keeps a reply's
    buttons, and `due_at` holds it back (for the live reply to send first)."""
    plain_address = json.dumps(address, sort_keys=True)
    address_key_id, sealed = keys.seal(plain_address)
    await insert_new(
        session,
        OutboxMessage,
        unique=("key",),
        key=key,
        platform=address["platform"],
        address_key_id=address_key_id,
        address=sealed,
        text=text,
        image=image,
        body=body,
        recipient=keys.recipient(plain_address),
        created_at=now,
        due_at=due_at or now,
        attempts=0,
    )
    if due_at is None or due_at <= now:
        # The sender wakes once this commits. A message held for the live path is left to the
        # scheduled drain, or to its release should the live path fail: a drain now finds nothing.
        session.info[QUEUED] = True


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: list[str],
) -> list[OutboxMessage]:
    """Returns up to `limit` due messages, oldest first, claimed for `lease`: another sender
    skips them, and if this one dies they fall due again when the lease ends. A message waits
    while an earlier one to the same person is claimed elsewhere or waiting for a retry, so one
    person's messages arrive in the order they were queued."""
    earlier = aliased(OutboxMessage)
    behind_another = exists().where(
        earlier.recipient == OutboxMessage.recipient,
        earlier.id < OutboxMessage.id,
        earlier.sent_at.is_(None),
        earlier.failed_at.is_(None),
        earlier.due_at > now,
    )
    rows = list(
        await session.scalars(
            select(OutboxMessage)
            .where(*PENDING, OutboxMessage.due_at <= now, OutboxMessage.platform.in_(platforms), ~behind_another)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer and ignores it
        )
    )
    for row in rows:
        row.due_at, row.attempts = now + lease, row.attempts + 1
    return rows


async def renew(session: AsyncSession, *, message_id: int, attempts: int, until: datetime) -> bool:
    """Extends a claim to `until`; says False if the claim is no longer the one that counted
    `attempts` (another sender claimed the message since) or the message is done."""
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as Result only.
    result = cast(
        "CursorResult[Any]",
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts, *PENDING)
            .values(due_at=until)
        ),
    )
    return result.rowcount == 1


async def release(session: AsyncSession, *, message_id: int, attempts: int, now: datetime) -> None:
    """Lets go of a claim this sender will not use, so the message is due again at once."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts, *PENDING)
        .values(due_at=now)
    )


async def release_replies(session: AsyncSession, *, keys: list[str], now: datetime) -> None:
    """Makes replies held for the live path due at once: it could not send them."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.key.in_(keys), *PENDING).values(due_at=now))
    session.info[QUEUED] = True


async def replies_sent(session: AsyncSession, *, keys: list[str], now: datetime) -> None:
    """Records replies held for the live path as sent by it, and wipes them."""
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.key.in_(keys), *PENDING).values(sent_at=now, **WIPED)
    )


async def mark_sent(session: AsyncSession, *, message_id: int, now: datetime) -> None:
    """Records a message as sent and wipes its address and words: a report's text is not kept twice."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(sent_at=now, **WIPED))


async def retry_at(session: AsyncSession, *, message_id: int, when: datetime) -> None:
    """Puts a message back in the queue, due again at `when`."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(due_at=when))


async def give_up_on_old(session: AsyncSession, *, queued_before: datetime, now: datetime) -> None:
    """Stops trying messages queued before a time and wipes their addresses: the contact
    retention period holds for an address waiting in the queue too."""
    await session.execute(
        update(OutboxMessage).where(*PENDING, OutboxMessage.created_at < queued_before).values(failed_at=now, **WIPED)
    )


async def give_up(session: AsyncSession, *, message_id: int, now: datetime) -> None:
    """Stops trying a message that cannot be delivered, and wipes its address."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(failed_at=now, **WIPED))


async def next_due(session: AsyncSession, *, platforms: list[str]) -> datetime | None:
    """Returns when the first message still waiting on these platforms falls due, if any does."""
    query = select(func.min(OutboxMessage.due_at)).where(*PENDING, OutboxMessage.platform.in_(platforms))
    due: datetime | None = (await session.execute(query)).scalar()
    return due


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """Returns how many messages wait (neither sent nor given up), and when the oldest was queued."""
    count, oldest = (
        await session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(*PENDING))
    ).one()
    return count, oldest
