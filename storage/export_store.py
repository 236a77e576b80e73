"""Reads for exports: reports with their links, actions and status changes, a batch at a time,
so memory stays flat however many reports there are. The caller's unit of work owns the transaction."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Action, ActionReport, Report, ReportLink, StatusChange


@dataclass
class ReportRecord:
    """One report and what hangs off it: the references it is linked to, its actions, and each
    move through its lifecycle as (status, when), oldest first."""

    report: Report
    links: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    changes: list[tuple[str, datetime]] = field(default_factory=list)


async def report_records(
    session: AsyncSession,
    *,
    teams: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = 1000,
) -> AsyncIterator[ReportRecord]:
    """Yields the reports submitted in [since, until) of these teams (or all), oldest first."""
    where: list[ColumnElement[bool]] = []
    if teams is not None:
        where.append(Report.team.in_(teams))
    if since is not None:
        where.append(Report.submitted_at >= since)
    if until is not None:
        where.append(Report.submitted_at < until)
    after: tuple[datetime, str] | None = None
    while True:
        page = select(Report).where(*where).order_by(Report.submitted_at, Report.id).limit(batch)
        if after is not None:  # keyset paging: each page starts where the last ended
            page = page.where(
                or_(Report.submitted_at > after[0], and_(Report.submitted_at == after[0], Report.id > after[1]))
            )
        reports = list(await session.scalars(page))
        if not reports:
            return
        records = {report.id: ReportRecord(report) for report in reports}
        await _fill(session, records)
        for record in records.values():
            yield record
        session.expunge_all()  # the page is written out: let it go
        after = (reports[-1].submitted_at, reports[-1].id)
        if len(reports) < batch:
            return


async def _fill(session: AsyncSession, records: dict[str, ReportRecord]) -> None:
    """Fills in the links, actions and status changes of a page of reports, a query each."""
    ids = list(records)
    other = aliased(Report)
    for mine, theirs in ((ReportLink.first_id, ReportLink.second_id), (ReportLink.second_id, ReportLink.first_id)):
        for report_id, reference in await session.execute(
            select(mine, other.reference).join(other, other.id == theirs).where(mine.in_(ids))
        ):
            records[report_id].links.append(reference)
    for record in records.values():
        record.links.sort()
    for report_id, action in await session.execute(
        select(ActionReport.report_id, Action)
        .join(Action, Action.id == ActionReport.action_id)
        .where(ActionReport.report_id.in_(ids))
        .order_by(Action.created_at, Action.id)
    ):
        records[report_id].actions.append(action)
    for report_id, status, at in await session.execute(
        select(StatusChange.report_id, StatusChange.status, StatusChange.at)
        .where(StatusChange.report_id.in_(ids))
        .order_by(StatusChange.at, StatusChange.id)
    ):
        records[report_id].changes.append((status, at))
