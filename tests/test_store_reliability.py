"""Storage reliability (issue 11): atomic store creation, one process per store, corrupt and
read-only stores, a full disk, and clear errors for unusable paths. Real files, real subprocesses
of the CLI, real PostgreSQL where reachable, real tmpfs mounts where allowed."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO, cli, postgres_storage

PING = "participant1.health.ping(participant2, timeout = 20.seconds)\n"


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "ping.canton"
    script.write_text(PING)
    return script


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_digests(data: Path) -> dict[str, str]:
    """The stored bytes of every database file (lock files hold only the owner's pid)."""
    return {p.name: _digest(p) for p in sorted(data.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def _settled_store_digests(data: Path, quiet: float = 3.0, timeout: float = 60.0) -> dict[str, str]:
    """The store's bytes once a running, idle process stopped changing them: its checkpointer cuts
    the write-ahead logs a moment after the last write (``CheckpointPolicy.idle``)."""
    deadline = time.monotonic() + timeout
    digests, since = _store_digests(data), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the store never settled"
        time.sleep(0.25)
        now = _store_digests(data)
        if now != digests:
            digests, since = now, time.monotonic()
    return digests


def _first_start(tmp_path: Path, name: str = "data") -> Path:
    data = tmp_path / name
    result = cli("run", str(_script(tmp_path)), data_dir=data)
    assert result.returncode == 0, result.stdout + result.stderr
    return data


def _popen(*args: str, data: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["CANTON_CONSOLE_DATA"] = str(data)
    env["NO_COLOR"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "canton_console", *args],
        cwd=str(REPO),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"never printed {needle!r}: {''.join(seen)} {proc.stderr.read() if proc.poll() is not None else ''}")


# ---- item 4: a store is either absent or complete ------------------------------------------------

CREATE_AND_DIE = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[3])
from sqlalchemy import event
from sqlalchemy.engine import Engine
from canton_console.store.storage import Storage, StorageSpec

seen = [0]
target = int(sys.argv[2])


@event.listens_for(Engine, "before_cursor_execute")
def die(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith(("CREATE", "INSERT")):
        seen[0] += 1
        if seen[0] == target:
            os.kill(os.getpid(), signal.SIGKILL)


Storage(StorageSpec.sqlite(sys.argv[1]), exclusive=True).close()
print("created", seen[0])
"""


def test_store_creation_is_atomic_under_sigkill(tmp_path):
    """SIGKILL at every CREATE/INSERT statement of a store's creation: afterwards the file holds
    no table or every table and the marker, and the store opens."""
    from canton_console.store.schema import Base
    from canton_console.store.storage import Storage, StorageSpec

    worker = tmp_path / "create.py"
    worker.write_text(CREATE_AND_DIE)
    full = subprocess.run([sys.executable, str(worker), str(tmp_path / "full.db"), "0", str(REPO)], capture_output=True, text=True)
    assert full.returncode == 0, full.stderr
    statements = int(full.stdout.split()[-1])
    assert statements >= len(Base.metadata.tables) + 1
    for k in range(1, statements + 1):
        db = tmp_path / f"kill{k}.db"
        run = subprocess.run([sys.executable, str(worker), str(db), str(k), str(REPO)], capture_output=True, text=True)
        assert run.returncode == -signal.SIGKILL, (k, run.stdout, run.stderr)
        conn = sqlite3.connect(db)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(conn.execute("SELECT key, value FROM cc_schema_meta")) if tables else {}
        finally:
            conn.close()
        assert tables in (set(), set(Base.metadata.tables) | {"alembic_version"}), (k, tables)
        assert bool(tables) == bool(meta), (k, meta)
        Storage(StorageSpec.sqlite(db), exclusive=True).close()


def test_store_left_half_created_by_an_older_version_is_completed(tmp_path):
    """Tables of ours without the schema marker (a first start killed under a version whose
    creation was not atomic) are completed instead of being refused forever."""
    from canton_console.store.storage import Storage, StorageSpec

    db = tmp_path / "half.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE cc_schema_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(256))")
    conn.execute("CREATE TABLE cc_node_identity (id INTEGER PRIMARY KEY, kind VARCHAR(16), identifier VARCHAR(255), private_key BLOB, fingerprint VARCHAR(80))")
    conn.commit()
    conn.close()
    Storage(StorageSpec.sqlite(db)).close()
    conn = sqlite3.connect(db)
    assert dict(conn.execute("SELECT key, value FROM cc_schema_meta"))["application"] == "canton-console"
    conn.close()


# ---- item 5: one process per store ------------------------------------------------------------------


def test_second_process_on_a_daemons_data_directory_attaches_or_is_refused(tmp_path):
    """The embedded default's data directory is held by the daemon: a script attaches to its nodes, a
    second daemon is refused, and a configuration naming the same files (-c) is refused by the store
    before it writes anything."""
    from canton_console.config.loader import DEFAULT_CONFIG_FILE

    data = _first_start(tmp_path)
    daemon = _popen("daemon", data=data)
    try:
        _wait_for_line(daemon, "daemon running")
        attached = cli("run", str(_script(tmp_path)), data_dir=data)
        assert attached.returncode == 0, attached.stdout + attached.stderr
        assert f"Attached to the nodes of the canton-console process {daemon.pid} that holds {data}" in attached.stdout
        _settled_store_digests(data)  # the attached script's work done
        # the daemon's own timers write now and then: stopped meanwhile (its flock holds), what could
        # change the files is the second process alone
        daemon.send_signal(signal.SIGSTOP)
        try:
            before = _store_digests(data)
            second = cli("-c", str(DEFAULT_CONFIG_FILE), "run", str(_script(tmp_path)), cwd=data, data_dir=tmp_path / "second-data")  # the same files, by a -c config
            assert _store_digests(data) == before  # the second process wrote nothing
        finally:
            daemon.send_signal(signal.SIGCONT)
        assert second.returncode != 0
        assert "DB_STORAGE_IN_USE" in second.stdout, second.stdout + second.stderr
        assert f"pid {daemon.pid}" in second.stdout, second.stdout
        assert "Traceback" not in second.stdout + second.stderr
        assert daemon.poll() is None  # the first one runs on
        second_daemon = cli("daemon", data_dir=data, timeout=60)
        assert second_daemon.returncode != 0 and f"held by the canton-console process {daemon.pid}" in second_daemon.stdout
        assert "DB_STORAGE_IN_USE" in second_daemon.stdout
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, out + err
    again = cli("run", str(_script(tmp_path)), data_dir=data)  # the lock went with the daemon
    assert again.returncode == 0 and "Attached" not in again.stdout, again.stdout + again.stderr


def test_second_console_attaches_and_the_first_one_keeps_working(tmp_path):
    data = _first_start(tmp_path)
    first = _popen("--no-tty", data=data)
    try:
        first.stdin.write('println("ready")\n')
        first.stdin.flush()
        _wait_for_line(first, "ready")
        second = cli("--no-tty", input=PING, data_dir=data)
        assert second.returncode == 0 and f"Attached to the nodes of the canton-console process {first.pid}" in second.stdout, second.stdout + second.stderr
        assert "ERROR" not in second.stdout and "Traceback" not in second.stdout + second.stderr
        out, err = first.communicate(PING + 'println("pinged")\n', timeout=90)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0 and "pinged" in out and "ERROR" not in out, out + err


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    data = _first_start(tmp_path)
    daemon = _popen("daemon", data=data)
    _wait_for_line(daemon, "daemon running")
    daemon.kill()
    daemon.wait()
    assert (data / "participant1.db.lock").read_text().split()[0] == str(daemon.pid)  # stale, left behind
    again = cli("run", str(_script(tmp_path)), data_dir=data)
    assert again.returncode == 0, again.stdout + again.stderr


def test_node_killed_in_process_can_start_again(tmp_path):
    """``kill()`` (a node crash inside the console) gives up the store; ``start()`` takes it again."""
    from canton_console.console.session import Session, load

    session = Session(load([], data_dir=tmp_path))
    try:
        session.start_and_bootstrap_default()
        p1 = session.env.participants["participant1"]
        session.env.call(p1.kill)
        session.env.start([p1])
        assert session.env.call(lambda: p1.running)
    finally:
        session.close()


def test_postgres_store_is_owned_by_one_process(pg_databases, tmp_path):
    from canton_console.runtime.replication import PgAdvisoryLock
    from canton_console.store.ownership import StorageInUse
    from canton_console.store.storage import Storage, StorageSpec

    database = pg_databases()
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    from conftest import PG_HOST, PG_PORT, PG_USER

    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
    spec = StorageSpec("postgres", url, None, f"postgres database '{database}'")
    first = Storage(spec, exclusive=True)
    try:
        with pytest.raises(StorageInUse) as refused:
            Storage(spec, exclusive=True)
        assert f"pid={os.getpid()}" in str(refused.value) and "DB_STORAGE_IN_USE" in str(refused.value)
        # Replication's advisory lock on the same database is a different lock.
        replica_lock = PgAdvisoryLock(spec)
        try:
            assert replica_lock.try_acquire()[0]
        finally:
            replica_lock.release()
            replica_lock.close()
        # A second process is refused too, with this process's pid.
        worker = tmp_path / "second.py"
        worker.write_text(textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {str(REPO)!r})
            from canton_console.store.storage import Storage, StorageSpec, StorageInUse
            try:
                Storage(StorageSpec("postgres", {url!r}, None, "pg"), exclusive=True)
            except StorageInUse as e:
                print(e)
                sys.exit(3)
        """))
        second = subprocess.run([sys.executable, str(worker)], capture_output=True, text=True, timeout=60)
        assert second.returncode == 3 and f"pid={os.getpid()}" in second.stdout, second.stdout + second.stderr
    finally:
        first.close()
    Storage(spec, exclusive=True).close()  # released with the first


def test_postgres_node_refused_while_another_process_runs_it(pg_databases, tmp_path):
    database = pg_databases()
    conf = tmp_path / "pg.conf"
    conf.write_text(
        "canton { participants.participant1 { " + postgres_storage(database) + ", ledger-api.port = 5011, admin-api.port = 5012 } }\n"
    )
    first = subprocess.Popen(
        [sys.executable, "-m", "canton_console", "daemon", "-c", str(conf)],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_line(first, "daemon running")
        second = cli("daemon", "-c", str(conf), timeout=60)
        assert second.returncode != 0 and "DB_STORAGE_IN_USE" in second.stdout and f"pid={first.pid}" in second.stdout, second.stdout
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 0


# ---- item 6: corrupt and read-only stores ------------------------------------------------------------


def _corrupt_mid_file(db: Path) -> int:
    """Flip the bytes of a b-tree page in the middle of the file; returns its offset. Checked on a
    copy: the page must be in use, so that SQLite sees the damage."""
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    pages = len(data) // page
    assert pages >= 3, "the store is too small to corrupt mid-file"
    order = sorted(range(1, pages), key=lambda p: abs(p - pages // 2))
    for number in order:
        offset = number * page
        if data[offset] not in (0x02, 0x05, 0x0A, 0x0D):  # not a b-tree page
            continue
        trial = bytearray(data)
        for i in range(offset, offset + 64):
            trial[i] ^= 0xFF
        probe = db.with_suffix(".probe")
        probe.write_bytes(trial)
        conn = sqlite3.connect(probe)
        try:
            result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError:
            result = ["malformed"]
        finally:
            conn.close()
            probe.unlink()
        if result != ["ok"]:
            db.write_bytes(trial)
            return offset
    raise AssertionError("no page whose damage SQLite notices")


def _corrupt_all_but_meta(db: Path) -> None:
    """Damage every b-tree page but the first and the schema marker's (which the availability
    probe reads): every other table is unreadable, the probe still passes."""
    conn = sqlite3.connect(db)
    try:
        keep = {1, conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cc_schema_meta'").fetchone()[0]}
    finally:
        conn.close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for number in range(1, len(data) // page):
        offset = number * page
        if number + 1 in keep or data[offset] not in (0x02, 0x05, 0x0A, 0x0D):
            continue
        for i in range(offset, offset + 16):
            data[i] ^= 0xFF
    db.write_bytes(data)


def test_corrupt_store_is_refused_and_left_unchanged(tmp_path):
    data = _first_start(tmp_path)
    _corrupt_mid_file(data / "participant1.db")
    before = _digest(data / "participant1.db")
    result = cli("run", str(_script(tmp_path)), data_dir=data)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DB_STORAGE_CORRUPT" in result.stdout and "participant1.db" in result.stdout, output
    assert "Restore the store from a backup" in result.stdout
    assert "Traceback" not in output and "DB_CONNECTION_LOST" not in output
    assert _digest(data / "participant1.db") == before
    assert not (data / "participant1.db-wal").exists() or (data / "participant1.db-wal").stat().st_size == 0


def test_store_corrupted_while_running_halts_once(tmp_path, caplog):
    """A sequencer store damaged under a running node: the node halts with DB_STORAGE_CORRUPT, once;
    no loop of halting and resuming; nothing more is written to the file."""
    from canton_console.console.session import Session, load

    session = Session(load([], data_dir=tmp_path))
    try:
        session.start_and_bootstrap_default()
        assert not session.step(PING).failed
        seq = session.env.sequencers["sequencer1"]
        db = tmp_path / "sequencer1.db"
        session.env.call(lambda: seq.storage.engine.dispose())  # so the damage is read from the file
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _corrupt_all_but_meta(db)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            outcome = session.step("participant1.health.ping(participant2, timeout = 3.seconds)")
            assert outcome.failed
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not session.env.call(lambda: seq.halted):
                time.sleep(0.05)
            assert session.env.call(lambda: seq.halted)
            after_halt = _digest(db)
            time.sleep(3)
        assert session.env.call(lambda: seq.storage.failure_kind) == "corrupt"
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) < 10, [r.getMessage() for r in records]
        assert any("DB_STORAGE_CORRUPT" in r.getMessage() for r in records)
        assert not any("DB_CONNECTION_LOST" in r.getMessage() for r in records)
        assert _digest(db) == after_halt
        health = session.step("sequencer1.health.status")
        assert "DB_STORAGE_CORRUPT" in health.output, health.output
    finally:
        session.close()


@pytest.fixture
def small_tmpfs(tmp_path):
    """A tmpfs of the given size, mounted for the test (root only; skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def mount(size: str, name: str = "mnt") -> Path:
        point = tmp_path / name
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip() or result.returncode}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _remount(point: Path, mode: str) -> None:
    result = subprocess.run(["mount", "-o", f"remount,{mode}", str(point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot remount {point} {mode}: {result.stderr.strip()}")


def test_read_only_store_is_refused_at_start(tmp_path, small_tmpfs):
    mnt = small_tmpfs("64m")
    data = _first_start(mnt, "data")
    before = _store_digests(data)
    _remount(mnt, "ro")
    began = time.monotonic()
    result = cli("run", str(_script(tmp_path)), data_dir=data, timeout=60)
    elapsed = time.monotonic() - began
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DB_STORAGE_READ_ONLY" in result.stdout, output
    assert "Traceback" not in output
    assert elapsed < 20, f"took {elapsed:.1f}s to refuse a read-only store"
    assert _store_digests(data) == before


def test_read_only_file_is_refused_without_root(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files anyway (the tmpfs test covers read-only stores as root)")
    data = _first_start(tmp_path)
    (data / "participant1.db").chmod(0o444)
    result = cli("run", str(_script(tmp_path)), data_dir=data, timeout=60)
    assert result.returncode != 0 and "DB_STORAGE_READ_ONLY" in result.stdout, result.stdout + result.stderr


# ---- item 3: start-up errors about files -------------------------------------------------------


def test_non_numeric_schema_version_is_a_clear_error(tmp_path):
    data = _first_start(tmp_path)
    conn = sqlite3.connect(data / "participant2.db")
    conn.execute("UPDATE cc_schema_meta SET value = 'two' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = _digest(data / "participant2.db")
    result = cli("run", str(_script(tmp_path)), data_dir=data)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "STORAGE_INCOMPATIBLE" in result.stdout and "unreadable schema version" in result.stdout, output
    assert "Traceback" not in output and "ValueError" not in output
    assert _digest(data / "participant2.db") == before


def test_symlink_loop_as_store_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "participant1.db").symlink_to(data / "loop.db")
    (data / "loop.db").symlink_to(data / "participant1.db")
    result = cli("run", str(_script(tmp_path)), data_dir=data)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DB_STORAGE_PATH_UNUSABLE" in result.stdout and "ymbolic link" in result.stdout, output
    assert "Traceback" not in output
    assert (data / "participant1.db").is_symlink() and (data / "loop.db").is_symlink()


def test_symlink_loop_as_data_directory_is_a_clear_error(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = cli("run", str(_script(tmp_path)), data_dir=tmp_path / "a")
    assert result.returncode != 0
    assert "DB_STORAGE_PATH_UNUSABLE" in result.stdout and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_data_directory_that_cannot_be_created_is_a_clear_error(tmp_path, small_tmpfs):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = cli("run", str(_script(tmp_path)), data_dir=blocker / "data")
    assert result.returncode != 0
    assert "DB_STORAGE_PATH_UNUSABLE" in result.stdout and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert blocker.read_text() == "not a directory"
    # No permission (a read-only file system, since root may write anywhere else).
    mnt = small_tmpfs("1m")
    _remount(mnt, "ro")
    result = cli("run", str(_script(tmp_path)), data_dir=mnt / "data")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output, output
    assert "DB_STORAGE_PATH_UNUSABLE" in result.stdout or "DB_STORAGE_READ_ONLY" in result.stdout, output
    assert "PermissionError" not in output


# ---- item 7: a full disk ------------------------------------------------------------------------


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    chunk = b"\0" * (64 * 1024)
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError:
            pass
    return filler


def test_full_disk_halts_quietly_and_resumes_when_a_little_space_is_back(tmp_path, small_tmpfs, caplog):
    from canton_console.console.session import Session, load

    mnt = small_tmpfs("24m")
    session = Session(load([], data_dir=mnt / "data"))
    try:
        session.start_and_bootstrap_default()
        assert not session.step(PING).failed
        filler = _fill(mnt)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            began = time.monotonic()
            for _ in range(5):
                outcome = session.step("participant1.health.ping(participant2, timeout = 1.seconds)")
            assert outcome.failed
            halted = session.env.call(lambda: [n.name for n in session.env.nodes() if n.halted])
            assert halted, "no node noticed the full disk"
            time.sleep(max(0.0, 8 - (time.monotonic() - began)))
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("DB_STORAGE_FULL" in w for w in warnings), warnings
        assert len(warnings) <= 6 * len(session.env.nodes()), warnings
        assert not any("DB_STORAGE_CORRUPT" in w for w in warnings), warnings
        # Free a little (1 MiB of 24): the nodes resume and ping again.
        size = filler.stat().st_size
        os.truncate(filler, max(0, size - 1024 * 1024))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and session.env.call(lambda: any(n.halted for n in session.env.nodes())):
            time.sleep(0.1)
        assert not session.env.call(lambda: [n.name for n in session.env.nodes() if n.halted])
        outcome = session.step("participant1.health.ping(participant2, timeout = 20.seconds)")
        assert not outcome.failed, outcome.output
        wal = mnt / "data" / "sequencer1.db-wal"
        assert not wal.exists() or wal.stat().st_size < 1024 * 1024
    finally:
        session.close()
    for db in (mnt / "data").glob("*.db"):
        conn = sqlite3.connect(db)
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"], db
        conn.close()


def test_read_only_postgres_database_is_refused_at_start(pg_databases, tmp_path):
    from conftest import _pg_connect

    database = pg_databases()
    conf = tmp_path / "pg.conf"
    conf.write_text(
        "canton { participants.participant1 { " + postgres_storage(database) + ", ledger-api.port = 5011, admin-api.port = 5012 } }\n"
    )
    (tmp_path / "noop.canton").write_text("participant1.health.status\n")
    created = cli("run", str(tmp_path / "noop.canton"), "-c", str(conf))
    assert created.returncode == 0, created.stdout + created.stderr
    admin = _pg_connect()
    try:
        admin.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    finally:
        admin.close()
    began = time.monotonic()
    result = cli("run", str(tmp_path / "noop.canton"), "-c", str(conf), timeout=60)
    assert result.returncode != 0
    assert "DB_STORAGE_READ_ONLY" in result.stdout and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert time.monotonic() - began < 20


REPLICAS = """
canton {
  participants {
    participant1a { storage { type = sqlite, file = "p1.db" }, replication { enabled = true, check-period = 200ms }, ledger-api.port = 5011, admin-api.port = 5012 }
    participant1b { storage { type = sqlite, file = "p1.db" }, replication { enabled = true, check-period = 200ms }, ledger-api.port = 5041, admin-api.port = 5042 }
  }
}
"""
SINGLE = """
canton { participants.participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 5011, admin-api.port = 5012 } }
"""


def test_replicas_share_their_store_but_keep_other_processes_out(tmp_path):
    """Replicas of one node take the ownership lock shared: they run side by side, in one process
    or two; a process running the node without replication is refused while they run, and they
    are refused while it runs."""
    replicas_conf, single_conf = tmp_path / "replicas.conf", tmp_path / "single.conf"
    replicas_conf.write_text(REPLICAS)
    single_conf.write_text(SINGLE)
    (tmp_path / "replicas.canton").write_text("participant1a.health.status\n")
    (tmp_path / "single.canton").write_text("participant1.health.status\n")
    env = {"PYTHONPATH": str(REPO)}

    def daemon(conf: Path) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "canton_console", "daemon", "-c", str(conf)],
            cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env},
        )
        _wait_for_line(proc, "daemon running")
        return proc

    def run(name: str):
        return cli("run", str(tmp_path / f"{name}.canton"), "-c", str(tmp_path / f"{name}.conf"), cwd=tmp_path, env=env)

    first = daemon(replicas_conf)
    try:
        other_replicas = run("replicas")
        assert other_replicas.returncode == 0, other_replicas.stdout + other_replicas.stderr
        single = run("single")
        assert single.returncode != 0 and "DB_STORAGE_IN_USE" in single.stdout, single.stdout + single.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    owner = daemon(single_conf)
    try:
        replicas = run("replicas")
        assert replicas.returncode != 0 and f"pid {owner.pid}" in replicas.stdout, replicas.stdout + replicas.stderr
    finally:
        owner.send_signal(signal.SIGTERM)
        owner.communicate(timeout=60)
    conn = sqlite3.connect(tmp_path / "p1.db")
    try:
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        conn.close()
