"""Opening a node's database: SQLite (WAL) by default, in-memory SQLite, or PostgreSQL (psycopg 3).

Before anything is written the store is checked: its path must be usable (no symlink loop, a
directory that exists or can be created: ``DB_STORAGE_PATH_UNUSABLE``), its files writable
(``DB_STORAGE_READ_ONLY``), no other process may own it (``DB_STORAGE_IN_USE``, see ``ownership``),
and an existing SQLite file must be an intact store of ours (``pragma quick_check``:
``DB_STORAGE_CORRUPT``; not SQLite, not ours, a newer or unreadable schema version:
``STORAGE_INCOMPATIBLE``). A refused store is left exactly as it was. A new store's tables and
schema marker are created in one transaction: whenever the process dies, a store is either absent
or complete.

Failures at run time: every ``transaction()`` and ``read()`` turns an error about the database's
state into ``StorageUnavailable`` of a kind, marks the storage failed and tells its listener (the
node, which halts):

* ``lost`` (``DB_CONNECTION_LOST``): SQLite's write lock held elsewhere past the busy timeout, an
  unreadable file, a PostgreSQL server that is down or cut the connection;
* ``full`` (``DB_STORAGE_FULL``): no space left; the probe waits for some free space and truncates
  the write-ahead log, and while space stays low each write truncates it again;
* ``read-only`` (``DB_STORAGE_READ_ONLY``): the probe waits until the files are writable again;
* ``corrupt`` (``DB_STORAGE_CORRUPT``): the node halts for good: no probing, no writes.

While failed, every operation fails at once without touching the database; ``probe()`` (run off the
runtime thread, with back-off) finds out when the database is back, and ``recovered()`` reopens it.
Warnings are rate-limited per storage and cause.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from select import POLLIN, POLLPRI, poll
from typing import Any

import attrs
from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from canton_console.store import migrations
from canton_console.store.checkpointer import Checkpointer, CheckpointPolicy
from canton_console.store.integrity import mark_intact, unchanged_since_intact
from canton_console.store.ownership import PgOwnerLock, SqliteOwnerLock, StorageInUse
from canton_console.store.schema import APPLICATION, SCHEMA_VERSION, Base, SchemaMeta
from canton_console.values import errors
from canton_console.values.errors import DB_CONNECTION_LOST, STORAGE_INCOMPATIBLE, CantonError, PendingDatabaseMigration

log = logging.getLogger("canton_console.storage")

SQLITE_HEADER = b"SQLite format 3\x00"
# How long a write waits for SQLite's write lock before the database counts as unavailable. Short,
# because it blocks the runtime thread (once per outage: a failed storage fails at once afterwards).
SQLITE_BUSY_TIMEOUT_MS = 500
# The recovery probe's wait for the lock, the periodic check's (as long as an operation's: a write
# of another replica or of the lease must not look like an outage), and PostgreSQL's connect
# timeout (seconds).
PROBE_TIMEOUT = 0.25
CHECK_TIMEOUT = SQLITE_BUSY_TIMEOUT_MS / 1000
PG_CONNECT_TIMEOUT = 3
# The schema marker's version of a store before Alembic (no ``alembic_version``: adopted when opened);
# SCHEMA_VERSION: the revisions in ``alembic_version`` tell the schema (see ``store.migrations``).
LEGACY_SCHEMA_VERSION = 1
VERSION_TABLE = "alembic_version"


class StorageError(CantonError):
    def __init__(self, cause: str):
        super().__init__(STORAGE_INCOMPATIBLE, cause)


# Why a database operation failed, when it is the database's state and not a bug:
LOST = "lost"  # not reachable (down, locked elsewhere past the timeout): comes back by itself
FULL = "full"  # no space left: comes back once space is freed
READ_ONLY = "read-only"  # the file, its directory or the database cannot be written
CORRUPT = "corrupt"  # the file is damaged: never comes back by itself; nothing is written to it again
REFUSED = "refused"  # the store turned out unusable when the node tried to resume (held elsewhere, incompatible)
# Free space a full disk needs again before a halted node tries to write (bytes).
MIN_FREE_BYTES = 256 * 1024
# After a full disk, until this much is free again, every write transaction is followed by a
# checkpoint that truncates the write-ahead log, so that the log does not eat what was freed.
LOW_SPACE_BYTES = 64 * 1024 * 1024
LOW_SPACE_RECHECK = 1.0  # seconds between looks at the free space while low
# Warnings about one storage and one cause: the first at once, then at most one summary per interval.
WARNING_INTERVAL = 10.0


def failure_message(kind: str, detail: str, description: str = "") -> tuple[errors.ErrorCode, str]:
    where = f" {description}" if description else ""
    if kind == CORRUPT:
        return errors.DB_STORAGE_CORRUPT, (
            f"The store{where} is corrupt ({detail}). The node halts and writes nothing to it. Restore the store "
            "from a backup (or move the file away to start the node afresh), then start the node again."
        )
    if kind == READ_ONLY:
        return errors.DB_STORAGE_READ_ONLY, (
            f"The store{where} cannot be written ({detail}). Make the database file and its directory writable "
            "for this process (permissions, a read-only mount, the database's read-only mode)."
        )
    if kind == FULL:
        return errors.DB_STORAGE_FULL, (
            f"The disk of the store{where} is full ({detail}). The node halts and resumes once space is freed."
        )
    if kind == REFUSED:
        return STORAGE_INCOMPATIBLE, f"The store{where} cannot be used: {detail}. Fix the cause and restart the node."
    return DB_CONNECTION_LOST, f"Database health check failed to establish a valid connection: {detail}"


class StorageUnavailable(CantonError):
    """The database cannot be used (Canton's ``DB_CONNECTION_LOST``; ``DB_STORAGE_FULL``,
    ``DB_STORAGE_READ_ONLY``, ``DB_STORAGE_CORRUPT`` by ``kind``): the node halts until it is back
    (a corrupt store never comes back by itself)."""

    halts_node = True  # the scheduler logs it quietly: an outage is not a bug

    def __init__(self, detail: str, kind: str = LOST, description: str = ""):
        self.detail = detail
        self.kind = kind
        code, cause = failure_message(kind, detail, description)
        super().__init__(code, cause)


class StoragePathError(CantonError):
    """The store's file or directory cannot be used at all (a symlink loop, no permission, not a directory)."""

    def __init__(self, cause: str):
        super().__init__(errors.DB_STORAGE_PATH_UNUSABLE, cause)


