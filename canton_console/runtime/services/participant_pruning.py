"""A participant's pruning service (Canton's PruningService, with the Ledger API's pruning)."""

from __future__ import annotations

from canton_console.runtime.participant import pruning
from canton_console.runtime.services.base import LocalService
from canton_console.values.pruning import ParticipantPruningSchedule, PruningSchedule


class LocalParticipantPruningService(LocalService):
    passive_refusal = "ledger"

    def prune(self, prune_up_to: int) -> None:
        self._call(pruning.prune, self._node, prune_up_to)

    def prune_internally(self, prune_up_to: int) -> None:
        self._call(pruning.prune_internally, self._node, prune_up_to)

    def find_safe_offset(self, before_or_at: int) -> int | None:
        return self._call(lambda: pruning.safe_offset(self._node, before_or_at, self._node.ledger_end))

    def offset_by_time(self, up_to_inclusive: int) -> int | None:
        return self._call(pruning.offset_by_time, self._node, up_to_inclusive)

    def set_schedule(self, cron: str, max_duration_seconds: int, retention_seconds: int, prune_internally_only: bool = False) -> None:
        schedule = pruning.StoredSchedule(cron, max_duration_seconds, retention_seconds, prune_internally_only)
        self._call(pruning.set_schedule, self._node, schedule)

    def clear_schedule(self) -> None:
        self._call(pruning.clear_schedule, self._node)

    def set_cron(self, cron: str) -> None:
        self._call(pruning.update_schedule, self._node, "cron", cron)

    def set_max_duration(self, max_duration_seconds: int) -> None:
        self._call(pruning.update_schedule, self._node, "max_duration", max_duration_seconds)

    def set_retention(self, retention_seconds: int) -> None:
        self._call(pruning.update_schedule, self._node, "retention", retention_seconds)

    def get_schedule(self) -> PruningSchedule | None:
        stored = self._call(pruning.get_schedule, self._node)
        return None if stored is None else PruningSchedule(stored.cron, stored.max_duration, stored.retention)

    def get_participant_schedule(self) -> ParticipantPruningSchedule | None:
        stored = self._call(pruning.get_schedule, self._node)
        if stored is None:
            return None
        return ParticipantPruningSchedule(PruningSchedule(stored.cron, stored.max_duration, stored.retention), stored.prune_internally_only)
