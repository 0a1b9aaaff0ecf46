"""``participant.synchronizers``: connect to synchronizers, list and manage the connections."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import CallContext, CommandFailure, NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import NodeReference, ParticipantReference, SequencerReference, bounded_timeout, wait_until
from canton_console.pretty import Apply, Literal, klass, param, to_tree
from canton_console.values.ids import SynchronizerId
from canton_console.values.refined import NonNegativeFiniteDuration
from canton_console.values.scala import NONE, Option, TypedVector, Vector
from canton_console.values.sequencing import SEQUENCER_CONNECTIONS, GrpcSequencerConnection, connection_url_problem, is_url
from canton_console.values.synchronizer_connection import SynchronizerConnectionConfig


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


class ConfigAndConnected(tuple):
    """Scala's pair ``(SynchronizerConnectionConfig, Boolean)``: ``entry._1``, ``entry._2``."""

    def __new__(cls, config: SynchronizerConnectionConfig, connected: bool):
        return super().__new__(cls, (config, connected))

    @property
    def _1(self) -> SynchronizerConnectionConfig:
        return self[0]

    @property
    def _2(self) -> bool:
        return self[1]

    def __pretty__(self) -> Apply:
        return Apply("", (to_tree(self[0]), to_tree(self[1])))


class OptionalConnectionConfig(Option):
    canton_type = "Option[SynchronizerConnectionConfig]"


class ConnectionConfigArg(a.Arg):
    expects = 'a SynchronizerConnectionConfig (e.g. SynchronizerConnectionConfig("da", SequencerConnections.single(sequencer1.sequencerConnection)))'

    def convert(self, value: Any, ctx: CallContext) -> SynchronizerConnectionConfig:
        if not isinstance(value, SynchronizerConnectionConfig):
            raise ctx.wrong_type(self.expects, value)
        return value


class ConfigModifierArg(a.Arg):
    expects = "a function from SynchronizerConnectionConfig to SynchronizerConnectionConfig (e.g. _.copy(manualConnect = true))"

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if not callable(value):
            raise ctx.wrong_type(self.expects, value)
        return value


PRIORITY = a.Int(-(2**31), "an Int (e.g. 10)", a.INT_MAX)
VALIDATION = Unsupported("sequencer connections are always validated", accept=("Active", "All"))


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
                problem = connection_url_problem(item)
                if problem is not None:
                    raise ctx.bad_value(problem)
                name = ctx.env.sequencer_for_url(item)
                if name is None and not is_url(item):
                    raise ctx.bad_value(f"no sequencer of this console listens on {item}")
                # a URL of another process's sequencer: the participant connects to it by URL
                connections.append(name if name is not None else item)
            else:
                connections.append(self.inner.convert(item, ctx).name)
        if not connections:
            raise ctx.bad_value("at least one sequencer connection is needed")
        return list(dict.fromkeys(connections))