class RateLimitedLog:
    """One warning per cause at once, then at most one per ``interval`` saying how many were left out."""

    def __init__(self, logger: logging.Logger, interval: float = WARNING_INTERVAL):
        self.logger = logger
        self.interval = interval
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def warning(self, cause: str, message: str, *args) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(cause)
            if last is not None and now - last < self.interval:
                self._suppressed[cause] = self._suppressed.get(cause, 0) + 1
                return
            self._last[cause] = now
            suppressed = self._suppressed.pop(cause, 0)
        if suppressed:
            message += f" ({suppressed} more like this in the last {self.interval:g} s were not logged)"
        self.logger.warning(message, *args)

    def summarize(self, what: str) -> None:
        """The end of an episode (the database is back): say how many warnings were left out."""
        with self._lock:
            suppressed, self._suppressed = sum(self._suppressed.values()), {}
            self._last.clear()
        if suppressed:
            self.logger.warning("%s: %d more warnings like the above were not logged", what, suppressed)


@attrs.frozen
class StorageSpec:
    """Where a node's data lives: ``kind`` is memory, sqlite or postgres."""

    kind: str
    url: str
    file: str | None = None
    description: str = ""

    @classmethod
    def memory(cls) -> "StorageSpec":
        return cls("memory", "sqlite://", None, "memory")

    @classmethod
    def sqlite(cls, file: str | Path) -> "StorageSpec":
        try:
            path = str(Path(file).resolve())
        except (RuntimeError, OSError) as e:  # a symlink loop on the way
            raise StoragePathError(
                f"The sqlite store {file} cannot be used: {e}. Fix or remove the symbolic links on its path, "
                "or point the node's storage at another file. Nothing was written."
            ) from None
        return cls("sqlite", f"sqlite:///{path}", path, path)

    @property
    def sqlite_file(self) -> str:
        """The file of an SQLite store."""
        assert self.file is not None, f"{self.description} is not an sqlite store"
        return self.file


