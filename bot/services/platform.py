"""The one shape of every chat platform: what the runner, the outbox and the front hold an
adapter by. A new platform is one module implementing it, plus its tests."""

from dataclasses import dataclass
from typing import Any, Protocol

from flows.chat import Message
from flows.commands import Vocabulary


@dataclass(frozen=True)
class Limits:
    """What one message on the platform holds."""

    text: int  # characters in one message (or section); longer texts go out in parts
    button_label: int  # characters of a button's label shown


class SendFailed(Exception):
    """A platform refused a message: try again later (after `retry_after` if it said), or never."""

    def __init__(self, *, retry_after: float | None = None, permanent: bool = False, reason: str = "") -> None:
        super().__init__(reason or ("permanent" if permanent else f"retry after {retry_after}"))
        self.retry_after, self.permanent = retry_after, permanent


class Platform(Protocol):
    name: str
    limits: Limits
    vocabulary: Vocabulary  # how its users spell each command

    async def start(self) -> None:
        """Connects, or starts listening, and returns once events are being taken; raises if it
        cannot (the runner calls stop, waits, and calls start again)."""

    async def stop(self) -> None:
        """Stops taking events and lets go of connections; safe after a start that failed."""

    def render(self, message: Message) -> Any:
        """Returns a neutral message (text, option buttons, controls) as the platform's API takes it."""

    async def send(self, chat_id: str, message: Message) -> None:
        """Replies in a conversation: the message rendered with its buttons, in parts if long."""

    async def deliver(
        self, chat_id: str, text: str, image: bytes | None = None, *, reply: Message | None = None
    ) -> None:
        """Sends one message from the outbox (a reply that could not be sent at once, with its
        buttons, as `send` would); raises SendFailed saying whether to retry."""
