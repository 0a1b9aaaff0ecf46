"""The store's schema as Alembic revisions: they agree with the models, a store of the layout before
Alembic is adopted (SQLite and PostgreSQL), an older store is brought up to date, a lost migration
record is repaired, and opening an up-to-date store does not load Alembic."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa

from canton_console.store import migrations
from canton_console.store.storage import PendingMigrations, Storage, StorageError, StorageSpec
from tests.conftest import PG_HOST, PG_PORT, PG_USER, REPO, cli, pg_databases  # noqa: F401
from tests.legacy_store import LEGACY_ADDED_COLUMNS, build_legacy_store, columns_of, downgrade_store, revision_of

HEAD_VERSION = migrations.schema_version(migrations.head())


# ---- the revisions --------------------------------------------------------------------------------


def test_the_revisions_chain_in_file_order_and_create_what_the_models_describe():
    """A change to schema.py without a revision (or the reverse) fails here, naming the difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from canton_console.store.migrations import runner
    from canton_console.store.schema import Base

    assert [r.revision for r in reversed(list(runner.script().walk_revisions()))] == list(migrations.revision_ids())
    assert migrations.revision_ids()[: int(runner.LEGACY_HEAD)] == tuple(f"{n:04d}" for n in range(1, 17))
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        runner.upgrade(conn)
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == [], "schema.py and the revisions in store/migrations/versions differ: add a revision"


def test_the_legacy_revisions_are_the_columns_that_layout_added_in_its_order():
    from canton_console.store.migrations import runner

    layouts = dict(runner.revision_layouts())
    added = []
    for previous, revision in zip(migrations.revision_ids(), migrations.revision_ids()[1 : int(runner.LEGACY_HEAD)]):
        before, after = layouts[previous].columns, layouts[revision].columns
        added += [(t, c) for t in after for c in sorted(after[t] - before.get(t, frozenset()))]
    assert tuple(added) == LEGACY_ADDED_COLUMNS


def _layout(columns: dict) -> object:
    from canton_console.store.migrations.runner import Layout

    return Layout({t: frozenset(c) for t, c in columns.items()}, {t: frozenset() for t in columns})


LEGACY_LAYOUTS = (
    ("0001", _layout({"a": {"x"}, "b": {"y"}})),
    ("0002", _layout({"a": {"x", "p"}, "b": {"y"}})),
    ("0003", _layout({"a": {"x", "p"}, "b": {"y", "q"}})),
)


def test_a_legacy_store_is_on_the_last_revision_whose_columns_it_has():
    from canton_console.store.migrations.runner import legacy_revision

    assert legacy_revision(_layout({"a": {"x"}, "b": {"y"}}), LEGACY_LAYOUTS) == "0001"
    assert legacy_revision(_layout({"a": {"x", "p"}, "b": {"y"}}), LEGACY_LAYOUTS) == "0002"
    assert legacy_revision(_layout({"a": {"x", "p"}, "b": {"y", "q"}}), LEGACY_LAYOUTS) == "0003"
    # a table it lacks counts as created by the first revision (that layout created it at start)
    assert legacy_revision(_layout({"a": {"x", "p"}}), LEGACY_LAYOUTS) == "0002"


def test_a_legacy_store_whose_columns_fit_no_revision_is_refused():
    from canton_console.store.migrations.runner import AdoptionError, legacy_revision

    with pytest.raises(AdoptionError, match=r"lacks columns that no migration adds \(a.x\)"):
        legacy_revision(_layout({"a": {"p"}, "b": {"y"}}), LEGACY_LAYOUTS)
    with pytest.raises(AdoptionError, match=r"columns of migrations after schema version 1 without those before them \(b.q\)"):
        legacy_revision(_layout({"a": {"x"}, "b": {"y", "q"}}), LEGACY_LAYOUTS)


# ---- adopting the layout before Alembic -----------------------------------------------------------


def _sqlite_url(path) -> str:
    return f"sqlite:///{path}"


def test_an_empty_store_of_the_layout_before_alembic_is_adopted_with_the_tables_it_lacks(tmp_path):
    db = tmp_path / "old.db"
    build_legacy_store(_sqlite_url(db), columns_added=9, without_tables=("cc_lapi_users", "cc_lapi_user_rights", "cc_dars"))
    with pytest.raises(PendingMigrations, match=f"There are {HEAD_VERSION - 10} pending migrations to get to database schema version {HEAD_VERSION}. Currently on version 10."):
        Storage(StorageSpec.sqlite(db), migrate=False)
    Storage(StorageSpec.sqlite(db)).close()
    assert revision_of(_sqlite_url(db)) == [migrations.head()]
    conn = sqlite3.connect(db)
    try:
        assert dict(conn.execute("SELECT key, value FROM cc_schema_meta")) == {"application": "canton-console", "schema_version": "2"}
        # the users table came with participant_admin, as that layout's start created it
        assert conn.execute("SELECT user_id FROM cc_lapi_users").fetchall() == [("participant_admin",)]
        assert "cc_dars" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    assert {"manual_connect", "config"} <= columns_of(_sqlite_url(db), "cc_synchronizer_connections")


