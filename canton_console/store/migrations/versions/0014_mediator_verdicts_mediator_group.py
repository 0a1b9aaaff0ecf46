"""cc_mediator_verdicts.mediator_group: what inspection.verdicts reports of a request."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("mediator_group", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "mediator_group")
