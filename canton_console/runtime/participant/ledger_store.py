"""Reading the participant's ledger from its store: contracts and transactions; helpers shared by
the protocol and submission."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future

from sqlalchemy import delete, select

from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.records import Transaction
from canton_console.store import fast
from canton_console.store import schema as s
from canton_console.values import errors, ledger
from canton_console.values.errors import CantonError

log = logging.getLogger("canton_console.participant")


class LedgerReads(ParticipantBase):
    """Mixed into ParticipantNode: contract and transaction look-ups."""

    def lookup_contract(self, contract_id: str) -> ledger.Contract | None:
        # every submission looks its contracts up: prepared SQL (store.fast)
        with fast.read(self.open_storage) as conn:
            found = conn.execute(conn.sql("lookup-contract", _lookup_contract_sql), (contract_id,)).fetchone()
        row = None if found is None else dict(zip(_CONTRACT_COLUMNS, found))
        if row is None or row["contract_id"] in self.locks:
            return None if row is None else _contract(row)
        return _contract(row)

    def active_contracts(self, party: str | None = None, template_id: str | None = None) -> list[ledger.Contract]:
        self.require_active()
        with self.open_storage.read() as conn:
            query = select(s.ContractRow.__table__).where(s.ContractRow.archived_offset.is_(None)).order_by(s.ContractRow.created_offset)
            rows = conn.execute(query).mappings().all()
        result = [_contract(r) for r in rows]
        if party is not None:
            result = [c for c in result if party in c.stakeholders]
        if template_id is not None:
            resolved = ledger.template(template_id).id
            result = [c for c in result if c.template_id == resolved]
        return result

    def contract_entries(self, parties: list[str] | None, active_at: int) -> list[ledger.ContractEntry]:
        """The contracts active at offset ``active_at`` of which one of ``parties`` (None: any) is a
        stakeholder, in the order they became active."""
        self.require_active()
        c = s.ContractRow
        with self.open_storage.read() as conn:
            query = (
                select(c.__table__)
                .where(c.created_offset <= active_at, (c.archived_offset.is_(None)) | (c.archived_offset > active_at))
                .order_by(c.created_offset, c.contract_id)
            )
            rows = conn.execute(query).mappings().all()
        entries = [ledger.ContractEntry(_contract(r), r["synchronizer_id"], r["created_offset"]) for r in rows]
        if parties is not None:
            entries = [e for e in entries if set(parties) & set(e.contract.stakeholders)]
        return entries

    def transactions(self, after: int = 0) -> list[Transaction]:
        with self.open_storage.read() as conn:
            rows = conn.execute(select(s.LedgerUpdateRow.__table__).where(s.LedgerUpdateRow.offset > after).order_by(s.LedgerUpdateRow.offset)).mappings().all()
        return [Transaction(r["offset"], r["update_id"], r["synchronizer_id"], r["record_time"], r["command_id"], tuple(json.loads(r["events"])), tuple(json.loads(r["submitter"] or "[]"))) for r in rows]



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


def _clear_in_flight_rows(conn, entries: list[tuple[str, str | None]]) -> None:
    dedup = s.CommandDeduplicationRow
    for change_id, submission_id in entries:
        conn.execute(
            delete(dedup).where(dedup.change_id == change_id, dedup.submission_id == submission_id, dedup.status == "in-flight")
        )


_CONTRACT_COLUMNS = ("contract_id", "template_id", "arguments", "signatories", "observers")


def _lookup_contract_sql(quote, mark: str) -> str:
    return f"SELECT {', '.join(_CONTRACT_COLUMNS)} FROM {s.ContractRow.__tablename__} WHERE contract_id = {mark} AND archived_offset IS NULL"


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


