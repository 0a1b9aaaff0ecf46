"""Sequencer processes sharing one synchronizer's total order through their PostgreSQL database
(``sequencer { type = database, high-availability.enabled = true }``), as Canton's database
sequencer does.

Processes that run the same sequencer on one database are one sequencer of the synchronizer (one
identity, read from the shared store); each serves its own public API. Any of them accepts
submissions, every one delivers the same events in the same order:

* One process at a time orders (the *writer*): it holds a PostgreSQL session advisory lock on a
  connection of its own. The lock goes with that connection, so when the writer dies (even by
  SIGKILL) the server frees it at once and another process takes it at its next check.
* Every process stores an accepted submission in ``cc_sequencer_submissions`` before the submitter
  hears that it was accepted: a process that dies loses nothing it acknowledged. The writer takes
  the stored submissions (``NOTIFY`` wakes it; it also looks every ``keep-alive-interval``),
  sequences them as the in-process synchronizer does (timestamps, traffic, topology, one store
  transaction) and deletes them.
* The others tail what the writer stored: new topology transactions (replayed in order, so their
  topology state is the writer's), traffic states, the last timestamp; and they serve their
  subscribers from the shared events table, each from its cursor.
* A process that takes the lock first reads everything stored, then sequences what is left in the
  submissions table from the stored head on. A submission whose event the previous writer already
  stored (it died between storing the events and deleting the submissions) is not sequenced again:
  the event of that sender and message id is there.

Everything on the node's state runs on the runtime thread; one thread per process waits for
notifications and keeps or tries the lock.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, insert, select, text, tuple_

from canton_console.runtime.replication import PgAdvisoryLock
from canton_console.runtime.topology import stored_from_row
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import messages
from canton_console.values.messages import SubmissionRequest

if TYPE_CHECKING:
    from canton_console.runtime.sequencer import SequencerNode
    from canton_console.runtime.synchronizer import Synchronizer

log = logging.getLogger("canton_console.sequencer.shared")

SUBMISSIONS_CHANNEL = "canton_console_sequencer_submissions"
EVENTS_CHANNEL = "canton_console_sequencer_events"
SUBMISSIONS = cast(Table, s.SequencerSubmissionRow.__table__)
# How often the writer checks that its lock connection still holds the lock.
RENEW_SECONDS = 0.5


def writer_lock_key(database: str) -> int:
    """The advisory lock id of the writer of the sequencers on ``database`` (distinct from the
    replicas' lock of ``replication``, which hashes another scope)."""
    digest = hashlib.sha256(f"canton-console/sequencer-writer/{database}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x3FFFFFFF


def encode_request(request: SubmissionRequest) -> bytes:
    return messages.encode(
        {
            "sender": request.sender,
            "message_id": request.message_id,
            "kind": request.kind,
            "max_sequencing_time": request.max_sequencing_time,
            "aggregation_id": request.aggregation_id,
            "aggregation_threshold": request.aggregation_threshold,
            "batch": messages.encode_batch(request.envelopes).decode(),
        }
    )


def decode_request(blob: bytes) -> SubmissionRequest:
    data = messages.decode(blob)
    return SubmissionRequest(
        sender=data["sender"],
        message_id=data["message_id"],
        envelopes=messages.decode_batch(data["batch"].encode()),
        kind=data["kind"],
        max_sequencing_time=data["max_sequencing_time"],
        aggregation_id=data["aggregation_id"],
        aggregation_threshold=data["aggregation_threshold"],
    )


class SharedOrder:
    """One process's part in the shared order of its sequencer (see the module's docstring)."""

    def __init__(self, node: "SequencerNode"):
        self.node = node
        self.env = node.env
        ha = node.config.high_availability
        self.keep_alive = max(0.01, ha.keep_alive_interval.total_seconds())
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
        self.writer = False
        self.closed = False
        self._pump_posted = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sequencer-shared-{node.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

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
        with self.node.open_storage.read() as conn:
            self.topology_row_id = self._max_topology_id(conn)
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
        """Clean stop: the lock is given back (another process takes over at its next check)."""
        self.closed = True
        self._wake.set()
        self.unbind()
        with self._mutex:
            if self.holding:
                self.lock.release()
            self.holding = False
            self.lock.close()
        self.writer = False

    def crash(self) -> None:
        """Kill: the lock connection is cut as a dying process's would be."""
        self.closed = True
        self._wake.set()
        self.unbind()
        with self._mutex:
            self.holding = False
            self.lock.crash()
        self.writer = False

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
            "request": encode_request(request),
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
                conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": EVENTS_CHANNEL})
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
            request = decode_request(blob)
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
    def _become_writer(self) -> None:
        if self.closed or self.writer:
            return
        self.writer = True
        log.info("%s orders the synchronizer's events now (it holds the sequencer writer lock)", self.node.name)
        if self.sync is not None:
            self._recover()

    def _become_follower(self) -> None:
        if not self.writer:
            return
        self.writer = False
        log.warning("%s lost the sequencer writer lock; another sequencer process orders", self.node.name)
        if self.sync is not None:
            self._drop_taken(self.sync)

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
        self._intake()

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

    def pump(self) -> None:
        """(runtime thread) Woken by a notification, the lock, or the keep-alive interval."""
        self._pump_posted = False
        node = self.node
        if self.closed or not node.running or node.killed or node.halted:
            return
        with self._mutex:
            holding = self.holding
        try:
            if holding and not self.writer:
                self._become_writer()
            elif not holding and self.writer:
                self._become_follower()
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

    # ---- the lock and notification thread -------------------------------------------------------
    def _run(self) -> None:
        last_renew = 0.0
        listening = None
        while not self.closed:
            try:
                with self._mutex:
                    if self.closed:
                        return
                    now = time.monotonic()
                    if self.holding:
                        if now - last_renew >= RENEW_SECONDS:
                            last_renew = now
                            if not self.lock.renew():
                                self.holding = False
                    else:
                        acquired, _ = self.lock.try_acquire()
                        if acquired:
                            self.holding = True
                            last_renew = now
                    conn = self.lock.conn
                if conn is not None and listening is not conn:
                    conn.execute(f"LISTEN {SUBMISSIONS_CHANNEL}")
                    conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    listening = conn
                self._post_pump()
                if conn is None:
                    time.sleep(self.keep_alive)
                    continue
                # wait for a notification of the others (or the keep-alive interval)
                for _ in conn.notifies(timeout=self.keep_alive, stop_after=1):
                    pass
            except Exception as e:  # noqa: BLE001 - the database went away: retry with a new connection
                if self.closed:
                    return
                log.debug("%s: shared order connection failed: %s", self.node.name, e)
                with self._mutex:
                    self.holding = False
                    self.lock.close()
                listening = None
                time.sleep(max(self.keep_alive, 0.2))
        # closed: nothing more to do; the lock went with close()/crash()


def shared_order_for(node: "SequencerNode") -> SharedOrder | None:
    """A running process's part in the shared order, when its sequencer is configured for it."""
    config = node.config
    if not getattr(config, "high_availability_enabled", False) or node.open_storage.spec.kind != "postgres":
        return None
    return SharedOrder(node)
