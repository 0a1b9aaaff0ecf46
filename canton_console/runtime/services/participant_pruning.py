"""A participant's pruning service (Canton's PruningService, with the Ledger API's pruning); its
schedule is the one every node shares, plus the participant's ``prune_internally_only``."""

from __future__ import annotations

from canton_console.runtime import pruning_schedule as ps
from canton_console.runtime.participant import pruning
from canton_console.runtime.services.pruning_schedule import PruningScheduleStoreService
from canton_console.values.pruning import ParticipantPruningSchedule, PruningSchedule


class LocalParticipantPruningService(PruningScheduleStoreService):
    """Pruning goes through the Ledger API (a passive replica refuses it with
    NODE_IS_PASSIVE_REPLICA); the schedule through the admin API (see
    :class:`PruningScheduleStoreService`)."""

    passive_refusal = "ledger"

    def prune(self, prune_up_to: int) -> None:
        self._call(pruning.prune, self._node, prune_up_to)

    def prune_internally(self, prune_up_to: int) -> None:
        self._call(pruning.prune_internally, self._node, prune_up_to)

    def find_safe_offset(self, before_or_at: int) -> int | None:
        return self._call(lambda: pruning.safe_offset(self._node, before_or_at, self._node.ledger_end))

    def offset_by_time(self, up_to_inclusive: int) -> int | None:
        return self._call(pruning.offset_by_time, self._node, up_to_inclusive)

    def set_schedule(self, cron: str, max_duration_seconds: int, retention_seconds: int, prune_internally_only: bool | None = None) -> None:
        """``prune_internally_only`` None: ``set_schedule``; given: ``set_participant_schedule``."""
        command = "set_schedule" if prune_internally_only is None else "set_participant_schedule"
        self._set(command, ps.Schedule(cron, max_duration_seconds, retention_seconds, bool(prune_internally_only)))

    def get_participant_schedule(self) -> ParticipantPruningSchedule | None:
        found = self._read()
        if found is None:
            return None
        return ParticipantPruningSchedule(PruningSchedule(found.cron, found.max_duration, found.retention), found.prune_internally_only)
