"""A console's own nodes driven over gRPC: each node's admin API served on a loopback port and the
console bound to clients of them. Everything a console command does then crosses the wire exactly
as it does for a remote node, which is how the suite checks that every command works on one
(``CANTON_CONSOLE_ADMIN_API=grpc``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canton_console.api.admin_client import RemoteNodeAdmin
from canton_console.api.admin_server import AdminApiServer


class ServedNode(RemoteNodeAdmin):
    """A node of this process reached through its admin API; start and stop stay this console's."""

    def __init__(self, local_admin: Any, server: AdminApiServer):
        super().__init__(local_admin.info.name, local_admin.info.kind, f"{server.address}:{server.port}")
        self.info = local_admin.info
        self.lifecycle = local_admin.lifecycle
        self.server = server


class LoopbackConsoleAdmin:
    """``ConsoleAdmin`` over another one whose nodes it serves and reaches over gRPC on loopback."""

    def __init__(self, local: Any):
        self._local = local
        self._nodes: dict[str, ServedNode] = {}
        for info in local.nodes():
            node_admin = local.node(info.name)
            self._nodes[info.name] = ServedNode(node_admin, AdminApiServer(node_admin).start())

    def node(self, name: str) -> ServedNode:
        return self._nodes[name]

    def start(self, names: Sequence[str]) -> None:
        self._local.start(names)

    def stop(self, names: Sequence[str]) -> None:
        self._local.stop(names)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._local, name)

    def close(self) -> None:
        for served in self._nodes.values():
            served.close()
            served.server.stop(0)
