"""Participant pruning as Canton 3.3 does it (its ``PruningProcessor`` and Ledger API pruning service).

``prune(node, upTo)`` removes the ledger updates at or below the offset, the contracts archived at
or below it, and the accepted command deduplication entries at or below it, and stores the pruning
offset: from then on Ledger API reads starting at or below it are refused with
PARTICIPANT_PRUNED_DATA_ACCESSED. Active contracts are never removed. The offset must be before the
ledger end (OFFSET_OUT_OF_RANGE) and safe (UNSAFE_TO_PRUNE):

* per synchronizer, an update at or after the participant's durably stored clean point on it (its
  crash recovery point: requests not yet decided, events not yet stored as processed) is unsafe;
* an update whose publication time is within the max deduplication duration (7 days) of the latest
  published one is unsafe (deduplication still needs it).

Canton also holds back offsets the ACS commitment exchange still needs; canton-console exchanges no
commitments, so that constraint is absent. Our publication time is the record time: the node's
sequencer and participant share the runtime's clock.

``prune_internally`` prunes only what the Ledger API does not show: the command deduplication
entries (here the contracts table is also the Ledger API's active contract store, so archived
contracts stay until ``prune``). It may go up to the ledger end.

Participants acknowledge to the sequencers only their durably stored clean point
(``acknowledge_clean``): a sequencer never prunes events a participant would need again after a
crash.

Scheduled pruning (``set_schedule``...): the schedule every node shares
(:mod:`canton_console.runtime.pruning_schedule`); while a cron window is open the participant prunes
up to the safe offset at ``now - retention``."""

from __future__ import annotations

import logging
from typing import Any

import attrs
from sqlalchemy import delete, func, insert, select

from canton_console.runtime.participant.records import MAX_DEDUPLICATION_DURATION
from canton_console.runtime.pruning_schedule import Schedule, ScheduledPruning, read_schedule
from canton_console.store import schema as s
from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.values.timefmt import canton_duration, instant

log = logging.getLogger("canton_console.participant")

C = errors.ErrorCategory
UNSAFE_TO_PRUNE = errors.ErrorCode("UNSAFE_TO_PRUNE", C.InvalidGivenCurrentSystemStateOther)
NO_INTERNAL_PARTICIPANT_DATA_BEFORE = errors.ErrorCode("NO_INTERNAL_PARTICIPANT_DATA_BEFORE", C.InvalidGivenCurrentSystemStateOther)
OFFSET_OUT_OF_RANGE = errors.ErrorCode("OFFSET_OUT_OF_RANGE", C.InvalidGivenCurrentSystemStateOther)
NON_POSITIVE_OFFSET = errors.ErrorCode("NON_POSITIVE_OFFSET", C.InvalidIndependentOfSystemState)
PARTICIPANT_PRUNED_DATA_ACCESSED = errors.ErrorCode("PARTICIPANT_PRUNED_DATA_ACCESSED", C.InvalidGivenCurrentSystemStateOther)
LEDGER_INVALID_ARGUMENT = errors.ErrorCode("INVALID_ARGUMENT", C.InvalidIndependentOfSystemState)
INTERNAL_PRUNING_ERROR = errors.ErrorCode("INTERNAL_PRUNING_ERROR", C.SystemInternalAssumptionViolated)

CRASH_RECOVERY = "Synchronizer index crash recover"


@attrs.frozen
class UnsafeOffset:
    """The first offset pruning must keep, and why (Canton's ``UnsafeOffset``)."""

    offset: int
    synchronizer_id: str
    record_time: int
    cause: str


@attrs.frozen
class PruningState:
    pruned_up_to: int | None = None
    internally_pruned_up_to: int | None = None


def earliest(candidates: list[UnsafeOffset]) -> UnsafeOffset | None:
    """The lowest unsafe offset (the first found wins a tie, as Canton's ``minByOption``)."""
    return min(candidates, key=lambda u: u.offset) if candidates else None


def safe_offset_below(unsafe: UnsafeOffset | None, bound: int) -> int | None:
    """The highest offset at or below ``bound`` that is safe: just below the first unsafe one."""
    if unsafe is None or unsafe.offset > bound:
        return bound
    return unsafe.offset - 1 if unsafe.offset - 1 >= 1 else None


