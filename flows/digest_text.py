"""A team's digest, and the feedback table of `nearmiss stats`, in words: no count under the
small-count threshold is shown exactly or can be worked out from the others (flows/disclosure.py)."""

from datetime import date, datetime
from typing import Any

from flows import messages as M
from flows.disclosure import breakdown, count, exact_share, hidden
from flows.lists import Lists
from flows.messages import DAY_MONTH, _, day, ngettext
from flows.risk import PROVISIONAL, colour_name
from flows.triage import label

RECURRING = 2  # a theme seen this often in the period is recurring (if that reaches `small`)


def compose(
    figures: Any, *, team_name: str, start: date, end: date, now: datetime, lists: Lists, small: int, feedback_days: int
) -> str:
    """Returns the digest text for one team and period."""
    lines = [
        _(M.DIGEST_TITLE).format(team=team_name, start=day(start, DAY_MONTH), end=day(end)),
        "",
        _(M.DIGEST_NEW).format(total=count(sum(figures.new_by_grade.values()), small)),
    ]
    by_grade = breakdown(figures.new_by_grade, small)
    if by_grade is None:
        lines.append(_(M.DIGEST_GRADES_HIDDEN).format(small=small))
    for grade in lists.grades:
        if n := (by_grade or {}).get(grade.code, 0):
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
    # Listed only from `small` on: "recurring (fewer than 3)" would say exactly 2.
    often = max(RECURRING, small)
    recurring = sorted(((n, code) for code, n in figures.themes.items() if n >= often), reverse=True)
    themes = ", ".join(f"{label(lists.factors, code)} ({n})" for n, code in recurring)
    lines.append(_(M.DIGEST_THEMES).format(themes=themes) if themes else _(M.DIGEST_NO_THEMES).format(often=often))
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
    reports, given = measures.reports, measures.with_feedback
    if reports < small:
        return _(M.DIGEST_FEEDBACK_FEW).format(days=days)
    if not given:
        return _(M.DIGEST_FEEDBACK_NONE).format(days=days, reports=reports)
    if hidden(given, small):  # a share would give the exact count away
        return _(M.DIGEST_FEEDBACK_SOME).format(days=days, reports=reports, given=count(given, small))
    if not exact_share(reports, given, small):  # and so would one of those without
        return _(M.DIGEST_FEEDBACK_MOST).format(days=days, reports=reports, missing=count(reports - given, small))
    return _(M.DIGEST_FEEDBACK_SHARE).format(
        days=days,
        reports=measures.reports,
        given=measures.with_feedback,
        share=round(100 * measures.with_feedback / measures.reports),
        median=f"{measures.median_days:.1f}",
    )


def stats_table(rows: list[tuple[str, Any]], everyone: Any, *, days: int, small: int) -> list[str]:
    """Returns `nearmiss stats`' table: each team's reports, how many had feedback, the share
    and the median days to it, with small counts hidden; and the row for all teams only when
    neither a team's figures nor what is left of the total beyond the teams listed (reports of a
    team no longer configured) is hidden, since the sum less the rows shown would give it away."""
    lines = [
        f"Feedback on the reports of the last {days} days:",
        f"{'team':<20}{'reports':>14}{'with feedback':>15}{'share':>7}{'median days to it':>19}",
    ]
    lines += [f"{team:<20}{_stats_cells(m, small)}" for team, m in rows]
    others = (
        everyone.reports - sum(m.reports for _team, m in rows),
        everyone.with_feedback - sum(m.with_feedback for _team, m in rows),
    )
    if all(exact_share(m.reports, m.with_feedback, small) for _team, m in rows) and exact_share(*others, small):
        lines.append(f"{'all teams':<20}{_stats_cells(everyone, small)}")
    else:
        lines.append(f"all teams: not shown, as it would give away a count under {small}")
    return lines


def _stats_cells(m: Any, small: int) -> str:
    exact = exact_share(m.reports, m.with_feedback, small)
    if exact:
        given = str(m.with_feedback)
    elif hidden(m.reports, small):
        given = "-"
    else:  # fewer than `small` with feedback, or all but fewer than `small`
        given = f"<{small}" if hidden(m.with_feedback, small) else f">{m.reports - small}"
    share = f"{100 * m.with_feedback / m.reports:.0f}%" if exact and m.reports else "-"
    median = f"{m.median_days:.1f}" if exact and m.median_days is not None else "-"
    return f"{count(m.reports, small):>14}{given:>15}{share:>7}{median:>19}"