@subgroup(ParticipantReference, "synchronizers")
class SynchronizersGroup(NodeGroup):
    """Manage synchronizer connections"""

    scala_name = "ParticipantAdministration$synchronizers$"

    def _connection_of(self, sequencer: str) -> str:
        """How the participant reaches a sequencer: one of this console's processes by name, a remote
        one (``canton.remote-sequencers``) by its public API URL."""
        node = self._env.node(sequencer) if sequencer in {n.name for n in self._env.nodes()} else None
        if node is None or node.info.local:
            return sequencer
        urls = self._env.public_urls(sequencer)
        if not urls:
            raise CommandFailure(f"remote sequencer {sequencer} has no public-api configured")
        return urls[0]

    def _connect(self, alias: str, sequencers: list[str], trust_threshold: int, synchronize: int | None, command_name: str) -> None:
        connectivity = self._admin.connectivity
        sequencers = list(dict.fromkeys(self._connection_of(s) for s in sequencers))
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
        manual_connect: Annotated[bool, a.Bool()] = False,
        synchronizer_id: Annotated[Any, a.Optional(a.SynchronizerIdArg())] = None,
        max_retry_delay_millis: Annotated[Any, a.Optional(a.NON_NEGATIVE_LONG)] = None,
        priority: Annotated[int, PRIORITY] = 0,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer given by sequencer reference

        connect_local(sequencer1, "da"); manualConnect = true keeps the connection out of automatic
        reconnects (at restarts, reconnect_all); synchronizerId makes sure the sequencer serves that
        synchronizer; priority and maxRetryDelayMillis are kept in the connection's config
        (synchronizers.config("da"))."""
        command_name = f"{self.scala_name}.connect_local"
        if manual_connect or synchronizer_id is not None or max_retry_delay_millis is not None or priority != 0:
            config = self._reference_config([sequencer.name], alias, manual_connect, synchronizer_id, max_retry_delay_millis, priority)
            self._connect_by_config(config, synchronize, command_name)
            return
        self._connect(alias, [sequencer.name], 1, self._sync_timeout(synchronize), command_name)

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
        elif "://" in connection and (problem := connection_url_problem(connection)) is not None:
            raise CallContext(f"{self._path}.connect", "connection", self._env).bad_value(problem)
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
        manual_connect: Annotated[bool, a.Bool()] = False,
        validation: Annotated[Any, Unsupported("sequencer connections are always validated", accept=("Active", "All"))] = None,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        synchronizer_id: Annotated[Any, a.Optional(a.SynchronizerIdArg())] = None,
        priority: Annotated[int, PRIORITY] = 0,
    ) -> None:
        """Macro to connect a participant to a synchronizer through several sequencers (BFT)

        connect_bft(Seq(sequencer1, sequencer2), "da", sequencerTrustThreshold = 1): events are
        accepted once sequencerTrustThreshold of the sequencers deliver them, so the participant keeps
        working while at least that many of its sequencers run. See connect_local for manualConnect,
        synchronizerId and priority."""
        command_name = f"{self.scala_name}.connect_bft"
        if manual_connect or synchronizer_id is not None or priority != 0:
            config = self._reference_config(connections, synchronizer_alias, manual_connect, synchronizer_id, None, priority, sequencer_trust_threshold)
            self._connect_by_config(config, synchronize, command_name)
            return
        self._connect(synchronizer_alias, connections, sequencer_trust_threshold, self._sync_timeout(synchronize), command_name)

    @command
    def connect_local_bft(
        self,
        synchronizer: Annotated[list[str], SequencerConnectionsArg()],
        alias: Annotated[str, a.Text("a synchronizer alias", allow_empty=False)],
        manual_connect: Annotated[bool, a.Bool()] = False,
        synchronizer_id: Annotated[Any, a.Optional(a.SynchronizerIdArg())] = None,
        max_retry_delay_millis: Annotated[Any, a.Optional(a.NON_NEGATIVE_LONG)] = None,
        priority: Annotated[int, PRIORITY] = 0,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        sequencer_trust_threshold: Annotated[int, a.POSITIVE_INT] = 1,
        submission_request_amplification: Annotated[Any, Unsupported("submissions go to one sequencer")] = None,
        validation: Annotated[Any, Unsupported("sequencer connections are always validated", accept=("Active", "All"))] = None,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer through several sequencers

        connect_local_bft(Map("sequencer1" -> sequencer1, "sequencer2" -> sequencer2), "da") or with
        a Seq of sequencer references; see connect_bft for the trust threshold, connect_local for
        manualConnect, synchronizerId, priority and maxRetryDelayMillis."""
        command_name = f"{self.scala_name}.connect_local_bft"
        if manual_connect or synchronizer_id is not None or max_retry_delay_millis is not None or priority != 0:
            config = self._reference_config(synchronizer, alias, manual_connect, synchronizer_id, max_retry_delay_millis, priority, sequencer_trust_threshold)
            self._connect_by_config(config, synchronize, command_name)
            return
        self._connect(alias, synchronizer, sequencer_trust_threshold, self._sync_timeout(synchronize), command_name)

    @command
    def list_connected(self) -> Vector:
        """List the connected synchronizers"""
        return Vector(*[ListConnectedSynchronizersResult(c.alias, c.synchronizer_id, c.healthy) for c in self._admin.connectivity.list_connected()])

    @command
    def list_registered(self) -> TypedVector:
        """List the configured synchronizer of this participant

        For each returned synchronizer, the boolean indicates whether the participant is currently
        connected to the synchronizer."""
        return TypedVector("(SynchronizerConnectionConfig, Boolean)", *[ConfigAndConnected(c, connected) for c, connected in self._admin.connection_configs.list_registered()])

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
            if any(config.synchronizerAlias == c.alias and config.manualConnect for config, _ in self._admin.connection_configs.list_registered()):
                continue  # Canton: reconnect_all skips the connections marked manualConnect
            if not self._admin.connectivity.reconnect(c.alias) and not ignore_failures:
                raise CommandFailure(f"Failed to reconnect to synchronizer {c.alias}")

    @command
    def id_of(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> SynchronizerId:
        """Returns the id of the given synchronizer alias"""
        return SynchronizerId.parse(self._admin.connectivity.synchronizer_id_of(synchronizer_alias))

    # ---- connection configs ---------------------------------------------------------------
    def _registered(self, alias: str) -> SynchronizerConnectionConfig | None:
        return next((c for c, _ in self._admin.connection_configs.list_registered() if c.synchronizerAlias == alias), None)

    def _wait_onboarded(self, alias: str, synchronize: Any, command_name: str) -> None:
        timeout = self._sync_timeout(synchronize)
        if timeout is None:
            return
        connectivity = self._admin.connectivity
        sync_id = connectivity.resolve(alias)
        if sync_id is not None and connectivity.is_connected(sync_id):
            wait_until(self._env, lambda: connectivity.is_onboarded(sync_id), timeout, f"{self._node_name} is connected to {alias}", command_name)

    def _reference_config(
        self, sequencers: list[str], alias: str, manual_connect: bool, synchronizer_id: Any, max_retry_delay_millis: Any, priority: int, threshold: int = 1
    ) -> SynchronizerConnectionConfig:
        """Canton's reference_to_config: each sequencer's connection (its public API) under the sequencer's name."""
        connections = tuple(self._sequencer_connection(name) for name in sequencers)
        delay = None if max_retry_delay_millis is None else NonNegativeFiniteDuration(int(max_retry_delay_millis) * 1000)
        return SynchronizerConnectionConfig(alias, SEQUENCER_CONNECTIONS.tryMany(connections, threshold), manual_connect, synchronizer_id, priority, None, delay)

    def _sequencer_connection(self, name: str) -> GrpcSequencerConnection:
        node = self._env.node(name)
        if node.info.local:
            return GrpcSequencerConnection((node.sequencer_connect.public_endpoint(),), name)
        urls = self._env.public_urls(name)  # a remote sequencer: its configured public-api
        return GrpcSequencerConnection(tuple(u.split("://", 1)[-1] for u in urls), name, any(u.startswith("https://") for u in urls))

    @command
    def register(
        self,
        sequencer: Any,
        alias: Any = None,
        perform_handshake: Annotated[bool, a.Bool()] = True,
        manual_connect: Annotated[bool, a.Bool()] = False,
        synchronizer_id: Annotated[Any, a.Optional(a.SynchronizerIdArg())] = None,
        max_retry_delay_millis: Annotated[Any, a.Optional(a.NON_NEGATIVE_LONG)] = None,
        priority: Annotated[int, PRIORITY] = 0,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Macro to register a locally configured synchronizer given by sequencer reference

        register(sequencer1, "da") stores the connection without connecting (connect later with
        reconnect("da")); with performHandshake = false the sequencer is not asked anything (the
        synchronizer is learnt at the first connect). register(config) takes a
        SynchronizerConnectionConfig (as register_by_config)."""
        if isinstance(sequencer, SynchronizerConnectionConfig):
            config = sequencer
            if isinstance(alias, bool):
                perform_handshake = alias  # register(config, performHandshake), as register_by_config reads
            elif alias is not None:
                raise CallContext(f"{self._path}.register", "performHandshake", self._env).wrong_type("true or false", alias)
        elif isinstance(sequencer, SequencerReference):
            if not isinstance(alias, str) or not alias:
                raise CallContext(f"{self._path}.register", "alias", self._env).wrong_type("a synchronizer alias such as \"da\"", alias)
            config = self._reference_config([sequencer.name], alias, manual_connect, _option(synchronizer_id), _option(max_retry_delay_millis), priority)
        else:
            raise CallContext(f"{self._path}.register", "sequencer", self._env).wrong_type("a sequencer reference or a SynchronizerConnectionConfig", sequencer)
        self._register_by_config(config, perform_handshake)
        self._wait_onboarded(config.synchronizerAlias, synchronize, f"{self.scala_name}.register")

    def _register_by_config(self, config: SynchronizerConnectionConfig, perform_handshake: bool) -> None:
        if self._registered(config.synchronizerAlias) is None:
            self._admin.connection_configs.register(config, perform_handshake)

    @command
    def register_by_config(
        self,
        config: Annotated[SynchronizerConnectionConfig, ConnectionConfigArg()],
        perform_handshake: Annotated[bool, a.Bool()] = True,
        validation: Annotated[Any, VALIDATION] = None,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> None:
        """Macro to register a locally configured synchronizer

        Stores the connection config unless its alias is registered already; connects nothing."""
        self._register_by_config(config, perform_handshake)
        self._wait_onboarded(config.synchronizerAlias, synchronize, f"{self.scala_name}.register_by_config")

    @command
    def connect_by_config(
        self,
        config: Annotated[SynchronizerConnectionConfig, ConnectionConfigArg()],
        validation: Annotated[Any, VALIDATION] = None,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> None:
        """Macro to connect a participant to a synchronizer given by connection

        Registers the config and connects. If the alias is registered already, the participant
        reconnects to it with the registered config; if the synchronizer is offline, the command
        fails. A config with manualConnect = true is connected too, and left out of automatic
        reconnects (at restarts, reconnect_all)."""
        self._connect_by_config(config, synchronize, f"{self.scala_name}.connect_by_config")

    def _connect_by_config(self, config: SynchronizerConnectionConfig, synchronize: Any, command_name: str) -> None:
        alias = config.synchronizerAlias
        if self._registered(alias) is None:
            self._admin.connection_configs.connect(config)
        elif not self._admin.connectivity.reconnect(alias):
            raise CommandFailure(f"Failed to reconnect to synchronizer {alias}: none of its sequencers is reachable")
        self._wait_onboarded(alias, synchronize, command_name)

    @command
    def is_registered(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> bool:
        """Returns true if a synchronizer is registered using the given alias"""
        return self._registered(synchronizer_alias) is not None

    @command
    def config(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> OptionalConnectionConfig:
        """Returns the current configuration of a given synchronizer"""
        found = self._registered(synchronizer_alias)
        return OptionalConnectionConfig() if found is None else OptionalConnectionConfig(found, True)

    @command
    def modify(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        modifier: Annotated[Any, ConfigModifierArg()],
        validation: Annotated[Any, VALIDATION] = None,
    ) -> None:
        """Modify existing synchronizer connection

        modify("da", _.copy(manualConnect = true)) or, to read through other sequencers,
        modify("da", _.copy(sequencerConnections = SequencerConnections.single(sequencer2.sequencerConnection))).
        The participant uses the new config from its next (re)connect on."""
        current = self._registered(synchronizer_alias)
        if current is None:
            raise CommandFailure(f"No such synchronizer {synchronizer_alias} configured")
        try:
            changed = modifier(current)
        except Exception as e:  # noqa: BLE001 - Canton reports the modifier's failure as its text
            raise CommandFailure(str(e)) from None
        if not isinstance(changed, SynchronizerConnectionConfig):
            raise CommandFailure(f"The modifier must return a SynchronizerConnectionConfig, it returned {type(changed).__name__}")
        if changed.synchronizerAlias != current.synchronizerAlias:
            raise CommandFailure("We don't support modifying the synchronizer alias of a SynchronizerConnectionConfig.")
        self._admin.connection_configs.modify(changed)

    @command
    def disconnect_local(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> None:
        """Disconnect this participant from the given local synchronizer"""
        self._admin.connectivity.disconnect(synchronizer_alias)

    @command
    def reconnect_local(
        self,
        synchronizer_alias: Any,
        retry: Annotated[Any, Unsupported("a reconnection is tried once, without retries in the background", accept=("False",))] = True,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> bool:
        """Reconnect this participant to the given local synchronizer

        By alias, or by the local sequencer reference (whose name is then the alias, as in Canton)."""
        alias = synchronizer_alias.name if isinstance(synchronizer_alias, SequencerReference) else synchronizer_alias
        if not isinstance(alias, str):
            raise CallContext(f"{self._path}.reconnect_local", "synchronizerAlias", self._env).wrong_type("a synchronizer alias or a sequencer reference", synchronizer_alias)
        ok = self._admin.connectivity.reconnect(alias)
        if ok:
            self._wait_onboarded(alias, synchronize, f"{self.scala_name}.reconnect_local")
        return ok

    @command
    def logout(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> None:
        """Revoke this participant's authentication tokens and close all the sequencer connections in the given synchronizer

        The participant is not disconnected from the synchronizer; only the connections to the
        sequencers are closed. It reopens them at once (canton-console's nodes need no tokens)."""
        self._admin.connection_configs.logout(synchronizer_alias)


def _option(value: Any) -> Any:
    if isinstance(value, Option):
        return value.get if value.isDefined else None
    return value
