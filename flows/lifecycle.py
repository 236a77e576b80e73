"""A report's lifecycle (DESIGN.md): its statuses in order, and the moves allowed between them."""

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    UNDER_REVIEW = "under_review"
    ACTION_AGREED = "action_agreed"
    FEEDBACK_SENT = "feedback_sent"
    CLOSED = "closed"


ORDER = tuple(Status)


class Event(StrEnum):
    """What happens to a report that moves it on by itself."""

    GRADED = "graded"
    ACTION_LINKED = "action_linked"
    ACTION_DONE = "action_done"


# The one table of allowed moves. A manager may move a report to any other status, back as well
# as forward (a report closed too soon is reopened); an event moves it forward to its status,
# never back, so a report a manager has moved further on stays where it is.
MANAGER_MOVES: dict[Status, tuple[Status, ...]] = {
    status: tuple(other for other in ORDER if other is not status) for status in ORDER
}
EVENT_MOVES: dict[Event, Status] = {
    Event.GRADED: Status.TRIAGED,
    Event.ACTION_LINKED: Status.ACTION_AGREED,
    Event.ACTION_DONE: Status.FEEDBACK_SENT,
}

OPEN = tuple(status for status in ORDER if status is not Status.CLOSED)
# Reports whose reporter is still waiting to hear what changed.
AWAITING_FEEDBACK = ORDER[: ORDER.index(Status.FEEDBACK_SENT)]


def may_move(current: str, to: str) -> bool:
    """Says whether a manager may move a report from one status to another."""
    return current in MANAGER_MOVES and to in MANAGER_MOVES[Status(current)]


def after(current: str, event: Event) -> Status:
    """Returns the status a report moves to when the event happens to it."""
    status, target = Status(current), EVENT_MOVES[event]
    return target if ORDER.index(status) < ORDER.index(target) else status
