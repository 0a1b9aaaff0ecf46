"""``<node>.db.migrate`` and ``<node>.db.repair_migration``: Canton runs Flyway; our store's migrations
are the columns of ``ADDED_COLUMNS`` (version 1 creates the tables, each added column is the next
version), its migration metadata is the ``cc_schema_meta`` table.

Both run on a stopped node's store, which they open exclusively (another process running the node
keeps its lock, and the command fails with the store's in-use error)."""

from __future__ import annotations

import logging
from pathlib import Path

import attrs
from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from canton_console.store.schema import APPLICATION, SCHEMA_VERSION, Base, SchemaMeta
from canton_console.store.storage import ADDED_COLUMNS, PendingMigrations, Storage, StorageError, StorageSpec, _create_engine

log = logging.getLogger("canton_console.storage")


@attrs.frozen
class MigrationReport:
    """What ``migrate`` did: the migrations applied and the schema version the store is on now."""

    applied: int
    version: int


def migrate(spec: StorageSpec) -> MigrationReport:
    """Apply the pending migrations of the store (creating it when it is new)."""
    target = SCHEMA_VERSION + len(ADDED_COLUMNS)
    if spec.kind == "memory":
        return MigrationReport(0, target)  # created complete at every start
    # First as a start without migrate-and-start would: the store's checks and its owner lock, and
    # the migrations it lacks; then again, applying them (create_all and the added columns in one transaction).
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
    """Realign the migration metadata (``cc_schema_meta``) with this version, as Flyway's repair does
    with its history table: a missing or unreadable ``application``/``schema_version`` row of a store
    whose tables are all ours is rewritten. A store of a newer canton-console, or one holding tables
    that are not ours, is refused (its metadata is right, or the store is not ours)."""
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
            tables = set(inspect(conn).get_table_names())
            if not tables:
                return "nothing to repair: the store is empty"
            foreign = tables - set(Base.metadata.tables)
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
            wanted = {"application": APPLICATION, "schema_version": str(SCHEMA_VERSION)}
            fixed = [key for key, value in wanted.items() if meta.get(key) != value]
            if not fixed:
                return "the migration metadata is consistent: nothing to repair"
            Base.metadata.tables[SchemaMeta.__tablename__].create(conn, checkfirst=True)
            conn.execute(delete(SchemaMeta).where(SchemaMeta.key.in_(fixed)))
            conn.execute(insert(SchemaMeta), [{"key": key, "value": wanted[key]} for key in fixed])
            conn.commit()
            return f"repaired the migration metadata: {', '.join(fixed)}"
    finally:
        engine.dispose()
        lock._release_owner_lock()
