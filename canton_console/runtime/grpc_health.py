"""Per-node gRPC health service (the standard ``Health`` service of gRPC's health checking protocol,
v1) on ``monitoring.grpc-health-server { address, port, parallelism }``, as Canton's GrpcHealthServer
serves it.

The services are Canton's: the node's readiness under its kind (``participant``, ``sequencer``,
``mediator``: serving unless a critical dependency failed), ``liveness`` (serving unless a fatal
dependency failed), and the overall service ``""``, serving only while both are. The truth is the
one the HTTP health endpoints report (:func:`canton_console.runtime.health_server.report`): a stopped
node, a passive replica or a node whose storage failed is NOT_SERVING. Any other service name is
unknown (NOT_FOUND on Check, SERVICE_UNKNOWN on Watch).

``Check`` reads the node afresh; a poller keeps the statuses current in between so that ``Watch``
streams see each change (a replica becoming passive, a node stopping) as it happens.
"""

from __future__ import annotations

import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from canton_console.api.serving import SERVER_OPTIONS, bind_port
from canton_console.runtime.health_server import current_report

log = logging.getLogger("canton_console.health")

LIVENESS = "liveness"  # Canton's LivenessHealthService.Name
ALL_SERVICES = ""  # grpc's HealthStatusManager.SERVICE_NAME_ALL_SERVICES
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
# How often the statuses are re-read for Watch streams between Checks.
POLL_SECONDS = 0.5


class _Servicer(health.HealthServicer):
    def __init__(self, owner: "NodeGrpcHealthServer"):
        super().__init__()
        self._owner = owner

    def Check(self, request, context):  # noqa: N802 - grpc's method name
        self._owner.refresh()
        return super().Check(request, context)


class NodeGrpcHealthServer:
    def __init__(self, env, node, address: str, port: int, parallelism: int = 4):
        self.env = env
        self.node = node
        self._lock = threading.Lock()
        self._statuses: dict[str, int] = {}
        self._stopped = threading.Event()
        self.servicer = _Servicer(self)
        self.server = grpc.server(
            ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix=f"grpc-health-{node.name}"),
            options=SERVER_OPTIONS,
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.servicer, self.server)
        if port:
            _check_free(address, port)  # gRPC's own refusal is a native log line; this one is the reason
        self.address, self.port = _host(address), bind_port(self.server, address, port)
        self.refresh()
        self.server.start()
        self.thread = threading.Thread(target=self._poll, name=f"grpc-health-poll-{node.name}", daemon=True)
        self.thread.start()

    def statuses(self) -> dict[str, int]:
        """The node's services and their statuses, read now."""
        try:
            current = current_report(self.env, self.node)
        except Exception as e:  # noqa: BLE001 - a node that does not answer serves nothing
            log.debug("grpc health of %s: %s", self.node.name, e)
            return dict.fromkeys((ALL_SERVICES, self.node.kind, LIVENESS), NOT_SERVING)
        ready = SERVING if current.serving else NOT_SERVING
        alive = SERVING if current.alive else NOT_SERVING
        overall = SERVING if current.serving and current.alive else NOT_SERVING
        return {self.node.kind: ready, LIVENESS: alive, ALL_SERVICES: overall}

    def refresh(self) -> None:
        statuses = self.statuses()
        with self._lock:
            for service, status in statuses.items():
                # set() notifies every Watch of the service: only on a change
                if self._statuses.get(service) != status:
                    self._statuses[service] = status
                    self.servicer.set(service, status)

    def _poll(self) -> None:
        while not self._stopped.wait(POLL_SECONDS):
            self.refresh()

    def stop(self) -> None:
        self._stopped.set()
        self.servicer.enter_graceful_shutdown()  # open Watch streams see NOT_SERVING, as Canton's terminal state
        self.server.stop(grace=1).wait(5)
        self.thread.join(5)


def _check_free(address: str, port: int) -> None:
    """Raise OSError (with the system's reason) when ``address:port`` cannot be bound now."""
    infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)
    family, kind, proto, _name, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(sockaddr)


def _host(address: str) -> str:
    return "127.0.0.1" if address.strip().lower() in ("localhost", "localhost.") else address


def start_grpc_health_servers(env) -> list[NodeGrpcHealthServer]:
    """One server per node configured with ``monitoring.grpc-health-server``; kept in
    ``env.grpc_health_servers``."""
    servers: list[NodeGrpcHealthServer] = []
    for node in env.nodes():
        cfg = node.config.monitoring.grpc_health_server
        if cfg is None:
            continue
        try:
            servers.append(NodeGrpcHealthServer(env, node, cfg.address, cfg.port, cfg.parallelism))
        except OSError as e:
            for s in servers:
                s.stop()
            from canton_console.values.errors import INVALID_ARGUMENT, CantonError

            raise CantonError(INVALID_ARGUMENT, f"Cannot serve the gRPC health service of {node.name} on {cfg.address}:{cfg.port}: {e.strerror or e}") from None
    env.grpc_health_servers = servers
    return servers
