"""A participant's pruning service (Canton's PruningService, with the Ledger API's pruning)."""

from __future__ import annotations

from typing import Any

from canton_console.runtime.participant import pruning
from canton_console.runtime.services.base import LocalService, not_started
from canton_console.values.errors import ServiceStatusError
from canton_console.values.pruning import ParticipantPruningSchedule, PruningSchedule


class LocalParticipantPruningService(LocalService):
    """Pruning goes through the Ledger API (a passive replica refuses it with
    NODE_IS_PASSIVE_REPLICA); the schedule through the admin API, whose passive replica reads the
    shared store but refuses to change the schedule (UNAVAILABLE), as Canton's does."""

    passive_refusal = "ledger"

    def _schedule_call(self, command: str, fn: Any, *args: Any) -> Any:
        node = self._node

        def run() -> Any:
            if not node.running:
                raise not_started(node)
            if node.passive and command:
                raise ServiceStatusError(
                    "UNAVAILABLE",
                    f"Command {command} sent to passive replica: cannot modify the pruning schedule. Try to submit the command to another replica.",
                )
            return fn(*args)

        return self._env.call(run)

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
        schedule = pruning.StoredSchedule(cron, max_duration_seconds, retention_seconds, bool(prune_internally_only))
        command = "set_schedule" if prune_internally_only is None else "set_participant_schedule"
        self._schedule_call(command, pruning.set_schedule, self._node, schedule)

    def clear_schedule(self) -> None:
        self._schedule_call("clear_schedule", pruning.clear_schedule, self._node)

    def set_cron(self, cron: str) -> None:
        self._schedule_call("set_cron", pruning.update_schedule, self._node, "cron", cron)

    def set_max_duration(self, max_duration_seconds: int) -> None:
        self._schedule_call("set_max_duration", pruning.update_schedule, self._node, "max_duration", max_duration_seconds)

    def set_retention(self, retention_seconds: int) -> None:
        self._schedule_call("set_retention", pruning.update_schedule, self._node, "retention", retention_seconds)

    def get_schedule(self) -> PruningSchedule | None:
        stored = self._schedule_call("", pruning.get_schedule, self._node)
        return None if stored is None else PruningSchedule(stored.cron, stored.max_duration, stored.retention)

    def get_participant_schedule(self) -> ParticipantPruningSchedule | None:
        stored = self._schedule_call("", pruning.get_schedule, self._node)
        if stored is None:
            return None
        return ParticipantPruningSchedule(PruningSchedule(stored.cron, stored.max_duration, stored.retention), stored.prune_internally_only)