class Storage:
    """An open, checked database with the current schema.

    ``Storage(spec)`` opens it (raising ``StorageUnavailable`` when the database cannot be reached,
    ``StorageError`` when it is not a usable store); ``Storage(spec, open=False)`` makes an unopened
    one, failed with ``failure``, that ``open()`` opens later (``fail-fast-on-startup = no``)."""

    def __init__(
        self,
        spec: StorageSpec,
        *,
        open: bool = True,
        failure: str | None = None,
        exclusive: bool = False,
        shared: bool = False,
        migrate: bool = True,
        checkpoint_policy: CheckpointPolicy | None = None,
    ):
        self.spec = spec
        # Apply pending migrations (Alembic revisions) to an existing store when opened; when False such a
        # store is refused with PendingMigrations (Canton's migrate-and-start = no). A fresh store is
        # always created complete.
        self.migrate = migrate
        self.engine: Engine | None = None
        self._write_lock = threading.RLock()
        # Why the database is unavailable (None while it works), of which kind, and who to tell when it goes.
        self.failure: str | None = failure
        self.failure_kind: str = LOST
        self.listener: Callable[[str], None] | None = None
        self.outages = 0
        self.closed = False
        # exclusive: this process must own the store (no other process may run it meanwhile);
        # shared: a replica, which shares the store with the node's other replicas only.
        self.exclusive = exclusive
        self.shared = shared and not exclusive
        self.owner_lock: SqliteOwnerLock | PgOwnerLock | None = None
        self.warnings = RateLimitedLog(log)
        # Since a full disk (SQLite): keep the write-ahead log short until space is plentiful again.
        self.low_space = False
        self._low_space_checked = 0.0
        # SQLite: checkpoints of the write-ahead log, on a thread of their own (see ``checkpointer``).
        self.checkpointer: Checkpointer | None = None
        self.checkpoint_policy = checkpoint_policy
        # SQLite: the connection the last write transaction committed on, kept for the next one with
        # the pool it came from (a pool checkout and check-in cost more than a small commit).
        self._writer: tuple[object, object] | None = None
        self._writer_lock = threading.Lock()
        if open:
            self.open()

    @property
    def component_name(self) -> str:
        return "memory_storage" if self.spec.kind == "memory" else "db-storage"

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    def open(self) -> None:
        """Check the store and create its tables; on success the storage is available.

        Nothing is written before every check passed: the path is usable, the files are writable,
        this process owns the store (``exclusive``), and what the file holds is an intact store of
        ours (``pragma quick_check``). The tables and the schema marker are created in one
        transaction, so a store is either absent or complete, whenever the process dies."""
        if self.spec.kind == "sqlite":
            # Before any connection with our pragmas: switching to WAL rewrites the file header.
            # Not while this process has the file open already (another replica of the node): closing
            # a descriptor of the file would drop the POSIX locks SQLite holds on it for that replica.
            _check_sqlite_file(self.spec.sqlite_file, read_header=not _SQLITE_FILES_IN_USE.get(self.spec.sqlite_file))
            _check_sqlite_writable(self.spec.file, self.spec.description)
        self._acquire_owner_lock()
        try:
            if self.spec.kind == "sqlite":
                _check_sqlite_contents(self.spec.file)
            engine = _create_engine(self.spec, (self.checkpoint_policy or CheckpointPolicy()).limit_bytes)
            self._track(True)
            try:
                self.engine = engine
                self._check_and_create()
                if self.spec.kind == "sqlite":
                    detail = self.probe()  # the write lock, too: a store we cannot write to is not up
                    if detail is not None:
                        raise StorageUnavailable(detail, classify_message(detail) or LOST, self.spec.description)
                elif self.spec.kind == "postgres":
                    with engine.connect() as conn:
                        detail = _pg_read_only(conn.connection.dbapi_connection)
                    if detail is not None:
                        raise StorageUnavailable(detail, READ_ONLY, self.spec.description)
            except Exception:
                self.engine = None
                engine.dispose()
                self._track(False)
                raise
        except BaseException:
            self._release_owner_lock()
            raise
        self.failure = None
        self.failure_kind = LOST
        if self.spec.kind == "sqlite" and self.checkpointer is None:
            self.checkpointer = Checkpointer(
                self.spec.sqlite_file, Path(self.spec.sqlite_file).stem, self._checkpoints_allowed, self.checkpoint_policy, self._write_lock
            )

    def _checkpoints_allowed(self) -> bool:
        """(the checkpointer's thread) The store is open and works: not failed, closed or killed."""
        return self.failure is None and not self.closed and self.engine is not None

    def _stop_checkpointer(self) -> None:
        checkpointer, self.checkpointer = self.checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()

    def _track(self, opened: bool) -> None:
        """Count this process's open engines per SQLite file (see ``_SQLITE_FILES_IN_USE``)."""
        if self.spec.kind != "sqlite":
            return
        with _SQLITE_FILES_LOCK:
            count = _SQLITE_FILES_IN_USE.get(self.spec.sqlite_file, 0) + (1 if opened else -1)
            if count > 0:
                _SQLITE_FILES_IN_USE[self.spec.sqlite_file] = count
            else:
                _SQLITE_FILES_IN_USE.pop(self.spec.sqlite_file, None)

    def _acquire_owner_lock(self) -> None:
        if not (self.exclusive or self.shared) or self.owner_lock is not None or self.spec.kind == "memory":
            return
        lock: SqliteOwnerLock | PgOwnerLock
        if self.spec.kind == "sqlite":
            sqlite_lock = SqliteOwnerLock(self.spec.sqlite_file, self.spec.description, shared=self.shared)
            try:
                sqlite_lock.acquire()
            except StorageInUse:
                raise
            except OSError as e:
                raise _path_error(e, sqlite_lock.path, "its lock file") from None
            lock = sqlite_lock
        else:
            from sqlalchemy.engine import make_url

            lock = PgOwnerLock(
                pg_connect_params(self.spec.url), make_url(self.spec.url).database or "", self.spec.description, PG_CONNECT_TIMEOUT, self.shared
            )
            try:
                lock.acquire()
            except StorageInUse:
                raise
            except Exception as e:  # noqa: BLE001 - the server is not there: an outage
                raise StorageUnavailable(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__) from None
        self.owner_lock = lock

    def _release_owner_lock(self) -> None:
        lock, self.owner_lock = self.owner_lock, None
        if lock is not None:
            lock.release()

    @property
    def _open_engine(self) -> Engine:
        """The engine of an opened store."""
        assert self.engine is not None, f"{self.spec.description} is not open"
        return self.engine

    def _check_and_create(self) -> None:
        """Check what the store holds, then (only when it is new, behind the newest revision or of
        the layout before Alembic) bring it to the newest revision in one transaction."""
        try:
            with self._open_engine.connect() as conn:
                if self._check_revision(conn) == migrations.head():
                    return  # up to date: nothing is written
        except SQLAlchemyError as e:
            kind = failure_kind(e)
            if kind is not None:
                raise StorageUnavailable(_short(e), kind, self.spec.description) from None
            raise StorageError(f"Cannot open the store {self.spec.description}: {_short(e)}") from None
        try:
            with self._open_engine.connect() as conn:
                if self.spec.kind == "sqlite":
                    # pysqlite runs DDL outside transactions: make the creation one, explicitly.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                from canton_console.store.migrations import runner

                try:
                    applied = runner.bring_to_head(conn)
                except runner.AdoptionError as e:
                    raise adoption_refused(self.spec.description, e) from None
                existing = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all())
                if not existing:
                    conn.execute(insert(SchemaMeta), [{"key": "application", "value": APPLICATION}, {"key": "schema_version", "value": str(SCHEMA_VERSION)}])
                elif existing.get("schema_version") != str(SCHEMA_VERSION):
                    conn.execute(update(SchemaMeta).where(SchemaMeta.key == "schema_version").values(value=str(SCHEMA_VERSION)))
                conn.commit()
                if applied and existing:
                    log.info("Applied %d migrations to the store %s (schema version %d)", len(applied), self.spec.description, int(applied[-1]))
        except SQLAlchemyError as e:
            kind = failure_kind(e)
            if kind is not None:
                raise StorageUnavailable(_short(e), kind, self.spec.description) from None
            raise

    def _check_revision(self, conn: Connection) -> str | None:
        """(reading only) The revision the store is on (None: a new store, or one of the layout
        before Alembic); refused when it is not ours or not usable by this version, or (without
        ``migrate``) when revisions are pending."""
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return None
        if SchemaMeta.__tablename__ not in tables:
            raise StorageError(
                f"The database {self.spec.description} holds tables that are not a canton-console "
                "store; refusing to use it. Point the node's storage at an empty or its own database."
            )
        meta = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all())
        if not (not meta and interrupted_creation(tables)):
            check_schema_meta(meta, self.spec.description)
        current = stored_revision(conn, tables, meta, self.spec.description)
        if current == migrations.head():
            return current
        if current is None:
            from canton_console.store.migrations import runner

            try:
                current = runner.legacy_revision(runner.layout_of(conn), runner.revision_layouts())
            except runner.AdoptionError as e:
                raise adoption_refused(self.spec.description, e) from None
            if current == migrations.head():
                return None  # adopted at once: nothing else to apply
        if not self.migrate:
            check_no_pending_migrations(current)
        return current

    # ---- operations ------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; SQLite allows one writer, so writers of this process queue here."""
        self._require_available()
        try:
            with self._write_lock:
                with self._open_engine.begin() as conn:
                    yield conn
                self.committed()
        except SQLAlchemyError as e:
            kind = failure_kind(e)
            if kind is not None:
                raise self.fail(_short(e), kind) from None
            raise

    def take_writer(self) -> Any:
        """(holding the write lock) The kept write connection, if it is still of the engine's pool."""
        with self._writer_lock:
            kept, self._writer = self._writer, None
        if kept is None:
            return None
        raw, pool = kept
        engine = self.engine
        if engine is not None and engine.pool is pool and getattr(raw, "is_valid", False):
            return raw
        raw.close()  # type: ignore[attr-defined]
        return None

    def keep_writer(self, raw: Any) -> bool:
        """(holding the write lock, after a commit or a read) Keep ``raw`` for the next transaction;
        False when it goes back to the pool instead (not SQLite, in a transaction, not working, closing)."""
        engine = self.engine
        if self.spec.kind != "sqlite" or engine is None or not raw.is_valid or raw.dbapi_connection.in_transaction:
            return False
        with self._writer_lock:
            if self.closed or self.failure is not None or self._writer is not None:
                return False
            self._writer = (raw, engine.pool)
        return True

    def _drop_writer(self, close: bool = True) -> None:
        with self._writer_lock:
            kept, self._writer = self._writer, None
        if kept is not None:
            raw = kept[0]
            if close:
                with contextlib.suppress(Exception):
                    raw.close()  # type: ignore[attr-defined]
            else:  # a crash: dropped unclosed, as ``dispose(close=False)`` drops the pooled ones
                with contextlib.suppress(Exception):
                    raw.detach()  # type: ignore[attr-defined]

    def committed(self) -> None:
        """(holding the write lock) What follows every commit, whichever path made it: on SQLite the
        low-space check and a word to the checkpointer."""
        if self.spec.kind == "sqlite":
            self._after_write()
            checkpointer = self.checkpointer
            if checkpointer is not None:
                checkpointer.wrote()

    def _after_write(self) -> None:
        """(holding the write lock, SQLite) Low on space: move the write-ahead log into the database
        and cut it to nothing after each write, so that the log does not eat the room that is left.
        The free space is looked at once a second at most."""
        now = time.monotonic()
        if now - self._low_space_checked >= LOW_SPACE_RECHECK:
            self._low_space_checked = now
            free = _free_bytes(self.spec.file)
            low = free is not None and free < LOW_SPACE_BYTES
            if low != self.low_space:
                self.low_space = low
                log.info("The store %s is %s (%s bytes free)", self.spec.description, "low on space: keeping its log short" if low else "no longer low on space", free)
        if not self.low_space:
            return
        try:
            with self._open_engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except SQLAlchemyError:
            pass  # the write itself is committed; the next write tries again

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        self._require_available()
        try:
            with self._open_engine.connect() as conn:
                yield conn
        except SQLAlchemyError as e:
            kind = failure_kind(e)
            if kind is not None:
                raise self.fail(_short(e), kind) from None
            raise

    def _require_available(self) -> None:
        failure = self.failure
        if failure is not None or self.engine is None:
            raise StorageUnavailable(failure or "the store is not open", self.failure_kind if failure else LOST)

    @property
    def permanent_failure(self) -> bool:
        """Failed in a way that does not heal by itself (a corrupt store): no probing, no resuming."""
        return self.failure is not None and self.failure_kind in (CORRUPT, REFUSED)

    def fail(self, detail: str, kind: str = LOST) -> StorageUnavailable:
        """Mark the database unavailable (once per outage the listener hears of it)."""
        if self.failure is None and not self.closed:
            self.failure = detail
            self.failure_kind = kind
            self.outages += 1
            code, cause = failure_message(kind, detail, self.spec.description)
            if kind == CORRUPT:
                log.error("%s(%d,0): %s", code.id, int(code.category), cause)
            else:
                self.warnings.warning(kind, "%s(%d,0): %s (%s)", code.id, int(code.category), cause, self.spec.description)
            listener = self.listener
            if listener is not None:
                listener(detail)
        elif self.failure is not None and kind != LOST and self.failure_kind == LOST:
            self.failure_kind = kind  # a more specific cause found meanwhile (e.g. the probe saw a full disk)
        return StorageUnavailable(self.failure or detail, self.failure_kind, self.spec.description)

    # ---- outage handling ---------------------------------------------------------------------
    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        """Whether the database is usable now, on a connection of its own (any thread): None when
        it is, else why not. SQLite: the file opens and its write lock can be taken; PostgreSQL: a
        connection answers a query."""
        if self.spec.kind == "memory":
            return None
        if self.spec.kind == "sqlite":
            import sqlite3

            kind = self.failure_kind if self.failure is not None else LOST
            if kind == READ_ONLY:
                detail = _sqlite_not_writable(self.spec.sqlite_file)
                if detail is not None:
                    return detail
            if kind == FULL:
                free = _free_bytes(self.spec.file)
                if free is not None and free < MIN_FREE_BYTES:
                    return f"database or disk is full ({free} bytes free)"
            try:
                conn = sqlite3.connect(f"file:{self.spec.file}?mode=rw", uri=True, timeout=timeout, isolation_level=None)
            except sqlite3.Error as e:
                return str(e)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("SELECT count(*) FROM cc_schema_meta").fetchone()
                conn.execute("ROLLBACK")
                if kind == FULL:
                    # Move the write-ahead log into the database and cut it to nothing, so that what
                    # was freed serves new writes instead of an ever longer log.
                    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    if busy and busy[0]:
                        return "database or disk is full (the write-ahead log could not be checkpointed yet)"
                return None
            except sqlite3.Error as e:
                return str(e)
            finally:
                conn.close()
        try:
            import psycopg

            with psycopg.connect(**pg_connect_params(self.spec.url), connect_timeout=PG_CONNECT_TIMEOUT, autocommit=True) as pg:
                pg.execute("SELECT 1").fetchone()
                if self.failure is not None and self.failure_kind == READ_ONLY:
                    return _pg_read_only(pg)
            return None
        except Exception as e:  # noqa: BLE001 - any failure means "not yet"
            return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__

    def check(self) -> str | None:
        """The periodic health check (any thread): None when the database works, else why not.
        On SQLite it skips a round while this process writes (its own lock is no outage)."""
        if self.closed or self.failure is not None or self.engine is None or self.spec.kind == "memory":
            return None
        if self.spec.kind == "sqlite":
            if not self._write_lock.acquire(blocking=False):
                return None
            try:
                return None if self.closed else self.probe(CHECK_TIMEOUT)
            finally:
                self._write_lock.release()
        try:
            with self.engine.connect() as conn:  # the checkout replaces connections the server dropped
                conn.execute(text("SELECT 1"))
            return None
        except SQLAlchemyError as e:
            return _short(e) if is_connection_lost(e) else None

    def recovered(self) -> None:
        """The probe found the database back: drop the pooled connections (they may be dead) and
        let operations through again."""
        self._drop_writer()
        if self.engine is not None:
            self.engine.dispose()
        if self.failure is not None:
            log.info("The store %s is available again (after: %s)", self.spec.description, self.failure)
            self.warnings.summarize(f"The store {self.spec.description} is available again")
        if self.failure_kind == FULL and self.spec.kind == "sqlite":
            self.low_space = True
            self._low_space_checked = time.monotonic()
        self.failure = None
        self.failure_kind = LOST
        if self.checkpointer is not None:
            self.checkpointer.wake()

    def close(self) -> None:
        with self._writer_lock:
            self.closed = True
        self._drop_writer()
        self._stop_checkpointer()  # before the engine's connections close: the last of them checkpoints
        try:
            if self.engine is not None:
                self.engine.dispose()
                self._mark_intact()
        finally:
            self._release_owner_lock()
            self._untrack()

    def _mark_intact(self) -> None:
        """(closing, the engine disposed) A store closed cleanly, with no failure seen and no other
        engine of this process or replica on it, needs no full check at the next open (integrity.py)."""
        if self.spec.kind != "sqlite" or self.failure is not None or self.shared or getattr(self, "_untracked", False):
            return
        with _SQLITE_FILES_LOCK:
            alone = _SQLITE_FILES_IN_USE.get(self.spec.sqlite_file, 0) <= 1
        if alone:
            mark_intact(self.spec.sqlite_file)

    def _untrack(self) -> None:
        if self.engine is not None and not getattr(self, "_untracked", False):
            self._untracked = True
            self._track(False)

    def abandon(self) -> None:
        """A node crash (``kill``): drop the connections without closing them cleanly; the process
        stays, so its ownership of the store goes (as a dead process's would)."""
        with self._writer_lock:
            self.closed = True
        self._drop_writer(close=False)
        self._stop_checkpointer()  # no checkpoint after a crash
        try:
            if self.engine is not None:
                self.engine.dispose(close=False)
        finally:
            self._release_owner_lock()
            self._untrack()


