"""cc_command_dedup.root_hash: the root hash of the request in flight."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_command_dedup", sa.Column("root_hash", sa.String(length=128), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_command_dedup", "root_hash")
