"""The store's schema history: Alembic revisions in ``versions/``, run programmatically (``runner``).

Every change to the tables is a revision: a new store is created by running them all, an existing
one is brought up to date by running those it lacks (at start with ``migrate-and-start = yes``, or
by ``<node>.db.migrate``). The models in ``schema.py`` describe the newest schema and must agree
with the revisions (``tests/test_migrations.py`` compares them).

To add an index or a column to an existing table:

1. change the model in ``schema.py`` (``Index(...)``, ``mapped_column(...)``);
2. add ``versions/NNNN_<what>.py`` with the next number as ``revision`` and the last one as
   ``down_revision`` (the revision ids are the schema version numbers, four digits), whose
   ``upgrade()`` calls ``op.create_index(...)`` / ``op.add_column(...)`` and ``downgrade()`` undoes
   it. ``python -m canton_console.store.migrations.runner revision "<what>"`` writes that file
   from the difference between the models and the revisions;
3. run ``python -m pytest tests/test_migrations.py``.

A new table needs only step 2's ``op.create_table(...)`` besides its model. Never edit a revision
once released: stores already carry it.

Nothing here imports Alembic: opening a store that is up to date only reads its revision and
compares it with the newest file name here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).parent / "versions"
REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


@cache
def revision_ids() -> tuple[str, ...]:
    """The revisions in order, oldest first (from the file names; the runner checks they chain)."""
    return tuple(sorted(m.group(1) for m in map(REVISION_FILE.match, (p.name for p in VERSIONS.iterdir())) if m))


def head() -> str:
    return revision_ids()[-1]


def schema_version(revision: str | None) -> int:
    """The schema version a revision stands for (Canton's messages number migrations); 0: none."""
    return int(revision) if revision else 0
