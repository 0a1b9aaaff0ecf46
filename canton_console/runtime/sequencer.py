"""The sequencer node: stores the synchronizer's ordering, serves members' subscriptions, and
submits traffic top-ups."""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, insert, select

from canton_console.runtime.node import Node
from canton_console.runtime.sequencer_admin import is_disabled, seed_configured_endpoints
from canton_console.runtime.startup_reads import copy_missing_events
from canton_console.runtime.synchronizer import Synchronizer, topup_aggregation_id, topup_signing_bytes
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, health, messages
from canton_console.values import traffic as tr
from canton_console.values.errors import CantonError
from canton_console.values.messages import Envelope, SubmissionRequest

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment
    from canton_console.runtime.shared_order import SharedOrder

log = logging.getLogger("canton_console.sequencer")


class SequencerNode(Node):
    kind = "sequencer"
    code = "SEQ"
    instance_type = "Sequencer"

    def __init__(self, env: Environment, name: str, config: Any) -> None:
        super().__init__(env, name, config)
        self.synchronizer: Synchronizer | None = None
        # Its store lacks events the others stored while its database was down: it serves nobody
        # until it copied them from a peer.
        self.store_missed = False
        # Pruned up to here (exclusive lower bound of what it serves); None: never pruned
        self.lower_bound: int | None = None
        # Its part in the order shared with the other processes of this sequencer (high-availability)
        self.shared_order: SharedOrder | None = None

    @property
    def shares_store(self) -> bool:
        """Sequencer processes with ``high-availability`` share their database (and identity)."""
        return bool(getattr(self.config, "high_availability_enabled", False)) and self.config.storage.type == "postgres"

    def _on_start(self) -> None:
        self.__dict__.pop("_disabled_members", None)  # read again from the store
        seed_configured_endpoints(self)
        if self.shares_store and self.shared_order is None:
            from canton_console.runtime.shared_order import SharedOrder

            self.shared_order = SharedOrder(self)
            self.shared_order.start()
        self._attach_stored_synchronizer()

    def _attach_stored_synchronizer(self) -> None:
        """Serve the synchronizer this sequencer's store records (none before bootstrap)."""
        with self.open_storage.read() as conn:
            record = conn.execute(select(s.SynchronizerRecord.__table__)).mappings().first()
            self.lower_bound = conn.execute(select(s.SequencerLowerBoundRow.timestamp)).scalar()
        if record is not None:
            sync = self.env.synchronizers.get(record["synchronizer_id"])
            if sync is None:
                sync = Synchronizer(self.env, record["synchronizer_id"], record["name"], json.loads(record["static_parameters"]))
                sync.load_from(self)
                self.env.synchronizers[sync.id] = sync
            else:
                self._catch_up_store(sync)
            self.store_missed = False
            self.synchronizer = sync
            sync.sequencer_nodes[self.name] = self
            if self.shared_order is not None:
                self.shared_order.bind(sync)
            sync.on_sequencer_started(self)

    def _on_stop(self) -> None:
        if self.shared_order is not None:
            self.shared_order.close()
            self.shared_order = None
        if self.synchronizer is not None:
            self.synchronizer.on_sequencer_stopped(self)

    def _on_kill(self) -> None:
        if self.shared_order is not None:
            self.shared_order.crash()  # as a dying process: the writer lock goes with its connection
            self.shared_order = None
        super()._on_kill()

    def join(self, sync: Synchronizer) -> None:
        """Become a sequencer of ``sync`` (at bootstrap): remember it in the store."""
        with self.open_storage.transaction() as conn:
            conn.execute(
                insert(s.SynchronizerRecord),
                [{"synchronizer_id": sync.id, "name": sync.name, "static_parameters": json.dumps(sync.static_parameters)}],
            )
        self.synchronizer = sync
        sync.sequencer_nodes[self.name] = self
        if self.shared_order is not None:
            self.shared_order.bind(sync)

    def onboard(self, sync: Synchronizer) -> None:
        """Join a running synchronizer with the events, topology and traffic a running peer holds
        (Canton's assign_from_onboarding_state); from then on it stores and serves like the others."""
        peer = next((n for n in sync.available_sequencers() if n is not self), None)
        if peer is None:
            raise CantonError(
                errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER,
                f"No running sequencer of synchronizer {sync.id} is reachable from {self.name}: start the sequencer the onboarding state came from.",
            )
        self.join(sync)
        self._copy_store(sync, peer)
        self.store_missed = False
        sync.on_sequencer_started(self)
        log.info("%s joined synchronizer %s with the store of %s", self.name, sync.id, peer.name)

    def _on_recover(self) -> None:
        """The database is back: copy what the others sequenced meanwhile, then serve again."""
        sync = self.synchronizer
        if sync is None:
            self._on_start()
            return
        if self.store_missed:
            peers = [n for n in sync.available_sequencers() if n is not self]
            if peers:
                self.catch_up_store_from(peers[0])
        sync.on_sequencer_recovered(self)

    def catch_up_store_from(self, peer: "SequencerNode") -> None:
        try:
            sync = self.synchronizer
            assert sync is not None  # a sequencer catches up only on its synchronizer
            self._copy_store(sync, peer)
        except StorageUnavailable:
            return  # one of the two databases went away again: later
        self.store_missed = False
        log.info("%s copied the events it missed from %s", self.name, peer.name)

    def _catch_up_store(self, sync: Synchronizer) -> None:
        """Copy what the shared ordering sequenced while this sequencer was down from a running peer."""
        peers = [n for n in sync.available_sequencers() if n is not self]
        if not peers:
            return
        self._copy_store(sync, peers[0])

    def _copy_store(self, sync: Synchronizer, peer: "SequencerNode") -> None:
        # The peer's events (a pruned peer hands out what it kept: its lower bound comes along)
        tables = (
            s.SequencedEventRow,
            s.TopologyTransactionRow,
            s.TrafficPurchasedRow,
            s.TopUpSubmissionRow,
            s.TrafficConsumedRow,
            s.SequencerLowerBoundRow,
            s.SequencerAcknowledgementRow,
        )
        with peer.open_storage.read() as src, self.open_storage.transaction() as dst:
            for model in tables:
                table = model.__table__
                assert isinstance(table, Table)  # a mapped class's table (SQLAlchemy types it as any FromClause)
                if model is s.SequencedEventRow and copy_missing_events(src, dst, sync.id):
                    continue  # this store holds the peer's events up to its last one: only the rest came
                rows = [dict(r) for r in src.execute(select(table).where(table.c.synchronizer_id == sync.id)).mappings()]
                dst.execute(table.delete().where(table.c.synchronizer_id == sync.id))
                if rows:
                    dst.execute(insert(table), rows)
        self.lower_bound = peer.lower_bound

    @property
    def synchronizer_id(self) -> str:
        self.require_running()
        if self.synchronizer is None:
            raise CantonError(
                errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER,
                f"Sequencer '{self.name}' has not been initialized: bootstrap a synchronizer with it first.",
            )
        return self.synchronizer.id

    # ---- traffic -------------------------------------------------------------------------
    def set_traffic_balance(self, member: str, serial: int, new_balance: int) -> list[int]:
        """Submit a top-up: ``new_balance`` is the new absolute extra-traffic total of ``member`` under
        ``serial`` (strictly above the member's latest serial). Signed by this sequencer and sent for
        the current aligned submission window (and the next one near its end); it takes effect once
        the sequencer threshold of active sequencers sent the identical top-up, strictly after its
        sequencing time. Returns the max sequencing times used (µs)."""
        sync = self.env.synchronizers[self.synchronizer_id]
        if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
            raise CantonError(errors.INVALID_ARGUMENT, f"The serial must be a positive number, got {serial!r}")
        if isinstance(new_balance, bool) or not isinstance(new_balance, int) or not 0 <= new_balance <= tr.LONG_MAX:
            raise CantonError(errors.INVALID_ARGUMENT, f"The new balance must be a non-negative number, got {new_balance!r}")
        params = sync.traffic.params()
        if params is None:
            raise CantonError(errors.TRAFFIC_CONTROL_DISABLED, "TrafficControlDisabled")
        if not sync.traffic.subject_to_traffic(member) or not sync.is_member(member):
            # sequencers have no traffic balance: for traffic they are not members
            raise CantonError(errors.TOPOLOGY_UNKNOWN_MEMBERS, f"Members {member} are unknown.")
        tr.validate_serial(sync.traffic.latest_serial(member), serial)
        now_ms = self.env.clock.now() // 1000
        window_ms = max(1, params.setBalanceRequestSubmissionWindowSize // 1000)
        max_times = [max_ms * 1000 for max_ms in tr.max_sequencing_times(now_ms, window_ms)]
        for max_time in max_times:
            msg: dict[str, Any] = {
                "type": "SetTrafficPurchasedMessage",
                "member": member,
                "serial": serial,
                "total_traffic_purchased": new_balance,
                "synchronizer_id": sync.id,
                "max_sequencing_time": max_time,
            }
            msg["signature"] = self.signing_key.sign(topup_signing_bytes(msg)).hex()
            sync.submit(
                SubmissionRequest(
                    sender=self.member_id,
                    message_id=str(uuid.uuid4()),
                    envelopes=(Envelope(messages.encode(msg), (member, messages.SEQUENCERS)),),
                    kind="top-up",
                    max_sequencing_time=max_time,
                    aggregation_id=topup_aggregation_id(member, serial, new_balance, max_time),
                )
            )
        return max_times

    # ---- pruning -------------------------------------------------------------------------
    def pruning_status(self) -> tuple[int, int, list[tuple[str, int, int | None, bool]]]:
        """Canton's ``SequencerPruningStatus``: the lower bound (the epoch when never pruned), this
        sequencer's now, and per member registered by now: when, its latest acknowledgement, enabled."""
        sync = self._initialized_synchronizer()
        sync.record_acknowledgements()
        now = self.env.clock.now()
        members = [
            (member, registered, sync.acknowledgements.get(member), not is_disabled(self, member))
            for member, registered in sync.registrations().items()
            if registered <= now
        ]
        return (self.lower_bound if self.lower_bound is not None else 0), now, members

    def safe_pruning_timestamp(self) -> int:
        """The earliest of the members' acknowledgements (their registration when they never
        acknowledged); now when there are no members."""
        _lower, now, members = self.pruning_status()
        safe = [ack if ack is not None else registered for _m, registered, ack, enabled in members if enabled]
        return min(safe) if safe else now

    def prune(self, timestamp: int) -> str:
        """Remove this sequencer's events before ``timestamp`` (exclusive), which must not be after
        the safe pruning timestamp; from then on it serves no reads starting at or before it. As in
        Canton, pruning is local to the sequencer asked."""
        from canton_console.values.errors import ServiceStatusError
        from canton_console.values.timefmt import instant

        sync = self._initialized_synchronizer()
        safe = self.safe_pruning_timestamp()
        if timestamp > safe:
            raise ServiceStatusError(
                "FAILED_PRECONDITION", f"Could not prune at [{instant(timestamp)}] as the earliest safe pruning point is [{instant(safe)}]"
            )
        if self.lower_bound is not None and self.lower_bound >= timestamp:
            log.info(
                "The sequencer has already been pruned up until %s. Pruning from %s will not remove any data.", instant(self.lower_bound), instant(timestamp)
            )
        events = s.SequencedEventRow
        with self.open_storage.transaction() as conn:
            removed = conn.execute(delete(events).where(events.synchronizer_id == sync.id, events.timestamp < timestamp)).rowcount
            bound = max(self.lower_bound or timestamp, timestamp)
            conn.execute(delete(s.SequencerLowerBoundRow))
            conn.execute(insert(s.SequencerLowerBoundRow), [{"synchronizer_id": sync.id, "timestamp": bound}])
        self.lower_bound = bound
        log.info("%s pruned %s events before %s", self.name, removed, instant(timestamp))
        # every event carries its payload (batch): as many payloads as events went
        return f"Removed at least {removed} events, at least {removed} payloads"

    def locate_pruning_timestamp(self, index: int) -> int | None:
        """The timestamp of the ``index``-th (1-based) oldest event this sequencer still holds."""
        sync = self._initialized_synchronizer()
        events = s.SequencedEventRow
        with self.open_storage.read() as conn:
            return conn.execute(
                select(events.timestamp).where(events.synchronizer_id == sync.id).order_by(events.timestamp).offset(index - 1).limit(1)
            ).scalar()

    def stored_event_count(self) -> int:
        from sqlalchemy import func

        with self.open_storage.read() as conn:
            return int(conn.execute(select(func.count()).select_from(s.SequencedEventRow.__table__)).scalar() or 0)

    def _initialized_synchronizer(self) -> Synchronizer:
        self.synchronizer_id  # noqa: B018 - fails as Canton does when not running or not initialized
        assert self.synchronizer is not None
        return self.synchronizer

    # ---- health and status ---------------------------------------------------------------
    def components(self) -> list[health.ComponentHealth]:
        sequencer = health.ok("sequencer") if self.synchronizer else health.not_initialized("sequencer")
        return [self.storage_health(), sequencer]

    def ports(self) -> list[tuple[str, int]]:
        return [("public", self.config.public_api.port), ("admin", self.config.admin_api.port)]

    def event_log(self) -> list[dict[str, Any]]:
        """The synchronizer's sequenced events as this sequencer stored them, oldest first."""
        self.require_running()
        with self.open_storage.read() as conn:
            rows = conn.execute(select(s.SequencedEventRow.__table__).order_by(s.SequencedEventRow.timestamp)).mappings().all()
        result = []
        for row in rows:
            envelopes = messages.decode_batch(row["batch"])
            result.append(
                {
                    "timestamp": row["timestamp"],
                    "sender": row["sender"],
                    "messages": [e.type for e in envelopes],
                    "payloads": [e.message for e in envelopes],
                    "recipients": row["recipients"].split(",") if row["recipients"] else [],
                    "cost": row["cost"],
                    "error": row["error"],
                    "sizes": [len(e.payload) for e in envelopes],
                }
            )
        return result
