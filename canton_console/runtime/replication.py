"""Active/passive replication of participants and mediators.

Several nodes of the configuration with the same storage and ``replication.enabled = true`` are
replicas of one node: they share its store (and so its identity, connections, cursors and ledger),
exactly one of them is active, the others are passive. Which one is active is decided by a lock in
the shared database, as in Canton:

* PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection that the active replica holds
  open. The lock goes when that connection closes: at a clean stop, and when the process dies
  (``kill()`` cuts the connection abruptly, the way a crash does).
* SQLite: a lease row (``cc_replica_lease``: holder and expiry) that the active replica renews every
  third of the check period. A replica takes the lease when it is free or expired, with one
  conditional ``UPDATE`` in a write transaction, so two replicas can never both hold it. A killed
  replica does not release its lease: it expires, one check period after its last renewal.

A passive replica tries to take the lock every ``check-period``; on SQLite it also looks again right
when the lease it saw is due to expire. A replica that gives the lock back (``set_passive``, a clean
stop) has the passive replicas of its own process try at once rather than at their next check;
those of other processes see it at theirs. Once it holds the lock the node becomes active: it loads its
state from the shared store, reconnects to the synchronizers the node was connected to and catches
up from its clean cursor. Lock work runs on a wall-clock thread (leases keep real time even when
the nodes run on a simulated clock); the node's state changes run on the runtime thread.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, insert, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from canton_console.store import schema as s
from canton_console.store.storage import StorageSpec

if TYPE_CHECKING:
    from canton_console.runtime.node import Node

log = logging.getLogger("canton_console.replication")

LEASE_ID = 1
# the application_name of every replica's lock connection on PostgreSQL (how replicas see each other)
APPLICATION_NAME = "canton-console-replica-lock"


def wall_micros() -> int:
    return int(time.time() * 1e6)


# ---- the wall-clock timer thread ---------------------------------------------------------------


class WallTimer:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class WallTimers:
    """Runs callbacks at monotonic wall-clock times on one daemon thread (lock checks and lease
    renewals). Callbacks must be short; they hand node work to the runtime thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, WallTimer, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="canton-replication", daemon=True)
        self._thread.start()

    def call_at(self, when: float, fn: Callable[[], None]) -> WallTimer:
        handle = WallTimer()
        with self._cond:
            if self._stopping:
                handle.cancel()  # the thread is gone: nothing runs any more
                return handle
            heapq.heappush(self._heap, (when, next(self._seq), handle, fn))
            self._cond.notify()
        return handle

    def call_later(self, delay: float, fn: Callable[[], None]) -> WallTimer:
        return self.call_at(time.monotonic() + max(0.0, delay), fn)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._heap.clear()
            self._cond.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopping:
                        return
                    while self._heap and self._heap[0][2].cancelled:
                        heapq.heappop(self._heap)
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        _, _, handle, fn = heapq.heappop(self._heap)
                        break
                    self._cond.wait(None if not self._heap else self._heap[0][0] - now)
            try:
                fn()
            except Exception:  # noqa: BLE001 - the timer thread must survive any callback
                log.exception("replication timer failed")


# ---- the locks -----------------------------------------------------------------------------------


