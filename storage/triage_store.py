"""Reads and writes of the manager side: triage, links, actions, the audit log, manager
sessions, scheduled posts and the figures they show. The caller's unit of work owns the transaction."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    ActionReport,
    AuditEntry,
    ManagerSession,
    Report,
    ReportLink,
    ScheduledPost,
    StatusChange,
)
from storage.report_store import new_reference

OPEN = ("submitted", "triaged", "under_review", "action_agreed", "feedback_sent")
AWAITING_FEEDBACK = ("submitted", "triaged", "under_review", "action_agreed")


async def find_report(session: AsyncSession, *, reference: str, teams: list[str]) -> Report | None:
    """Returns the report with this reference if it belongs to one of these teams."""
    return await session.scalar(
        select(Report).where(Report.reference == reference.strip().upper(), Report.team.in_(teams))
    )


async def open_reports(session: AsyncSession, *, teams: list[str], limit: int = 10) -> list[Report]:
    """Returns the teams' open reports, untriaged first, then the newest."""
    return list(
        await session.scalars(
            select(Report)
            .where(Report.team.in_(teams), Report.status.in_(OPEN))
            .order_by(Report.triaged_at.is_not(None), Report.submitted_at.desc())
            .limit(limit)
        )
    )


async def record_status(session: AsyncSession, *, report: Report, status: str, now: datetime) -> None:
    """Records that a report moved to a status, and when."""
    session.add(StatusChange(report_id=report.id, status=status, at=now))


async def link_reports(session: AsyncSession, *, first: Report, second: Report, now: datetime) -> None:
    """Links two reports that share a pattern, once."""
    low, high = sorted((first.id, second.id))
    if await session.get(ReportLink, (low, high)) is None:
        session.add(ReportLink(first_id=low, second_id=high, linked_at=now))


async def linked_references(session: AsyncSession, *, report_id: str) -> list[str]:
    """Returns the references of the reports linked to this one."""
    other = (
        select(ReportLink.second_id)
        .where(ReportLink.first_id == report_id)
        .union(select(ReportLink.first_id).where(ReportLink.second_id == report_id))
    )
    return list(await session.scalars(select(Report.reference).where(Report.id.in_(other)).order_by(Report.reference)))


async def add_action(
    session: AsyncSession,
    *,
    team: str,
    description: str,
    owner_role: str,
    due_on: date,
    now: datetime,
) -> Action:
    """Returns a new open action, added to the session."""
    action = Action(
        reference=new_reference("AC"),
        team=team,
        description=description,
        owner_role=owner_role,
        due_on=due_on,
        created_at=now,
    )
    session.add(action)
    await session.flush()
    return action


async def find_action(session: AsyncSession, *, reference: str, teams: list[str]) -> Action | None:
    """Returns the action with this reference if it belongs to one of these teams."""
    return await session.scalar(
        select(Action).where(Action.reference == reference.strip().upper(), Action.team.in_(teams))
    )


async def link_action(session: AsyncSession, *, action: Action, report: Report) -> None:
    """Links an action to a report it answers, once."""
    if await session.get(ActionReport, (action.id, report.id)) is None:
        session.add(ActionReport(action_id=action.id, report_id=report.id))


async def open_actions(session: AsyncSession, *, teams: list[str]) -> list[Action]:
    """Returns the teams' actions not yet done, soonest due first."""
    return list(
        await session.scalars(
            select(Action).where(Action.team.in_(teams), Action.done_at.is_(None)).order_by(Action.due_on)
        )
    )


async def actions_for(session: AsyncSession, *, report_id: str) -> list[Action]:
    """Returns the actions linked to a report."""
    return list(
        await session.scalars(
            select(Action).join(ActionReport).where(ActionReport.report_id == report_id).order_by(Action.created_at)
        )
    )


async def reports_of_action(session: AsyncSession, *, action_id: str) -> list[Report]:
    """Returns the reports an action is linked to."""
    return list(await session.scalars(select(Report).join(ActionReport).where(ActionReport.action_id == action_id)))


async def audit(
    session: AsyncSession,
    *,
    actor: str,
    team: str,
    verb: str,
    now: datetime,
    report_id: str | None = None,
    detail: str = "",
) -> None:
    """Writes one line of the audit log."""
    session.add(AuditEntry(at=now, actor=actor, team=team, verb=verb, report_id=report_id, detail=detail[:200]))


async def manager_session(session: AsyncSession, *, manager: str, now: datetime) -> ManagerSession:
    """Returns the manager's chat session, made if they have none."""
    state = await session.get(ManagerSession, manager)
    if state is None:
        state = ManagerSession(manager=manager, awaiting="", data={}, updated_at=now)
        session.add(state)
    return state


async def record_post(session: AsyncSession, *, kind: str, team: str, due_at: datetime, now: datetime) -> bool:
    """Records a team's scheduled post for one due time; False if it was recorded before."""
    if await session.get(ScheduledPost, (kind, team, due_at)) is not None:
        return False
    session.add(ScheduledPost(kind=kind, team=team, due_at=due_at, ran_at=now))
    await session.flush()
    return True


