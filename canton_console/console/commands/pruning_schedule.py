"""The pruning schedule commands every node's ``pruning`` group shares (Canton's
``PruningSchedulerAdministration``): the participant's, mediator's and sequencer's groups mix
:class:`PruningScheduleCommands` in and say which admin service keeps their schedule
(``_schedule_service``); the participant's adds ``set_participant_schedule`` and
``get_participant_schedule``."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import CallContext, command
from canton_console.values import refined as v
from canton_console.values.scala import Option


class PositiveSeconds(a.Duration):
    """Canton's ``config.PositiveDurationSeconds``: a positive duration in whole seconds, returned
    as seconds."""

    def __init__(self) -> None:
        super().__init__(allow_zero=True)  # zero: refused below with Canton's text

    def convert(self, value: Any, ctx: CallContext) -> int:
        micros = super().convert(value, ctx)
        unit = value.unit if isinstance(value, v.ScalaDuration) else None
        try:
            v.PositiveDurationSeconds(micros, unit=unit)
        except v.InvalidValue as e:
            raise ctx.bad_value(e.cause) from None
        return micros // v.MICROS_PER_SECOND


CRON = a.Text("a cron expression such as \"0 0 8 ? * SAT\"")


class OptionalPruningSchedule(Option):
    canton_type = "Option[PruningSchedule]"


class PruningScheduleCommands:
    """Mixed into a node's pruning group: ``set_schedule``, ``clear_schedule``, ``set_cron``,
    ``set_max_duration``, ``set_retention``, ``get_schedule``."""

    def _schedule_service(self) -> Any:
        raise NotImplementedError

    @command
    def set_schedule(
        self,
        cron: Annotated[str, CRON],
        max_duration: Annotated[int, PositiveSeconds()],
        retention: Annotated[int, PositiveSeconds()],
    ) -> None:
        """Activate automatic pruning according to the specified schedule.

        The schedule is specified in cron format and "max_duration" and "retention" durations. The
        cron string indicates the points in time at which pruning should begin in the GMT time
        zone, and the maximum duration indicates how long from the start time pruning is allowed to
        run as long as pruning has not finished pruning up to the specified retention period. The
        cron is Quartz's (seconds minutes hours day-of-month month day-of-week [year]); canton-console
        refuses its L, W and # characters. The schedule is persisted and runs on the node's clock.
        A sequencer refuses it (UNIMPLEMENTED): Canton 3.3's sequencers have no pruning scheduler."""
        self._schedule_service().set_schedule(cron, max_duration, retention)

    @command
    def clear_schedule(self) -> None:
        """Deactivate automatic pruning."""
        self._schedule_service().clear_schedule()

    @command
    def set_cron(self, cron: Annotated[str, CRON]) -> None:
        """Modify the cron used by automatic pruning.

        The schedule is specified in cron format and refers to pruning start times in the GMT time
        zone. This call returns an error if no schedule has been configured via `set_schedule` or
        if automatic pruning has been disabled via `clear_schedule`."""
        self._schedule_service().set_cron(cron)

    @command
    def set_max_duration(self, max_duration: Annotated[int, PositiveSeconds()]) -> None:
        """Modify the maximum duration used by automatic pruning.

        The `maxDuration` is specified as a positive duration and has at most per-second
        granularity. This call returns an error if no schedule has been configured via
        `set_schedule` or if automatic pruning has been disabled via `clear_schedule`."""
        self._schedule_service().set_max_duration(max_duration)

    @command
    def set_retention(self, retention: Annotated[int, PositiveSeconds()]) -> None:
        """Update the pruning retention used by automatic pruning.

        The `retention` is specified as a positive duration and has at most per-second
        granularity. This call returns an error if no schedule has been configured via
        `set_schedule` or if automatic pruning has been disabled via `clear_schedule`."""
        self._schedule_service().set_retention(retention)

    @command
    def get_schedule(self) -> Option:
        """Inspect the automatic pruning schedule.

        The schedule consists of a "cron" expression and "max_duration" and "retention" durations.
        Returns `None` if no schedule has been configured via `set_schedule` or if `clear_schedule`
        has been invoked."""
        schedule = self._schedule_service().get_schedule()
        return OptionalPruningSchedule() if schedule is None else OptionalPruningSchedule(schedule, True)
