"""Node references: ``participant1``, ``sequencer1``, ``mediator1``.

A reference holds the console's view of all nodes (``_env``, a ConsoleAdmin) and its node's admin
services (``_admin``, a NodeAdmin); it knows nothing of how or where the node runs. Its command
groups are registered by the modules of :mod:`canton_console.console.commands`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from canton_console.console.framework import CommandFailure, command, render_canton_error
from canton_console.pretty import Literal
from canton_console.values.errors import CantonError, PendingDatabaseMigration, ServiceStatusError
from canton_console.values.ids import Member, PartyId, SynchronizerId
from canton_console.values.sequencing import GrpcSequencerConnection
from canton_console.values.timefmt import round_for_humans

TOPIC_HEALTH = "Health"


def bounded_timeout(env: Any) -> int:
    """The console's bounded timeout (``canton.parameters.timeouts.console.bounded``), in µs."""
    return env.timeout_micros("bounded")


def wait_until(env: Any, predicate: Callable[[], bool], timeout_micros: int, what: str, command: str, poll: float = 0.001) -> None:
    """Wait (in slices, interruptible) until ``predicate`` holds, or fail as Canton's console does.
    ``predicate`` asks the admin services, from the console's thread."""
    import time

    deadline = time.monotonic() + timeout_micros / 1e6
    delay = poll
    while not predicate():
        if time.monotonic() >= deadline:
            raise CommandFailure(
                f"CONSOLE_COMMAND_TIMED_OUT(4,0): Condition never became true after {round_for_humans(timeout_micros)}: {what}",
                command,
            )
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.01)


class NodeReference:
    """A configured node, live in the console."""

    instance_type = ""
    reference_type = ""

    def __init__(self, env: Any, admin: Any):
        self._env = env
        self._admin = admin
        self._path = admin.info.name

    @property
    def canton_type(self) -> str:
        return self.reference_type

    @property
    def scala_name(self) -> str:
        return self.reference_type

    @property
    def _kind(self) -> str:
        return self._admin.info.kind

    def __pretty__(self):
        return Literal(f"{self.instance_type} '{self.name}'")

    def __repr__(self) -> str:
        return f"{self.instance_type} '{self.name}'"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeReference) and other._admin is self._admin

    def __hash__(self) -> int:
        return hash(id(self._admin))

    # Common commands ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Name of the instance"""
        return self._admin.info.name

    @property
    def id(self) -> Member:
        """Get the unique id of this node (fails if the node is not started)"""
        return Member.parse(self._member_id("id"))

    @property
    def is_running(self) -> bool:
        """Check if the local instance is running"""
        return self._admin.status.is_running()

    @property
    def is_initialized(self) -> bool:
        """Check if the local instance is initialized"""
        return self._admin.status.is_initialized()

    def _member_id(self, what: str = "id") -> str:
        """The node's member id (``PAR::…``), or the console's NODE_NOT_STARTED failure."""
        self._require_running(what)
        try:
            return self._admin.identity.member_id()
        except CantonError as e:
            raise CommandFailure(e.render(), f"{self.reference_type}.{what}") from None
        except ServiceStatusError as e:  # a remote node that cannot be reached
            raise CommandFailure(render_canton_error(e, self.name), f"{self.reference_type}.{what}") from None

    def __canton_member_id__(self) -> str:
        """The member id this reference stands for as a key (``trafficStates(participant1)``)."""
        member_id = self._known_member_id()
        if member_id is None:
            raise TypeError(f"{self.name} has no identity yet")
        return member_id

    def _known_member_id(self) -> str | None:
        """The node's member id when its identity is known (also while it is stopped), else None."""
        try:
            return self._admin.identity.member_id_if_known()
        except ServiceStatusError as e:  # a remote node that cannot be reached
            raise CommandFailure(render_canton_error(e, self.name)) from None

    def _require_running(self, what: str) -> None:
        if not self._admin.info.local:
            return  # a remote node answers for itself (or its admin API is unreachable)
        if not self._admin.status.is_running():
            raise CommandFailure(
                f"NODE_NOT_STARTED(9,0): Instance {self.instance_type} '{self.name}' has not been started. ",
                f"{self.reference_type}.{what}",
            )

    @command(needs_running=False)
    def start(self) -> None:
        """Start the instance"""
        try:
            self._admin.lifecycle.start()
        except CantonError as e:
            raise CommandFailure(f"failed to initialize {self.name}: {e.render()}") from None
        except PendingDatabaseMigration as e:
            raise CommandFailure(PendingDatabaseMigration(str(e), self.name).operator_message()) from None

    @command(needs_running=False)
    def stop(self) -> None:
        """Stop the instance"""
        self._admin.lifecycle.stop()

    @command(needs_running=False, topic="Fault injection")
    def kill(self) -> None:
        """Kill the instance as a crash would: no clean shutdown, locks and leases are not released"""
        self._admin.lifecycle.kill()

    def help(self, name: str | None = None):
        """Help for this node's commands and command groups; help("health.ping") for one command"""
        from canton_console.console.help import help_for

        return help_for(NodeHelpView(self), name, self.name)

    def __dir__(self):
        return [n for n in super().__dir__() if not n.startswith("_")]