class SqliteLease:
    """The lease row in the shared SQLite file, worked on through a connection of its own."""

    def __init__(self, spec: StorageSpec, holder: str, ttl_micros: int):
        self.holder = holder
        self.ttl = ttl_micros
        self.file = spec.sqlite_file
        self.engine = create_engine(spec.url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 5})

        @event.listens_for(self.engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    def try_acquire(self) -> tuple[bool, int | None]:
        """Take the lease if it is free, expired or ours; else (False, when the holder's lease expires)."""
        lease = s.ReplicaLeaseRow
        now = wall_micros()
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(lease)
                .where(lease.id == LEASE_ID, or_(lease.holder == self.holder, lease.expires_at < now))
                .values(holder=self.holder, expires_at=now + self.ttl)
            ).rowcount
            if taken:
                return True, None
            expires = conn.execute(select(lease.expires_at).where(lease.id == LEASE_ID)).scalar()
            if expires is None:
                # The UPDATE above took SQLite's write lock, so nobody can insert the row meanwhile.
                conn.execute(insert(lease), [{"id": LEASE_ID, "holder": self.holder, "expires_at": now + self.ttl}])
                return True, None
            return False, expires

    def renew(self) -> bool:
        lease = s.ReplicaLeaseRow
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(lease).where(lease.id == LEASE_ID, lease.holder == self.holder).values(expires_at=wall_micros() + self.ttl)
                ).rowcount
            )

    def release(self) -> None:
        lease = s.ReplicaLeaseRow
        with self.engine.begin() as conn:
            conn.execute(update(lease).where(lease.id == LEASE_ID, lease.holder == self.holder).values(expires_at=0))

    def held_by_other(self) -> bool:
        """Another replica holds an unexpired lease."""
        lease = s.ReplicaLeaseRow
        with self.engine.connect() as conn:
            row = conn.execute(select(lease.holder, lease.expires_at).where(lease.id == LEASE_ID)).first()
        return row is not None and row[0] != self.holder and row[1] >= wall_micros()

    def others_running(self) -> bool | None:
        """Whether more than this replica run on the store, in any process of this host: every
        running replica holds a shared ``flock`` on the store's ownership lock file, and the
        kernel lists them (Linux's /proc/locks). None where that cannot be read."""
        from canton_console.store.ownership import lock_file_for

        try:
            st = os.stat(lock_file_for(self.file))
            with open("/proc/locks", encoding="ascii", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return None
        device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        holders = [line for line in lines if "->" not in line and " FLOCK " in line and device in line.split()]
        return len(holders) > 1

    def crash(self) -> None:
        self.engine.dispose()

    def close(self) -> None:
        self.engine.dispose()

def advisory_lock_key(database: str) -> int:
    """A 30-bit lock id derived from the database name (Canton hashes its lock scope the same way)."""
    digest = hashlib.sha256(f"canton-console/replica-lock/{database}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x3FFFFFFF


class PgAdvisoryLock:
    """A PostgreSQL session advisory lock on a dedicated connection; held while the connection lives."""

    def __init__(self, spec: StorageSpec):
        url = make_url(spec.url)
        self.params = {
            "host": url.host or "localhost",
            "port": url.port or 5432,
            "user": url.username,
            "password": url.password or None,
            "dbname": url.database,
            "connect_timeout": 5,
            "application_name": APPLICATION_NAME,
        }
        self.params = {k: v for k, v in self.params.items() if v is not None}
        self.key = advisory_lock_key(url.database or "")
        self.conn = None

    def _connection(self):
        import psycopg

        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(autocommit=True, **self.params)
        return self.conn

    def try_acquire(self) -> tuple[bool, int | None]:
        try:
            got = self._connection().execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
        except Exception:
            self._drop()
            raise
        return bool(got), None

    def renew(self) -> bool:
        """Still holding the lock: the connection is alive and the lock is granted to it."""
        if self.conn is None or self.conn.closed:
            return False
        try:
            row = self.conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND objsubid = 1 "
                "AND pid = pg_backend_pid() AND granted",
                (self.key,),
            ).fetchone()
        except Exception:  # noqa: BLE001 - a dead connection means the lock is gone
            self._drop()
            return False
        return bool(row and row[0])

    def held_by_other(self) -> bool:
        """Another session (another replica) holds the lock."""
        row = self._connection().execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND objsubid = 1 "
            "AND pid <> pg_backend_pid() AND granted",
            (self.key,),
        ).fetchone()
        return bool(row and row[0])

    def others_running(self) -> bool | None:
        """Whether another replica runs on the database, in any process on any host: every running
        replica keeps its lock connection open (the passive ones to try again), named by
        ``application_name``."""
        row = self._connection().execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s "
            "AND pid <> pg_backend_pid()",
            (APPLICATION_NAME,),
        ).fetchone()
        return bool(row and row[0])

    def release(self) -> None:
        if self.conn is not None and not self.conn.closed:
            try:
                self.conn.execute("SELECT pg_advisory_unlock_all()")
            except Exception:  # noqa: BLE001
                pass
        self._drop()

    def crash(self) -> None:
        """Cut the lock connection as a dying process would: the server sees the socket close."""
        conn = self.conn
        self.conn = None
        if conn is None or conn.closed:
            return
        try:
            sock = socket.socket(fileno=os.dup(conn.fileno()))
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.close()
        except OSError:
            pass
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass

    def close(self) -> None:
        self._drop()

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass


# ---- one replica's part in its replica group ---------------------------------------------------


