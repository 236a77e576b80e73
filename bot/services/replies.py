"""Replies that must reach the person: a reply the live path could not send goes to the outbox,
and a report's reference is kept there from the moment the report is stored (held back while
the live path sends it), so no reference is lost to a failed call, an outage or a crash."""

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.sender import Sender
from flows.chat import Message, message_body
from flows.clock import utcnow
from storage import outbox_store
from storage.database import Database
from storage.keys import Keys, KeySource, in_force

log = logging.getLogger(__name__)

# How long a reply kept with its change waits for the live path before the outbox sends it: longer
# than the live path's own tries (a timeout and two retries).
HOLD = timedelta(seconds=20)


async def keep(
    session: AsyncSession, *, keys: Keys, sender: Sender, messages: list[Message], now: datetime
) -> list[Message]:
    """Queues replies in the caller's unit of work, held for the live path; returns them marked
    with their receipts, for `Replies.settle`."""
    if not sender.event:
        return messages  # the terminal: nothing to deliver later
    kept = []
    for index, message in enumerate(messages):
        key = f"reply:{sender.platform}:{sender.event}:{index}"
        await outbox_store.enqueue(
            session,
            keys=keys,
            key=key,
            address=sender.address(),
            text=message.text,
            body=message_body(message),
            now=now,
            due_at=now + HOLD,
        )
        kept.append(replace(message, receipt=key))
    return kept


class Replies:
    def __init__(self, *, database: Database, keys: Keys | KeySource, clock: Callable[[], datetime] = utcnow) -> None:
        self._database, self._keys, self._clock = database, keys, clock

    async def settle(self, sender: Sender, *, sent: list[Message], unsent: list[Message]) -> None:
        """Records what the live path did with a reply: `sent` reached the person (a copy kept
        in the outbox is not sent again), and the outbox sends `unsent`, in order. A message in
        neither list (not confirmed in time) is left as it was. Costs nothing when everything
        was sent and nothing was kept."""
        receipts = [m.receipt for m in sent if m.receipt]
        rest = unsent
        if not (receipts or rest):
            return
        now = self._clock()
        try:
            async with self._database.unit() as session:
                if receipts:
                    await outbox_store.replies_sent(session, keys=receipts, now=now)
                if held := [m.receipt for m in rest if m.receipt]:
                    await outbox_store.release_replies(session, keys=held, now=now)
                for message in rest:
                    if not message.receipt:
                        await outbox_store.enqueue(
                            session,
                            keys=in_force(self._keys),
                            key=f"reply:{sender.platform}:{secrets.token_hex(8)}",
                            address=sender.address(),
                            text=message.text,
                            body=message_body(message),
                            now=now,
                        )
        except (DBAPIError, ConnectionError, TimeoutError, OSError) as error:
            # What was kept with its change is still sent once its hold ends (perhaps twice).
            log.error("a reply could not be recorded (%d unsent): %s", len(rest), type(error).__name__)
