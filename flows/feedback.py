"""What reporters and teams are told about what changed because people spoke up: never who
reported, and no count small enough to point at someone."""

from datetime import date, tzinfo
from typing import Any

from flows import messages as M
from flows.messages import DAY_MONTH, _, day


def progress(report: Any, actions: list[Any], zone: tzinfo) -> list[str]:
    """Returns a report's status and the changes agreed because of it, a line each."""
    lines = [
        _(M.STATUS_REPORT).format(
            reference=report.reference,
            status=_(M.STATUS[report.status]),
            day=day(report.submitted_at.astimezone(zone)),
        )
    ]
    return lines + (
        [
            _(M.STATUS_CHANGE).format(what=a.description, done=_(M.STATUS_CHANGE_DONE) if a.done_at else "")
            for a in actions
        ]
        or [_(M.STATUS_NO_CHANGES)]
    )


POST_LIMIT = 3000  # characters: a Slack section holds 3,000 and a Telegram message 4,096


def learning_post(*, team_name: str, start: date, end: date, changes: list[str]) -> str:
    """Returns a team's "you said, we did" post: the changes its reports led to, in plain words,
    as many as fit one post."""
    title = _(M.LEARNING_TITLE).format(team=team_name, start=day(start, DAY_MONTH), end=day(end))
    lines = [_(M.LEARNING_LINE).format(what=what) for what in changes]

    def post(shown: int) -> str:
        more = [_(M.LEARNING_MORE).format(more=len(lines) - shown)] if shown < len(lines) else []
        return "\n".join([title, "", _(M.LEARNING_INTRO), *lines[:shown], *more, "", _(M.LEARNING_OUTRO)])

    shown = len(lines)
    while shown and len(post(shown)) > POST_LIMIT:
        shown -= 1
    return post(shown)
