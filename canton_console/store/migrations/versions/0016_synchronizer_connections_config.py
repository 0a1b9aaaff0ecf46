"""cc_synchronizer_connections.config: a synchronizer connection's full configuration."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_synchronizer_connections", sa.Column("config", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_synchronizer_connections", "config")
