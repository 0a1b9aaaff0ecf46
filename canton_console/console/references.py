"""Node references: ``participant1``, ``sequencer1``, ``mediator1`` and their command groups.

Every command runs its node work on the runtime thread (``env.call``); waiting (pings, topology
synchronisation) happens here on the console's thread, in slices, so Ctrl-C interrupts it.
"""

from __future__ import annotations

from typing import Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import CommandFailure, Group, command, command_property, group
from canton_console.console.render import NodeStatus
from canton_console.console.scalalib import NONE, Option, Some, Vector
from canton_console.pretty import Literal, klass, param
from canton_console.values import errors as rt_errors
from canton_console.values.errors import CantonError
from canton_console.values.health import NodeStatusData, NotInitializedData
from canton_console.runtime.identity import Member, PartyId, SynchronizerId, UniqueIdentifier
from canton_console.runtime.scheduler import wait_future
from canton_console.values.timefmt import round_for_humans
from canton_console.values.refined import ScalaDuration

TOPIC_HEALTH = "Health"


def _short_member(member_id: str) -> str:
    return Member.parse(member_id).__pretty__().text


def bounded_timeout(env) -> int:
    return int(env.config.parameters.timeouts.bounded.total_seconds() * 1e6)


def wait_until(env, predicate, timeout_micros: int, what: str, command: str) -> None:
    """Wait (in slices, interruptible) for a runtime condition, or fail as Canton's console does."""
    if not env.wait_until(predicate, timeout_micros / 1e6):
        raise CommandFailure(
            f"CONSOLE_COMMAND_TIMED_OUT(4,0): Condition never became true after {round_for_humans(timeout_micros)}: {what}",
            command,
        )


# ---- references ------------------------------------------------------------------------------


class NodeReference:
    """A configured node, live in the console."""

    instance_type = ""
    reference_type = ""

    def __init__(self, env, node):
        self._env = env
        self._node = node
        self._path = node.name

    @property
    def canton_type(self) -> str:
        return self.reference_type

    @property
    def scala_name(self) -> str:
        return self.reference_type

    def __pretty__(self):
        return Literal(f"{self.instance_type} '{self._node.name}'")

    def __repr__(self) -> str:
        return f"{self.instance_type} '{self._node.name}'"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeReference) and other._node is self._node

    def __hash__(self) -> int:
        return hash(id(self._node))

    # Command groups every node has (the health group's class depends on the node kind).
    health_group_class: type = None  # set by each reference class

    @group("Health and diagnostic related commands", topic=TOPIC_HEALTH)
    def health(self):
        return self.health_group_class(self, f"{self._path}.health")

    @group("Topology management related commands")
    def topology(self):
        return TopologyGroup(self, f"{self._path}.topology")

    # Common commands ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Name of the instance"""
        return self._node.name

    @property
    def id(self):
        """Get the unique id of this node (fails if the node is not started)"""
        self._require_running("id")
        return self._node.member

    @property
    def is_running(self) -> bool:
        """Check if the local instance is running"""
        return self._node.running

    @property
    def is_initialized(self) -> bool:
        """Check if the local instance is initialized"""
        return self._node.running and self._node.uid is not None

    def _require_running(self, what: str) -> None:
        if not self._node.running:
            raise CommandFailure(
                f"NODE_NOT_STARTED(9,0): Instance {self.instance_type} '{self._node.name}' has not been started. ",
                f"{self.reference_type}.{what}",
            )

    def help(self, name: str | None = None):
        """Help for this node's commands and command groups; help("health.ping") for one command"""
        from canton_console.console.help import help_for

        return help_for(_NodeHelpView(self), name, self._node.name)

    def __dir__(self):
        return [n for n in super().__dir__() if not n.startswith("_")]


class _NodeHelpView:
    """Lets the help system see a reference's commands (start, stop, …) and groups like a Group."""

    def __init__(self, ref: NodeReference):
        self._ref = ref
        self._help_class = type(ref)

    def __getattr__(self, item):
        return getattr(self._ref, item)

    def __dir__(self):
        return dir(type(self._ref))


