"""The outbox: messages the bot sends on its own initiative, queued in the transaction that
causes them and sent by one scheduled sender that claims rows safely."""

import json
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import QUEUED, insert_new
from storage.keys import Keys
from storage.models import OutboxMessage

PENDING = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))  # neither sent nor given up
WIPED = {"address": None, "address_key_id": None, "text": "", "image": None}  # a done message keeps no words


async def enqueue(
    session: AsyncSession,
    *,
    keys: Keys,
    key: str,
    address: dict[str, str],
    text: str,
    now: datetime,
    image: bytes | None = None,
) -> None:
    """Queues one message to a sealed address, once per idempotency key."""
    address_key_id, sealed = keys.seal(json.dumps(address, sort_keys=True))
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
        created_at=now,
        due_at=now,
        attempts=0,
    )
    session.info[QUEUED] = True


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: list[str],
) -> list[OutboxMessage]:
    """Returns up to `limit` due messages, claimed for `lease`: another sender skips them, and
    if this one dies they fall due again when the lease ends."""
    rows = list(
        await session.scalars(
            select(OutboxMessage)
            .where(*PENDING, OutboxMessage.due_at <= now, OutboxMessage.platform.in_(platforms))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one sender and ignores it
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


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """Returns how many messages wait (neither sent nor given up), and when the oldest was queued."""
    count, oldest = (
        await session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(*PENDING))
    ).one()
    return count, oldest
