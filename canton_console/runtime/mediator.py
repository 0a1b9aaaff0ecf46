"""The mediator: registers confirmation requests, aggregates the informee participants'
confirmations and sends the verdict; a request not confirmed within the confirmation response
timeout is rejected."""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import delete, insert, or_, select

from canton_console.runtime import remote_synchronizer
from canton_console.runtime.node import Node
from canton_console.runtime.remote_synchronizer import RemoteSynchronizer
from canton_console.runtime.startup_reads import seen_through
from canton_console.runtime.synchronizer import Subscription, Synchronizer
from canton_console.store import fast
from canton_console.store import schema as s
from canton_console.values import health, messages
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.values.sequencing import is_url, target_of

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment

log = logging.getLogger("canton_console.mediator")


def _verdict_sent_sql(quote, mark) -> str:
    return f"UPDATE {s.MediatorVerdictRow.__tablename__} SET sent = {mark} WHERE synchronizer_id = {mark} AND request_id = {mark}"


def _cursor_update_sql(quote, mark) -> str:
    return f"UPDATE {s.MemberCursorRow.__tablename__} SET synchronizer_id = {mark}, timestamp = {mark}"

# Waiting for the subscription to sequencers of another process to open before verdicts are sent
# again: polled this often (seconds), doubling up to the maximum.
RESEND_POLL_FIRST = 0.05
RESEND_POLL_MAX = 1.0

TIMEOUT_REASON = "MEDIATOR_SAYS_TX_TIMED_OUT(2,0): Rejected transaction as the mediator did not receive sufficient confirmations within the expected timeframe."


@attrs.define
class PendingRequest:
    request_id: int
    root_hash: str
    informees: dict[str, dict[str, Any]]  # party -> {threshold, participants}
    participants: list[str]
    deadline: int
    approvals: dict[str, set[str]] = attrs.field(factory=dict)
    timer: Any = None
    # What the verdict inspection reports of the request (its informee message's submitter metadata)
    submitter: str = ""
    submitting_parties: list[str] = attrs.field(factory=list)


def default_connections(env: Any, sequencers: list[str]) -> dict[str, Any]:
    """Connections to the given sequencers, each under its own name as alias, threshold 1, no
    amplification (what bootstrap.synchronizer gives a mediator). A sequencer of another process is
    given by its public API URL: its endpoint is the URL's, its alias Canton's default one."""
    entries = []
    for i, name in enumerate(sequencers):
        if name not in env.sequencers and is_url(name):
            alias = "DefaultSequencer" if len(sequencers) == 1 else f"DefaultSequencer{i}"
            entries.append({"sequencer": name, "alias": alias, "endpoints": [target_of(name)], "transport_security": name.startswith("https:")})
            continue
        api = env.sequencers[name].config.public_api
        entries.append({"sequencer": name, "alias": name, "endpoints": [f"{api.address}:{api.port}"], "transport_security": False})
    return {"connections": entries, "threshold": 1, "amplification": {"factor": 1, "patience": 0}}