def pg_connect_params(url: str) -> dict:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params = {"host": u.host or "localhost", "port": u.port or 5432, "user": u.username, "password": u.password or None, "dbname": u.database}
    return {k: v for k, v in params.items() if v is not None}


class PendingMigrations(PendingDatabaseMigration):
    """An existing store lacks migrations this version applies (Canton's PendingMigrationError)."""

    count = 0


def pending_migrations(current: str | None) -> list[str]:
    """The revisions a store on ``current`` lacks (each one a migration, its id the schema version)."""
    ids = migrations.revision_ids()
    return list(ids[ids.index(current) + 1 :]) if current in ids else list(ids)


def check_no_pending_migrations(current: str | None) -> None:
    """Canton's wording (DbMigrations.checkPendingMigration), with our revisions as versions."""
    pending = pending_migrations(current)
    if pending:
        error = PendingMigrations(
            f"There are {len(pending)} pending migrations to get to database schema version {migrations.schema_version(migrations.head())}. "
            f"Currently on version {migrations.schema_version(current)}."
        )
        error.count = len(pending)
        raise error


def stored_revision(conn: Connection, tables: set[str], meta: dict, description: str) -> str | None:
    """The revision ``alembic_version`` records; None for a store of the layout before Alembic
    (schema version 1, no ``alembic_version``), which is adopted. A missing or unreadable record
    of a store that has had one is refused (``db.repair_migration`` restores it), as is a revision
    of a newer canton-console."""
    versioned = str(meta.get("schema_version", "")).strip() not in ("", str(LEGACY_SCHEMA_VERSION))
    if VERSION_TABLE not in tables:
        if not versioned:
            return None
        rows: list = []
    else:
        rows = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]
    ids = migrations.revision_ids()
    if len(rows) == 1 and rows[0] in ids:
        return rows[0]
    if len(rows) == 1 and str(rows[0]).isdigit() and int(rows[0]) > int(ids[-1]):
        raise StorageError(
            f"The store {description} was written by a newer canton-console (schema version {int(rows[0])}; this version "
            f"understands up to {int(ids[-1])}). Upgrade canton-console to use it; the store was left untouched."
        )
    found = "no record" if not rows else ", ".join(repr(r) for r in rows)
    raise StorageError(
        f"The store {description} has a missing or unreadable migration record ({found} in {VERSION_TABLE}). If its "
        "tables are intact, the node's `db.repair_migration(force = true)` records the revision they match; otherwise "
        "restore the store from a backup. The store was left untouched."
    )


