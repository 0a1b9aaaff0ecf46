"""cc_command_dedup.deadline: when a deduplication entry in flight is certainly decided."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_command_dedup", sa.Column("deadline", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_command_dedup", "deadline")
