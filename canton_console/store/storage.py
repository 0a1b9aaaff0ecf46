"""Opening a node's database: SQLite (WAL) by default, in-memory SQLite, or PostgreSQL (psycopg 3).

Before anything is written the store is checked: a file that is not SQLite, a database that holds
tables but is not ours, or one written by a newer schema is refused and left exactly as it was.

Database outages: every ``transaction()`` and ``read()`` turns an error that means "the database is
not there" (SQLite's write lock held elsewhere past the busy timeout, an unreadable file, a
PostgreSQL server that is down or cut the connection) into ``StorageUnavailable``
(``DB_CONNECTION_LOST``), marks the storage failed and tells its listener (the node, which halts).
While failed, every operation fails at once without touching the database; ``probe()`` (run off the
runtime thread, with back-off) finds out when the database is back, and ``recovered()`` reopens it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Callable, Iterator

import attrs
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from canton_console.values.errors import DB_CONNECTION_LOST, STORAGE_INCOMPATIBLE, CantonError
from canton_console.store.schema import APPLICATION, SCHEMA_VERSION, Base, SchemaMeta

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
# Columns added to tables after their first release: (table, column, SQL type). Stores created
# before get them with ALTER TABLE when opened (the schema version does not change for these).
ADDED_COLUMNS = (
    ("cc_command_dedup", "deadline", "BIGINT"),
    ("cc_command_dedup", "change", "TEXT"),
    ("cc_command_dedup", "root_hash", "VARCHAR(128)"),
    ("cc_mediator_verdicts", "root_hash", "VARCHAR(128)"),
    ("cc_mediator_verdicts", "recipients", "TEXT"),
    ("cc_mediator_verdicts", "message_id", "VARCHAR(128)"),
    ("cc_mediator_verdicts", "sent", "BOOLEAN"),
    ("cc_traffic_consumed", "total_consumed", "BIGINT DEFAULT 0 NOT NULL"),
)


class StorageError(CantonError):
    def __init__(self, cause: str):
        super().__init__(STORAGE_INCOMPATIBLE, cause)


class StorageUnavailable(CantonError):
    """The database cannot be reached (Canton's ``DB_CONNECTION_LOST``): the node halts until it is back."""

    halts_node = True  # the scheduler logs it quietly: an outage is not a bug

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(DB_CONNECTION_LOST, f"Database health check failed to establish a valid connection: {detail}")


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
        path = str(Path(file).resolve())
        return cls("sqlite", f"sqlite:///{path}", path, path)


class Storage:
    """An open, checked database with the current schema.

    ``Storage(spec)`` opens it (raising ``StorageUnavailable`` when the database cannot be reached,
    ``StorageError`` when it is not a usable store); ``Storage(spec, open=False)`` makes an unopened
    one, failed with ``failure``, that ``open()`` opens later (``fail-fast-on-startup = no``)."""

    def __init__(self, spec: StorageSpec, *, open: bool = True, failure: str | None = None):
        self.spec = spec
        self.engine: Engine | None = None
        self._write_lock = threading.RLock()
        # Why the database is unavailable (None while it works), and who to tell when it goes.
        self.failure: str | None = failure
        self.listener: Callable[[str], None] | None = None
        self.outages = 0
        self.closed = False
        if open:
            self.open()

    @property
    def component_name(self) -> str:
        return "memory_storage" if self.spec.kind == "memory" else "db-storage"

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    def open(self) -> None:
        """Check the store and create its tables; on success the storage is available."""
        if self.spec.kind == "sqlite":
            # Before any connection with our pragmas: switching to WAL rewrites the file header.
            _check_sqlite_file(self.spec.file)
            _check_sqlite_contents(self.spec.file)
        engine = _create_engine(self.spec)
        try:
            self.engine = engine
            self._check_and_create()
            if self.spec.kind == "sqlite":
                detail = self.probe()  # the write lock, too: a store we cannot write to is not up
                if detail is not None:
                    raise StorageUnavailable(detail)
        except Exception:
            self.engine = None
            engine.dispose()
            raise
        self.failure = None

    def _check_and_create(self) -> None:
        try:
            with self.engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
                if tables:
                    if SchemaMeta.__tablename__ not in tables:
                        raise StorageError(
                            f"The database {self.spec.description} holds tables that are not a canton-console "
                            "store; refusing to use it. Point the node's storage at an empty or its own database."
                        )
                    meta = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all())
                    if meta.get("application") != APPLICATION:
                        raise StorageError(f"The database {self.spec.description} is not a canton-console store.")
                    version = int(meta.get("schema_version", "0"))
                    if version > SCHEMA_VERSION:
                        raise StorageError(
                            f"The store {self.spec.description} was written by a newer canton-console (schema "
                            f"version {version}; this version understands up to {SCHEMA_VERSION}). Upgrade "
                            "canton-console to use it; the store was left untouched."
                        )
        except SQLAlchemyError as e:
            if is_connection_lost(e):
                raise StorageUnavailable(_short(e)) from None
            raise StorageError(f"Cannot open the store {self.spec.description}: {_short(e)}") from None
        try:
            with self.engine.begin() as conn:
                Base.metadata.create_all(conn)
                _add_missing_columns(conn)
                existing = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all())
                if not existing:
                    conn.execute(
                        SchemaMeta.__table__.insert(),
                        [
                            {"key": "application", "value": APPLICATION},
                            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                        ],
                    )
        except SQLAlchemyError as e:
            if is_connection_lost(e):
                raise StorageUnavailable(_short(e)) from None
            raise

    # ---- operations ------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; SQLite allows one writer, so writers of this process queue here."""
        self._require_available()
        try:
            with self._write_lock, self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as e:
            if is_connection_lost(e):
                raise self._lost(e) from None
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        self._require_available()
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as e:
            if is_connection_lost(e):
                raise self._lost(e) from None
            raise

    def _require_available(self) -> None:
        failure = self.failure
        if failure is not None or self.engine is None:
            raise StorageUnavailable(failure or "the store is not open")

    def _lost(self, error: Exception) -> StorageUnavailable:
        return self.fail(_short(error))

    def fail(self, detail: str) -> StorageUnavailable:
        """Mark the database unavailable (once per outage the listener hears of it)."""
        if self.failure is None and not self.closed:
            self.failure = detail
            self.outages += 1
            log.warning("DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: %s (%s)", detail, self.spec.description)
            listener = self.listener
            if listener is not None:
                listener(detail)
        return StorageUnavailable(self.failure)

    # ---- outage handling ---------------------------------------------------------------------
    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        """Whether the database is usable now, on a connection of its own (any thread): None when
        it is, else why not. SQLite: the file opens and its write lock can be taken; PostgreSQL: a
        connection answers a query."""
        if self.spec.kind == "memory":
            return None
        if self.spec.kind == "sqlite":
            import sqlite3

            try:
                conn = sqlite3.connect(f"file:{self.spec.file}?mode=rw", uri=True, timeout=timeout, isolation_level=None)
            except sqlite3.Error as e:
                return str(e)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("SELECT count(*) FROM cc_schema_meta").fetchone()
                conn.execute("ROLLBACK")
                return None
            except sqlite3.Error as e:
                return str(e)
            finally:
                conn.close()
        try:
            import psycopg

            with psycopg.connect(**pg_connect_params(self.spec.url), connect_timeout=PG_CONNECT_TIMEOUT, autocommit=True) as conn:
                conn.execute("SELECT 1").fetchone()
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
            with self.engine.connect() as conn:  # pre-ping replaces connections the server dropped
                conn.execute(text("SELECT 1"))
            return None
        except SQLAlchemyError as e:
            return _short(e) if is_connection_lost(e) else None

    def recovered(self) -> None:
        """The probe found the database back: drop the pooled connections (they may be dead) and
        let operations through again."""
        if self.engine is not None:
            self.engine.dispose()
        self.failure = None

    def close(self) -> None:
        self.closed = True
        if self.engine is not None:
            self.engine.dispose()


