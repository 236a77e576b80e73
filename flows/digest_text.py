"""A team's digest in words: counts under the small-count threshold are never shown exactly."""

from datetime import date, datetime
from typing import Any

from flows import messages as M
from flows.lists import Lists
from flows.messages import DAY_MONTH, _, day, ngettext
from flows.risk import PROVISIONAL, colour_name
from flows.triage import label

RECURRING = 2  # a theme seen this often in the period is recurring


def count(n: int, small: int) -> str:
    """Returns a count as shown: "fewer than 3" for 1 and 2 when the threshold is 3."""
    return _(M.DIGEST_SMALL).format(small=small) if 0 < n < small else str(n)


def compose(
    figures: Any, *, team_name: str, start: date, end: date, now: datetime, lists: Lists, small: int, feedback_days: int
) -> str:
    """Returns the digest text for one team and period."""
    lines = [
        _(M.DIGEST_TITLE).format(team=team_name, start=day(start, DAY_MONTH), end=day(end)),
        "",
        _(M.DIGEST_NEW).format(total=count(sum(figures.new_by_grade.values()), small)),
    ]
    for grade in lists.grades:
        n = figures.new_by_grade.get(grade.code, 0)
        if n:
            lines.append(_(M.DIGEST_GRADE_LINE).format(grade=_(grade.label), count=count(n, small)))
    lines.append("")
    if figures.waiting:
        lines.append(_(M.DIGEST_WAITING))
        lines += [
            ngettext(M.DIGEST_WAITING_LINE, days := (now - w.submitted_at).days).format(
                reference=w.reference, colour=colour_name(PROVISIONAL[w.grade]), days=days
            )
            for w in figures.waiting
        ]
    else:
        lines.append(_(M.DIGEST_NONE_WAITING))
    recurring = sorted(((n, code) for code, n in figures.themes.items() if n >= RECURRING), reverse=True)
    themes = ", ".join(f"{label(lists.factors, code)} ({count(n, small)})" for n, code in recurring)
    lines.append(_(M.DIGEST_THEMES).format(themes=themes) if themes else _(M.DIGEST_NO_THEMES))
    lines.append(
        _(M.DIGEST_ACTIONS).format(
            done=count(figures.actions_done, small), overdue=count(figures.actions_overdue, small)
        )
    )
    lines.append(_(M.DIGEST_FEEDBACK).format(owed=count(figures.feedback_owed, small)))
    lines.append(measures_line(figures.feedback, days=feedback_days, small=small))
    return "\n".join(lines)


def measures_line(measures: Any, *, days: int, small: int) -> str:
    """Returns the share of reports that had feedback, and the median days to it, in words."""
    if measures.reports < small:
        return _(M.DIGEST_FEEDBACK_FEW).format(days=days)
    if not measures.with_feedback:
        return _(M.DIGEST_FEEDBACK_NONE).format(days=days, reports=measures.reports)
    if measures.with_feedback < small:  # a share would give the exact count away
        return _(M.DIGEST_FEEDBACK_SOME).format(days=days, reports=measures.reports, given=count(1, small))
    return _(M.DIGEST_FEEDBACK_SHARE).format(
        days=days,
        reports=measures.reports,
        given=measures.with_feedback,
        share=round(100 * measures.with_feedback / measures.reports),
        median=f"{measures.median_days:.1f}",
    )
