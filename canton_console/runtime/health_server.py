"""Per-node HTTP health endpoints (``monitoring.http-health-server { address, port }``).

Readiness at ``/health``, ``/health/ready``, ``/health/readiness``; liveness at ``/health/live`` and
``/health/liveness``. Status codes as Canton's HttpHealthServer: 200 serving, 503 not serving, 500
otherwise. The body lists each component as ``name : state``, the same states ``health.status``
shows. A stopped node, a passive replica or a node whose storage failed is not ready.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

from canton_console.values import health

log = logging.getLogger("canton_console.health")

READINESS_PATHS = ("/health", "/health/ready", "/health/readiness")
LIVENESS_PATHS = ("/health/live", "/health/liveness")
# Components whose failure makes a node not ready (Canton's critical dependencies).
CRITICAL = {
    "participant": ("db-storage", "memory_storage"),
    "sequencer": ("db-storage", "memory_storage", "sequencer"),
    "mediator": ("db-storage", "memory_storage", "sequencer-client"),
}
# Components whose failure makes a node not alive (restart needed).
FATAL = {"participant": (), "sequencer": ("db-storage", "memory_storage"), "mediator": ("sequencer-client",)}


@attrs.frozen
class HealthReport:
    node: str
    serving: bool
    alive: bool
    components: tuple[health.ComponentHealth, ...]
    reason: str = ""

    def body(self) -> str:
        lines = [f"{self.node} : {'SERVING' if self.serving else 'NOT_SERVING'}" + (f" ({self.reason})" if self.reason else "")]
        lines += [f"{c.name} : {c.render()}" for c in self.components]
        return "\n".join(lines) + "\n"


def report(node) -> HealthReport:
    """The node's readiness and liveness (to be called on the runtime thread)."""
    if not node.running:
        return HealthReport(node.name, False, True, (), "not running")
    components = tuple(node.components())
    kind = node.kind
    failed = [c for c in components if c.name in CRITICAL[kind] and c.is_failed and c.state != health.NOT_INITIALIZED]
    dead = [c for c in components if c.name in FATAL[kind] and c.state == health.FATAL]
    passive = not node.active
    reason = "passive replica" if passive else (", ".join(f"{c.name} failed" for c in failed) if failed else "")
    return HealthReport(node.name, not failed and not passive, not dead, components, reason)


def current_report(env, node, timeout: float = 5) -> HealthReport:
    """The node's report, computed on the runtime thread and awaited from any other thread (the
    health servers' request threads); raises when the runtime does not answer in time."""
    future = env.scheduler.submit(report, node)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise RuntimeError(f"the node did not answer within {timeout:g} seconds") from None


class NodeHealthServer:
    def __init__(self, env, node, address: str, port: int):
        self.env = env
        self.node = node
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0].rstrip("/") or "/"
                if path not in READINESS_PATHS + LIVENESS_PATHS:
                    self._send(404, f"unknown health endpoint {path}; use /health, /health/ready or /health/live\n")
                    return
                try:
                    current = server.current()
                except Exception as e:  # noqa: BLE001 - an unanswerable node is "otherwise": 500
                    self._send(500, f"{server.node.name} : UNKNOWN ({e or type(e).__name__})\n")
                    return
                ok = current.serving if path in READINESS_PATHS else current.alive
                self._send(200 if ok else 503, current.body())

            def _send(self, code: int, body: str) -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, fmt: str, *args: Any) -> None:
                log.debug("health %s: " + fmt, server.node.name, *args)

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        self.address, self.port = self.httpd.server_address[:2]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"health-{node.name}", daemon=True)
        self.thread.start()

    def current(self) -> HealthReport:
        return current_report(self.env, self.node)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_health_servers(env) -> list[NodeHealthServer]:
    """One server per node configured with ``monitoring.http-health-server``; kept in ``env.health_servers``."""
    servers = []
    for node in env.nodes():
        cfg = node.config.monitoring.http_health_server
        if cfg is None:
            continue
        try:
            servers.append(NodeHealthServer(env, node, cfg.address, cfg.port))
        except OSError as e:
            for s in servers:
                s.stop()
            from canton_console.values.errors import INVALID_ARGUMENT, CantonError

            raise CantonError(INVALID_ARGUMENT, f"Cannot serve the health endpoint of {node.name} on {cfg.address}:{cfg.port}: {e.strerror}") from None
    env.health_servers = servers
    return servers