def test_a_legacy_store_with_a_column_no_revision_explains_is_refused_untouched(tmp_path):
    db = tmp_path / "odd.db"
    build_legacy_store(_sqlite_url(db), columns_added=2)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE cc_synchronizer_connections ADD COLUMN config TEXT")  # version 16's, without 4 to 15
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StorageError, match="match none of its schema versions: it has columns of migrations after schema version 3"):
        Storage(StorageSpec.sqlite(db))
    assert db.read_bytes() == before


def test_stores_of_the_layout_before_alembic_are_adopted_by_the_cli_and_ping(tmp_path):
    """The default topology's four stores as the previous layout created them (before any column was
    added): Canton's migrate-and-start = no refuses them, the embedded topology migrates them, and
    the nodes come up and ping."""
    data = tmp_path / "data"
    data.mkdir()
    for node in ("participant1", "participant2", "sequencer1", "mediator1"):
        build_legacy_store(_sqlite_url(data / f"{node}.db"))
    refused = cli("run", "/dev/null", "-C", "canton.participants.participant1.storage.parameters.migrate-and-start=no", data_dir=data)
    assert refused.returncode == 1
    assert f"There are {HEAD_VERSION - 1} pending migrations to get to database schema version {HEAD_VERSION}. Currently on version 1." in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    ping = tmp_path / "ping.canton"
    ping.write_text("participant1.health.ping(participant2)\n")
    done = cli("run", str(ping), data_dir=data)
    assert done.returncode == 0, done.stdout + done.stderr
    for node in ("participant1", "participant2", "sequencer1", "mediator1"):
        assert revision_of(_sqlite_url(data / f"{node}.db")) == [migrations.head()]


# ---- older stores, a lost record, start-up ------------------------------------------------------


def test_a_store_on_an_earlier_revision_is_upgraded_by_db_migrate_semantics(tmp_path):
    from canton_console.store.migrate import migrate

    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    downgrade_store(_sqlite_url(db), "0005")
    assert "sent" not in columns_of(_sqlite_url(db), "cc_mediator_verdicts")
    with pytest.raises(PendingMigrations, match=f"There are {HEAD_VERSION - 5} pending migrations .* Currently on version 5"):
        Storage(StorageSpec.sqlite(db), migrate=False)
    report = migrate(StorageSpec.sqlite(db))
    assert (report.applied, report.version) == (HEAD_VERSION - 5, HEAD_VERSION)
    assert revision_of(_sqlite_url(db)) == [migrations.head()]
    assert migrate(StorageSpec.sqlite(db)).applied == 0


def test_a_lost_migration_record_is_refused_then_repaired_to_the_revision_the_tables_match(tmp_path):
    from canton_console.store.migrate import repair

    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    downgrade_store(_sqlite_url(db), "0014")
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM alembic_version")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match=r"missing or unreadable migration record \(no record in alembic_version\).*repair_migration"):
        Storage(StorageSpec.sqlite(db))
    assert repair(StorageSpec.sqlite(db)) == "repaired the migration metadata: alembic_version (14)"
    assert revision_of(_sqlite_url(db)) == ["0014"]
    assert repair(StorageSpec.sqlite(db)) == "the migration metadata is consistent: nothing to repair"
    Storage(StorageSpec.sqlite(db)).close()  # migrates the rest at start
    assert revision_of(_sqlite_url(db)) == [migrations.head()]


def test_a_store_of_a_newer_canton_console_is_refused_untouched(tmp_path):
    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StorageError, match=f"newer canton-console \\(schema version 9999; this version understands up to {HEAD_VERSION}\\)"):
        Storage(StorageSpec.sqlite(db))
    assert db.read_bytes() == before


def test_opening_an_up_to_date_store_does_not_load_alembic(tmp_path):
    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    probe = (
        "import sys\n"
        "from canton_console.store.storage import Storage, StorageSpec\n"
        f"Storage(StorageSpec.sqlite({str(db)!r})).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=str(REPO), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# ---- PostgreSQL -------------------------------------------------------------------------------------


def _pg(database: str) -> StorageSpec:
    return StorageSpec("postgres", f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}", None, f"postgres database '{database}'")


def test_postgres_stores_adopted_upgraded_and_repaired(pg_databases):  # noqa: F811
    from canton_console.store.migrate import repair

    # the layout before Alembic, some columns added, a table missing: adopted and brought up to date
    old = _pg(pg_databases("ccmig"))
    build_legacy_store(old.url, columns_added=12, without_tables=("cc_acs_no_wait",))
    with pytest.raises(PendingMigrations, match=f"There are {HEAD_VERSION - 13} pending migrations .* Currently on version 13"):
        Storage(old, migrate=False)
    Storage(old).close()
    assert revision_of(old.url) == [migrations.head()]
    assert {"mediator_group", "manual_connect", "config"} <= columns_of(old.url, "cc_mediator_verdicts") | columns_of(old.url, "cc_synchronizer_connections")
    # a new store, taken back to an earlier revision, its record lost: repaired, then upgraded at start
    new = _pg(pg_databases("ccmig"))
    Storage(new).close()
    assert revision_of(new.url) == [migrations.head()]
    downgrade_store(new.url, "0008")
    engine = sa.create_engine(new.url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    engine.dispose()
    with pytest.raises(StorageError, match="missing or unreadable migration record"):
        Storage(new)
    assert repair(new) == "repaired the migration metadata: alembic_version (8)"
    Storage(new).close()
    assert revision_of(new.url) == [migrations.head()]