class NodeHelpView:
    """Lets the help system see a reference's commands (start, stop, …) and groups like a Group."""

    def __init__(self, ref: NodeReference):
        self._ref = ref
        self._help_class = type(ref)

    def __getattr__(self, item):
        return getattr(self._ref, item)

    def __dir__(self):
        return dir(type(self._ref))


class ParticipantReference(NodeReference):
    instance_type = "Participant"
    reference_type = "LocalParticipantReference"

    @property
    def adminParty(self) -> PartyId:
        """The participant's admin party"""
        return PartyId(Member.parse(self._member_id("adminParty")).uid)

    admin_party = adminParty


class SequencerReference(NodeReference):
    instance_type = "Sequencer"
    reference_type = "LocalSequencerReference"

    @property
    def synchronizer_id(self) -> SynchronizerId:
        """The id of the synchronizer this sequencer serves"""
        self._require_running("synchronizer_id")
        try:
            return SynchronizerId.parse(self._admin.traffic.synchronizer_id())
        except CantonError as e:
            raise CommandFailure(e.render(), f"{self.reference_type}.synchronizer_id") from None
        except ServiceStatusError as e:  # a remote sequencer that cannot be reached
            raise CommandFailure(render_canton_error(e, self.name), f"{self.reference_type}.synchronizer_id") from None

    @property
    def physical_synchronizer_id(self) -> SynchronizerId:
        """The id of the synchronizer this sequencer serves (this release has no physical ids)"""
        return self.synchronizer_id

    @property
    def sequencerConnection(self) -> GrpcSequencerConnection:  # noqa: N802 - Canton's name
        """The connection to this sequencer's public API, as a member configures it"""
        return GrpcSequencerConnection((self._admin.sequencer_connect.public_endpoint(),), self.name)


class MediatorReference(NodeReference):
    instance_type = "Mediator"
    reference_type = "LocalMediatorReference"


class NotAMember:
    """A member of Canton's local node references that its remote references do not have
    (``start``, ``stop``, ``db``, ...): reading it fails as the Scala console's compiler refuses it."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        reference_type = getattr(owner, "reference_type", "")
        # name="" marks the error as complete: no "did you mean" hint (a remote node has no such member)
        raise AttributeError(f"value {self._name} is not a member of com.digitalasset.canton.console.{reference_type}", name="", obj=obj)


# What only a local reference has in Canton (LocalInstanceReference): its process runs the node
LOCAL_ONLY_MEMBERS = ("start", "stop", "kill", "is_running", "is_initialized", "db", "metrics")


class RemoteReference:
    """A node of another process, reached through its admin API: everything but the local members."""

    start = NotAMember()
    stop = NotAMember()
    kill = NotAMember()
    is_running = NotAMember()
    is_initialized = NotAMember()
    db = NotAMember()
    metrics = NotAMember()

    def __dir__(self):
        return [n for n in NodeReference.__dir__(self) if n not in LOCAL_ONLY_MEMBERS]


class RemoteParticipantReference(RemoteReference, ParticipantReference):
    reference_type = "RemoteParticipantReference"


class RemoteSequencerReference(RemoteReference, SequencerReference):
    reference_type = "RemoteSequencerReference"

    @property
    def sequencerConnection(self) -> GrpcSequencerConnection:  # noqa: N802 - Canton's name
        """The connection to this sequencer's public API, as configured in ``remote-sequencers.<name>.public-api``"""
        urls = self._env.public_urls(self.name)
        return GrpcSequencerConnection(tuple(u.split("://", 1)[-1] for u in urls), self.name, any(u.startswith("https://") for u in urls))


class RemoteMediatorReference(RemoteReference, MediatorReference):
    reference_type = "RemoteMediatorReference"


REFERENCE_CLASSES: dict[str, type[NodeReference]] = {
    "participant": ParticipantReference,
    "sequencer": SequencerReference,
    "mediator": MediatorReference,
}
REMOTE_REFERENCE_CLASSES: dict[str, type[NodeReference]] = {
    "participant": RemoteParticipantReference,
    "sequencer": RemoteSequencerReference,
    "mediator": RemoteMediatorReference,
}


def reference_for(env: Any, admin: Any) -> NodeReference:
    classes = REFERENCE_CLASSES if admin.info.local else REMOTE_REFERENCE_CLASSES
    return classes[admin.info.kind](env, admin)
