"""The reads behind ``ledger_api.completions``, ``ledger_api.state.connected_synchronizers`` and
``health.count_in_flight``: each runs on the runtime thread against one participant node."""

from __future__ import annotations

from typing import Any

from canton_console.runtime.participant import completions as store
from canton_console.runtime.participant.user_management import api_error, invalid_field, missing_field, user_id_problem
from canton_console.values import ledger
from canton_console.values.completions import NEGATIVE_OFFSET, CompletionRecord, LedgerConnectedSynchronizer


def completions(node: Any, parties: list[str], user_id: str, begin_exclusive: int) -> list[CompletionRecord]:
    """Canton's CompletionServiceRequestValidator, then the stored completions up to the ledger end."""
    if not user_id:
        raise missing_field("user_id", None)
    problem = user_id_problem(user_id)
    if problem:
        raise invalid_field("user_id", problem, None)
    if begin_exclusive < 0:
        raise api_error(
            NEGATIVE_OFFSET,
            f"Offset {begin_exclusive} in begin_exclusive is a negative integer: the offset in begin_exclusive field has to be a non-negative integer (>=0)",
            None,
        )
    end = node.ledger_end
    ledger.check_offset("Begin", begin_exclusive, end)
    if not parties:
        raise missing_field("parties", None)
    with node.open_storage.read() as conn:
        return store.completions_after(conn, begin_exclusive, end, user_id, set(parties))


def connected_synchronizers(node: Any, party: str | None) -> list[LedgerConnectedSynchronizer]:
    """The healthy connected synchronizers (Canton keeps only those ready for submissions); with a
    party, only those whose topology hosts it on this participant, with its permission."""
    result = []
    for connection, sync, healthy in node.connected_synchronizers():
        if not healthy:
            continue
        if party is None:
            result.append(LedgerConnectedSynchronizer(connection.alias, sync.id))
            continue
        _threshold, hosts = sync.topology.hosting(party, sync.now())
        permission = next((perm for participant, perm in hosts if participant == node.member_id), None)
        if permission is not None:
            result.append(LedgerConnectedSynchronizer(connection.alias, sync.id, permission))
    return result


def count_in_flight(node: Any, synchronizer_id: str) -> tuple[int, int]:
    """(pending submissions, pending transactions): our submissions to the synchronizer not decided
    yet, and the requests there this participant validated and awaits the verdict of."""
    submissions = sum(1 for sub in node.submissions.values() if sub.synchronizer_id == synchronizer_id and not sub.future.done())
    transactions = sum(1 for sync_id, _ in node.pending if sync_id == synchronizer_id)
    return submissions, transactions
