"""The health dump of this process (Canton's ``HealthDumpGenerator``): a zip with the log file and a
``canton-dump-*.json`` holding the release version, the environment, the configuration without
secrets, the status of every node, and the stacks of the process's threads.

Canton's dump also holds a metrics snapshot; this runtime keeps no metrics, so there is none.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import threading
import traceback
import zipfile
from collections.abc import Callable
from typing import Any

from canton_console import CANTON_VERSION, logs
from canton_console.config.models import CantonConfig, NodeConfig, StorageConfig
from canton_console.values.health import NodeStatusData, NotInitializedData

MASK = "****"  # CantonHealthAdministrationEncoders: a Password is written as ****

StatusOf = Callable[[str], "NodeStatusData | NotInitializedData | str"]


def _hocon_value(value: Any, indent: int) -> str:
    pad = "    " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n".join(f"{pad}    {k} {_hocon_value(v, indent + 1)}" if isinstance(v, dict) else f"{pad}    {k}={_hocon_value(v, indent + 1)}" for k, v in value.items())
        return "{\n" + inner + "\n" + pad + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_hocon_value(v, indent) for v in value) + "]"
    return json.dumps(str(value))


def _storage(storage: StorageConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"type": storage.type}
    if storage.type == "sqlite":
        out["file"] = storage.file
    elif storage.type == "postgres":
        props: dict[str, Any] = {"serverName": storage.server_name, "portNumber": storage.port_number}
        if storage.database_name is not None:
            props["databaseName"] = storage.database_name
        if storage.user is not None:
            props["user"] = storage.user
        if storage.password:
            props["password"] = MASK
        out["config"] = {"properties": props}
    params: dict[str, Any] = {"fail-fast-on-startup": storage.fail_fast_on_startup}
    if storage.max_connections is not None:
        params["max-connections"] = storage.max_connections
    out["parameters"] = params
    return out


def _node(node: NodeConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"storage": _storage(node.storage)}
    for attr in ("admin_api", "ledger_api", "http_ledger_api", "public_api"):
        api = getattr(node, attr, None)
        if api is not None:
            out[attr.replace("_", "-")] = {"address": api.address, "port": api.port}
    auth = getattr(node, "ledger_api_auth_services", ())
    if auth:
        # key material (secrets, certificates) is confidential, as Canton's confidential writer has it
        out.setdefault("ledger-api", {})["auth-services"] = [{"type": a.type, **({"secret": MASK} if a.key is not None else {})} for a in auth]
    health = getattr(node.monitoring, "http_health_server", None)
    if health is not None:
        out["monitoring"] = {"http-health-server": {"address": health.address, "port": health.port}}
    replication = getattr(node, "replication", None)
    if replication is not None and replication.enabled:
        out["replication"] = {"enabled": True}
    if getattr(node, "sequencer_type", None):
        out["sequencer"] = {"type": node.sequencer_type}  # type: ignore[union-attr]
    return out


def confidential_config(config: CantonConfig) -> str:
    """``canton { ... }`` as HOCON, every password and secret written ``****``."""
    tree: dict[str, Any] = {}
    for group, nodes in (("participants", config.participants), ("sequencers", config.sequencers), ("mediators", config.mediators)):
        if nodes:
            tree[group] = {name: _node(node) for name, node in nodes.items()}
    tree["parameters"] = {"clock": {"type": config.parameters.clock_type}, "manual-start": config.parameters.manual_start}
    return "canton " + _hocon_value(tree, 0)


def thread_stacks() -> dict[str, list[str]]:
    """Every thread of the process by name, its stack innermost frame first (as Java gives it)."""
    frames = sys._current_frames()
    out: dict[str, list[str]] = {}
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        if frame is None:
            continue
        stack = traceback.extract_stack(frame)
        out[thread.name] = [f"{f.name}({os.path.basename(f.filename)}:{f.lineno})" for f in reversed(stack)]
    return out


def _status_json(kind: str, status: NodeStatusData | NotInitializedData | str) -> dict[str, Any] | None:
    if not isinstance(status, NodeStatusData):
        return None
    out: dict[str, Any] = {"uid": status.uid}
    if status.synchronizer_id:
        out["synchronizerId"] = status.synchronizer_id
    out["uptime"] = f"PT{status.uptime_micros / 1_000_000}S"
    out["ports"] = {name: port for name, port in status.ports}
    if kind == "participant":
        out["connectedSynchronizers"] = {s: {"v": True} for s in status.connected_synchronizers} | {s: {"v": False} for s in status.unhealthy_synchronizers}
        out["active"] = status.active
    elif kind == "sequencer":
        out["connectedParticipants"] = list(status.connected_participants)
        out["connectedMediators"] = list(status.connected_mediators)
        out["sequencer"] = {"isActive": status.active, "details": None}
        out["admin"] = {"acceptsAdminChanges": status.accepts_admin_changes}
    else:
        out["active"] = status.active
    out["components"] = [{"name": c.name, "state": c.render()} for c in status.components]
    out["version"] = CANTON_VERSION
    return out


INSTANCE = {"participant": "Participant", "sequencer": "Sequencer", "mediator": "Mediator"}


def canton_status(nodes: list[tuple[str, str]], status_of: StatusOf) -> dict[str, Any]:
    """``CantonStatus`` as Canton's dump encodes it: per node kind the statuses and the unreachable."""
    out: dict[str, Any] = {}
    for kind, label in (("sequencer", "Sequencer"), ("mediator", "Mediator"), ("participant", "Participant")):
        ok: dict[str, Any] = {}
        failed: dict[str, Any] = {}
        for name, node_kind in sorted(nodes):
            if node_kind != kind:
                continue
            status = status_of(name)
            encoded = _status_json(kind, status)
            if encoded is not None:
                ok[name] = encoded
            elif isinstance(status, NotInitializedData):
                failed[name] = {"msg": f"{INSTANCE[kind]} '{name}' has not been initialized"}
            else:
                failed[name] = {"msg": str(status)}
        out[f"{kind}Status"] = ok
        out[f"unreachable{label}s"] = failed
    return out


def write_health_dump(output_file: str, config: CantonConfig, nodes: list[tuple[str, str]], status_of: StatusOf) -> None:
    """Write the zip: the log file (when there is one) and the JSON dump."""
    dump = {
        "releaseVersion": CANTON_VERSION,
        "environment": {"os": platform.system(), "pythonVersion": platform.python_version()},
        "config": confidential_config(config),
        "status": canton_status(nodes, status_of),
        "traces": thread_stacks(),
    }
    installed = logs.installed()
    log_file = installed.file_path if installed is not None else None
    directory = os.path.dirname(os.path.abspath(output_file))
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", prefix="canton-dump-", suffix=".json", delete=False, encoding="utf-8") as tmp:
        json.dump(dump, tmp, indent=2)
        json_path = tmp.name
    try:
        with zipfile.ZipFile(output_file, "w", zipfile.ZIP_DEFLATED) as zf:
            if log_file and os.path.exists(log_file) and os.path.getsize(log_file) > 0:
                if installed is not None and installed.file_handler is not None:
                    installed.file_handler.flush()
                zf.write(log_file, os.path.basename(log_file))
            zf.write(json_path, os.path.basename(json_path))
    finally:
        os.unlink(json_path)
