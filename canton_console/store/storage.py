"""Opening a node's database: SQLite (WAL) by default, in-memory SQLite, or PostgreSQL (psycopg 3).

Before anything is written the store is checked: a file that is not SQLite, a database that holds
tables but is not ours, or one written by a newer schema is refused and left exactly as it was.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Iterator

import attrs
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from canton_console.runtime.errors import STORAGE_INCOMPATIBLE, CantonError
from canton_console.store.schema import APPLICATION, SCHEMA_VERSION, Base, SchemaMeta

SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(CantonError):
    def __init__(self, cause: str):
        super().__init__(STORAGE_INCOMPATIBLE, cause)


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
    """An open, checked database with the current schema."""

    def __init__(self, spec: StorageSpec):
        self.spec = spec
        if spec.kind == "sqlite":
            # Before any connection with our pragmas: switching to WAL rewrites the file header.
            _check_sqlite_file(spec.file)
            _check_sqlite_contents(spec.file)
        self.engine = _create_engine(spec)
        self._write_lock = threading.RLock()
        try:
            self._check_and_create()
        except Exception:
            self.engine.dispose()
            raise

    @property
    def component_name(self) -> str:
        return "memory_storage" if self.spec.kind == "memory" else "db-storage"

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
            raise StorageError(f"Cannot open the store {self.spec.description}: {_short(e)}") from None
        with self.engine.begin() as conn:
            Base.metadata.create_all(conn)
            existing = dict(conn.execute(select(SchemaMeta.key, SchemaMeta.value)).all())
            if not existing:
                conn.execute(
                    SchemaMeta.__table__.insert(),
                    [
                        {"key": "application", "value": APPLICATION},
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    ],
                )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; SQLite allows one writer, so writers of this process queue here."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _short(e: Exception) -> str:
    return str(getattr(e, "orig", e)).splitlines()[0]


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
            spec.url, connect_args={"check_same_thread": False, "timeout": 5}, pool_size=4, max_overflow=8
        )
    elif spec.kind == "postgres":
        engine = create_engine(spec.url, pool_size=4, max_overflow=8, pool_pre_ping=True)
        return engine
    else:
        raise StorageError(f"unknown storage type '{spec.kind}'")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every sqlite test
        cur = dbapi_conn.cursor()
        if spec.kind == "sqlite":
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    return engine


def is_connection_lost(error: Exception) -> bool:
    """Whether a database error means the database is (temporarily) unavailable."""
    return isinstance(error, OperationalError)


__all__ = ["Storage", "StorageSpec", "StorageError", "text", "is_connection_lost"]
