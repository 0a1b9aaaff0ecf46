"""One process owns a node's store at a time (outside replication, where replicas share one on purpose).

* SQLite: an exclusive ``flock`` on ``<file>.lock`` next to the database, which holds the owner's pid.
  The kernel drops the lock when the process dies (also on SIGKILL), so a stale lock file never
  blocks the next start: it is taken over and its pid rewritten.
* PostgreSQL: a session advisory lock in the node's database, held by a dedicated connection whose
  ``application_name`` names the owner's pid and host. Replication's locks are single-key
  (``pg_try_advisory_lock(bigint)``, ``objsubid = 1``); this one is two-key (``objsubid = 2``), so
  the two never meet.

A second process is refused with ``DB_STORAGE_IN_USE``, naming the holder, before it writes anything.
Replicas of one node (``replication.enabled``) take the lock shared: they run side by side on their
store, in one process or several, while a process running the node without replication is kept out
(and keeps them out).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import socket
import time
from typing import Any

from canton_console.values import errors
from canton_console.values.errors import CantonError

# pg_try_advisory_lock(OWNER_LOCK_CLASS, key): 'CC' 'O' '1' as an int4
OWNER_LOCK_CLASS = 0x4343_4F31


class StorageInUse(CantonError):
    def __init__(self, description: str, holder: str):
        self.holder = holder
        super().__init__(
            errors.DB_STORAGE_IN_USE,
            f"The store {description} is in use by another canton-console process ({holder}). One process "
            "runs a node's store at a time: stop that process first, or give this one its own data directory "
            "(CANTON_CONSOLE_DATA or the node's storage settings). Nothing was written.",
        )


def lock_file_for(db_file: str) -> str:
    return db_file + ".lock"


class SqliteOwnerLock:
    """``flock`` on ``<db>.lock``; ``acquire`` raises ``StorageInUse`` with the holder's pid."""

    def __init__(self, db_file: str, description: str, shared: bool = False):
        self.path = lock_file_for(db_file)
        self.description = description
        self.shared = shared
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StorageInUse(self.description, self._holder()) from None
            raise
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n{socket.gethostname()}\n".encode(), 0)
        except OSError:
            pass  # a full disk must not keep the owner from running; the pid is informational
        self.fd = fd

    def _holder(self) -> str:
        # The holder writes its pid right after it took the lock: give it a moment.
        text = ""
        for _ in range(20):
            try:
                with open(self.path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                text = ""
            if text.strip():
                break
            time.sleep(0.01)
        lines = text.split()
        if not lines:
            return f"pid unknown; lock file {self.path}"
        host = f" on {lines[1]}" if len(lines) > 1 else ""
        return f"pid {lines[0]}{host}; lock file {self.path}"

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def pg_owner_key(database: str) -> int:
    digest = hashlib.sha256(f"canton-console/owner-lock/{database}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x3FFF_FFFF


class PgOwnerLock:
    """A two-key session advisory lock on a dedicated connection, held while the connection lives."""

    def __init__(self, connect_params: dict, database: str, description: str, connect_timeout: int = 3, shared: bool = False):
        self.params = connect_params
        self.description = description
        self.shared = shared
        self.key = pg_owner_key(database)
        self.connect_timeout = connect_timeout
        self.conn: Any = None  # the psycopg connection holding the lock, while held

    def acquire(self) -> None:
        import psycopg

        name = f"canton-console owner pid={os.getpid()} host={socket.gethostname()}"[:63]
        conn = psycopg.connect(**self.params, connect_timeout=self.connect_timeout, autocommit=True, application_name=name)
        try:
            function = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
            result = conn.execute(f"SELECT {function}(%s, %s)", (OWNER_LOCK_CLASS, self.key)).fetchone()
            got = result is not None and result[0]
            if not got:
                row = conn.execute(
                    "SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.objsubid = 2 AND l.granted "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    (OWNER_LOCK_CLASS, self.key),
                ).fetchone()
                holder = "holder unknown"
                if row is not None:
                    app, addr, backend = row
                    who = app.replace("canton-console owner ", "") if app else "unknown application"
                    holder = f"{who}, server backend {backend}" + (f" from {addr}" if addr else "")
                raise StorageInUse(self.description, holder)
        except BaseException:
            conn.close()
            raise
        self.conn = conn

    def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()  # the server drops a session's advisory locks with it
            except Exception:  # noqa: BLE001 - the connection may be dead already; so is the lock
                pass
