"""The reads behind ``ledger_api.completions``, ``ledger_api.state.connected_synchronizers``,
``ledger_api.updates.update_by_id`` / ``update_by_offset`` and ``health.count_in_flight``: each runs on the runtime thread against one participant node."""

from __future__ import annotations

import re
from typing import Any

from canton_console.admin.records import LedgerTransaction
from canton_console.runtime.participant import completions as store
from canton_console.runtime.participant.user_management import (
    api_error,
    invalid_argument,
    invalid_field,
    ledger_string_problem,
    missing_field,
    user_id_problem,
)
from canton_console.values import ledger
from canton_console.values.completions import (
    NEGATIVE_OFFSET,
    NON_POSITIVE_OFFSET,
    TEMPLATES_OR_INTERFACES_NOT_FOUND,
    CompletionRecord,
    LedgerConnectedSynchronizer,
)
from canton_console.values.update_format import FormatProblem, TransactionSelection, resolve_transaction_format, unknown_identifiers


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


# ---- the update service's point reads (GetUpdateById, GetUpdateByOffset) ------------------------------

_PARTY_CHARS = re.compile(r"[a-zA-Z0-9:\-_ ]")


def party_problem(text: str) -> str | None:
    """Why ``text`` is not a Daml-LF party (Ref.Party), in Daml-LF's words, or None."""
    if not text:
        return "Daml-LF Party is empty"
    if len(text) > 255:
        return "Daml-LF Party is too long (max: 255)"
    for ch in text:
        if not _PARTY_CHARS.fullmatch(ch):
            return f'non expected character 0x{ord(ch):x} in Daml-LF Party "{text}"'
    return None


def _known_template(template_id: str) -> bool:
    package_id, _, qualified = template_id.partition(":")
    package = ledger.package_by_id(package_id)
    return package is not None and qualified in package.templates


def _selection(update_format: Any) -> TransactionSelection | None:
    try:
        selection = resolve_transaction_format(update_format, party_problem)
    except FormatProblem as problem:
        if problem.kind == "missing":
            raise missing_field(problem.detail, None) from None
        raise invalid_argument(problem.detail, None) from None
    unknown = None if selection is None else unknown_identifiers(selection, _known_template)
    if unknown:
        raise api_error(TEMPLATES_OR_INTERFACES_NOT_FOUND, unknown, None)
    return selection


def _found(tx: Any, selection: TransactionSelection | None) -> tuple[LedgerTransaction, TransactionSelection] | None:
    if tx is None or selection is None:
        return None
    return LedgerTransaction(tx.update_id, tx.offset, tx.synchronizer_id, tx.command_id, tx.events, tx.record_time, tx.act_as), selection


def update_by_id(node: Any, update_id: str, update_format: Any) -> tuple[LedgerTransaction, TransactionSelection] | None:
    """Canton's validateUpdateById, then the transaction with that update id (None: not found,
    which the console reports as None)."""
    if not update_id:
        raise missing_field("update_id", None)
    problem = ledger_string_problem(update_id)
    if problem:
        raise invalid_field("update_id", problem, None)
    selection = _selection(update_format)
    return _found(next((t for t in node.transactions(0) if t.update_id == update_id), None), selection)


def update_by_offset(node: Any, offset: int, update_format: Any) -> tuple[LedgerTransaction, TransactionSelection] | None:
    """Canton's validateUpdateByOffset, then the transaction at that offset (None: not found)."""
    if offset <= 0:
        raise api_error(
            NON_POSITIVE_OFFSET, f"Offset {offset} in offset is not a positive integer: the offset has to be a positive integer (>0)", None
        )
    selection = _selection(update_format)
    return _found(next((t for t in node.transactions(offset - 1) if t.offset == offset), None), selection)