def pg_connect_params(url: str) -> dict:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params = {"host": u.host or "localhost", "port": u.port or 5432, "user": u.username, "password": u.password or None, "dbname": u.database}
    return {k: v for k, v in params.items() if v is not None}


def _add_missing_columns(conn: Connection) -> None:
    inspector = inspect(conn)
    for table, column, sql_type in ADDED_COLUMNS:
        columns = {c["name"] for c in inspector.get_columns(table)}
        if column not in columns:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def _short(e: Exception) -> str:
    cause = getattr(e, "orig", None) or e
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _check_sqlite_file(file: str | None) -> None:
    if file is None:
        return
    path = Path(file)
    if path.is_dir():
        raise StorageError(f"The sqlite store {file} is a directory, not a database file.")
    if path.exists() and path.stat().st_size > 0:
        try:
            with open(path, "rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as e:
            raise StorageError(f"Cannot read the sqlite store {file}: {e.strerror}") from None
        if header != SQLITE_HEADER:
            raise StorageError(
                f"The file {file} is not an SQLite database, so it cannot be a canton-console store; "
                "it was left untouched. Point the node's storage.file at a new or existing store."
            )
    elif not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)


def _check_sqlite_contents(file: str | None) -> None:
    """Inspect an existing SQLite file read-only: it must be empty or one of our stores, not newer."""
    import sqlite3

    if file is None or not Path(file).exists() or Path(file).stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise StorageError(f"Cannot open the sqlite store {file}: {e}") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return
        if SchemaMeta.__tablename__ not in tables:
            raise StorageError(
                f"The database {file} holds tables that are not a canton-console store; refusing to use it. "
                "Point the node's storage at an empty or its own database."
            )
        meta = dict(conn.execute(f"SELECT key, value FROM {SchemaMeta.__tablename__}"))
    except sqlite3.DatabaseError as e:
        raise StorageError(f"The file {file} is not a readable SQLite database ({e}); it was left untouched.") from None
    finally:
        conn.close()
    if meta.get("application") != APPLICATION:
        raise StorageError(f"The database {file} is not a canton-console store.")
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The store {file} was written by a newer canton-console (schema version {version}; this version "
            f"understands up to {SCHEMA_VERSION}). Upgrade canton-console to use it; the store was left untouched."
        )


def _create_engine(spec: StorageSpec) -> Engine:
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
            spec.url, pool_size=4, max_overflow=8, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT}
        )
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
        cur.close()

    return engine


# SQLite reports schema mistakes as OperationalError too: those are bugs, not outages.
_NOT_AN_OUTAGE = ("no such table", "no such column", "has no column", "syntax error", "already exists", "no such function")
_SQLITE_UNREADABLE = ("file is not a database", "malformed", "disk i/o error", "unable to open", "readonly", "read-only")


def is_connection_lost(error: BaseException) -> bool:
    """Whether a database error means the database is (temporarily) unavailable."""
    if isinstance(error, StorageUnavailable):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    message = str(getattr(error, "orig", error)).lower()
    if isinstance(error, (OperationalError, InterfaceError)):
        return not any(m in message for m in _NOT_AN_OUTAGE)
    return any(m in message for m in _SQLITE_UNREADABLE)


__all__ = ["Storage", "StorageSpec", "StorageError", "StorageUnavailable", "text", "is_connection_lost"]
