"""``mediator.setup``: assigning a mediator to a synchronizer whose mediator group names it, through
the sequencers it is given (Canton's ``MediatorSetupGroup``)."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import Arg, CallContext, NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import MediatorReference, wait_until
from canton_console.values.sequencing import SequencerConnections


class SequencerConnectionsValueArg(Arg):
    expects = "SequencerConnections (e.g. SequencerConnections.single(sequencer1.sequencerConnection))"

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        names = []
        for name, url in self.resolve(value, ctx):
            if name is None:
                raise ctx.bad_value(f"No sequencer of this console listens at {url}")
            names.append(name)
        self._check_supported(value, ctx)
        return names

    def resolve(self, value: Any, ctx: CallContext) -> list[tuple[str | None, str]]:
        """Per connection: the name of the console's sequencer listening at it (None: none of this
        console's does) and its URL."""
        if not isinstance(value, SequencerConnections):
            raise ctx.wrong_type(self.expects, value)
        found: list[tuple[str | None, str]] = []
        for connection in value.connections:
            if not connection.urls:
                raise ctx.bad_value("a sequencer connection without an endpoint")
            name = next((n for n in (ctx.env.sequencer_for_url(url) for url in connection.urls) if n is not None), None)
            found.append((name, connection.urls[0]))
        return found

    def _check_supported(self, value: SequencerConnections, ctx: CallContext) -> None:
        if value.sequencerTrustThreshold != 1:
            raise ctx.bad_value("a mediator's sequencer trust threshold other than 1 is not supported by canton-console")
        if value.submissionRequestAmplification.amplifies:
            raise ctx.bad_value("submission request amplification is not supported by canton-console")


class AssignedConnectionsArg(SequencerConnectionsValueArg):
    """The connections ``setup.assign`` is given: sequencers of this console by name, with their URLs
    (a sequencer of another process is reached by its URL)."""

    def convert(self, value: Any, ctx: CallContext) -> list[tuple[str | None, str]]:  # type: ignore[override]
        found = self.resolve(value, ctx)
        self._check_supported(value, ctx)
        return found


@subgroup(MediatorReference, "setup")
class MediatorSetupGroup(NodeGroup):
    """Methods used for node initialization"""

    scala_name = "MediatorSetupGroup"

    @command(needs_running=False)
    def assign(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        sequencer_connections: Annotated[list[tuple[str | None, str]], AssignedConnectionsArg()],
        sequencer_connection_validation: Annotated[Any, Unsupported("connections are checked when they are resolved", accept=("All", "Active", "Disabled", "ThresholdActive"))] = None,
        wait_for_ready: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Assign a mediator to a synchronizer

        The synchronizer's mediator group must name this mediator (``bootstrap.synchronizer`` or
        the genesis topology did); it then receives the synchronizer's events through the given
        sequencers and confirms requests."""
        status = self._admin.status
        if wait_for_ready:
            wait_until(self._env, status.is_running, self._env.timeout_micros("bounded"), f"{self._node_name} is ready for initialization", f"{self.scala_name}.assign")
        self._admin.mediator_setup.assign(synchronizer_id, [self._reach(name, url) for name, url in sequencer_connections])

    def _reach(self, sequencer: str | None, url: str) -> str:
        """How the mediator reaches a sequencer: a sequencer of its own process (both local to this
        console) by name; any other (remote, or not one of this console's) by its URL."""
        local = {n.name for n in self._env.nodes() if n.local}
        return sequencer if sequencer is not None and sequencer in local and self._node_name in local else url
