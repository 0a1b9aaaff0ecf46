"""The pruning schedule API every node with a pruning scheduler serves (Canton's
``GrpcPruningScheduler``): the schedule in the node's store (``cc_pruning_schedule``), re-armed in
the node's :class:`~canton_console.runtime.pruning_schedule.ScheduledPruning` after each change."""

from __future__ import annotations

from typing import Any

from canton_console.runtime import pruning_schedule as ps
from canton_console.runtime.services.base import LocalService, not_started
from canton_console.values import errors
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.pruning import PruningSchedule


class PruningScheduleStoreService(LocalService):
    """A passive replica reads the shared store but refuses to change the schedule (UNAVAILABLE),
    as Canton's ``handlePassiveHAStorageError`` does."""

    def _schedule_call(self, command: str, fn: Any, *args: Any) -> Any:
        """Run ``fn`` on the runtime thread; ``command`` names a change ("" for a read)."""
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

    def _write(self, command: str, change: Any, cron: str | None = None) -> None:
        """Apply ``change`` to the stored schedule (after checking ``cron``, when one is given)."""
        node = self._node

        def run() -> None:
            if cron is not None:
                self._check_cron(cron)
            try:
                with node.open_storage.transaction() as conn:
                    change(conn)
            except ps.ScheduleMissing as e:
                raise ServiceStatusError("INVALID_ARGUMENT", str(e)) from None
            scheduler = getattr(node, "pruning_scheduler", None)
            if scheduler is not None:
                scheduler.arm()

        self._schedule_call(command, run)

    def _read(self) -> ps.Schedule | None:
        def run() -> ps.Schedule | None:
            with self._node.open_storage.read() as conn:
                return ps.read_schedule(conn)

        return self._schedule_call("", run)

    @staticmethod
    def _check_cron(cron: str) -> None:
        """Canton's refusal of a bad cron (``Cron.fromProtoPrimitive`` fails the request's conversion)."""
        try:
            ps.parse(cron)
        except ps.CronError as e:
            raise CantonError(errors.PROTO_DESERIALIZATION_FAILURE, f"Deserialization of protobuf message failed: ValueConversionError(cron,{e})") from None

    def _set(self, command: str, schedule: ps.Schedule) -> None:
        self._write(command, lambda conn: ps.write_schedule(conn, schedule), schedule.cron)

    def set_schedule(self, cron: str, max_duration_seconds: int, retention_seconds: int) -> None:
        self._set("set_schedule", ps.Schedule(cron, max_duration_seconds, retention_seconds))

    def clear_schedule(self) -> None:
        self._write("clear_schedule", ps.clear_schedule)

    def set_cron(self, cron: str) -> None:
        self._write("set_cron", lambda conn: ps.update_schedule(conn, "cron", cron), cron)

    def set_max_duration(self, max_duration_seconds: int) -> None:
        self._write("set_max_duration", lambda conn: ps.update_schedule(conn, "max_duration", max_duration_seconds))

    def set_retention(self, retention_seconds: int) -> None:
        self._write("set_retention", lambda conn: ps.update_schedule(conn, "retention", retention_seconds))

    def get_schedule(self) -> PruningSchedule | None:
        found = self._read()
        return None if found is None else PruningSchedule(found.cron, found.max_duration, found.retention)
