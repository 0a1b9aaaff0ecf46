"""The services every node has: status, identity, lifecycle, replication."""

from __future__ import annotations

import time
from typing import Any

from canton_console import logs
from canton_console.config.models import NodeConfig
from canton_console.runtime.health_dump import write_health_dump
from canton_console.runtime.services.base import LocalService, not_started
from canton_console.values import health
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.health import NodeStatusData, NotInitializedData
from canton_console.values.node_config import DbParametersConfig, NodeConfigValue, ServerConfig, StorageConfigValue

# How often ``set_passive`` looks at the replication lock while it waits for another replica to
# take it (a replica of this process becoming active wakes it at once).
_LOCK_POLL_SECONDS = 0.05

_PASSIVE_COMPONENTS = {
    "participant": ("connected-synchronizer", "sync-ephemeral-state", "sequencer-client", "acs-commitment-processor"),
    "mediator": ("sequencer-client",),
    "sequencer": ("sequencer-client",),
}


class LocalStatusService(LocalService):
    passive_refusal = None

    def is_running(self) -> bool:
        return self._node.running

    def is_initialized(self) -> bool:
        """Canton's ``NodeStatus.isInitialized``: the node reports a full status. A participant is
        initialized once it has its identity; a sequencer or mediator once it has been assigned to a
        synchronizer. A node that is not running is not."""
        if not self._node.running:
            return False
        return self._env.call(lambda: self._node.running and isinstance(self._status(), NodeStatusData))

    def status(self) -> NodeStatusData | NotInitializedData:
        if not self._node.running:
            raise not_started(self._node)
        return self._call(self._status)

    def last_errors(self) -> dict[str, str]:
        """Canton's StatusService.getLastErrors: the process's last-errors buffer (all the nodes of a
        Canton process share it, as ours do)."""
        self._require_running()
        installed = logs.installed()
        if installed is None or installed.last_errors_handler is None:
            raise ServiceStatusError("FAILED_PRECONDITION", "No last errors available")
        return installed.last_errors()

    def last_error_trace(self, trace_id: str) -> list[str]:
        self._require_running()
        installed = logs.installed()
        errors_by_trace = installed.last_errors() if installed is not None else {}
        if installed is None or trace_id not in errors_by_trace:
            raise ServiceStatusError("FAILED_PRECONDITION", "No trace available for the given traceId")
        return installed.last_error_trace(trace_id)

    def health_dump(self, output_file: str) -> None:
        self._require_running()
        env = self._env
        nodes = [(n.name, n.kind) for n in env.nodes()]

        def status_of(name: str) -> NodeStatusData | NotInitializedData | str:
            node = env.node(name)
            if not node.running:
                return not_started(node).render()
            try:
                return env.call(LocalStatusService(env, node)._status)
            except CantonError as e:
                return e.render()

        write_health_dump(output_file, env.config, nodes, status_of)

    def _require_running(self) -> None:
        if not self._node.running:
            raise not_started(self._node)

    def _status(self) -> NodeStatusData | NotInitializedData:
        node = self._node
        if node.uid is None:
            return NotInitializedData(True, "ID")  # started while its database is down: identity not loaded yet
        if node.passive:
            return self._passive_status()
        if not node.has_node_topology:
            return NotInitializedData(True, "Node Topology")  # its identity is set, its keys not yet registered
        common = self._common(node.active, tuple(node.components()))
        if node.kind == "participant":
            connected = node.connected_synchronizers()
            return NodeStatusData(
                **common,
                connected_synchronizers=tuple(s.id for _, s, healthy in connected if healthy),
                unhealthy_synchronizers=tuple(s.id for _, s, healthy in connected if not healthy),
            )
        sync = node.synchronizer
        if sync is None:
            return NotInitializedData(True, "Initialization")
        if node.kind == "sequencer":
            now = sync.now()
            return NodeStatusData(
                **common,
                synchronizer_id=sync.id,
                connected_participants=tuple(p for p in sync.topology.participants(now) if p in sync.subscribers),
                connected_mediators=tuple(m for m in sync.topology.mediators(now) if m in sync.subscribers),
            )
        return NodeStatusData(**common, synchronizer_id=sync.id)

    def _common(self, active: bool, components: tuple[health.ComponentHealth, ...]) -> dict[str, Any]:
        """The fields every node kind reports."""
        node = self._node
        return dict(
            kind=node.kind,
            uid=str(node.uid),
            member=node.member_id,
            uptime_micros=node.uptime_micros(),
            ports=tuple(node.ports()),
            active=active,
            components=components,
        )

    def _passive_status(self) -> NodeStatusData | NotInitializedData:
        """A passive replica: it has the node's identity but stays off the synchronizers (Active: false)."""
        node = self._node
        common = self._common(False, (node.storage_health(), *[health.not_initialized(n) for n in _PASSIVE_COMPONENTS[node.kind]]))
        if node.kind == "mediator":
            sync_id = node.stored_synchronizer_id()
            if sync_id is None:
                return NotInitializedData(False, "Initialization")
            return NodeStatusData(**common, synchronizer_id=sync_id)
        return NodeStatusData(**common)


