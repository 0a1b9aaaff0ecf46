"""ACS commitments (Canton's ``AcsCommitmentProcessor``): at the end of every reconciliation interval
a participant commits to the active contracts it shares with each counter-participant, sends each
its commitment through the sequencer, and compares the commitments it receives with its own.

Ticks are the multiples of the synchronizer's ``reconciliationInterval`` since the epoch. A tick T
is processed once the participant has processed every event sequenced up to T (its subscription is
live and the clock is past T, so anything sequenced later gets a later timestamp). The period of a
commitment runs from the previous processed tick (exclusive; CantonTimestamp.MinValue for the first)
to T (inclusive), so a participant that was away covers the ticks it missed with one period.

The ACS at T is read from the participant's contract store: the contracts of the synchronizer whose
creating transaction was committed at a record time up to T and not archived by then. Both sides of
a shared contract commit it at the same record time (the verdict's sequencing time), so honest
participants compute the same set.

The commitment scheme (ours, not Canton's LtHash16): every contract hashes to
SHA-256(contract id, sorted stakeholders) read as a 256-bit integer; a commitment is the sum of the
hashes of the shared contracts modulo 2^256 (additive, so homomorphic: adding or removing a contract
adds or subtracts its hash), and what is sent and stored is the SHA-256 of that sum's 32 bytes
(Canton's ``HashedCommitmentType``). Only non-empty commitments are sent, as in Canton.

A received commitment is checked against the sender's signing keys; a wrong signature raises
ACS_COMMITMENT_ALARM and the commitment is dropped. A commitment whose period ends after our last
processed tick is buffered until we computed ours. Then it is compared with our commitments for that
counter-participant whose periods overlap it: all equal is a match, else ACS_COMMITMENT_MISMATCH is
logged with the period and counter-participant and the period is kept as mismatched. A commitment
for a period in which we share nothing with its sender raises ACS_MISMATCH_NO_SHARED_CONTRACTS.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from sqlalchemy import delete, func, insert, select, update

from canton_console.runtime.participant.base import ParticipantBase
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, messages
from canton_console.values.errors import CantonError
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.values.timefmt import instant

log = logging.getLogger("canton_console.participant")

SECOND = 1_000_000
#: CantonTimestampSecond.MinValue (0001-01-01T00:00:00Z): where the first commitment period starts
MIN_TIMESTAMP = -62135596800 * SECOND
MESSAGE_TYPE = "AcsCommitment"
# Canton's CommitmentPeriodState numbers (AcsCommitmentApiHelpers.scala)
NOT_COMPARED, MATCHED, MISMATCHED, BUFFERED, OUTSTANDING = 1, 2, 3, 4, 5
_MODULUS = 1 << 256
EMPTY_SUM = 0

ACS_COMMITMENT_MISMATCH = errors.ErrorCode("ACS_COMMITMENT_MISMATCH", errors.ErrorCategory.SecurityAlert)
ACS_MISMATCH_NO_SHARED_CONTRACTS = errors.ErrorCode("ACS_MISMATCH_NO_SHARED_CONTRACTS", errors.ErrorCategory.SecurityAlert)
ACS_COMMITMENT_ALARM = errors.ErrorCode("ACS_COMMITMENT_ALARM", errors.ErrorCategory.SecurityAlert)
PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR = errors.ErrorCode("PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR", errors.ErrorCategory.InvalidIndependentOfSystemState)


# ---- pure logic ------------------------------------------------------------------------------


def tick_at_or_before(timestamp: int, interval: int) -> int:
    """The latest commitment tick (a multiple of the interval since the epoch) at or before ``timestamp``."""
    return (timestamp // interval) * interval


def contract_hash(contract_id: str, stakeholders: Iterable[str]) -> int:
    digest = hashlib.sha256(json.dumps([contract_id, sorted(set(stakeholders))]).encode()).digest()
    return int.from_bytes(digest, "big")


def commitment_sum(hashes: Iterable[int]) -> int:
    """The additive commitment over contract hashes (sum modulo 2^256)."""
    return sum(hashes) % _MODULUS


def hashed_commitment(total: int) -> str:
    """What is sent and stored: the SHA-256 (hex) of the commitment's 32 bytes."""
    return hashlib.sha256(total.to_bytes(32, "big")).hexdigest()


