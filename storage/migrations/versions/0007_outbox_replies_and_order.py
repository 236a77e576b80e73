"""The outbox keeps replies with their buttons (a reply the live path could not send, and a
report's reference from the moment it is stored), and who each message is for, as a keyed hash,
so one person's messages go out in the order they were queued.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))
        batch_op.create_index("ix_outbox_recipient_id", ["recipient", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_recipient_id")
        batch_op.drop_column("body")
        batch_op.drop_column("recipient")
