"""cc_mediator_verdicts.informees: what inspection.verdicts reports of a request."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cc_mediator_verdicts", sa.Column("informees", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cc_mediator_verdicts", "informees")
