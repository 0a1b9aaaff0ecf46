"""What nodes read when they start, without reading their history (issue 16).

A start reads the high-water marks it needs through indexes (one index probe per synchronizer, not a
scan of the ledger), and a member that stops cleanly stores how far it has seen its synchronizer, so
that the next start catches up from there and not from the last event that happened to concern it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from canton_console.store import schema as s


def last_record_times(conn: Any) -> dict[str, int]:
    """The latest record time of the participant's ledger updates per synchronizer: the same as
    ``max(record_time) ... GROUP BY synchronizer_id``, read as a skip scan of the index on
    (synchronizer_id, record_time): the next synchronizer id, then its maximum, each one index probe.
    (The index's key is ``schema.LEDGER_SYNCHRONIZER_KEY``, the synchronizer id as an expression.)"""
    u, key = s.LedgerUpdateRow, s.LEDGER_SYNCHRONIZER_KEY
    found: dict[str, int] = {}
    sync_id = conn.execute(select(func.min(key))).scalar()
    while sync_id is not None:
        found[sync_id] = conn.execute(select(func.max(u.record_time)).where(key == sync_id)).scalar()
        sync_id = conn.execute(select(func.min(key)).where(key > sync_id)).scalar()
    return found


def seen_through(sync: Any, member: str, subscription: Any, pending: bool) -> int | None:
    """(runtime thread, between tasks) How far ``member`` has seen ``sync``: its last sequencing
    timestamp, when the member's subscription is live (every stored event addressed to the member
    was delivered: events are stored and delivered within one task of the runtime thread) and the
    member has no request in progress there; else None (only what it processed counts).

    Events after it are all later than it, so a member may take it as its clean replay point: the
    events in between that were not addressed to it are then never read again."""
    if pending or subscription is None or subscription.behind or sync.subscribers.get(member) is not subscription:
        return None
    if sync.reachable_sequencer(subscription) is None:
        return None
    return sync.last_timestamp


def copy_missing_events(src: Any, dst: Any, sync_id: str) -> bool:
    """Copy to a sequencer's store (``dst``, in its transaction) the events of a peer's (``src``)
    that it lacks, when it holds the peer's events up to its own last one: its last event is the
    peer's event at that timestamp (same sender and message id) and both were pruned to the same
    lower bound. Sequencers store each batch together, and one that missed a batch stores nothing
    more until it copied from a peer, so what it holds is then the peer's history up to there and
    only the events after it are read. False (nothing copied) otherwise: the caller copies all."""
    ev, bound = s.SequencedEventRow, s.SequencerLowerBoundRow
    last = dst.execute(
        select(ev.timestamp, ev.sender, ev.message_id).where(ev.synchronizer_id == sync_id).order_by(ev.timestamp.desc()).limit(1)
    ).first()
    if last is None:
        return False
    theirs = src.execute(select(ev.sender, ev.message_id).where(ev.synchronizer_id == sync_id, ev.timestamp == last.timestamp)).first()
    if theirs is None or tuple(theirs) != (last.sender, last.message_id):
        return False
    lower_bound = select(bound.timestamp).where(bound.synchronizer_id == sync_id)
    if src.execute(lower_bound).scalar() != dst.execute(lower_bound).scalar():
        return False
    table = ev.__table__
    rows = [dict(r) for r in src.execute(select(table).where(ev.synchronizer_id == sync_id, ev.timestamp > last.timestamp)).mappings()]
    if rows:
        dst.execute(insert(ev), rows)
    return True
