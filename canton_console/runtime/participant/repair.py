"""A participant's repair and party replication services, as Canton 3.3's participant has them:
exporting a party's active contracts at a ledger offset (``parties.export_acs``), finding the
offset where a party's hosting changed, and the repair service's ACS import, ``add`` and ``purge``.

The ACS snapshot file is this console's own versioned format (:mod:`canton_console.values.acs_snapshot`).

Ledger offsets of hosting changes: Canton gives every topology transaction its own ledger offset
(a topology update on the Ledger API). This console's ledger holds only transactions, so the offset
of a hosting change is the last ledger offset at or before the change's effective time on that
synchronizer: the party's active contracts at that offset are exactly those at the change.

Repairs write the store while the participant is disconnected from every synchronizer (Canton's
repair service refuses otherwise); each import, add or purge is one ledger update, recorded in
``cc_repair_updates``, so the Ledger API shows the contracts arriving or leaving."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

import attrs
from sqlalchemy import func, insert, select, update

from canton_console.store import schema as s
from canton_console.values import ledger
from canton_console.values import topology as t
from canton_console.values.acs_snapshot import RepairContract, SnapshotError, decode_snapshot, encode_snapshot, invalid_contract_ids
from canton_console.values.errors import CantonError, ErrorCategory, ErrorCode

# ---- Canton's error codes -----------------------------------------------------------------------

C = ErrorCategory
# RepairServiceError
IMPORT_ACS_ERROR = ErrorCode("IMPORT_ACS_ERROR", C.InvalidIndependentOfSystemState)
INVALID_ARGUMENT_REPAIR = ErrorCode("INVALID_ARGUMENT_REPAIR", C.InvalidIndependentOfSystemState)
CONTRACT_PURGE_ERROR = ErrorCode("CONTRACT_PURGE_ERROR", C.InvalidGivenCurrentSystemStateOther)
# PartyManagementServiceError
INVALID_ARGUMENT_PARTY_MANAGEMENT_ERROR = ErrorCode("INVALID_ARGUMENT_PARTY_MANAGEMENT_ERROR", C.InvalidIndependentOfSystemState)
INVALID_ACS_SNAPSHOT_TIMESTAMP_PARTY_MANAGEMENT_ERROR = ErrorCode("INVALID_ACS_SNAPSHOT_TIMESTAMP_PARTY_MANAGEMENT_ERROR", C.InvalidGivenCurrentSystemStateSeekAfterEnd)
INVALID_TIMESTAMP_PARTY_MANAGEMENT_ERROR = ErrorCode("INVALID_TIMESTAMP_PARTY_MANAGEMENT_ERROR", C.InvalidGivenCurrentSystemStateSeekAfterEnd)

STILL_CONNECTED = "There are still synchronizers connected. Please disconnect all synchronizers."
CONTRACT_ID_IMPORT_MODES = ("Validation", "Accept", "Recomputation")

# ---- hosting changes ----------------------------------------------------------------------------


@attrs.frozen
class HostingChange:
    """A PartyToParticipant transaction that made ``participant`` newly host the party (``added``)
    or stop hosting it (``revoked``) on a synchronizer, and when it was sequenced and took effect."""

    party: str
    participant: str
    kind: str  # added | revoked
    sequenced: int
    valid_from: int


def hosting_changes(history: Sequence[t.StoredTransaction], participant: str) -> list[HostingChange]:
    """The changes of ``participant``'s hosting in one party's effective PartyToParticipant history
    (in the order they took effect)."""
    changes = []
    hosted_before = False
    for stored in history:
        mapping = stored.mapping
        hosted = stored.operation == t.REPLACE and any(p == participant for p, _ in mapping.data["participants"])
        if hosted != hosted_before:
            changes.append(HostingChange(mapping.key, participant, "added" if hosted else "revoked", stored.sequenced, stored.valid_from))
        hosted_before = hosted
    return changes


@attrs.frozen
class LedgerPoint:
    """A ledger update's offset, synchronizer and record time."""

    offset: int
    synchronizer_id: str
    record_time: int


