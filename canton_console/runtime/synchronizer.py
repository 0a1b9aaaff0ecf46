"""A synchronizer: the total order its sequencers share, its topology, and its traffic accounting.

All sequencers of a synchronizer read the same ordering (as on a BFT synchronizer): every event is
written to the store of every running sequencer and delivered in the same order. Each event gets a
strictly increasing sequencing timestamp from the clock. Traffic is charged deterministically at
sequencing time; a submission the sender cannot pay for is refused before it is sequenced.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import delete, insert, select

from canton_console.runtime import errors, messages, topology
from canton_console.runtime import traffic as tr
from canton_console.runtime.errors import CantonError
from canton_console.runtime.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.runtime.parameters import DynamicSynchronizerParameters
from canton_console.store import schema as s

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment
    from canton_console.runtime.sequencer import SequencerNode

log = logging.getLogger("canton_console.synchronizer")


class Subscription:
    """A member's subscription: it receives events while one of its sequencers runs, and catches up
    from a sequencer's store when it was cut off."""

    def __init__(self, member: str, sequencers: list[str], deliver: Callable[[list[SequencedEvent]], None], cursor: Callable[[], int]):
        self.member = member
        self.sequencers = sequencers
        self.deliver = deliver
        self.cursor = cursor
        self.behind = False


