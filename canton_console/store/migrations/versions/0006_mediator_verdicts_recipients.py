"""cc_mediator_verdicts.recipients: what it takes to send a verdict again after a crash."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("recipients", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "recipients")
