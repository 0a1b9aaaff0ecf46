"""``<node>.health``: status, liveness, initialization, and a participant's ping."""

from __future__ import annotations

from typing import Annotated

from canton_console.console import args as a
from canton_console.console.framework import CommandFailure, NodeGroup, command, command_property, subgroup
from canton_console.console.references import NodeReference, ParticipantReference, bounded_timeout, wait_until
from canton_console.console.render import NodeStatus, short_id
from canton_console.values.errors import CantonError
from canton_console.values.refined import ScalaDuration
from canton_console.values.scala import NONE, Option, Some
from canton_console.values.timefmt import round_for_humans


@subgroup(NodeReference, "health")
class HealthGroup(NodeGroup):
    """Health and diagnostic related commands"""

    scala_name = "HealthAdministration"

    def _status(self) -> NodeStatus:
        info = self._admin.info
        try:
            data = self._admin.status.status()
        except CantonError as e:
            return NodeStatus(info.kind, info.instance_type, info.name, None, e.render())
        return NodeStatus(info.kind, info.instance_type, info.name, data)

    @command_property(needs_running=False)
    def status(self) -> NodeStatus:
        """Get human (and machine) readable status information (a stopped node's status is its failure)"""
        return self._status()

    @command(needs_running=False)
    def is_running(self) -> bool:
        """Check if the node is running"""
        return self._admin.status.is_running()

    @command(needs_running=False)
    def initialized(self) -> bool:
        """Returns true if node has been initialized.

        A participant is initialized once it has its identity; a sequencer or a mediator once it has
        been assigned to a synchronizer (``bootstrap.synchronizer``). Once seen initialized, the
        answer stays true (as in Canton, a node that is down now may well have been initialized);
        until then asking a node that is not running fails."""
        if not self._seen_initialized:
            if not self._admin.status.is_running():
                info = self._admin.info
                raise CommandFailure(f"NODE_NOT_STARTED(9,0): Instance {info.instance_type} '{info.name}' has not been started. ")
            self._seen_initialized = self._admin.status.is_initialized()
        return self._seen_initialized

    @command(needs_running=False)
    def has_identity(self) -> bool:
        """Returns true if the node has an identity (false when it cannot be asked: not running)"""
        return self._admin.status.is_running() and self._admin.identity.member_id_if_known() is not None

    @property
    def active(self) -> bool:
        """Check if the node is running and is the active instance (mediator, participant)"""
        return self._status().active

    @command(needs_running=False)
    def wait_for_running(self) -> None:
        """Wait for the node to be running"""
        wait_until(self._env, self._admin.status.is_running, bounded_timeout(self._env), f"{self._node_name} is running", f"{self.scala_name}.wait_for_running")

    @command(needs_running=False)
    def wait_for_initialized(self) -> None:
        """Wait for the node to be initialized (a node that is not running is waited for)"""

        def initialized() -> bool:
            self._seen_initialized = self._seen_initialized or self._admin.status.is_initialized()
            return self._seen_initialized

        wait_until(self._env, initialized, bounded_timeout(self._env), f"{self._node_name} is initialized", f"{self.scala_name}.wait_for_initialized")

    # Canton caches a positive answer of initialized() in the health group of the reference.
    _seen_initialized = False


class PingDuration(ScalaDuration):
    """A ping's result: Canton declares it as ``Duration`` (``res10: Duration = 923 milliseconds``)."""

    @property
    def canton_type(self) -> str:
        return "Duration"


@subgroup(ParticipantReference, "health")
class ParticipantHealthGroup(HealthGroup):
    """Health and diagnostic related commands"""

    scala_name = "ParticipantHealthAdministration"

    @command
    def ping(
        self,
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        timeout: Annotated[int | None, a.Duration(allow_zero=False)] = None,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        id: Annotated[str, a.Text("a ping id string")] = "",
    ) -> ScalaDuration:
        """Sends a ping to the target participant over the ledger. Yields the duration in case of success and throws a RuntimeException in case of failure.

        The participant creates a Ping contract for the target's admin party; the target answers by
        exercising Respond; the ping completes when the initiator sees the archival. Both requests go
        through the sequencer and the mediator. Fails after ``timeout`` (30 seconds by default)."""
        return self._ping(participant_id, timeout, synchronizer_id, id)

    def _ping(self, participant_id: str, timeout: int | None, synchronizer_id: str | None, id: str) -> ScalaDuration:
        timeout_us = timeout if timeout is not None else self._env.timeout_micros("ping")
        outcome = self._admin.ping.ping(participant_id, timeout_us, synchronizer_id, id or None)
        if outcome.elapsed_micros is None:
            raise CommandFailure(f"Unable to ping {short_id(participant_id)} within {round_for_humans(timeout_us)}: {outcome.failure}")
        return PingDuration(outcome.elapsed_micros, "millisecond")

    @command
    def maybe_ping(
        self,
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        timeout: Annotated[int | None, a.Duration(allow_zero=False)] = None,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        id: Annotated[str, a.Text("a ping id string")] = "",
    ) -> Option:
        """Like ping, but yields None instead of failing when the ping does not complete in time

        Some(duration) when the target answered within the timeout (30 seconds by default), else None."""
        try:
            return Some(self._ping(participant_id, timeout, synchronizer_id, id))
        except CommandFailure as e:
            if e.cause.startswith("Unable to ping "):
                return NONE
            raise
