"""Who an event came from and where to answer, and a message the bot sends on its own initiative."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from flows.chat import Message
from storage import report_store
from storage.models import Draft


@dataclass(frozen=True)
class Sender:
    """Who sent an event and where to answer; never stored as it is."""

    platform: str
    user_id: str
    chat_id: str
    workspace: str = ""
    event: str = ""  # the platform's id for this delivery, so a redelivery is applied once

    def __repr__(self) -> str:
        return f"Sender({self.platform}, ***)"

    def address(self) -> dict[str, str]:
        """Returns where to reach the sender later, to be sealed in the contact vault."""
        address = {"platform": self.platform, "chat": self.chat_id}
        return address | ({"workspace": self.workspace} if self.workspace else {})


async def first_delivery(session: AsyncSession, sender: Sender, now: datetime) -> bool:
    """Records the sender's event; says whether this is the first time it arrived (a platform
    redelivers what it thinks was not received)."""
    if not sender.event:
        return True
    return await report_store.first_sighting(session, key=_event_key(sender), now=now)


async def first_delivery_and_draft(
    session: AsyncSession, sender: Sender, now: datetime, *, reporters: list[str]
) -> tuple[bool, Draft | None]:
    """As first_delivery, and returns the reporter's draft too: together, as every answer needs both."""
    if not sender.event:
        return True, await report_store.get_draft(session, reporters=reporters)
    return await report_store.first_sighting_and_draft(session, key=_event_key(sender), now=now, reporters=reporters)


def _event_key(sender: Sender) -> str:
    return f"{sender.platform}:{sender.event}"


@dataclass(frozen=True)
class Notice:
    """A message the bot sends on its own initiative, to a decrypted address."""

    platform: str
    chat_id: str
    message: Message


class Refused(Exception):
    """Ends an event's handling with this reply, before anything was written."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__("refused")
        self.messages = messages
