"""Running the store's revisions with Alembic, programmatically: no ``alembic.ini``, a ``Config``
built here, always on a connection the caller opened and inside the caller's transaction.

Imported only when a store is new, has revisions pending, or predates Alembic: opening an up-to-date
store never imports Alembic (see ``canton_console.store.migrations``).

Stores of the layout before Alembic (a ``cc_schema_meta`` marker with schema version 1, no
``alembic_version``) are *adopted*: revisions 0002 to ``LEGACY_HEAD`` are the columns that layout
added with ``ALTER TABLE`` at start, in the order it added them, so the columns a store has tell its
revision. Adoption creates the tables and indexes of revision 0001 the store lacks (that layout
created them at every start), stamps the revision its columns show, and the usual upgrade follows.

    python -m canton_console.store.migrations.runner revision "<what it adds>"

writes the next revision file from the difference between the models and the revisions.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from alembic import command, context
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text

from canton_console.store.migrations import revision_ids

MIGRATIONS = Path(__file__).parent
# The last revision of the layout before Alembic: its ADDED_COLUMNS, as revisions 0002 to 0016.
LEGACY_HEAD = "0016"
VERSION_TABLE = "alembic_version"
# PostgreSQL: replicas opening one new store at once create or upgrade it one after the other.
PG_MIGRATION_LOCK = 0x63635F6D69677261  # "cc_migra"


# Which autogenerate plugins load is no news for an operator's log (the revisions run are logged).
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


class AdoptionError(ValueError):
    """A store of the layout before Alembic whose columns match no revision of that layout."""


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def script() -> ScriptDirectory:
    """The revisions, checked to form one chain in the order of their file names (which is how
    opening a store finds the newest one without Alembic)."""
    directory = ScriptDirectory.from_config(config())
    chain = [r.revision for r in reversed(list(directory.walk_revisions()))]
    if tuple(chain) != revision_ids():
        raise RuntimeError(f"the store's revisions do not chain in the order of their files: {chain} vs {list(revision_ids())}")
    return directory


def _run(conn: Connection, steps: Callable[[Any, Any], Any]) -> None:
    """What ``alembic.command`` does with ``env.py``, on the cached revisions (loading them again
    for every store would cost more than creating one)."""
    with EnvironmentContext(config(conn), script(), fn=steps):
        context.configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


def upgrade(conn: Connection, target: str = "head") -> None:
    _run(conn, lambda current, _context: script()._upgrade_revs(target, current))


def downgrade(conn: Connection, target: str) -> None:
    _run(conn, lambda current, _context: script()._downgrade_revs(target, current))


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` as the store's (replacing whatever ``alembic_version`` held)."""
    if VERSION_TABLE in inspect(conn).get_table_names():
        conn.execute(text(f"DELETE FROM {VERSION_TABLE}"))
    _run(conn, lambda current, _context: script()._stamp_revs(revision, current))


# ---- what a store holds ---------------------------------------------------------------------


@attrs.frozen
class Layout:
    """The shape of a store's schema that every dialect reports alike: its tables' columns and
    their named indexes (types and defaults vary by dialect and are not compared)."""

    columns: Mapping[str, frozenset[str]]
    indexes: Mapping[str, frozenset[str]]


def layout_of(conn: Connection) -> Layout:
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # Expression indexes (cc_ledger_updates_by_synchronizer_record_time) are not reflected on
        # some dialects: left out of the store's layout and of every revision's alike.
        warnings.filterwarnings("ignore", category=SAWarning, message=".*expression-based index.*")
        return _layout_of(conn)


def _layout_of(conn: Connection) -> Layout:
    inspector = inspect(conn)
    columns: dict[str, frozenset[str]] = {}
    indexes: dict[str, frozenset[str]] = {}
    for table in inspector.get_table_names():
        if table == VERSION_TABLE:
            continue
        columns[table] = frozenset(c["name"] for c in inspector.get_columns(table))
        indexes[table] = frozenset(
            str(i["name"]) for i in inspector.get_indexes(table) if i["name"] and not i.get("duplicates_constraint") and not str(i["name"]).startswith("sqlite_")
        )
    return Layout(columns, indexes)


