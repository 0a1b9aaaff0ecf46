"""A participant's part of the transaction protocol: sequenced events in, confirmation responses
out, verdicts applied, transactions committed to its ledger."""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from canton_console.runtime.participant import completions
from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.ledger_store import _clear_in_flight_rows, _error_from_text
from canton_console.runtime.participant.records import (
    CONFIRMING,
    LOCAL_TIMEOUT_REASON,
    LOCAL_VERDICT_TIMEOUT,
    NOT_SEQUENCED_REASON,
    NOT_SEQUENCED_TIMEOUT,
    PendingTransaction,
    Submission,
    Transaction,
)
from canton_console.store import fast
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import ledger, messages
from canton_console.values.errors import CantonError
from canton_console.values.ids import ParticipantId
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest

log = logging.getLogger("canton_console.participant")

# Hot-path statements, built once: building SQLAlchemy expressions per call costs more than running them.
_UPDATE_CURSOR = (
    update(s.MemberCursorRow).where(s.MemberCursorRow.synchronizer_id == bindparam("sid")).values(timestamp=bindparam("ts"))
)


# The same as prepared SQL text (store.fast), for the per-event paths.
def _stored_contracts_sql(mark: str, n: int) -> str:
    return f"SELECT contract_id, archived_offset FROM {s.ContractRow.__tablename__} WHERE contract_id IN ({', '.join(mark for _ in range(n))})"


def _update_cursor_sql(quote, mark: str) -> str:
    return f"UPDATE {s.MemberCursorRow.__tablename__} SET timestamp = {mark} WHERE synchronizer_id = {mark}"


def _archive_contract_sql(quote, mark: str) -> str:
    # an inactive contract (e.g. purged by a repair) keeps the offset it became inactive at
    return f"UPDATE {s.ContractRow.__tablename__} SET archived_offset = {mark} WHERE contract_id = {mark} AND archived_offset IS NULL"


