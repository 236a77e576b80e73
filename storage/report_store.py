"""Reads and writes, one function each; the caller's unit of work owns the transaction."""

import json
import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Integer, bindparam, column, delete, exists, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from flows.draft import ReportContent
from storage.database import insert_new
from storage.keys import Keys, Pseudonym
from storage.models import Base, Contact, Draft, Membership, OutboxMessage, Report, SeenEvent

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud safely
REFERENCE_LENGTH = 8


def new_reference(prefix: str = "NM") -> str:
    """Returns a random reference code such as NM-7K3F-9Q2C (or AC-... for an action)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


# Drafts.

_DRAFTS = Base.metadata.tables[Draft.__tablename__]  # the Table: SQLAlchemy types __table__ as any FromClause
_DRAFT_OF = select(_DRAFTS).where(_DRAFTS.c.reporter.in_(bindparam("reporters", expanding=True))).limit(1)


async def get_draft(session: AsyncSession, *, reporters: list[str]) -> Draft | None:
    """Returns the reporter's draft, if they have one, found by any of their pseudonyms.

    Read on every answer, as a row rather than through the ORM's loading, which cost more CPU
    than the query: the draft comes back unattached to the session, and `save_draft` and
    `delete_draft` write it by its id and the version read.
    """
    row = (await session.execute(_DRAFT_OF, {"reporters": reporters})).first()  # built once
    return None if row is None else Draft(**row._mapping)


async def get_draft_by_id(session: AsyncSession, *, draft_id: str) -> Draft | None:
    """Returns the draft with this id, if it still exists."""
    return await session.get(Draft, draft_id)


async def add_draft(
    session: AsyncSession,
    *,
    reporter: str,
    team: str,
    platform: str,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> Draft:
    """Returns a new draft, added to the session."""
    draft = Draft(reporter=reporter, team=team, platform=platform, state=state, updated_at=now, expires_at=expires_at)
    session.add(draft)
    await session.flush()
    return draft


_SAVE_DRAFT = (  # built once: run on every answer. SET takes state, updated_at and expires_at.
    update(_DRAFTS)
    .where(_DRAFTS.c.id == bindparam("draft_id"), _DRAFTS.c.version == bindparam("read_version"))
    .values(version=_DRAFTS.c.version + 1)
)


async def save_draft(
    session: AsyncSession,
    *,
    draft: Draft,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    """Stores a draft's new state, unless another answer changed the draft since it was read.

    One UPDATE checked against the version read, as the ORM's version counter would, without
    the ORM's flush, which cost more CPU than the rest of an answer.
    """
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as Result only.
    saved = cast(
        "CursorResult[Any]",
        await session.execute(
            _SAVE_DRAFT,
            {
                "draft_id": draft.id,
                "read_version": draft.version,
                "state": state,
                "updated_at": now,
                "expires_at": expires_at,
            },
        ),
    )
    if saved.rowcount != 1:
        raise StaleDataError("the draft changed since it was read")
    stored = {"version": draft.version + 1, "state": state, "updated_at": now, "expires_at": expires_at}
    for name, value in stored.items():
        set_committed_value(draft, name, value)  # the session's copy as stored, for any later flush


async def expired_drafts(session: AsyncSession, *, now: datetime) -> list[Draft]:
    """Returns the drafts left idle past their expiry time."""
    return list(await session.scalars(select(Draft).where(Draft.expires_at <= now)))


_DELETE_DRAFT = delete(_DRAFTS).where(_DRAFTS.c.id == bindparam("draft_id"), _DRAFTS.c.version == bindparam("version"))


async def delete_draft(session: AsyncSession, *, draft: Draft) -> None:
    """Deletes a draft and, with it, its contact, unless another answer changed the draft since
    it was read (checked as the ORM's version counter would)."""
    await session.execute(delete(Contact).where(Contact.draft_id == draft.id))
    # A DELETE without RETURNING gives a CursorResult; Session.execute is typed as Result only.
    deleted = cast(
        "CursorResult[Any]", await session.execute(_DELETE_DRAFT, {"draft_id": draft.id, "version": draft.version})
    )
    if deleted.rowcount != 1:
        raise StaleDataError("the draft changed since it was read")


# The contact vault.


async def seal_contact(
    session: AsyncSession,
    *,
    keys: Keys,
    address: dict[str, str],
    now: datetime,
    draft_id: str | None = None,
    report_id: str | None = None,
) -> None:
    """Stores, encrypted, how to reach the reporter of a draft or a report, replacing any earlier."""
    key_id, ciphertext = keys.seal(json.dumps(address, sort_keys=True))
    owner = Contact.draft_id == draft_id if draft_id else Contact.report_id == report_id
    contact = await session.scalar(select(Contact).where(owner))
    if contact is None:
        session.add(
            Contact(draft_id=draft_id, report_id=report_id, key_id=key_id, ciphertext=ciphertext, created_at=now)
        )
    else:
        contact.key_id, contact.ciphertext = key_id, ciphertext


async def open_draft_contact(session: AsyncSession, *, keys: Keys, draft_id: str) -> dict[str, str] | None:
    """Returns the decrypted address of a draft's reporter, if one was kept."""
    contact = await session.scalar(select(Contact).where(Contact.draft_id == draft_id))
    if contact is None:
        return None
    address: dict[str, str] = json.loads(keys.open(contact.key_id, contact.ciphertext))
    return address


async def open_report_contact(session: AsyncSession, *, keys: Keys, report_id: str) -> dict[str, str] | None:
    """Returns the decrypted address of a report's reporter, if they asked to hear back."""
    contact = await session.scalar(select(Contact).where(Contact.report_id == report_id))
    if contact is None:
        return None
    address: dict[str, str] = json.loads(keys.open(contact.key_id, contact.ciphertext))
    return address


async def forget_report_contact(session: AsyncSession, *, report_id: str) -> None:
    """Deletes the way back to a report's reporter; the report stays, unreachable."""
    await session.execute(delete(Contact).where(Contact.report_id == report_id))


async def quiet_reports(
    session: AsyncSession,
    *,
    statuses: tuple[str, ...],
    silent_since: datetime,
    limit: int,
) -> list[Report]:
    """Returns reports in these statuses whose reporter asked to hear back and has heard nothing
    since a time."""
    return list(
        await session.scalars(
            select(Report)
            .join(Contact, Contact.report_id == Report.id)
            .where(Report.status.in_(statuses), Report.last_news_at < silent_since)
            .order_by(Report.last_news_at)
            .limit(limit)
            .with_for_update(of=Report, skip_locked=True)  # a manager changing one now is telling them already
        )
    )


# Reports.


async def add_report(
    session: AsyncSession,
    *,
    content: ReportContent,
    team: str,
    reporter: Pseudonym,
    platform: str,
    now: datetime,
) -> Report:
    """Returns a new submitted report with a fresh reference code, added to the session."""
    reference = new_reference()
    while await session.scalar(select(exists().where(Report.reference == reference))):
        reference = new_reference()
    report = Report(
        reference=reference,
        team=team,
        reporter=reporter.value,
        pseudonym_key_id=reporter.key_id,
        platform=platform,
        occurred_on=content.occurred_on,
        occurred_at=content.occurred_at,
        setting=content.setting,
        involved=list(content.involved),
        what=content.what,
        immediate_action=content.immediate_action,
        grade=content.grade,
        factors=list(content.factors),
        what_stopped_it=content.what_stopped_it,
        wants_feedback=content.wants_feedback,
        status="submitted",
        submitted_at=now,
        last_news_at=now,
    )
    session.add(report)
    await session.flush()
    return report


async def keep_contact_for_report(session: AsyncSession, *, draft_id: str, report_id: str) -> None:
    """Moves a draft's sealed contact onto the report it became."""
    contact = await session.scalar(select(Contact).where(Contact.draft_id == draft_id))
    if contact is not None:
        contact.draft_id, contact.report_id = None, report_id


async def report_with_reference(session: AsyncSession, *, reference: str) -> Report | None:
    """Returns the report with this reference, if there is one."""
    return await session.scalar(select(Report).where(Report.reference == reference.strip().upper()[:16]))


async def reports_by(session: AsyncSession, *, reporters: list[str], limit: int = 20) -> list[Report]:
    """Returns a reporter's own reports, by any of their pseudonyms, newest first."""
    rows = await session.scalars(
        select(Report).where(Report.reporter.in_(reporters)).order_by(Report.submitted_at.desc()).limit(limit)
    )
    return list(rows)


# Teams.


async def teams_joined(session: AsyncSession, *, reporters: list[str]) -> list[str]:
    """Returns the teams a reporter joined by invite code, by any of their pseudonyms, earliest first."""
    rows = await session.scalars(
        select(Membership.team).where(Membership.reporter.in_(reporters)).order_by(Membership.joined_at)
    )
    return list(rows)


async def join_team(session: AsyncSession, *, reporter: str, team: str, now: datetime) -> None:
    """Records that a reporter joined a team, once."""
    if await session.get(Membership, (reporter, team)) is None:
        session.add(Membership(reporter=reporter, team=team, joined_at=now))


async def contacts_not_sealed_with(session: AsyncSession, *, key_id: str, batch: int) -> list[Contact]:
    """Returns up to `batch` contacts sealed with any key but this one."""
    return list(await session.scalars(select(Contact).where(Contact.key_id != key_id).limit(batch)))


async def key_ids_in_use(session: AsyncSession) -> set[str]:
    """Returns the ids of every key that some stored row depends on."""
    pseudonym_ids = await session.scalars(select(Report.pseudonym_key_id).distinct())
    contact_ids = await session.scalars(select(Contact.key_id).distinct())
    queued_ids = await session.scalars(
        select(OutboxMessage.address_key_id).where(OutboxMessage.address_key_id.is_not(None)).distinct()
    )
    return set(pseudonym_ids) | set(contact_ids) | {key for key in queued_ids if key}


async def purge(session: AsyncSession, *, contacts_before: datetime, closed_before: datetime | None) -> None:
    """Deletes contacts kept since before one time, and reports closed before another."""
    await session.execute(delete(Contact).where(Contact.created_at < contacts_before))
    if closed_before is not None:
        await session.execute(delete(Report).where(Report.closed_at < closed_before))


async def erase_report(session: AsyncSession, *, reference: str) -> bool:
    """Deletes a report and its contact; says whether there was one."""
    report = await session.scalar(select(Report).where(Report.reference == reference.strip().upper()))
    if report is None:
        return False
    await session.execute(delete(Contact).where(Contact.report_id == report.id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.key.contains(report.id)))
    await session.delete(report)
    return True


# Inbound events.


async def first_sighting(session: AsyncSession, *, key: str, now: datetime) -> bool:
    """Records an inbound event; returns False if it was recorded before (a redelivery).

    Of two deliveries racing each other, the later insert waits for the earlier one's
    transaction and, if that commits, inserts nothing.
    """
    return await insert_new(session, SeenEvent, unique=("key",), key=key, seen_at=now)


# An answer's first two reads as one statement on PostgreSQL (a round trip, and SQLAlchemy's cost
# of a statement, fewer on every answer): the event recorded, as first_sighting does, beside the
# reporter's draft as get_draft reads it. The one-row FROM keeps the count when there is no draft.
_SEEN = Base.metadata.tables[SeenEvent.__tablename__]
_SIGHTING_AND_DRAFT = (
    text(
        f"""WITH seen AS (
            INSERT INTO {_SEEN.name} (key, seen_at) VALUES (:key, :seen_at) ON CONFLICT (key) DO NOTHING RETURNING key
        )
        SELECT (SELECT count(*) FROM seen) AS first_sighting, {", ".join(f"draft.{c.name}" for c in _DRAFTS.c)}
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (SELECT * FROM {_DRAFTS.name} WHERE reporter IN :reporters LIMIT 1) AS draft ON true"""
    )
    .bindparams(
        bindparam("key", type_=_SEEN.c.key.type),
        bindparam("seen_at", type_=_SEEN.c.seen_at.type),
        bindparam("reporters", type_=_DRAFTS.c.reporter.type, expanding=True),
    )
    .columns(column("first_sighting", Integer), *_DRAFTS.c)
)


async def first_sighting_and_draft(
    session: AsyncSession, *, key: str, now: datetime, reporters: list[str]
) -> tuple[bool, Draft | None]:
    """Records an inbound event and returns the reporter's draft: whether this is the event's
    first arrival (see first_sighting), and the draft if they have one (see get_draft)."""
    if session.get_bind().dialect.name != "postgresql":  # SQLite: no INSERT in a WITH, no round trips
        return await first_sighting(session, key=key, now=now), await get_draft(session, reporters=reporters)
    row = (await session.execute(_SIGHTING_AND_DRAFT, {"key": key, "seen_at": now, "reporters": reporters})).one()
    values = dict(row._mapping)
    first = values.pop("first_sighting") == 1
    return first, None if values["id"] is None else Draft(**values)


async def forget_events(session: AsyncSession, *, before: datetime) -> None:
    """Deletes the record of events seen before a time no platform redelivers after."""
    await session.execute(delete(SeenEvent).where(SeenEvent.seen_at < before))
