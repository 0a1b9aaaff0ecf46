"""cc_command_dedup.change: the change id's parts, readable."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_command_dedup", sa.Column("change", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_command_dedup", "change")
