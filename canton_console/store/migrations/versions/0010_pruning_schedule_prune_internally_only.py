"""cc_pruning_schedule.prune_internally_only: a participant schedule that prunes only internal state."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_pruning_schedule", sa.Column("prune_internally_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("cc_pruning_schedule", "prune_internally_only")
