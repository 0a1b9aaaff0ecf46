"""``sequencer.pruning``: the sequencer's pruning status, pruning at a timestamp or by retention, and
its (refused) pruning schedule (Canton's ``LocalSequencerReference.pruning``, a
``PruningSchedulerAdministration``)."""

from __future__ import annotations

from typing import Annotated

from canton_console.console import args as a
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.console.references import SequencerReference
from canton_console.values.pruning import SequencerPruningStatus, Timestamp
from canton_console.values.scala import NONE, Option, Some

PREVIEW = "Preview"

# Canton's ``parameters.retention-period-defaults.sequencer`` default: 7 days
DEFAULT_SEQUENCER_RETENTION_MICROS = 7 * 24 * 3600 * 1_000_000


class PruningReport(str):
    """What pruning reports: a ``String``, printed quoted."""

    canton_type = "String"


class OptionalTimestamp(Option):
    canton_type = "Option[CantonTimestamp]"


@subgroup(SequencerReference, "pruning")
class SequencerPruningGroup(NodeGroup):
    """Pruning of the sequencer"""

    scala_name = "LocalSequencerReference$pruning$"

    @command
    def status(self) -> SequencerPruningStatus:
        """Status of the sequencer and its connected clients

        Provides a detailed breakdown of information required for pruning: the current time
        according to this sequencer instance, the synchronizer members that the sequencer supports,
        and for each member when it was registered, its last acknowledgement and whether it is
        enabled. Members acknowledge the events they have processed (a mediator or participant
        what it stored as its clean replay point)."""
        return self._admin.sequencer_pruning.status()

    @command
    def prune(self) -> PruningReport:
        """Remove unnecessary data from the Sequencer up until the default retention point

        Removes the events older than the default retention period (Canton's
        ``parameters.retention-period-defaults.sequencer``, 7 days; canton-console does not read
        that setting). Data must have been read and acknowledged by the members before it is
        removed: the command fails when a member still needs it."""
        return self._prune_with_retention(DEFAULT_SEQUENCER_RETENTION_MICROS)

    @command
    def prune_with_retention_period(self, retention_period: Annotated[int, a.Duration()]) -> PruningReport:
        """Remove data that has been read up until a custom retention period

        Similar to the above ``prune`` command but allows specifying a custom retention period"""
        return self._prune_with_retention(retention_period)

    def _prune_with_retention(self, retention_micros: int) -> PruningReport:
        status = self._admin.sequencer_pruning.status()
        return self._prune_at(int(status.now) - retention_micros)

    @command
    def prune_at(self, timestamp: Annotated[int, a.Timestamp()]) -> PruningReport:
        """Remove data that has been read up until the specified time

        Similar to the above ``prune`` command but allows specifying the exact time at which to
        prune. The command will fail if a client has not yet read and acknowledged some data up to
        the specified time. Pruning is local to this sequencer: the other sequencers of the
        synchronizer keep their events."""
        return self._prune_at(timestamp)

    def _prune_at(self, timestamp: int) -> PruningReport:
        return PruningReport(self._admin.sequencer_pruning.prune(timestamp))

    @command(feature=PREVIEW)
    def locate_pruning_timestamp(self, index: Annotated[int, a.Int(1, "a positive number (PositiveInt)", a.INT_MAX)] = 1) -> OptionalTimestamp:
        """Obtain a timestamp at or near the beginning of sequencer state

        This command provides insight into the current state of sequencer pruning when called with
        the default value of ``index`` 1. When pruning the sequencer manually via ``prune_at`` and
        with the intent to prune in batches, specify a value such as 1000 to obtain a pruning
        timestamp that corresponds to the "end" of the batch. As in Canton 3.3, block sequencers
        (``BFT``, ``reference``) refuse it; a ``database`` sequencer answers."""
        found = self._admin.sequencer_pruning.locate_pruning_timestamp(index)
        return OptionalTimestamp(Timestamp(found), True) if found is not None else OptionalTimestamp()

    # ---- the pruning schedule: Canton 3.3's sequencers have no pruning scheduler ------------
    @command
    def set_schedule(
        self,
        cron: Annotated[str, a.Text("a cron expression")],
        max_duration: Annotated[int, a.Duration(allow_zero=False)],
        retention: Annotated[int, a.Duration(allow_zero=False)],
    ) -> None:
        """Activate automatic pruning according to the specified schedule.

        The schedule is specified in cron format and "max_duration" and "retention" durations.
        Canton 3.3's sequencers do not support scheduled pruning: the request is refused
        (UNIMPLEMENTED)."""
        self._admin.sequencer_pruning.set_schedule(cron, max_duration, retention)

    @command
    def clear_schedule(self) -> None:
        """Deactivate automatic pruning.

        Refused (UNIMPLEMENTED), as Canton 3.3's sequencers do: they have no pruning scheduler."""
        self._admin.sequencer_pruning.clear_schedule()

    @command
    def set_cron(self, cron: Annotated[str, a.Text("a cron expression")]) -> None:
        """Modify the cron used by automatic pruning.

        Refused (UNIMPLEMENTED), as Canton 3.3's sequencers do: they have no pruning scheduler."""
        self._admin.sequencer_pruning.set_cron(cron)

    @command
    def set_max_duration(self, max_duration: Annotated[int, a.Duration(allow_zero=False)]) -> None:
        """Modify the maximum duration used by automatic pruning.

        Refused (UNIMPLEMENTED), as Canton 3.3's sequencers do: they have no pruning scheduler."""
        self._admin.sequencer_pruning.set_max_duration(max_duration)

    @command
    def set_retention(self, retention: Annotated[int, a.Duration(allow_zero=False)]) -> None:
        """Update the pruning retention used by automatic pruning.

        Refused (UNIMPLEMENTED), as Canton 3.3's sequencers do: they have no pruning scheduler."""
        self._admin.sequencer_pruning.set_retention(retention)

    @command
    def get_schedule(self) -> Option:
        """Inspect the automatic pruning schedule.

        Refused (UNIMPLEMENTED), as Canton 3.3's sequencers do: they have no pruning scheduler."""
        schedule = self._admin.sequencer_pruning.get_schedule()
        return NONE if schedule is None else Some(schedule)