class LocalIdentityService(LocalService):
    passive_refusal = None

    def member_id(self) -> str:
        return self._call(lambda: self._node.member_id)

    def member_id_if_known(self) -> str | None:
        node = self._node
        return None if node.uid is None else node.member_id

class LocalLifecycleService(LocalService):
    def start(self) -> None:
        self._env.start([self._node])

    def stop(self) -> None:
        self._env.stop([self._node])

    def kill(self) -> None:
        self._env.call(self._node.kill)


class LocalReplicationService(LocalService):
    passive_refusal = None

    def is_replicated(self) -> bool:
        return self._node.replicated

    def set_passive(self) -> None:
        """Canton's SetPassive: give the lock back and leave it to the other replicas for the
        hand-over window (two check periods, as Canton's command waits). Returns once another
        replica is active: one of this process when it has become active (not merely taken the lock:
        its health says so from then on), one of another process when it holds the lock (all that
        can be seen of it here, and what its own health reports as active). If none took the lock
        within the window, returns as Canton does: this replica takes it back at its next check.
        The wait for a replica of this process that took the lock to become active is bounded by
        the console's bounded timeout (the deadline of Canton's admin command)."""
        node = self._node
        if not self._call(node.set_passive):
            return
        replication = node.replication
        if replication is None:
            return  # stopped meanwhile
        env = self._env
        others = env.replicas_of(node)
        window_end = replication.hold_off_until
        timeout = env.config.parameters.timeouts.bounded.total_seconds()
        deadline = time.monotonic() + timeout
        while True:
            # The database first, then the replicas of this process: one that took the lock shows
            # as its holder once its check is over (holds_lock waits for it), so a lock held by
            # another replica and by none of this process is held by one of another process.
            held_by_other = replication.held_by_other()
            taking_over = any(r is not None and r.holds_lock() for r in (n.replication for n in others))
            if not taking_over and (held_by_other or time.monotonic() >= window_end):
                return
            with env.replica_activated:
                if any(n.active for n in others):
                    return
                now = time.monotonic()
                if now >= deadline:
                    raise ServiceStatusError("DEADLINE_EXCEEDED", f"Timed out after {timeout:g}s waiting for another replica to take over")
                # Woken when a replica of this process becomes active; else look at the lock again
                # soon (a replica of another process is seen only there).
                env.replica_activated.wait(min(_LOCK_POLL_SECONDS, deadline - now))


def _api(canton_type: str, api: Any, shown_as: str) -> ServerConfig:
    return ServerConfig(canton_type, api.address, api.port, shown_as)


def node_config_value(config: NodeConfig) -> NodeConfigValue:
    """The console's read-only view of a node's configuration; the storage password stays here."""
    storage = config.storage
    kind = {"memory": "Memory", "postgres": "Postgres", "sqlite": "Sqlite"}[storage.type]
    storage_value = StorageConfigValue(
        kind,
        DbParametersConfig(storage.max_connections, storage.fail_fast_on_startup),
        server_name=storage.server_name if storage.type == "postgres" else None,
        port_number=storage.port_number if storage.type == "postgres" else None,
        database_name=storage.database_name,
        user=storage.user,
        password_set=bool(storage.password),
        file=storage.file,
    )
    path = f"{config.name}.config"
    apis: tuple[tuple[str, ServerConfig], ...] = ()
    if config.kind == "participant":
        apis = (("ledgerApi", _api("LedgerApiServerConfig", config.ledger_api, path + ".ledgerApi")),)  # type: ignore[union-attr]
    elif config.kind == "sequencer":
        apis = (("publicApi", _api("PublicServerConfig", config.public_api, path + ".publicApi")),)  # type: ignore[union-attr]
    return NodeConfigValue(config.kind, config.name, _api("AdminServerConfig", config.admin_api, path + ".adminApi"), storage_value, apis)


class LocalNodeConfigService(LocalService):
    """A node's configuration: readable also while the node is stopped (it is the console's config)."""

    passive_refusal = None

    def config(self) -> NodeConfigValue:
        return node_config_value(self._node.config)
