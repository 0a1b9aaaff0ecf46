"""Storage I/O policy (issue 16): SQLite's write-ahead log is checkpointed by a thread of the store's
own, never inside a commit; the log is cut when the store is idle and kept from growing without
bound; the checkpointer stops with the store and stays away from a failed, stopped or killed one.
PostgreSQL: pooled connections the server closed are replaced on checkout, without a round trip."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import PG_HOST, PG_PORT, PG_USER, pg_databases  # noqa: F401

from canton_console.store.checkpointer import PASSIVE, TRUNCATE, CheckpointPolicy, CheckpointState, next_checkpoint, wal_bytes
from canton_console.store.storage import LOST, Storage, StorageSpec, text

NEVER = 3600.0
ROW = b"x" * 3000  # about a page each


# ---- the policy -----------------------------------------------------------------------------
POLICY = CheckpointPolicy(delay=0.25, writes=100, idle=2.0)


def test_nothing_written_nothing_to_do():
    assert next_checkpoint(POLICY, CheckpointState(dirty=False), now=50.0) == (None, None)


def test_a_passive_checkpoint_comes_a_delay_after_the_first_pending_commit():
    state = CheckpointState(pending=3, first_pending=10.0, last_write=10.1)
    action, wait = next_checkpoint(POLICY, state, now=10.1)
    assert action is None and wait == pytest.approx(0.15)
    assert next_checkpoint(POLICY, state, now=10.25) == (PASSIVE, None)


def test_a_passive_checkpoint_comes_at_once_when_enough_commits_are_pending():
    state = CheckpointState(pending=100, first_pending=10.0, last_write=10.01)
    assert next_checkpoint(POLICY, state, now=10.01) == (PASSIVE, None)


def test_the_log_is_cut_only_after_the_store_was_idle():
    state = CheckpointState(pending=0, last_write=10.0, dirty=True)
    action, wait = next_checkpoint(POLICY, state, now=11.0)
    assert action is None and wait == pytest.approx(1.0)
    assert next_checkpoint(POLICY, state, now=12.0) == (TRUNCATE, None)
    # A cut that found the store busy is tried again later, not at once.
    busy = CheckpointState(pending=0, last_write=10.0, dirty=True, next_truncate=15.0)
    action, wait = next_checkpoint(POLICY, busy, now=12.0)
    assert action is None and wait == pytest.approx(3.0)


# ---- a real store ---------------------------------------------------------------------------
def open_store(path: Path, **policy) -> Storage:
    storage = Storage(StorageSpec.sqlite(path), checkpoint_policy=CheckpointPolicy(**policy))
    with storage.transaction() as conn:
        conn.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, payload BLOB)"))
    return storage


def write_rows(storage: Storage, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        with storage.transaction() as conn:
            conn.execute(text("INSERT INTO scratch (id, payload) VALUES (:id, :payload)"), {"id": i, "payload": ROW})


def wait_until(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def checkpointer_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("wal-checkpoint-")]


def test_commits_never_checkpoint_the_log_themselves(tmp_path):
    """With the checkpointer held back, 1500 one-page commits leave all their pages in the log
    (SQLite's own auto-checkpoint would have moved them into the database at 1000 pages)."""
    db = tmp_path / "store.db"
    storage = open_store(db, delay=NEVER, writes=10**9, idle=NEVER)
    try:
        with storage.read() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        write_rows(storage, 1500)
        assert wal_bytes(str(db)) > 1400 * 4096
        assert storage.checkpointer is not None and storage.checkpointer.counts[PASSIVE] == 0
    finally:
        storage.close()
    check = sqlite3.connect(db)
    assert check.execute("SELECT count(*) FROM scratch").fetchone()[0] == 1500
    check.close()


def test_the_checkpointer_moves_the_log_into_the_database_and_cuts_it_when_idle(tmp_path):
    db = tmp_path / "store.db"
    storage = open_store(db, delay=0.05, idle=0.3)
    try:
        write_rows(storage, 300)
        checkpointer = storage.checkpointer
        assert checkpointer is not None
        wait_until(lambda: checkpointer.counts[PASSIVE] >= 1, "a passive checkpoint")
        # the log is empty as soon as the checkpoint returns; the count follows a moment later
        wait_until(lambda: wal_bytes(str(db)) == 0 and checkpointer.counts[TRUNCATE] >= 1, "the log cut when idle")
        # The data is in the database file itself now (the log is empty), and the store goes on.
        write_rows(storage, 10, start=300)
        with storage.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == 310
    finally:
        storage.close()


def test_the_log_cannot_grow_without_bound_while_the_store_is_busy(tmp_path):
    """Never idle, and a reader keeps the log from being reused: once the reader is gone, the log
    past the limit is cut at the next checkpoint although writes go on."""
    db = tmp_path / "store.db"
    storage = open_store(db, delay=0.02, idle=NEVER, limit_bytes=256 * 1024, limit_wait=0.05, limit_retry=0.1)
    try:
        write_rows(storage, 5)
        reader = sqlite3.connect(db, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM scratch").fetchone()  # holds its snapshot: the log cannot restart
        write_rows(storage, 200, start=5)
        assert wal_bytes(str(db)) > 256 * 1024
        reader.execute("COMMIT")
        reader.close()
        n = 205
        deadline = time.monotonic() + 20
        while wal_bytes(str(db)) > 256 * 1024 + 64 * 1024:
            assert time.monotonic() < deadline, "the log was never cut back"
            write_rows(storage, 1, start=n)
            n += 1
            time.sleep(0.01)
    finally:
        storage.close()


def test_no_checkpoint_while_the_store_is_failed_and_again_once_it_is_back(tmp_path):
    db = tmp_path / "store.db"
    storage = open_store(db, delay=NEVER, writes=10**9, idle=NEVER)
    try:
        write_rows(storage, 50)
        checkpointer = storage.checkpointer
        assert checkpointer is not None
        storage.fail("taken away by the test", LOST)
        checkpointer.policy = CheckpointPolicy(delay=0.01, idle=0.01, retry=0.05)
        checkpointer.wake()
        before = (wal_bytes(str(db)), db.stat().st_mtime_ns, db.stat().st_size)
        time.sleep(0.5)
        assert checkpointer.counts == {PASSIVE: 0, TRUNCATE: 0, "LIMIT": 0}
        assert (wal_bytes(str(db)), db.stat().st_mtime_ns, db.stat().st_size) == before
        storage.recovered()
        wait_until(lambda: wal_bytes(str(db)) == 0, "the log checkpointed and cut after the store is back")
    finally:
        storage.close()


@pytest.mark.parametrize("how", ["close", "abandon"])
def test_the_checkpointer_stops_with_the_store_and_never_brings_back_its_files(tmp_path, how):
    db = tmp_path / "store.db"
    storage = open_store(db, delay=0.01, idle=0.01, retry=0.01)
    write_rows(storage, 20)
    assert "wal-checkpoint-store" in checkpointer_threads()
    getattr(storage, how)()
    assert "wal-checkpoint-store" not in checkpointer_threads()
    assert storage.checkpointer is None
    for suffix in ("", "-wal", "-shm", ".intact"):
        Path(str(db) + suffix).unlink(missing_ok=True)  # the disk is gone (a clean close marked it intact)
    time.sleep(0.3)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store.db") and not p.name.endswith(".lock")) == []


def test_a_failed_open_starts_no_checkpointer(tmp_path):
    db = tmp_path / "store.db"
    db.write_bytes(b"not a database at all, just text" * 10)
    with pytest.raises(Exception):
        Storage(StorageSpec.sqlite(db))
    assert checkpointer_threads() == []


# ---- PostgreSQL -----------------------------------------------------------------------------
def test_postgres_connections_closed_by_the_server_are_replaced_on_checkout(pg_databases):  # noqa: F811
    """No pre-ping round trip per checkout, yet an idle pooled connection the server terminated is
    not handed out: the store keeps working and does not count an outage."""
    import psycopg

    database = pg_databases("ccio")
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
    storage = Storage(StorageSpec("postgres", url, None, database))
    try:
        with storage.transaction() as conn:
            conn.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY)"))
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as admin:
            backends = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            assert admin.execute(backends, (database,)).fetchone()[0] >= 1
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
            wait_until(lambda: admin.execute(backends, (database,)).fetchone()[0] == 0, "the backends gone")
        with storage.transaction() as conn:
            conn.execute(text("INSERT INTO scratch (id) VALUES (1)"))
        with storage.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == 1
        assert storage.failure is None and storage.outages == 0
        assert storage.checkpointer is None
    finally:
        storage.close()


def test_postgres_commits_as_the_operator_configured_the_server(pg_databases):  # noqa: F811
    """synchronous_commit is left as the database says (here set to off by its operator)."""
    import psycopg

    database = pg_databases("ccsync")
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
    storage = Storage(StorageSpec("postgres", url, None, database))
    try:
        with storage.transaction() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"
    finally:
        storage.close()


def test_checkpoint_files_are_cleaned_up_after_a_normal_close(tmp_path):
    db = tmp_path / "store.db"
    storage = open_store(db, delay=NEVER, writes=10**9, idle=NEVER)
    write_rows(storage, 10)
    storage.close()
    assert not os.path.exists(str(db) + "-wal")  # the last connection checkpointed and removed the log


def test_commits_of_the_prepared_statement_path_are_checkpointed_too(tmp_path):
    """The nodes' hot paths commit through ``store.fast``, not ``Storage.transaction``: those commits
    reach the checkpointer as well, so their log is moved into the database and cut when idle."""
    from canton_console.store import fast

    db = tmp_path / "store.db"
    storage = open_store(db, delay=0.05, idle=0.3)
    try:
        checkpointer = storage.checkpointer
        assert checkpointer is not None
        wait_until(lambda: wal_bytes(str(db)) == 0, "the table's creation checkpointed")
        before = dict(checkpointer.counts)
        for i in range(50):
            with fast.transaction(storage) as conn:
                conn.execute("INSERT INTO scratch (id, payload) VALUES (?, ?)", (i, ROW))
        wait_until(lambda: checkpointer.counts[PASSIVE] > before.get(PASSIVE, 0), "a passive checkpoint of the fast path's commits")
        wait_until(lambda: wal_bytes(str(db)) == 0, "the log cut when idle")
    finally:
        storage.close()