def offset_at(points: Sequence[LedgerPoint], synchronizer_id: str, timestamp: int) -> int | None:
    """The highest offset of the synchronizer's updates recorded at or before ``timestamp``."""
    offsets = [p.offset for p in points if p.synchronizer_id == synchronizer_id and p.record_time <= timestamp]
    return max(offsets) if offsets else None


# ---- the participant's side ---------------------------------------------------------------------


class ParticipantRepair:
    """The repair and party replication operations of one participant node (on the runtime thread)."""

    def __init__(self, node: Any):
        self.node = node

    # ---- reads --------------------------------------------------------------------------------
    def _points(self) -> list[LedgerPoint]:
        u = s.LedgerUpdateRow
        with self.node.open_storage.read() as conn:
            rows = conn.execute(select(u.offset, u.synchronizer_id, u.record_time).order_by(u.offset)).all()
        return [LedgerPoint(o, sid, rt) for o, sid, rt in rows]

    def _known_synchronizers(self) -> set[str]:
        return {c.synchronizer_id for c in self.node.connections.values()}

    def highest_offset_by_timestamp(self, synchronizer_id: str, timestamp: int, force: bool) -> int:
        """Canton's GetHighestOffsetByTimestamp: the highest offset of the synchronizer's events
        recorded at or before ``timestamp``; unless ``force``, only once the participant has processed
        the synchronizer's events up to it."""
        self.node.require_active()

        def refuse(reason: str) -> CantonError:
            return CantonError(
                INVALID_TIMESTAMP_PARTY_MANAGEMENT_ERROR,
                f"No ledger offset found for the requested timestamp {_instant(timestamp)} on synchronizer {synchronizer_id} "
                f"(using force flag = {str(force).lower()}): {reason}",
            )

        if not force and self.node.last_seen.get(synchronizer_id, 0) < timestamp:
            raise refuse("Not all events have been processed fully and/or published to the Ledger API DB until the requested timestamp")
        offset = offset_at(self._points(), synchronizer_id, timestamp)
        if offset is None:
            raise refuse("There are no events for the given synchronizer before or at the requested timestamp")
        return offset

    def hosting_change_offsets(self, party: str, participant: str, synchronizer_id: str, kind: str, begin_exclusive: int = 0) -> list[tuple[int, int]]:
        """(ledger offset, effective time) of each change of ``kind`` (added, revoked) of
        ``participant``'s hosting of ``party`` on the synchronizer that this participant has
        observed (it has processed the change's topology transaction), taking effect after the
        update at ``begin_exclusive`` was recorded."""
        self.node.require_active()
        sync = self.node.env.synchronizers.get(synchronizer_id)
        if sync is None or synchronizer_id not in self._known_synchronizers():
            return []
        history = [
            st for st in sync.topology.log if not st.is_proposal and st.mapping.code == t.PARTY_TO_PARTICIPANT and st.mapping.key == party
        ]
        history.sort(key=lambda st: (st.valid_from, st.serial))
        seen = self.node.last_seen.get(synchronizer_id, 0)
        points = self._points()
        after = max((p.record_time for p in points if p.offset == begin_exclusive), default=None)
        result = []
        for change in hosting_changes(history, participant):
            if change.kind != kind or change.sequenced > seen or (after is not None and change.valid_from <= after):
                continue
            result.append((offset_at(points, synchronizer_id, change.valid_from) or 0, change.valid_from))
        return result

    # ---- export --------------------------------------------------------------------------------
    def export_acs(self, parties: Sequence[str], synchronizer_id: str | None, ledger_offset: int, renames: dict[str, str]) -> bytes:
        """The ACS snapshot of the contracts active at ``ledger_offset`` of which one of ``parties``
        is a stakeholder (Canton's PartyManagementService.ExportAcs)."""
        node = self.node
        node.require_active()

        def invalid(reason: str) -> CantonError:
            return CantonError(INVALID_ARGUMENT_PARTY_MANAGEMENT_ERROR, reason)

        known = {sid for sid in node.env.synchronizers if sid in self._known_synchronizers()}
        if synchronizer_id is not None and synchronizer_id not in known:
            raise invalid(f"Filter synchronizer id Some({synchronizer_id}) is unknown")
        if ledger_offset <= 0:
            raise invalid(f"ledger_offset: Received value {ledger_offset} is not strictly positive")
        if ledger_offset > node.ledger_end:
            raise invalid(f"Ledger offset {ledger_offset} needs to be smaller or equal to the ledger end {node.ledger_end}")
        entries = node.contract_entries(list(parties), ledger_offset)
        contracts = [
            RepairContract(renames.get(e.synchronizer_id, e.synchronizer_id), e.contract)
            for e in entries
            if synchronizer_id is None or e.synchronizer_id == synchronizer_id
        ]
        return encode_snapshot(contracts)

    def export_acs_at_timestamp(self, parties: Sequence[str], synchronizer_id: str, effective_time: int) -> bytes:
        """Canton's ExportAcsAtTimestamp: the snapshot at the effective time of a topology
        transaction of the synchronizer that this participant has processed."""
        node = self.node
        node.require_active()
        sync = node.env.synchronizers.get(synchronizer_id)
        refused = CantonError(
            INVALID_ACS_SNAPSHOT_TIMESTAMP_PARTY_MANAGEMENT_ERROR,
            f"The participant does not yet support serving an ACS snapshot at the requested timestamp {_instant(effective_time)} on synchronizer {synchronizer_id}",
        )
        if sync is None or synchronizer_id not in self._known_synchronizers():
            raise CantonError(INVALID_ARGUMENT_PARTY_MANAGEMENT_ERROR, f"Synchronizer id {synchronizer_id} is unknown")
        effective = [st for st in sync.topology.log if not st.is_proposal and st.valid_from == effective_time]
        if not effective or node.last_seen.get(synchronizer_id, 0) < max(st.sequenced for st in effective):
            raise refused
        offset = offset_at(self._points(), synchronizer_id, effective_time)
        if offset is None:
            return encode_snapshot([])
        entries = node.contract_entries(list(parties), offset)
        return encode_snapshot(RepairContract(e.synchronizer_id, e.contract) for e in entries if e.synchronizer_id == synchronizer_id)

    # ---- import and add ------------------------------------------------------------------------
    def _require_disconnected(self, code: ErrorCode) -> None:
        if any(c.connected for c in self.node.connections.values()):
            raise CantonError(code, STILL_CONNECTED)

    def import_acs(self, data: bytes, workflow_id_prefix: str, contract_id_import_mode: str) -> dict[str, str]:
        """Canton's RepairService ImportAcs: add the snapshot's contracts to this participant's
        store; contracts already active here (the same contract) are skipped. Returns the contract
        ids recomputed (none: ids are validated or accepted as they are)."""
        self.node.require_active()
        try:
            contracts = decode_snapshot(data)
        except SnapshotError as e:
            raise CantonError(IMPORT_ACS_ERROR, str(e)) from None
        return self.add_contracts(contracts, workflow_id_prefix, contract_id_import_mode)

    def add_contracts(self, contracts: Sequence[RepairContract], workflow_id_prefix: str, contract_id_import_mode: str) -> dict[str, str]:
        node = self.node
        node.require_active()
        if contract_id_import_mode not in CONTRACT_ID_IMPORT_MODES:
            raise CantonError(IMPORT_ACS_ERROR, f"Unknown contract ID import mode {contract_id_import_mode}")
        if contract_id_import_mode == "Validation":
            bad = invalid_contract_ids(contracts)
            if bad:
                raise CantonError(
                    IMPORT_ACS_ERROR,
                    f"Contract ID {bad[0]} does not match the contract's contents (the contract's authentication failed). "
                    f"{len(bad)} of the imported contracts failed the contract ID validation.",
                )
        self._require_disconnected(IMPORT_ACS_ERROR)
        by_sync: dict[str, list[RepairContract]] = {}
        for rc in contracts:
            by_sync.setdefault(rc.synchronizer_id, []).append(rc)
        aliases = {c.synchronizer_id: c.alias for c in node.connections.values()}
        for sync_id in by_sync:
            if sync_id not in aliases:
                raise CantonError(IMPORT_ACS_ERROR, f"Not able to find synchronizer alias for {sync_id}")
        # Decide every contract first: the import writes all of them or none.
        to_add: dict[str, list[RepairContract]] = {}
        with node.open_storage.read() as conn:
            for sync_id, group in by_sync.items():
                stored = _stored_rows(conn, [rc.contract.contract_id for rc in group])
                purged = _purged_ids(conn, [cid for cid, row in stored.items() if row["archived_offset"] is not None])
                fresh: dict[str, RepairContract] = {}
                for rc in group:
                    cid = rc.contract.contract_id
                    row = stored.get(cid)
                    if row is None:
                        if cid not in fresh:
                            fresh[cid] = rc
                        continue
                    if cid in purged:
                        raise CantonError(
                            IMPORT_ACS_ERROR,
                            f"Cannot add previously purged contract {cid}: canton-console keeps a purged contract's history, so it cannot become active again.",
                        )
                    if row["archived_offset"] is not None:
                        raise CantonError(IMPORT_ACS_ERROR, f"Cannot add previously archived contract {cid} as archived contracts cannot become active.")
                    existing = _contract_of(row)
                    if existing != rc.contract or row["synchronizer_id"] != sync_id:
                        raise CantonError(
                            IMPORT_ACS_ERROR,
                            f"Contract {cid} exists in synchronizer, but does not match with contract being added. "
                            f"Existing contract is {_shown(existing)} while contract supposed to be added {_shown(rc.contract)}",
                        )
                if fresh:
                    to_add[sync_id] = list(fresh.values())
        prefix = workflow_id_prefix or f"import-{uuid.uuid4()}"
        for n, (sync_id, group) in enumerate(to_add.items(), start=1):
            self._write_repair(sync_id, "import", f"{prefix}-{n}-{len(to_add)}", created=[rc.contract for rc in group])
        return {}

    # ---- purge --------------------------------------------------------------------------------
    def purge(self, alias: str, contract_ids: Sequence[str], ignore_already_purged: bool) -> None:
        """Canton's RepairService PurgeContracts: archive the contracts on this participant only."""
        node = self.node
        node.require_active()
        if not contract_ids:
            raise CantonError(INVALID_ARGUMENT_REPAIR, "Missing contract ids to purge")
        self._require_disconnected(CONTRACT_PURGE_ERROR)
        connection = node.connections.get(alias)
        if connection is None:
            raise CantonError(CONTRACT_PURGE_ERROR, f"Could not find {alias}")
        sync_id = connection.synchronizer_id
        purge = []
        with node.open_storage.read() as conn:
            stored = _stored_rows(conn, list(contract_ids))
            purged = _purged_ids(conn, [cid for cid, row in stored.items() if row["archived_offset"] is not None])
        for cid in dict.fromkeys(contract_ids):
            row = stored.get(cid)
            if row is None or row["synchronizer_id"] != sync_id:
                reason = "unknown contract"
            elif row["archived_offset"] is not None:
                reason = "purged contract" if cid in purged else "archived contract"
            else:
                purge.append(_contract_of(row))
                continue
            if not ignore_already_purged:
                raise CantonError(
                    CONTRACT_PURGE_ERROR, f"Contract {cid} cannot be purged: {reason}. Set ignoreAlreadyPurged = true to skip non-existing contracts."
                )
        if purge:
            self._write_repair(sync_id, "purge", f"purge-{uuid.uuid4()}", archived=purge)

    # ---- writing ------------------------------------------------------------------------------
    def _write_repair(self, sync_id: str, kind: str, workflow_id: str, created: Sequence[ledger.Contract] = (), archived: Sequence[ledger.Contract] = ()) -> int:
        """One ledger update of the repair service: the contracts it adds or archives, at the
        synchronizer's clean cursor (the repair's record time)."""
        node = self.node
        record_time = node.last_seen.get(sync_id, 0)
        events: list[dict[str, Any]] = [{"created": ledger.contract_to_dict(c)} for c in created]
        events += [
            {
                "exercised": {
                    "contract_id": c.contract_id,
                    "template_id": c.template_id,
                    "choice": "Archive",
                    "consuming": True,
                    "actors": [],
                    "stakeholders": list(c.stakeholders),
                }
            }
            for c in archived
        ]
        update_id = hashlib.sha256(f"repair/{node.member_id}/{workflow_id}/{uuid.uuid4()}".encode()).hexdigest()
        with node.open_storage.transaction() as conn:
            offset = max(node.ledger_end, conn.execute(select(func.max(s.LedgerUpdateRow.offset))).scalar() or 0) + 1
            if created:
                conn.execute(
                    insert(s.ContractRow),
                    [
                        {
                            "contract_id": c.contract_id,
                            "synchronizer_id": sync_id,
                            "template_id": c.template_id,
                            "arguments": json.dumps(c.arguments, sort_keys=True),
                            "signatories": json.dumps(list(c.signatories)),
                            "observers": json.dumps(list(c.observers)),
                            "created_offset": offset,
                            "archived_offset": None,
                        }
                        for c in created
                    ],
                )
            if archived:
                conn.execute(
                    update(s.ContractRow).where(s.ContractRow.contract_id.in_([c.contract_id for c in archived])).values(archived_offset=offset)
                )
            conn.execute(
                insert(s.LedgerUpdateRow),
                [
                    {
                        "offset": offset,
                        "update_id": update_id,
                        "synchronizer_id": sync_id,
                        "record_time": record_time,
                        "command_id": "",
                        "submitter": "[]",
                        "events": json.dumps(events),
                    }
                ],
            )
            conn.execute(insert(s.RepairUpdateRow), [{"offset": offset, "kind": kind, "workflow_id": workflow_id}])
        node.ledger_end = offset
        return offset


