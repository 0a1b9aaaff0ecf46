"""A synchronizer: the total order its sequencers share, its topology, and its traffic accounting.

All sequencers of a synchronizer read the same ordering (as on a BFT synchronizer): every event is
written to the store of every running sequencer and delivered in the same order. Each event gets a
strictly increasing sequencing timestamp from the clock. Traffic is charged deterministically at
sequencing time; a submission the sender cannot pay for is refused before it is sequenced.

Database outages: an event is delivered only once at least one sequencer stored it. A sequencer
whose store fails halts (it serves no subscription); when no sequencer can store a batch, the
in-memory effects of sequencing it are rolled back, the batch goes back to the queue and sequencing
halts until a sequencer's database is back. Submissions wait meanwhile. A sequencer that missed
events while it was down copies them from a peer's store before it serves again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, case, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canton_console.runtime.flush_budget import FlushCost, take_batch
from canton_console.runtime.metrics import BLOCK_EVENTS, metrics_of
from canton_console.runtime.recent_submissions import Key, RecentSubmissions, Sequenced, digest
from canton_console.runtime.sequencer_admin import disabled_members, is_disabled
from canton_console.runtime.topology import TopologyState, stored_from_row, topology_row
from canton_console.store import fast
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, messages, topology
from canton_console.values import traffic as tr
from canton_console.values.errors import CantonError
from canton_console.values.ids import Member
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.values.parameters import (
    DynamicSynchronizerParameters,
    TrafficControlParameters,
)
from canton_console.values.timefmt import instant

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment
    from canton_console.runtime.sequencer import SequencerNode

log = logging.getLogger("canton_console.synchronizer")

# our submission kinds -> the ``type`` label Canton's sequencer metrics give them (SubmissionRequestType)
SUBMISSION_TYPES = {
    "confirmation-request": "send-confirmation-request",
    "confirmation-response": "send-confirmation-response",
    "verdict": "send-verdict",
    "acs-commitment": "send-commitment",
    "top-up": "send-topup",
    "topology": "send-topology",
}

LONG_MAX = tr.LONG_MAX

# Who pays for traffic: participants and mediators (never sequencers), by their member id's prefix
SUBJECT_TO_TRAFFIC = ("PAR::", "MED::")

# The columns of a sequenced event's row, in the order flush builds them (tuples, not dicts: one per event)
EVENT_COLUMNS = ("synchronizer_id", "timestamp", "sender", "message_id", "batch", "recipients", "cost", "error")


class OrderFenced(Exception):
    """A flush's store transaction found that this process no longer orders (another sequencer
    process sharing the order took over, runtime/shared_order.py): it was rolled back."""


class Subscription:
    """A member's subscription: it receives events while at least ``threshold`` of its sequencers
    (the sequencer trust threshold of its connection) run, and catches up from a sequencer's store
    when it was cut off. The replicas of a node share its member id; only the active one subscribes."""

    def __init__(
        self,
        member: str,
        sequencers: list[str],
        deliver: Callable[[list[SequencedEvent]], None],
        cursor: Callable[[], int],
        threshold: int = 1,
        acknowledged: Callable[[], int] | None = None,
    ):
        self.member = member
        self.sequencers = sequencers
        self.deliver = deliver
        self.cursor = cursor
        self.threshold = max(1, threshold)
        self.behind = False
        # What the member acknowledges: every event up to it is processed for good (it never asks
        # for them again). Members that do not say so acknowledge what was delivered (``cursor``).
        self.acknowledged = acknowledged or cursor
        # Why the member is cut off, when a sequencer refused its subscription (pruned events)
        self.refused: str | None = None


class EventsUnavailable(Exception):
    """A subscription asks for events a sequencer no longer has (Canton's
    ``CreateSubscriptionError.EventsUnavailableForTimestamp``)."""


class TopologyAnswers:
    """What a synchronizer answers from its topology, the same in the process that sequences
    (:class:`Synchronizer`) and in a participant's copy of a remote one (RemoteSynchronizer): dynamic
    parameters, the time, group members. Needs ``topology``, ``env``, ``last_timestamp``,
    ``static_parameters`` and an empty ``_parameters_cache``; the head-state answers are cached until the topology log grows."""

    topology: TopologyState
    env: Any
    last_timestamp: int
    static_parameters: dict[str, Any]
    _parameters_cache: dict[int, tuple[dict, DynamicSynchronizerParameters]]
    _head_cache: tuple[Any, ...] | None = None  # see head()
    _head_parameters: tuple[Any, DynamicSynchronizerParameters] | None = None  # see parameters()

    def parameters(self, at: int | None = None) -> DynamicSynchronizerParameters:
        head = self.head()
        at_head = at is None or at >= head[2]
        if at_head and self._head_parameters is not None and self._head_parameters[0] is head:
            return self._head_parameters[1]  # the head state's, the topology log unchanged since
        parameters = self._parameters_at(at)
        if at_head:
            self._head_parameters = (head, parameters)
        return parameters

    def _parameters_at(self, at: int | None) -> DynamicSynchronizerParameters:
        raw = self.topology.parameters(at)
        if not raw:
            return DynamicSynchronizerParameters()
        # Parsed once per topology transaction: the hot path asks for them several times per event.
        cached = self._parameters_cache.get(id(raw))
        if cached is None or cached[0] is not raw:
            cached = (raw, DynamicSynchronizerParameters.from_dict(raw))
            self._parameters_cache[id(raw)] = cached
        return cached[1]

    def now(self) -> int:
        """The synchronizer's current time for topology snapshots: the clock, or the last sequencing
        timestamp when a simulated clock lags behind it (events at one sim instant take +1 µs steps)."""
        return max(self.env.clock.now(), self.last_timestamp)

    def topology_delay(self) -> int:
        """Topology changes take effect this long after sequencing; 0 under a simulated clock, as in Canton."""
        if self.env.clock.is_simulated:
            return 0
        return self.parameters().topologyChangeDelay

    def head(self) -> tuple[Any, ...]:
        """What holds at every time past the latest effective time of the topology log: (log, its
        length, that latest time, group recipients resolved against the head state). Rebuilt when
        the log grows (or is replaced): the hot path asks for these for every event."""
        log = self.topology.log
        cached = self._head_cache
        if cached is None or cached[0] is not log or cached[1] != len(log):
            cached = self._head_cache = (log, len(log), max((s.valid_from for s in log), default=0), {})
        return cached

    def resolve(self, recipient: str, at: int) -> list[str]:
        if recipient not in messages.GROUPS:
            return [recipient]
        head = self.head()
        if at >= head[2]:  # the head state is the state at ``at``
            members = head[3].get(recipient)
            if members is None:
                members = head[3][recipient] = self._resolve_group(recipient, at)
            return members
        return self._resolve_group(recipient, at)

    def _resolve_group(self, recipient: str, at: int) -> list[str]:
        if recipient == messages.MEDIATOR_GROUP_0:
            return self.topology.mediators(at)
        if recipient == messages.ALL_MEMBERS:
            return self.topology.known_members(at)
        if recipient == messages.SEQUENCERS:
            return self.topology.sequencers(at)
        return [recipient]


class Synchronizer(TopologyAnswers):
    def __init__(self, env: "Environment", synchronizer_id: str, name: str, static_parameters: dict[str, Any]):
        self.env = env
        self.id = synchronizer_id
        self.name = name
        self.static_parameters = static_parameters
        self.topology = TopologyState(synchronizer_id)
        self.sequencer_nodes: dict[str, "SequencerNode"] = {}
        self.subscribers: dict[str, Subscription] = {}
        self.last_timestamp = 0
        self._pending: list[SubmissionRequest] = []
        self._flush_posted = False
        self._parameters_cache: dict[int, tuple[dict, DynamicSynchronizerParameters]] = {}
        self.traffic = TrafficAccounting(self)
        # Top-ups waiting for the sequencer threshold: aggregation id -> {sequencer: signature}
        self.aggregations: dict[str, dict[str, bytes]] = {}
        self.aggregations_done: set[str] = set()
        # What was sequenced lately, by sender and message id: a copy of it sent again is dropped
        self.recent_submissions = RecentSubmissions()
        # Members' latest acknowledgements (timestamp of the last event they processed for good),
        # as every sequencer of the synchronizer sees them; stored in each sequencer's store.
        self.acknowledgements: dict[str, int] = {}
        self._flush_cost = FlushCost()  # what sequencing a submission costs, for the size of a flush
        # Sequencer processes sharing this order through their database (runtime/shared_order.py):
        # submissions go through its table, and only the process holding the writer lock sequences.
        self.shared_order: Any = None

    # ---- topology helpers ----------------------------------------------------------------
    def running_sequencers(self) -> list["SequencerNode"]:
        return [n for n in self.sequencer_nodes.values() if n.running and not n.killed]

    def available_sequencers(self) -> list["SequencerNode"]:
        """Running sequencers whose store works and holds every event: those that store new events
        and serve subscriptions."""
        return [n for n in self.running_sequencers() if not n.halted and not n.store_missed]

    def sequencing_halted(self) -> bool:
        """Sequencers run but none can store events (database outage): submissions wait."""
        return not self.available_sequencers() and bool(self.running_sequencers())

    def is_member(self, member: str) -> bool:
        # The head state changes only when the topology log grows: keep its member set per version
        # (rebuilding it for every submission costs O(members)).
        log = self.topology.log
        cached = getattr(self, "_known_members_cache", None)
        if cached is None or cached[0] is not log or cached[1] != len(log):
            cached = (log, len(log), frozenset(self.topology.known_members()))
            self._known_members_cache = cached
        return member in cached[2]

    # ---- submission ----------------------------------------------------------------------
    def submit(self, request: SubmissionRequest) -> None:
        """Accept a submission for sequencing, or refuse it now (unknown sender, no traffic, no sequencer)."""
        for node in self.sequencer_nodes.values():
            if node.running and not node.killed:
                break  # a sequencer runs (running_sequencers() without building the list)
        else:
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                f"No sequencer of synchronizer {self.id} is running; the submission cannot be sequenced.",
            )
        sender = request.sender
        if not sender.startswith("SEQ::") and not self.is_member(sender):
            raise CantonError(errors.TOPOLOGY_UNKNOWN_MEMBERS, f"Sender {sender} is not a member of synchronizer {self.id}")
        if self.disabled_at_its_sequencer(sender):
            raise CantonError(errors.SEQUENCER_SUBMISSION_REQUEST_REFUSED, f"Member {sender} is disabled at the sequencer")
        self.traffic.check_submission(request)
        if self.shared_order is not None and self.shared_order.accept(request):
            return  # stored for the sequencer process that orders
        self._pending.append(request)
        if not self._flush_posted:
            self._flush_posted = True
            self.env.scheduler.post(self.flush)

    def flush(self) -> None:
        """Sequence every pending submission: timestamps, traffic, one store transaction, delivery."""
        self._flush_posted = False
        if not self._pending or self.sequencing_halted():
            return  # halted: the batch waits until a sequencer's database is back
        started = time.perf_counter()
        batch, self._pending = take_batch(self._pending, self._flush_cost)
        if self._pending:  # the rest goes in the next flush task, after the timers due meanwhile
            self._flush_posted = True
            self.env.scheduler.post(self.flush)
        snapshot = self._snapshot(batch)
        event_rows: list[tuple[Any, ...]] = []
        deliveries: dict[str, list[SequencedEvent]] = defaultdict(list)
        topology_rows: list[dict[str, Any]] = []
        topup_rows: list[dict[str, Any]] = []
        purchased_rows: list[dict[str, Any]] = []
        processed: list[tuple[str, str]] = []  # (sender, kind) of every event stored, for the block metrics
        sync_id = self.id
        charge = self.traffic.charge
        resolve = self.resolve
        encode_batch = messages.encode_batch
        # recipients of a single envelope -> (the members they resolve to, as stored), while the head
        # state holds (at or past its time, and until a topology transaction of the batch changes it)
        resolved: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        head_time = self.head()[2]
        ts = self.last_timestamp
        clock_now = self.env.clock.now()
        recent = self.recent_submissions
        recent.forget_older_than_window(max(clock_now, ts))
        in_batch: dict[Key, Sequenced] = {}  # what the batch sequences: remembered once it is stored
        try:
            for request in batch:
                key = (request.sender, request.message_id)
                encoded: bytes | None = None
                earlier = in_batch.get(key) or recent.get(key)
                if earlier is not None:
                    encoded = encode_batch(request.envelopes)
                    if self._is_copy(earlier, encoded):
                        log.info("synchronizer %s: submission %s of %s was sequenced already; its copy is dropped", self.name, request.message_id, request.sender)
                        continue
                ts = clock_now if clock_now > ts else ts + 1
                self.last_timestamp = ts
                sender = request.sender
                message_id = request.message_id
                if request.max_sequencing_time is not None and ts > request.max_sequencing_time:
                    continue
                if request.aggregation_id is not None:
                    if not self._aggregate(request, ts, topup_rows):
                        continue
                cost, error = charge(request, ts)
                kind = request.kind
                processed.append((sender, kind))
                if encoded is None:
                    encoded = encode_batch(request.envelopes)
                in_batch[key] = (ts, digest(encoded))
                if error is not None:
                    event_rows.append((sync_id, ts, sender, message_id, encoded, "", 0, error))
                    deliveries[sender].append(SequencedEvent(sync_id, ts, sender, message_id, (), error=error))
                    continue
                envelopes_of_request = request.envelopes
                members_of: dict[str, list[Envelope]] | None = None
                if len(envelopes_of_request) == 1:
                    # One envelope (most submissions): each member it resolves to gets just that one,
                    # all of them the same event
                    recipients = envelopes_of_request[0].recipients
                    found = resolved.get(recipients) if ts >= head_time else None
                    if found is None:
                        members = tuple(dict.fromkeys([m for r in recipients for m in resolve(r, ts)]))
                        found = (members, ",".join(members))
                        if ts >= head_time:
                            resolved[recipients] = found
                    members, recipients_text = found
                else:
                    members_of = defaultdict(list)
                    for envelope in envelopes_of_request:
                        for recipient in dict.fromkeys(envelope.recipients):
                            for member in resolve(recipient, ts):
                                if envelope not in members_of[member]:
                                    members_of[member].append(envelope)
                    members, recipients_text = tuple(members_of), ",".join(members_of)
                if kind == "topology":
                    self._apply_topology(request, ts, topology_rows)
                    resolved.clear()
                    head_time = self.head()[2]
                elif kind == "top-up":
                    self.traffic.apply_purchase(request, ts, purchased_rows)
                event_rows.append((sync_id, ts, sender, message_id, encoded, recipients_text, cost, None))
                if members_of is None:
                    event = SequencedEvent(sync_id, ts, sender, message_id, envelopes_of_request)
                    for member in members:
                        deliveries[member].append(event)
                else:
                    for member, envelopes in members_of.items():
                        deliveries[member].append(SequencedEvent(sync_id, ts, sender, message_id, tuple(envelopes)))
                if sender not in members:
                    deliveries[sender].append(SequencedEvent(sync_id, ts, sender, message_id, ()))
        finally:
            self.traffic.settle_charges()  # before _persist takes the changed states
        try:
            persisted = self._persist(event_rows, topology_rows, topup_rows, purchased_rows)
        except OrderFenced as e:
            # Another sequencer process orders now (shared_order.py): nothing of the batch was
            # stored; undo it in memory, timestamps included, and leave it to that process.
            self._restore(snapshot)
            self.last_timestamp = snapshot["last_timestamp"]
            self._pending = batch + self._pending
            self.shared_order.fenced(e)
            return
        if not persisted:
            # No sequencer could store the batch: nothing of it happened. Undo its in-memory effects
            # and keep it queued until a sequencer's database is back.
            self._restore(snapshot)
            self._pending = batch + self._pending
            log.warning("synchronizer %s: no sequencer can store events; sequencing halts until a database is back", self.name)
            return
        for key, (at, batch_digest) in in_batch.items():
            recent.add(key, at, batch_digest)
        self._count_block_events(processed)
        for member, events in deliveries.items():
            subscription = self.subscribers.get(member)
            if subscription is None:
                continue
            if subscription.behind or self.reachable_sequencer(subscription) is None or self.disabled_at_its_sequencer(member):
                subscription.behind = True
                continue
            self._deliver(subscription, events)
        self._flush_cost = self._flush_cost.after(len(batch), time.perf_counter() - started)

    def _is_copy(self, earlier: Sequenced, encoded: bytes) -> bool:
        """Whether a submission with the sender and message id of one sequenced ``earlier`` (its
        timestamp and digest) has its envelopes too. Without a digest (remembered from the shared
        store by a new writer), the stored event tells."""
        at, batch_digest = earlier
        if batch_digest is None:
            stored = self.shared_order.stored_batch(at) if self.shared_order is not None else None
            return stored == encoded
        return batch_digest == digest(encoded)

    def _count_block_events(self, processed: list[tuple[str, str]]) -> None:
        """Canton's ``daml.sequencer.block.events`` on every sequencer that stored the batch: events
        by sender (``member``) and submission type (``type``, Canton's names)."""
        counts = Counter(processed)
        for node in self.sequencer_nodes.values():
            if node.running and not node.killed:
                metrics = metrics_of(node)
                for (member, kind), n in counts.items():
                    metrics.inc(BLOCK_EVENTS, n, {"member": member, "type": SUBMISSION_TYPES.get(kind, "send-unexpected")})

    def _deliver(self, subscription: Subscription, events: list[SequencedEvent]) -> None:
        try:
            subscription.deliver(events)
        except StorageUnavailable as e:  # the member's database went away: it halted and catches up later
            log.info("delivery to %s stopped by a database outage: %s", subscription.member, e)
        except Exception:  # noqa: BLE001 - one member's failure must not stop delivery to others
            log.exception("delivery to %s failed", subscription.member)

    # ---- rolling back a batch no sequencer could store ---------------------------------------
    def _snapshot(self, batch: list[SubmissionRequest]) -> dict[str, Any]:
        """What sequencing ``batch`` may change in memory (besides the last timestamp, which only grows)."""
        traffic = self.traffic
        snap: dict[str, Any] = {"consumed": dict(traffic.consumed), "dirty": set(traffic._dirty), "total": dict(traffic.total)}
        snap["last_timestamp"] = self.last_timestamp  # (restored only when fenced: see flush)
        kinds = {r.kind for r in batch}
        if "topology" in kinds:
            topo = self.topology
            snap["topology"] = ({k: list(v) for k, v in topo._history.items()}, dict(topo.proposals), list(topo.log))
        if "top-up" in kinds or any(r.aggregation_id is not None for r in batch):
            snap["purchased"] = {k: list(v) for k, v in traffic.purchased.items()}
            snap["aggregations"] = ({k: dict(v) for k, v in self.aggregations.items()}, set(self.aggregations_done))
        return snap

    def _restore(self, snap: dict[str, Any]) -> None:
        traffic = self.traffic
        traffic.consumed = snap["consumed"]
        traffic._dirty = snap["dirty"] | set(traffic._dirty)
        traffic.total = snap["total"]
        if "topology" in snap:
            topo = self.topology
            topo._history, topo.proposals, topo.log = snap["topology"]
        if "purchased" in snap:
            traffic.purchased = snap["purchased"]
            self.aggregations, self.aggregations_done = snap["aggregations"]

    def _reachable(self, subscription: Subscription) -> list["SequencerNode"]:
        found = []
        for name in subscription.sequencers:
            node = self.sequencer_nodes.get(name)
            if node is not None and node.running and not node.killed and not node.halted and not node.store_missed:
                found.append(node)
        return found

    def reachable_sequencer(self, subscription: Subscription) -> "SequencerNode | None":
        """A running sequencer of the subscription to read from, when enough of them run to meet
        its trust threshold; None when the member is cut off. A sequencer whose database is down
        (or that has not yet caught up after an outage) serves nobody."""
        reachable = []
        for name in subscription.sequencers:
            node = self.sequencer_nodes.get(name)
            if node is not None and node.running and not node.killed and not node.halted and not node.store_missed:
                reachable.append(node)
        return reachable[0] if len(reachable) >= subscription.threshold else None

    def subscribe(self, subscription: Subscription) -> None:
        """Start delivering to a member, first catching up on what it has not processed yet."""
        self.subscribers[subscription.member] = subscription
        self.catch_up(subscription)

    def unsubscribe(self, member: str, subscription: Subscription | None = None) -> None:
        """Stop delivering to ``member``; with ``subscription``, only if it is still that one (a
        replica that stepped down must not cut off the replica that took over)."""
        if subscription is None or self.subscribers.get(member) is subscription:
            current = self.subscribers.get(member)
            if current is not None and not current.behind:
                self.record_acknowledgements([current])
            self.subscribers.pop(member, None)

    def catch_up(self, subscription: Subscription) -> None:
        node = self.reachable_sequencer(subscription)
        if node is None:
            subscription.behind = True
            return
        after = subscription.cursor()
        # A sequencer pruned beyond what the member still needs cannot serve it: another of its
        # sequencers may (pruning is local to a sequencer, as in Canton)
        if node.lower_bound is not None and after < node.lower_bound:
            registered = self.registrations().get(subscription.member, 0)
            node = next((n for n in self._reachable(subscription) if n.lower_bound is None or after >= n.lower_bound or registered >= n.lower_bound), node)
        if is_disabled(node, subscription.member):
            # Canton's CreateSubscriptionError.MemberDisabled: the member can no longer read here
            subscription.behind = True
            refusal = f"MemberDisabled({subscription.member}): the member has been disabled at sequencer {node.name} and can no longer read"
            if subscription.refused != refusal:
                subscription.refused = refusal
                log.warning("%s", refusal)
            return
        try:
            events = self.events_for(node, subscription.member, after)
        except StorageUnavailable:
            subscription.behind = True  # that sequencer just halted: caught up when one is back
            return
        except EventsUnavailable as e:
            subscription.behind = True
            if subscription.refused != str(e):
                subscription.refused = str(e)
                log.warning("%s", e)
            return
        subscription.behind = False
        subscription.refused = None
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

    def on_sequencer_recovered(self, node: "SequencerNode") -> None:
        """A sequencer's database is back (and its store caught up, if it could): let the sequencers
        that missed events copy them, catch up the members that were cut off, sequence what waited."""
        if not node.store_missed:
            for other in self.running_sequencers():
                if other is not node and other.store_missed and not other.halted:
                    other.catch_up_store_from(node)
        self.on_sequencer_started(node)
        if self._pending and not self._flush_posted:
            self._flush_posted = True
            self.env.scheduler.post(self.flush)

    def _aggregate(self, request: SubmissionRequest, ts: int, rows: list[dict[str, Any]]) -> bool:
        """Count a sequencer's identical top-up; deliver once ``threshold`` sequencers sent it."""
        agg = request.aggregation_id
        assert agg is not None  # only aggregated submissions (top-ups) come here
        if agg in self.aggregations_done:
            return False
        signers = self.aggregations.setdefault(agg, {})
        msg = request.envelopes[0].message
        if request.sender in signers:
            return False  # the same sequencer again: it counts once
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
                if stored is not None:
                    rows.append(topology_row(self.id, stored))

    def persist_traffic(self) -> None:
        """Store traffic states changed outside of sequencing (a refused submission ticks its sender).
        During an outage they stay dirty and go with the next stored batch."""
        if self.shared_order is not None and not self.shared_order.writer:
            return  # sequencer processes sharing one order: the one that orders stores traffic states
        if self.traffic._dirty and not self.sequencing_halted():
            dirty = set(self.traffic._dirty)
            try:
                persisted = self._persist([], [], [], [])
            except OrderFenced as e:
                persisted = False
                self.shared_order.fenced(e)
            if not persisted:
                self.traffic._dirty |= dirty

    def _persist(self, events, topology_rows, topup_rows, purchased_rows) -> bool:
        """Write to the store of every available sequencer. False when none could store it (their
        databases are down): then nothing was stored and nothing may be delivered."""
        nodes = self.available_sequencers()
        if not nodes and self.running_sequencers():
            return False
        consumed_rows = self.traffic.take_dirty()
        fence = self.shared_order.fence if self.shared_order is not None else None
        stored, failed = 0, []
        for node in nodes:
            try:
                # prepared statements, one batch per table (see store.fast)
                with fast.transaction(node.open_storage) as conn:
                    if fence is not None:
                        fence(node, conn)  # OrderFenced: rolled back, and the caller undoes the batch
                    if events:
                        conn.executemany(conn.insert_sql(s.SequencedEventRow, EVENT_COLUMNS), events)
                    conn.insert(s.TopologyTransactionRow, topology_rows)
                    conn.insert(s.TopUpSubmissionRow, topup_rows)
                    conn.insert(s.TrafficPurchasedRow, purchased_rows)
                    if consumed_rows:
                        conn.executemany(conn.sql("traffic-consumed-delete", _delete_consumed_sql), [(self.id, r["member"]) for r in consumed_rows])
                        conn.insert(s.TrafficConsumedRow, consumed_rows)
                stored += 1
            except StorageUnavailable:
                failed.append(node)  # that sequencer halted
        if nodes and not stored:
            return False
        if events or topology_rows or topup_rows or purchased_rows or consumed_rows:
            for node in self.running_sequencers():
                if node in failed or node not in nodes:
                    node.store_missed = True  # halted: it copies what it missed from a peer before serving again
        return True

    # ---- direct (genesis) topology -------------------------------------------------------
    def add_genesis(self, signed: list[topology.SignedTopologyTransaction]) -> None:
        rows = []
        for tx in signed:
            stored = self.topology.add(tx, 0, 0)
            assert stored is not None, "a genesis transaction is the first of its mapping"
            rows.append(topology_row(self.id, stored))
        for node in self.running_sequencers():
            with node.open_storage.transaction() as conn:
                conn.execute(insert(s.TopologyTransactionRow), rows)

    # ---- restart -------------------------------------------------------------------------
    def load_from(self, node: "SequencerNode") -> None:
        """Rebuild topology, traffic and the last timestamp from a sequencer's store."""
        with node.open_storage.read() as conn:
            topology_rows = conn.execute(
                select(s.TopologyTransactionRow.__table__)
                .where(s.TopologyTransactionRow.synchronizer_id == self.id)
                .order_by(s.TopologyTransactionRow.id)
            ).mappings()
            for row in topology_rows:
                self.topology.restore(stored_from_row(row))
            last = conn.execute(
                select(s.SequencedEventRow.timestamp)
                .where(s.SequencedEventRow.synchronizer_id == self.id)
                .order_by(s.SequencedEventRow.timestamp.desc())
                .limit(1)
            ).scalar()
            self.last_timestamp = max(self.last_timestamp, last or 0)
            bound = conn.execute(select(s.SequencerLowerBoundRow.timestamp).where(s.SequencerLowerBoundRow.synchronizer_id == self.id)).scalar()
            self.last_timestamp = max(self.last_timestamp, bound or 0)  # everything may have been pruned
            acks = s.SequencerAcknowledgementRow
            for member, ts in conn.execute(select(acks.member, acks.timestamp).where(acks.synchronizer_id == self.id)).all():
                self.acknowledgements[member] = max(self.acknowledgements.get(member, ts), ts)
            self.traffic.load(conn)
        self.topology.drop_superseded_proposals()

    def events_for(self, node: "SequencerNode", member: str, after: int) -> list[SequencedEvent]:
        """The events addressed to ``member`` after ``after``, read from a sequencer's store (catch-up).
        A sequencer pruned at or beyond ``after + 1`` refuses (``EventsUnavailable``)."""
        lower_bound = node.lower_bound
        registered = self.registrations().get(member, 0)
        # Canton: reading from after the lower bound, or from the beginning when the member was
        # registered after it (nothing it could need was removed)
        if lower_bound is not None and after < lower_bound and not (after < registered and registered >= lower_bound):
            raise EventsUnavailable(
                f"Subscription for {member} would require reading data from {instant(after + 1)} (inclusive), "
                f"but this sequencer cannot serve timestamps at or before {instant(lower_bound)} "
                f"or below the member's registration timestamp {instant(registered)}."
            )
        result = []
        with node.open_storage.read() as conn:
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


    # ---- pruning: registrations and acknowledgements ----------------------------------------
    def registrations(self) -> dict[str, int]:
        """When each member became known to the sequencers: the effective time of the first
        topology transaction that named it (a participant's trust certificate, a mediator or a
        sequencer in its group's state). Cached per topology log."""
        topo = self.topology
        cached = getattr(self, "_registrations_cache", None)
        if cached is not None and cached[0] is topo.log and cached[1] == len(topo.log):
            return cached[2]
        found: dict[str, int] = {}
        for stored in topo.log:
            if stored.is_proposal or stored.operation != topology.REPLACE:
                continue
            code, data = stored.mapping.code, stored.mapping.data
            if code == topology.TRUST_CERTIFICATE:
                named = [data["participant"]]
            elif code in (topology.MEDIATOR_STATE, topology.SEQUENCER_STATE):
                named = [*data["active"], *data["observers"]]
            else:
                continue
            for member in named:
                found[member] = min(found.get(member, stored.valid_from), stored.valid_from)
        self._registrations_cache = (topo.log, len(topo.log), found)
        return found

    def record_acknowledgements(self, subscriptions: list[Subscription] | None = None) -> None:
        """Take the acknowledgements of the members being served (and of the sequencers, which
        process every event as they store it) and store the new ones in every available sequencer."""
        changed: dict[str, int] = {}
        subs = list(self.subscribers.values()) if subscriptions is None else subscriptions
        for sub in subs:
            if sub.behind:
                continue
            ts = sub.acknowledged()
            # a member that has processed nothing since its registration has acknowledged nothing
            if ts >= self.registrations().get(sub.member, 0) and ts > self.acknowledgements.get(sub.member, -(2**62)):
                changed[sub.member] = ts
        if subscriptions is None:
            for node in self.available_sequencers():
                member = node.member_id
                if self.last_timestamp > self.acknowledgements.get(member, -(2**62)):
                    changed[member] = self.last_timestamp
        if not changed:
            return
        self.acknowledgements.update(changed)
        # in member order: two processes of one sequencer (shared_order.py) may store at once
        rows = [{"synchronizer_id": self.id, "member": m, "timestamp": ts} for m, ts in sorted(changed.items())]
        acks = cast(Table, s.SequencerAcknowledgementRow.__table__)
        for node in self.available_sequencers():
            try:
                with node.open_storage.transaction() as conn:
                    # an upsert keeping the later timestamp (another process may have stored one)
                    upsert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(acks).values(rows)
                    later = case((upsert.excluded.timestamp > acks.c.timestamp, upsert.excluded.timestamp), else_=acks.c.timestamp)
                    conn.execute(upsert.on_conflict_do_update(index_elements=[acks.c.synchronizer_id, acks.c.member], set_={"timestamp": later}))
            except StorageUnavailable:
                continue  # copied from a peer once its database is back

    # ---- disabled members (node-admin) -------------------------------------------------------------
    def disabled_at_its_sequencer(self, member: str) -> bool:
        """Whether the sequencer ``member`` reads from and sends through (the first reachable one of
        its subscription; without one, the first available sequencer) disabled it."""
        for sequencer in self.sequencer_nodes.values():
            if member in disabled_members(sequencer):
                break
        else:
            return False  # no sequencer disabled it (the common case, asked for every submission)
        subscription = self.subscribers.get(member)
        node = self.reachable_sequencer(subscription) if subscription is not None else next(iter(self.available_sequencers()), None)
        return is_disabled(node, member)


class TrafficAccounting:
    """Per-member consumed and purchased traffic of one synchronizer (canton-traffic.md §2-§7).

    Costs are charged deterministically at sequencing time (``charge``); the sequencer that receives
    a submission refuses it up front when the sender cannot pay (``check_submission``). Purchases
    (top-ups) take effect strictly after their sequencing time. Only participants and mediators are
    subject to traffic; sequencers are never charged and never reported.

    ``consumed`` holds only members that were charged (or ticked by a refusal); a member never seen
    starts as ``TrafficConsumed.init`` (minimum timestamp, so its base traffic is full on first look).
    """

    def __init__(self, synchronizer: Synchronizer):
        self.sync = synchronizer
        self.consumed: dict[str, tr.TrafficConsumed] = {}
        self.purchased: dict[str, list[tr.TrafficPurchased]] = {}
        # Everything each member was ever charged (stored as ``total_consumed``: the sum of the costs
        # of its sequenced events).
        self.total: dict[str, int] = {}
        self._dirty: set[str] = set()
        # (raw parameters dict, its TrafficControlParameters, the head it is the head state's or None)
        self._params_cache: tuple[Any, Any, Any] | None = None
        self._members_cache: tuple[Any, ...] | None = None  # see members_in_order
        self._rates_cache: tuple[Any, float, int, int, int] | None = None  # see _rates
        # member -> (timestamp, extra consumed, base remainder, last cost) charged since settle_charges
        self._charged: dict[str, tuple[int, int, int, int]] = {}
        # (head state, parameters, base rate, max base traffic, {shape: cost}): see at_head
        self._head_traffic: tuple[Any, ...] | None = None

    # ---- parameters ----------------------------------------------------------------------
    def params(self, at: int | None = None):
        """The traffic control parameters valid at ``at`` (head state when None), or None.

        Parsing the parameter record is costly, so the parsed value is kept per stored record; the
        head state's is kept per topology version (``Synchronizer.head``), so that the hot path
        finds it without a topology lookup."""
        head = self.sync.head()
        at_head = at is None or at >= head[2]
        cached = self._params_cache
        if at_head and cached is not None and cached[2] is head:
            return cached[1]
        raw = self.sync.topology.parameters(at)
        if raw is None:
            return None
        if cached is not None and cached[0] is raw:
            params = cached[1]
        else:
            tc = raw.get("trafficControl")
            params = None if tc is None else TrafficControlParameters.from_dict(tc)
        self._params_cache = (raw, params, head if at_head else None)
        return params

    def enforced(self, at: int | None = None):
        """The parameters when traffic is enforced at ``at``, else None."""
        params = self.params(at)
        return params if params is not None and params.enforceRateLimiting else None

    @staticmethod
    def subject_to_traffic(member: str) -> bool:
        return member.startswith(SUBJECT_TO_TRAFFIC)

    # ---- time ----------------------------------------------------------------------------
    def safe_timestamp(self) -> int:
        """Canton's ``LatestSafe``: the immediate successor of the last sequenced event. Our ordering
        produces no idle blocks, so when nothing is being sequenced the clock itself is safe: every
        later event is sequenced at or after it."""
        return max(self.sync.last_timestamp + 1, self.sync.env.clock.now())

    def approximate_timestamp(self) -> int:
        """Canton's ``LatestApproximate``: max(wall clock, last sequenced + 1µs)."""
        return max(self.sync.last_timestamp + 1, self.sync.env.clock.now())

    # ---- costs ---------------------------------------------------------------------------
    def _recipient_count(self, recipient: str, at: int) -> int:
        """How many members ``recipient`` stands for at ``at``: 1 for a member, the group's members
        for a group (resolved against the head state once ``at`` is past every pending effective
        time, see ``Synchronizer.resolve``)."""
        if recipient not in messages.GROUPS:
            return 1
        return len(self.sync.resolve(recipient, at))

    def _rates(self, params) -> tuple[Any, float, int, int, int]:
        """(params, base rate, max base traffic, read-vs-write factor, base event cost) as plain
        numbers, kept per parameters record."""
        rates = self._rates_cache
        if rates is None or rates[0] is not params:
            rates = self._rates_cache = (
                params, params.base_rate, int(params.maxBaseTrafficAmount), int(params.readVsWriteScalingFactor), int(params.baseEventCost)
            )
        return rates

    def cost_of(self, request: SubmissionRequest, at: int, params) -> int:
        """Event cost: per envelope its serialized size plus the read cost over its recipients
        (group recipients counted by their members at ``at``), plus the base event cost once
        (``traffic.event_cost`` over the envelopes' summaries, without building them)."""
        count = self._recipient_count
        _params, _rate, _max_base, factor, base_event_cost = self._rates(params)
        total = 0
        for e in request.envelopes:
            recipients = e.recipients
            if len(recipients) == 1:
                n = count(recipients[0], at)
            else:
                n = sum(count(r, at) for r in dict.fromkeys(recipients))
            size = len(e.payload)
            product = size * n
            scaled = product * factor
            if product > tr.LONG_MAX or scaled > tr.LONG_MAX:
                raise tr.CostOverflow("Overflow in cost computation")
            total += size + scaled // 10_000
        total += base_event_cost
        if total > tr.LONG_MAX:  # every term is non-negative: no partial sum passed it otherwise
            raise tr.CostOverflow("Overflow in cost computation")
        return total

    def at_head(self, head: tuple[Any, ...]) -> tuple[Any, ...]:
        """What the submission-time check and the charge need at or past the head state's time, kept
        per head state (``Synchronizer.head``): (head, the parameters when traffic is enforced there or
        None, base rate, max base traffic, {request shape: cost}). Costs are kept per shape of the
        request (each envelope's size and recipients): there, group recipients resolve against the
        head state, and submissions come in few shapes."""
        found = self._head_traffic
        if found is None or found[0] is not head:
            params = self.enforced()
            if params is None:
                found = (head, None, 0.0, 0, {})
            else:
                _params, rate, max_base, _factor, _base_event_cost = self._rates(params)
                found = (head, params, rate, max_base, {})
            self._head_traffic = found
        return found

    def _cost_at_head(self, request: SubmissionRequest, at: int, found: tuple[Any, ...]) -> int:
        """``cost_of`` at ``at``, at or past the head state's time (``found`` is ``at_head``'s)."""
        envelopes = request.envelopes
        if len(envelopes) == 1:
            envelope = envelopes[0]
            shape: Any = (len(envelope.payload), envelope.recipients)
        else:
            shape = tuple([(len(e.payload), e.recipients) for e in envelopes])
        costs = found[4]
        cost = costs.get(shape)
        if cost is None:
            if len(costs) >= 4096:  # only a cache: sizes vary
                costs.clear()
            cost = costs[shape] = self.cost_of(request, at, found[1])
        return cost

    def _consumed(self, member: str) -> tr.TrafficConsumed:
        state = self.consumed.get(member)
        return state if state is not None else tr.TrafficConsumed.init(member)

    def purchased_at(self, member: str, at: int) -> tr.TrafficPurchased | None:
        """The top-up in effect at ``at``: the latest one sequenced strictly before it."""
        purchases = self.purchased.get(member)
        if not purchases:
            return None
        latest = purchases[-1]
        if latest.sequencing_timestamp < at:  # the usual case: no search
            return latest
        return tr.balance_valid_at(purchases, at)

    def latest_purchase(self, member: str) -> tr.TrafficPurchased | None:
        purchases = self.purchased.get(member)
        return purchases[-1] if purchases else None

    def latest_serial(self, member: str) -> int | None:
        latest = self.latest_purchase(member)
        return None if latest is None else latest.serial

    def state_at(self, member: str, at: int, extrapolate: bool = True) -> tr.TrafficState:
        """A member's traffic state.

        ``extrapolate``: the sequencer's view at ``at`` (base traffic accrued up to ``at``, the top-up
        in effect at ``at``); when ``at`` is not after the member's last update, its last state.
        Without traffic control nothing is extrapolated (Canton shows the stored state).

        ``extrapolate=False``: the member's own view after its event at ``at`` (its traffic receipt):
        the consumed state as charged and the top-ups sequenced up to ``at``; a member that was never
        charged has the empty state at the epoch, as a participant's view starts."""
        if not extrapolate:
            consumed = self.consumed.get(member)
            purchase = self.purchased_at(member, at + 1)
            if consumed is None:
                empty = tr.TrafficState.empty()
                if purchase is None:
                    return empty
                return tr.to_traffic_state(tr.TrafficConsumed(member, tr.EPOCH), purchase)
            return tr.to_traffic_state(consumed, purchase)
        params = self.params()
        consumed = self._consumed(member)
        if params is not None and at > consumed.sequencing_timestamp:
            consumed = tr.tick(consumed, params, at)
        return tr.to_traffic_state(consumed, self.purchased_at(member, max(at, consumed.sequencing_timestamp)))

    def last_update(self, member: str) -> tr.TrafficState:
        """Canton's ``LastUpdatePerMember``: the state at the member's last consumption, not
        extrapolated, with its latest top-up."""
        return tr.to_traffic_state(self._consumed(member), self.latest_purchase(member))

    def member_view(self, member: str, receipt: tr.TrafficState | None, seen_up_to: int) -> tr.TrafficState:
        """What a member itself knows: its last traffic receipt, updated by the top-ups delivered to
        it (sequenced at or before ``seen_up_to``). Not extrapolated. Empty at the epoch at first."""
        state = receipt if receipt is not None else tr.TrafficState.empty()
        purchase = self.purchased_at(member, seen_up_to + 1)
        if purchase is None or (state.serial is not None and state.serial >= purchase.serial):
            return state
        return tr.TrafficState(
            extraTrafficPurchased=purchase.extra_traffic_purchased,
            extraTrafficConsumed=state.extraTrafficConsumed,
            baseTrafficRemainder=state.baseTrafficRemainder,
            lastConsumedCost=state.lastConsumedCost,
            timestamp=max(state.timestamp, purchase.sequencing_timestamp),
            serial=purchase.serial,
        )

    # ---- inspection ----------------------------------------------------------------------
    def members_in_order(self, at: int) -> list[str]:
        """The participants and mediators known at ``at``, in the order they joined the synchronizer
        (the order of the topology transactions that registered them). Cached per topology log."""
        topo = self.sync.topology
        log = topo.log
        cached = self._members_cache
        if cached is None or cached[0] is not log or cached[1] != len(log):
            order: dict[str, None] = {}
            max_valid_from = 0
            for stored in log:
                if stored.valid_from > max_valid_from:
                    max_valid_from = stored.valid_from
                if stored.is_proposal or stored.operation != topology.REPLACE:
                    continue
                code = stored.mapping.code
                if code == topology.TRUST_CERTIFICATE:
                    order.setdefault(stored.mapping.data["participant"], None)
                elif code == topology.MEDIATOR_STATE:
                    for m in [*stored.mapping.data["active"], *stored.mapping.data["observers"]]:
                        order.setdefault(m, None)
            head = set(topo.participants()) | set(topo.mediators())
            cached = (log, len(log), list(order), max_valid_from, [m for m in order if m in head])
            self._members_cache = cached
        _log, _n, order_list, max_valid_from, head_members = cached
        if at >= max_valid_from:
            return head_members
        known = set(topo.participants(at)) | set(topo.mediators(at))
        return [m for m in order_list if m in known]

    def states(self, members: list[str] | None, selector: str, timestamp: int | None = None) -> list[tuple[str, tr.TrafficState]]:
        """Traffic states for Canton's timestamp selectors: ``latest-safe``, ``latest-approximate``,
        ``last-update`` or ``exact`` (``timestamp``). ``members`` None means all members; otherwise it
        is intersected with the known participants and mediators (unknown members and sequencers
        are left out, as Canton does). Members come in registration order."""
        if selector == "latest-safe":
            at = self.safe_timestamp()
        elif selector == "latest-approximate":
            at = self.approximate_timestamp()
        elif selector == "exact":
            if timestamp is None:
                raise ValueError("an exact timestamp is needed")
            at = timestamp
        elif selector == "last-update":
            at = self.safe_timestamp()
        else:
            raise ValueError(f"unknown timestamp selector {selector!r}")
        ordered = self.members_in_order(at)
        if members is not None:
            wanted = set(members)
            ordered = [m for m in ordered if m in wanted]
        if selector == "last-update":
            return [(m, self.last_update(m)) for m in ordered]
        params = self.params()
        if params is None:
            return [(m, self.last_update(m)) for m in ordered]
        return [(m, self._extrapolated(m, at, params)) for m in ordered]

    def _extrapolated(self, member: str, at: int, params) -> tr.TrafficState:
        """``state_at`` without its generic overheads (used for every member of a query)."""
        consumed = self.consumed.get(member)
        if consumed is None:
            ts, extra, base, last = tr.MIN_TIMESTAMP, 0, 0, 0
        else:
            ts, extra, base, last = (
                consumed.sequencing_timestamp,
                consumed.extra_traffic_consumed,
                consumed.base_traffic_remainder,
                consumed.last_consumed_cost,
            )
        if at > ts:
            accrued = params.base_rate * float(at - ts)
            allowed = tr.LONG_MAX if accrued >= tr.LONG_MAX else int(accrued)
            base = min(int(params.maxBaseTrafficAmount), min(tr.LONG_MAX, allowed + base))
            ts, last = at, 0
        purchases = self.purchased.get(member)
        purchase = tr.balance_valid_at(purchases, ts) if purchases else None
        if purchase is None:
            return tr.TrafficState(0, extra, base, last, ts)
        return tr.TrafficState(
            purchase.extra_traffic_purchased, extra, base, last, max(ts, purchase.sequencing_timestamp), purchase.serial
        )

    # ---- enforcement ---------------------------------------------------------------------
    def check_submission(self, request: SubmissionRequest, at: int | None = None) -> None:
        """The submission-time check of the receiving sequencer: the sender must have at least the
        event's cost available now. A refused sender is charged nothing; its state moves to now
        (base traffic accrues, last consumed cost 0) and is stored."""
        member = request.sender
        if not member.startswith(SUBJECT_TO_TRAFFIC):
            return
        head = self.sync.head()
        found = self._head_traffic
        if found is None or found[0] is not head:
            found = self.at_head(head)
        params = found[1]  # the head state's
        if params is None:
            return
        consumed = self.consumed.get(member)
        if consumed is None:
            consumed = tr.TrafficConsumed.init(member)
        at = max(self.approximate_timestamp() if at is None else at, consumed.sequencing_timestamp)
        cost = self._cost_at_head(request, at, found) if at >= head[2] else self.cost_of(request, at, params)
        purchase = self.purchased_at(member, at)
        base = base_after(found[2], found[3], consumed.base_traffic_remainder, at - consumed.sequencing_timestamp)
        # traffic.available_at
        if (0 if purchase is None else purchase.extra_traffic_purchased) - consumed.extra_traffic_consumed + base >= cost:
            return
        ticked = tr.TrafficConsumed(member, at, consumed.extra_traffic_consumed, base, 0)  # traffic.tick
        self.consumed[member] = ticked
        self._dirty.add(member)
        self.sync.persist_traffic()
        raise tr.AboveTrafficLimit(Member.parse(member), cost, tr.to_traffic_state(ticked, purchase)).error()

    def charge(self, request: SubmissionRequest, ts: int) -> tuple[int, str | None]:
        """Consume the event's cost at its sequencing time; an error text (a DeliverError for the
        sender) when it cannot pay, in which case nothing is charged and its state is ticked to ``ts``.

        This is ``traffic.try_consume`` with the base traffic computed once: it runs for every event.
        The new state is kept as plain numbers until ``settle_charges`` (a block charges each sender
        many times; one record per sender and block is enough)."""
        member = request.sender
        if not member.startswith(SUBJECT_TO_TRAFFIC):
            return 0, None
        head = self.sync.head()
        if ts >= head[2]:
            found = self._head_traffic
            if found is None or found[0] is not head:
                found = self.at_head(head)
            if found[1] is None:
                return 0, None
            cost = self._cost_at_head(request, ts, found)
            rate, max_base = found[2], found[3]
        else:  # before a pending topology change takes effect: the parameters and recipients then
            params = self.params(ts)
            if params is None or not params.enforceRateLimiting:
                return 0, None
            cost = self.cost_of(request, ts, params)
            _params, rate, max_base, _factor, _base_event_cost = self._rates(params)
        purchase = self.purchased_at(member, ts)
        state = self._charged.get(member)
        if state is None:
            consumed = self.consumed.get(member)
            if consumed is None:
                state = (tr.MIN_TIMESTAMP, 0, 0, 0)  # TrafficConsumed.init
            else:
                state = (consumed.sequencing_timestamp, consumed.extra_traffic_consumed, consumed.base_traffic_remainder, consumed.last_consumed_cost)
        last_ts, extra, remainder, _last_cost = state
        if ts < last_ts:  # cannot happen: sequencing times only grow
            ts = last_ts
        base = base_after(rate, max_base, remainder, ts - last_ts)
        if (0 if purchase is None else purchase.extra_traffic_purchased) - extra + base >= cost:
            # traffic.consume: base traffic first, the rest from extra traffic
            if cost <= base:
                self._charged[member] = (ts, extra if extra < LONG_MAX else LONG_MAX, base - cost, cost)
            else:
                extra += cost - base
                self._charged[member] = (ts, extra if extra < LONG_MAX else LONG_MAX, 0, cost)
            self.total[member] = self.total.get(member, 0) + cost
            return cost, None
        self._charged[member] = (ts, extra, base, 0)  # traffic.tick
        ticked = tr.TrafficConsumed(member, ts, extra, base, 0)
        limit = tr.AboveTrafficLimit(Member.parse(member), cost, tr.to_traffic_state(ticked, purchase))
        return 0, CantonError(errors.SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT, limit.text).render()

    def settle_charges(self) -> None:
        """Record the states ``charge`` left as ``TrafficConsumed`` records, changed (to be stored)."""
        charged = self._charged
        if charged:
            consumed = self.consumed
            for member, (ts, extra, base, last) in charged.items():
                consumed[member] = tr.TrafficConsumed(member, ts, extra, base, last)
            self._dirty.update(charged)
            charged.clear()

    # ---- top-ups -------------------------------------------------------------------------
    def apply_purchase(self, request: SubmissionRequest, ts: int, rows: list[dict[str, Any]]) -> None:
        """Record an aggregated top-up sequenced at ``ts``; stale serials are ignored, as in Canton."""
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
        """How many active sequencers validly signed this top-up message."""
        from canton_console.runtime.identity import verify

        body = topup_signing_bytes(msg)
        count = 0
        for sequencer, signature in signers.items():
            key = self.sync.topology.public_key(sequencer)
            if sequencer in active and key is not None and verify(key, signature, body):
                count += 1
        return count

    # ---- persistence ---------------------------------------------------------------------
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
                    "total_consumed": self.total.get(member, 0),
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
            self.total[row["member"]] = row["total_consumed"] or 0
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


def base_after(rate: float, max_base: int, remainder: int, elapsed: int) -> int:
    """``traffic.base_at`` on plain numbers: the base traffic ``remainder`` plus what accrued over
    ``elapsed`` µs, ``int(rate * elapsed)`` (a Double product truncated, saturating like the JVM),
    the sum saturated at a Long and capped at ``max_base``."""
    accrued = rate * float(elapsed)
    base = (LONG_MAX if accrued >= LONG_MAX else int(accrued)) + remainder
    if base > LONG_MAX:
        base = LONG_MAX
    return base if base < max_base else max_base


def topup_signing_bytes(msg: dict[str, Any]) -> bytes:
    return messages.encode(
        {k: msg[k] for k in ("member", "serial", "total_traffic_purchased", "synchronizer_id", "max_sequencing_time")}
    )


def topup_aggregation_id(member: str, serial: int, amount: int, max_sequencing_time: int) -> str:
    return f"{member}/{serial}/{amount}/{max_sequencing_time}"


def _delete_consumed_sql(quote, mark) -> str:
    return f"DELETE FROM {s.TrafficConsumedRow.__tablename__} WHERE synchronizer_id = {mark} AND member = {mark}"