def ledger_end_text(ledger_end: int) -> str:
    """Canton's ``Option[Offset]`` as the pruning service prints the ledger end."""
    return f"Some(Offset({ledger_end}))" if ledger_end > 0 else "None"


# ---- stored state ------------------------------------------------------------------------------
def pruning_state(node: Any, conn: Any = None) -> PruningState:
    if conn is None:
        with node.open_storage.read() as c:
            return pruning_state(node, c)
    row = conn.execute(select(s.ParticipantPruningRow.__table__)).mappings().first()
    return PruningState() if row is None else PruningState(row["pruned_up_to"], row["internally_pruned_up_to"])


def _store_state(conn: Any, state: PruningState) -> None:
    conn.execute(delete(s.ParticipantPruningRow))
    conn.execute(insert(s.ParticipantPruningRow), [{"id": 1, "pruned_up_to": state.pruned_up_to, "internally_pruned_up_to": state.internally_pruned_up_to}])


def check_not_pruned(node: Any, begin_exclusive: int, end_inclusive: int, stream: str) -> None:
    """Refuse a Ledger API stream that starts at or below the pruning offset."""
    pruned = pruning_state(node).pruned_up_to
    if pruned is not None and begin_exclusive < pruned:
        raise CantonError(
            PARTICIPANT_PRUNED_DATA_ACCESSED, f"{stream} request from {begin_exclusive + 1} to {end_inclusive} precedes pruned offset {pruned}"
        )


def check_snapshot_not_pruned(node: Any, active_at: int) -> None:
    """Refuse an active contract snapshot at an offset below the pruning offset."""
    pruned = pruning_state(node).pruned_up_to
    if pruned is not None and active_at < pruned:
        raise CantonError(PARTICIPANT_PRUNED_DATA_ACCESSED, f"Active contracts request at offset {active_at} precedes pruned offset {pruned}")


# ---- the clean point: what the participant has durably processed ----------------------------------
def persist_clean_cursor(node: Any, sync_id: str) -> int | None:
    """Store the participant's clean point on ``sync_id`` (every event up to it is processed and
    its effects are stored; requests awaiting a verdict are before it) when it is ahead of the stored
    one; return the stored point (None: nothing stored)."""
    cursors = s.MemberCursorRow
    with node.open_storage.transaction() as conn:
        stored = conn.execute(select(cursors.timestamp).where(cursors.synchronizer_id == sync_id)).scalar()
        if node.running and not node.passive and not node.halted and sync_id in node.subscriptions:
            clean = node._clean_cursor(sync_id)
            if clean > (stored if stored is not None else -(2**62)):
                node._write_cursor(sync_id, conn)
                stored = clean
    return stored


def acknowledge_clean(node: Any, sync_id: str) -> int:
    """What a participant acknowledges to the sequencers of ``sync_id``: its durably stored clean
    point (stored first when the participant is ahead of it), never merely what was delivered. A
    participant that cannot reach its store acknowledges what it last stored."""
    known: dict[str, int] = node.__dict__.setdefault("_acknowledged_clean", {})
    if node.running and not node.passive and not node.halted:
        try:
            stored = persist_clean_cursor(node, sync_id)
        except Exception as e:  # noqa: BLE001 - the store is unavailable: acknowledge nothing new
            log.info("participant %s could not store its clean point: %s", node.name, e)
        else:
            if stored is not None:
                known[sync_id] = stored
    # Below any registration: a sequencer takes it as "nothing acknowledged yet"
    return known.get(sync_id, -(2**62))


