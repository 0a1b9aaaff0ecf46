"""``participant.pruning``: pruning the participant's ledger up to an offset, finding a safe offset
or the offset of a time, and the automatic pruning schedule (Canton's
``ParticipantPruningAdministrationGroup``, a ``PruningSchedulerAdministration``)."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.pruning_schedule import CRON, PositiveSeconds, PruningScheduleCommands
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.console.references import ParticipantReference
from canton_console.values.scala import Option, ScalaLong

PREVIEW = "Preview"
_OFFSET = a.Int(-(2**63), "an offset (a Long)")


class OptionalOffset(Option):
    canton_type = "Option[Long]"


class OptionalParticipantSchedule(Option):
    canton_type = "Option[ParticipantPruningSchedule]"


def _offset(found: int | None) -> Option:
    return OptionalOffset(ScalaLong(found), True) if found is not None else OptionalOffset()


@subgroup(ParticipantReference, "pruning")
class ParticipantPruningGroup(PruningScheduleCommands, NodeGroup):
    """Manage participant node pruning"""

    scala_name = "ParticipantPruningAdministrationGroup"

    def _schedule_service(self) -> Any:
        return self._admin.participant_pruning

    @command
    def prune(self, prune_up_to: Annotated[int, _OFFSET]) -> None:
        """Prune the ledger up to the specified offset inclusively.

        Prunes the participant ledger up to the specified offset inclusively returning ``Unit`` if
        the ledger has been successfully pruned: the transactions at or below the offset and the
        contracts archived at or below it are removed; active contracts never are. Subsequent
        reads of ``ledger_api.updates.flat`` or ``ledger_api.updates.trees`` from an offset lower
        than the pruning offset fail with PARTICIPANT_PRUNED_DATA_ACCESSED. The offset must be
        before the ledger end (OFFSET_OUT_OF_RANGE) and not higher than what ``find_safe_offset``
        returns (UNSAFE_TO_PRUNE): requests in flight, events not yet durably processed and
        updates within the max deduplication duration (7 days) of the latest one are kept."""
        self._admin.participant_pruning.prune(prune_up_to)

    @command(feature=PREVIEW)
    def find_safe_offset(self, before_or_at: Annotated[int | None, a.Optional(a.Timestamp())] = None) -> Option:
        """Return the highest participant ledger offset whose record time is before or at the given one (if any) at which pruning is safely possible

        ``beforeOrAt`` defaults to now. Fails with NO_INTERNAL_PARTICIPANT_DATA_BEFORE when the
        participant holds no ledger data up to that time."""
        at = before_or_at if before_or_at is not None else self._env.now()
        return _offset(self._admin.participant_pruning.find_safe_offset(at))

    @command(feature=PREVIEW)
    def prune_internally(self, prune_up_to: Annotated[int, _OFFSET]) -> None:
        """Prune only internal ledger state up to the specified offset inclusively.

        Special-purpose variant of ``prune`` that prunes only internal participant state not
        needed for serving ``ledger_api`` reads (here: the command deduplication entries; this
        console's contract store also serves the Ledger API, so archived contracts stay until
        ``prune``). It has no visible effect on the Ledger API, may go up to the ledger end and
        performs the same safety checks as ``prune`` (UNSAFE_TO_PRUNE)."""
        self._admin.participant_pruning.prune_internally(prune_up_to)

    @command
    def get_offset_by_time(self, up_to_inclusive: Annotated[int, a.Timestamp()]) -> Option:
        """Identify the participant ledger offset to prune up to based on the specified timestamp.

        Return the largest participant ledger offset that has been processed before or at the
        specified timestamp. Returns ``None`` if no such offset exists."""
        return _offset(self._admin.participant_pruning.offset_by_time(up_to_inclusive))

    # ---- the participant-specific schedule (the shared commands: PruningScheduleCommands) ----
    @command(feature=PREVIEW)
    def set_participant_schedule(
        self,
        cron: Annotated[str, CRON],
        max_duration: Annotated[int, PositiveSeconds()],
        retention: Annotated[int, PositiveSeconds()],
        prune_internally_only: Annotated[bool, a.Bool()] = False,
    ) -> None:
        """Activate automatic pruning according to the specified schedule with participant-specific options.

        Refer to the ``set_schedule`` description for information about the "cron",
        "max_duration", and "retention" parameters. Setting the "prune_internally_only" flag causes
        pruning to only remove internal state as described in the ``prune_internally`` command
        description."""
        self._admin.participant_pruning.set_schedule(cron, max_duration, retention, prune_internally_only)

    @command
    def get_participant_schedule(self) -> Option:
        """Inspect the automatic, participant-specific pruning schedule.

        The schedule consists of a "cron" expression and "max_duration" and "retention" durations
        as described in the ``get_schedule`` command description. Additionally
        "prune_internally" indicates if the schedule mandates pruning of internal state."""
        schedule = self._admin.participant_pruning.get_participant_schedule()
        return OptionalParticipantSchedule() if schedule is None else OptionalParticipantSchedule(schedule, True)