def _stored_rows(conn: Any, contract_ids: Sequence[str]) -> dict[str, Any]:
    if not contract_ids:
        return {}
    rows = conn.execute(select(s.ContractRow.__table__).where(s.ContractRow.contract_id.in_(list(contract_ids)))).mappings().all()
    return {r["contract_id"]: r for r in rows}


def _purged_ids(conn: Any, contract_ids: Sequence[str]) -> set[str]:
    """Which of the archived contracts a purge archived."""
    if not contract_ids:
        return set()
    c, r = s.ContractRow, s.RepairUpdateRow
    rows = conn.execute(
        select(c.contract_id).join(r, r.offset == c.archived_offset).where(c.contract_id.in_(list(contract_ids)), r.kind == "purge")
    ).all()
    return {row[0] for row in rows}


def _contract_of(row: Any) -> ledger.Contract:
    return ledger.Contract(
        row["contract_id"], row["template_id"], json.loads(row["arguments"]), tuple(json.loads(row["signatories"])), tuple(json.loads(row["observers"]))
    )


def _shown(c: ledger.Contract) -> str:
    return f"SerializableContract(contractId = {c.contract_id}, template = {c.template_id}, arguments = {json.dumps(c.arguments, sort_keys=True)})"


def _instant(micros: int) -> str:
    from canton_console.values.timefmt import instant

    return str(instant(micros))
