"""cc_synchronizer_connections.manual_connect: a synchronizer connection that is not reconnected at start."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_synchronizer_connections", sa.Column("manual_connect", sa.Boolean(), server_default=sa.false(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_synchronizer_connections", "manual_connect")