def adoption_refused(description: str, error: Exception) -> StorageError:
    return StorageError(
        f"The store {description} was written by an older canton-console, but its tables match none of its "
        f"schema versions: {error}. Restore it from a backup. The store was left untouched."
    )


def _pg_read_only(conn) -> str | None:
    """(a psycopg connection) Why the PostgreSQL database cannot be written, or None."""
    read_only, in_recovery = conn.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()").fetchone()
    if in_recovery:
        return "the server is a read-only standby (pg_is_in_recovery)"
    if str(read_only).lower() == "on":
        return "the database is read-only (default_transaction_read_only = on)"
    return None


def _short(e: Exception) -> str:
    cause = getattr(e, "orig", None) or e
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _path_error(e: OSError, path: str | Path, what: str = "the store") -> StoragePathError | StorageUnavailable:
    """An OS error about the store's path, as Canton-style advice (nothing was written)."""
    reason = e.strerror or str(e)
    if e.errno in (errno.EROFS,):
        return StorageUnavailable(f"{reason}: {path}", READ_ONLY, str(path))
    if e.errno == errno.ENOSPC:
        return StorageUnavailable(f"{reason}: {path}", FULL, str(path))
    if e.errno == errno.ELOOP:
        advice = "Fix or remove the symbolic links on its path"
    elif e.errno in (errno.EACCES, errno.EPERM):
        advice = "Give this process access to the directory (or choose another data directory)"
    elif e.errno in (errno.ENOTDIR, errno.EEXIST):
        advice = "A file stands where a directory is needed: move it away or choose another data directory"
    else:
        advice = "Fix the path or choose another data directory"
    return StoragePathError(
        f"Cannot use {what} at {path}: {reason} (errno {errno.errorcode.get(e.errno or 0, e.errno)}). {advice} "
        "(CANTON_CONSOLE_DATA or the node's storage.file). Nothing was written."
    )