class MediatorNode(Node):
    kind = "mediator"
    code = "MED"
    instance_type = "Mediator"

    def __init__(self, env: Environment, name: str, config: Any) -> None:
        super().__init__(env, name, config)
        self.synchronizer: Synchronizer | None = None
        self.pending: dict[int, PendingRequest] = {}
        self.decided: set[int] = set()
        self.last_seen = 0
        self.stored_cursor = 0
        self.connections: dict[str, Any] | None = None
        self.verdicts_sent = 0
        self.approvals_sent = 0  # of those, approvals (Canton's daml.mediator.approved-requests)
        self.subscription: Subscription | None = None
        # After a fail-over: requests sequenced up to here were in flight at the switch and are
        # purged (they time out at the participants, which may resubmit them).
        self.purge_until = 0
        # Our verdicts not yet seen sequenced (message id -> request id), and the requests whose
        # verdict's receipt came back but is not yet marked sent in the store.
        self._unconfirmed: dict[str, int] = {}
        self._receipts: set[int] = set()
        # The decisions of the delivery being processed (None outside of one): see _on_events
        self._decisions: list[tuple[dict[str, Any], tuple[Any, ...]]] | None = None
        # The subscription whose opening a re-send of unsent verdicts waits for (see _resend_when_connected)
        self._resend_waiting: Subscription | None = None
        from canton_console.runtime.mediator_pruning import make_scheduler

        self.pruning_scheduler = make_scheduler(self)

    def _synchronizer_of(self, synchronizer_id: str) -> Any:
        """The synchronizer this mediator serves, as its stored connections reach it: in this process,
        or through the public API URLs of sequencers of another process (then attached here: the
        subscription brings its topology)."""
        sync = self.env.synchronizers.get(synchronizer_id)
        urls = self.connected_sequencers() or []
        if sync is None and urls and all(is_url(u) and u not in self.env.sequencers for u in urls):
            sync = remote_synchronizer.attach(self.env, synchronizer_id, urls)
        return sync

    def _on_promote(self) -> None:
        """A passive replica takes over: the requests its predecessor had in flight are dropped."""
        sync = self._synchronizer_of(self.stored_synchronizer_id() or "")
        self._on_start(purge_until=sync.last_timestamp if sync is not None else 0)

    def _on_start(self, purge_until: int = 0, resend: bool = True) -> None:
        self.pending = {}
        self._receipts = set()
        self._unconfirmed = {}
        self.purge_until = purge_until
        verdicts = s.MediatorVerdictRow
        with self.open_storage.read() as conn:
            record = conn.execute(select(s.SynchronizerRecord.__table__)).mappings().first()
            cursor = conn.execute(select(s.MemberCursorRow.timestamp)).scalar()
            # Only the requests after the clean replay point can come again (catching up starts
            # there): the decided ones before it are not read (index on request_id).
            self.decided = set(conn.execute(select(verdicts.request_id).where(verdicts.request_id > (cursor or 0))).scalars())
            unsent = conn.execute(select(verdicts.message_id, verdicts.request_id).where(verdicts.sent.is_(False), verdicts.message_id.is_not(None))).all()
            self._unconfirmed = {message_id: request_id for message_id, request_id in unsent if message_id is not None}
            connections = conn.execute(select(s.MediatorSequencerConnectionRow.connections)).scalar()
        self.last_seen = cursor or 0
        self.stored_cursor = self.last_seen
        self.connections = json.loads(connections) if connections else None
        if record is not None:
            sync = self._synchronizer_of(record["synchronizer_id"])
            if isinstance(sync, RemoteSynchronizer) and not sync.static_parameters:
                sync.static_parameters = json.loads(record["static_parameters"])  # until a handshake tells
            if sync is not None:
                self._subscribe(sync, self.connected_sequencers())
                if resend and not self.halted:
                    self._resend_unsent_verdicts()
        self.pruning_scheduler.arm()

    def _resend_unsent_verdicts(self) -> None:
        """A verdict is stored before it is sent: after a crash (or a fail-over) it may never have
        been sequenced, and its request would hang until the participants' decision time. The
        verdicts whose receipt never came back (neither marked sent in the store nor seen while
        catching up) go out again while they are of use (decision time not passed); a participant
        ignores a verdict for a request it already finished.

        Through the sequencers of another process they go out once the subscription is open: a
        mediator that just started (or took over from its replica) has only begun to connect, and a
        submission before that would fail, leaving the request hanging after all. The subscription
        brings the synchronizer's topology and time first, which the decision horizon needs."""
        sync = self._joined
        if isinstance(sync, RemoteSynchronizer) and self.subscription is not None and sync.reachable_sequencer(self.subscription) is None:
            self._resend_when_connected(self.subscription)
            return
        horizon = sync.now() - sync.parameters().decisionTimeout
        verdicts = s.MediatorVerdictRow
        with self.open_storage.read() as conn:
            rows = conn.execute(
                select(verdicts.__table__)
                # not sent: false, or NULL in older rows (spelt so that the indexes serve it)
                .where(verdicts.request_id > horizon, verdicts.root_hash.is_not(None), or_(verdicts.sent.is_(False), verdicts.sent.is_(None)))
                .order_by(verdicts.request_id)
            ).mappings().all()
        for row in rows:
            if row["request_id"] not in self._receipts:
                log.info("mediator %s sends its verdict for request %s again", self.name, row["request_id"])
                self._send_verdict(row["request_id"], row["root_hash"], row["verdict"], row["reason"], json.loads(row["recipients"]), row["message_id"])

    def _resend_when_connected(self, subscription: Subscription) -> None:
        """Send the unsent verdicts again once ``subscription`` (to sequencers of another process)
        is open; one such wait at a time. Given up when the mediator stops, halts, becomes passive
        or subscribes anew (every start sends them again)."""
        if self._resend_waiting is subscription:
            return
        self._resend_waiting = subscription
        self._poll_resend(subscription, RESEND_POLL_FIRST)

    def _poll_resend(self, subscription: Subscription, delay: float) -> None:
        if self._resend_waiting is not subscription:
            return
        if subscription is not self.subscription or not self.running or self.passive or self.halted:
            self._resend_waiting = None
            return
        sync = self.synchronizer
        if isinstance(sync, RemoteSynchronizer) and sync.reachable_sequencer(subscription) is None:
            scheduler = self.env.scheduler
            self.env.replica_timers().call_later(delay, lambda: scheduler.post(self._poll_resend, subscription, min(2 * delay, RESEND_POLL_MAX)))
            return
        self._resend_waiting = None
        self._resend_unsent_verdicts()

    def _on_halt(self) -> None:
        """The database is down: drop the requests in progress (they are replayed from the clean
        cursor once it is back); the synchronizer stays known."""
        self.pruning_scheduler.disarm()
        for req in self.pending.values():
            if req.timer is not None:
                req.timer.cancel()
        self.pending.clear()
        if self.synchronizer is not None:
            self.synchronizer.unsubscribe(self.member_id, self.subscription)
        self.subscription = None

    def _on_recover(self) -> None:
        # Nothing was lost meanwhile: a verdict is sent right after it is stored.
        self._on_start(purge_until=self.purge_until, resend=False)

    def _on_stop(self) -> None:
        self.pruning_scheduler.disarm()
        if self.synchronizer is not None:
            # Stopping cleanly with no request in progress: everything up to the synchronizer's last
            # event was seen, so leaving stores it as the clean point and the next start does not
            # read again the events since the last one that concerned this mediator.
            # (a remote synchronizer's last timestamp is what reached this process, not necessarily
            # everything sequenced for this mediator: only what it processed counts there)
            remote = isinstance(self.synchronizer, RemoteSynchronizer)
            seen = None if remote else seen_through(self.synchronizer, self.member_id, self.subscription, bool(self.pending))
            if seen is not None and seen > self.last_seen:
                self.last_seen = seen
        for req in self.pending.values():
            if req.timer is not None:
                req.timer.cancel()
        self.pending.clear()
        if self.synchronizer is not None:
            self.synchronizer.unsubscribe(self.member_id, self.subscription)
        self.subscription = None
        self.synchronizer = None

    @property
    def _joined(self) -> Synchronizer:
        """The synchronizer this mediator serves: its events, timeouts and verdicts come only once
        it joined one (``_subscribe``)."""
        assert self.synchronizer is not None, f"mediator {self.name} has not joined a synchronizer"
        return self.synchronizer

    def join(self, sync: Synchronizer, sequencers: list[str] | None = None, connections: dict[str, Any] | None = None) -> None:
        """Serve ``sync``, receiving its events through ``sequencers`` (names; default: all of them).
        ``connections``: the sequencer connections as given (stored for ``sequencer_connection.get``)."""
        names = list(sequencers or sync.sequencer_nodes)
        connections = connections or default_connections(self.env, names)
        with self.open_storage.transaction() as conn:
            conn.execute(delete(s.SynchronizerRecord))
            conn.execute(
                insert(s.SynchronizerRecord),
                [{"synchronizer_id": sync.id, "name": sync.name, "static_parameters": json.dumps(sync.static_parameters)}],
            )
            self._store_connections(conn, connections)
        self._subscribe(sync, names)

    # ---- sequencer connections -----------------------------------------------------------
    def _store_connections(self, conn: Any, connections: dict[str, Any]) -> None:
        conn.execute(delete(s.MediatorSequencerConnectionRow))
        conn.execute(insert(s.MediatorSequencerConnectionRow), [{"id": 1, "connections": json.dumps(connections)}])
        self.connections = connections

    def connected_sequencers(self) -> list[str] | None:
        """The sequencers (names) this mediator reads through; None: all of its synchronizer's."""
        if not self.connections:
            return None
        return [c["sequencer"] for c in self.connections["connections"]]

    def sequencer_connections(self) -> dict[str, Any] | None:
        """The stored connections (for a mediator assigned before they were stored: one per sequencer
        it reads through); None while it serves no synchronizer."""
        if self.synchronizer is None:
            return None
        if self.connections:
            return self.connections
        return default_connections(self.env, list(self.subscription.sequencers if self.subscription else self.synchronizer.sequencer_nodes))

    def set_sequencer_connections(self, connections: dict[str, Any]) -> None:
        """Read the synchronizer through other sequencers from now on (persisted): the subscription
        moves, catching up from the new sequencers from where this mediator stands."""
        sync = self.synchronizer
        if sync is None:
            raise ValueError("Initialize node before attempting to change sequencer connection")
        names = [c["sequencer"] for c in connections["connections"]]
        with self.open_storage.transaction() as conn:
            self._store_connections(conn, connections)
        self._resubscribe(sync, names, connections.get("threshold", 1))
        log.info("mediator %s reads synchronizer %s through %s", self.name, sync.id, ", ".join(names))

    def logout(self) -> None:
        """Close the connections to the sequencers; they are reopened at once (Canton: the client
        reconnects with new tokens)."""
        sync = self.synchronizer
        if sync is None:
            raise ValueError("Initialize node before attempting to change sequencer connection")
        sequencers = self.subscription.sequencers if self.subscription is not None else list(sync.sequencer_nodes)
        self._resubscribe(sync, list(sequencers), self.subscription.threshold if self.subscription else 1)

    def _resubscribe(self, sync: Synchronizer, names: list[str], threshold: int = 1) -> None:
        if self.subscription is not None:
            sync.unsubscribe(self.member_id, self.subscription)
        self._subscribe(sync, names, threshold)

    def _subscribe(self, sync: Synchronizer, sequencers: list[str] | None = None, threshold: int | None = None) -> None:
        self.synchronizer = sync
        if threshold is None:
            threshold = self.connections.get("threshold", 1) if self.connections else 1
        self.subscription = Subscription(
            self.member_id, list(sequencers or sync.sequencer_nodes), self._on_events, lambda: self.last_seen, threshold, acknowledged=self.acknowledge
        )
        sync.subscribe(self.subscription)

    def acknowledge(self) -> int:
        """What this mediator acknowledges to the sequencers: its clean replay point (the requests
        before it are decided, their verdicts stored), stored first so that a restart never asks
        for events before it."""
        clean = min(self.pending) - 1 if self.pending else self.last_seen
        if clean <= self.stored_cursor or self.halted or not self.running or self.passive or self.synchronizer is None:
            return self.stored_cursor
        try:
            self._write_cursor(clean)
        except Exception as e:  # noqa: BLE001 - the last stored point stays acknowledged
            log.info("mediator %s could not store its clean point: %s", self.name, e)
        return self.stored_cursor

    def _write_cursor(self, cursor: int, conn=None) -> None:
        """Store the clean replay point (with the verdicts whose receipt came back marked sent)."""
        sync_id = self._joined.id
        if conn is None:
            with fast.transaction(self.open_storage) as c:
                self._write_cursor(cursor, c)
            return
        # prepared statements (see store.fast): this runs for every decision
        if self._receipts:
            conn.executemany(conn.sql("mediator-verdict-sent", _verdict_sent_sql), [(True, sync_id, r) for r in self._receipts])
            self._receipts = set()
        # One cursor row (the mediator serves one synchronizer): update it in place.
        if not conn.execute(conn.sql("mediator-cursor-update", _cursor_update_sql), (sync_id, cursor)).rowcount:
            conn.insert(s.MemberCursorRow, [{"synchronizer_id": sync_id, "timestamp": cursor}])
        self.stored_cursor = cursor
        # Requests up to the clean point are never replayed (a restart reads from it): forget them,
        # now and then, so that the set holds about the requests in flight, not every one decided.
        if len(self.decided) >= 2 * getattr(self, "_decided_kept", 128):
            self.decided = {r for r in self.decided if r > cursor}
            self._decided_kept = max(128, len(self.decided))

    def stored_synchronizer_id(self) -> str | None:
        """The synchronizer this mediator serves, from its store (a passive replica knows it too)."""
        if self.storage is None:
            return None
        if self.halted:  # the database is down: what it said last
            return getattr(self, "_stored_synchronizer_id", None)
        with self.storage.read() as conn:
            self._stored_synchronizer_id = conn.execute(select(s.SynchronizerRecord.synchronizer_id)).scalar()
        return self._stored_synchronizer_id

    @property
    def synchronizer_id(self) -> str | None:
        return self.synchronizer.id if self.synchronizer else None

    # ---- processing ----------------------------------------------------------------------
    def _on_events(self, events: list[SequencedEvent]) -> None:
        if not self.running or self.passive or self.halted:
            return
        # The decisions of one delivery are stored in one transaction at its end, and their verdicts
        # sent after that commit (a verdict is never sent before it is stored).
        self._decisions = []
        try:
            self._process(events)
        finally:
            decisions, self._decisions = self._decisions, None
            if decisions:
                self._store_decisions(decisions)

    def _process(self, events: list[SequencedEvent]) -> None:
        member_id = self.member_id
        for event in events:
            if self.halted:
                return  # the database went away: the rest is replayed once it is back
            if event.timestamp <= self.last_seen:
                continue
            self.last_seen = event.timestamp
            if event.sender == member_id:
                request_id = self._unconfirmed.pop(event.message_id, None)
                if request_id is not None:
                    self._receipts.add(request_id)  # our verdict was sequenced
            for envelope in event.envelopes:
                payload = envelope.payload
                # Only these two concern the mediator: a payload that does not even name either (in
                # its JSON, a type's name is written out as is) is not decoded at all.
                if b"InformeeMessage" not in payload and b"ConfirmationResponse" not in payload:
                    continue
                msg = envelope.message
                kind = msg.get("type")
                if kind == "InformeeMessage":
                    self._register(event, msg)
                elif kind == "ConfirmationResponse":
                    self._on_response(event, msg)

    def _register(self, event: SequencedEvent, msg: dict[str, Any]) -> None:
        request_id = event.timestamp
        if request_id in self.decided or request_id in self.pending or request_id <= self.purge_until:
            return
        state = self._joined.topology.mediator_state(0, request_id)
        if state is None or self.member_id not in state["active"]:
            return  # an observer of the group (or no longer in it) receives requests but does not decide them
        params = self._joined.parameters(request_id)
        deadline = request_id + params.confirmationResponseTimeout
        req = PendingRequest(
            request_id, msg["root_hash"], msg["informees"], msg["participants"], deadline,
            submitter=msg.get("submitter", ""), submitting_parties=list(msg.get("submitting_parties", ())),
        )
        self.pending[request_id] = req
        req.timer = self.env.scheduler.schedule_at(deadline, lambda: self._on_timeout(request_id))

    def _on_response(self, event: SequencedEvent, msg: dict[str, Any]) -> None:
        req = self.pending.get(msg["request_id"])
        if req is None or msg["root_hash"] != req.root_hash:
            return
        if msg["verdict"] != "approve":
            self._decide(req, "reject", msg.get("reason", "rejected by a participant"))
            return
        for party in msg["confirming_parties"]:
            if party in req.informees and event.sender in req.informees[party]["participants"]:
                req.approvals.setdefault(party, set()).add(event.sender)
        if all(len(req.approvals.get(p, ())) >= spec["threshold"] for p, spec in req.informees.items()):
            self._decide(req, "approve", "")

    def _on_timeout(self, request_id: int) -> None:
        req = self.pending.get(request_id)
        if req is not None and self.running and not self.halted:
            self._decide(req, "reject", TIMEOUT_REASON)

    def _decide(self, req: PendingRequest, verdict: str, reason: str) -> None:
        self.pending.pop(req.request_id, None)
        if req.timer is not None:
            req.timer.cancel()
        self.decided.add(req.request_id)
        message_id = str(uuid.uuid4())
        decision = (
            {
                "synchronizer_id": self._joined.id,
                "request_id": req.request_id,
                "verdict": verdict,
                "reason": reason,
                "decided_at": self.env.clock.now(),
                "root_hash": req.root_hash,
                "recipients": json.dumps(req.participants),
                "message_id": message_id,
                "sent": False,
                "submitting_parties": json.dumps(req.submitting_parties),
                "submitting_participant": req.submitter,
                "informees": json.dumps(req.informees),
                "mediator_group": 0,
            },
            (req.request_id, req.root_hash, verdict, reason, req.participants, message_id),
        )
        if self._decisions is not None:
            self._decisions.append(decision)  # stored and sent at the end of the delivery
        else:
            self._store_decisions([decision])

    def _store_decisions(self, decisions: list[tuple[dict[str, Any], tuple[Any, ...]]]) -> None:
        """Store verdicts with the clean replay point in one transaction, then send them."""
        cursor = min(self.pending) - 1 if self.pending else self.last_seen
        with fast.transaction(self.open_storage) as conn:
            conn.insert(s.MediatorVerdictRow, [row for row, _send in decisions])
            self._write_cursor(cursor, conn)
        for _row, send in decisions:
            self._send_verdict(*send)

    def _send_verdict(self, request_id: int, root_hash: str, verdict: str, reason: str, participants: list[str], message_id: str) -> None:
        body = {
            "type": "ConfirmationResult",
            "request_id": request_id,
            "root_hash": root_hash,
            "verdict": verdict,
            "reason": reason,
            "synchronizer_id": self._joined.id,
        }
        body["signature"] = self.signing_key.sign(messages.encode(body)).hex()
        self._unconfirmed[message_id] = request_id
        try:
            self._joined.submit(
                SubmissionRequest(
                    sender=self.member_id,
                    message_id=message_id,
                    envelopes=(Envelope(messages.encode(body), tuple(participants)),),
                    kind="verdict",
                )
            )
            self.verdicts_sent += 1
            if verdict == "approve":
                self.approvals_sent += 1
        except Exception as e:  # noqa: BLE001 - a verdict that cannot be sent lets the request time out at the participants
            log.warning("mediator %s could not send the verdict for request %s: %s", self.name, request_id, e)
            sync = self.synchronizer
            if isinstance(sync, RemoteSynchronizer) and self.subscription is not None and not self.passive:
                # cut off from the sequencers of another process: it goes out again (it is stored
                # unsent) once the subscription is open again
                self._resend_when_connected(self.subscription)

    # ---- health --------------------------------------------------------------------------
    def components(self) -> list[health.ComponentHealth]:
        client = health.ok("sequencer-client") if self.synchronizer else health.not_initialized("sequencer-client")
        return [self.storage_health(), client]
