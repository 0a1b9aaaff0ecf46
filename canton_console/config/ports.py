"""Ports and storage across nodes: default ports assigned, clashes and shared stores refused."""

from __future__ import annotations

import os
from typing import Any

from canton_console.config.errors import ConfigError, fail
from canton_console.config.fields import join_path
from canton_console.config.models import StorageConfig
from canton_console.config.nodes import ApiBeingRead, NodeBeingRead

#: Ports left out of a config are numbered from here upward, skipping every port already in use.
FIRST_DEFAULT_PORT = 5001


def _normal_host(address: str) -> str:
    a = address.strip().lower()
    return "127.0.0.1" if a in ("localhost", "localhost.") else a


_WILDCARDS = ("0.0.0.0", "::", "*", "")


def _same_host(a: str, b: str) -> bool:
    a, b = _normal_host(a), _normal_host(b)
    return a == b or a in _WILDCARDS or b in _WILDCARDS


def assign_ports(nodes: list[NodeBeingRead]) -> None:
    slots = [api for node in nodes for api in node.apis.values() if api is not None]
    used = {api.port for api in slots if api.port}
    next_port = FIRST_DEFAULT_PORT
    for api in slots:
        if api.port is None:
            while next_port in used:
                next_port += 1
            if next_port > 65535:
                raise fail(join_path(api.path, "port"), "missing, and no free default port is left; set the port explicitly")
            api.port = next_port
            used.add(next_port)
    seen: dict[int, list[ApiBeingRead]] = {}
    for api in slots:
        port = api.port
        assert port is not None  # every endpoint has a port now
        if port == 0:
            continue
        for other in seen.get(port, ()):
            if _same_host(api.address, other.address):
                raise fail(
                    join_path(api.path, "port"),
                    f"{api.address}:{api.port} is already used by {join_path(other.path, 'port')} "
                    f"({other.address}:{other.port}); expected a port no other API uses",
                )
        seen.setdefault(port, []).append(api)


def _storage_key(storage: StorageConfig) -> tuple[Any, ...] | None:
    if storage.type == "sqlite":
        return ("sqlite", os.path.realpath(storage.file or ""))
    if storage.type == "postgres":
        return ("postgres", _normal_host(storage.server_name), storage.port_number, storage.database_name)
    return None


def check_shared_storage(nodes: list[NodeBeingRead]) -> None:
    owners: dict[tuple[Any, ...], list[NodeBeingRead]] = {}
    for node in nodes:
        key = _storage_key(node.storage)
        if key is None:
            continue
        for other in owners.get(key, ()):
            where = f"{join_path(node.path, 'storage')}: uses the same {node.storage.describe()} as {join_path(other.path, 'storage')}"
            if other.kind != node.kind:
                raise ConfigError(f"{where}; a {node.kind} and a {other.kind} cannot share storage", path=join_path(node.path, "storage"))
            if node.replication is None:
                raise ConfigError(f"{where}; {node.kind}s cannot share storage", path=join_path(node.path, "storage"))
            off = next((n for n in (other, node) if n.replication is None or not n.replication.enabled), None)
            if off is not None:
                raise ConfigError(
                    f"{where}; {node.kind}s may share storage only as replicas, with replication.enabled = true "
                    f"on all of them ({join_path(off.path, 'replication.enabled')} is not true)",
                    path=join_path(node.path, "storage"),
                )
        owners.setdefault(key, []).append(node)
