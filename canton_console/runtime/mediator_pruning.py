"""A mediator's pruning and inspection: the safe pruning point (Canton's
``Mediator.latestSafePruningTsBefore``), removing finalized requests up to a timestamp, locating
pruning timestamps, its pruning schedule, and reading its stored verdicts."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import delete, func, select

from canton_console.runtime import pruning_schedule as ps
from canton_console.store import schema as s
from canton_console.values import topology
from canton_console.values.errors import ServiceStatusError
from canton_console.values.mediator_verdicts import StoredVerdict
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.timefmt import instant

if TYPE_CHECKING:
    from canton_console.runtime.mediator import MediatorNode

log = logging.getLogger("canton_console.mediator")


@attrs.frozen
class ParametersValidity:
    """One version of the dynamic synchronizer parameters: from when (and until when) it applies, and
    its confirmation response timeout (µs)."""

    valid_from: int
    valid_until: int | None
    confirmation_response_timeout: int


def safe_until(params: ParametersValidity, clean: int) -> int | None:
    """Canton's ``checkPruningStatus``: None when these parameters put no bound on pruning (they
    apply only after the clean point, or ended a timeout before it), else the latest safe point."""
    timeout = params.confirmation_response_timeout
    capped = max(params.valid_from, clean - timeout)
    if clean <= params.valid_from:
        return None
    if params.valid_until is None or clean <= params.valid_until:
        return capped
    return None if params.valid_until + timeout <= clean else capped


def latest_safe_pruning_timestamp(changes: list[ParametersValidity], clean: int) -> int | None:
    """The latest safe pruning timestamp at or before the clean point (None: no version bounds it)."""
    bounds = [b for b in (safe_until(p, clean) for p in changes) if b is not None]
    return min(bounds) if bounds else None


def parameter_changes(node: MediatorNode, at: int) -> list[ParametersValidity]:
    """The parameter versions of the mediator's synchronizer that became valid by ``at``."""
    sync = node._joined
    result = []
    for stored in sync.topology.all_transactions(topology.SYNCHRONIZER_PARAMETERS):
        if stored.is_proposal or stored.operation != topology.REPLACE or stored.valid_from > at:
            continue
        params = DynamicSynchronizerParameters.from_dict(stored.mapping.data["parameters"])
        result.append(ParametersValidity(stored.valid_from, stored.valid_until, params.confirmationResponseTimeout))
    return result


def _initialized(node: MediatorNode) -> None:
    if node.synchronizer is None:
        raise ServiceStatusError("FAILED_PRECONDITION", "Mediator is not initialized")


def clean_timestamp(node: MediatorNode) -> int:
    """Canton's clean sequencer counter prehead: every event up to it is processed and the
    verdicts of the requests before it are stored (the requests still pending come after it)."""
    return min(node.pending) - 1 if node.pending else node.last_seen


def prune(node: MediatorNode, timestamp: int) -> int:
    """Remove the verdicts of the requests up to and including ``timestamp`` (Canton: finalized
    requests and sequenced events); refused beyond the safe point. Returns how many went."""
    _initialized(node)
    clean = clean_timestamp(node)
    if not clean:
        raise ServiceStatusError("FAILED_PRECONDITION", "There is no mediator data available for pruning")
    if timestamp > clean:
        raise ServiceStatusError(
            "INVALID_ARGUMENT", f"Requested pruning timestamp [{instant(timestamp)}] is later than the earliest available pruning timestamp [{instant(clean)}]"
        )
    changes = parameter_changes(node, timestamp)
    if not changes:
        log.info("No synchronizer parameters found for pruning at %s. This is likely due to %s being before synchronizer bootstrapping. Will not prune.",
                 instant(timestamp), instant(timestamp))
        return 0
    safe = latest_safe_pruning_timestamp(changes, clean)
    if safe is None:
        raise ServiceStatusError(
            "INTERNAL", f"Dynamic synchronizer parameters to compute earliest available pruning timestamp not found for ts [{instant(timestamp)}]"
        )
    if timestamp > safe:
        raise ServiceStatusError(
            "INVALID_ARGUMENT", f"Requested pruning timestamp [{instant(timestamp)}] is later than the earliest available pruning timestamp [{instant(safe)}]"
        )
    verdicts = s.MediatorVerdictRow
    with node.open_storage.transaction() as conn:
        removed = conn.execute(delete(verdicts).where(verdicts.request_id <= timestamp)).rowcount
    node.decided = {r for r in node.decided if r > timestamp}
    log.info("mediator %s pruned %s finalized requests up to %s", node.name, removed, instant(timestamp))
    return int(removed or 0)


