"""cc_sequencer_submissions: submissions accepted by sequencer processes that share one database and
not sequenced yet (``sequencer.high-availability``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cc_sequencer_submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("synchronizer_id", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(512), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("request", sa.LargeBinary(), nullable=False),
        sa.Column("received_by", sa.String(255), nullable=False),
    )
    op.create_index("ix_cc_sequencer_submissions_synchronizer_id", "cc_sequencer_submissions", ["synchronizer_id"])


def downgrade() -> None:
    op.drop_index("ix_cc_sequencer_submissions_synchronizer_id", table_name="cc_sequencer_submissions")
    op.drop_table("cc_sequencer_submissions")
