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
        if not isinstance(value, SequencerConnections):
            raise ctx.wrong_type(self.expects, value)
        names = []
        for connection in value.connections:
            name = next((n for n in (ctx.env.sequencer_for_url(url) for url in connection.urls) if n is not None), None)
            if name is None:
                raise ctx.bad_value(f"No sequencer of this console listens at {', '.join(connection.urls)}")
            names.append(name)
        if value.sequencerTrustThreshold != 1:
            raise ctx.bad_value("a mediator's sequencer trust threshold other than 1 is not supported by canton-console")
        if value.submissionRequestAmplification.amplifies:
            raise ctx.bad_value("submission request amplification is not supported by canton-console")
        return names


@subgroup(MediatorReference, "setup")
class MediatorSetupGroup(NodeGroup):
    """Methods used for node initialization"""

    scala_name = "MediatorSetupGroup"

    @command(needs_running=False)
    def assign(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        sequencer_connections: Annotated[list[str], SequencerConnectionsValueArg()],
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
        self._admin.mediator_setup.assign(synchronizer_id, sequencer_connections)
