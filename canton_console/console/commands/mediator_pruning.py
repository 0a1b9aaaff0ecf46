"""``mediator.pruning``, ``mediator.inspection`` and ``mediator.testing``: pruning a mediator's
finalized requests (by hand or on a schedule), reading its verdicts, and the synchronizer's time
(Canton's ``MediatorPruningAdministrationGroup``, ``MediatorInspectionGroup`` and
``MediatorTestingGroup``)."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.pruning_schedule import PruningScheduleCommands
from canton_console.console.framework import CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import MediatorReference, wait_until
from canton_console.values import mediator_verdicts as mv
from canton_console.values.ids import Member
from canton_console.values.pruning import OptionalTimestamp, Timestamp
from canton_console.values.scala import Seq

POSITIVE_INT = a.Int(1, "a positive number (PositiveInt)", a.INT_MAX)


class VerdictList(Seq):
    """What ``inspection.verdicts`` returns: the streamed verdicts as a List, typed with the gRPC
    message's full name (Canton's console does not import it)."""

    canton_type = "Seq[com.digitalasset.canton.mediator.admin.v30.Verdict]"


@subgroup(MediatorReference, "pruning")
class MediatorPruningGroup(PruningScheduleCommands, NodeGroup):
    """Pruning functionality for the mediator"""

    scala_name = "MediatorPruningAdministrationGroup"

    def _schedule_service(self) -> Any:
        return self._admin.mediator_pruning

    @command
    def prune(self) -> None:
        """Prune the mediator of unnecessary data while keeping data for the default retention period

        Removes unnecessary data from the Mediator that is earlier than the default retention
        period. The default retention period is set in the configuration of the canton node
        running this command under `parameters.retention-period-defaults.mediator` (7 days by
        default)."""
        self._prune_at(self._env.now() - self._env.retention_period_default("mediator"))

    @command
    def prune_with_retention_period(self, retention_period: Annotated[int, a.Duration()]) -> None:
        """Prune the mediator of unnecessary data while keeping data for the provided retention period"""
        self._prune_at(self._env.now() - retention_period)

    @command
    def prune_at(self, timestamp: Annotated[int, a.Timestamp()]) -> None:
        """Prune the mediator of unnecessary data up to and including the given timestamp

        Removes the finalized requests (and their verdicts) up to ``timestamp``. It must not lie
        after the mediator's earliest safe pruning point: its clean replay point less the
        confirmation response timeout (no request still being decided is touched)."""
        self._prune_at(timestamp)

    def _prune_at(self, timestamp: int) -> None:
        self._admin.mediator_pruning.prune(timestamp)

    @command
    def locate_pruning_timestamp(self, index: Annotated[int, POSITIVE_INT] = 1) -> OptionalTimestamp:
        """Obtain a timestamp at or near the beginning of mediator state

        This command provides insight into the current state of mediator pruning when called with
        the default value of `index` 1. When pruning the mediator manually via `prune_at` and with
        the intent to prune in batches, specify a value such as 1000 to obtain a pruning timestamp
        that corresponds to the "end" of the batch."""
        found = self._admin.mediator_pruning.locate_pruning_timestamp(index)
        return OptionalTimestamp.of(found)


def verdict_value(stored: mv.StoredVerdict) -> mv.Verdict:
    """A stored verdict as Canton's ``Verdict`` message. canton-console's requests have one view:
    the root view 0 with every informee, and one quorum of the confirming parties (each needed)."""
    confirming = tuple(party for party, _threshold, confirms in stored.informees if confirms)
    view = mv.TransactionView(tuple(p for p, _t, _c in stored.informees), (mv.Quorum(confirming, len(confirming)),) if confirming else ())
    participant = stored.submitting_participant
    uid = str(Member.parse(participant).uid) if participant else ""
    return mv.Verdict(
        stored.submitting_parties,
        uid,
        mv.ACCEPTED if stored.accepted else mv.REJECTED,
        mv.ProtoTimestamp.of_micros(stored.finalized_at),
        mv.ProtoTimestamp.of_micros(stored.request_id),
        stored.mediator_group,
        mv.TransactionViews(((0, view),), (0,)),
        stored.update_id,
    )


@subgroup(MediatorReference, "inspection")
class MediatorInspectionGroup(NodeGroup):
    """Inspection functionality for the mediator"""

    scala_name = "MediatorInspectionGroup"

    @command
    def verdicts(
        self,
        from_record_time_of_request_exclusive: Annotated[int, a.Timestamp()],
        max_items: Annotated[int, POSITIVE_INT],
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> Seq:
        """Fetch the mediator's verdicts

        The verdicts of the requests whose record time lies after
        ``fromRecordTimeOfRequestExclusive``, ordered by finalization time, at most ``maxItems``.
        Waits up to ``timeout`` (default: the console's bounded timeout) for ``maxItems`` of them,
        then returns those that came. Pruned verdicts are gone; requests in flight when the
        mediator restarted have no verdict of this mediator."""
        service = self._admin.mediator_inspection
        wait = self._env.timeout_micros("bounded") if timeout is None else timeout
        found: list[mv.StoredVerdict] = []

        def enough() -> bool:
            found[:] = service.verdicts(from_record_time_of_request_exclusive, max_items)
            return len(found) >= max_items

        try:
            wait_until(self._env, enough, wait, "", f"{self.scala_name}.verdicts")
        except CommandFailure:
            pass  # Canton returns what came by the timeout
        return VerdictList(*[verdict_value(v) for v in found])


TESTING = "Testing"


@subgroup(MediatorReference, "testing")
class MediatorTestingGroup(NodeGroup):
    """Testing functionality for the mediator"""

    scala_name = "MediatorTestingGroup"

    @command(feature=TESTING)
    def fetch_synchronizer_time(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> Timestamp:
        """Fetch the current time from the synchronizer

        The synchronizer's current time: the later of its clock and its last sequencing time. The
        answer comes at once (the synchronizer is in this process), within any ``timeout``."""
        _ = timeout  # nothing to wait for
        return Timestamp(self._admin.synchronizer_time.fetch_time())

    @command(feature=TESTING)
    def await_synchronizer_time(self, time: Annotated[int, a.Timestamp()], timeout: Annotated[int, a.Duration()]) -> None:
        """Await for the given time to be reached on the synchronizer"""
        service = self._admin.synchronizer_time
        wait_until(
            self._env, lambda: service.fetch_time() >= time, timeout, f"synchronizer time {Timestamp(time)} is reached", f"{self.scala_name}.await_synchronizer_time"
        )
