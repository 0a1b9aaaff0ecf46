"""Stores as older versions of canton-console left them, for the migration tests.

``build_legacy_store`` writes the layout before Alembic exactly as that code did: the tables of the
models (``create_all``) without the columns that layout added later with ``ALTER TABLE`` at start
(its ``ADDED_COLUMNS``, copied here as history), and the ``cc_schema_meta`` rows it wrote; no
``alembic_version``. ``downgrade_store`` takes a store of ours back to an earlier revision, rows and
all (an older version's store that has seen use)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

# The layout before Alembic: (table, column) in the order that code added them to existing stores.
LEGACY_ADDED_COLUMNS = (
    ("cc_command_dedup", "deadline"),
    ("cc_command_dedup", "change"),
    ("cc_command_dedup", "root_hash"),
    ("cc_mediator_verdicts", "root_hash"),
    ("cc_mediator_verdicts", "recipients"),
    ("cc_mediator_verdicts", "message_id"),
    ("cc_mediator_verdicts", "sent"),
    ("cc_traffic_consumed", "total_consumed"),
    ("cc_pruning_schedule", "prune_internally_only"),
    ("cc_mediator_verdicts", "submitting_parties"),
    ("cc_mediator_verdicts", "submitting_participant"),
    ("cc_mediator_verdicts", "informees"),
    ("cc_mediator_verdicts", "mediator_group"),
    ("cc_synchronizer_connections", "manual_connect"),
    ("cc_synchronizer_connections", "config"),
)


# Indexes schema.py declares that came with revisions after the layout before Alembic.
INDEXES_ADDED_SINCE = frozenset({"cc_ledger_updates_by_synchronizer_record_time", "cc_mediator_verdicts_by_request", "cc_mediator_verdicts_by_sent"})

# Tables schema.py declares that came with revisions after the layout before Alembic.
TABLES_ADDED_SINCE = frozenset({"cc_sequencer_submissions", "cc_sequencer_writer"})


def build_legacy_store(url: str, *, columns_added: int = 0, without_tables: Sequence[str] = (), marker: bool = True) -> None:
    """A store as the layout before Alembic created it, then gave ``columns_added`` of its added
    columns (tables in ``without_tables`` are left out: that code created them at a later start)."""
    from canton_console.store.schema import APPLICATION, Base

    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name not in without_tables and table.name not in TABLES_ADDED_SINCE:
            copy = table.to_metadata(metadata)
            for index in list(copy.indexes):
                if index.name in INDEXES_ADDED_SINCE:
                    copy.indexes.discard(index)
    for name, column in LEGACY_ADDED_COLUMNS[columns_added:]:
        if name in metadata.tables:
            table = metadata.tables[name]
            table._columns.remove(table.c[column])
    engine = sa.create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")  # as that code's connections set it
        with engine.begin() as conn:
            metadata.create_all(conn)
            if marker:
                meta = metadata.tables["cc_schema_meta"]
                conn.execute(meta.insert(), [{"key": "application", "value": APPLICATION}, {"key": "schema_version", "value": "1"}])
            if "cc_lapi_users" in metadata.tables:  # as that code's create_all listener did
                user = conn.execute(metadata.tables["cc_lapi_users"].insert().values(user_id="participant_admin", created_at=0, is_deactivated=False, resource_version=0))
                conn.execute(metadata.tables["cc_lapi_user_rights"].insert().values(user_internal_id=user.inserted_primary_key[0], user_right=1, granted_at=0))
    finally:
        engine.dispose()


def downgrade_store(url: str, revision: str) -> None:
    """Take a store of ours back to ``revision`` (as an older version would have left it)."""
    from canton_console.store.migrations import runner

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            runner.downgrade(conn, revision)
            conn.commit()
    finally:
        engine.dispose()


def columns_of(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {c["name"] for c in sa.inspect(conn).get_columns(table)}
    finally:
        engine.dispose()


def revision_of(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()