# ---- safety --------------------------------------------------------------------------------------
def _first_unsafe(node: Any, conn: Any, up_to: int) -> tuple[UnsafeOffset | None, bool]:
    """The first unsafe offset when pruning up to ``up_to``, and whether there is anything to prune
    (a synchronizer with an update at or below ``up_to``)."""
    u = s.LedgerUpdateRow
    affected = [sid for (sid,) in conn.execute(select(u.synchronizer_id).where(u.offset <= up_to).distinct()).all()]
    if not affected:
        return None, False
    candidates: list[UnsafeOffset] = []
    cursors = dict(conn.execute(select(s.MemberCursorRow.synchronizer_id, s.MemberCursorRow.timestamp)).all())
    for sync_id in sorted(affected):
        clean = cursors.get(sync_id)
        query = select(u.offset, u.record_time).where(u.synchronizer_id == sync_id)
        if clean is not None:
            query = query.where(u.record_time >= clean)
        row = conn.execute(query.order_by(u.offset).limit(1)).first()
        if row is not None:
            candidates.append(UnsafeOffset(row[0], sync_id, row[1], CRASH_RECOVERY))
    latest_publication = conn.execute(select(func.max(u.record_time))).scalar()
    if latest_publication is not None:
        row = conn.execute(
            select(u.offset, u.synchronizer_id, u.record_time).where(u.record_time >= latest_publication - MAX_DEDUPLICATION_DURATION).order_by(u.offset).limit(1)
        ).first()
        if row is not None:
            candidates.append(UnsafeOffset(row[0], row[1], row[2], f"max deduplication duration of {canton_duration(MAX_DEDUPLICATION_DURATION)}"))
    return earliest(candidates), True


def _persist_clean_cursors(node: Any) -> None:
    for sync_id in list(node.subscriptions):
        persist_clean_cursor(node, sync_id)


def _ensure_safe(node: Any, up_to: int) -> bool:
    """Refuse an unsafe pruning offset (UNSAFE_TO_PRUNE); False when there is nothing to prune."""
    _persist_clean_cursors(node)
    with node.open_storage.read() as conn:
        unsafe, anything = _first_unsafe(node, conn, up_to)
    if unsafe is not None and unsafe.offset <= up_to:
        log.info(
            "Unsafe to prune: Unsafe to prune offset Offset(%s) due to the event for %s with record time %s",
            up_to,
            unsafe.synchronizer_id,
            instant(unsafe.record_time),
        )
        raise CantonError(UNSAFE_TO_PRUNE, f"Participant cannot prune at specified offset due to {unsafe.cause}")
    return anything


def safe_offset(node: Any, before_or_at: int, bound: int) -> int | None:
    """Canton's ``safeToPrune``: the highest offset at or below ``bound`` whose publication time is at
    or before ``before_or_at`` and that is safe to prune; None when none is."""
    node.require_active()
    _persist_clean_cursors(node)
    u = s.LedgerUpdateRow
    with node.open_storage.read() as conn:
        before = conn.execute(select(func.max(u.offset)).where(u.record_time <= before_or_at)).scalar()
        if before is None:
            raise CantonError(
                NO_INTERNAL_PARTICIPANT_DATA_BEFORE, f"No internal participant data to prune up to time {instant(before_or_at)} and offset {bound}."
            )
        rewound = min(before, bound)
        unsafe, _anything = _first_unsafe(node, conn, rewound)
    return safe_offset_below(unsafe, rewound)


def offset_by_time(node: Any, up_to_inclusive: int) -> int | None:
    """The largest offset published at or before ``up_to_inclusive``."""
    node.require_active()
    u = s.LedgerUpdateRow
    with node.open_storage.read() as conn:
        found = conn.execute(select(func.max(u.offset)).where(u.record_time <= up_to_inclusive)).scalar()
    return None if found is None else int(found)


# ---- pruning -------------------------------------------------------------------------------------
def _check_positive(up_to: int) -> None:
    if up_to == 0:
        raise CantonError(LEDGER_INVALID_ARGUMENT, "The submitted request has invalid arguments: prune_up_to not specified or zero")
    if up_to < 0:
        raise CantonError(
            NON_POSITIVE_OFFSET, f"Offset {up_to} in prune_up_to is not a positive integer: the offset has to be a positive integer (>0)"
        )


def prune(node: Any, up_to: int) -> None:
    """The Ledger API's pruning: internal state and the Ledger API's updates and archived contracts.
    Its errors come as the Ledger API's, correlated with the request's submission id."""
    from canton_console.runtime.participant.user_management import api_error, new_submission_id

    node.require_active()
    try:
        _prune(node, up_to)
    except CantonError as e:
        raise api_error(e.code, e.cause, new_submission_id()) from None


