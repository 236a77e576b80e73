"""Feedback times on reports, one ledger for every scheduled team post (digests and the "you
said, we did" post) replacing digest_runs, and reports indexed by team and time together, so a
digest reads only the weeks it covers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns are only added, never altered: altering one rebuilds the table on SQLite, and
    # dropping the old table would cascade to every contact and link of its reports.
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_feedback_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_news_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_last_news_at"), ["last_news_at"], unique=False)
        batch_op.create_index("ix_reports_team_submitted_at", ["team", "submitted_at"], unique=False)
    # What reporters already heard: the last feedback queued to them, else their submission; and
    # the first feedback given, a change linked (audited) or the report closed.
    op.execute("UPDATE reports SET last_news_at = COALESCE((SELECT MAX(outbox.created_at) FROM outbox "
               "WHERE outbox.key LIKE 'feedback:%:' || reports.id), submitted_at)")
    op.execute("UPDATE reports SET first_feedback_at = (SELECT MIN(audit.at) FROM audit "
               "WHERE audit.report_id = reports.id AND audit.verb = 'link_action')")
    op.execute("UPDATE reports SET first_feedback_at = closed_at WHERE closed_at IS NOT NULL "
               "AND (first_feedback_at IS NULL OR closed_at < first_feedback_at)")

    op.create_table(
        "scheduled_posts",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "team", "due_at"),
    )
    op.execute("INSERT INTO scheduled_posts (kind, team, due_at, ran_at) "
               "SELECT 'digest', team, due_at, ran_at FROM digest_runs")
    op.drop_table("digest_runs")


def downgrade() -> None:
    op.create_table(
        "digest_runs",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team", "due_at"),
    )
    op.execute("INSERT INTO digest_runs (team, due_at, ran_at) "
               "SELECT team, due_at, ran_at FROM scheduled_posts WHERE kind = 'digest'")
    op.drop_table("scheduled_posts")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_team_submitted_at")
        batch_op.drop_index(batch_op.f("ix_reports_last_news_at"))
        batch_op.drop_column("last_news_at")
        batch_op.drop_column("first_feedback_at")