def _lifecycle(cls):
    """start, stop and kill for local node references."""

    @command(needs_running=False)
    def start(self) -> None:
        """Start the instance"""
        try:
            self._env.start([self._node])
        except CantonError as e:
            raise CommandFailure(f"failed to initialize {self._node.name}: {e.render()}") from None

    @command(needs_running=False)
    def stop(self) -> None:
        """Stop the instance"""
        self._env.stop([self._node])

    @command(needs_running=False, topic="Fault injection")
    def kill(self) -> None:
        """Kill the instance as a crash would: no clean shutdown, locks and leases are not released"""
        self._env.call(self._node.kill)

    for fn in (start, stop, kill):
        fn.__qualname__ = f"{cls.__name__}.{fn.__name__}"
        setattr(cls, fn.__name__, fn)
    return cls


class _RefGroupBase(Group):
    def __init__(self, ref: NodeReference, path: str):
        super().__init__(path, ref._env, ref._node)
        self._ref = ref


# ---- health ----------------------------------------------------------------------------------


class HealthGroup(_RefGroupBase):
    """Health and diagnostic related commands"""

    scala_name = "HealthAdministration"

    def _status(self) -> NodeStatus:
        node = self._node
        if not node.running:
            return NodeStatus(
                node.kind,
                node.instance_type,
                node.name,
                None,
                f"NODE_NOT_STARTED(9,0): Instance {node.instance_type} '{node.name}' has not been started. ",
            )
        data = self._env.call(status_data, node)
        return NodeStatus(node.kind, node.instance_type, node.name, data)

    @command_property(needs_running=False)
    def status(self) -> NodeStatus:
        """Get human (and machine) readable status information (a stopped node's status is its failure)"""
        return self._status()

    @command(needs_running=False)
    def is_running(self) -> bool:
        """Check if the node is running"""
        return self._node.running

    @command
    def initialized(self) -> bool:
        """Returns true if node has been initialized"""
        return self._node.uid is not None

    @command
    def has_identity(self) -> bool:
        """Returns true if the node has an identity"""
        return self._node.uid is not None

    @property
    def active(self) -> bool:
        """Check if the node is running and is the active instance (mediator, participant)"""
        return self._status().active

    @command(needs_running=False)
    def wait_for_running(self) -> None:
        """Wait for the node to be running"""
        wait_until(self._env, lambda: self._node.running, bounded_timeout(self._env), f"{self._node.name} is running", f"{self.scala_name}.wait_for_running")

    @command(needs_running=False)
    def wait_for_initialized(self) -> None:
        """Wait for the node to be initialized"""
        wait_until(
            self._env,
            lambda: self._node.running and self._node.uid is not None,
            bounded_timeout(self._env),
            f"{self._node.name} is initialized",
            f"{self.scala_name}.wait_for_initialized",
        )


def status_data(node) -> NodeStatusData | NotInitializedData:
    if node.uid is None:
        return NotInitializedData(True, "ID")  # started while its database is down: identity not loaded yet
    if node.passive:
        return passive_status_data(node)
    components = tuple(node.components())
    common = dict(
        kind=node.kind,
        uid=UniqueIdentifier(node.uid.identifier, node.uid.namespace).short,
        member=Member(node.code, node.uid).__pretty__().text,
        uptime_micros=node.uptime_micros(),
        ports=tuple(node.ports()),
        active=node.active,
        components=components,
    )
    if node.kind == "participant":
        connected = node.connected_synchronizers()
        return NodeStatusData(
            **common,
            connected_synchronizers=tuple(SynchronizerId.parse(s.id).__pretty__().text for _, s, h in connected if h),
            unhealthy_synchronizers=tuple(SynchronizerId.parse(s.id).__pretty__().text for _, s, h in connected if not h),
        )
    sync = node.synchronizer
    if node.kind == "sequencer":
        if sync is None:
            return NotInitializedData(True, "Initialization")
        now = sync.now()
        return NodeStatusData(
            **common,
            synchronizer_id=SynchronizerId.parse(sync.id).__pretty__().text,
            connected_participants=tuple(_short_member(p) for p in sync.topology.participants(now) if p in sync.subscribers),
            connected_mediators=tuple(_short_member(m) for m in sync.topology.mediators(now) if m in sync.subscribers),
        )
    if sync is None:
        return NotInitializedData(True, "Initialization")
    return NodeStatusData(**common, synchronizer_id=SynchronizerId.parse(sync.id).__pretty__().text)