class Replication:
    """The replication state of one running replica: whether it holds the lock, and the timers
    that renew it (active) or try to take it (passive).

    ``holding`` changes on the timer thread (under ``_mutex``); the node learns of it on the runtime
    thread through ``Node._become_active`` / ``Node._become_passive``, which check ``generation`` so
    that a stale notification (the node was stopped or stepped down meanwhile) does nothing."""

    def __init__(self, node: "Node", timers: WallTimers, spec: StorageSpec):
        self.node = node
        self.timers = timers
        self.check_period = max(0.05, node.config.replication.check_period.total_seconds())
        self.holder = f"{node.name}/{uuid.uuid4().hex[:12]}"
        if spec.kind == "postgres":
            self.lock: SqliteLease | PgAdvisoryLock = PgAdvisoryLock(spec)
        elif spec.kind == "sqlite":
            self.lock = SqliteLease(spec, self.holder, int(self.check_period * 1e6))
        else:
            raise ValueError(f"replication needs shared storage (sqlite or postgres), not {spec.kind}")
        self._mutex = threading.Lock()
        self.holding = False
        self.closed = False
        self.generation = 0
        self.hold_off_until = 0.0
        self._timer: WallTimer | None = None
        self.last_error: str | None = None

    @property
    def kind(self) -> str:
        return "advisory lock" if isinstance(self.lock, PgAdvisoryLock) else "lease"

    # Called on the runtime thread --------------------------------------------------------------
    def start(self) -> bool:
        """First attempt, at start-up: True when this replica starts active."""
        with self._mutex:
            try:
                acquired, expires = self.lock.try_acquire()
            except Exception as e:  # noqa: BLE001 - cannot reach the database: start passive, keep trying
                log.warning("%s could not check the replica lock: %s", self.node.name, e)
                acquired, expires = False, None
            self.holding = acquired
            if acquired:
                self.generation += 1
            self._schedule_locked(expires)
            return acquired

    def is_current(self, generation: int) -> bool:
        with self._mutex:
            return not self.closed and self.holding and self.generation == generation

    def release(self) -> None:
        """Clean stop: give the lock back so that a passive replica takes over (those of this process
        at once, those of other processes at their next check)."""
        with self._mutex:
            self.closed = True
            self._cancel_locked()
            released = False
            try:
                if self.holding:
                    self.lock.release()
                    released = True
            except Exception as e:  # noqa: BLE001 - the lease then simply expires
                log.warning("%s could not release the replica lock: %s", self.node.name, e)
            finally:
                self.holding = False
                self.lock.close()
        if released:
            self._wake_local_replicas()

    def crash(self) -> None:
        """Kill: stop renewing and drop the lock connection without releasing anything."""
        with self._mutex:
            self.closed = True
            self._cancel_locked()
            self.holding = False
            self.lock.crash()

    def others_running(self) -> bool | None:
        """Whether another replica of the node runs, in this process or another (None: cannot tell)."""
        with self._mutex:
            if self.closed:
                return None
            try:
                return self.lock.others_running()
            except Exception as e:  # noqa: BLE001 - the database is unreachable: cannot tell
                log.warning("%s could not look for other replicas: %s", self.node.name, e)
                return None

    def holds_lock(self) -> bool:
        """(any thread) This replica holds the lock. A lock check in progress on the timer thread is
        waited out: once the database shows this replica as the holder, so does this."""
        with self._mutex:
            return not self.closed and self.holding

    def held_by_other(self) -> bool:
        """Another replica holds the lock now (it became active, or is about to)."""
        with self._mutex:
            if self.closed or self.holding:
                return False
            try:
                return self.lock.held_by_other()
            except Exception:  # noqa: BLE001 - cannot tell yet
                return False

    def step_down(self, hold_off: float) -> None:
        """``set_passive``: give the lock back and leave it to the others for ``hold_off`` seconds."""
        with self._mutex:
            if self.closed:
                return
            self._cancel_locked()
            try:
                if self.holding:
                    self.lock.release()
            except Exception as e:  # noqa: BLE001
                log.warning("%s could not release the replica lock: %s", self.node.name, e)
            self.holding = False
            self.generation += 1
            self.hold_off_until = time.monotonic() + hold_off
            self._timer = self.timers.call_at(self.hold_off_until, self._tick)
        self._wake_local_replicas()

    def _wake_local_replicas(self) -> None:
        """The lock was just given back: the passive replicas of this process try for it now, not at
        their next check (up to a check period later, while the hand-over window of ``set_passive``
        is two of them)."""
        for other in self.node.env.replicas_of(self.node):
            replication = other.replication
            if replication is not None:
                replication.try_now()

    def try_now(self) -> None:
        """(any thread) Check the lock right away, on the timer thread, rather than at the next check.
        Nothing is locked here: the caller may be the runtime thread, and a check in progress may be
        waiting for the database."""
        self.timers.call_later(0.0, self._tick)

    # On the timer thread -----------------------------------------------------------------------
    def _tick(self) -> None:
        with self._mutex:
            if self.closed:
                return
            expires = None
            if self.holding:
                try:
                    still = self.lock.renew()
                except Exception as e:  # noqa: BLE001 - database unreachable: the lock is lost
                    self.last_error = str(e)
                    still = False
                if not still:
                    log.warning("%s lost the replica %s; becoming passive", self.node.name, self.kind)
                    self.holding = False
                    generation = self.generation = self.generation + 1
                    self.node.env.scheduler.post(self.node._become_passive, generation)
            elif time.monotonic() >= self.hold_off_until:
                try:
                    acquired, expires = self.lock.try_acquire()
                    self.last_error = None
                except Exception as e:  # noqa: BLE001 - try again at the next check
                    self.last_error = str(e)
                    acquired = False
                if acquired:
                    self.holding = True
                    generation = self.generation = self.generation + 1
                    log.info("%s took the replica %s; becoming active", self.node.name, self.kind)
                    self.node.env.scheduler.post(self.node._become_active, generation)
            self._schedule_locked(expires)

    def _schedule_locked(self, lease_expires: int | None = None) -> None:
        self._cancel_locked()
        if self.closed:
            return
        if self.holding:
            delay = self.check_period / 3
        else:
            delay = self.check_period
            if lease_expires is not None:
                # Look again right when the lease we saw runs out (a killed holder never renews it).
                delay = min(delay, max(0.0, (lease_expires - wall_micros()) / 1e6) + 0.005)
            held_off = self.hold_off_until - time.monotonic()
            if held_off > 0:
                delay = held_off  # after its own set_passive: not before the others had their window
        self._timer = self.timers.call_later(delay, self._tick)

    def _cancel_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
