"""cc_mediator_verdicts.submitting_participant: what inspection.verdicts reports of a request."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("submitting_participant", sa.String(length=512), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "submitting_participant")
