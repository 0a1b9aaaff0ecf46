"""cc_mediator_verdicts.root_hash: what it takes to send a verdict again after a crash."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("root_hash", sa.String(length=128), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "root_hash")
