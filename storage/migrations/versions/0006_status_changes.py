"""Each move of a report through its lifecycle, dated, for exports and board reports. Reports
triaged or closed before it get those two moves from their triaged_at and closed_at.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_status_changes_report_id", "status_changes", ["report_id"])
    op.execute(
        "INSERT INTO status_changes (report_id, status, at) "
        "SELECT id, 'triaged', triaged_at FROM reports WHERE triaged_at IS NOT NULL"
    )
    op.execute(
        "INSERT INTO status_changes (report_id, status, at) "
        "SELECT id, 'closed', closed_at FROM reports WHERE closed_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_status_changes_report_id", table_name="status_changes")
    op.drop_table("status_changes")
