"""Stores that are not ours, or written by a newer schema, are refused and left byte for byte intact."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from conftest import cli

from canton_console.store.storage import Storage, StorageError, StorageSpec


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "participant1.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = digest(path)
    with pytest.raises(StorageError, match="is not an SQLite database"):
        Storage(StorageSpec.sqlite(path))
    assert digest(path) == before
    assert not (tmp_path / "participant1.db-wal").exists()


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = digest(path)
    with pytest.raises(StorageError, match="not a canton-console store"):
        Storage(StorageSpec.sqlite(path))
    assert digest(path) == before


def test_a_store_written_by_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cc_schema_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(path)
    with pytest.raises(StorageError, match="newer canton-console \\(schema version 99"):
        Storage(StorageSpec.sqlite(path))
    assert digest(path) == before


def test_the_console_reports_a_corrupt_store_and_exits_without_writing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    bad = data / "participant2.db"
    bad.write_bytes(b"\x00garbage" * 100)
    before = digest(bad)
    result = cli("run", "/dev/null", data_dir=data)
    assert result.returncode == 1
    assert "STORAGE_INCOMPATIBLE" in result.stdout and "participant2.db is not an SQLite database" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert digest(bad) == before


def test_a_node_store_of_another_kind_is_refused(tmp_path):
    from canton_console.console.session import Session, load

    first = Session(load([], data_dir=tmp_path))
    first.env.start([first.env.sequencers["sequencer1"]])
    first.close()
    sequencer_db = tmp_path / "sequencer1.db"
    before = digest(sequencer_db)
    overrides = ["canton.participants.participant1.storage.file=sequencer1.db", "canton.sequencers.sequencer1.storage.file=other.db"]
    second = Session(load([], overrides, data_dir=tmp_path))
    try:
        with pytest.raises(Exception, match="holds the identity of a sequencer"):
            second.env.start([second.env.participants["participant1"]])
        assert not second.env.participants["participant1"].running
    finally:
        second.close()
    assert digest(sequencer_db) == before
