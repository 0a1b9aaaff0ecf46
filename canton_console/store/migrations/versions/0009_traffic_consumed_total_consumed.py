"""cc_traffic_consumed.total_consumed: everything a member was ever charged."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_traffic_consumed", sa.Column("total_consumed", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("cc_traffic_consumed", "total_consumed")
