"""``health``: a node's status, liveness, initialization, diagnostics (last errors, health dump), a
participant's ping; and the top-level ``health`` (``CantonStatus`` of every node, the process's dump)."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import zipfile
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import CommandFailure, Group, NodeGroup, Unsupported, command, command_property, subgroup, top_level
from canton_console.console.references import NodeReference, ParticipantReference, bounded_timeout, reference_for, wait_until
from canton_console.console.render import CantonStatus, NodeStatus, short_id
from canton_console.values.errors import CantonError
from canton_console.values.health import NotInitializedData
from canton_console.values.refined import ScalaDuration
from canton_console.values.scala import NONE, Option, ScalaMap, Some, TypedVector
from canton_console.values.timefmt import instant, round_for_humans

log = logging.getLogger("canton_console.health")

CHUNK_SIZE_UNSUPPORTED = Unsupported("canton-console's nodes run in the console's process: the dump is written directly, not streamed in chunks over gRPC")


class StringMap(ScalaMap):
    """``Map[String, String]``, as Canton declares ``last_errors()`` (also when empty)."""

    canton_type = "Map[String, String]"


class DumpPath(str):
    """The path of a written health dump: a ``String``, printed quoted."""

    canton_type = "String"


def default_dump_name() -> str:
    """``canton-dump-<Instant.now>.zip`` with ``:`` replaced by ``-`` (Canton: forbidden on Windows)."""
    return f"canton-dump-{instant(time.time_ns() // 1000).replace(':', '-')}.zip"


def write_with_timeout(write: Any, output_file: str, timeout_micros: int | None) -> str:
    """Run ``write(path)`` and wait for it at most ``timeout_micros`` (None: unbounded). On failure or
    timeout the output file is removed (Canton's ``cleanupOnError``); the path written is returned."""
    path = os.path.abspath(output_file)
    outcome: dict[str, BaseException | None] = {}
    abandoned = threading.Event()

    def run() -> None:
        try:
            write(path)
            outcome["error"] = None
        except BaseException as e:  # noqa: BLE001 - handed to the waiting console thread
            outcome["error"] = e
        if abandoned.is_set() and os.path.exists(path):
            os.unlink(path)

    worker = threading.Thread(target=run, name="health-dump", daemon=True)
    worker.start()
    worker.join(None if timeout_micros is None else timeout_micros / 1e6)
    if worker.is_alive():
        abandoned.set()
        raise CommandFailure(f"CONSOLE_COMMAND_TIMED_OUT(4,0): Condition never became true after {round_for_humans(timeout_micros or 0)}")
    error = outcome.get("error")
    if error is not None:
        if os.path.exists(path):
            os.unlink(path)
        raise error
    return path


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

    # ---- readiness (Canton: what a NotInitialized status waits for) ----------------------------
    def _waiting_for(self, kind: str) -> bool:
        """Canton's ``NodeStatusElement.isWaitingForExternalInput``: the node answers (it runs), is not
        initialized, and its status waits for ``kind`` (``ID``, ``Node Topology``, ``Initialization``).
        A node that cannot be asked (not running) is not ready."""
        status = self._admin.status
        if not status.is_running():
            return False
        try:
            data = status.status()
        except CantonError:
            return False
        return isinstance(data, NotInitializedData) and data.waiting_for == kind

    def _wait_for(self, condition: Any, what: str, name: str) -> None:
        # Canton waits with the unbounded console timeout (Inf unless configured)
        wait_until(self._env, condition, self._unbounded_timeout(), f"{self._node_name} {what}", f"{self.scala_name}.{name}")

    def _unbounded_timeout(self) -> int:
        try:
            return self._env.timeout_micros("unbounded")
        except (AttributeError, TypeError):  # Inf: waits until the condition holds
            return 10**18

    @command(needs_running=False)
    def is_ready_for_id(self) -> bool:
        """Check if the node is ready for setting the node's id

        True while a running node waits for its identity (status ``NotInitialized`` waiting for
        ``ID``). The nodes of canton-console create their identity on first start (Canton's
        auto-init); a node started while its database is down waits for it until the database is
        back. An initialized node is never ready for it (a warning is logged)."""
        status = self._admin.status
        if not status.is_running():
            return False
        try:
            data = status.status()
        except CantonError:
            return False
        if isinstance(data, NotInitializedData):
            return data.waiting_for == "ID"
        log.warning("Since node is already initialized, it will never be ready to have its if set")
        return False

    @command(needs_running=False)
    def is_ready_for_node_topology(self) -> bool:
        """Check if the node is ready for uploading the node's identity topology

        True while a running node waits for its identity topology (status ``NotInitialized`` waiting
        for ``Node Topology``); canton-console's nodes create it themselves on first start (auto-init)."""
        return self._waiting_for("Node Topology")

    @command(needs_running=False)
    def is_ready_for_initialization(self) -> bool:
        """Check if the node is ready for initialization

        True while a running sequencer or mediator waits to be assigned to a synchronizer (status
        ``NotInitialized`` waiting for ``Initialization``); false once it serves one, and false for a
        participant (initialized once it has its identity)."""
        return self._waiting_for("Initialization")

    @command(needs_running=False)
    def wait_for_identity(self) -> None:
        """Wait for the node to have an identity"""
        self._wait_for(self.has_identity, "has an identity", "wait_for_identity")

    @command(needs_running=False)
    def wait_for_ready_for_id(self) -> None:
        """Wait for the node to be ready for setting the node's id"""
        self._wait_for(self.is_ready_for_id, "is ready for its id", "wait_for_ready_for_id")

    @command(needs_running=False)
    def wait_for_ready_for_node_topology(self) -> None:
        """Wait for the node to be ready for uploading the node's identity topology"""
        self._wait_for(self.is_ready_for_node_topology, "is ready for its node topology", "wait_for_ready_for_node_topology")

    @command(needs_running=False)
    def wait_for_ready_for_initialization(self) -> None:
        """Wait for the node to be ready for initialization"""
        self._wait_for(self.is_ready_for_initialization, "is ready for initialization", "wait_for_ready_for_initialization")

    @command(needs_running=False)
    def last_errors(self) -> StringMap:
        """Show the last errors logged

        Returns a map with the trace-id as key and the most recent error messages as value. Requires
        that --log-last-errors is enabled (and not turned off). The buffer is the process's: all
        nodes of this console's process share it, as the nodes of one Canton process do."""
        return StringMap(self._admin.status.last_errors())

    @command(needs_running=False)
    def last_error_trace(self, trace_id: Annotated[str, a.Text("a trace id, as last_errors() lists them")]) -> TypedVector:
        """Show all messages logged with the given traceId in a recent interval

        Returns a list of buffered log messages associated to a given trace-id. Usually, the
        trace-id is taken from last_errors()"""
        return TypedVector("String", *self._admin.status.last_error_trace(trace_id))

    @command(needs_running=False)
    def dump(
        self,
        output_file: Annotated[str | None, a.Optional(a.Text("a file path", allow_empty=False))] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        chunk_size: Annotated[int | None, CHUNK_SIZE_UNSUPPORTED] = None,
    ) -> DumpPath:
        """Creates a zip file containing diagnostic information about the canton process running this node

        The zip holds the log file and a JSON document with the release version, the configuration
        (passwords and secrets masked), the status of every node and the stacks of the process's
        threads (Canton's dump also has a metrics snapshot; this runtime keeps no metrics).
        ``outputFile`` defaults to ``canton-dump-<now>.zip`` in the working directory; ``timeout``
        is unbounded by default. Returns the file's path."""
        return DumpPath(write_with_timeout(self._admin.status.health_dump, output_file or default_dump_name(), timeout))

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


@top_level("health", "Health", "Environment health inspection")
class HealthTop(Group):
    """Environment health inspection"""

    scala_name = "CantonHealthAdministration"

    @command_property
    def status(self) -> CantonStatus:
        """Aggregate status info of all participants, sequencers, and mediators"""
        order = {"sequencer": 0, "mediator": 1, "participant": 2}
        nodes = sorted(self._env.nodes(), key=lambda n: (order[n.kind], n.name))
        # ``health`` is registered on the reference classes at import (@subgroup), which mypy cannot see
        return CantonStatus([reference_for(self._env, self._env.node(n.name)).health._status() for n in nodes])  # type: ignore[attr-defined]

    @command(needs_running=False)
    def dump(
        self,
        output_file: Annotated[str | None, a.Optional(a.Text("a file path", allow_empty=False))] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        chunk_size: Annotated[int | None, CHUNK_SIZE_UNSUPPORTED] = None,
    ) -> DumpPath:
        """Generate and write a health dump of Canton's state for a bug report

        Gathers information about the current Canton process: the first local node (by name) that
        can give its health dump writes it, and the dump is zipped into ``outputFile``
        (``canton-dump-<now>.zip`` by default). ``timeout`` defaults to console.ledger_command
        (1 minute). Returns the file's path."""
        timeout_micros = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        deadline = time.monotonic() + timeout_micros / 1e6
        names = sorted(n.name for n in self._env.nodes())

        def write(path: str) -> None:
            inner: str | None = None
            failure: BaseException | None = None
            for name in names:
                handle, candidate = tempfile.mkstemp(prefix="local-", suffix=".tmp")
                os.close(handle)
                try:
                    self._env.node(name).status.health_dump(candidate)
                    inner = candidate
                    break
                except Exception as e:  # noqa: BLE001 - Canton tries the next local node
                    failure = e
                    os.unlink(candidate)
            if inner is None and failure is not None:
                raise failure
            try:
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                    if inner is not None:
                        zf.write(inner, os.path.basename(inner))
            finally:
                if inner is not None:
                    os.unlink(inner)

        return DumpPath(write_with_timeout(write, output_file or default_dump_name(), max(0, int((deadline - time.monotonic()) * 1e6))))
