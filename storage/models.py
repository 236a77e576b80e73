"""Tables. No table holds a raw platform user id or chat id in clear.

`reporter` columns hold an HMAC pseudonym; the only way back to a person is an encrypted row in
`contacts`, kept apart from reports and deleted when it is no longer needed.
"""

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, Time
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def random_id() -> str:
    """Returns a random, non-sequential row id."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    pass


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    team: Mapped[str] = mapped_column(String(64), index=True)
    reporter: Mapped[str] = mapped_column(String(64), index=True)
    pseudonym_key_id: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[time | None] = mapped_column(Time)
    setting: Mapped[str] = mapped_column(String(64))
    involved: Mapped[list[str]] = mapped_column(JSONDocument)
    what: Mapped[str] = mapped_column(Text)
    immediate_action: Mapped[str] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(String(32))
    factors: Mapped[list[str]] = mapped_column(JSONDocument)
    what_stopped_it: Mapped[str | None] = mapped_column(Text)
    wants_feedback: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(32), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Triage, by a manager of the team (Appendix D, section 10).
    consequence: Mapped[int | None] = mapped_column(Integer)
    likelihood: Mapped[int | None] = mapped_column(Integer)
    risk_score: Mapped[int | None] = mapped_column(Integer)
    risk_colour: Mapped[str | None] = mapped_column(String(8))  # the band when it was graded
    themes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    needs_rca: Mapped[bool] = mapped_column(Boolean, default=False)
    rca: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)  # {"whys": [...], "barriers": "..."}
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Feedback: the first change or close note about this report, and the last message its
    # reporter was sent about it (a progress note follows a long silence).
    first_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_news_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # set at submission

    __table_args__ = (Index("ix_reports_team_submitted_at", "team", "submitted_at"),)


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    reporter: Mapped[str] = mapped_column(String(64), unique=True)
    team: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class Contact(Base):
    """The encrypted way back to a reporter, for one draft or one report."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Membership(Base):
    """A reporter who joined a team with its invite code."""

    __tablename__ = "memberships"

    reporter: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LanguageChoice(Base):
    """The language a person chose, against a pseudonym of them kept for this alone (reachable
    from their chat address too, so what is sent to them is in their language)."""

    __tablename__ = "language_choices"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeenEvent(Base):
    """An inbound platform event already applied, so a redelivery is not applied twice."""

    __tablename__ = "seen_events"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReportLink(Base):
    """Two reports a manager saw share one underlying pattern; stored once, lower id first."""

    __tablename__ = "report_links"

    first_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Action(Base):
    """A change to practice, process or system that a manager recorded after reports."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    team: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class ActionReport(Base):
    __tablename__ = "action_reports"

    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)


class AuditEntry(Base):
    """Every manager read, change and export. The actor is a pseudonym (or "cli"), never an id."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    team: Mapped[str] = mapped_column(String(64))
    verb: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[str | None] = mapped_column(String(32), index=True)  # kept after the report goes
    detail: Mapped[str] = mapped_column(String(200), default="")


class StatusChange(Base):
    """A report moved to a status (after `submitted`, which its submitted_at dates), and when."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ManagerSession(Base):
    """The report a manager has open in chat, and what typed answer, if any, it waits for."""

    __tablename__ = "manager_sessions"

    manager: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    awaiting: Mapped[str] = mapped_column(String(32), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledPost(Base):
    """One team's scheduled post (its digest, or its "you said, we did" post) for one due time,
    recorded once, so none is sent twice."""

    __tablename__ = "scheduled_posts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A message the bot sends on its own initiative, written with the change that causes it.

    The destination is sealed with the contact key; it is wiped once the message is sent.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # idempotency: one message per key
    platform: Mapped[str] = mapped_column(String(16))
    address_key_id: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # next attempt, or end of a claim
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up: kept for a person to see
    # A keyed hash of the address: one person's messages are sent in the order they were queued.
    recipient: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)  # a reply's buttons, to send it as it was

    __table_args__ = (Index("ix_outbox_recipient_id", "recipient", "id"),)
