"""Checkpoints of an SQLite store's write-ahead log, off the runtime thread.

SQLite's automatic checkpoint runs inside the commit that crosses its threshold: on the runtime
thread, where copying the log into the database and its fsyncs stall a delivery (p99 several times
p50). The store's own connections turn it off (``PRAGMA wal_autocheckpoint=0``) and one checkpointer
thread per store does the work on a connection of its own:

* PASSIVE checkpoints (they neither wait for nor block readers and writers) once
  ``writes`` commits are pending or ``delay`` after the first pending commit;
* a TRUNCATE checkpoint (cut the log to nothing) only after the store was idle for ``idle``, and
  without waiting: when a reader or writer is there it is tried again later;
* a bound: SQLite starts the log over only at a commit that finds it completely checkpointed, which
  under steady writes never happens (frames come in while each checkpoint runs). When the log in
  use is past ``limit_bytes`` after a PASSIVE checkpoint, a catch-up: the few frames written since
  are checkpointed with the store's writers held back (its write lock, waited for up to
  ``limit_wait``), so the next commit starts the log over and cuts the file back to the limit
  (``journal_size_limit``, which the store's connections set). Writers wait on that lock for a
  checkpoint of a few frames; a TRUNCATE here would hold SQLite's own write lock through two
  fsyncs while waiting for readers, and writers wait for that in SQLite's busy handler, which
  sleeps in steps of up to tens of milliseconds (the longest stalls under saturation).

It does nothing while the store is failed (an outage, a full disk, a corrupt file) or closed, holds
no transaction between checkpoints, and never creates a database file (``mode=rw``): a store that
was stopped, killed or removed is not touched again. A checkpoint is no write of data: a process
killed in the middle of one leaves a consistent store (SQLite replays or ignores the log).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable

import attrs

log = logging.getLogger("canton_console.storage")

PASSIVE = "PASSIVE"
TRUNCATE = "TRUNCATE"  # when idle, without waiting
LIMIT = "LIMIT"  # a TRUNCATE that waits for readers: the log is too long


@attrs.frozen
class CheckpointPolicy:
    """When the checkpointer runs which checkpoint (seconds, commits, bytes)."""

    delay: float = 0.25
    writes: int = 200
    idle: float = 2.0
    limit_bytes: int = 64 * 1024 * 1024
    limit_wait: float = 0.2  # for the store's write lock, before a catch-up (LIMIT)
    limit_retry: float = 5.0  # after a catch-up that readers (or a busy writer) kept from completing
    # After a failed checkpoint, or while the store is failed: look again after this long.
    retry: float = 1.0


@attrs.frozen
class CheckpointState:
    """What the checkpointer knows of its store's log (monotonic times)."""

    pending: int = 0  # commits since the last PASSIVE checkpoint
    first_pending: float = 0.0  # when the first of them committed
    last_write: float = 0.0
    dirty: bool = True  # the log may hold frames (unknown at start: a crash may have left some)
    next_truncate: float = 0.0  # not before (an idle TRUNCATE that found the store busy)
    next_limit: float = 0.0  # not before (a LIMIT one that found readers)


def next_checkpoint(policy: CheckpointPolicy, state: CheckpointState, now: float) -> tuple[str | None, float | None]:
    """The checkpoint to run now, or None and how long to wait before looking again (None: until told)."""
    if state.pending:
        due = state.first_pending + policy.delay
        if state.pending >= policy.writes or now >= due:
            return PASSIVE, None
        return None, due - now
    if state.dirty:
        due = max(state.last_write + policy.idle, state.next_truncate)
        if now >= due:
            return TRUNCATE, None
        return None, due - now
    return None, None


def wal_bytes(file: str) -> int:
    try:
        return os.stat(file + "-wal").st_size
    except OSError:
        return 0