# This process's open engines per SQLite file. SQLite locks a database with POSIX locks, which a
# process loses on *every* descriptor of the file as soon as it closes *any* descriptor of it: so the
# file is never opened directly (its header read) while one of our engines may hold locks on it.
_SQLITE_FILES_IN_USE: dict[str, int] = {}
_SQLITE_FILES_LOCK = threading.Lock()


def _check_sqlite_file(file: str | None, read_header: bool = True) -> None:
    if file is None:
        return
    path = Path(file)
    try:
        if path.is_symlink() and not path.exists():
            os.stat(path)  # a dangling link or a loop: name the OS's reason
        if path.is_dir():
            raise StorageError(f"The sqlite store {file} is a directory, not a database file.")
        exists = path.exists()
        size = path.stat().st_size if exists else 0
    except OSError as e:
        if e.errno == errno.ENOENT and path.is_symlink():
            raise StoragePathError(
                f"The sqlite store {file} is a symbolic link to a file that does not exist ({os.readlink(path)}). "
                "Point it at the store, or remove the link to start a new store there. Nothing was written."
            ) from None
        raise _path_error(e, file) from None
    if exists and size > 0 and read_header:
        try:
            with open(path, "rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as e:
            raise _path_error(e, file) from None
        if header != SQLITE_HEADER:
            raise StorageError(
                f"The file {file} is not an SQLite database, so it cannot be a canton-console store; "
                "it was left untouched. Point the node's storage.file at a new or existing store."
            )
    elif not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _path_error(e, path.parent, "the store's directory") from None


def _sqlite_not_writable(file: str) -> str | None:
    """Why the store's files cannot be written (None when they can): SQLite writes the database,
    its ``-wal`` and ``-shm`` files and the lock file, so the directory must be writable too."""
    path = Path(file)
    directory = path.parent
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"the directory {directory} is not writable"
    for candidate in (path, Path(file + "-wal"), Path(file + "-shm")):
        if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
            return f"the file {candidate} is read-only"
    return None


def _check_sqlite_writable(file: str | None, description: str) -> None:
    if file is None:
        return
    detail = _sqlite_not_writable(file)
    if detail is None:
        return
    if Path(file).exists():
        raise StorageUnavailable(detail, READ_ONLY, description)
    raise StoragePathError(
        f"Cannot create the sqlite store {file}: {detail}. Give this process write access to the directory "
        "or choose another data directory (CANTON_CONSOLE_DATA or the node's storage.file). Nothing was written."
    )


def _free_bytes(file: str | None) -> int | None:
    if file is None:
        return None
    try:
        st = os.statvfs(Path(file).parent)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def interrupted_creation(tables: set[str]) -> bool:
    """Tables of ours but no schema marker: a first start that a version without atomic creation
    did not finish. Such a store holds nothing yet, and its creation is completed."""
    return bool(tables) and tables <= set(Base.metadata.tables) | {VERSION_TABLE}


def check_schema_meta(meta: dict, description: str) -> None:
    """The schema marker must say: ours, a version this code understands."""
    if meta.get("application") != APPLICATION:
        raise StorageError(f"The database {description} is not a canton-console store.")
    raw = meta.get("schema_version", "0")
    try:
        version = int(str(raw).strip())
    except ValueError:
        raise StorageError(
            f"The store {description} has an unreadable schema version ({raw!r} in {SchemaMeta.__tablename__}); "
            f"this version of canton-console writes schema version {SCHEMA_VERSION}. The store was modified by "
            "something other than canton-console: restore it from a backup, or correct the schema_version row. "
            "The store was left untouched."
        ) from None
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The store {description} was written by a newer canton-console (schema version {version}; this version "
            f"understands up to {SCHEMA_VERSION}). Upgrade canton-console to use it; the store was left untouched."
        )


def _check_sqlite_contents(file: str | None) -> None:
    """Inspect an existing SQLite file read-only: it must be empty or one of our stores, not newer,
    and intact (``pragma quick_check``: the b-trees of every table and index are well formed)."""
    import sqlite3

    if file is None or not Path(file).exists() or Path(file).stat().st_size == 0:
        return
    intact = unchanged_since_intact(file)  # before a connection leaves its traces next to the file

    def inspect(mode: str) -> None:
        try:
            conn = sqlite3.connect(f"file:{file}?mode={mode}", uri=True)
        except sqlite3.Error as e:
            raise StorageError(f"Cannot open the sqlite store {file}: {e}") from None
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return
            if SchemaMeta.__tablename__ not in tables:
                if interrupted_creation(tables):
                    return
                raise StorageError(
                    f"The database {file} holds tables that are not a canton-console store; refusing to use it. "
                    "Point the node's storage at an empty or its own database."
                )
            meta = dict(conn.execute(f"SELECT key, value FROM {SchemaMeta.__tablename__}"))
            if not meta and interrupted_creation(tables):
                return
            check_schema_meta(meta, file)
            if intact:
                return  # not written since this process last closed it intact (see integrity.py)
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise StorageUnavailable("pragma quick_check: " + "; ".join(problems), CORRUPT, file)
        finally:
            conn.close()

    try:
        try:
            inspect("ro")
        except sqlite3.OperationalError as e:
            # A write-ahead log left by a crash needs its index rebuilt (or its frames recovered),
            # which a read-only connection cannot do, at whichever statement first reads through
            # it: read through a writable one (it changes no stored data).
            left_by_crash = any(Path(file + suffix).exists() for suffix in ("-wal", "-shm", "-journal")) or _in_wal_mode(file)
            if not left_by_crash or classify_message(str(e)) not in (READ_ONLY, LOST):
                raise
            inspect("rw")
    except sqlite3.DatabaseError as e:
        message = str(e)
        if classify_message(message) == CORRUPT:
            raise StorageUnavailable(message, CORRUPT, file) from None
        if classify_message(message) in (LOST, None) and "locked" in message:
            raise StorageUnavailable(message, LOST, file) from None
        raise StorageError(f"The file {file} is not a readable SQLite database ({e}); it was left untouched.") from None


def _in_wal_mode(file: str) -> bool:
    """The file's header says write-ahead logging (its read and write versions are 2): a read-only
    connection cannot open it while the log's index file is missing, e.g. after a crash during the
    last connection's close, which removes the log and its index."""
    try:
        with open(file, "rb") as fh:
            return fh.read(20)[18:20] == b"\x02\x02"
    except OSError:
        return False


def _create_engine(spec: StorageSpec, wal_limit_bytes: int = CheckpointPolicy().limit_bytes) -> Engine:
    if spec.kind == "memory":
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    elif spec.kind == "sqlite":
        engine = create_engine(
            spec.url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=4,
            max_overflow=8,
        )
    elif spec.kind == "postgres":
        engine = create_engine(
            spec.url, pool_size=4, max_overflow=8, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT}
        )
        event.listen(engine, "checkout", _pg_drop_closed_connection)
        return engine
    else:
        raise StorageError(f"unknown storage type '{spec.kind}'")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every sqlite test
        cur = dbapi_conn.cursor()
        if spec.kind == "sqlite":
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # Never checkpoint inside a commit (on the runtime thread): the store's checkpointer does.
            cur.execute("PRAGMA wal_autocheckpoint=0")
            # A commit that starts the log over cuts its file back to this (see checkpointer: catch-up).
            cur.execute(f"PRAGMA journal_size_limit={int(wal_limit_bytes)}")
        cur.close()

    return engine


