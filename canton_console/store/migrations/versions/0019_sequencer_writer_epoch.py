"""cc_sequencer_writer: the epoch of the sequencer process that orders (``sequencer.high-availability``).

Each process that takes the writer lock increments the epoch; every store transaction of a flush
checks that it still holds its epoch, so a writer that lost its lock without noticing (its lock
connection cut, the process paused) cannot store events after another process took over. The
writer's heartbeat lets the others see that it is stalled."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cc_sequencer_writer",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cc_sequencer_writer")
