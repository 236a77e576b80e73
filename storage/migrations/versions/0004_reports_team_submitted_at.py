"""Reports indexed by team and time together, so a digest reads only the weeks it covers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reports_team_submitted_at", "reports", ["team", "submitted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reports_team_submitted_at", table_name="reports")