class Checkpointer:
    """The checkpointer thread of one SQLite store. ``wrote()`` after each commit (cheap: a counter,
    the thread is woken only when a checkpoint becomes due); ``stop()`` when the store closes."""

    def __init__(
        self,
        file: str,
        name: str,
        available: Callable[[], bool],
        policy: CheckpointPolicy | None = None,
        writers: threading.RLock | None = None,
    ):
        self.file = file
        self.policy = policy or CheckpointPolicy()
        # The store's write lock: held for a catch-up, so that no commit adds frames meanwhile.
        self.writers = writers
        self._page_size = 0
        # Whether the store may be used now (not failed, not closed): read before each checkpoint.
        self.available = available
        self.counts: dict[str, int] = {PASSIVE: 0, TRUNCATE: 0, LIMIT: 0}
        self._lock = threading.Lock()
        self._state = CheckpointState(last_write=time.monotonic())  # a log left from before: cut once idle
        self._wake = threading.Event()
        self._stopped = False
        self._conn: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._run, name=f"wal-checkpoint-{name}", daemon=True)
        self._thread.start()

    # ---- the runtime's side -----------------------------------------------------------------
    def wrote(self) -> None:
        """A write transaction committed (any thread)."""
        now = time.monotonic()
        with self._lock:
            state = self._state
            pending = state.pending + 1
            # the constructor, not attrs.evolve: this runs after every commit, on the runtime thread
            self._state = CheckpointState(
                pending, state.first_pending if state.pending else now, now, True, state.next_truncate, state.next_limit
            )
        if pending == 1 or pending == self.policy.writes:
            self._wake.set()

    def wake(self) -> None:
        """Look again now (the store is available again)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread and close its connection; no checkpoint runs after this returns. Waits
        for one that is under way (a PASSIVE one is short; a LIMIT one waits ``limit_wait`` at most)."""
        self._stopped = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # ---- the thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopped:
                if not self.available():
                    self._close()  # it may point at a file that was replaced; reopened once back
                    self._wait(self.policy.retry)
                    continue
                with self._lock:
                    state = self._state
                action, wait = next_checkpoint(self.policy, state, time.monotonic())
                if action is None:
                    self._wait(wait)
                    continue
                try:
                    self._checkpoint(action, state)
                except Exception as e:  # noqa: BLE001 - the runtime notices outages itself; try again later
                    log.debug("WAL checkpoint (%s) of %s failed: %s", action, self.file, e)
                    self._close()
                    self._wait(self.policy.retry)
        finally:
            self._close()

    def _wait(self, timeout: float | None) -> None:
        self._wake.wait(timeout)
        self._wake.clear()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # mode=rw: never create the file (a store removed meanwhile stays removed).
            conn = sqlite3.connect(f"file:{self.file}?mode=rw", uri=True, timeout=0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")  # the checkpoint's fsyncs, as the store's own connections
            conn.execute("PRAGMA wal_autocheckpoint=0")
            self._conn = conn
        return self._conn

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def _checkpoint(self, action: str, seen: CheckpointState) -> None:
        if self._stopped or not self.available():
            return
        conn = self._connection()
        if action == PASSIVE:
            with self._lock:  # commits from now on count towards the next one
                state = self._state
                self._state = attrs.evolve(state, pending=state.pending - seen.pending, first_pending=time.monotonic())
            _busy, in_log, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.counts[PASSIVE] += 1
            too_long = in_log * self._frame_bytes(conn) > self.policy.limit_bytes
            if too_long and time.monotonic() >= state.next_limit and not self._stopped and self.available():
                self._catch_up(conn)
            return
        self._truncate(conn, seen)

    def _frame_bytes(self, conn: sqlite3.Connection) -> int:
        if not self._page_size:
            self._page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        return self._page_size + 24  # a frame: its header and a page

    def _catch_up(self, conn: sqlite3.Connection) -> None:
        """(LIMIT) Checkpoint what was written since the last checkpoint with the writers held back,
        so that the log is complete and the next commit starts it over."""
        writers = self.writers
        if writers is not None and not writers.acquire(timeout=self.policy.limit_wait):
            why = "a write transaction held the store"
        else:
            try:
                if self._stopped or not self.available():
                    return
                _busy, in_log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                if writers is not None:
                    writers.release()
            self.counts[LIMIT] += 1
            if done == in_log:
                return
            why = "readers hold it"
        with self._lock:
            self._state = attrs.evolve(self._state, next_limit=time.monotonic() + self.policy.limit_retry)
        log.warning("The write-ahead log of %s is %d bytes and could not be cut yet (%s)", self.file, wal_bytes(self.file), why)

    def _truncate(self, conn: sqlite3.Connection, seen: CheckpointState) -> None:
        """(idle) Cut the log to nothing, without waiting for readers or writers."""
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        self.counts[TRUNCATE] += 1
        now = time.monotonic()
        with self._lock:
            state = self._state
            if busy:
                # Readers or a writer were there: not idle after all. Again later (PASSIVE ones go on).
                self._state = attrs.evolve(state, next_truncate=now + self.policy.idle)
            elif state.last_write == seen.last_write:
                self._state = attrs.evolve(state, dirty=False)  # no commit since: the log is empty