def passive_status_data(node) -> NodeStatusData | NotInitializedData:
    """A passive replica: it has the node's identity but stays off the synchronizers (Active: false)."""
    from canton_console.values import health

    names = (
        ["connected-synchronizer", "sync-ephemeral-state", "sequencer-client", "acs-commitment-processor"]
        if node.kind == "participant"
        else ["sequencer-client"]
    )
    common = dict(
        kind=node.kind,
        uid=UniqueIdentifier(node.uid.identifier, node.uid.namespace).short,
        member=Member(node.code, node.uid).__pretty__().text,
        uptime_micros=node.uptime_micros(),
        ports=tuple(node.ports()),
        active=False,
        components=(node.storage_health(), *[health.not_initialized(n) for n in names]),
    )
    if node.kind == "mediator":
        sync_id = node.stored_synchronizer_id()
        if sync_id is None:
            return NotInitializedData(False, "Initialization")
        return NodeStatusData(**common, synchronizer_id=SynchronizerId.parse(sync_id).__pretty__().text)
    return NodeStatusData(**common)


class ParticipantHealthGroup(HealthGroup):
    """Health and diagnostic related commands"""

    scala_name = "ParticipantHealthAdministration"

    @command
    def ping(
        self,
        participant_id: a.MemberArg(("participant",)),
        timeout: a.Duration(allow_zero=False) = None,
        synchronizer_id: a.Optional(a.SynchronizerIdArg()) = None,
        id: a.Text("a ping id string") = "",
    ) -> ScalaDuration:
        """Sends a ping to the target participant over the ledger. Yields the duration in case of success and throws a RuntimeException in case of failure.

        The participant creates a Ping contract for the target's admin party; the target answers by
        exercising Respond; the ping completes when the initiator sees the archival. Both requests go
        through the sequencer and the mediator. Fails after ``timeout`` (30 seconds by default)."""
        return self._ping(participant_id, timeout, synchronizer_id, id)

    def _ping(self, participant_id: str, timeout: int | None, synchronizer_id: str | None, id: str) -> ScalaDuration:
        env = self._env
        node = self._node
        if node.passive:
            # The admin services of a passive replica are not running.
            raise CommandFailure(
                f"Request failed for {node.name}.\n  GrpcServiceUnavailable: UNIMPLEMENTED/Method not found: "
                "com.digitalasset.canton.admin.participant.v30.PingService/Ping"
            )
        timeout_us = timeout if timeout is not None else int(env.config.parameters.timeouts.ping.total_seconds() * 1e6)
        state = env.call(node.start_ping, participant_id, synchronizer_id, id or None)
        prefix = f"Unable to ping {_short_member(participant_id)} within {round_for_humans(timeout_us)}: "
        try:
            elapsed = wait_future(state.future, timeout_us / 1e6)
        except TimeoutError:
            reason = env.call(node.ping_failure, state.id)
            raise CommandFailure(prefix + reason) from None
        except CantonError as e:
            env.call(node.ping_failure, state.id)
            raise CommandFailure(prefix + e.render()) from None
        except KeyboardInterrupt:
            env.call(node.ping_failure, state.id)
            raise
        return PingDuration(max(1, round(elapsed * 1000)) * 1000, "millisecond")

    @command
    def maybe_ping(
        self,
        participant_id: a.MemberArg(("participant",)),
        timeout: a.Duration(allow_zero=False) = None,
        synchronizer_id: a.Optional(a.SynchronizerIdArg()) = None,
        id: a.Text("a ping id string") = "",
    ) -> Option:
        """Like ping, but yields None instead of failing when the ping does not complete in time

        Some(duration) when the target answered within the timeout (30 seconds by default), else None."""
        try:
            return Some(self._ping(participant_id, timeout, synchronizer_id, id))
        except CommandFailure as e:
            if e.cause.startswith("Unable to ping "):
                return NONE
            raise