async def last_post(session: AsyncSession, *, kind: str, team: str, before: datetime) -> datetime | None:
    """Returns the due time of the team's latest post of this kind before a time."""
    return await session.scalar(
        select(func.max(ScheduledPost.due_at)).where(
            ScheduledPost.kind == kind, ScheduledPost.team == team, ScheduledPost.due_at < before
        )
    )


async def changes_made(session: AsyncSession, *, team: str, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """Returns each action the team finished in a period that reports led to, with how many."""
    return [
        (description, count)
        for description, count in (
            await session.execute(
                select(Action.description, func.count(ActionReport.report_id))
                .join(ActionReport)
                .where(Action.team == team, Action.done_at >= since, Action.done_at < until)
                .group_by(Action.id, Action.description, Action.done_at)
                .order_by(Action.done_at)
            )
        ).all()
    ]


@dataclass(frozen=True)
class FeedbackMeasures:
    """How well reporters hear back, over the reports submitted in a period."""

    reports: int
    with_feedback: int
    median_days: float | None  # from report to its first feedback, for those that had any


async def feedback_measures(
    session: AsyncSession,
    *,
    since: datetime,
    until: datetime,
    team: str | None = None,
) -> FeedbackMeasures:
    """Returns the feedback measures of one team, or of every team."""
    submitted = [Report.submitted_at >= since, Report.submitted_at < until]
    if team is not None:
        submitted.append(Report.team == team)
    reports = await session.scalar(select(func.count()).select_from(Report).where(*submitted))
    days = [
        (given - sent).total_seconds() / 86400
        for sent, given in (
            await session.execute(
                select(Report.submitted_at, Report.first_feedback_at).where(
                    *submitted, Report.first_feedback_at.is_not(None)
                )
            )
        ).all()
        if given is not None  # never None: the query asks only for reports with feedback
    ]
    return FeedbackMeasures(reports or 0, len(days), statistics.median(days) if days else None)


@dataclass(frozen=True)
class Waiting:
    reference: str
    grade: str
    submitted_at: datetime


@dataclass(frozen=True)
class Figures:
    """What a team's digest counts, from the database, without a single report's text."""

    new_by_grade: dict[str, int]
    waiting: list[Waiting]
    themes: dict[str, int]
    actions_done: int
    actions_overdue: int
    feedback_owed: int
    weekly: dict[date, dict[str, int]]  # the Monday of each week -> grade -> new reports
    matrix: dict[tuple[int, int], int]  # (consequence, likelihood) -> triaged reports
    feedback: FeedbackMeasures


async def figures(
    session: AsyncSession,
    *,
    team: str,
    since: datetime,
    now: datetime,
    trend_since: datetime,
    waiting_grades: tuple[str, ...],
    zone: tzinfo,
    feedback_since: datetime,
) -> Figures:
    """Returns the team's digest figures: new reports since `since`, open work as of `now`."""
    in_team = Report.team == team
    new = and_(in_team, Report.submitted_at >= since, Report.submitted_at < now)
    new_by_grade = dict(
        (await session.execute(select(Report.grade, func.count()).where(new).group_by(Report.grade))).all()
    )
    waiting = [
        Waiting(*row)
        for row in (
            await session.execute(
                select(Report.reference, Report.grade, Report.submitted_at)
                .where(in_team, Report.status == "submitted", Report.grade.in_(waiting_grades))
                .order_by(Report.submitted_at)
                .limit(20)
            )
        ).all()
    ]
    themes: dict[str, int] = {}
    for listed in await session.scalars(select(Report.themes).where(new)):
        for code in listed or ():
            themes[code] = themes.get(code, 0) + 1
    for listed in await session.scalars(select(Report.factors).where(new, Report.triaged_at.is_(None))):
        for code in listed or ():  # untriaged reports count by their reporter's factors
            themes[code] = themes.get(code, 0) + 1
    actions_done = await session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.team == team, Action.done_at >= since, Action.done_at < now)
    )
    actions_overdue = await session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.team == team, Action.done_at.is_(None), Action.due_on < now.date())
    )
    feedback_owed = await session.scalar(
        select(func.count())
        .select_from(Report)
        .where(in_team, Report.wants_feedback.is_(True), Report.status.in_(AWAITING_FEEDBACK))
    )
    weekly: dict[date, dict[str, int]] = {}
    for submitted_at, grade in (
        await session.execute(
            select(Report.submitted_at, Report.grade).where(
                in_team, Report.submitted_at >= trend_since, Report.submitted_at < now
            )
        )
    ).all():
        day = submitted_at.astimezone(zone).date()
        monday = date.fromordinal(day.toordinal() - day.weekday())
        weekly.setdefault(monday, {}).setdefault(grade, 0)
        weekly[monday][grade] += 1
    matrix = {
        (consequence, likelihood): n
        for consequence, likelihood, n in (
            await session.execute(
                select(Report.consequence, Report.likelihood, func.count())
                .where(in_team, Report.consequence.is_not(None))
                .group_by(Report.consequence, Report.likelihood)
            )
        ).all()
        if consequence is not None and likelihood is not None  # a graded report has both
    }
    feedback = await feedback_measures(session, since=feedback_since, until=now, team=team)
    return Figures(
        new_by_grade,
        waiting,
        themes,
        actions_done or 0,
        actions_overdue or 0,
        feedback_owed or 0,
        weekly,
        matrix,
        feedback,
    )
