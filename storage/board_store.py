"""The counts a board report is made of, for one team and period, from aggregates only: no
report's text leaves the database here. The caller's unit of work owns the transaction."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Action, Report
from storage.triage_store import AWAITING_FEEDBACK, FeedbackMeasures, changes_made, feedback_measures


@dataclass(frozen=True)
class PeriodCounts:
    """The reports sent in one period, counted several ways."""

    by_grade: Counter[str]
    by_setting: Counter[str]
    themes: Counter[str]  # a manager's themes, or the reporter's factors before triage
    by_band: Counter[str]  # triaged reports, by the band they were graded into
    untriaged: int
    rca_needed: int
    rca_recorded: int


@dataclass(frozen=True)
class BoardCounts:
    now: PeriodCounts
    before: PeriodCounts  # the period of the same length just before
    actions_agreed: int
    actions_done: int
    actions_overdue: int  # at the period's end: due before it and not done by it
    changes: list[tuple[str, int]]  # what each action finished in the period changed, and its reports
    feedback: FeedbackMeasures
    feedback_owed: int  # reporters who asked to hear back, whose report has not yet told them


async def board_counts(
    session: AsyncSession, *, team: str, since: datetime, until: datetime, before: datetime
) -> BoardCounts:
    """Returns the team's counts for [since, until), and for [before, since) to compare."""
    agreed = select(func.count()).select_from(Action).where(Action.team == team)
    return BoardCounts(
        now=await period_counts(session, team=team, since=since, until=until),
        before=await period_counts(session, team=team, since=before, until=since),
        actions_agreed=await session.scalar(agreed.where(Action.created_at >= since, Action.created_at < until)) or 0,
        actions_done=await session.scalar(agreed.where(Action.done_at >= since, Action.done_at < until)) or 0,
        actions_overdue=await session.scalar(
            agreed.where(
                Action.created_at < until,
                Action.due_on < until.date(),
                (Action.done_at.is_(None)) | (Action.done_at >= until),
            )
        )
        or 0,
        changes=await changes_made(session, team=team, since=since, until=until),
        feedback=await feedback_measures(session, since=since, until=until, team=team),
        feedback_owed=await session.scalar(
            select(func.count())
            .select_from(Report)
            .where(
                Report.team == team,
                Report.submitted_at < until,
                Report.wants_feedback.is_(True),
                Report.status.in_(AWAITING_FEEDBACK),
            )
        )
        or 0,
    )


async def period_counts(session: AsyncSession, *, team: str, since: datetime, until: datetime) -> PeriodCounts:
    """Returns the counts of the team's reports sent in [since, until)."""
    sent = (Report.team == team, Report.submitted_at >= since, Report.submitted_at < until)
    by_grade, by_setting, themes, by_band = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    untriaged = rca_needed = rca_recorded = 0
    columns = (Report.grade, Report.setting, Report.themes, Report.factors, Report.risk_colour)
    rows = await session.execute(select(*columns, Report.needs_rca, Report.rca).where(*sent))
    for grade, setting, listed_themes, factors, colour, needs_rca, rca in rows:
        by_grade[grade] += 1
        by_setting[setting] += 1
        themes.update(set(listed_themes or []) if colour else set(factors or []))
        if colour:
            by_band[colour] += 1
        else:
            untriaged += 1
        rca_needed += bool(needs_rca)
        rca_recorded += bool(needs_rca and rca)
    return PeriodCounts(by_grade, by_setting, themes, by_band, untriaged, rca_needed, rca_recorded)
