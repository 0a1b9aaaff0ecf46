"""A participant's repair and party replication admin services (Canton's ParticipantRepairService
and the ACS parts of its PartyManagementService), over :mod:`canton_console.runtime.participant.repair`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from canton_console.runtime.participant.repair import ParticipantRepair
from canton_console.runtime.services.base import LocalService


class LocalParticipantRepairService(LocalService):
    passive_refusal = "admin"

    def _repair(self) -> ParticipantRepair:
        return ParticipantRepair(self._node)

    def export_acs(self, parties: Sequence[str], synchronizer_id: str | None, ledger_offset: int, renames: Mapping[str, str]) -> bytes:
        return self._call(lambda: self._repair().export_acs(list(parties), synchronizer_id, ledger_offset, dict(renames)))

    def export_acs_at_timestamp(self, parties: Sequence[str], synchronizer_id: str, effective_time: int) -> bytes:
        return self._call(lambda: self._repair().export_acs_at_timestamp(list(parties), synchronizer_id, effective_time))

    def highest_offset_by_timestamp(self, synchronizer_id: str, timestamp: int, force: bool) -> int:
        return self._call(lambda: self._repair().highest_offset_by_timestamp(synchronizer_id, timestamp, force))

    def hosting_change_offsets(self, party: str, participant: str, synchronizer_id: str, kind: str, begin_exclusive: int = 0) -> list[tuple[int, int]]:
        return self._call(lambda: self._repair().hosting_change_offsets(party, participant, synchronizer_id, kind, begin_exclusive))

    def import_acs(self, data: bytes, workflow_id_prefix: str, contract_id_import_mode: str) -> dict[str, str]:
        return self._call(lambda: self._repair().import_acs(data, workflow_id_prefix, contract_id_import_mode))

    def purge(self, synchronizer_alias: str, contract_ids: Sequence[str], ignore_already_purged: bool) -> None:
        self._call(lambda: self._repair().purge(synchronizer_alias, list(contract_ids), ignore_already_purged))
