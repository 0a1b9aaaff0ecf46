"""``participant.synchronizers``: connect to synchronizers, list and manage the connections."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import CallContext, CommandFailure, NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import NodeReference, ParticipantReference, SequencerReference, bounded_timeout, wait_until
from canton_console.pretty import Literal, klass, param
from canton_console.values.ids import SynchronizerId
from canton_console.values.scala import NONE, Option, Vector


@attrs.frozen
class ListConnectedSynchronizersResult:
    synchronizerAlias: str
    synchronizerId: str
    healthy: bool

    canton_type = "ListConnectedSynchronizersResult"

    def __pretty__(self):
        return klass(
            "ListConnectedSynchronizersResult",
            param("synchronizerAlias", Literal(f"Synchronizer '{self.synchronizerAlias}'")),
            param("synchronizerId", SynchronizerId.parse(self.synchronizerId)),
            param("healthy", self.healthy),
        )

    @property
    def synchronizer_id(self) -> SynchronizerId:
        return SynchronizerId.parse(self.synchronizerId)


class SequencerConnectionsArg(a.SeqOf):
    """Several sequencers of one synchronizer: a Seq of sequencer references or their public URLs
    (``"http://localhost:5001"``), or a Map(alias -> sequencer); returned as connections (sequencer
    names or URLs), each once."""

    def __init__(self):
        super().__init__(a.NodeRef("sequencer"))
        self.expects = "a Seq of sequencer references or URLs (e.g. Seq(sequencer1, sequencer2)), or a Map(alias -> sequencer)"

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        connections = []
        for item in value:
            if isinstance(item, str):
                name = ctx.env.sequencer_for_url(item)
                if name is None:
                    raise ctx.bad_value(f"no sequencer of this console listens on {item}")
                connections.append(name)
            else:
                connections.append(self.inner.convert(item, ctx).name)
        if not connections:
            raise ctx.bad_value("at least one sequencer connection is needed")
        return list(dict.fromkeys(connections))


@subgroup(ParticipantReference, "synchronizers")
class SynchronizersGroup(NodeGroup):
    """Manage synchronizer connections"""

    scala_name = "ParticipantAdministration$synchronizers$"

    def _connect(self, alias: str, sequencers: list[str], trust_threshold: int, synchronize: int | None, command_name: str) -> None:
        connectivity = self._admin.connectivity
        sync_id = connectivity.connect(alias, sequencers, trust_threshold)
        if synchronize is None:
            return
        wait_until(self._env, lambda: connectivity.is_onboarded(sync_id), synchronize, f"{self._node_name} is connected to {alias}", command_name)

    def _sync_timeout(self, synchronize: Any) -> int | None:
        if synchronize is NONE:
            return bounded_timeout(self._env)
        return synchronize

    @command
    def connect_local(
        self,
        sequencer: Annotated[NodeReference, a.NodeRef("sequencer")],
        alias: Annotated[str, a.Text("a synchronizer alias such as \"da\"", allow_empty=False)],
        manual_connect: Annotated[Any, Unsupported("a connection is always made at once", accept=("False",))] = False,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer given by sequencer reference"""
        self._connect(alias, [sequencer.name], 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect_local")

    @command
    def connect(self, alias: Any, connection: Any, synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE) -> None:
        """Macro to connect a participant to a synchronizer: connect("da", "http://localhost:5001") or connect(sequencer1, "da")"""
        if isinstance(alias, SequencerReference) and isinstance(connection, str):
            alias, connection = connection, alias
        if not isinstance(alias, str) or not alias:
            raise CallContext(f"{self._path}.connect", "alias", self._env).wrong_type("a synchronizer alias string such as \"da\"", alias)
        if isinstance(connection, SequencerReference):
            connection = connection.name
        elif not isinstance(connection, str):
            raise CallContext(f"{self._path}.connect", "connection", self._env).wrong_type(
                "a sequencer reference or its URL such as \"http://localhost:5001\"", connection
            )
        self._connect(alias, [connection], 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect")

    @command
    def connect_multi(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias", allow_empty=False)],
        connections: Annotated[list[str], SequencerConnectionsArg()],
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        validation: Annotated[Any, Unsupported("sequencer connections are always validated", accept=("Active", "All"))] = None,
    ) -> None:
        """Macro to connect a participant to a synchronizer that supports connecting via many endpoints

        connect_multi("mysynchronizer", Seq(sequencer1, sequencer2)): the participant reads from any
        of the sequencers that runs and keeps working while one of them is down."""
        self._connect(synchronizer_alias, connections, 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect_multi")

    @command
    def connect_bft(
        self,
        connections: Annotated[list[str], SequencerConnectionsArg()],
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias", allow_empty=False)],
        sequencer_trust_threshold: Annotated[int, a.POSITIVE_INT] = 1,
        sequencer_liveness_margin: Annotated[Any, Unsupported("every connected sequencer is read from")] = 0,
        submission_request_amplification: Annotated[Any, Unsupported("submissions go to one sequencer")] = None,
        physical_synchronizer_id: Annotated[Any, Unsupported("Canton 3.3 has no physical synchronizer ids")] = None,
        manual_connect: Annotated[Any, Unsupported("a connection is always made at once", accept=("False",))] = False,
        validation: Annotated[Any, Unsupported("sequencer connections are always validated", accept=("Active", "All"))] = None,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> None:
        """Macro to connect a participant to a synchronizer through several sequencers (BFT)

        connect_bft(Seq(sequencer1, sequencer2), "da", sequencerTrustThreshold = 1): events are
        accepted once sequencerTrustThreshold of the sequencers deliver them, so the participant keeps
        working while at least that many of its sequencers run."""
        self._connect(synchronizer_alias, connections, sequencer_trust_threshold, self._sync_timeout(synchronize), f"{self.scala_name}.connect_bft")

    @command
    def connect_local_bft(
        self,
        synchronizer: Annotated[list[str], SequencerConnectionsArg()],
        alias: Annotated[str, a.Text("a synchronizer alias", allow_empty=False)],
        manual_connect: Annotated[Any, Unsupported("a connection is always made at once", accept=("False",))] = False,
        max_retry_delay_millis: Annotated[Any, Unsupported("reconnection retries are not configurable")] = None,
        priority: Annotated[Any, Unsupported("connections have no priority")] = 0,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        sequencer_trust_threshold: Annotated[int, a.POSITIVE_INT] = 1,
        submission_request_amplification: Annotated[Any, Unsupported("submissions go to one sequencer")] = None,
        validation: Annotated[Any, Unsupported("sequencer connections are always validated", accept=("Active", "All"))] = None,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer through several sequencers

        connect_local_bft(Map("sequencer1" -> sequencer1, "sequencer2" -> sequencer2), "da") or with
        a Seq of sequencer references; see connect_bft for the trust threshold."""
        self._connect(alias, synchronizer, sequencer_trust_threshold, self._sync_timeout(synchronize), f"{self.scala_name}.connect_local_bft")

    @command
    def list_connected(self) -> Vector:
        """List the connected synchronizers"""
        return Vector(*[ListConnectedSynchronizersResult(c.alias, c.synchronizer_id, c.healthy) for c in self._admin.connectivity.list_connected()])

    @command
    def list_registered(self) -> Vector:
        """List the registered synchronizer connections (alias, synchronizer id, connected)"""
        return Vector(*[(c.alias, SynchronizerId.parse(c.synchronizer_id), c.connected) for c in self._admin.connectivity.list_registered()])

    @command
    def is_connected(self, synchronizer: Any) -> bool:
        """Test whether a participant is connected to a synchronizer (by id or alias)"""
        if isinstance(synchronizer, SynchronizerId):
            synchronizer = str(synchronizer)
        if not isinstance(synchronizer, str):
            raise CallContext(f"{self._path}.is_connected", "synchronizerId", self._env).wrong_type("a synchronizer id or alias", synchronizer)
        connectivity = self._admin.connectivity
        sync_id = connectivity.resolve(synchronizer)
        return sync_id is not None and connectivity.is_connected(sync_id)

    @command
    def active(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> bool:
        """Check if a synchronizer is connected and healthy (the participant is active on it)"""
        return any(c.alias == synchronizer_alias and c.healthy for c in self._admin.connectivity.list_connected())

    @command
    def disconnect(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> None:
        """Disconnect this participant from the given synchronizer"""
        self._admin.connectivity.disconnect(synchronizer_alias)

    @command
    def disconnect_all(self) -> None:
        """Disconnect this participant from all connected synchronizers"""
        for c in self._admin.connectivity.list_connected():
            self._admin.connectivity.disconnect(c.alias)

    @command
    def reconnect(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")], retry: Annotated[Any, Unsupported("a reconnection is tried once, without retries in the background", accept=("False",))] = True) -> bool:
        """Reconnect this participant to the given synchronizer"""
        return self._admin.connectivity.reconnect(synchronizer_alias)

    @command
    def reconnect_all(self, ignore_failures: Annotated[bool, a.Bool()] = True) -> None:
        """Reconnect this participant to all registered synchronizers"""
        for c in self._admin.connectivity.list_registered():
            if not self._admin.connectivity.reconnect(c.alias) and not ignore_failures:
                raise CommandFailure(f"Failed to reconnect to synchronizer {c.alias}")

    @command
    def id_of(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> SynchronizerId:
        """Returns the id of the given synchronizer alias"""
        return SynchronizerId.parse(self._admin.connectivity.synchronizer_id_of(synchronizer_alias))

    @command
    def reconnect_local(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        retry: Annotated[Any, Unsupported("a reconnection is tried once, without retries in the background", accept=("False",))] = True,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> bool:
        """Reconnect this participant to the given local synchronizer

        Idempotent attempts to re-establish a connection to the given local synchronizer. Same
        behaviour as generic reconnect; ``synchronize``: how long to wait for the participant to be
        back on the synchronizer (None: no waiting)."""
        connectivity = self._admin.connectivity
        reconnected = connectivity.reconnect(synchronizer_alias)
        timeout = self._sync_timeout(synchronize)
        if reconnected and timeout is not None:
            sync_id = connectivity.synchronizer_id_of(synchronizer_alias)
            wait_until(self._env, lambda: connectivity.is_connected(sync_id), timeout, f"{self._node_name} is connected to {synchronizer_alias}", f"{self.scala_name}.reconnect_local")
        return reconnected