class Synchronizer:
    def __init__(self, env: "Environment", synchronizer_id: str, name: str, static_parameters: dict[str, Any]):
        self.env = env
        self.id = synchronizer_id
        self.name = name
        self.static_parameters = static_parameters
        self.topology = topology.TopologyState(synchronizer_id)
        self.sequencer_nodes: dict[str, "SequencerNode"] = {}
        self.subscribers: dict[str, Subscription] = {}
        self.last_timestamp = 0
        self._pending: list[SubmissionRequest] = []
        self._flush_posted = False
        self.traffic = TrafficAccounting(self)
        # Top-ups waiting for the sequencer threshold: aggregation id -> {sequencer: signature}
        self.aggregations: dict[str, dict[str, bytes]] = {}
        self.aggregations_done: set[str] = set()

    # ---- topology helpers ----------------------------------------------------------------
    def parameters(self, at: int | None = None) -> DynamicSynchronizerParameters:
        raw = self.topology.parameters(at)
        return DynamicSynchronizerParameters.from_dict(raw) if raw else DynamicSynchronizerParameters()

    def topology_delay(self) -> int:
        """Topology changes take effect this long after sequencing; 0 under a simulated clock, as in Canton."""
        if self.env.clock.is_simulated:
            return 0
        return self.parameters().topologyChangeDelay

    def running_sequencers(self) -> list["SequencerNode"]:
        return [n for n in self.sequencer_nodes.values() if n.running and not n.killed]

    def resolve(self, recipient: str, at: int) -> list[str]:
        if recipient == messages.MEDIATOR_GROUP_0:
            return self.topology.mediators(at)
        if recipient == messages.ALL_MEMBERS:
            return self.topology.known_members(at)
        if recipient == messages.SEQUENCERS:
            return self.topology.sequencers(at)
        return [recipient]

    def is_member(self, member: str) -> bool:
        return member in self.topology.known_members()

    # ---- submission ----------------------------------------------------------------------
    def submit(self, request: SubmissionRequest) -> None:
        """Accept a submission for sequencing, or refuse it now (unknown sender, no traffic, no sequencer)."""
        if not self.running_sequencers():
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                f"No sequencer of synchronizer {self.id} is running; the submission cannot be sequenced.",
            )
        sender = request.sender
        if not sender.startswith("SEQ::") and not self.is_member(sender):
            raise CantonError(errors.TOPOLOGY_UNKNOWN_MEMBERS, f"Sender {sender} is not a member of synchronizer {self.id}")
        self.traffic.check_submission(request, self.last_timestamp + 1)
        self._pending.append(request)
        if not self._flush_posted:
            self._flush_posted = True
            self.env.scheduler.post(self.flush)

    def flush(self) -> None:
        """Sequence every pending submission: timestamps, traffic, one store transaction, delivery."""
        self._flush_posted = False
        batch, self._pending = self._pending, []
        if not batch:
            return
        event_rows: list[dict[str, Any]] = []
        deliveries: dict[str, list[SequencedEvent]] = defaultdict(list)
        topology_rows: list[dict[str, Any]] = []
        topup_rows: list[dict[str, Any]] = []
        purchased_rows: list[dict[str, Any]] = []
        clock_now = self.env.clock.now()
        for request in batch:
            ts = max(clock_now, self.last_timestamp + 1)
            self.last_timestamp = ts
            if request.max_sequencing_time is not None and ts > request.max_sequencing_time:
                continue
            if request.aggregation_id is not None:
                if not self._aggregate(request, ts, topup_rows):
                    continue
            cost, error = self.traffic.charge(request, ts)
            if error is not None:
                event_rows.append(self._event_row(ts, request, (), 0, error))
                deliveries[request.sender].append(
                    SequencedEvent(self.id, ts, request.sender, request.message_id, (), error=error)
                )
                continue
            members_of: dict[str, list[Envelope]] = defaultdict(list)
            for envelope in request.envelopes:
                for recipient in dict.fromkeys(envelope.recipients):
                    for member in self.resolve(recipient, ts):
                        if envelope not in members_of[member]:
                            members_of[member].append(envelope)
            if request.kind == "topology":
                self._apply_topology(request, ts, topology_rows)
            if request.kind == "top-up":
                self.traffic.apply_purchase(request, ts, purchased_rows)
            event_rows.append(self._event_row(ts, request, members_of.keys(), cost, None))
            for member, envelopes in members_of.items():
                deliveries[member].append(SequencedEvent(self.id, ts, request.sender, request.message_id, tuple(envelopes)))
            if request.sender not in members_of:
                deliveries[request.sender].append(SequencedEvent(self.id, ts, request.sender, request.message_id, ()))
        self._persist(event_rows, topology_rows, topup_rows, purchased_rows)
        for member, events in deliveries.items():
            subscription = self.subscribers.get(member)
            if subscription is None:
                continue
            if subscription.behind or self.reachable_sequencer(subscription) is None:
                subscription.behind = True
                continue
            self._deliver(subscription, events)

    def _deliver(self, subscription: Subscription, events: list[SequencedEvent]) -> None:
        try:
            subscription.deliver(events)
        except Exception:  # noqa: BLE001 - one member's failure must not stop delivery to others
            log.exception("delivery to %s failed", subscription.member)

    def reachable_sequencer(self, subscription: Subscription) -> "SequencerNode | None":
        for name in subscription.sequencers:
            node = self.sequencer_nodes.get(name)
            if node is not None and node.running and not node.killed:
                return node
        return None

    def subscribe(self, subscription: Subscription) -> None:
        """Start delivering to a member, first catching up on what it has not processed yet."""
        self.subscribers[subscription.member] = subscription
        self.catch_up(subscription)

    def unsubscribe(self, member: str) -> None:
        self.subscribers.pop(member, None)

    def catch_up(self, subscription: Subscription) -> None:
        node = self.reachable_sequencer(subscription)
        if node is None:
            subscription.behind = True
            return
        subscription.behind = False
        events = self.events_for(node, subscription.member, subscription.cursor())
        if events:
            self._deliver(subscription, events)

    def on_sequencer_started(self, node: "SequencerNode") -> None:
        for subscription in list(self.subscribers.values()):
            if subscription.behind:
                self.catch_up(subscription)

    def on_sequencer_stopped(self, node: "SequencerNode") -> None:
        for subscription in self.subscribers.values():
            if self.reachable_sequencer(subscription) is None:
                subscription.behind = True

    def _event_row(self, ts: int, request: SubmissionRequest, members, cost: int, error: str | None) -> dict[str, Any]:
        return {
            "synchronizer_id": self.id,
            "timestamp": ts,
            "sender": request.sender,
            "message_id": request.message_id,
            "batch": messages.encode_batch(request.envelopes),
            "recipients": ",".join(members),
            "cost": cost,
            "error": error,
        }

    def _aggregate(self, request: SubmissionRequest, ts: int, rows: list[dict[str, Any]]) -> bool:
        """Count a sequencer's identical top-up; deliver once ``threshold`` sequencers sent it."""
        agg = request.aggregation_id
        if agg in self.aggregations_done:
            return False
        signers = self.aggregations.setdefault(agg, {})
        msg = request.envelopes[0].message
        signers[request.sender] = bytes.fromhex(msg["signature"])
        rows.append(
            {
                "synchronizer_id": self.id,
                "member": msg["member"],
                "serial": msg["serial"],
                "amount": msg["total_traffic_purchased"],
                "max_sequencing_time": request.max_sequencing_time or 0,
                "sequencer": request.sender,
                "signature": signers[request.sender],
                "sequenced": ts,
            }
        )
        state = self.topology.sequencer_state(ts) or {"threshold": 1, "active": []}
        valid = self.traffic.valid_topup_signatures(msg, signers, state["active"])
        if valid >= state["threshold"]:
            self.aggregations_done.add(agg)
            return True
        return False

    def _apply_topology(self, request: SubmissionRequest, ts: int, rows: list[dict[str, Any]]) -> None:
        delay = self.topology_delay()
        for envelope in request.envelopes:
            msg = envelope.message
            if msg.get("type") != "TopologyTransactionsBroadcast":
                continue
            for tx in msg["transactions"]:
                signed = topology.SignedTopologyTransaction.from_dict(tx)
                stored = self.topology.add(signed, ts, delay)
                rows.append(topology_row(self.id, stored))

    def _persist(self, events, topology_rows, topup_rows, purchased_rows) -> None:
        consumed_rows = self.traffic.take_dirty()
        for node in self.running_sequencers():
            with node.storage.transaction() as conn:
                if events:
                    conn.execute(insert(s.SequencedEventRow), events)
                if topology_rows:
                    conn.execute(insert(s.TopologyTransactionRow), topology_rows)
                if topup_rows:
                    conn.execute(insert(s.TopUpSubmissionRow), topup_rows)
                if purchased_rows:
                    conn.execute(insert(s.TrafficPurchasedRow), purchased_rows)
                if consumed_rows:
                    members = [r["member"] for r in consumed_rows]
                    conn.execute(
                        delete(s.TrafficConsumedRow).where(
                            s.TrafficConsumedRow.synchronizer_id == self.id, s.TrafficConsumedRow.member.in_(members)
                        )
                    )
                    conn.execute(insert(s.TrafficConsumedRow), consumed_rows)

    # ---- direct (genesis) topology -------------------------------------------------------
    def add_genesis(self, signed: list[topology.SignedTopologyTransaction]) -> None:
        rows = []
        for tx in signed:
            stored = self.topology.add(tx, 0, 0)
            rows.append(topology_row(self.id, stored))
        for node in self.running_sequencers():
            with node.storage.transaction() as conn:
                conn.execute(insert(s.TopologyTransactionRow), rows)

    # ---- restart -------------------------------------------------------------------------
    def load_from(self, node: "SequencerNode") -> None:
        """Rebuild topology, traffic and the last timestamp from a sequencer's store."""
        with node.storage.read() as conn:
            topology_rows = conn.execute(
                select(s.TopologyTransactionRow.__table__)
                .where(s.TopologyTransactionRow.synchronizer_id == self.id)
                .order_by(s.TopologyTransactionRow.id)
            ).mappings()
            for row in topology_rows:
                signed = topology.SignedTopologyTransaction.from_dict(
                    {"op": row["operation"], "serial": row["serial"], "mapping": json.loads(row["mapping"]), "signatures": json.loads(row["signatures"])}
                )
                self.topology.restore(
                    topology.StoredTransaction(signed, row["sequenced"], row["valid_from"], row["valid_until"], row["is_proposal"])
                )
            last = conn.execute(
                select(s.SequencedEventRow.timestamp)
                .where(s.SequencedEventRow.synchronizer_id == self.id)
                .order_by(s.SequencedEventRow.timestamp.desc())
                .limit(1)
            ).scalar()
            self.last_timestamp = max(self.last_timestamp, last or 0)
            self.traffic.load(conn)
        self.topology.drop_superseded_proposals()

    def events_for(self, node: "SequencerNode", member: str, after: int) -> list[SequencedEvent]:
        """The events addressed to ``member`` after ``after``, read from a sequencer's store (catch-up)."""
        result = []
        with node.storage.read() as conn:
            rows = conn.execute(
                select(s.SequencedEventRow.__table__)
                .where(s.SequencedEventRow.synchronizer_id == self.id, s.SequencedEventRow.timestamp > after)
                .order_by(s.SequencedEventRow.timestamp)
            ).mappings()
            for row in rows:
                recipients = row["recipients"].split(",") if row["recipients"] else []
                if row["error"] is not None:
                    if row["sender"] == member:
                        result.append(SequencedEvent(self.id, row["timestamp"], row["sender"], row["message_id"], (), row["error"]))
                    continue
                if member not in recipients and row["sender"] != member:
                    continue
                envelopes = tuple(
                    e
                    for e in messages.decode_batch(row["batch"])
                    if any(member in self.resolve(r, row["timestamp"]) for r in e.recipients)
                )
                result.append(SequencedEvent(self.id, row["timestamp"], row["sender"], row["message_id"], envelopes))
        return result