@cache
def revision_layouts() -> tuple[tuple[str, Layout], ...]:
    """Each revision's layout, from running the revisions one by one on a scratch in-memory SQLite."""
    engine = create_engine("sqlite://")
    layouts = []
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            for revision in revision_ids():
                upgrade(conn, revision)
                layouts.append((revision, layout_of(conn)))
            conn.rollback()
    finally:
        engine.dispose()
    return tuple(layouts)


def legacy_revision(store: Layout, layouts: Sequence[tuple[str, Layout]]) -> str:
    """The revision a store of the layout before Alembic is on: the last of that layout's
    revisions whose columns it all has, counting the tables of the first revision it lacks (its
    next start would have created them). Refused when its columns fit no revision: one missing
    that no revision adds, or a later revision's column present while an earlier one's is not."""
    legacy = [(revision, layout) for revision, layout in layouts if revision <= LEGACY_HEAD]
    first = legacy[0][1]
    effective = {**{t: c for t, c in first.columns.items() if t not in store.columns}, **store.columns}

    def has(layout: Layout) -> bool:
        return all(columns <= effective.get(table, frozenset()) for table, columns in layout.columns.items())

    if not has(first):
        missing = sorted(f"{t}.{c}" for t, cols in first.columns.items() for c in cols - effective.get(t, frozenset()))
        raise AdoptionError(f"it lacks columns that no migration adds ({', '.join(missing)})")
    current = legacy[0][0]
    for revision, layout in legacy[1:]:
        if not has(layout):
            break
        current = revision
    layout_at = dict(legacy)
    later = sorted(
        f"{t}.{c}" for t, cols in legacy[-1][1].columns.items() for c in cols - layout_at[current].columns.get(t, frozenset()) if c in effective.get(t, frozenset())
    )
    if later:
        raise AdoptionError(f"it has columns of migrations after schema version {int(current)} without those before them ({', '.join(later)})")
    return current


def matching_revision(store: Layout, layouts: Sequence[tuple[str, Layout]]) -> str | None:
    """The revision whose tables, columns and indexes are exactly the store's (the newest one if
    several are), or None."""
    found = None
    for revision, layout in layouts:
        if layout == store:
            found = revision
    return found


# ---- bringing a store to the newest revision ----------------------------------------------------


def stored_revision(conn: Connection) -> str | None:
    if VERSION_TABLE not in inspect(conn).get_table_names():
        return None
    rows = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]
    return rows[0] if len(rows) == 1 else None


def adopt(conn: Connection) -> str:
    """(in the caller's transaction) Bring a store of the layout before Alembic to the revision its
    columns show and record it; returns that revision."""
    revision = legacy_revision(layout_of(conn), revision_layouts())
    first = script().get_revision(revision_ids()[0])
    assert first is not None and first.module is not None
    first.module.create_missing(conn)
    stamp(conn, revision)
    return revision


def bring_to_head(conn: Connection) -> list[str]:
    """(in the caller's transaction, which holds the database's write lock on SQLite) Create a new
    store, or adopt one of the layout before Alembic, and run the revisions it lacks. Returns them."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
    tables = set(inspect(conn).get_table_names())
    current = stored_revision(conn) if VERSION_TABLE in tables else None
    if current is None and tables - {VERSION_TABLE}:
        current = adopt(conn)
    ids = revision_ids()
    applied = list(ids[ids.index(current) + 1 :] if current else ids)
    if applied:
        upgrade(conn, "head")
    return applied


def pending_after(revision: str | None) -> list[str]:
    ids = revision_ids()
    return list(ids[ids.index(revision) + 1 :] if revision else ids)


# ---- writing a new revision -------------------------------------------------------------------


def new_revision(message: str) -> Path:
    """Write the next revision file: what the models have that the revisions do not create
    (compared on a scratch SQLite brought to the newest revision)."""
    ids = revision_ids()
    next_id = f"{int(ids[-1]) + 1:04d}"
    slug = "_".join("".join(ch if ch.isalnum() else " " for ch in message.lower()).split())[:40] or "change"
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            upgrade(conn)
            conn.commit()
            cfg = config(conn)  # autogenerate runs env.py, on this connection
            cfg.set_main_option("file_template", f"%%(rev)s_{slug}")
            command.revision(cfg, message, autogenerate=True, rev_id=next_id)
    finally:
        engine.dispose()
    return MIGRATIONS / "versions" / f"{next_id}_{slug}.py"


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        raise SystemExit('usage: python -m canton_console.store.migrations.runner revision "<what it adds>"')
    print(new_revision(sys.argv[2]))