EMPTY_COMMITMENT = hashed_commitment(EMPTY_SUM)


@attrs.frozen
class SharedContract:
    contract_id: str
    stakeholders: tuple[str, ...]


@attrs.frozen
class Period:
    from_exclusive: int
    to_inclusive: int

    def overlaps(self, other: Period) -> bool:
        return self.from_exclusive < other.to_inclusive and self.to_inclusive > other.from_exclusive


def commitments_by_counter_participant(
    me: str,
    contracts: Iterable[SharedContract],
    hosts_of: dict[str, set[str]],
    only: Sequence[str] = (),
    parties: Sequence[str] = (),
) -> dict[str, str]:
    """Counter-participant -> hashed commitment over the contracts it shares with ``me``: those of
    which ``me`` hosts a stakeholder and it hosts one (``hosts_of``: party -> hosting participants).
    ``only``: just these counter-participants; ``parties``: just contracts with one of these stakeholders."""
    sums: dict[str, int] = {}
    for contract in contracts:
        if parties and not set(parties) & set(contract.stakeholders):
            continue
        participants = set().union(*(hosts_of.get(p, set()) for p in contract.stakeholders)) if contract.stakeholders else set()
        if me not in participants:
            continue
        h = contract_hash(contract.contract_id, contract.stakeholders)
        for cp in participants - {me}:
            if only and cp not in only:
                continue
            sums[cp] = (sums.get(cp, 0) + h) % _MODULUS
    return {cp: hashed_commitment(total) for cp, total in sorted(sums.items())}


def commitment_message(synchronizer_id: str, sender: str, counter_participant: str, period: Period, commitment: str) -> dict[str, Any]:
    """The content of a commitment (Canton's AcsCommitment), without its signature."""
    return {
        "type": MESSAGE_TYPE,
        "synchronizer_id": synchronizer_id,
        "sender": sender,
        "counter_participant": counter_participant,
        "from_exclusive": period.from_exclusive,
        "to_inclusive": period.to_inclusive,
        "commitment": commitment,
    }


def _signed_content(msg: dict[str, Any]) -> bytes:
    return messages.encode({k: v for k, v in msg.items() if k not in ("signature", "signed_by")})


def describe_period(period: Period) -> str:
    return f"CommitmentPeriod(fromExclusive = {instant(period.from_exclusive)}, toInclusive = {instant(period.to_inclusive)})"


# ---- the processor ---------------------------------------------------------------------------