def topology_row(synchronizer_id: str, stored: topology.StoredTransaction) -> dict[str, Any]:
    tx = stored.signed.transaction
    return {
        "synchronizer_id": synchronizer_id,
        "mapping_code": tx.mapping.code,
        "mapping_key": tx.mapping.key,
        "serial": tx.serial,
        "operation": tx.operation,
        "mapping": json.dumps(tx.mapping.to_dict(), sort_keys=True),
        "signatures": json.dumps(stored.signed.signatures, sort_keys=True),
        "is_proposal": stored.is_proposal,
        "sequenced": stored.sequenced,
        "valid_from": stored.valid_from,
        "valid_until": stored.valid_until,
    }


class TrafficAccounting:
    """Per-member consumed and purchased traffic of one synchronizer, charged at sequencing time."""

    def __init__(self, synchronizer: Synchronizer):
        self.sync = synchronizer
        self.consumed: dict[str, tr.TrafficConsumed] = {}
        self.purchased: dict[str, list[tr.TrafficPurchased]] = {}
        self._dirty: set[str] = set()

    def params(self, at: int | None = None):
        p = self.sync.parameters(at).trafficControl
        return p

    @staticmethod
    def subject_to_traffic(member: str) -> bool:
        return member.startswith("PAR::") or member.startswith("MED::")

    def cost_of(self, request: SubmissionRequest, at: int, params) -> int:
        summaries = [
            tr.EnvelopeSummary(len(e.payload), sum(len(self.sync.resolve(r, at)) for r in dict.fromkeys(e.recipients)))
            for e in request.envelopes
        ]
        return tr.event_cost(summaries, params)

    def _consumed(self, member: str) -> tr.TrafficConsumed:
        state = self.consumed.get(member)
        if state is None:
            state = tr.TrafficConsumed.init(member)
            self.consumed[member] = state
        return state

    def purchased_at(self, member: str, at: int) -> tr.TrafficPurchased | None:
        return tr.balance_valid_at(self.purchased.get(member, []), at)

    def latest_purchase(self, member: str) -> tr.TrafficPurchased | None:
        purchases = self.purchased.get(member)
        return purchases[-1] if purchases else None

    def state_at(self, member: str, at: int, extrapolate: bool = True) -> tr.TrafficState:
        params = self.params()
        consumed = self._consumed(member)
        if params is not None and extrapolate and at > consumed.sequencing_timestamp:
            consumed = tr.tick(consumed, params, at)
        return tr.to_traffic_state(consumed, self.purchased_at(member, at + 1) if extrapolate else self.latest_purchase(member))

    def check_submission(self, request: SubmissionRequest, at: int) -> None:
        """The submission-time check of the receiving sequencer."""
        params = self.params()
        if params is None or not params.enforceRateLimiting or not self.subject_to_traffic(request.sender):
            return
        cost = self.cost_of(request, at, params)
        consumed = self._consumed(request.sender)
        probe = tr.tick(consumed, params, max(at, consumed.sequencing_timestamp))
        state = tr.to_traffic_state(probe, self.purchased_at(request.sender, at))
        if state.availableTraffic < cost:
            raise CantonError(
                errors.SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT,
                tr.AboveTrafficLimit(request.sender, cost, state).cause,
            )

    def charge(self, request: SubmissionRequest, ts: int) -> tuple[int, str | None]:
        """Consume the event's cost at its sequencing time; an error text when the sender cannot pay."""
        params = self.params(ts)
        if params is None or not params.enforceRateLimiting or not self.subject_to_traffic(request.sender):
            return 0, None
        cost = self.cost_of(request, ts, params)
        member = request.sender
        purchase = self.purchased_at(member, ts)
        new_state, ok = tr.try_consume(self._consumed(member), params, ts, cost, purchase)
        self.consumed[member] = new_state
        self._dirty.add(member)
        if not ok:
            state = tr.to_traffic_state(new_state, purchase)
            return 0, CantonError(
                errors.SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT, tr.AboveTrafficLimit(member, cost, state).cause
            ).render()
        return cost, None

    def apply_purchase(self, request: SubmissionRequest, ts: int, rows: list[dict[str, Any]]) -> None:
        msg = request.envelopes[0].message
        member, serial, amount = msg["member"], msg["serial"], msg["total_traffic_purchased"]
        latest = self.latest_purchase(member)
        if latest is not None and serial <= latest.serial:
            return  # silently ignored after sequencing, as in Canton
        purchase = tr.TrafficPurchased(member, serial, amount, ts)
        self.purchased.setdefault(member, []).append(purchase)
        rows.append(
            {"synchronizer_id": self.sync.id, "member": member, "serial": serial, "extra_traffic_purchased": amount, "sequencing_timestamp": ts}
        )

    def valid_topup_signatures(self, msg: dict[str, Any], signers: dict[str, bytes], active: list[str]) -> int:
        from canton_console.runtime.identity import verify

        body = topup_signing_bytes(msg)
        count = 0
        for sequencer, signature in signers.items():
            key = self.sync.topology.public_key(sequencer)
            if sequencer in active and key is not None and verify(key, signature, body):
                count += 1
        return count

    def take_dirty(self) -> list[dict[str, Any]]:
        rows = []
        for member in self._dirty:
            c = self.consumed[member]
            rows.append(
                {
                    "synchronizer_id": self.sync.id,
                    "member": member,
                    "sequencing_timestamp": c.sequencing_timestamp,
                    "extra_traffic_consumed": c.extra_traffic_consumed,
                    "base_traffic_remainder": c.base_traffic_remainder,
                    "last_consumed_cost": c.last_consumed_cost,
                }
            )
        self._dirty.clear()
        return rows

    def load(self, conn) -> None:
        for row in conn.execute(
            select(s.TrafficConsumedRow.__table__).where(s.TrafficConsumedRow.synchronizer_id == self.sync.id)
        ).mappings():
            self.consumed[row["member"]] = tr.TrafficConsumed(
                row["member"], row["sequencing_timestamp"], row["extra_traffic_consumed"], row["base_traffic_remainder"], row["last_consumed_cost"]
            )
        for row in conn.execute(
            select(s.TrafficPurchasedRow.__table__)
            .where(s.TrafficPurchasedRow.synchronizer_id == self.sync.id)
            .order_by(s.TrafficPurchasedRow.sequencing_timestamp)
        ).mappings():
            self.purchased.setdefault(row["member"], []).append(
                tr.TrafficPurchased(row["member"], row["serial"], row["extra_traffic_purchased"], row["sequencing_timestamp"])
            )
        for row in conn.execute(
            select(s.TopUpSubmissionRow.__table__).where(s.TopUpSubmissionRow.synchronizer_id == self.sync.id)
        ).mappings():
            agg = topup_aggregation_id(row["member"], row["serial"], row["amount"], row["max_sequencing_time"])
            self.sync.aggregations.setdefault(agg, {})[row["sequencer"]] = row["signature"]
        for member, purchases in self.purchased.items():
            for p in purchases:
                for agg in list(self.sync.aggregations):
                    if agg.startswith(f"{member}/{p.serial}/"):
                        self.sync.aggregations_done.add(agg)


def topup_signing_bytes(msg: dict[str, Any]) -> bytes:
    return messages.encode(
        {k: msg[k] for k in ("member", "serial", "total_traffic_purchased", "synchronizer_id", "max_sequencing_time")}
    )


def topup_aggregation_id(member: str, serial: int, amount: int, max_sequencing_time: int) -> str:
    return f"{member}/{serial}/{amount}/{max_sequencing_time}"
