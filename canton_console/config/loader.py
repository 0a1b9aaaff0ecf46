"""Read Canton HOCON configuration files (``-c``) and overrides (``-C``) into :class:`CantonConfig`.

Layering follows Canton: files are parsed and merged in order (a later file wins; objects merge key by
key), then each ``-C key=value`` is applied as a HOCON assignment, and only then are substitutions
(``${_shared.storage}``, ``${?POSTGRES_HOST}``) resolved, so a later file or an override can change a
value an earlier file refers to. Keys outside the ``canton`` block are free for such shared values.

Everything that goes wrong raises :class:`ConfigError` (``CONFIG_VALIDATION_FAILED``) whose message
starts with the full key path (or the file) and says what was expected.

pyhocon is imported lazily inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from canton_console.config.errors import ConfigError, fail
from canton_console.config.fields import CANTON_KEYS, MISSING, join_path, parse_duration, read_object, show
from canton_console.config.hocon import load_tree
from canton_console.config.models import (
    ApiConfig,
    CantonConfig,
    GrpcHealthServerConfig,
    HealthServerConfig,
    MediatorConfig,
    MonitoringConfig,
    ParticipantConfig,
    RemoteMediatorConfig,
    RemoteNodeConfig,
    RemoteParticipantConfig,
    RemoteSequencerConfig,
    ReplicationConfig,
    SequencerConfig,
)
from canton_console.config.monitoring import read_canton_monitoring
from canton_console.config.nodes import NODE_READERS, ApiBeingRead, NodeBeingRead, check_name, read_features, read_parameters
from canton_console.config.ports import FIRST_DEFAULT_PORT, assign_ports, check_shared_storage

__all__ = ["ConfigError", "DEFAULT_CONFIG_FILE", "FIRST_DEFAULT_PORT", "default_config", "load_config", "parse_duration"]


#: Canton's simple topology (one sequencer, one mediator, three participants) stored in SQLite.
DEFAULT_CONFIG_FILE = Path(__file__).with_name("simple-topology.conf")
#: Ports left out of a config are numbered from here upward, skipping every port already in use.


# ---------------------------------------------------------------------------------------------------
# Public entry points


def load_config(
    files: Sequence[str | os.PathLike[str]] = (),
    overrides: Sequence[str] = (),
    base_dir: Path | None = None,
) -> CantonConfig:
    """Parse, merge, override, resolve and validate a Canton configuration.

    ``files`` are merged in order (later files win); with none, the embedded
    :data:`DEFAULT_CONFIG_FILE` is used. Each entry of ``overrides`` is one ``-C`` argument:
    ``key=value`` or several separated by commas (``a.b=1,c.d=x``); the value is parsed as HOCON (and
    taken as a plain string if it doesn't parse). Relative sqlite ``file`` paths resolve against
    ``base_dir`` (default: the current working directory).
    """
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    if isinstance(overrides, str):
        overrides = [overrides]
    tree = load_tree(list(files) or [DEFAULT_CONFIG_FILE], list(overrides))
    return _build(tree, Path(os.path.abspath(base_dir if base_dir is not None else os.getcwd())))


def default_config(data_dir: Path) -> CantonConfig:
    """The embedded simple topology, with its SQLite files under ``data_dir``."""
    return load_config([DEFAULT_CONFIG_FILE], base_dir=data_dir)


def _port(api: ApiBeingRead) -> int:
    assert api.port is not None  # assign_ports gave every endpoint a port
    return api.port


def _api(api: ApiBeingRead | None) -> ApiConfig | None:
    return None if api is None else ApiConfig(address=api.address, port=_port(api))


def _required_api(api: ApiBeingRead | None) -> ApiConfig:
    assert api is not None  # a mandatory endpoint is read with its defaults when the file has none
    return ApiConfig(address=api.address, port=_port(api), tls=api.tls)


def _replication(node: NodeBeingRead) -> ReplicationConfig:
    assert node.replication is not None  # participants and mediators always read one (defaults when absent)
    return node.replication


def _monitoring(node: NodeBeingRead) -> MonitoringConfig:
    http = node.apis.get("http-health-server")
    grpc = node.apis.get("grpc-health-server")
    return MonitoringConfig(
        http_health_server=None if http is None else HealthServerConfig(address=http.address, port=_port(http)),
        grpc_health_server=None
        if grpc is None
        else GrpcHealthServerConfig(address=grpc.address, port=_port(grpc), parallelism=node.grpc_health_parallelism),
    )


def _build(tree: dict[str, Any], base_dir: Path) -> CantonConfig:
    if not isinstance(tree, dict):
        raise ConfigError(f"the configuration must be an object (key = value pairs), found {show(tree)}")
    canton_value = tree.get("canton", MISSING)
    if canton_value is MISSING or canton_value is None:
        return CantonConfig()
    canton = read_object(canton_value, "canton", CANTON_KEYS)
    # local and remote nodes share the console's namespace: one name, one node
    names: dict[str, str] = {}
    nodes: list[NodeBeingRead] = _read_node_groups(canton, NODE_READERS, names, base_dir)
    from canton_console.config.tls import REMOTE_READERS

    remotes: list[RemoteNodeConfig] = _read_node_groups(canton, REMOTE_READERS, names, base_dir)
    parameters = read_parameters(canton.get("parameters", MISSING))
    features = read_features(canton.get("features", MISSING))
    monitoring = read_canton_monitoring(canton.get("monitoring", MISSING))
    # the remote nodes' endpoints take part in the port checks: a local API on a remote node's
    # endpoint would be this console's own, and default ports skip them
    assign_ports(nodes + [_remote_endpoints(remote) for remote in remotes])
    check_shared_storage(nodes)

    participants: dict[str, ParticipantConfig] = {}
    sequencers: dict[str, SequencerConfig] = {}
    mediators: dict[str, MediatorConfig] = {}
    for node in nodes:
        if node.kind == "participant":
            participants[node.name] = ParticipantConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_required_api(node.apis["admin-api"]),
                ledger_api=_required_api(node.apis["ledger-api"]),
                http_ledger_api=_api(node.apis["http-ledger-api"]),
                monitoring=_monitoring(node),
                replication=_replication(node),
                **node.fields,
            )
        elif node.kind == "sequencer":
            sequencers[node.name] = SequencerConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_required_api(node.apis["admin-api"]),
                public_api=_required_api(node.apis["public-api"]),
                monitoring=_monitoring(node),
                **node.fields,
            )
        else:
            mediators[node.name] = MediatorConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_required_api(node.apis["admin-api"]),
                monitoring=_monitoring(node),
                replication=_replication(node),
                **node.fields,
            )
    return CantonConfig(
        participants=participants,
        sequencers=sequencers,
        mediators=mediators,
        parameters=parameters,
        features=features,
        monitoring=monitoring,
        remote_participants={r.name: r for r in remotes if isinstance(r, RemoteParticipantConfig)},
        remote_sequencers={r.name: r for r in remotes if isinstance(r, RemoteSequencerConfig)},
        remote_mediators={r.name: r for r in remotes if isinstance(r, RemoteMediatorConfig)},
    )


def _read_node_groups(canton: dict[str, Any], readers: dict[str, Any], names: dict[str, str], base_dir: Path) -> list[Any]:
    """The nodes of the groups ``readers`` knows (``participants``, ... or ``remote-participants``, ...),
    each read by its group's reader; ``names`` (name -> path) collects them and refuses a name twice."""
    found: list[Any] = []
    for group, reader in readers.items():
        value = canton.get(group, MISSING)
        if value is MISSING or value is None:
            continue
        gpath = join_path("canton", group)
        if not isinstance(value, dict):
            raise fail(gpath, f"expected an object with one entry per node, found {show(value)}")
        for raw_name, node_value in value.items():
            name = raw_name.strip('"')
            path = join_path(gpath, raw_name)
            check_name(name, path)
            if name in names:
                raise fail(
                    path,
                    f"node name '{name}' is already used by {names[name]}; node names must be unique across "
                    "participants, sequencers and mediators, local and remote",
                )
            names[name] = path
            found.append(reader(name, node_value, path, base_dir))
    return found


def _remote_endpoints(remote: RemoteNodeConfig) -> NodeBeingRead:
    node = NodeBeingRead(f"remote {remote.kind}", remote.name, "")
    for key in ("admin-api", "ledger-api", "public-api"):
        api = getattr(remote, key.replace("-", "_"), None)
        if api is not None:
            path = join_path(join_path(f"canton.remote-{remote.kind}s", remote.name), key)
            node.apis[key] = ApiBeingRead(path, api.address, api.port, False)
    return node
