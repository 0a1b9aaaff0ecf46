"""The hot paths' statements: plain SQL run on the DBAPI connection beneath SQLAlchemy.

Compiling a Core statement per call (coercions, cache keys, parameter processing, result set-up)
costs several times what SQLite needs to run it. The sequencer's persist, the mediator's decision
and the participant's request and commit run for every event, so they use SQL text built once per
table, column list and dialect (from the models in ``schema``, which stays the schema's home) and
executed on the pooled DBAPI connection: ``?`` placeholders for SQLite, ``%s`` for psycopg.

Durability and failure handling are those of ``Storage.transaction()``: the same write lock, one
commit per transaction, a DBAPI error is wrapped as SQLAlchemy wraps it (so ``IntegrityError`` and
friends still reach callers) and an error about the database's state marks the storage failed,
exactly as a Core statement's would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from canton_console.store.storage import Storage, _short, failure_kind

# (dialect name, key) -> SQL text
_SQL: dict[tuple[str, Any], str] = {}


def _table(model: Any) -> Table:
    table = model.__table__ if hasattr(model, "__table__") else model
    assert isinstance(table, Table)
    return table


class FastConn:
    """Runs prepared SQL text on one DBAPI connection inside a transaction. ``core`` is the
    SQLAlchemy connection of the same transaction when the caller asked for one (for the statements
    that stay off the hot path)."""

    def __init__(self, dbapi_conn: Any, dialect: Any, on_disconnect: Any = None, core: Connection | None = None):
        self._dbapi_conn = dbapi_conn
        self._cursor = dbapi_conn.cursor()
        self.dialect = dialect
        self.name = dialect.name
        self.mark = "?" if self.name == "sqlite" else "%s"
        self.core = core
        self._on_disconnect = on_disconnect

    def close(self) -> None:
        self._cursor.close()

    # ---- SQL text, built once ------------------------------------------------------------
    def sql(self, key: Any, build: Any) -> str:
        """The SQL text cached under ``key`` for this dialect; ``build(quote, mark)`` makes it once."""
        text = _SQL.get((self.name, key))
        if text is None:
            text = _SQL[(self.name, key)] = build(self.dialect.identifier_preparer.quote, self.mark)
        return text

    def insert_sql(self, model: Any, columns: Sequence[str]) -> str:
        table = _table(model)

        def build(quote, mark):
            return f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(mark for _ in columns)})"

        return self.sql(("insert", table.name, tuple(columns)), build)

    # ---- execution -----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the cursor (``rowcount``, ``fetchall``)."""
        try:
            self._cursor.execute(sql, tuple(params))
        except self.dialect.loaded_dbapi.Error as e:
            raise self._wrap(e, sql, params) from e
        return self._cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if not rows:
            return
        try:
            if len(rows) == 1:
                self._cursor.execute(sql, rows[0])
            else:
                self._cursor.executemany(sql, rows)
        except self.dialect.loaded_dbapi.Error as e:
            raise self._wrap(e, sql, rows) from e

    def insert(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts with the same keys) in one batch."""
        if not rows:
            return
        columns = tuple(rows[0])
        self.executemany(self.insert_sql(model, columns), [[row[c] for c in columns] for row in rows])

    def insert_new(self, model: Any, rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        """Insert the rows whose ``key`` (the primary key) is not stored yet; returns the others
        (one statement per row: the row count tells which ones were there)."""
        if not rows:
            return []
        columns = tuple(rows[0])
        base = self.insert_sql(model, columns)
        sql = self.sql(("insert-new", base, key), lambda quote, mark: f"{base} ON CONFLICT ({quote(key)}) DO NOTHING")
        return [row for row in rows if not self.execute(sql, [row[c] for c in columns]).rowcount]

    def marks(self, n: int) -> str:
        """``n`` placeholders for an IN list."""
        return ", ".join(self.mark for _ in range(n))

    def _wrap(self, e: Exception, sql: str, params: Any) -> DBAPIError:
        dialect = self.dialect
        disconnect = False
        try:
            disconnect = bool(dialect.is_disconnect(e, self._dbapi_conn, self._cursor))
        except Exception:  # noqa: BLE001 - classification only
            disconnect = False
        if disconnect and self._on_disconnect is not None:
            self._on_disconnect(e)
        wrapped = DBAPIError.instance(sql, params, e, dialect.loaded_dbapi.Error, hide_parameters=True, connection_invalidated=disconnect, dialect=dialect)
        assert isinstance(wrapped, DBAPIError)
        return wrapped


def _checkout(engine: Any) -> Any:
    """A pooled DBAPI connection; a failure to connect is wrapped as ``engine.connect()`` wraps it."""
    try:
        return engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as e:
        try:
            disconnect = bool(engine.dialect.is_disconnect(e, None, None))
        except Exception:  # noqa: BLE001 - classification only
            disconnect = False
        wrapped = DBAPIError.instance(None, None, e, engine.dialect.loaded_dbapi.Error, hide_parameters=True, connection_invalidated=disconnect, dialect=engine.dialect)
        raise wrapped from e


def _raise_failure(storage: Storage, e: SQLAlchemyError) -> None:
    kind = failure_kind(e)
    if kind is not None:
        raise storage.fail(_short(e), kind) from None


@contextlib.contextmanager
def transaction(storage: Storage, core: bool = False) -> Iterator[FastConn]:
    """A write transaction as ``storage.transaction()`` makes one, with prepared SQL. With ``core``,
    the same transaction's SQLAlchemy connection comes along (``FastConn.core``)."""
    if core:
        with storage.transaction() as conn:
            # conn.connection is the pooled DBAPI connection of this very transaction
            yield FastConn(conn.connection, conn.dialect, conn.invalidate, conn)
        return
    storage._require_available()
    engine = storage._open_engine
    try:
        with storage._write_lock:
            raw = storage.take_writer() or _checkout(engine)
            done = False
            try:
                fast = FastConn(raw, engine.dialect, raw.invalidate)
                try:
                    yield fast
                    try:
                        raw.commit()
                    except engine.dialect.loaded_dbapi.Error as e:
                        raise fast._wrap(e, "COMMIT", ()) from e
                    fast.close()
                    done = True
                except BaseException:
                    if raw.is_valid:
                        with contextlib.suppress(Exception):
                            raw.rollback()
                    raise
            finally:
                if not (done and storage.keep_writer(raw)):
                    raw.close()  # back to the pool
            storage.committed()
    except SQLAlchemyError as e:
        _raise_failure(storage, e)
        raise


@contextlib.contextmanager
def read(storage: Storage) -> Iterator[FastConn]:
    """A read as ``storage.read()`` makes one, with prepared SQL."""
    storage._require_available()
    engine = storage._open_engine
    try:
        # SQLite: the kept write connection when no write is under way (a checkout and check-in cost
        # more than a small read); a pooled one otherwise, and always on PostgreSQL (no connection
        # is kept there, so its writers are not held up by reads).
        locked = storage.spec.kind == "sqlite" and storage._write_lock.acquire(blocking=False)
        try:
            raw = (storage.take_writer() if locked else None) or _checkout(engine)
            kept = False
            try:
                fast = FastConn(raw, engine.dialect, raw.invalidate)
                yield fast
                fast.close()  # no statement left open: it would hold a read snapshot
                kept = locked and storage.keep_writer(raw)
            finally:
                if not kept:
                    raw.close()
        finally:
            if locked:
                storage._write_lock.release()
    except SQLAlchemyError as e:
        _raise_failure(storage, e)
        raise