def _prune(node: Any, up_to: int) -> None:
    _check_positive(up_to)
    if up_to >= node.ledger_end:
        raise CantonError(OFFSET_OUT_OF_RANGE, f"prune_up_to needs to be before ledger end {ledger_end_text(node.ledger_end)}")
    anything = _ensure_safe(node, up_to)
    if not anything:
        log.info("Could not locate pruning point: Nothing to prune. Considering success for idempotency")
    u, c, dedup = s.LedgerUpdateRow, s.ContractRow, s.CommandDeduplicationRow
    with node.open_storage.transaction() as conn:
        state = pruning_state(node, conn)
        updates = conn.execute(delete(u).where(u.offset <= up_to)).rowcount
        contracts = conn.execute(delete(c).where(c.archived_offset.is_not(None), c.archived_offset <= up_to)).rowcount
        entries = conn.execute(delete(dedup).where(dedup.status == "accepted", dedup.offset <= up_to)).rowcount
        _store_state(
            conn,
            PruningState(max(state.pruned_up_to or 0, up_to), max(state.internally_pruned_up_to or 0, up_to)),
        )
    log.info("%s pruned up to %s: %s updates, %s archived contracts, %s deduplication entries", node.name, up_to, updates, contracts, entries)


def prune_internally(node: Any, up_to: int) -> None:
    """Prune only internal state (no visible effect on the Ledger API)."""
    node.require_active()
    if up_to <= 0:
        raise CantonError(
            LEDGER_INVALID_ARGUMENT,
            f"The submitted request has invalid arguments: The prune_up_to field ({up_to}) is invalid: Expecting positive value for offset, found {up_to}.",
        )
    if up_to > node.ledger_end:
        # Canton reports LedgerPruningOffsetAfterLedgerEnd as an internal pruning error
        log.info("Provided pruning offset is ahead of ledger-end.")
        raise CantonError(INTERNAL_PRUNING_ERROR, "Internal error such as the inability to write to the database")
    if not _ensure_safe(node, up_to):
        log.info("Could not locate pruning point: Nothing to prune. Considering success for idempotency")
    dedup = s.CommandDeduplicationRow
    with node.open_storage.transaction() as conn:
        state = pruning_state(node, conn)
        entries = conn.execute(delete(dedup).where(dedup.status == "accepted", dedup.offset <= up_to)).rowcount
        _store_state(conn, PruningState(state.pruned_up_to, max(state.internally_pruned_up_to or 0, up_to)))
    log.info("%s pruned internal state up to %s: %s deduplication entries", node.name, up_to, entries)


# ---- the schedule --------------------------------------------------------------------------------
def start_schedule(node: Any) -> None:
    """(Re)arm the participant's scheduled pruning (:class:`ScheduledPruning` over its store)."""
    scheduler = node.__dict__.get("pruning_scheduler")
    if scheduler is None:
        scheduler = node.pruning_scheduler = ScheduledPruning(
            node.name,
            node.env.scheduler,
            node.env.clock,
            lambda: _read_schedule(node),
            lambda schedule: _prune_to_retention(node, schedule),
            lambda: node.running and not node.passive and not node.halted,
        )
    scheduler.arm()


def _read_schedule(node: Any) -> Schedule | None:
    with node.open_storage.read() as conn:
        return read_schedule(conn)


def _prune_to_retention(node: Any, schedule: Schedule) -> bool:
    """One scheduled run: prune up to the safe offset at ``now - retention`` (only internal state
    when the schedule says so). Done in one go: False (nothing more to do in this window)."""
    internal = schedule.prune_internally_only
    bound = node.ledger_end if internal else node.ledger_end - 1
    if bound <= 0:
        return False
    try:
        target = safe_offset(node, node.env.clock.now() - schedule.retention * 1_000_000, bound)
    except CantonError as e:
        if e.code == NO_INTERNAL_PARTICIPANT_DATA_BEFORE:
            return False  # nothing old enough yet
        raise
    state = pruning_state(node)
    done = state.internally_pruned_up_to if internal else state.pruned_up_to
    if target is None or target <= (done or 0):
        return False
    log.info("%s scheduled pruning up to %s", node.name, target)
    (prune_internally if internal else prune)(node, target)
    return False
