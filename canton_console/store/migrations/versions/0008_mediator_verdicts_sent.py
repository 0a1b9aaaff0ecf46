"""cc_mediator_verdicts.sent: whether a verdict's receipt came back."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("sent", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "sent")