class ProtocolProcessing(ParticipantBase):
    """Mixed into ParticipantNode: events, requests, verdicts, commits."""

    # ---- event processing ----------------------------------------------------------------
    def _on_events(self, sync_id: str, events: list[SequencedEvent]) -> None:
        if not self.running or self.passive or self.halted:
            return
        member_id = self.member_id
        # Our traffic receipt is that of our last event of the delivery: computed for that one only
        last_own = next((e.timestamp for e in reversed(events) if e.sender == member_id), None)
        for event in events:
            if self.halted:
                return  # the database went away while processing: the rest is replayed later
            if event.timestamp <= self.last_seen.get(sync_id, 0):
                continue
            self.last_seen[sync_id] = event.timestamp
            if event.sender == member_id:
                if event.timestamp == last_own:
                    sync = self.env.synchronizers[sync_id]
                    self.traffic_receipts[sync_id] = sync.traffic.state_at(member_id, event.timestamp, extrapolate=False)
                for sub in self.submissions.values():
                    if sub.command_id == event.message_id and sub.synchronizer_id == sync_id:
                        sub.sequenced = True
                if event.error is not None:
                    self._on_deliver_error(event, event.error)
            for envelope in event.envelopes:
                msg = envelope.message
                kind = msg.get("type")
                if kind == "EncryptedViewMessage":
                    self._on_request(sync_id, event, msg)
                elif kind == "ConfirmationResult":
                    self._on_verdict(sync_id, event, msg)
                elif kind == "AcsCommitment":
                    self._on_acs_commitment(sync_id, event, msg)
        if not self.halted:
            self._expire_unsequenced(sync_id)
            self._after_events_for_commitments()

    def _on_deliver_error(self, event: SequencedEvent, error: str) -> None:
        failed = [sub for sub in self.submissions.values() if sub.command_id == event.message_id and not sub.future.done()]
        if not failed:
            return
        with self.open_storage.transaction() as conn:
            self._forget_in_flight(failed, conn)
            end = completions.record_failed_submissions(conn, self.member_id, [(sub, _error_from_text(error)) for sub in failed], event.synchronizer_id, event.timestamp, self.ledger_end)
        self.ledger_end = end
        for sub in failed:
            sub.future.set_exception(_error_from_text(error))
            self.submissions.pop(sub.root_hash, None)

    # ---- in-flight submissions -----------------------------------------------------------
    def _forget_in_flight(self, subs: list[Submission], conn=None) -> None:
        """The submissions failed for good: a resubmission of their change may go through."""
        entries = [(sub.change_id, sub.submission_id) for sub in subs if sub.change_id]
        if not entries:
            return
        if conn is None:
            with self.open_storage.transaction() as c:
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
        with self.open_storage.transaction() as conn:
            self._forget_in_flight(expired, conn)
            failures = [(sub, CantonError(NOT_SEQUENCED_TIMEOUT, NOT_SEQUENCED_REASON, sub.submission_id)) for sub in expired]
            end = completions.record_failed_submissions(conn, self.member_id, failures, sync_id, horizon, self.ledger_end)
        self.ledger_end = end
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
                armed[0] = self.env.scheduler.schedule_at(self.env.clock.now() + 1_000_000, check)

        # Disarmed once the submission completes: the timer would hold it (its request and result)
        # until its max sequencing time for nothing.
        armed = [self.env.scheduler.schedule_at(sub.max_sequencing_time + 1, check)]
        sub.future.add_done_callback(lambda _f: armed[0].cancel())

    def _on_request(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None:
        view = msg["view"]
        root_hash = msg["root_hash"]
        sync = self.env.synchronizers[sync_id]
        own = self.submissions.get(root_hash)
        if own is not None:
            own.sequenced = True
        if self._is_replay(sync_id, event.timestamp):
            with self.open_storage.read() as conn:
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
        for party in ledger.confirming_parties(view["nodes"], _admin_party_of(view["submitting_participant"])):
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
        body["signature"] = self.signing_key.sign(messages.encode(body)).hex()
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
        self._finish_rejected(sync_id, pending, CantonError(LOCAL_VERDICT_TIMEOUT, LOCAL_TIMEOUT_REASON), self.env.clock.now())  # stored first: a crash or outage here replays the request
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
        ids = list(contract_ids)
        with fast.read(self.open_storage) as conn:
            rows = conn.execute(conn.sql(("stored-contracts", len(ids)), lambda q, m: _stored_contracts_sql(m, len(ids))), ids).fetchall()
        return {cid: archived for cid, archived in rows}

    def _on_verdict(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None:
        pending = self.pending.get((sync_id, msg["request_id"]))
        if pending is None or pending.root_hash != msg["root_hash"]:
            return
        # A verdict counts once the mediator group's threshold of its active mediators sent the same one.
        state = self.env.synchronizers[sync_id].topology.mediator_state(0, msg["request_id"]) or {"threshold": 1, "active": [event.sender]}
        if event.sender in state["active"]:
            pending.verdicts[event.sender] = (msg["verdict"], msg.get("reason", ""))
        agreeing = sum(1 for v in pending.verdicts.values() if v[0] == msg["verdict"])
        if agreeing < int(state["threshold"]):
            return
        del self.pending[(sync_id, msg["request_id"])]
        if pending.timer is not None:
            pending.timer.cancel()
        self.locks.difference_update(pending.locked)
        # The submission is completed only once the outcome is stored (else it is replayed).
        if msg["verdict"] != "approve":
            self._finish_rejected(sync_id, pending, _error_from_text(msg["reason"]), event.timestamp)
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

    def _finish_rejected(self, sync_id: str, pending: PendingTransaction, error: CantonError | None = None, record_time: int = 0) -> None:
        """A request rejected or timed out: move the clean cursor and, for our own Ledger API
        submission, clear its in-flight state and record its completion (one transaction)."""
        view = pending.view
        own = view.get("change_id") and view.get("submitting_participant") == self.member_id
        completed = False
        with self.open_storage.transaction() as conn:
            self._write_cursor(sync_id, conn)
            if own:
                _clear_in_flight_rows(conn, [(view["change_id"], view["submission_id"])])
            if own and error is not None:
                completed = completions.record_rejected(conn, self.member_id, view, pending.root_hash, error, sync_id, record_time, self.ledger_end + 1)
        if completed:
            self.ledger_end += 1
        if own and self.in_flight.get(view["change_id"]) == view["submission_id"]:
            del self.in_flight[view["change_id"]]

    def _clean_cursor(self, sync_id: str) -> int:
        pending = [ts for (sid, ts) in self.pending if sid == sync_id]
        return min(pending) - 1 if pending else self.last_seen.get(sync_id, 0)

    def _write_cursor(self, sync_id: str, conn=None) -> None:
        def write(c):
            cursor = self._clean_cursor(sync_id)
            if isinstance(c, fast.FastConn):  # the hot path: prepared statements
                if not c.execute(c.sql("participant-cursor-update", _update_cursor_sql), (cursor, sync_id)).rowcount:
                    c.insert(s.MemberCursorRow, [{"synchronizer_id": sync_id, "timestamp": cursor}])
                return
            updated = c.execute(_UPDATE_CURSOR, {"sid": sync_id, "ts": cursor}).rowcount
            if not updated:
                c.execute(insert(s.MemberCursorRow), [{"synchronizer_id": sync_id, "timestamp": cursor}])

        if conn is not None:
            write(conn)
        else:
            with fast.transaction(self.open_storage) as c:
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
                events.append({"exercised": {**{k: node[k] for k in ("contract_id", "template_id", "choice", "consuming", "actors")}, "stakeholders": node["stakeholders"]}})
        command_id = view["command_id"] if view["submitting_participant"] == self.member_id else ""
        # Prepared statements (see store.fast); a Ledger API submission's deduplication and
        # completion go through SQLAlchemy in the same transaction.
        ledger_api = bool(command_id and view.get("change_id"))
        with fast.transaction(self.open_storage, core=ledger_api) as conn:
            # A contract a repair (an ACS import) already added here is not added twice.
            already = [row["contract_id"] for row in conn.insert_new(s.ContractRow, created_rows, "contract_id")]
            if archived:
                conn.executemany(conn.sql("archive-contract", _archive_contract_sql), [(offset, cid) for cid in archived])
            conn.insert(
                s.LedgerUpdateRow,
                [{"offset": offset, "update_id": pending.root_hash, "synchronizer_id": sync_id, "record_time": record_time, "command_id": command_id, "submitter": json.dumps(view["act_as"]), "events": json.dumps(events)}],
            )
            if ledger_api:
                assert conn.core is not None
                self._record_accepted(conn.core, view, offset, record_time)
                completions.record_accepted(conn.core, view, offset, pending.root_hash, sync_id, record_time)
            self._write_cursor(sync_id, conn)
        if already:
            log.warning("%s: contracts %s are already in its store (added by a repair); not added again", self.name, ", ".join(already))
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


@functools.lru_cache(maxsize=64)
def _admin_party_of(participant: str) -> str:
    """A participant's admin party from its member id (``PAR::...``)."""
    return str(ParticipantId.parse(participant).adminParty)
