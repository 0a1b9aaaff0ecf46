"""The participant node: connects to synchronizers, hosts parties, submits and validates
transactions through sequencer and mediator, keeps its contracts and ledger, and runs Canton's
admin ping.

Database outages (see node.py): a participant whose store fails halts, keeping only the work its
clients wait for (submissions in flight, pings, submissions and pings that arrived during the
outage); once the database is back it reloads connections, cursors and ledger end, catches up from
its clean cursor (replay protection skips what it had committed) and runs what waited.

Command deduplication (``submit_command``, the Ledger API): a change id (user id, act-as parties,
command id) accepted within the deduplication period is refused with ``DUPLICATE_COMMAND``, one in
flight with ``SUBMISSION_ALREADY_IN_FLIGHT``. The state is in the store (``cc_command_dedup``), so it
holds across restarts and replica fail-over. Every confirmation request carries a max sequencing
time (ledger time plus the ledger time record time tolerance): a request not sequenced by then never
will be, so a submission is decided for good by its max sequencing time plus the decision timeout,
and after a rejection or timeout a resubmission is safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from concurrent.futures import Future
from typing import Any

import attrs
from sqlalchemy import bindparam, delete, func, insert, select, update

from canton_console.runtime import topology
from canton_console.values import ledger
from canton_console.values import messages
from canton_console.values import errors, health
from canton_console.values.errors import CantonError
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.runtime.node import Node
from canton_console.runtime.synchronizer import Subscription, Synchronizer
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable

log = logging.getLogger("canton_console.participant")

# Hot-path statements, built once: building SQLAlchemy expressions per call costs more than running them.
_STORED_CONTRACTS = select(s.ContractRow.contract_id, s.ContractRow.archived_offset).where(
    s.ContractRow.contract_id.in_(bindparam("ids", expanding=True))
)
_UPDATE_CURSOR = (
    update(s.MemberCursorRow).where(s.MemberCursorRow.synchronizer_id == bindparam("sid")).values(timestamp=bindparam("ts"))
)
_ARCHIVE_CONTRACTS = (
    update(s.ContractRow).where(s.ContractRow.contract_id.in_(bindparam("ids", expanding=True))).values(archived_offset=bindparam("offset"))
)

CONFIRMING = ("Submission", "Confirmation")
PING_NOT_CREATED = "Timeout: We were unable to create the ping contract"
PING_NOT_RESPONDED = "Timeout: We were able to create the ping contract, but responder did not respond in time"
# The participant gives up on a request that got no verdict by its decision time (Canton's
# LocalRejectError.TimeRejects.LocalTimeout), e.g. when the mediator failed over meanwhile.
LOCAL_VERDICT_TIMEOUT = errors.ErrorCode("LOCAL_VERDICT_TIMEOUT", errors.ErrorCategory.ContentionOnSharedResources)
LOCAL_TIMEOUT_REASON = "Rejected transaction due to a participant determined timeout"
# A request the sequencers did not order by its max sequencing time (Canton's NotSequencedTimeout).
NOT_SEQUENCED_TIMEOUT = errors.ErrorCode("NOT_SEQUENCED_TIMEOUT", errors.ErrorCategory.ContentionOnSharedResources)
NOT_SEQUENCED_REASON = "Transaction was not sequenced within the pre-defined max sequencing time and has therefore timed out"
# Ledger API command deduplication: the longest period (the participant's max deduplication duration).
MAX_DEDUPLICATION_DURATION = 7 * 24 * 3600 * 1_000_000  # µs
DUPLICATE_COMMAND_REASON = "A command with the given command id has already been successfully processed"
IN_FLIGHT_REASON = "Another submission for this command and user is already in flight."


def change_id_of(user_id: str, act_as: list[str], command_id: str) -> tuple[str, str]:
    """The change id (a hash of user id, the set of act-as parties and command id) and its readable form."""
    change = json.dumps([user_id, sorted(set(act_as)), command_id])
    return hashlib.sha256(change.encode()).hexdigest(), change


@attrs.define
class Connection:
    alias: str
    synchronizer_id: str
    sequencers: list[str]
    trust_threshold: int = 1
    connected: bool = True
    priority: int = 0


@attrs.define
class PendingTransaction:
    request_id: int
    synchronizer_id: str
    root_hash: str
    view: dict[str, Any]
    locked: list[str]
    timer: Any = None


@attrs.define
class Submission:
    """A transaction this participant submitted, waiting for its verdict."""

    root_hash: str
    future: Future
    command_id: str
    change_id: str | None = None
    submission_id: str | None = None
    synchronizer_id: str | None = None
    max_sequencing_time: int | None = None
    request: Any = None
    sequenced: bool = False  # the sender's receipt arrived: its fate is decided by the verdict (or the decision time)


@attrs.define
class PingState:
    id: str
    target: str
    started: float
    future: Future
    contract_id: str | None = None
    created: bool = False
    failure: str | None = None


@attrs.frozen
class Transaction:
    """A committed transaction as the ledger API shows it."""

    offset: int
    update_id: str
    synchronizer_id: str
    record_time: int
    command_id: str
    events: tuple[dict[str, Any], ...]


class ParticipantNode(Node):
    kind = "participant"
    code = "PAR"
    instance_type = "Participant"

    def __init__(self, env, name, config):
        super().__init__(env, name, config)
        self._reset_state()

    def _reset_state(self, keep_work: bool = False) -> None:
        """Forget the processing state; ``keep_work``: keep what clients wait for (database outage)."""
        self.connections: dict[str, Connection] = {}
        self.last_seen: dict[str, int] = {}
        self.pending: dict[tuple[str, int], PendingTransaction] = {}
        self.locks: set[str] = set()
        self.ledger_end = 0
        self.replay_until: dict[str, int] = {}
        self.subscriptions: dict[str, Subscription] = {}
        if not keep_work:
            self.submissions: dict[str, Submission] = {}
            self.pings: dict[str, PingState] = {}
            self.traffic_receipts: dict[str, Any] = {}
            self.transaction_listeners: list = []
            # change id -> submission id of the Ledger API submissions in flight here
            self.in_flight: dict[str, str] = {}
            # Work that arrived while the database was down: (run, the future its client waits on)
            self._deferred: list[tuple[Any, Future]] = []

    # ---- lifecycle -----------------------------------------------------------------------
    def _on_start(self, recovering: bool = False) -> None:
        self._reset_state(keep_work=recovering)
        with self.storage.read() as conn:
            for row in conn.execute(select(s.SynchronizerConnectionRow.__table__)).mappings():
                self.connections[row["alias"]] = Connection(
                    row["alias"], row["synchronizer_id"], json.loads(row["sequencers"]), row["trust_threshold"], row["connected"], row["priority"]
                )
            for row in conn.execute(select(s.MemberCursorRow.__table__)).mappings():
                self.last_seen[row["synchronizer_id"]] = row["timestamp"]
            self.ledger_end = conn.execute(select(func.max(s.LedgerUpdateRow.offset))).scalar() or 0
            # A request sequenced after the latest committed verdict cannot have been committed, so only
            # events up to it may be replays of work done before a restart.
            self.replay_until = dict(
                conn.execute(select(s.LedgerUpdateRow.synchronizer_id, func.max(s.LedgerUpdateRow.record_time)).group_by(s.LedgerUpdateRow.synchronizer_id)).all()
            )
        for connection in list(self.connections.values()):
            if self.halted:
                return  # the database went away again while catching up
            if connection.connected:
                sync = self.env.synchronizers.get(connection.synchronizer_id)
                if sync is not None:
                    self._subscribe(sync, connection)
        if recovering:
            for sync_id in list(self.subscriptions):
                self._expire_unsequenced(sync_id)
            self._run_deferred()

    def _on_halt(self) -> None:
        """The database is down: stop processing; keep what clients wait for."""
        for sync_id, subscription in list(self.subscriptions.items()):
            sync = self.env.synchronizers.get(sync_id)
            if sync is not None:
                sync.unsubscribe(self.member_id, subscription)
        self.subscriptions.clear()
        for pending in self.pending.values():
            if pending.timer is not None:
                pending.timer.cancel()
        self.pending.clear()
        self.locks.clear()

    def _on_recover(self) -> None:
        self._on_start(recovering=True)

    def _defer(self, run, future: Future | None = None) -> Future:
        """Run ``run`` (which returns a future, or None when it completes ``future`` itself) once the
        database is back; the returned future completes with it."""
        proxy = future if future is not None else Future()

        def go() -> None:
            try:
                inner = run()
            except BaseException as e:  # noqa: BLE001 - handed to the waiting client
                if not proxy.done():
                    proxy.set_exception(e)
                return
            if inner is not None and inner is not proxy:
                _chain(inner, proxy)

        self._deferred.append((go, proxy))
        return proxy

    def _run_deferred(self) -> None:
        while self._deferred and not self.halted and self.running and not self.passive:
            go, _future = self._deferred.pop(0)
            go()

    def _on_stop(self) -> None:
        for sync_id, subscription in list(self.subscriptions.items()):
            sync = self.env.synchronizers.get(sync_id)
            if sync is not None:
                sync.unsubscribe(self.member_id, subscription)
        self.subscriptions.clear()
        for pending in self.pending.values():
            if pending.timer is not None:
                pending.timer.cancel()
        stopped = CantonError(errors.NODE_NOT_STARTED, f"Participant '{self.name}' was stopped")
        for sub in self.submissions.values():
            if not sub.future.done():
                sub.future.set_exception(stopped)
        self.submissions.clear()
        self.in_flight.clear()
        for _go, future in self._deferred:
            if not future.done():
                future.set_exception(stopped)
        self._deferred.clear()
        for ping in self.pings.values():
            ping.failure = "Aborting ping due to shutdown"

    def _drop_state(self) -> None:
        self._reset_state()

    @property
    def admin_party(self) -> str:
        return str(self.uid)

    # ---- synchronizer connections --------------------------------------------------------
    def connect(self, alias: str, sequencers: list[Any], trust_threshold: int = 1, priority: int = 0) -> str:
        """Register and connect to the synchronizer the given sequencers serve; returns its id."""
        self.require_active()
        syncs = {n.synchronizer.id for n in sequencers if n.synchronizer is not None}
        uninitialized = [n for n in sequencers if n.synchronizer is None]
        if not syncs or uninitialized:
            names = ", ".join(n.name for n in uninitialized or sequencers)
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                f"The sequencer {names} is not initialized: bootstrap its synchronizer first "
                "(bootstrap.synchronizer(...) or bootstrap.synchronizer_local()).",
            )
        if len(syncs) > 1:
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                "The provided sequencer connections are inconsistent: they serve different synchronizers " + ", ".join(sorted(syncs)),
            )
        if trust_threshold < 1 or trust_threshold > len(sequencers):
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"The sequencer trust threshold {trust_threshold} must be between 1 and the number of sequencers ({len(sequencers)}).",
            )
        sync_id = syncs.pop()
        existing = self.connections.get(alias)
        if existing is not None and existing.synchronizer_id != sync_id:
            raise CantonError(
                errors.SYNC_SERVICE_ALREADY_ADDED,
                f"The synchronizer alias '{alias}' is already registered for synchronizer {existing.synchronizer_id}.",
            )
        for other in self.connections.values():
            if other.alias != alias and other.synchronizer_id == sync_id:
                raise CantonError(
                    errors.SYNC_SERVICE_ALREADY_ADDED,
                    f"Synchronizer {sync_id} is already registered under the alias '{other.alias}'.",
                )
        sync = self.env.synchronizers[sync_id]
        connection = Connection(alias, sync_id, [n.name for n in sequencers], trust_threshold, True, priority)
        self._persist_connection(connection)
        self.connections[alias] = connection
        member = self.member_id
        if member not in sync.topology.participants():
            cert = self.sign(topology.TopologyTransaction(topology.REPLACE, 1, topology.trust_certificate(member, sync_id)))
            key = self.sign(
                topology.TopologyTransaction(topology.REPLACE, 1, topology.namespace_delegation(self.uid.namespace.unwrap, self.key.public_bytes.hex()))
            )
            # A new participant cannot send yet: the sequencer submits its onboarding transactions.
            onboarding = [key, cert] if sync.topology.public_key(self.uid.namespace.unwrap) is None else [cert]
            sequencer = next(n for n in sequencers if n.running)
            sync.submit(topology_broadcast(sequencer.member_id, onboarding))
        self._subscribe(sync, connection)
        return sync_id

    def _persist_connection(self, c: Connection) -> None:
        with self.storage.transaction() as conn:
            conn.execute(delete(s.SynchronizerConnectionRow).where(s.SynchronizerConnectionRow.alias == c.alias))
            conn.execute(
                insert(s.SynchronizerConnectionRow),
                [{"alias": c.alias, "synchronizer_id": c.synchronizer_id, "sequencers": json.dumps(c.sequencers), "trust_threshold": c.trust_threshold, "connected": c.connected, "priority": c.priority}],
            )

    def _subscribe(self, sync: Synchronizer, connection: Connection) -> None:
        subscription = Subscription(
            self.member_id,
            connection.sequencers,
            lambda events, sid=sync.id: self._on_events(sid, events),
            lambda sid=sync.id: self.last_seen.get(sid, 0),
            connection.trust_threshold,
        )
        self.subscriptions[sync.id] = subscription
        sync.subscribe(subscription)

    def disconnect(self, alias: str) -> None:
        connection = self._connection(alias)
        connection.connected = False
        self._persist_connection(connection)
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        subscription = self.subscriptions.pop(connection.synchronizer_id, None)
        if sync is not None and subscription is not None:
            sync.unsubscribe(self.member_id, subscription)

    def reconnect(self, alias: str) -> bool:
        connection = self._connection(alias)
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        if sync is None or not sync.running_sequencers():
            return False
        connection.connected = True
        self._persist_connection(connection)
        self._subscribe(sync, connection)
        return True

    def _connection(self, alias: str) -> Connection:
        self.require_active()
        connection = self.connections.get(alias)
        if connection is None:
            raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {alias} is unknown.")
        return connection

    def connected_synchronizers(self) -> list[tuple[Connection, Synchronizer, bool]]:
        """Connected synchronizers with a health flag (healthy when enough sequencers of ours run)."""
        self.require_running()
        if self.passive:
            return []  # a passive replica stays off the synchronizers
        result = []
        for c in self.connections.values():
            sync = self.env.synchronizers.get(c.synchronizer_id)
            if c.connected and sync is not None:
                sub = self.subscriptions.get(sync.id)
                healthy = (
                    sub is not None
                    and sync.subscribers.get(self.member_id) is sub
                    and sync.reachable_sequencer(sub) is not None
                    and self.member_id in sync.topology.participants(sync.now())
                )
                result.append((c, sync, healthy))
        return result

    def is_connected(self, synchronizer_id: str) -> bool:
        return any(sync.id == synchronizer_id for _, sync, _ in self.connected_synchronizers())

    # ---- topology ------------------------------------------------------------------------
    def sign(self, tx: topology.TopologyTransaction) -> topology.SignedTopologyTransaction:
        return topology.SignedTopologyTransaction(tx, {self.uid.namespace.unwrap: self.key.sign(tx.bytes_to_sign()).hex()})

    def enable_party(self, name: str, synchronizer_ids: list[str]) -> tuple[str, list[tuple[Synchronizer, int]]]:
        """Host a new party ``name::<our namespace>`` on the given synchronizers; returns the party id
        and, per synchronizer, the sequencing wait marker."""
        self.require_active()
        party = f"{name}::{self.uid.namespace.unwrap}"
        targets = []
        for sync_id in synchronizer_ids:
            sync = self.env.synchronizers[sync_id]
            mapping = sync.topology.lookup(topology.PARTY_TO_PARTICIPANT, party)
            if mapping is not None and any(p == self.member_id for p, _ in mapping.data["participants"]):
                continue
            serial = sync.topology.serial_of(topology.PARTY_TO_PARTICIPANT, party) + 1
            tx = topology.TopologyTransaction(topology.REPLACE, serial, topology.party_to_participant(party, 1, [(self.member_id, "Submission")]))
            sync.submit(topology_broadcast(self.member_id, [self.sign(tx)]))
            targets.append((sync, serial))
        return party, targets

    def host_party(self, party: str, synchronizer_id: str, threshold: int, participants: list[tuple[str, str]]) -> int:
        """Propose a party-to-participant mapping (hosting on several participants); returns its serial."""
        self.require_active()
        sync = self.env.synchronizers[synchronizer_id]
        serial = sync.topology.serial_of(topology.PARTY_TO_PARTICIPANT, party) + 1
        tx = topology.TopologyTransaction(topology.REPLACE, serial, topology.party_to_participant(party, threshold, participants))
        signed = self.sign(tx)
        sync.submit(topology_broadcast(self.member_id, [signed]))
        return serial

    # ---- event processing ----------------------------------------------------------------
    def _on_events(self, sync_id: str, events: list[SequencedEvent]) -> None:
        if not self.running or self.passive or self.halted:
            return
        for event in events:
            if self.halted:
                return  # the database went away while processing: the rest is replayed later
            if event.timestamp <= self.last_seen.get(sync_id, 0):
                continue
            self.last_seen[sync_id] = event.timestamp
            if event.sender == self.member_id:
                sync = self.env.synchronizers[sync_id]
                self.traffic_receipts[sync_id] = sync.traffic.state_at(self.member_id, event.timestamp, extrapolate=False)
                for sub in self.submissions.values():
                    if sub.command_id == event.message_id and sub.synchronizer_id == sync_id:
                        sub.sequenced = True
                if event.error is not None:
                    self._on_deliver_error(event)
            for envelope in event.envelopes:
                msg = envelope.message
                kind = msg.get("type")
                if kind == "EncryptedViewMessage":
                    self._on_request(sync_id, event, msg)
                elif kind == "ConfirmationResult":
                    self._on_verdict(sync_id, event, msg)
        if not self.halted:
            self._expire_unsequenced(sync_id)

    def _on_deliver_error(self, event: SequencedEvent) -> None:
        failed = [sub for sub in self.submissions.values() if sub.command_id == event.message_id and not sub.future.done()]
        if not failed:
            return
        self._forget_in_flight(failed)
        for sub in failed:
            sub.future.set_exception(_error_from_text(event.error))
            self.submissions.pop(sub.root_hash, None)

    # ---- in-flight submissions -----------------------------------------------------------
    def _forget_in_flight(self, subs: list[Submission], conn=None) -> None:
        """The submissions failed for good: a resubmission of their change may go through."""
        entries = [(sub.change_id, sub.submission_id) for sub in subs if sub.change_id]
        if not entries:
            return
        if conn is None:
            with self.storage.transaction() as c:
                _clear_in_flight_rows(c, entries)
        else:
            _clear_in_flight_rows(conn, entries)
        for change_id, submission_id in entries:
            if self.in_flight.get(change_id) == submission_id:
                del self.in_flight[change_id]

    def _expire_unsequenced(self, sync_id: str) -> None:
        """Fail our submissions the synchronizer did not sequence by their max sequencing time: its
        time has passed it, we saw everything it sequenced, and it no longer holds them."""
        if not self.running or self.passive or self.halted:
            return
        sync = self.env.synchronizers.get(sync_id)
        subscription = self.subscriptions.get(sync_id)
        if sync is None or subscription is None or subscription.behind or sync.subscribers.get(self.member_id) is not subscription:
            return
        horizon = sync.last_timestamp
        expired = [
            sub
            for sub in self.submissions.values()
            if sub.synchronizer_id == sync_id
            and not sub.sequenced
            and not sub.future.done()
            and sub.max_sequencing_time is not None
            and horizon > sub.max_sequencing_time
            and not any(r is sub.request for r in sync._pending)
        ]
        if not expired:
            return
        self._forget_in_flight(expired)
        for sub in expired:
            self.submissions.pop(sub.root_hash, None)
            sub.future.set_exception(CantonError(NOT_SEQUENCED_TIMEOUT, NOT_SEQUENCED_REASON, sub.submission_id))

    def _watch_sequencing(self, sub: Submission) -> None:
        """Look again once the submission's max sequencing time has passed (and then every second
        while the synchronizer cannot tell yet, e.g. during an outage)."""

        def check() -> None:
            if sub.future.done() or sub.sequenced or not self.running or self.submissions.get(sub.root_hash) is not sub:
                return
            try:
                self._expire_unsequenced(sub.synchronizer_id)
            except StorageUnavailable:
                pass
            if not sub.future.done() and not sub.sequenced and self.running:
                self.env.scheduler.schedule_at(self.env.clock.now() + 1_000_000, check)

        self.env.scheduler.schedule_at(sub.max_sequencing_time + 1, check)

    def _on_request(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None:
        view = msg["view"]
        root_hash = msg["root_hash"]
        sync = self.env.synchronizers[sync_id]
        own = self.submissions.get(root_hash)
        if own is not None:
            own.sequenced = True
        if self._is_replay(sync_id, event.timestamp):
            with self.storage.read() as conn:
                if conn.execute(select(s.LedgerUpdateRow.offset).where(s.LedgerUpdateRow.update_id == root_hash)).first():
                    return  # replayed after a restart: already committed
        verdict, reason = "approve", ""
        consumed = [n["contract_id"] for n in view["nodes"] if n["kind"] == "exercise" and n["consuming"]]
        mine = self._stored_contracts(consumed)
        for cid in consumed:
            if cid in self.locks:
                verdict, reason = "reject", f"LOCAL_VERDICT_LOCKED_CONTRACTS(2,0): Rejected transaction is referring to locked contracts {cid}"
            elif cid in mine and mine[cid] is not None:
                verdict, reason = "reject", f"LOCAL_VERDICT_INACTIVE_CONTRACTS(9,0): Rejected transaction is referring to inactive contracts {cid}"
        locked = [cid for cid in consumed if cid in mine] if verdict == "approve" else []
        self.locks.update(locked)
        pending = PendingTransaction(event.timestamp, sync_id, root_hash, view, locked)
        self.pending[(sync_id, event.timestamp)] = pending
        params = sync.parameters(event.timestamp)
        decision_time = event.timestamp + params.confirmationResponseTimeout + params.mediatorReactionTimeout
        pending.timer = self.env.scheduler.schedule_at(decision_time, lambda: self._on_request_timeout(sync_id, event.timestamp))
        confirming = []
        for party in view["informees"]:
            _threshold, hosts = sync.topology.hosting(party, event.timestamp)
            if any(p == self.member_id and perm in CONFIRMING for p, perm in hosts):
                confirming.append(party)
        if not confirming:
            return
        body = {
            "type": "ConfirmationResponse",
            "request_id": event.timestamp,
            "root_hash": root_hash,
            "sender": self.member_id,
            "confirming_parties": confirming,
            "verdict": verdict,
            "reason": reason,
        }
        body["signature"] = self.key.sign(messages.encode(body)).hex()
        try:
            sync.submit(
                SubmissionRequest(self.member_id, str(uuid.uuid4()), (Envelope(messages.encode(body), (messages.MEDIATOR_GROUP_0,)),), kind="confirmation-response")
            )
        except CantonError as e:
            log.warning("%s could not send its confirmation response: %s", self.name, e)

    def _on_request_timeout(self, sync_id: str, request_id: int) -> None:
        """No verdict by the decision time: roll the request back, as Canton's participants do."""
        if not self.running or self.passive:
            return
        if self.halted:
            return
        pending = self.pending.pop((sync_id, request_id), None)
        if pending is None:
            return
        self.locks.difference_update(pending.locked)
        log.info("%s timed out request %s on %s", self.name, request_id, sync_id)
        self._finish_rejected(sync_id, pending)  # stored first: a crash or outage here replays the request
        submission = self.submissions.pop(pending.root_hash, None)
        if submission is not None and not submission.future.done():
            submission.future.set_exception(CantonError(LOCAL_VERDICT_TIMEOUT, LOCAL_TIMEOUT_REASON))

    def _is_replay(self, sync_id: str, timestamp: int) -> bool:
        """Whether an event may have been processed before the last restart (its effects may be stored)."""
        return timestamp <= self.replay_until.get(sync_id, 0)

    def _stored_contracts(self, contract_ids: list[str]) -> dict[str, int | None]:
        """contract id -> archived offset (None when active), for the contracts we store."""
        if not contract_ids:
            return {}
        with self.storage.read() as conn:
            rows = conn.execute(
                _STORED_CONTRACTS, {"ids": list(contract_ids)}
            ).all()
        return {cid: archived for cid, archived in rows}

    def _on_verdict(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None:
        pending = self.pending.get((sync_id, msg["request_id"]))
        if pending is None or pending.root_hash != msg["root_hash"]:
            return
        del self.pending[(sync_id, msg["request_id"])]
        if pending.timer is not None:
            pending.timer.cancel()
        self.locks.difference_update(pending.locked)
        # The submission is completed only once the outcome is stored (else it is replayed).
        if msg["verdict"] != "approve":
            self._finish_rejected(sync_id, pending)
            submission = self.submissions.pop(pending.root_hash, None)
            if submission is not None and not submission.future.done():
                submission.future.set_exception(_error_from_text(msg["reason"]))
            return
        tx = self._commit(sync_id, pending, event.timestamp)
        submission = self.submissions.pop(pending.root_hash, None)
        change_id = pending.view.get("change_id")
        if change_id and self.in_flight.get(change_id) == pending.view.get("submission_id"):
            del self.in_flight[change_id]
        if submission is not None and not submission.future.done():
            submission.future.set_result(tx)
        for listener in list(self.transaction_listeners):
            listener(tx)
        self._after_commit(sync_id, pending, tx)

    def _finish_rejected(self, sync_id: str, pending: PendingTransaction) -> None:
        """A request rejected or timed out: move the clean cursor and, for our own Ledger API
        submission, clear its in-flight state (one transaction)."""
        view = pending.view
        own = view.get("change_id") and view.get("submitting_participant") == self.member_id
        with self.storage.transaction() as conn:
            self._write_cursor(sync_id, conn)
            if own:
                _clear_in_flight_rows(conn, [(view["change_id"], view["submission_id"])])
        if own and self.in_flight.get(view["change_id"]) == view["submission_id"]:
            del self.in_flight[view["change_id"]]

    def _clean_cursor(self, sync_id: str) -> int:
        pending = [ts for (sid, ts) in self.pending if sid == sync_id]
        return min(pending) - 1 if pending else self.last_seen.get(sync_id, 0)

    def _write_cursor(self, sync_id: str, conn=None) -> None:
        def write(c):
            cursor = self._clean_cursor(sync_id)
            updated = c.execute(_UPDATE_CURSOR, {"sid": sync_id, "ts": cursor}).rowcount
            if not updated:
                c.execute(insert(s.MemberCursorRow), [{"synchronizer_id": sync_id, "timestamp": cursor}])

        if conn is not None:
            write(conn)
        else:
            with self.storage.transaction() as c:
                write(c)

    def _commit(self, sync_id: str, pending: PendingTransaction, record_time: int) -> Transaction:
        view = pending.view
        sync = self.env.synchronizers[sync_id]
        hosted = {party for party in view["informees"] if any(p == self.member_id for p, _ in sync.topology.hosting(party, record_time)[1])}
        offset = self.ledger_end + 1
        events = []
        created_rows = []
        archived = []
        for node in view["nodes"]:
            if node["kind"] == "create":
                contract = node["contract"]
                if hosted & set(contract["signatories"] + contract["observers"]):
                    created_rows.append(
                        {
                            "contract_id": contract["contract_id"],
                            "synchronizer_id": sync_id,
                            "template_id": contract["template_id"],
                            "arguments": json.dumps(contract["arguments"], sort_keys=True),
                            "signatories": json.dumps(contract["signatories"]),
                            "observers": json.dumps(contract["observers"]),
                            "created_offset": offset,
                            "archived_offset": None,
                        }
                    )
                    events.append({"created": contract})
            else:
                if node["consuming"]:
                    archived.append(node["contract_id"])
                events.append({"exercised": {k: node[k] for k in ("contract_id", "template_id", "choice", "consuming", "actors")}})
        command_id = view["command_id"] if view["submitting_participant"] == self.member_id else ""
        with self.storage.transaction() as conn:
            if created_rows:
                conn.execute(insert(s.ContractRow), created_rows)
            if archived:
                conn.execute(_ARCHIVE_CONTRACTS, {"ids": archived, "offset": offset})
            conn.execute(
                insert(s.LedgerUpdateRow),
                [{"offset": offset, "update_id": pending.root_hash, "synchronizer_id": sync_id, "record_time": record_time, "command_id": command_id, "submitter": json.dumps(view["act_as"]), "events": json.dumps(events)}],
            )
            if command_id and view.get("change_id"):
                self._record_accepted(conn, view, offset, record_time)
            self._write_cursor(sync_id, conn)
        self.ledger_end = offset
        return Transaction(offset, pending.root_hash, sync_id, record_time, command_id, tuple(events))

    def _record_accepted(self, conn, view: dict[str, Any], offset: int, record_time: int) -> None:
        conn.execute(delete(s.CommandDeduplicationRow).where(s.CommandDeduplicationRow.change_id == view["change_id"]))
        conn.execute(
            insert(s.CommandDeduplicationRow),
            [
                {
                    "change_id": view["change_id"],
                    "submission_id": view["submission_id"],
                    "status": "accepted",
                    "offset": offset,
                    "record_time": record_time,
                    "deadline": None,
                    "change": view.get("change"),
                    "root_hash": None,
                }
            ],
        )

    def _after_commit(self, sync_id: str, pending: PendingTransaction, tx: Transaction) -> None:
        """The admin workflows: answer pings addressed to us, complete the pings we started."""
        for node in pending.view["nodes"]:
            if node["kind"] == "create" and node["contract"]["template_id"] == ledger.PING.id:
                args = node["contract"]["arguments"]
                ping = self.pings.get(args["id"])
                if ping is not None and args["initiator"] == self.admin_party:
                    ping.created = True
                    ping.contract_id = node["contract"]["contract_id"]
                if args["responder"] == self.admin_party:
                    self._respond_to_ping(sync_id, node["contract"])
            elif node["kind"] == "exercise" and node["template_id"] == ledger.PING.id and node["choice"] == "Respond":
                ping = next((p for p in self.pings.values() if p.contract_id == node["contract_id"]), None)
                if ping is not None and not ping.future.done():
                    ping.future.set_result(time.monotonic() - ping.started)
                    self.pings.pop(ping.id, None)

    def _respond_to_ping(self, sync_id: str, contract: dict[str, Any]) -> None:
        try:
            self.submit(
                [ledger.ExerciseCommand(ledger.PING.id, contract["contract_id"], "Respond", {})],
                act_as=[self.admin_party],
                command_id=f"ping-respond-{contract['arguments']['id']}",
                synchronizer_id=sync_id,
            )
        except CantonError as e:
            log.info("%s could not respond to ping %s: %s", self.name, contract["arguments"]["id"], e)

    # ---- submitting transactions ---------------------------------------------------------
    def submit(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None = None,
        change_id: str | None = None,
        submission_id: str | None = None,
    ) -> Future:
        """Interpret commands, send the confirmation request; the future gets the Transaction.
        While the database is down the submission waits and goes out once it is back."""
        self.require_active()

        def again() -> Future:
            return self.submit(commands, act_as, command_id, synchronizer_id, change_id, submission_id)

        if self.halted:
            return self._defer(again)
        try:
            return self._submit_now(commands, act_as, command_id, synchronizer_id, change_id, submission_id)
        except StorageUnavailable:
            if self.running and not self.passive and self.halted:
                return self._defer(again)
            raise

    def submit_command(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None = None,
        user_id: str = "",
        submission_id: str | None = None,
        deduplication_period: int | None = None,
    ) -> Future:
        """A Ledger API submission with command deduplication (see the module docstring). Raises
        DUPLICATE_COMMAND, SUBMISSION_ALREADY_IN_FLIGHT or INVALID_DEDUPLICATION_PERIOD; else the
        future gets the Transaction."""
        self.require_active()
        submission_id = submission_id or str(uuid.uuid4())
        period = MAX_DEDUPLICATION_DURATION if deduplication_period is None else deduplication_period
        if isinstance(period, bool) or not isinstance(period, int) or period < 0 or period > MAX_DEDUPLICATION_DURATION:
            from canton_console.values.timefmt import round_for_humans

            what = "must not be negative" if isinstance(period, int) and period < 0 else (
                f"exceeds the maximum deduplication duration of {round_for_humans(MAX_DEDUPLICATION_DURATION)}"
            )
            raise CantonError(
                errors.INVALID_DEDUPLICATION_PERIOD,
                f"The submitted command had an invalid deduplication period: The deduplication duration {what}",
                submission_id,
                longest_period=f"PT{MAX_DEDUPLICATION_DURATION // 1_000_000}S",
            )

        def again() -> Future:
            return self.submit_command(commands, act_as, command_id, synchronizer_id, user_id, submission_id, period)

        if self.halted:
            return self._defer(again)
        try:
            return self._submit_deduplicated(commands, act_as, command_id, synchronizer_id, user_id, submission_id, period)
        except StorageUnavailable:
            if self.running and not self.passive and self.halted:
                return self._defer(again)
            raise

    def _submit_deduplicated(self, commands, act_as, command_id, synchronizer_id, user_id, submission_id, period) -> Future:
        change_id, change = change_id_of(user_id, act_as, command_id)
        now = self.env.clock.now()
        existing = self.in_flight.get(change_id)
        if existing is not None:
            raise CantonError(errors.SUBMISSION_ALREADY_IN_FLIGHT, IN_FLIGHT_REASON, submission_id, existing_submission_id=existing)
        dedup = s.CommandDeduplicationRow
        with self.storage.read() as conn:
            row = conn.execute(select(dedup.__table__).where(dedup.change_id == change_id)).mappings().first()
        if row is not None:
            if row["status"] == "accepted" and row["record_time"] >= now - period:
                raise CantonError(
                    errors.DUPLICATE_COMMAND,
                    DUPLICATE_COMMAND_REASON,
                    submission_id,
                    existing_submission_id=row["submission_id"],
                    completion_offset=row["offset"],
                )
            if row["status"] == "in-flight" and self._still_in_flight(row, command_id, now):
                raise CantonError(errors.SUBMISSION_ALREADY_IN_FLIGHT, IN_FLIGHT_REASON, submission_id, existing_submission_id=row["submission_id"])

        def record(sync: Synchronizer, max_sequencing_time: int, root_hash: str) -> None:
            deadline = max_sequencing_time + sync.parameters(now).decisionTimeout
            with self.storage.transaction() as conn:
                conn.execute(delete(dedup).where(dedup.change_id == change_id))
                conn.execute(
                    insert(dedup),
                    [
                        {
                            "change_id": change_id,
                            "submission_id": submission_id,
                            "status": "in-flight",
                            "offset": None,
                            "record_time": now,
                            "deadline": deadline,
                            "change": change,
                            "root_hash": root_hash,
                        }
                    ],
                )
            self.in_flight[change_id] = submission_id

        future = self._submit_now(commands, act_as, command_id, synchronizer_id, change_id, submission_id, before_send=record, change=change)
        return future

    def _still_in_flight(self, row, command_id: str, now: int) -> bool:
        """An in-flight row this participant does not track in memory (left by a crash, a restart or
        the replica before a fail-over): the request may still be decided while it is queued at a
        synchronizer, sequenced but undecided here, or we cannot tell (not caught up everywhere);
        never after its deadline."""
        if (row["deadline"] or 0) <= now:
            return False
        root_hash = row["root_hash"]
        if root_hash is None:
            return True
        if any(p.root_hash == root_hash for p in self.pending.values()):
            return True  # sequenced, waiting for its verdict
        for sync in self.env.synchronizers.values():
            if any(r.sender == self.member_id and r.message_id == command_id for r in sync._pending):
                return True  # queued for sequencing (e.g. during a sequencer outage)
        for connection in self.connections.values():
            sync = self.env.synchronizers.get(connection.synchronizer_id)
            if sync is None:
                continue
            subscription = self.subscriptions.get(sync.id)
            if not connection.connected or subscription is None or subscription.behind or sync.subscribers.get(self.member_id) is not subscription:
                return True  # not caught up with that synchronizer: it may still come
        return False  # neither queued nor pending after catching up: it was lost (a crash) or decided

    def _submit_now(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None,
        change_id: str | None,
        submission_id: str | None,
        before_send=None,
        change: str | None = None,
    ) -> Future:
        sync = self._synchronizer_for(synchronizer_id)
        seed = hashlib.sha256(f"{self.member_id}/{command_id}/{uuid.uuid4()}".encode()).hexdigest()
        nodes = self._interpret(commands, act_as, seed)
        informees: list[str] = []
        for node in nodes:
            if node["kind"] == "create":
                stakeholders = node["contract"]["signatories"] + node["contract"]["observers"]
            else:
                stakeholders = node["stakeholders"] + node["actors"]
            informees.extend(p for p in stakeholders if p not in informees)
        informee_spec: dict[str, dict[str, Any]] = {}
        participants: list[str] = []
        now = sync.now()
        for party in informees:
            threshold, hosts = sync.topology.hosting(party, now)
            confirming = [p for p, perm in hosts if perm in CONFIRMING]
            if not hosts:
                raise CantonError(errors.PARTY_NOT_KNOWN_ON_LEDGER, f"Party not known on ledger: Parties are not hosted on synchronizer {sync.id}: {party}")
            informee_spec[party] = {"threshold": min(threshold, max(1, len(confirming))), "participants": confirming}
            participants.extend(p for p, _ in hosts if p not in participants)
        submission_id = submission_id or str(uuid.uuid4())
        ledger_time = self.env.clock.now()
        view = {
            "submitting_participant": self.member_id,
            "act_as": list(act_as),
            "command_id": command_id,
            "submission_id": submission_id,
            "change_id": change_id,
            "ledger_time": ledger_time,
            "informees": informees,
            "nodes": nodes,
        }
        if change is not None:
            view["change"] = change
        root_hash = hashlib.sha256(messages.encode(view)).hexdigest()
        informee_msg = {"type": "InformeeMessage", "root_hash": root_hash, "submitter": self.member_id, "informees": informee_spec, "participants": participants}
        view_msg = {"type": "EncryptedViewMessage", "root_hash": root_hash, "view": view}
        root_msg = {"type": "RootHashMessage", "root_hash": root_hash, "payload_type": "TransactionViewType"}
        # Not sequenced by then, never: the sequencer drops it (Canton's max sequencing time).
        max_sequencing_time = max(ledger_time, now) + sync.parameters(now).ledgerTimeRecordTimeTolerance
        request = SubmissionRequest(
            self.member_id,
            command_id,
            (
                Envelope(messages.encode(informee_msg), (messages.MEDIATOR_GROUP_0,)),
                Envelope(messages.encode(view_msg), tuple(participants)),
                Envelope(messages.encode(root_msg), tuple(participants) + (messages.MEDIATOR_GROUP_0,)),
            ),
            kind="confirmation-request",
            max_sequencing_time=max_sequencing_time,
        )
        if before_send is not None:
            before_send(sync, max_sequencing_time, root_hash)
        future: Future = Future()
        submission = Submission(root_hash, future, command_id, change_id, submission_id, sync.id, max_sequencing_time, request)
        self.submissions[root_hash] = submission
        try:
            sync.submit(request)
        except BaseException:
            self.submissions.pop(root_hash, None)
            if change_id is not None and before_send is not None:
                try:
                    self._forget_in_flight([submission])
                except StorageUnavailable:
                    pass  # the row expires at its deadline
            raise
        self._watch_sequencing(submission)
        return future

    def _synchronizer_for(self, synchronizer_id: str | None) -> Synchronizer:
        connected = self.connected_synchronizers()
        if synchronizer_id is not None:
            for _, sync, _ in connected:
                if sync.id == synchronizer_id:
                    return sync
            raise CantonError(errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER, f"This participant is not connected to synchronizer {synchronizer_id}")
        usable = [sync for _, sync, healthy in connected if healthy] or [sync for _, sync, _ in connected]
        if not usable:
            raise CantonError(
                errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER,
                "This participant is not connected to any synchronizer.",
            )
        return usable[0]

    def _interpret(self, commands: list[Any], act_as: list[str], seed: str) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        index = 0
        authorizers = set(act_as)
        for command in commands:
            if isinstance(command, ledger.CreateCommand):
                contract = ledger.new_contract(command.template_id, command.arguments, seed, index)
                index += 1
                missing = [p for p in contract.signatories if p not in authorizers]
                if missing:
                    raise CantonError(
                        errors.INVALID_ARGUMENT,
                        f"DAML_AUTHORIZATION_ERROR: creating {contract.template_id} requires authorizers {', '.join(missing)}, but only {', '.join(act_as)} were given",
                    )
                nodes.append({"kind": "create", "contract": ledger.contract_to_dict(contract)})
            elif isinstance(command, ledger.ExerciseCommand):
                contract = self.lookup_contract(command.contract_id)
                if contract is None:
                    raise CantonError(errors.CONTRACT_NOT_FOUND, f"Contract could not be found with id {command.contract_id}")
                template = ledger.template(contract.template_id)
                choice = template.choices.get(command.choice)
                if choice is None:
                    raise CantonError(errors.INVALID_ARGUMENT, f"Template {template.id} has no choice {command.choice}; choices: {', '.join(template.choices)}")
                controllers = choice.controllers(contract.arguments, command.argument)
                missing = [p for p in controllers if p not in authorizers]
                if missing:
                    raise CantonError(
                        errors.INVALID_ARGUMENT,
                        f"DAML_AUTHORIZATION_ERROR: exercising {command.choice} requires authorizers {', '.join(missing)}, but only {', '.join(act_as)} were given",
                    )
                nodes.append(
                    {
                        "kind": "exercise",
                        "contract_id": contract.contract_id,
                        "template_id": contract.template_id,
                        "choice": command.choice,
                        "argument": command.argument,
                        "actors": controllers,
                        "consuming": choice.consuming,
                        "stakeholders": list(contract.stakeholders),
                    }
                )
                for template_id, arguments in choice.effect(contract.arguments, command.argument):
                    created = ledger.new_contract(template_id, arguments, seed, index)
                    index += 1
                    nodes.append({"kind": "create", "contract": ledger.contract_to_dict(created)})
            else:
                raise CantonError(errors.INVALID_ARGUMENT, f"Not a ledger command: {command!r}")
        return nodes

    def lookup_contract(self, contract_id: str) -> ledger.Contract | None:
        with self.storage.read() as conn:
            row = conn.execute(
                select(s.ContractRow.__table__).where(s.ContractRow.contract_id == contract_id, s.ContractRow.archived_offset.is_(None))
            ).mappings().first()
        if row is None or row["contract_id"] in self.locks:
            return None if row is None else _contract(row)
        return _contract(row)

    def active_contracts(self, party: str | None = None, template_id: str | None = None) -> list[ledger.Contract]:
        self.require_active()
        with self.storage.read() as conn:
            query = select(s.ContractRow.__table__).where(s.ContractRow.archived_offset.is_(None)).order_by(s.ContractRow.created_offset)
            rows = conn.execute(query).mappings().all()
        result = [_contract(r) for r in rows]
        if party is not None:
            result = [c for c in result if party in c.stakeholders]
        if template_id is not None:
            resolved = ledger.template(template_id).id
            result = [c for c in result if c.template_id == resolved]
        return result

    def transactions(self, after: int = 0) -> list[Transaction]:
        with self.storage.read() as conn:
            rows = conn.execute(select(s.LedgerUpdateRow.__table__).where(s.LedgerUpdateRow.offset > after).order_by(s.LedgerUpdateRow.offset)).mappings().all()
        return [Transaction(r["offset"], r["update_id"], r["synchronizer_id"], r["record_time"], r["command_id"], tuple(json.loads(r["events"]))) for r in rows]

    # ---- ping ----------------------------------------------------------------------------
    def start_ping(self, target: str, synchronizer_id: str | None = None, ping_id: str | None = None) -> PingState:
        """Create a Ping contract for ``target``'s admin party; the state's future gets the elapsed
        seconds once the responder archived it. Failures to submit fail the future at once."""
        self.require_active()
        ping_id = ping_id or str(uuid.uuid4())
        if ping_id in self.pings:
            raise CantonError(errors.INVALID_ARGUMENT, f"Duplicate ping request {ping_id}")
        state = PingState(ping_id, target, time.monotonic(), Future())
        self.pings[ping_id] = state
        if self.halted:
            # The database is down: the ping goes out once it is back (or times out meanwhile).
            self._defer(lambda: self._launch_ping(state, synchronizer_id), state.future)
            return state
        self._launch_ping(state, synchronizer_id)
        return state

    def _launch_ping(self, state: PingState, synchronizer_id: str | None) -> None:
        if self.pings.get(state.id) is not state or state.future.done():
            return  # given up meanwhile
        ping_id, target = state.id, state.target
        connected = [(sync, healthy) for _, sync, healthy in self.connected_synchronizers() if target in sync.topology.participants(sync.now())]
        if synchronizer_id is not None:
            connected = [(sync, healthy) for sync, healthy in connected if sync.id == synchronizer_id]
        # A synchronizer whose sequencers are down does not hold up pings over the others.
        candidates = [sync for sync, healthy in connected if healthy] or [sync for sync, _ in connected]
        if not candidates:
            return  # nothing can carry it: it times out, as in Canton
        responder = target.split("::", 1)[1]
        try:
            future = self.submit(
                [ledger.CreateCommand(ledger.PING.id, {"id": ping_id, "initiator": self.admin_party, "responder": responder})],
                act_as=[self.admin_party],
                command_id=f"ping-{ping_id}",
                synchronizer_id=candidates[0].id,
            )
        except CantonError as e:
            state.future.set_exception(e)
            self.pings.pop(ping_id, None)
            return

        def on_created(f: Future) -> None:
            if f.exception() is not None and not state.future.done():
                state.failure = PING_NOT_CREATED

        future.add_done_callback(on_created)

    def ping_failure(self, ping_id: str) -> str:
        state = self.pings.pop(ping_id, None)
        if state is None:
            return PING_NOT_CREATED
        if state.failure and state.failure != PING_NOT_CREATED:
            return state.failure
        return PING_NOT_RESPONDED if state.created else PING_NOT_CREATED

    # ---- health --------------------------------------------------------------------------
    def components(self) -> list[health.ComponentHealth]:
        connected = self.connected_synchronizers() if self.running else []
        names = ["connected-synchronizer", "sync-ephemeral-state", "sequencer-client", "acs-commitment-processor"]
        if not connected:
            return [self.storage_health()] + [health.not_initialized(n) for n in names]
        healthy = any(h for _, _, h in connected)
        comps = [self.storage_health()]
        for n in names:
            comps.append(health.ok(n) if healthy or n == "acs-commitment-processor" else health.failed(n, "Disconnected from synchronizer"))
        return comps

    def ports(self) -> list[tuple[str, int]]:
        ports = [("ledger", self.config.ledger_api.port), ("admin", self.config.admin_api.port)]
        if self.config.http_ledger_api is not None:
            ports.append(("json", self.config.http_ledger_api.port))
        return ports


def _chain(inner: Future, outer: Future) -> None:
    """Complete ``outer`` as ``inner`` completes."""

    def done(f: Future) -> None:
        if outer.done():
            return
        error = f.exception()
        if error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(f.result())

    inner.add_done_callback(done)


def _clear_in_flight_rows(conn, entries: list[tuple[str, str]]) -> None:
    dedup = s.CommandDeduplicationRow
    for change_id, submission_id in entries:
        conn.execute(
            delete(dedup).where(dedup.change_id == change_id, dedup.submission_id == submission_id, dedup.status == "in-flight")
        )


def _contract(row) -> ledger.Contract:
    return ledger.Contract(
        row["contract_id"], row["template_id"], json.loads(row["arguments"]), tuple(json.loads(row["signatories"])), tuple(json.loads(row["observers"]))
    )


def _error_from_text(text: str) -> CantonError:
    """Rebuild a CantonError from its rendered ``CODE(cat,corr): cause`` text (from a verdict or deliver error)."""
    import re

    m = re.match(r"^([A-Z_]+)\((\d+),([0-9a-f]+)\): (.*)$", text, re.S)
    if not m:
        return CantonError(errors.MEDIATOR_SAYS_TX_TIMED_OUT, text)
    code = errors.ErrorCode(m.group(1), errors.ErrorCategory(int(m.group(2))))
    return CantonError(code, m.group(4), None if m.group(3) == "0" else m.group(3))


def topology_broadcast(sender: str, transactions: list[topology.SignedTopologyTransaction]) -> SubmissionRequest:
    body = {"type": "TopologyTransactionsBroadcast", "transactions": [t.to_dict() for t in transactions]}
    return SubmissionRequest(sender, str(uuid.uuid4()), (Envelope(messages.encode(body), (messages.ALL_MEMBERS,)),), kind="topology")
