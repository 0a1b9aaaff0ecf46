"""``mediator.sequencer_connection``: the sequencers a mediator reads the synchronizer through
(Canton's ``SequencerConnectionAdministration`` of a mediator reference)."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console.commands.mediator_setup import SequencerConnectionsValueArg
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import MediatorReference
from canton_console.values.scala import Option
from canton_console.values.sequencing import GrpcSequencerConnection, SequencerConnections

# Canton's SequencerAlias.Default
DEFAULT_ALIAS = "DefaultSequencer"

VALIDATION = Unsupported("connections are checked when they are resolved", accept=("All", "Active", "Disabled", "ThresholdActive"))


class OptionalConnections(Option):
    canton_type = "Option[SequencerConnections]"


class ConnectionsArg(Arg):
    """``SequencerConnections``: kept as given, with the names of the sequencers it reaches."""

    expects = SequencerConnectionsValueArg.expects

    def convert(self, value: Any, ctx: CallContext) -> tuple[SequencerConnections, list[str]]:
        return value, SequencerConnectionsValueArg().convert(value, ctx)


class ConnectionArg(Arg):
    expects = "a sequencer connection (e.g. sequencer1.sequencerConnection)"

    def convert(self, value: Any, ctx: CallContext) -> tuple[SequencerConnections, list[str]]:
        if not isinstance(value, GrpcSequencerConnection):
            raise ctx.wrong_type(self.expects, value)
        connections = SequencerConnections((value,))
        return connections, SequencerConnectionsValueArg().convert(connections, ctx)


class ModifierArg(Arg):
    expects = "a function from SequencerConnections to SequencerConnections"

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if not callable(value):
            raise ctx.wrong_type(self.expects, value)
        return value


@subgroup(MediatorReference, "sequencer_connection")
class MediatorSequencerConnectionGroup(NodeGroup):
    """Manage sequencer connection"""

    scala_name = "SequencerConnectionAdministration$sequencer_connection$"

    @command
    def get(self) -> OptionalConnections:
        """Get Sequencer Connection

        Use this command to get the currently configured sequencer connection details for this
        sequencer client. If this node has not yet been initialized, this will return None."""
        found = self._admin.sequencer_connection.get()
        return OptionalConnections() if found is None else OptionalConnections(found, True)

    def _set(self, connections: tuple[SequencerConnections, list[str]]) -> None:
        value, names = connections
        self._admin.sequencer_connection.set(value, names)

    @command
    def set(
        self,
        connections: Annotated[tuple[SequencerConnections, list[str]], ConnectionsArg()],
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Set Sequencer Connection

        Set new sequencer connection details for this sequencer client node. This will replace any
        pre-configured connection details. This command will only work after the node has been
        initialized. The mediator then reads the synchronizer through the given sequencers
        (persisted: also after a restart), from where it stands."""
        self._set(connections)

    @command
    def set_single(
        self,
        connection: Annotated[tuple[SequencerConnections, list[str]], ConnectionArg()],
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Set Sequencer Connection

        Set new sequencer connection details for this sequencer client node. This will replace any
        pre-configured connection details. This command will only work after the node has been
        initialized."""
        self._set(connection)

    @command
    def modify_connections(
        self,
        modifier: Annotated[Any, ModifierArg()],
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Modify Sequencer Connections

        Modify sequencer connection details for this sequencer client node, by passing a modifier
        function that operates on the existing connection configuration."""
        current = self._admin.sequencer_connection.get()
        if current is None:
            raise CommandFailure("Node not yet initialized")
        try:
            changed = modifier(current)
        except Exception as e:  # noqa: BLE001 - Canton reports the modifier's failure message
            raise CommandFailure(str(e)) from None
        self._set(ConnectionsArg().convert(changed, CallContext(f"{self._path}.modify_connections", "modifier", self._env, self.scala_name)))

    @command
    def modify(self, modifier: Annotated[Any, ModifierArg()]) -> None:
        """Modify Default Sequencer Connection

        Modify sequencer connection details for this sequencer client node, by passing a modifier
        function that operates on the existing default connection (the connection aliased
        ``DefaultSequencer``; canton-console names a single connection after its sequencer, so
        with one connection, that one). Other connections stay as they are."""
        current = self._admin.sequencer_connection.get()
        if current is None:
            raise CommandFailure("Node not yet initialized")
        connections = list(current.connections)
        index = next((i for i, c in enumerate(connections) if c.sequencerAlias == DEFAULT_ALIAS), 0 if len(connections) == 1 else None)
        if index is not None:
            try:
                changed = modifier(connections[index])
            except Exception as e:  # noqa: BLE001 - Canton reports the modifier's failure message
                raise CommandFailure(str(e)) from None
            if not isinstance(changed, GrpcSequencerConnection):
                raise CommandFailure(f"The modifier must return a sequencer connection (e.g. sequencer2.sequencerConnection), got {type(changed).__name__}")
            connections[index] = changed
        updated = attrs.evolve(current, connections=tuple(connections))
        self._set(ConnectionsArg().convert(updated, CallContext(f"{self._path}.modify", "modifier", self._env, self.scala_name)))

    @command
    def logout(self) -> None:
        """Revoke this sequencer client node's authentication tokens and close all the sequencers connections.

        The node is not disconnected from the synchronizer; only the connections to the sequencers
        are closed. It reopens them at once (canton-console's nodes need no tokens)."""
        self._admin.sequencer_connection.logout()