def _pg_drop_closed_connection(dbapi_conn, _record, _proxy) -> None:
    """(checkout) Replace a pooled PostgreSQL connection the server has closed meanwhile (terminated
    backend, restarted server), without a round trip: an idle connection's socket has nothing to
    read unless the server said goodbye (or the connection is gone). A connection that breaks after
    this fails on use, which the outage handling notices (the node halts until the probe finds the
    database back)."""
    if dbapi_conn.closed:
        raise DisconnectionError("the connection was closed")
    poller = poll()
    poller.register(dbapi_conn.fileno(), POLLIN | POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection while it was idle")


# SQLite reports schema mistakes as OperationalError too: those are bugs, not outages.
_NOT_AN_OUTAGE = ("no such table", "no such column", "has no column", "syntax error", "already exists", "no such function")
_SQLITE_CORRUPT = ("malformed", "file is not a database", "database corruption", "corrupt")
_SQLITE_READ_ONLY = ("readonly", "read-only")
_SQLITE_FULL = ("database or disk is full", "no space left")
_SQLITE_UNREADABLE = ("disk i/o error", "unable to open")
# PostgreSQL SQLSTATEs: data_corrupted, index_corrupted; read_only_sql_transaction; disk_full.
_PG_KINDS = {"XX001": CORRUPT, "XX002": CORRUPT, "25006": READ_ONLY, "53100": FULL}


def classify_message(message: str) -> str | None:
    """The kind of failure an SQLite error message describes (None: not a database-state one)."""
    message = message.lower()
    if any(m in message for m in _SQLITE_CORRUPT):
        return CORRUPT
    if any(m in message for m in _SQLITE_FULL):
        return FULL
    if any(m in message for m in _SQLITE_READ_ONLY):
        return READ_ONLY
    if any(m in message for m in _SQLITE_UNREADABLE):
        return LOST
    return None


def failure_kind(error: BaseException) -> str | None:
    """Whether a database error is about the database's state, and which (LOST, FULL, READ_ONLY,
    CORRUPT); None when it is a bug of ours (a constraint, a schema mistake)."""
    if isinstance(error, StorageUnavailable):
        return error.kind
    if not isinstance(error, DBAPIError):
        return None
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_KINDS:
        return _PG_KINDS[sqlstate]
    if error.connection_invalidated:
        return LOST
    message = str(orig if orig is not None else error).lower()
    kind = classify_message(message)
    if kind is not None:
        return kind
    if isinstance(error, (OperationalError, InterfaceError)):
        return None if any(m in message for m in _NOT_AN_OUTAGE) else LOST
    return None


def is_connection_lost(error: BaseException) -> bool:
    """Whether a database error means the database is (temporarily or not) unusable."""
    return failure_kind(error) is not None


__all__ = ["Storage", "StorageSpec", "StorageError", "StorageUnavailable", "StoragePathError", "StorageInUse", "text", "is_connection_lost", "failure_kind"]
