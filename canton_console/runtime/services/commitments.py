"""A participant's ACS commitment inspection and configuration (Canton's ParticipantInspectionService
commitment calls, the pruning service's wait configuration and the repair service's commitment
reinitialization), over the participant runtime's commitment store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canton_console.runtime.participant import commitments as rt
from canton_console.runtime.services.base import LocalService
from canton_console.values import errors
from canton_console.values.commitments import (
    RECEIVED_CMT_STATE,
    SENT_CMT_STATE,
    AcsCommitment,
    CommitmentContractMetadata,
    CommitmentPeriod,
    CommitmentReinitializationInfo,
    CommitmentSignature,
    CounterParticipantInfo,
    HashedCommitment,
    NoWaitCommitments,
    ReceivedAcsCmt,
    SentAcsCmt,
    SignedAcsCommitment,
    SlowCounterParticipantSynchronizerConfig,
    WaitCommitments,
    some_or_none,
)
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.ids import ParticipantId, SynchronizerId
from canton_console.values.pruning import Timestamp
from canton_console.values.scala import NONE, Some, TypedVector

ILLEGAL_ARGUMENT_PRUNING_ERROR = errors.ErrorCode("ILLEGAL_ARGUMENT_PRUNING_ERROR", errors.ErrorCategory.InvalidIndependentOfSystemState)
# Canton's NonNegativeLong.maxValue: how far behind a counter-participant that never sent a commitment is
NEVER_SENT = 9223372036854775807


def _period(row: dict[str, Any]) -> CommitmentPeriod:
    return CommitmentPeriod(row["from_exclusive"], row["to_inclusive"])


def _participant(member: str) -> ParticipantId:
    return ParticipantId.tryFromProtoPrimitive(member)


def _overlapping(rows: list[dict[str, Any]], who: str, key: str, period: CommitmentPeriod) -> dict[str, Any] | None:
    return next((r for r in rows if r[key] == who and _period(r).overlaps(period)), None)


class LocalCommitmentsService(LocalService):
    passive_refusal = "admin"

    # ---- the local inspection commands (alias and time bounds) ------------------------------
    def _sync(self, alias: str) -> str:
        return self._node.commitment_synchronizer(alias)

    def received(self, alias: str, start: int, end: int, counter_participant: str | None) -> list[SignedAcsCommitment]:
        node = self._node

        def run() -> list[SignedAcsCommitment]:
            sync_id = self._sync(alias)
            rows = node.received_commitments(sync_id, start, end, [counter_participant] if counter_participant else [])
            return [
                SignedAcsCommitment(
                    AcsCommitment(SynchronizerId.parse(sync_id), _participant(r["sender"]), _participant(node.member_id), _period(r), HashedCommitment(r["commitment"])),
                    (CommitmentSignature(r["signed_by"], r["signature"]),),
                )
                for r in rows
            ]

        return self._call(run)

    def computed(self, alias: str, start: int, end: int, counter_participant: str | None) -> list[tuple[CommitmentPeriod, ParticipantId, HashedCommitment]]:
        node = self._node

        def run():
            rows = node.computed_commitments(self._sync(alias), start, end, [counter_participant] if counter_participant else [])
            return [(_period(r), _participant(r["counter_participant"]), HashedCommitment(r["commitment"])) for r in rows]

        return self._call(run)

    def outstanding(self, alias: str, start: int, end: int, counter_participant: str | None) -> list[tuple[CommitmentPeriod, ParticipantId, int]]:
        """Periods whose counter-commitment is still awaited or did not match (not those of
        counter-participants we do not wait for)."""
        node = self._node

        def run():
            rows = node.computed_commitments(self._sync(alias), start, end, [counter_participant] if counter_participant else [])
            return [(_period(r), _participant(r["counter_participant"]), r["state"]) for r in rows if r["state"] in (rt.OUTSTANDING, rt.MISMATCHED)]

        return self._call(run)

    def buffered(self, alias: str, end_at_or_before: int) -> list[AcsCommitment]:
        node = self._node

        def run():
            sync_id = self._sync(alias)
            rows = node.received_commitments(sync_id, rt.MIN_TIMESTAMP, end_at_or_before, buffered_only=True)
            return [
                AcsCommitment(SynchronizerId.parse(sync_id), _participant(r["sender"]), _participant(node.member_id), _period(r), HashedCommitment(r["commitment"]))
                for r in rows
                if r["to_inclusive"] <= end_at_or_before
            ]

        return self._call(run)

    def last_computed_and_sent(self, alias: str) -> int | None:
        return self._call(lambda: self._node.last_computed_and_sent(self._sync(alias)))

    # ---- the lookups across synchronizers ---------------------------------------------------
    def _search_ranges(self, ranges: Sequence[tuple[str, tuple[int, int] | None]]) -> list[tuple[str, int, int]]:
        """(synchronizer, fromExclusive, toInclusive) per requested range; no range: the last
        computed period of every registered synchronizer (as Canton's inspection service)."""
        node = self._node
        known = node.commitment_synchronizers()
        wanted = list(ranges) if ranges else [(sync_id, None) for sync_id in known]
        result = []
        for sync_id, bounds in wanted:
            if sync_id not in known:
                raise ServiceStatusError("INVALID_ARGUMENT", f"No synchronizer alias found for {sync_id}")
            if bounds is None:
                last = node.last_computed_and_sent(sync_id)
                if last is None:
                    raise ServiceStatusError("INVALID_ARGUMENT", f"No computations done for {sync_id}")
                bounds = (last, last)
            result.append((sync_id, bounds[0], bounds[1]))
        return result

    def lookup_received(
        self, ranges: Sequence[tuple[str, tuple[int, int] | None]], counter_participants: Sequence[str], states: Sequence[str], verbose: bool
    ) -> dict[str, list[ReceivedAcsCmt]]:
        node = self._node

        def run() -> dict[str, list[ReceivedAcsCmt]]:
            result: dict[str, list[ReceivedAcsCmt]] = {}
            for sync_id, start, end in self._search_ranges(ranges):
                received = node.received_commitments(sync_id, start, end, counter_participants)
                computed = node.computed_commitments(sync_id, start, end, counter_participants)
                found = result.setdefault(sync_id, [])
                for r in received:
                    period = _period(r)
                    local = _overlapping(computed, r["sender"], "counter_participant", period)
                    if r["buffered"]:
                        state = RECEIVED_CMT_STATE.Buffered
                    elif local is None or local["state"] == rt.MISMATCHED:
                        state = RECEIVED_CMT_STATE.Mismatch  # no local commitment: ACS_MISMATCH_NO_SHARED_CONTRACTS
                    elif local["state"] == rt.MATCHED:
                        state = RECEIVED_CMT_STATE.Match
                    else:
                        state = RECEIVED_CMT_STATE.Outstanding
                    if states and state.name not in states:
                        continue
                    item = ReceivedAcsCmt(
                        period,
                        _participant(r["sender"]),
                        Some(HashedCommitment(r["commitment"])) if verbose else NONE,
                        Some(HashedCommitment(local["commitment"])) if verbose and local is not None else NONE,
                        state,
                    )
                    if item not in found:
                        found.append(item)
            return result

        return self._call(run)

    def lookup_sent(
        self, ranges: Sequence[tuple[str, tuple[int, int] | None]], counter_participants: Sequence[str], states: Sequence[str], verbose: bool
    ) -> dict[str, list[SentAcsCmt]]:
        node = self._node
        names = {rt.MATCHED: SENT_CMT_STATE.Match, rt.MISMATCHED: SENT_CMT_STATE.Mismatch}

        def run() -> dict[str, list[SentAcsCmt]]:
            result: dict[str, list[SentAcsCmt]] = {}
            for sync_id, start, end in self._search_ranges(ranges):
                computed = node.computed_commitments(sync_id, start, end, counter_participants)
                received = node.received_commitments(sync_id, start, end, counter_participants) if verbose else []
                found = result.setdefault(sync_id, [])
                for c in computed:
                    state = names.get(c["state"], SENT_CMT_STATE.NotCompared)
                    if states and state.name not in states:
                        continue
                    remote = _overlapping(received, c["counter_participant"], "sender", _period(c))
                    item = SentAcsCmt(
                        _period(c),
                        _participant(c["counter_participant"]),
                        Some(HashedCommitment(c["commitment"])) if verbose else NONE,
                        Some(HashedCommitment(remote["commitment"])) if remote is not None else NONE,
                        state,
                    )
                    if item not in found:
                        found.append(item)
            return result

        return self._call(run)

    # ---- waiting for commitments ------------------------------------------------------------
    def set_wait(self, counter_participants: Sequence[str], synchronizer_ids: Sequence[str], wait: bool) -> None:
        """No-wait (``wait`` False) or wait again; nothing happens when either set is empty."""
        pairs = [(sid, cp) for sid in synchronizer_ids for cp in counter_participants]
        if not wait and len(set(pairs)) != len(pairs):
            raise CantonError(ILLEGAL_ARGUMENT_PRUNING_ERROR, "Synchronizer Participant pairs is not distinct")
        if not pairs:
            return
        self._call(lambda: self._node.set_no_wait(list(counter_participants), list(synchronizer_ids), wait))

    def wait_config(self, synchronizer_ids: Sequence[str], counter_participants: Sequence[str]) -> tuple[list[NoWaitCommitments], list[WaitCommitments]]:
        node = self._node

        def run() -> tuple[list[NoWaitCommitments], list[WaitCommitments]]:
            syncs = list(synchronizer_ids) or node.commitment_synchronizers()
            no_wait = [(sid, cp) for sid, cp in node.no_wait_counter_participants() if sid in syncs and (not counter_participants or cp in counter_participants)]
            known: dict[str, list[str]] = {}
            for sid in syncs:
                for cp in list(counter_participants) or node.known_counter_participants(sid):
                    known.setdefault(cp, []).append(sid)
            for _sid, cp in no_wait:
                known.setdefault(cp, [])
            ignored: dict[str, list[str]] = {}
            for sid, cp in no_wait:
                ignored.setdefault(cp, []).append(sid)
            waits = []
            for cp, sids in known.items():
                waited = [sid for sid in sids if sid not in ignored.get(cp, [])]
                if waited:
                    waits.append(WaitCommitments(_participant(cp), _syncs(waited)))
            return [NoWaitCommitments(_participant(cp), _syncs(sids)) for cp, sids in ignored.items()], waits

        return self._call(run)

    # ---- slow counter-participants ------------------------------------------------------------
    def set_slow_configs(self, configs: Sequence[SlowCounterParticipantSynchronizerConfig]) -> None:
        all_ids = [str(sid) for c in configs for sid in c.synchronizerIds]
        if len(set(all_ids)) != len(all_ids):
            raise CantonError(rt.PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR, "synchronizerIds are not distinct")
        rows = [
            {
                "synchronizer_ids": [str(sid) for sid in c.synchronizerIds],
                "distinguished": [str(p) for p in c.distinguishedParticipants],
                "threshold_distinguished": int(c.thresholdDistinguished),
                "threshold_default": int(c.thresholdDefault),
                "individual_metrics": [str(p) for p in c.participantsMetrics],
            }
            for c in configs
        ]
        self._call(lambda: self._node.set_slow_counter_participant_configs(rows))

    def slow_configs(self, synchronizer_ids: Sequence[str]) -> list[SlowCounterParticipantSynchronizerConfig]:
        def run():
            return [
                SlowCounterParticipantSynchronizerConfig(
                    (SynchronizerId.parse(r["synchronizer_id"]),),
                    tuple(_participant(p) for p in r["distinguished"]),
                    r["threshold_distinguished"],
                    r["threshold_default"],
                    tuple(_participant(p) for p in r["individual_metrics"]),
                )
                for r in self._node.slow_counter_participant_configs()
                if not synchronizer_ids or r["synchronizer_id"] in synchronizer_ids
            ]

        return self._call(run)

    def intervals_behind(self, counter_participants: Sequence[str], synchronizer_ids: Sequence[str], threshold: int) -> list[CounterParticipantInfo]:
        """Per counter-participant: the reconciliation intervals between its newest matched period
        and our last computed one (0 when it sent a commitment for our last period; NonNegativeLong's
        maximum when it never did). Without named counter-participants only those behind by more
        than ``threshold`` are listed."""
        node = self._node

        def run():
            result = []
            for sync_id in node.commitment_synchronizers():
                if synchronizer_ids and sync_id not in synchronizer_ids:
                    continue
                last = node.last_computed_and_sent(sync_id)
                last_final = rt.MIN_TIMESTAMP if last is None else last
                interval = node.reconciliation_interval(sync_id)
                computed = node.computed_commitments(sync_id, rt.MIN_TIMESTAMP, last_final, counter_participants)
                up_to_date = {r["sender"] for r in node.received_commitments(sync_id, last_final, last_final)}
                participants = list(counter_participants) or node.known_counter_participants(sync_id)
                for cp in participants:
                    matched = [r["to_inclusive"] for r in computed if r["counter_participant"] == cp and r["state"] == rt.MATCHED]
                    if matched:
                        behind = max(0, (last_final - max(matched)) // interval)
                    else:
                        behind = 0 if cp in up_to_date else NEVER_SENT
                    if counter_participants or behind > threshold:
                        result.append(CounterParticipantInfo(_participant(cp), SynchronizerId.parse(sync_id), behind, last_final))
            return result

        return self._call(run)

    def reinitialize(self, synchronizer_ids: Sequence[str], counter_participants: Sequence[str], parties: Sequence[str]) -> list[CommitmentReinitializationInfo]:
        node = self._node

        def run():
            known = node.commitment_synchronizers()
            result = []
            for sync_id in list(synchronizer_ids) or known:
                if sync_id not in known:
                    info = CommitmentReinitializationInfo(SynchronizerId.parse(sync_id), Some(f"Synchronizer {sync_id} is not known to this participant"), NONE)
                else:
                    info = CommitmentReinitializationInfo(SynchronizerId.parse(sync_id), NONE, Some(Timestamp(node.commitment_acs_timestamp(sync_id))))
                result.append(info)
            return result

        return self._call(run)

    def open_commitment(self, commitment: str, synchronizer_id: str, timestamp: int, counter_participant: str) -> list[CommitmentContractMetadata]:
        """The contracts behind a commitment we computed; no reassignments happen here, so every
        reassignment counter is 0."""
        found = self._call(lambda: self._node.open_commitment(synchronizer_id, commitment, timestamp, counter_participant))
        return [CommitmentContractMetadata(cid, 0) for cid in found]

    def inspect_commitment_contracts(self, contracts: Sequence[str], timestamp: int, expected_synchronizer_id: str, download_payload: bool) -> None:
        """Refused: no reassignment history is kept to report contract states across synchronizers from."""
        raise ServiceStatusError(
            "UNIMPLEMENTED",
            f"Method not found: InspectCommitmentContracts (canton-console keeps no reassignment history to report the states of {len(contracts)} contract(s) from)",
        )


def _syncs(ids: Sequence[str]) -> TypedVector:
    return TypedVector("SynchronizerId", *(SynchronizerId.parse(i) for i in ids))


__all__ = ["LocalCommitmentsService", "some_or_none"]
