"""Indexes of what a node reads when it starts (issue 16): the participant's last record time per
synchronizer, the mediator's requests after its clean point and its unsent verdicts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # keyed by ``synchronizer_id || ''`` on purpose: see the comment on the index in schema.py
    op.create_index("cc_ledger_updates_by_synchronizer_record_time", "cc_ledger_updates", [sa.text("(synchronizer_id || '')"), "record_time"])
    op.create_index("cc_mediator_verdicts_by_request", "cc_mediator_verdicts", ["request_id"])
    op.create_index("cc_mediator_verdicts_by_sent", "cc_mediator_verdicts", ["sent", "request_id"])


def downgrade() -> None:
    op.drop_index("cc_mediator_verdicts_by_sent", table_name="cc_mediator_verdicts")
    op.drop_index("cc_mediator_verdicts_by_request", table_name="cc_mediator_verdicts")
    op.drop_index("cc_ledger_updates_by_synchronizer_record_time", table_name="cc_ledger_updates")
