"""Sequencer processes sharing one synchronizer's total order through their PostgreSQL database
(``sequencer { type = database, high-availability.enabled = true }``), as Canton's database
sequencer does.

Processes that run the same sequencer on one database are one sequencer of the synchronizer (one
identity, read from the shared store); each serves its own public API. Any of them accepts
submissions, every one delivers the same events in the same order:

* One process at a time orders (the *writer*): it holds a PostgreSQL session advisory lock on a
  connection of its own. The others wait for the lock in the server (no polling); the lock goes with
  the connection, so when the writer dies (even by SIGKILL) the server grants it to one of them at
  once.
* Fencing: a process that takes the lock increments the writer epoch (``cc_sequencer_writer``), and
  every store transaction of a flush first share-locks that row and checks the epoch is still its
  own. A writer that lost its lock without noticing (its lock connection cut, the process paused
  and resumed) therefore cannot store a single event after another process took over: its flush
  rolls back, its in-memory effects are undone as for a failed store, and it steps down.
* The writer beats a heartbeat in that row (the database's clock). A writer not heard from for
  ``offline-duration`` is stalled while its lock connection lives on (a paused process): the
  others end its sessions, which frees the lock.
* Every process stores an accepted submission in ``cc_sequencer_submissions`` before the submitter
  hears that it was accepted: a process that dies loses nothing it acknowledged. The writer takes
  the stored submissions (``NOTIFY`` wakes it; it also looks every ``online-check-interval``),
  sequences them as the in-process synchronizer does (timestamps, traffic, topology, one store
  transaction) and deletes them.
* The others tail what the writer stored (a ``NOTIFY`` of the flush's transaction wakes them): new
  topology transactions (replayed in order, so their topology state is the writer's), traffic
  states, the last timestamp; and they serve their subscribers from the shared events table, each
  from its cursor. Traffic states are stored by the writer only.
* A process that takes the lock first reads everything stored, then sequences what is left in the
  submissions table from the stored head on. A submission whose event the previous writer already
  stored (it died between storing the events and deleting the submissions) is not sequenced again:
  the event of that sender and message id is there.

Everything on the node's state runs on the runtime thread; per process, one thread waits for or
keeps the lock (and beats the heartbeat), another waits for notifications.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, insert, select, text, tuple_

from canton_console.api.sequencer_wire import submission_from_bytes, submission_to_bytes
from canton_console.runtime.replication import PgAdvisoryLock
from canton_console.runtime.synchronizer import OrderFenced
from canton_console.runtime.topology import stored_from_row
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values.messages import SubmissionRequest

if TYPE_CHECKING:
    from canton_console.runtime.sequencer import SequencerNode
    from canton_console.runtime.synchronizer import Synchronizer

log = logging.getLogger("canton_console.sequencer.shared")

SUBMISSIONS_CHANNEL = "canton_console_sequencer_submissions"
EVENTS_CHANNEL = "canton_console_sequencer_events"
SUBMISSIONS = cast(Table, s.SequencerSubmissionRow.__table__)


def writer_lock_key(database: str) -> int:
    """The advisory lock id of the writer of the sequencers on ``database`` (distinct from the
    replicas' lock of ``replication``, which hashes another scope)."""
    digest = hashlib.sha256(f"canton-console/sequencer-writer/{database}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x3FFFFFFF


class SharedOrder:
    """One process's part in the shared order of its sequencer (see the module's docstring)."""

    def __init__(self, node: "SequencerNode"):
        self.node = node
        self.env = node.env
        ha = node.config.high_availability
        self.keep_alive = max(0.01, ha.keep_alive_interval.total_seconds())
        self.offline_duration = max(0.1, ha.offline_duration.total_seconds())
        # The writer's heartbeat: often enough that the others never take a live writer for a
        # stalled one, not every keep-alive (an idle writer would write every 50 ms).
        self.heartbeat_interval = max(self.keep_alive, self.offline_duration / 8)
        # Without notifications, how often a process looks for work anyway and checks the writer
        self.poll_interval = max(self.keep_alive, ha.online_check_interval.total_seconds())
        self.process_id = f"{node.name}/{uuid.uuid4().hex[:12]}"
        spec = node.open_storage.spec
        self.lock = PgAdvisoryLock(spec)
        self.lock.params["application_name"] = "canton-console-sequencer-writer"
        self.lock.key = writer_lock_key(str(self.lock.params.get("dbname", "")))
        self.sync: "Synchronizer | None" = None
        # Writer: the submissions taken from the table and queued for sequencing (row id -> request)
        self.taken: dict[int, SubmissionRequest] = {}
        self.topology_row_id = 0  # the last topology row applied (non-writers tail from it)
        self._mutex = threading.Lock()
        self.holding = False  # the lock (thread side); ``writer`` is the runtime thread's view
        self.held_epoch = 0  # the writer epoch the lock thread took with the lock
        self.writer = False
        self.epoch = 0  # the epoch this process orders under (runtime thread; 0: not the writer)
        self.fenced_epoch = 0  # an epoch found taken over by another process: never ordered under again
        self.closed = False
        self._pump_posted = False
        self._release_requested = False
        self._beat = threading.Event()  # wakes the lock thread (a step-down, close)
        self._listener: Any = None
        self._thread = threading.Thread(target=self._hold, name=f"sequencer-writer-{node.name}", daemon=True)
        self._listen_thread = threading.Thread(target=self._listen, name=f"sequencer-listen-{node.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._listen_thread.start()

    # ---- binding to the synchronizer (runtime thread) -------------------------------------------
    def bind(self, sync: "Synchronizer") -> None:
        """The node serves ``sync`` (loaded from the store, or made by bootstrap): route its
        submissions through the shared table and learn what the writer stores."""
        if self.sync is sync:
            return
        self.sync = sync
        sync.shared_order = self
        original = type(sync).flush.__get__(sync)

        def flush() -> None:
            original()
            self._after_flush()

        sync.flush = flush  # type: ignore[method-assign]  # the scheduler posts sync.flush: ours runs
        with self.node.open_storage.transaction() as conn:
            self.topology_row_id = self._max_topology_id(conn)
            # the other processes of this sequencer serve it too from now on (see _adopt)
            conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": EVENTS_CHANNEL})
        if self.writer:
            self._recover()
        log.info("%s serves synchronizer %s with the sequencers sharing its database", self.node.name, sync.id)

    def unbind(self) -> None:
        sync, self.sync = self.sync, None
        if sync is None:
            return
        sync.__dict__.pop("flush", None)
        if getattr(sync, "shared_order", None) is self:
            sync.shared_order = None
        self._drop_taken(sync)

    def close(self) -> None:
        """Clean stop: the lock is given back (a process waiting for it takes over at once)."""
        self.closed = True
        self._beat.set()
        self.unbind()
        self._interrupt_lock_wait()
        self._thread.join(timeout=5)
        with self._mutex:
            if self.holding:
                self.lock.release()
            self.holding = False
            self.lock.close()
        self.writer = False
        self._stop_listening()

    def crash(self) -> None:
        """Kill: the lock connection is cut as a dying process's would be."""
        self.closed = True
        self._beat.set()
        self.unbind()
        with self._mutex:
            self.holding = False
            self.lock.crash()
        self.writer = False
        self._stop_listening()

    def _interrupt_lock_wait(self) -> None:
        conn = self.lock.conn
        if conn is not None and not conn.closed:
            try:
                conn.cancel()  # the lock thread's blocking pg_advisory_lock ends with an error
            except Exception:  # noqa: BLE001 - a dead connection waits for nothing
                pass

    def _stop_listening(self) -> None:
        conn = self._listener
        if conn is not None and not conn.closed:
            try:
                conn.cancel()
            except Exception:  # noqa: BLE001
                pass

    # ---- submissions (runtime thread) -------------------------------------------------------------
    def accept(self, request: SubmissionRequest) -> bool:
        """Store an accepted submission before it is acknowledged. True when this process is done
        with it (another process orders); False when it is the writer, which then queues it."""
        sync = self.sync
        assert sync is not None
        table = SUBMISSIONS
        row = {
            "synchronizer_id": sync.id,
            "sender": request.sender,
            "message_id": request.message_id,
            "request": submission_to_bytes(request),
            "received_by": self.process_id,
        }
        with self.node.open_storage.transaction() as conn:
            row_id = conn.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()
            if not self.writer:
                conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": SUBMISSIONS_CHANNEL})
        if not self.writer:
            return True
        self.taken[row_id] = request
        return False

    def _after_flush(self) -> None:
        """(writer) Delete the submissions the flush sequenced (or dropped) and tell the others."""
        sync = self.sync
        if sync is None or not self.taken:
            return
        queued = {id(r) for r in sync._pending}
        done = [row_id for row_id, request in self.taken.items() if id(request) not in queued]
        if not done:
            return
        table = SUBMISSIONS
        try:
            with self.node.open_storage.transaction() as conn:
                conn.execute(delete(table).where(table.c.id.in_(done)))
                self.topology_row_id = self._max_topology_id(conn)
        except StorageUnavailable:
            return  # deleted by the next flush, or recognized as sequenced by the next writer
        for row_id in done:
            self.taken.pop(row_id, None)

    def _intake(self) -> None:
        """(writer) Queue the stored submissions not queued yet, in the order they were stored."""
        sync = self.sync
        if sync is None:
            return
        table = SUBMISSIONS
        with self.node.open_storage.read() as conn:
            rows = conn.execute(select(table.c.id, table.c.request).where(table.c.synchronizer_id == sync.id).order_by(table.c.id)).all()
        fresh = [(row_id, blob) for row_id, blob in rows if row_id not in self.taken]
        if not fresh:
            return
        for row_id, blob in fresh:
            request = submission_from_bytes(blob)
            self.taken[row_id] = request
            sync._pending.append(request)
        if not sync._flush_posted:
            sync._flush_posted = True
            self.env.scheduler.post(sync.flush)

    def _drop_taken(self, sync: "Synchronizer") -> None:
        """No longer the writer: what it queued stays in the table for the next one."""
        if self.taken:
            queued = {id(r) for r in self.taken.values()}
            sync._pending = [r for r in sync._pending if id(r) not in queued]
            self.taken.clear()

    # ---- roles (runtime thread) ------------------------------------------------------------------
    def _become_writer(self, epoch: int) -> None:
        if self.closed or self.writer:
            return
        self.writer, self.epoch = True, epoch
        log.info("%s orders the synchronizer's events now (it holds the sequencer writer lock, writer epoch %s)", self.node.name, epoch)
        if self.sync is not None:
            self._recover()

    def _become_follower(self, why: str = "it no longer holds the sequencer writer lock") -> None:
        if not self.writer:
            return
        self.writer, self.epoch = False, 0
        log.warning("%s steps down: %s; another sequencer process orders", self.node.name, why)
        if self.sync is not None:
            self._drop_taken(self.sync)
        # what it accepted and had queued is in the table: wake the writer for it
        try:
            with self.node.open_storage.transaction() as conn:
                conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": SUBMISSIONS_CHANNEL})
        except StorageUnavailable:
            pass  # the writer finds them at its next look

    # ---- the fence (runtime thread, in the flush's store transaction) ----------------------------
    def fence(self, node: Any, conn: Any) -> None:
        """The first statement of every store transaction of a flush: this process still orders
        under its epoch. The row stays share-locked until the commit, so a process taking over
        (which increments the epoch) waits for this flush, or this flush sees the new epoch and
        rolls back (``OrderFenced``). The others hear of the new events on commit."""
        if node is not self.node:
            return  # another sequencer of the synchronizer in this process, with a store of its own
        if not self.writer or not self.epoch:
            raise OrderFenced(f"{self.node.name} does not order")
        row = conn.execute(
            "SELECT epoch, pg_notify(%s, %s) FROM cc_sequencer_writer WHERE id = 1 FOR SHARE", (EVENTS_CHANNEL, self.process_id)
        ).fetchone()
        if row is None or int(row[0]) != self.epoch:
            raise OrderFenced(f"writer epoch {self.epoch} of {self.node.name} was taken over (now {None if row is None else row[0]})")

    def fenced(self, error: "OrderFenced") -> None:
        """(the flush was rolled back by the fence) Follow the process that took over."""
        if self.writer:
            self.fenced_epoch = self.epoch
            self._become_follower(f"its flush was refused, {error}")
        with self._mutex:
            self._release_requested = self.holding
        self._beat.set()

    def _recover(self) -> None:
        """(new writer) Read what the previous writer stored, forget the submissions it already
        sequenced, then sequence the rest."""
        sync = self.sync
        assert sync is not None
        self._tail(deliver=True)
        table = SUBMISSIONS
        events = s.SequencedEventRow.__table__
        with self.node.open_storage.transaction() as conn:
            rows = conn.execute(select(table.c.id, table.c.sender, table.c.message_id).where(table.c.synchronizer_id == sync.id)).all()
            if rows:
                keys = list({(r.sender, r.message_id) for r in rows})
                done = set()
                for chunk in range(0, len(keys), 500):
                    done |= {
                        tuple(k)
                        for k in conn.execute(
                            select(events.c.sender, events.c.message_id).where(
                                events.c.synchronizer_id == sync.id, tuple_(events.c.sender, events.c.message_id).in_(keys[chunk : chunk + 500])
                            )
                        ).all()
                    }
                stale = [r.id for r in rows if (r.sender, r.message_id) in done]
                if stale:
                    conn.execute(delete(table).where(table.c.id.in_(stale)))
                    log.info("%s: %s submissions were sequenced by the previous writer already", self.node.name, len(stale))
            # What the previous writer sequenced lately: a member may send one of those again
            # through this process (the previous one died before answering it)
            recent = sync.recent_submissions
            recent_rows = conn.execute(
                select(events.c.timestamp, events.c.sender, events.c.message_id)
                .where(events.c.synchronizer_id == sync.id, events.c.timestamp >= sync.last_timestamp - recent.window)
                .order_by(events.c.timestamp)
            ).all()
            for row in recent_rows:
                if (row.sender, row.message_id) not in recent:
                    recent.add((row.sender, row.message_id), row.timestamp)
        self._intake()

    def stored_batch(self, timestamp: int) -> bytes | None:
        """(writer) The envelopes of the event stored at ``timestamp``, as stored."""
        sync = self.sync
        assert sync is not None
        events = s.SequencedEventRow.__table__
        with self.node.open_storage.read() as conn:
            return conn.execute(select(events.c.batch).where(events.c.synchronizer_id == sync.id, events.c.timestamp == timestamp)).scalar()

    # ---- following the writer (runtime thread) ---------------------------------------------------
    @staticmethod
    def _max_topology_id(conn: Any) -> int:
        return int(conn.execute(select(func.max(s.TopologyTransactionRow.id))).scalar() or 0)

    def _tail(self, deliver: bool = True) -> None:
        """Take in what the writer stored since the last look: topology transactions (replayed as the
        writer applied them), traffic, the last timestamp; then serve the subscribers."""
        sync = self.sync
        if sync is None:
            return
        topo = s.TopologyTransactionRow.__table__
        with self.node.open_storage.read() as conn:
            rows = conn.execute(
                select(topo).where(topo.c.synchronizer_id == sync.id, topo.c.id > self.topology_row_id).order_by(topo.c.id)
            ).mappings().all()
            last = conn.execute(select(func.max(s.SequencedEventRow.timestamp)).where(s.SequencedEventRow.synchronizer_id == sync.id)).scalar()
            if not rows and (last or 0) <= sync.last_timestamp:
                return
            for row in rows:
                self.topology_row_id = max(self.topology_row_id, row["id"])
                # genesis transactions are loaded or added by the bootstrap, never sequenced
                if row["sequenced"] == 0:
                    continue
                stored = stored_from_row(row)
                delay = 0 if stored.is_proposal else stored.valid_from - stored.sequenced
                sync.topology.add(stored.signed, stored.sequenced, delay)
            if rows:
                sync.topology.drop_superseded_proposals()
            # The traffic states and top-ups as the writer stored them
            traffic = sync.traffic
            traffic.consumed.clear()
            traffic.purchased.clear()
            traffic.total.clear()
            traffic._dirty.clear()  # the writer stores traffic states; a follower's ticks are not kept
            sync.aggregations.clear()
            sync.aggregations_done.clear()
            traffic.load(conn)
        sync.last_timestamp = max(sync.last_timestamp, last or 0)
        if deliver:
            for subscription in list(sync.subscribers.values()):
                sync.catch_up(subscription)

    def _adopt(self) -> None:
        """(no synchronizer yet) Another process of this sequencer bootstrapped the synchronizer:
        serve it too, once its record and genesis topology are stored."""
        with self.node.open_storage.read() as conn:
            record = conn.execute(select(s.SynchronizerRecord.synchronizer_id)).scalar()
            if record is None:
                return
            genesis = conn.execute(select(func.count()).select_from(s.TopologyTransactionRow.__table__).where(s.TopologyTransactionRow.synchronizer_id == record)).scalar()
        if genesis:
            self.node._attach_stored_synchronizer()
        else:  # being bootstrapped by another process: look again soon, until its genesis is there
            timer = threading.Timer(self.keep_alive, self._post_pump)
            timer.daemon = True
            timer.start()

    def pump(self) -> None:
        """(runtime thread) Woken by a notification, the lock, or the keep-alive interval."""
        self._pump_posted = False
        node = self.node
        if self.closed or not node.running or node.killed or node.halted:
            return
        with self._mutex:
            holding, epoch = self.holding, self.held_epoch
        try:
            if self.writer and (not holding or epoch != self.epoch):
                self._become_follower()
            if holding and not self.writer and epoch != self.fenced_epoch:
                self._become_writer(epoch)
            if node.synchronizer is None:
                self._adopt()
                return
            if self.writer:
                self._intake()
            else:
                self._tail()
        except StorageUnavailable as e:
            log.info("%s: the shared database is unavailable (%s); trying again", node.name, e)

    def _post_pump(self) -> None:
        if not self._pump_posted and not self.closed and not self.env.closed:
            self._pump_posted = True
            self.env.scheduler.post(self.pump)

    # ---- the lock thread: writer lock, epoch, heartbeat -----------------------------------------
    def _hold(self) -> None:
        """Wait for the writer lock (blocking in the server: no polling while another process
        orders), take the next epoch, then beat the heartbeat while holding it."""
        while not self.closed:
            try:
                if not self.holding:
                    conn = self.lock._connection()
                    # Blocks until the lock is free (the writer died, stepped down, or was cut off
                    # as stalled); close() cancels the wait.
                    conn.execute("SELECT pg_advisory_lock(%s)", (self.lock.key,))
                    if self.closed:
                        return
                    epoch = self._take_epoch(conn)
                    with self._mutex:
                        self.holding, self.held_epoch = True, epoch
                        self._release_requested = False
                    log.info("%s took the sequencer writer lock (writer epoch %s)", self.node.name, epoch)
                    self._post_pump()
                    continue
                self._beat.wait(self.heartbeat_interval)
                self._beat.clear()
                if self.closed:
                    return
                if self._release_requested:
                    self._let_go("it stepped down")
                    continue
                conn = self.lock.conn
                if conn is None or conn.closed:
                    self._let_go("its lock connection is gone")
                    continue
                beat = conn.execute(
                    "UPDATE cc_sequencer_writer SET heartbeat = clock_timestamp() WHERE id = 1 AND epoch = %s", (self.held_epoch,)
                )
                if beat.rowcount != 1:
                    self._let_go(f"another process took writer epoch {self.held_epoch} over")
            except Exception as e:  # noqa: BLE001 - the database or the lock connection went away: start again
                if self.closed:
                    return
                log.info("%s: the sequencer writer lock connection failed: %s", self.node.name, e)
                with self._mutex:
                    self.holding = False
                    self.lock.close()
                self._post_pump()
                time.sleep(max(self.keep_alive, 0.2))

    def _take_epoch(self, conn: Any) -> int:
        """(the lock just taken) The next writer epoch: from now on a flush of an earlier writer
        cannot commit. Waits at most a few seconds for a stalled writer's open transaction."""
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '5s'")
            row = conn.execute(
                "INSERT INTO cc_sequencer_writer (id, epoch, holder, heartbeat) VALUES (1, 1, %s, clock_timestamp()) "
                "ON CONFLICT (id) DO UPDATE SET epoch = cc_sequencer_writer.epoch + 1, holder = EXCLUDED.holder, "
                "heartbeat = EXCLUDED.heartbeat RETURNING epoch",
                (self.process_id,),
            ).fetchone()
        return int(row[0])

    def _let_go(self, why: str) -> None:
        """(lock thread) No longer the writer: give the lock back (if the connection still has it)."""
        with self._mutex:
            was = self.holding
            self.holding = False
            self._release_requested = False
            self.lock.release()
        if was:
            log.warning("%s no longer holds the sequencer writer lock: %s", self.node.name, why)
        self._post_pump()

    # ---- the notification thread: waking, and cutting off a stalled writer ----------------------
    def _listen(self) -> None:
        """Wake the runtime thread when another process stored submissions (the writer) or events
        (the others); look anyway every ``online-check-interval`` (a notification can be missed
        while a connection is replaced), and then check that the writer is still alive."""
        import psycopg

        conn = None
        last_check = time.monotonic()
        while not self.closed:
            try:
                if conn is None or conn.closed:
                    params: dict[str, Any] = dict(self.lock.params, application_name="canton-console-sequencer-listener")
                    conn = psycopg.connect(autocommit=True, **params)
                    conn.execute(f"LISTEN {SUBMISSIONS_CHANNEL}")
                    conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    self._listener = conn
                    self._post_pump()  # what was stored before listening
                wake = False
                for note in conn.notifies(timeout=self.poll_interval, stop_after=1):
                    # a process hears its own flushes' notifications too: nothing to do for them
                    wake = note.payload != self.process_id
                if self.closed:
                    break
                now = time.monotonic()
                if now - last_check >= self.poll_interval:
                    last_check = now
                    wake = True
                    if not self.holding:
                        self._cut_off_stalled_writer(conn)
                if wake:
                    self._post_pump()
            except Exception as e:  # noqa: BLE001 - the database went away: listen again on a new connection
                if self.closed:
                    break
                log.debug("%s: sequencer notification connection failed: %s", self.node.name, e)
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:  # noqa: BLE001
                        pass
                conn = None
                time.sleep(max(self.keep_alive, 0.2))
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

    def _cut_off_stalled_writer(self, conn: Any) -> None:
        """The writer's heartbeat is older than ``offline-duration``: it is stalled (paused, or its
        host cut off) while its lock connection lives on. End its sessions so that the lock is
        free; should it wake up, its epoch is gone and none of its flushes can commit."""
        row = conn.execute(
            "SELECT epoch, holder, clock_timestamp() - heartbeat > make_interval(secs => %s) FROM cc_sequencer_writer WHERE id = 1",
            (self.offline_duration,),
        ).fetchone()
        if row is None or not row[2]:
            return
        epoch, holder = row[0], row[1]
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT pid FROM pg_locks WHERE pid <> pg_backend_pid() AND granted AND ("
                "(locktype = 'advisory' AND objid = %s AND objsubid = 1 "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) "
                "OR (relation = 'cc_sequencer_writer'::regclass AND mode IN ('RowShareLock', 'RowExclusiveLock')))",
                (self.lock.key,),
            ).fetchall()
        ]
        lock_conn: Any = self.lock.conn
        own = {lock_conn.info.backend_pid} if lock_conn is not None and not lock_conn.closed else set()
        pids = [p for p in pids if p not in own]
        if not pids:
            return
        log.warning(
            "%s: the sequencer process that orders (%s, writer epoch %s) has not been heard from for over %ss: cutting it off",
            self.node.name,
            holder,
            epoch,
            self.offline_duration,
        )
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def shared_order_for(node: "SequencerNode") -> SharedOrder | None:
    """A running process's part in the shared order, when its sequencer is configured for it."""
    config = node.config
    if not getattr(config, "high_availability_enabled", False) or node.open_storage.spec.kind != "postgres":
        return None
    return SharedOrder(node)
