"""The time, for everyone: aware UTC datetimes, and a clock that tests can set."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Returns the current time in UTC, aware."""
    return datetime.now(UTC)
