"""What reporters and teams are told about what changed because people spoke up: never who
reported, and no count small enough to point at someone."""

from datetime import date, tzinfo
from typing import Any

from flows import messages as M
from flows.messages import _


def progress(report: Any, actions: list[Any], zone: tzinfo) -> list[str]:
    """Returns a report's status and the changes agreed because of it, a line each."""
    lines = [_(M.STATUS_REPORT).format(reference=report.reference, status=_(M.STATUS[report.status]),
                                       day=report.submitted_at.astimezone(zone).strftime("%-d %b %Y"))]
    return lines + ([_(M.STATUS_CHANGE).format(what=a.description, done=_(M.STATUS_CHANGE_DONE) if a.done_at else "")
                     for a in actions] or [_(M.STATUS_NO_CHANGES)])


def learning_post(*, team_name: str, start: date, end: date, changes: list[str]) -> str:
    """Returns a team's "you said, we did" post: the changes its reports led to, in plain words."""
    return "\n".join([
        _(M.LEARNING_TITLE).format(team=team_name, start=start.strftime("%-d %b"), end=end.strftime("%-d %b %Y")),
        "", _(M.LEARNING_INTRO), *(_(M.LEARNING_LINE).format(what=what) for what in changes), "",
        _(M.LEARNING_OUTRO),
    ])