def locate_pruning_timestamp(node: MediatorNode, index: int) -> int | None:
    """The request time of the ``index``-th (1-based) oldest finalized request still stored."""
    if index < 1:
        raise ServiceStatusError("INVALID_ARGUMENT", f"Received the negative or zero value {index - 1} where a non-negative value was expected")
    verdicts = s.MediatorVerdictRow
    with node.open_storage.read() as conn:
        return conn.execute(select(verdicts.request_id).order_by(verdicts.request_id).offset(index - 1).limit(1)).scalar()


def stored_verdict_count(node: MediatorNode) -> int:
    with node.open_storage.read() as conn:
        return int(conn.execute(select(func.count()).select_from(s.MediatorVerdictRow.__table__)).scalar() or 0)


# ---- the pruning schedule ---------------------------------------------------------------------
def scheduled_job(node: MediatorNode, retention_seconds: int) -> bool:
    """One run of Canton's MediatorPruningScheduler job: prune up to the retention point (or the end
    of the next batch, whichever is earlier). True when more remains to prune."""
    next_batch = locate_pruning_timestamp(node, MAX_PRUNING_BATCH_SIZE + 1)
    retention_point = node.env.clock.now() - retention_seconds * 1_000_000
    target = retention_point if next_batch is None else min(next_batch, retention_point)
    try:
        prune(node, target)
    except ServiceStatusError as e:
        if e.description == "There is no mediator data available for pruning":
            return False
        raise
    log.info("Pruned up to %s", instant(target))
    return target != retention_point


# Canton's mediator pruning config ``max-pruning-batch-size`` default
MAX_PRUNING_BATCH_SIZE = 50_000


def make_scheduler(node: MediatorNode) -> ps.ScheduledPruning:
    def read() -> ps.Schedule | None:
        with node.open_storage.read() as conn:
            return ps.read_schedule(conn)

    return ps.ScheduledPruning(
        node.name,
        node.env.scheduler,
        node.env.clock,
        read,
        lambda schedule: scheduled_job(node, schedule.retention),
        lambda: node.running and not node.passive and not node.halted,
    )


# ---- verdicts ---------------------------------------------------------------------------------
def verdicts_after(node: MediatorNode, after: int, limit: int) -> list[StoredVerdict]:
    """The stored verdicts of requests after ``after`` (exclusive), ordered by finalization time and
    then request time, at most ``limit`` of them."""
    _initialized(node)
    v = s.MediatorVerdictRow
    with node.open_storage.read() as conn:
        rows = conn.execute(select(v.__table__).where(v.request_id > after).order_by(v.decided_at, v.request_id).limit(limit)).mappings().all()
    return [_stored_verdict(row) for row in rows]


def _stored_verdict(row: Any) -> StoredVerdict:
    informees = json.loads(row["informees"]) if row.get("informees") else {}
    return StoredVerdict(
        row["request_id"],
        row["decided_at"],
        row["verdict"] == "approve",
        tuple(json.loads(row["submitting_parties"]) if row.get("submitting_parties") else ()),
        row.get("submitting_participant") or "",
        tuple((party, int(spec.get("threshold", 1)), bool(spec.get("participants"))) for party, spec in sorted(informees.items())),
        int(row.get("mediator_group") or 0),
        row.get("root_hash") or "",
    )
