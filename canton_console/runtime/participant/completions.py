"""The command completions of a participant's Ledger API submissions (Canton's completion store).

Each Ledger API submission (``submit_command``: one with a change id) that is decided gets one
completion, written in the same store transaction as the decision:
* accepted: at the offset of its transaction, with the transaction's update id;
* rejected (a mediator or participant verdict, a timeout, a request the synchronizer did not
  sequence in time or refused with a deliver error, a duplicate command): at a new offset of its
  own, as Canton's indexer gives a ``CommandRejected`` update one, so the ledger end moves on.
A request is identified by its key (the root hash of its confirmation request), so a request
replayed after a restart is completed once."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, insert, select

from canton_console.store import schema as s
from canton_console.values.completions import CompletionRecord, status_of
from canton_console.values.errors import CantonError

C = s.LedgerCompletionRow
_ROW_FIELDS = (
    "offset",
    "command_id",
    "user_id",
    "act_as",
    "submission_id",
    "update_id",
    "status_code",
    "status_message",
    "synchronizer_id",
    "record_time",
    "deduplication_duration",
    "deduplication_offset",
)


def submitter_info(view: dict[str, Any]) -> tuple[str, tuple[str, ...], str, str] | None:
    """(user id, act-as parties, command id, submission id) of a Ledger API submission's view;
    None for a submission without a change (the admin workflows: pings)."""
    change = view.get("change")
    if not view.get("change_id") or not change:
        return None
    user_id, _parties, command_id = json.loads(change)
    return user_id, tuple(view["act_as"]), command_id, view.get("submission_id") or ""


def _row(offset: int, request_key: str, info: tuple[str, tuple[str, ...], str, str], update_id: str, error: CantonError | None, synchronizer_id: str, record_time: int, duration: int | None, dedup_offset: int | None) -> dict[str, Any]:
    user_id, act_as, command_id, submission_id = info
    code, message = status_of(error)
    return {
        "offset": offset,
        "request_key": request_key,
        "command_id": command_id,
        "user_id": user_id,
        "act_as": json.dumps(list(act_as)),
        "submission_id": submission_id,
        "update_id": update_id,
        "status_code": code,
        "status_message": message,
        "synchronizer_id": synchronizer_id,
        "record_time": record_time,
        "deduplication_duration": duration,
        "deduplication_offset": dedup_offset,
    }


def _recorded(conn, request_key: str) -> bool:
    return conn.execute(select(C.offset).where(C.request_key == request_key)).first() is not None


def record_accepted(conn, view: dict[str, Any], offset: int, update_id: str, synchronizer_id: str, record_time: int) -> None:
    """The completion of an accepted submission, at its transaction's offset (in the commit's transaction)."""
    info = submitter_info(view)
    if info is None or _recorded(conn, update_id):
        return
    conn.execute(insert(C), [_row(offset, update_id, info, update_id, None, synchronizer_id, record_time, view.get("deduplication_period"), None)])


def record_rejected(conn, member_id: str, view: dict[str, Any], request_key: str, error: CantonError, synchronizer_id: str, record_time: int, offset: int) -> bool:
    """The completion of a rejected submission at ``offset`` (the next one: the caller moves the
    ledger end to it once the transaction is committed); False when there is nothing to record
    (not a Ledger API submission of this participant, or recorded before)."""
    if view.get("submitting_participant") != member_id:
        return False
    info = submitter_info(view)
    if info is None or _recorded(conn, request_key):
        return False
    conn.execute(insert(C), [_row(offset, request_key, info, "", error, synchronizer_id, record_time, view.get("deduplication_period"), None)])
    return True


def record_failed_submissions(conn, member_id: str, failed: list[tuple[Any, CantonError]], synchronizer_id: str, record_time: int, ledger_end: int) -> int:
    """Completions for our submissions that failed before a verdict (not sequenced in time, or a
    deliver error): ``failed`` holds (submission, error). Returns the new ledger end."""
    for sub, error in failed:
        view = view_of_request(sub.request)
        if view is not None and record_rejected(conn, member_id, view, sub.root_hash, error, synchronizer_id, record_time, ledger_end + 1):
            ledger_end += 1
    return ledger_end


def record_duplicate(conn, info: tuple[str, tuple[str, ...], str, str], error: CantonError, synchronizer_id: str, record_time: int, completion_offset: int, offset: int) -> None:
    """The completion of a DUPLICATE_COMMAND rejection at ``offset``: its deduplication period is
    reported as the offset just before the earlier accepted completion (offsets are exclusive),
    as Canton does."""
    dedup_offset = max(completion_offset - 1, 0)
    conn.execute(insert(C), [_row(offset, f"duplicate:{uuid.uuid4()}", info, "", error, synchronizer_id, record_time, None, dedup_offset)])


def view_of_request(request: Any) -> dict[str, Any] | None:
    """The view a submission request carries (its EncryptedViewMessage), if any."""
    for envelope in getattr(request, "envelopes", ()):
        message = envelope.message
        if message.get("type") == "EncryptedViewMessage":
            return message["view"]
    return None


def last_offset(conn) -> int:
    """The highest completion offset stored (0: none): the ledger end is at least this."""
    return conn.execute(select(func.max(C.offset))).scalar() or 0


def completions_after(conn, begin_exclusive: int, end_inclusive: int, user_id: str, parties: set[str]) -> list[CompletionRecord]:
    """The completions after ``begin_exclusive`` up to ``end_inclusive`` of ``user_id``'s
    submissions acting as one of ``parties``; each with its act-as parties narrowed to ``parties``
    (as the completion stream reports them)."""
    query = select(C.__table__).where(C.offset > begin_exclusive, C.offset <= end_inclusive, C.user_id == user_id).order_by(C.offset)
    result = []
    for row in conn.execute(query).mappings():
        act_as = tuple(p for p in json.loads(row["act_as"]) if p in parties)
        if not act_as:
            continue
        values = {k: row[k] for k in _ROW_FIELDS}
        values["act_as"] = act_as
        result.append(CompletionRecord(**values))
    return result
