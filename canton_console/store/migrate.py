"""``<node>.db.migrate`` and ``<node>.db.repair_migration``: Canton runs Flyway; our store's
migrations are Alembic revisions (``store/migrations/``), its migration record is the
``alembic_version`` table, next to the ``cc_schema_meta`` marker.

Both run on a stopped node's store, which they open exclusively (another process running the node
keeps its lock, and the command fails with the store's in-use error)."""

from __future__ import annotations

import logging
from pathlib import Path

import attrs
from sqlalchemy import Connection, delete, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from canton_console.store import migrations
from canton_console.store.schema import APPLICATION, SCHEMA_VERSION, Base, SchemaMeta
from canton_console.store.storage import (
    LEGACY_SCHEMA_VERSION,
    VERSION_TABLE,
    PendingMigrations,
    Storage,
    StorageError,
    StorageSpec,
    _create_engine,
)

log = logging.getLogger("canton_console.storage")


@attrs.frozen
class MigrationReport:
    """What ``migrate`` did: the migrations applied and the schema version the store is on now."""

    applied: int
    version: int


def migrate(spec: StorageSpec) -> MigrationReport:
    """Apply the pending migrations of the store, i.e. ``alembic upgrade head`` (creating it when it is new)."""
    target = migrations.schema_version(migrations.head())
    if spec.kind == "memory":
        return MigrationReport(0, target)  # created complete at every start
    # First as a start without migrate-and-start would: the store's checks and its owner lock, and
    # the migrations it lacks; then again, applying them (all in one transaction).
    storage = Storage(spec, exclusive=True, migrate=False, open=False)
    try:
        storage.open()
    except PendingMigrations as pending:
        storage.migrate = True
        storage.open()
        storage.close()
        log.info("Applied %d migrations successfully (%s)", pending.count, spec.description)
        return MigrationReport(pending.count, target)
    storage.close()
    return MigrationReport(0, target)


def repair(spec: StorageSpec) -> str:
    """Realign the migration record with the store, as Flyway's repair does with its history table:
    a missing or unreadable ``alembic_version`` of a store whose tables match a revision exactly is
    rewritten to that revision, and a missing or unreadable ``application``/``schema_version`` row of
    ``cc_schema_meta`` is rewritten. A store of a newer canton-console, one holding tables that are
    not ours, or one whose tables match no revision is refused."""
    if spec.kind == "memory":
        return "nothing to repair: in-memory storage is created anew at every start"
    if spec.kind == "sqlite" and not Path(spec.sqlite_file).exists():
        return "nothing to repair: the store does not exist yet"
    try:
        return _repair(spec)
    except SQLAlchemyError as e:
        raise StorageError(f"Cannot repair the store {spec.description}: {str(e).strip().splitlines()[0]}") from None


def _repair(spec: StorageSpec) -> str:
    lock = Storage(spec, exclusive=True, open=False)
    lock._acquire_owner_lock()
    engine = _create_engine(spec)
    try:
        with engine.connect() as conn:
            if spec.kind == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            tables = set(inspect(conn).get_table_names())
            if not tables:
                return "nothing to repair: the store is empty"
            foreign = tables - set(Base.metadata.tables) - {VERSION_TABLE}
            if foreign:
                raise StorageError(
                    f"The database {spec.description} holds tables that are not a canton-console store ({', '.join(sorted(foreign))}); "
                    "its migration metadata is not repaired."
                )
            meta = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all()) if SchemaMeta.__tablename__ in tables else {}
            raw = str(meta.get("schema_version", "")).strip()
            if raw.isdigit() and int(raw) > SCHEMA_VERSION:
                raise StorageError(
                    f"The store {spec.description} was written by a newer canton-console (schema version {raw}; this version "
                    f"understands up to {SCHEMA_VERSION}); its migration metadata is not repaired."
                )
            fixed = []
            recorded = _repair_revision(conn, spec, tables, legacy=raw == str(LEGACY_SCHEMA_VERSION))
            if recorded is not None:
                fixed.append(f"{VERSION_TABLE} ({int(recorded)})")
            versioned = VERSION_TABLE in set(inspect(conn).get_table_names())
            wanted = {"application": APPLICATION, "schema_version": str(SCHEMA_VERSION if versioned else LEGACY_SCHEMA_VERSION)}
            stale = [key for key, value in wanted.items() if meta.get(key) != value]
            if not stale and not fixed:
                return "the migration metadata is consistent: nothing to repair"
            Base.metadata.tables[SchemaMeta.__tablename__].create(conn, checkfirst=True)
            conn.execute(delete(SchemaMeta).where(SchemaMeta.key.in_(stale)))
            if stale:
                conn.execute(insert(SchemaMeta), [{"key": key, "value": wanted[key]} for key in stale])
            conn.commit()
            return f"repaired the migration metadata: {', '.join(fixed + stale)}"
    finally:
        engine.dispose()
        lock._release_owner_lock()


def _repair_revision(conn: Connection, spec: StorageSpec, tables: set[str], legacy: bool) -> str | None:
    """Rewrite a missing or unreadable ``alembic_version`` to the revision the tables match; the
    revision written, or None when the record is right (or the store predates Alembic: adopted at
    its next start)."""
    ids = migrations.revision_ids()
    rows = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))] if VERSION_TABLE in tables else []
    if len(rows) == 1 and rows[0] in ids:
        return None
    if len(rows) == 1 and str(rows[0]).isdigit() and int(rows[0]) > int(ids[-1]):
        raise StorageError(
            f"The store {spec.description} was written by a newer canton-console (schema version {int(rows[0])}; this version "
            f"understands up to {int(ids[-1])}); its migration metadata is not repaired."
        )
    from canton_console.store.migrations import runner

    revision = runner.matching_revision(runner.layout_of(conn), runner.revision_layouts())
    if revision is None:
        if VERSION_TABLE not in tables and legacy:
            return None  # the layout before Alembic: its next start adopts it
        raise StorageError(
            f"The tables of the store {spec.description} match no schema version of this canton-console, so its "
            "migration record cannot be restored. Restore the store from a backup."
        )
    runner.stamp(conn, revision)
    return revision