class AcsCommitmentProcessing(ParticipantBase):
    """Mixed into ParticipantNode: computing, sending, receiving and comparing ACS commitments."""

    _commitment_timer: Any = None

    _commitment_waiting: bool = False  # a tick waits for the participant to catch up

    def _start_commitments(self) -> None:
        """(Re)start the tick timer; called when the node starts or resumes: the ticks it missed
        are processed at once (one period covers them)."""
        self._stop_commitments()
        self._schedule_commitment_check(self.env.clock.now())

    def _after_events_for_commitments(self) -> None:
        """Events were processed: a tick that waited for them (a participant catching up) can go."""
        if self._commitment_waiting and self._commitment_timer is not None:
            self._commitment_waiting = False
            self._stop_commitments()
            self._schedule_commitment_check(self.env.clock.now())

    def _stop_commitments(self) -> None:
        if self._commitment_timer is not None:
            self._commitment_timer.cancel()
            self._commitment_timer = None

    def _schedule_commitment_check(self, at: int) -> None:
        self._commitment_timer = self.env.scheduler.schedule_at(at, self._commitment_tick)

    def _commitment_tick(self) -> None:
        """Process every connected synchronizer's latest tick, then wait for the next one (or look
        again in a second while a synchronizer is not ready or none is connected)."""
        self._commitment_timer = None
        self._commitment_waiting = False
        if not self.running or self.passive:
            return
        now = self.env.clock.now()
        retry = now + SECOND
        next_at: int | None = None
        if not self.halted:
            for sync_id in list(self.subscriptions):
                sync = self.env.synchronizers.get(sync_id)
                if sync is None:
                    continue
                interval = sync.parameters(now).reconciliationInterval
                tick = tick_at_or_before(now - 1, interval)
                try:
                    done = self._process_tick(sync_id, tick)
                except StorageUnavailable:
                    return  # the node halts; it restarts the timer when it resumes
                if not done:
                    self._commitment_waiting = True
                candidate = tick + interval + 1 if done else retry
                next_at = candidate if next_at is None else min(next_at, candidate)
        if self.running and not self.passive:
            self._schedule_commitment_check(max(retry if next_at is None else next_at, now + 1))

    def _ready_for(self, sync_id: str) -> bool:
        """Whether everything sequenced for us so far was delivered (the subscription is live)."""
        sync = self.env.synchronizers.get(sync_id)
        subscription = self.subscriptions.get(sync_id)
        return (
            sync is not None
            and subscription is not None
            and not subscription.behind
            and sync.subscribers.get(self.member_id) is subscription
            and self.member_id in sync.topology.participants(sync.now())
        )

    def last_computed_and_sent(self, sync_id: str) -> int | None:
        with self.open_storage.read() as conn:
            return conn.execute(
                select(s.AcsCommitmentProgressRow.last_computed_and_sent).where(s.AcsCommitmentProgressRow.synchronizer_id == sync_id)
            ).scalar()

    def _process_tick(self, sync_id: str, tick: int) -> bool:
        """Compute, store and send the commitments of ``tick``; False when the participant is not
        ready for it yet (it has not seen everything sequenced up to it)."""
        last = self.last_computed_and_sent(sync_id)
        if last is not None and tick <= last:
            return True
        if not self._ready_for(sync_id):
            return False
        period = Period(MIN_TIMESTAMP if last is None else last, tick)
        computed = self.compute_commitments(sync_id, tick)
        no_wait = self._no_wait(sync_id)
        with self.open_storage.transaction() as conn:
            if computed:
                conn.execute(
                    insert(s.AcsCommitmentComputedRow),
                    [
                        {
                            "synchronizer_id": sync_id,
                            "counter_participant": cp,
                            "to_inclusive": tick,
                            "from_exclusive": period.from_exclusive,
                            "commitment": commitment,
                            "state": NOT_COMPARED if cp in no_wait else OUTSTANDING,
                        }
                        for cp, commitment in computed.items()
                    ],
                )
            progress = s.AcsCommitmentProgressRow
            if last is None:
                conn.execute(insert(progress), [{"synchronizer_id": sync_id, "last_computed_and_sent": tick}])
            else:
                conn.execute(update(progress).where(progress.synchronizer_id == sync_id).values(last_computed_and_sent=tick))
        self._send_commitments(sync_id, period, computed)
        self._compare_buffered(sync_id, tick)
        return True

    def shared_contracts(self, sync_id: str, at: int) -> list[SharedContract]:
        """The contracts of the synchronizer active at ``at`` in this participant's store."""
        update_row, contract = s.LedgerUpdateRow, s.ContractRow
        with self.open_storage.read() as conn:
            bound = conn.execute(
                select(func.max(update_row.offset)).where(update_row.synchronizer_id == sync_id, update_row.record_time <= at)
            ).scalar()
            if bound is None:
                return []
            rows = conn.execute(
                select(contract.contract_id, contract.signatories, contract.observers).where(
                    contract.synchronizer_id == sync_id,
                    contract.created_offset <= bound,
                    contract.archived_offset.is_(None) | (contract.archived_offset > bound),
                )
            ).all()
        return [SharedContract(cid, tuple(sorted(set(json.loads(sig)) | set(json.loads(obs))))) for cid, sig, obs in rows]

    def compute_commitments(self, sync_id: str, at: int, only: Sequence[str] = (), parties: Sequence[str] = ()) -> dict[str, str]:
        """Counter-participant -> our hashed commitment at tick ``at``."""
        sync = self.env.synchronizers[sync_id]
        contracts = self.shared_contracts(sync_id, at)
        hosts_of: dict[str, set[str]] = {}
        for contract in contracts:
            for party in contract.stakeholders:
                if party not in hosts_of:
                    hosts_of[party] = {p for p, _perm in sync.topology.hosting(party, at)[1]}
        return commitments_by_counter_participant(self.member_id, contracts, hosts_of, only, parties)

    def _send_commitments(self, sync_id: str, period: Period, computed: dict[str, str]) -> None:
        if not computed:
            return
        sync = self.env.synchronizers[sync_id]
        key = self.signing_key
        envelopes = []
        for cp, commitment in computed.items():
            msg = commitment_message(sync_id, self.member_id, cp, period, commitment)
            msg["signed_by"] = key.fingerprint
            msg["signature"] = key.sign(_signed_content(msg)).hex()
            envelopes.append(Envelope(messages.encode(msg), (cp,)))
        try:
            sync.submit(SubmissionRequest(self.member_id, f"acs-commitment-{uuid.uuid4()}", tuple(envelopes), kind="acs-commitment"))
        except CantonError as e:
            # Best effort, as in Canton: the counter-participants report the commitment as missing.
            log.warning("%s could not send its ACS commitments for %s: %s", self.name, describe_period(period), e)

    # ---- receiving ---------------------------------------------------------------------------
    def _on_acs_commitment(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None:
        sender = msg.get("sender")
        if msg.get("counter_participant") != self.member_id or sender != event.sender:
            log.warning(
                "%s",
                CantonError(ACS_COMMITMENT_ALARM, f"Received an ACS commitment at {instant(event.timestamp)} not meant for this participant or not sent by its purported sender {sender}").render(),
            )
            return
        if not self._valid_signature(sync_id, msg):
            log.warning(
                "%s",
                CantonError(
                    ACS_COMMITMENT_ALARM,
                    f"Received wrong signature for ACS commitment at timestamp {instant(event.timestamp)}; purported sender: {sender}; commitment: {msg.get('commitment')}",
                ).render(),
            )
            return
        received = s.AcsCommitmentReceivedRow
        with self.open_storage.transaction() as conn:
            exists = conn.execute(
                select(received.sender).where(received.synchronizer_id == sync_id, received.sender == sender, received.to_inclusive == msg["to_inclusive"])
            ).first()
            if exists is not None:
                return  # a replay after a restart
            conn.execute(
                insert(received),
                [
                    {
                        "synchronizer_id": sync_id,
                        "sender": sender,
                        "to_inclusive": msg["to_inclusive"],
                        "from_exclusive": msg["from_exclusive"],
                        "commitment": msg["commitment"],
                        "signed_by": msg["signed_by"],
                        "signature": msg["signature"],
                        "sequenced_at": event.timestamp,
                        "buffered": True,
                    }
                ],
            )
        last = self.last_computed_and_sent(sync_id)
        if last is not None and last >= msg["to_inclusive"]:
            self._compare_buffered(sync_id, last)

    def _valid_signature(self, sync_id: str, msg: dict[str, Any]) -> bool:
        from canton_console.runtime.identity import verify
        from canton_console.values.topology import OWNER_TO_KEY, key_fingerprint

        topology = self.env.synchronizers[sync_id].topology
        mapping = topology.lookup(OWNER_TO_KEY, msg["sender"])
        keys = [bytes.fromhex(k) for k in mapping.data["public_keys"]] if mapping is not None else []
        root = topology.public_key(msg["sender"].split("::", 2)[-1])
        if root is not None:
            keys.append(root)
        try:
            signature = bytes.fromhex(msg["signature"])
        except (KeyError, ValueError):
            return False
        return any(key_fingerprint(k.hex()) == msg.get("signed_by") and verify(k, signature, _signed_content(msg)) for k in keys)

    def _compare_buffered(self, sync_id: str, up_to: int) -> None:
        """Compare the buffered commitments whose period ends by ``up_to`` with our own."""
        received, computed = s.AcsCommitmentReceivedRow, s.AcsCommitmentComputedRow
        replies: list[tuple[str, Period]] = []
        with self.open_storage.transaction() as conn:
            pending = conn.execute(
                select(received.__table__).where(received.synchronizer_id == sync_id, received.buffered.is_(True), received.to_inclusive <= up_to)
            ).mappings().all()
            for remote in pending:
                period = Period(remote["from_exclusive"], remote["to_inclusive"])
                local = [
                    row
                    for row in conn.execute(
                        select(computed.__table__).where(
                            computed.synchronizer_id == sync_id,
                            computed.counter_participant == remote["sender"],
                            computed.to_inclusive > period.from_exclusive,
                            computed.from_exclusive < period.to_inclusive,
                        )
                    ).mappings()
                ]
                conn.execute(
                    update(received)
                    .where(received.synchronizer_id == sync_id, received.sender == remote["sender"], received.to_inclusive == remote["to_inclusive"])
                    .values(buffered=False)
                )
                if not local:
                    if remote["commitment"] != EMPTY_COMMITMENT:
                        log.warning(
                            "%s",
                            CantonError(ACS_MISMATCH_NO_SHARED_CONTRACTS, "Received a commitment where we have no shared contract with the sender").render()
                            + f" err-context:{{remote={_describe_remote(remote, sync_id, self.member_id)}, synchronizerId={sync_id}}}",
                        )
                        # As Canton: answer with an empty commitment, so that the sender sees the fork too.
                        replies.append((remote["sender"], period))
                    continue
                mismatches = [row for row in local if row["commitment"] != remote["commitment"]]
                state = MISMATCHED if mismatches else MATCHED
                for row in local:
                    conn.execute(
                        update(computed)
                        .where(computed.synchronizer_id == sync_id, computed.counter_participant == row["counter_participant"], computed.to_inclusive == row["to_inclusive"])
                        .values(state=state)
                    )
                if mismatches:
                    shown = ", ".join(
                        f"({describe_period(Period(r['from_exclusive'], r['to_inclusive']))}, SHA-256:{r['commitment'][:12]}...)" for r in mismatches
                    )
                    # Canton's alarm and its context (err-context keys in Canton's order)
                    log.warning(
                        "%s err-context:{local=Vector(%s), remote=%s, synchronizerId=%s}",
                        CantonError(ACS_COMMITMENT_MISMATCH, "The local commitment does not match the remote commitment").render(),
                        shown,
                        _describe_remote(remote, sync_id, self.member_id),
                        sync_id,
                    )
        for sender, period in replies:
            self._send_commitments(sync_id, period, {sender: EMPTY_COMMITMENT})

    # ---- configuration -----------------------------------------------------------------------
    def _no_wait(self, sync_id: str) -> set[str]:
        row = s.AcsNoWaitCounterParticipantRow
        with self.open_storage.read() as conn:
            return set(conn.execute(select(row.counter_participant).where(row.synchronizer_id == sync_id)).scalars())

    def set_no_wait(self, counter_participants: Sequence[str], synchronizer_ids: Sequence[str], wait: bool) -> None:
        row = s.AcsNoWaitCounterParticipantRow
        with self.open_storage.transaction() as conn:
            for sync_id in synchronizer_ids:
                for cp in counter_participants:
                    conn.execute(delete(row).where(row.synchronizer_id == sync_id, row.counter_participant == cp))
                    if not wait:
                        conn.execute(insert(row), [{"synchronizer_id": sync_id, "counter_participant": cp}])
                    else:
                        # waiting again: the periods not compared yet are outstanding again
                        computed = s.AcsCommitmentComputedRow
                        conn.execute(
                            update(computed)
                            .where(computed.synchronizer_id == sync_id, computed.counter_participant == cp, computed.state == NOT_COMPARED)
                            .values(state=OUTSTANDING)
                        )
                    if not wait:
                        computed = s.AcsCommitmentComputedRow
                        conn.execute(
                            update(computed)
                            .where(computed.synchronizer_id == sync_id, computed.counter_participant == cp, computed.state == OUTSTANDING)
                            .values(state=NOT_COMPARED)
                        )


def _describe_remote(remote: Any, sync_id: str, me: str) -> str:
    period = Period(remote["from_exclusive"], remote["to_inclusive"])
    return (
        f"AcsCommitment(synchronizerId = {sync_id}, sender = {remote['sender']}, counterParticipant = {me}, "
        f"period = {describe_period(period)}, commitment = SHA-256:{remote['commitment'][:12]}...)"
    )



class AcsCommitmentInspection(AcsCommitmentProcessing):
    """Mixed into ParticipantNode: what the commitment admin commands read and configure."""

    def commitment_synchronizer(self, alias: str) -> str:
        """The id of the synchronizer registered under ``alias``."""
        connection = self.connections.get(alias)
        if connection is None:
            raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {alias} is unknown.")
        return connection.synchronizer_id

    def commitment_synchronizers(self) -> list[str]:
        """The synchronizers this participant is registered with, in the order it registered them."""
        return list(dict.fromkeys(c.synchronizer_id for c in self.connections.values()))

    def computed_commitments(self, sync_id: str, start: int, end: int, counter_participants: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Our commitments whose period overlaps (start, end] (Canton's inclusive search: ends at or
        after ``start``, starts before ``end``), oldest first."""
        row = s.AcsCommitmentComputedRow
        query = select(row.__table__).where(row.synchronizer_id == sync_id, row.to_inclusive >= start, row.from_exclusive < end)
        if counter_participants:
            query = query.where(row.counter_participant.in_(list(counter_participants)))
        with self.open_storage.read() as conn:
            return [dict(r) for r in conn.execute(query.order_by(row.to_inclusive, row.counter_participant)).mappings()]

    def received_commitments(self, sync_id: str, start: int, end: int, counter_participants: Sequence[str] = (), buffered_only: bool = False) -> list[dict[str, Any]]:
        row = s.AcsCommitmentReceivedRow
        query = select(row.__table__).where(row.synchronizer_id == sync_id, row.to_inclusive >= start, row.from_exclusive < end)
        if counter_participants:
            query = query.where(row.sender.in_(list(counter_participants)))
        if buffered_only:
            query = query.where(row.buffered.is_(True))
        with self.open_storage.read() as conn:
            return [dict(r) for r in conn.execute(query.order_by(row.to_inclusive, row.sender)).mappings()]

    def no_wait_counter_participants(self) -> list[tuple[str, str]]:
        """(synchronizer id, counter-participant) pairs we do not wait for."""
        row = s.AcsNoWaitCounterParticipantRow
        with self.open_storage.read() as conn:
            return [(sid, cp) for sid, cp in conn.execute(select(row.synchronizer_id, row.counter_participant).order_by(row.counter_participant, row.synchronizer_id)).all()]

    def known_counter_participants(self, sync_id: str) -> list[str]:
        """The other participants of a synchronizer, as its current topology has them."""
        sync = self.env.synchronizers.get(sync_id)
        if sync is None:
            return []
        return sorted(p for p in sync.topology.participants(sync.now()) if p != self.member_id)

    def reconciliation_interval(self, sync_id: str) -> int:
        sync = self.env.synchronizers.get(sync_id)
        return sync.parameters(sync.now()).reconciliationInterval if sync is not None else 60 * SECOND

    def slow_counter_participant_configs(self) -> list[dict[str, Any]]:
        row = s.AcsSlowCounterParticipantConfigRow
        with self.open_storage.read() as conn:
            return [
                {**dict(r), "distinguished": json.loads(r["distinguished"]), "individual_metrics": json.loads(r["individual_metrics"])}
                for r in conn.execute(select(row.__table__).order_by(row.synchronizer_id)).mappings()
            ]

    def set_slow_counter_participant_configs(self, configs: Sequence[dict[str, Any]]) -> None:
        """Add or replace the configuration of each synchronizer named (one transaction)."""
        row = s.AcsSlowCounterParticipantConfigRow
        with self.open_storage.transaction() as conn:
            for config in configs:
                for sync_id in config["synchronizer_ids"]:
                    conn.execute(delete(row).where(row.synchronizer_id == sync_id))
                    conn.execute(
                        insert(row),
                        [
                            {
                                "synchronizer_id": sync_id,
                                "distinguished": json.dumps(list(config["distinguished"])),
                                "threshold_distinguished": config["threshold_distinguished"],
                                "threshold_default": config["threshold_default"],
                                "individual_metrics": json.dumps(list(config["individual_metrics"])),
                            }
                        ],
                    )

    def commitment_acs_timestamp(self, sync_id: str) -> int:
        """The ACS timestamp commitments are computed from now (the last processed tick; the
        synchronizer's time when none was processed yet). This participant keeps no running
        commitments: every tick computes its commitments afresh from the ACS store, so a
        reinitialization has nothing to rebuild and takes effect at once."""
        last = self.last_computed_and_sent(sync_id)
        return last if last is not None else self.env.synchronizers[sync_id].now()

    def open_commitment(self, sync_id: str, commitment: str, tick: int, counter_participant: str) -> list[str]:
        """The contract ids behind a commitment we computed for ``counter_participant`` at ``tick``
        (Canton's OpenCommitment): refused when the tick is not a reconciliation tick, when we
        computed no such commitment, or when the ACS store no longer yields it."""
        described = f"The participant cannot open commitment {commitment} for participant {counter_participant} on synchronizer {sync_id}"
        if sync_id not in self.commitment_synchronizers():
            raise CantonError(PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR, f"Unknown synchronizer id {sync_id}")
        interval = self.reconciliation_interval(sync_id)
        computed = self.computed_commitments(sync_id, tick, tick, [counter_participant])
        if not any(r["from_exclusive"] < tick <= r["to_inclusive"] and r["commitment"] == commitment for r in computed):
            raise CantonError(
                PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR,
                f"{described} and period end {instant(tick)} because the participant has not computed such a commitment at the given tick timestamp for the given counter participant",
            )
        if tick % SECOND or (tick // SECOND) % max(1, interval // SECOND):
            raise CantonError(
                PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR,
                f"{described} because the given period end tick {instant(tick)} is not a valid reconciliation interval tick",
            )
        sync = self.env.synchronizers[sync_id]
        contracts = self.shared_contracts(sync_id, tick)
        hosts_of = {p: {h for h, _perm in sync.topology.hosting(p, tick)[1]} for c in contracts for p in c.stakeholders}
        shared = [c for c in contracts if counter_participant in set().union(*(hosts_of[p] for p in c.stakeholders)) and self.member_id in set().union(*(hosts_of[p] for p in c.stakeholders))]
        if commitments_by_counter_participant(self.member_id, shared, hosts_of, [counter_participant]).get(counter_participant) != commitment:
            raise CantonError(
                PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR,
                f"The participant computed commitment {commitment} for participant {counter_participant} on synchronizer {sync_id} and period end {instant(tick)} does not correspond to the ACS contents at that time",
            )
        return sorted(c.contract_id for c in shared)