class PingDuration(ScalaDuration):
    """A ping's result: Canton declares it as ``Duration`` (``res10: Duration = 923 milliseconds``)."""

    @property
    def canton_type(self) -> str:
        return "Duration"


# ---- synchronizers ---------------------------------------------------------------------------


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
    (``"http://localhost:5001"``), or a Map(alias -> sequencer); returned as references, each once."""

    def __init__(self):
        super().__init__(a.NodeRef("sequencer"))
        self.expects = "a Seq of sequencer references or URLs (e.g. Seq(sequencer1, sequencer2)), or a Map(alias -> sequencer)"

    def convert(self, value: Any, ctx) -> list:
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        refs = []
        for item in value:
            if isinstance(item, str):
                item = sequencer_for_url(ctx.env, item, ctx)
            refs.append(self.inner.convert(item, ctx))
        if not refs:
            raise ctx.bad_value("at least one sequencer connection is needed")
        return list({r._node.name: r for r in refs}.values())


def sequencer_for_url(env, url_text: str, ctx) -> "SequencerReference":
    from urllib.parse import urlparse

    url = urlparse(url_text)
    for seq in env.sequencers.values():
        api = seq.config.public_api
        if url.port == api.port and url.hostname in ("localhost", "127.0.0.1", api.address, "0.0.0.0"):
            return SequencerReference(env, seq)
    raise ctx.bad_value(f"no sequencer of this console listens on {url_text}")


class SynchronizersGroup(_RefGroupBase):
    """Manage synchronizer connections"""

    scala_name = "ParticipantAdministration$synchronizers$"

    def _connect(self, alias: str, sequencers: list, trust_threshold: int, synchronize: int | None, command_name: str) -> None:
        node = self._node
        for s in sequencers:
            if not s._node.running:
                raise CommandFailure(
                    f"Request failed for {node.name}.\n  GrpcRequestRefusedByServer: FAILED_PRECONDITION/SYNC_SERVICE_BAD_CONNECTIVITY(9,0): "
                    f"The sequencer {s._node.name} is not running.",
                    command_name,
                )
        sync_id = self._env.call(node.connect, alias, [s._node for s in sequencers], trust_threshold)
        if synchronize is None:
            return

        def effective() -> bool:
            sync = self._env.synchronizers[sync_id]
            return node.member_id in sync.topology.participants(sync.now()) and self._env.is_idle()

        wait_until(self._env, effective, synchronize, f"{node.name} is connected to {alias}", command_name)

    @command
    def connect_local(
        self,
        sequencer: a.NodeRef("sequencer"),
        alias: a.Text("a synchronizer alias such as \"da\"", allow_empty=False),
        manual_connect: a.Bool() = False,
        synchronize: a.Optional(a.Duration()) = NONE,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer given by sequencer reference"""
        self._connect(alias, [sequencer], 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect_local")

    def _sync_timeout(self, synchronize) -> int | None:
        if synchronize is NONE:
            return bounded_timeout(self._env)
        return synchronize

    @command
    def connect(self, alias: Any, connection: Any, synchronize: a.Optional(a.Duration()) = NONE) -> None:
        """Macro to connect a participant to a synchronizer: connect("da", "http://localhost:5001") or connect(sequencer1, "da")"""
        from canton_console.console.references import SequencerReference as Seqr

        if isinstance(alias, Seqr) and isinstance(connection, str):
            alias, connection = connection, alias
        if not isinstance(alias, str) or not alias:
            raise a.CallContext(f"{self._path}.connect", "alias", self._env).wrong_type("a synchronizer alias string such as \"da\"", alias)
        sequencer = self._sequencer_for(connection)
        self._connect(alias, [sequencer], 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect")

    def _sequencer_for(self, connection: Any):
        if isinstance(connection, SequencerReference):
            return connection
        if isinstance(connection, str):
            from urllib.parse import urlparse

            url = urlparse(connection)
            for name, seq in self._env.sequencers.items():
                api = seq.config.public_api
                if url.port == api.port and url.hostname in ("localhost", "127.0.0.1", api.address, "0.0.0.0"):
                    return SequencerReference(self._env, seq)
            raise CommandFailure(
                f"Request failed for {self._node.name}.\n  GrpcServiceUnavailable: UNAVAILABLE/No sequencer of this console listens on {connection}."
                " Is the server running? Did you configure the server address as 0.0.0.0? Are you using the right TLS settings? (details logged as DEBUG)"
            )
        raise a.CallContext(f"{self._path}.connect", "connection", self._env).wrong_type(
            "a sequencer reference or its URL such as \"http://localhost:5001\"", connection
        )

    @command
    def connect_multi(
        self,
        synchronizer_alias: a.Text("a synchronizer alias", allow_empty=False),
        connections: SequencerConnectionsArg(),
        synchronize: a.Optional(a.Duration()) = NONE,
        validation: Any = None,
    ) -> None:
        """Macro to connect a participant to a synchronizer that supports connecting via many endpoints

        connect_multi("mysynchronizer", Seq(sequencer1, sequencer2)): the participant reads from any
        of the sequencers that runs and keeps working while one of them is down."""
        self._connect(synchronizer_alias, connections, 1, self._sync_timeout(synchronize), f"{self.scala_name}.connect_multi")

    @command
    def connect_bft(
        self,
        connections: SequencerConnectionsArg(),
        synchronizer_alias: a.Text("a synchronizer alias", allow_empty=False),
        sequencer_trust_threshold: a.POSITIVE_INT = 1,
        sequencer_liveness_margin: a.Int(0) = 0,
        submission_request_amplification: Any = None,
        physical_synchronizer_id: Any = None,
        manual_connect: a.Bool() = False,
        validation: Any = None,
        synchronize: a.Optional(a.Duration()) = NONE,
    ) -> None:
        """Macro to connect a participant to a synchronizer through several sequencers (BFT)

        connect_bft(Seq(sequencer1, sequencer2), "da", sequencerTrustThreshold = 1): events are
        accepted once sequencerTrustThreshold of the sequencers deliver them, so the participant keeps
        working while at least that many of its sequencers run."""
        self._connect(synchronizer_alias, connections, sequencer_trust_threshold, self._sync_timeout(synchronize), f"{self.scala_name}.connect_bft")

    @command
    def connect_local_bft(
        self,
        synchronizer: SequencerConnectionsArg(),
        alias: a.Text("a synchronizer alias", allow_empty=False),
        manual_connect: a.Bool() = False,
        max_retry_delay_millis: Any = None,
        priority: a.Int(0) = 0,
        synchronize: a.Optional(a.Duration()) = NONE,
        sequencer_trust_threshold: a.POSITIVE_INT = 1,
        submission_request_amplification: Any = None,
        validation: Any = None,
    ) -> None:
        """Macro to connect a participant to a locally configured synchronizer through several sequencers

        connect_local_bft(Map("sequencer1" -> sequencer1, "sequencer2" -> sequencer2), "da") or with
        a Seq of sequencer references; see connect_bft for the trust threshold."""
        self._connect(alias, synchronizer, sequencer_trust_threshold, self._sync_timeout(synchronize), f"{self.scala_name}.connect_local_bft")

    @command
    def list_connected(self) -> Vector:
        """List the connected synchronizers"""
        rows = self._env.call(self._node.connected_synchronizers)
        return Vector(*[ListConnectedSynchronizersResult(c.alias, s.id, h) for c, s, h in rows])

    @command
    def list_registered(self) -> Vector:
        """List the registered synchronizer connections (alias, synchronizer id, connected)"""
        node = self._node
        return Vector(*[(c.alias, SynchronizerId.parse(c.synchronizer_id), c.connected) for c in self._env.call(lambda: list(node.connections.values()))])

    def _resolve(self, synchronizer: Any) -> str | None:
        """An alias or a synchronizer id, as the synchronizer id (None when not registered)."""
        for c in self._node.connections.values():
            if synchronizer in (c.alias, c.synchronizer_id):
                return c.synchronizer_id
        return None

    @command
    def is_connected(self, synchronizer: Any) -> bool:
        """Test whether a participant is connected to a synchronizer (by id or alias)"""
        if isinstance(synchronizer, SynchronizerId):
            synchronizer = str(synchronizer)
        if not isinstance(synchronizer, str):
            raise a.CallContext(f"{self._path}.is_connected", "synchronizerId", self._env).wrong_type("a synchronizer id or alias", synchronizer)
        sync_id = self._env.call(self._resolve, synchronizer)
        return sync_id is not None and self._env.call(self._node.is_connected, sync_id)

    @command
    def active(self, synchronizer_alias: a.Text("a synchronizer alias")) -> bool:
        """Check if a synchronizer is connected and healthy (the participant is active on it)"""
        rows = self._env.call(self._node.connected_synchronizers)
        return any(c.alias == synchronizer_alias and h for c, _, h in rows)

    @command
    def disconnect(self, synchronizer_alias: a.Text("a synchronizer alias")) -> None:
        """Disconnect this participant from the given synchronizer"""
        self._env.call(self._node.disconnect, synchronizer_alias)

    @command
    def disconnect_all(self) -> None:
        """Disconnect this participant from all connected synchronizers"""
        for c, _, _ in self._env.call(self._node.connected_synchronizers):
            self._env.call(self._node.disconnect, c.alias)

    @command
    def reconnect(self, synchronizer_alias: a.Text("a synchronizer alias"), retry: a.Bool() = True) -> bool:
        """Reconnect this participant to the given synchronizer"""
        return self._env.call(self._node.reconnect, synchronizer_alias)

    @command
    def reconnect_all(self, ignore_failures: a.Bool() = True) -> None:
        """Reconnect this participant to all registered synchronizers"""
        for alias in list(self._node.connections):
            ok = self._env.call(self._node.reconnect, alias)
            if not ok and not ignore_failures:
                raise CommandFailure(f"Failed to reconnect to synchronizer {alias}")

    @command
    def id_of(self, synchronizer_alias: a.Text("a synchronizer alias")) -> SynchronizerId:
        """Returns the id of the given synchronizer alias"""
        c = self._node.connections.get(synchronizer_alias)
        if c is None:
            raise CantonError(rt_errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {synchronizer_alias} is unknown.")
        return SynchronizerId.parse(c.synchronizer_id)


# ---- parties ---------------------------------------------------------------------------------


@attrs.frozen
class ListPartiesResult:
    party: PartyId
    participants: tuple

    canton_type = "ListPartiesResult"

    def __pretty__(self):
        from canton_console.pretty import Apply, to_tree

        return klass("ListPartiesResult", param("party", self.party), param("participants", Apply("Vector", tuple(to_tree(p) for p in self.participants))))


@attrs.frozen
class ParticipantSynchronizers:
    participant: Member
    permission: str

    def __pretty__(self):
        return klass("ParticipantSynchronizers", param("participant", self.participant), param("permission", Literal(self.permission)))


class PartiesGroup(_RefGroupBase):
    """Inspect and manage parties"""

    scala_name = "ParticipantPartiesAdministrationGroup"

    @command
    def enable(
        self,
        name: a.String185("a party name such as \"Alice\""),
        synchronizer: a.Optional(a.Text("a synchronizer alias")) = None,
        synchronize: a.Optional(a.Duration()) = NONE,
    ) -> PartyId:
        """Enable/add a local party with the given display name, hosted on this participant"""
        if "::" in name or not all(ch.isalnum() or ch in "-_ " for ch in name):
            raise CommandFailure(f"INVALID_ARGUMENT(8,0): '{name}' is not a valid party name (letters, digits, '-' and '_')")
        node = self._node
        connected = self._env.call(node.connected_synchronizers)
        if synchronizer is not None:
            connected = [r for r in connected if r[0].alias == synchronizer]
            if not connected:
                raise CantonError(rt_errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {synchronizer} is unknown.")
        if not connected:
            raise CantonError(rt_errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER, "This participant is not connected to any synchronizer; connect it first.")
        party, _targets = self._env.call(node.enable_party, name, [s.id for _, s, _ in connected])
        timeout = bounded_timeout(self._env) if synchronize is NONE else synchronize
        if timeout is not None:

            def hosted() -> bool:
                return all(
                    any(p == node.member_id for p, _ in s.topology.hosting(party, s.now())[1]) for _, s, _ in connected
                ) and self._env.is_idle()

            wait_until(self._env, hosted, timeout, f"party {name} is hosted", f"{self.scala_name}.enable")
        return PartyId.parse(party)

    def _list(self, filter_party: str, only_here: bool) -> Vector:
        node = self._node
        results: dict[str, set] = {}
        for _, sync, _ in self._env.call(node.connected_synchronizers):
            now = sync.now()
            names = [m.data["party"] for m in sync.topology.parties(now)]
            names += [p.split("::", 1)[1] for p in sync.topology.participants(now)]
            for party in names:
                _, hosts = sync.topology.hosting(party, now)
                for pid, perm in hosts:
                    if only_here and pid != node.member_id:
                        continue
                    results.setdefault(party, set()).add((pid, perm))
        rows = []
        for party in sorted(results):
            if filter_party and filter_party not in party:
                continue
            rows.append(
                ListPartiesResult(PartyId.parse(party), tuple(ParticipantSynchronizers(Member.parse(p), perm) for p, perm in sorted(results[party])))
            )
        return Vector(*rows)

    @command
    def list(self, filter_party: a.Text("a party name filter") = "") -> Vector:
        """List active parties, their active participants, and the participants' permissions on synchronizers"""
        return self._list(filter_party, False)

    @command
    def hosted(self, filter_party: a.Text("a party name filter") = "") -> Vector:
        """List parties hosted by this participant"""
        return self._list(filter_party, True)

    @command
    def find(self, filter_party: a.Text("a party name filter", allow_empty=False)) -> PartyId:
        """Find a party from a filter string"""
        found = self._list(filter_party, False)
        if len(found) != 1:
            raise CommandFailure(
                f"INVALID_ARGUMENT(8,0): Found {len(found)} parties matching '{filter_party}'"
                + (": " + ", ".join(str(r.party) for r in found) if found else "")
            )
        return found[0].party


# ---- topology --------------------------------------------------------------------------------


@attrs.frozen
class SequencerSynchronizerStateResult:
    synchronizer_id: str
    threshold: int
    active: tuple
    observers: tuple
    serial: int

    canton_type = "ListSequencerSynchronizerStateResult"

    def __pretty__(self):
        from canton_console.pretty import seq_tree

        return klass(
            "SequencerSynchronizerState",
            param("synchronizerId", SynchronizerId.parse(self.synchronizer_id)),
            param("threshold", self.threshold),
            param("active", seq_tree([Member.parse(m) for m in self.active])),
            param("observers", seq_tree([Member.parse(m) for m in self.observers])) if self.observers else None,
        )


class SequencersTopologyGroup(_RefGroupBase):
    """Inspect and manage the sequencers of a synchronizer"""

    scala_name = "TopologyAdministrationGroup$sequencers$"

    @command
    def list(self, synchronizer_id: a.Optional(a.SynchronizerIdArg()) = None) -> Vector:
        """List the sequencer synchronizer states (threshold, active and observing sequencers)"""
        out = []
        for sync in self._env.synchronizers.values():
            if synchronizer_id is not None and sync.id != synchronizer_id:
                continue
            state = self._env.call(sync.topology.sequencer_state)
            if state:
                from canton_console.runtime import topology as t

                serial = sync.topology.serial_of(t.SEQUENCER_STATE, sync.id)
                out.append(SequencerSynchronizerStateResult(sync.id, state["threshold"], tuple(state["active"]), tuple(state["observers"]), serial))
        return Vector(*out)

    @command
    def propose(
        self,
        synchronizer_id: a.SynchronizerIdArg(),
        threshold: a.POSITIVE_INT,
        active: a.SeqOf(a.MemberArg(("sequencer",))),
        passive: a.SeqOf(a.MemberArg(("sequencer",))) = (),
    ) -> None:
        """Propose the sequencers of a synchronizer and the threshold of sequencers that must agree (e.g. on top-ups)"""
        from canton_console.console.topology_commands import propose_mapping
        from canton_console.runtime import topology as t

        mapping = t.sequencer_state(synchronizer_id, threshold, list(active), list(passive or []))
        propose_mapping(self, synchronizer_id, mapping, f"{self.scala_name}.propose")


class TopologyGroup(_RefGroupBase):
    """Topology management related commands"""

    scala_name = "TopologyAdministrationGroup"

    @group("Inspect and manage the sequencers of a synchronizer")
    def sequencers(self) -> SequencersTopologyGroup:
        return SequencersTopologyGroup(self._ref, f"{self._path}.sequencers")

    @group("Inspect and manage the dynamic synchronizer parameters")
    def synchronizer_parameters(self):
        from canton_console.console.topology_commands import SynchronizerParametersGroup

        return SynchronizerParametersGroup(self._ref, f"{self._path}.synchronizer_parameters")

    @group("Inspect and manage party to participant mappings")
    def party_to_participant_mappings(self):
        from canton_console.console.topology_commands import PartyToParticipantGroup

        return PartyToParticipantGroup(self._ref, f"{self._path}.party_to_participant_mappings")

    @group("Wait for topology changes to be effective")
    def synchronisation(self):
        return SynchronisationGroup(self._ref, f"{self._path}.synchronisation")


class SynchronisationGroup(_RefGroupBase):
    """Wait for topology changes to be effective"""

    scala_name = "TopologyAdministrationGroup$synchronisation$"

    @command(needs_running=False)
    def is_idle(self) -> bool:
        """Whether this node has no pending topology changes"""
        return self._env.call(self._env.is_idle)

    @command(needs_running=False)
    def await_idle(self, timeout: a.Optional(a.Duration()) = None) -> None:
        """Wait until all pending topology changes are effective"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.await_idle")


# ---- node references -------------------------------------------------------------------------


@_lifecycle
class ParticipantReference(NodeReference):
    instance_type = "Participant"
    reference_type = "LocalParticipantReference"

    health_group_class = ParticipantHealthGroup

    @group("Manage synchronizer connections")
    def synchronizers(self) -> SynchronizersGroup:
        return SynchronizersGroup(self, f"{self._path}.synchronizers")

    @group("Inspect and manage parties")
    def parties(self) -> PartiesGroup:
        return PartiesGroup(self, f"{self._path}.parties")

    @group("Traffic control related commands")
    def traffic_control(self):
        from canton_console.console.traffic_commands import ParticipantTrafficGroup

        return ParticipantTrafficGroup(self, f"{self._path}.traffic_control")

    @group("Group of commands that access the ledger-api")
    def ledger_api(self):
        from canton_console.console.ledger_commands import LedgerApiGroup

        return LedgerApiGroup(self, f"{self._path}.ledger_api")

    @group("Manage participant replication")
    def replication(self):
        from canton_console.console.replication_commands import replication_group

        return replication_group(self)

    @property
    def adminParty(self) -> PartyId:
        """The participant's admin party"""
        self._require_running("adminParty")
        return PartyId(self._node.uid)

    admin_party = adminParty


@_lifecycle
class SequencerReference(NodeReference):
    instance_type = "Sequencer"
    reference_type = "LocalSequencerReference"

    health_group_class = HealthGroup

    @group("Traffic control related commands")
    def traffic_control(self):
        from canton_console.console.traffic_commands import SequencerTrafficGroup

        return SequencerTrafficGroup(self, f"{self._path}.traffic_control")

    @property
    def synchronizer_id(self) -> SynchronizerId:
        """The id of the synchronizer this sequencer serves"""
        self._require_running("synchronizer_id")
        try:
            return SynchronizerId.parse(self._env.call(lambda: self._node.synchronizer_id))
        except CantonError as e:
            raise CommandFailure(e.render(), f"{self.reference_type}.synchronizer_id") from None

    @property
    def physical_synchronizer_id(self) -> SynchronizerId:
        """The id of the synchronizer this sequencer serves (this release has no physical ids)"""
        return self.synchronizer_id


@_lifecycle
class MediatorReference(NodeReference):
    instance_type = "Mediator"
    reference_type = "LocalMediatorReference"

    health_group_class = HealthGroup

    @group("Manage mediator replication")
    def replication(self):
        from canton_console.console.replication_commands import replication_group

        return replication_group(self)


def reference_for(env, node) -> NodeReference:
    return {"participant": ParticipantReference, "sequencer": SequencerReference, "mediator": MediatorReference}[node.kind](env, node)
