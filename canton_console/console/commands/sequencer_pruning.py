"""``sequencer.pruning``: the sequencer's pruning status, pruning at a timestamp or by retention,
forced pruning that disables the members holding it back, and its (refused) pruning schedule (Canton's ``LocalSequencerReference.pruning``, a
``PruningSchedulerAdministration``)."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.pruning_schedule import PruningScheduleCommands
from canton_console.console.framework import CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import SequencerReference
from canton_console.values.pruning import OptionalTimestamp, SequencerPruningStatus, Timestamp

PREVIEW = "Preview"


class PruningReport(str):
    """What pruning reports: a ``String``, printed quoted."""

    canton_type = "String"


@subgroup(SequencerReference, "pruning")
class SequencerPruningGroup(PruningScheduleCommands, NodeGroup):
    """Pruning of the sequencer"""

    scala_name = "LocalSequencerReference$pruning$"

    def _schedule_service(self) -> Any:
        # Canton 3.3's sequencers have no pruning scheduler: the service refuses (UNIMPLEMENTED)
        return self._admin.sequencer_pruning

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

        Removes the events older than the default retention period, set in the configuration
        under ``parameters.retention-period-defaults.sequencer`` (7 days by default). Data must have been read and acknowledged by the members before it is
        removed: the command fails when a member still needs it. If no data is being removed, a
        member may be offline for long: `force_prune(dryRun = true)` describes which members would
        be disabled to prune, `force_prune(dryRun = false)` disables them (they can never
        reconnect) and prunes."""
        return self._prune_with_retention(self._env.retention_period_default("sequencer"))

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
        return OptionalTimestamp.of(found)

    # ---- forced pruning: disabling the members that hold back the safe point ---------------
    @command
    def force_prune(self, dry_run: Annotated[bool, a.Bool()]) -> PruningReport:
        """Force remove data from the Sequencer including data that may have not been read by offline clients

        Will force pruning up until the default retention period
        (``parameters.retention-period-defaults.sequencer``) by potentially disabling
        clients that have not yet read data we would like to remove. Disabling these clients will
        prevent them from ever reconnecting to the Synchronizer so should only be used if the
        Synchronizer operator is confident they can be permanently ignored. Run with `dryRun =
        true` to review a description of which clients will be disabled first. Run with `dryRun =
        false` to disable these clients and perform a forced pruning."""
        return self._force_prune_with_retention(self._env.retention_period_default("sequencer"), dry_run)

    @command
    def force_prune_with_retention_period(
        self, retention_period: Annotated[int, a.Duration()], dry_run: Annotated[bool, a.Bool()]
    ) -> PruningReport:
        """Force removing data from the Sequencer including data that may have not been read by offline clients up until a custom retention period

        Similar to the above `force_prune` command but allows specifying a custom retention period"""
        return self._force_prune_with_retention(retention_period, dry_run)

    def _force_prune_with_retention(self, retention_micros: int, dry_run: bool) -> PruningReport:
        status = self._admin.sequencer_pruning.status()
        return self._force_prune_at(int(status.now) - retention_micros, dry_run)

    @command
    def force_prune_at(self, timestamp: Annotated[int, a.Timestamp()], dry_run: Annotated[bool, a.Bool()]) -> PruningReport:
        """Force removing data from the Sequencer including data that may have not been read by offline clients up until the specified time

        Similar to the above `force_prune` command but allows specifying the exact time at which to
        prune. The members whose acknowledgements (or registration, when they never acknowledged)
        lie before ``timestamp`` are disabled at this sequencer (``repair.disable_member``)."""
        return self._force_prune_at(timestamp, dry_run)

    def _force_prune_at(self, timestamp: int, dry_run: bool) -> PruningReport:
        status = self._admin.sequencer_pruning.status()
        to_disable = clients_preventing_pruning(status, timestamp)
        shown = Timestamp(timestamp)
        if dry_run:
            return PruningReport(format_disable_dry_run(shown, to_disable))
        for member in to_disable:
            self._admin.sequencer_repair.disable_member(member)
        safe = self._admin.sequencer_pruning.status().safePruningTimestamp
        if safe < timestamp:
            raise CommandFailure(
                f"We disabled all clients preventing pruning at {shown} however the safe timestamp is set to {Timestamp(safe)}"
            )
        report = self._prune_at(timestamp)
        if not to_disable:
            return report
        listed = "".join(f"\n  - {m}" for m in sorted(to_disable))
        return PruningReport(f"{report}\nDisabled the following members:{listed}\n")


def clients_preventing_pruning(status: SequencerPruningStatus, timestamp: int) -> list[str]:
    """Canton's ``SequencerPruningStatus.clientsPreventingPruning``: the enabled members whose safe
    pruning point lies before ``timestamp``."""
    return sorted(m.member for m in status.members if m.enabled and int(m.safePruningTimestamp) < timestamp)


def format_disable_dry_run(timestamp: Timestamp, members: list[str]) -> str:
    """What ``force_prune(dryRun = true)`` reports (Canton's ``formatDisableDryRun``)."""
    if not members:
        return f"The Sequencer can be safely pruned for {timestamp} without disabling clients"
    lines = [f"To prune the Sequencer at {timestamp} we will disable:"]
    lines += sorted(f"  - {m} (member)" for m in members)
    lines.append("To disable these clients to allow for pruning at this point run force_prune with dryRun set to false")
    return "\n".join(lines)
