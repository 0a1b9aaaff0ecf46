"""Reading the nodes (participants, sequencers, mediators) and the global parameters."""

from __future__ import annotations

import keyword
import os
import re
from pathlib import Path
from typing import Any

from canton_console.config.errors import fail
from canton_console.config.fields import (
    ADMIN_API_KEYS,
    API_KEYS,
    AUTH_SERVICE_KEY_MATERIAL,
    AUTH_SERVICE_KEYS,
    CLOCK_KEYS,
    CONSOLE_TIMEOUT_KEYS,
    FEATURES_KEYS,
    GRPC_HEALTH_SERVER_KEYS,
    INIT_IDENTITY_KEYS,
    INIT_IDENTITY_TYPES,
    INIT_KEYS,
    LEDGER_API_KEYS,
    MEDIATOR_KEYS,
    MISSING,
    MONITORING_KEYS,
    PARAMETERS_KEYS,
    PARTICIPANT_KEYS,
    POSTGRES_PROPERTY_KEYS,
    REPLICATION_KEYS,
    SEQUENCER_BLOCK_KEYS,
    SEQUENCER_HA_KEYS,
    SEQUENCER_KEYS,
    STORAGE_CONFIG_KEYS,
    STORAGE_KEYS,
    STORAGE_PARAMETER_KEYS,
    TIMEOUTS_KEYS,
    join_path,
    read_bool,
    read_duration,
    read_object,
    read_port,
    read_positive_int,
    read_string,
    show,
)
from canton_console.config.models import (
    AUTH_SERVICE_TYPES,
    CLOCK_TYPES,
    SEQUENCER_TYPES,
    STORAGE_TYPES,
    AuthServiceConfig,
    ConsoleTimeouts,
    FeaturesConfig,
    InitConfig,
    Parameters,
    ReplicationConfig,
    SequencerHighAvailabilityConfig,
    StorageConfig,
)

# ---------------------------------------------------------------------------------------------------
# Building the config


class ApiBeingRead:
    """An endpoint being read: its port may still be missing until defaults are assigned."""

    __slots__ = ("path", "address", "port", "allow_zero", "tls")

    def __init__(self, path: str, address: str, port: int | None, allow_zero: bool):
        self.path, self.address, self.port, self.allow_zero = path, address, port, allow_zero
        self.tls: Any = None  # a TlsServerConfig (admin-api) once read


def _read_admin_api(obj: dict[str, Any], path: str, base_dir: Path, key: str = "admin-api") -> ApiBeingRead:
    """A node's ``admin-api { address, port, tls }`` (or a sequencer's ``public-api``, which takes the
    same TLS settings)."""
    from canton_console.config.tls import read_tls_server

    api = _read_api(obj, key, path, default_address="127.0.0.1", optional=False, keys=ADMIN_API_KEYS)
    assert api is not None  # mandatory: read with its defaults when absent
    value = obj.get(key)
    if isinstance(value, dict):
        api.tls = read_tls_server(value.get("tls"), join_path(api.path, "tls"), base_dir)
    return api


class NodeBeingRead:
    __slots__ = ("kind", "name", "path", "storage", "apis", "fields", "replication", "grpc_health_parallelism")

    def __init__(self, kind: str, name: str, path: str):
        self.kind, self.name, self.path = kind, name, path
        self.storage: StorageConfig = StorageConfig()
        self.apis: dict[str, ApiBeingRead | None] = {}
        self.fields: dict[str, Any] = {}
        self.replication: ReplicationConfig | None = None
        self.grpc_health_parallelism = 4


def _read_api(
    obj: dict[str, Any], key: str, path: str, *, default_address: str, optional: bool, allow_zero: bool = False, keys: tuple[str, ...] = API_KEYS
) -> ApiBeingRead | None:
    api_path = join_path(path, key)
    value = obj.get(key, MISSING)
    if value is MISSING or (optional and value is None):
        return None if optional else ApiBeingRead(api_path, default_address, None, allow_zero)
    api = read_object(value, api_path, keys)
    address = default_address
    if "address" in api:
        address = read_string(api["address"], join_path(api_path, "address"), "a host name or IP address").strip()
        if not address:
            raise fail(join_path(api_path, "address"), 'expected a host name or IP address, found ""')
    port = read_port(api["port"], join_path(api_path, "port"), allow_zero) if "port" in api else None
    return ApiBeingRead(api_path, address, port, allow_zero)


def _read_storage(obj: dict[str, Any], path: str, base_dir: Path) -> StorageConfig:
    value = obj.get("storage", MISSING)
    if value is MISSING:
        return StorageConfig(type="memory")
    spath = join_path(path, "storage")
    storage = read_object(value, spath, STORAGE_KEYS)
    expected = "memory, sqlite or postgres"
    tpath = join_path(spath, "type")
    if "type" not in storage:
        raise fail(tpath, f"missing; expected {expected}")
    typ = storage["type"]
    if not isinstance(typ, str):
        raise fail(tpath, f"expected {expected}, found {show(typ)}")
    if typ not in STORAGE_TYPES:
        raise fail(tpath, f"unknown storage type '{typ}'; expected {expected}")

    fields: dict[str, Any] = {"type": typ}
    if "parameters" in storage:
        ppath = join_path(spath, "parameters")
        params = read_object(storage["parameters"], ppath, STORAGE_PARAMETER_KEYS)
        if "fail-fast-on-startup" in params:
            fields["fail_fast_on_startup"] = read_bool(params["fail-fast-on-startup"], join_path(ppath, "fail-fast-on-startup"))
        if "max-connections" in params:
            fields["max_connections"] = read_positive_int(params["max-connections"], join_path(ppath, "max-connections"))
        if "migrate-and-start" in params:
            fields["migrate_and_start"] = read_bool(params["migrate-and-start"], join_path(ppath, "migrate-and-start"))

    file_value = storage.get("file", MISSING)
    fpath = join_path(spath, "file")
    if file_value is not MISSING and file_value is not None:
        file_value = read_string(file_value, fpath, "a file path")
    if typ == "sqlite":
        if file_value is MISSING or file_value is None or not file_value.strip():
            raise fail(fpath, 'missing; sqlite storage needs a database file, e.g. file = "participant1.db"')
        fields["file"] = os.path.abspath(os.path.join(base_dir, os.path.expanduser(file_value.strip())))

    if "config" in storage:
        cpath = join_path(spath, "config")
        config = read_object(storage["config"], cpath, STORAGE_CONFIG_KEYS)
        if "dataSourceClass" in config:
            read_string(config["dataSourceClass"], join_path(cpath, "dataSourceClass"), "a class name")
        props_path = join_path(cpath, "properties")
        props = read_object(config.get("properties", {}), props_path, POSTGRES_PROPERTY_KEYS)
    else:
        props_path = join_path(join_path(spath, "config"), "properties")
        props = {}
    if typ == "postgres":
        if "serverName" in props:
            fields["server_name"] = read_string(props["serverName"], join_path(props_path, "serverName"), "a host name").strip()
            if not fields["server_name"]:
                raise fail(join_path(props_path, "serverName"), 'expected a host name, found ""')
        if "portNumber" in props:
            fields["port_number"] = read_port(props["portNumber"], join_path(props_path, "portNumber"))
        for key, field, what in (("databaseName", "database_name", "the database name"), ("user", "user", "the database user")):
            kpath = join_path(props_path, key)
            if key not in props or props[key] is None:
                raise fail(kpath, f"missing; postgres storage needs {what}")
            fields[field] = read_string(props[key], kpath, what)
            if not fields[field]:
                raise fail(kpath, f'expected {what}, found ""')
        if props.get("password") is not None:
            fields["password"] = read_string(props["password"], join_path(props_path, "password"), "a password")
    return StorageConfig(**fields)


def _read_monitoring(obj: dict[str, Any], path: str, node: NodeBeingRead) -> None:
    value = obj.get("monitoring", MISSING)
    node.apis["http-health-server"] = None
    node.apis["grpc-health-server"] = None
    if value is MISSING or value is None:
        return
    mpath = join_path(path, "monitoring")
    monitoring = read_object(value, mpath, MONITORING_KEYS)
    node.apis["http-health-server"] = _read_api(
        monitoring, "http-health-server", mpath, default_address="localhost", optional=True, allow_zero=True
    )
    node.apis["grpc-health-server"] = _read_api(
        monitoring, "grpc-health-server", mpath, default_address="localhost", optional=True, allow_zero=True, keys=GRPC_HEALTH_SERVER_KEYS
    )
    grpc = monitoring.get("grpc-health-server")
    if isinstance(grpc, dict) and "parallelism" in grpc:
        gpath = join_path(join_path(mpath, "grpc-health-server"), "parallelism")
        node.grpc_health_parallelism = read_positive_int(grpc["parallelism"], gpath)


def _read_init(obj: dict[str, Any], path: str, node: NodeBeingRead) -> None:
    value = obj.get("init", MISSING)
    if value is MISSING or value is None:
        return
    ipath = join_path(path, "init")
    init = read_object(value, ipath, INIT_KEYS)
    fields: dict[str, Any] = {}
    if init.get("identity") is not None:
        idpath = join_path(ipath, "identity")
        identity = read_object(init["identity"], idpath, INIT_IDENTITY_KEYS)
        if "type" in identity:
            tpath = join_path(idpath, "type")
            typ = identity["type"]
            if not isinstance(typ, str) or typ not in INIT_IDENTITY_TYPES:
                raise fail(tpath, f"expected {' or '.join(INIT_IDENTITY_TYPES)}, found {show(typ)}")
            fields["manual_identity"] = typ == "manual"
    key = "generate-topology-transactions-and-keys"
    if key in init:
        fields["generate_topology"] = read_bool(init[key], join_path(ipath, key))
    node.fields["init"] = InitConfig(**fields)


def _read_replication(obj: dict[str, Any], path: str) -> ReplicationConfig:
    value = obj.get("replication", MISSING)
    if value is MISSING or value is None:
        return ReplicationConfig()
    rpath = join_path(path, "replication")
    replication = read_object(value, rpath, REPLICATION_KEYS)
    fields: dict[str, Any] = {}
    if "enabled" in replication:
        fields["enabled"] = read_bool(replication["enabled"], join_path(rpath, "enabled"))
    if "check-period" in replication:
        fields["check_period"] = read_duration(replication["check-period"], join_path(rpath, "check-period"), positive=True)
    return ReplicationConfig(**fields)


def _read_participant(name: str, value: Any, path: str, base_dir: Path) -> NodeBeingRead:
    obj = read_object(value, path, PARTICIPANT_KEYS)
    node = NodeBeingRead("participant", name, path)
    _read_init(obj, path, node)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_admin_api(obj, path, base_dir)
    node.apis["ledger-api"] = _read_api(obj, "ledger-api", path, default_address="127.0.0.1", optional=False, keys=LEDGER_API_KEYS)
    ledger_api = obj.get("ledger-api")
    node.fields["ledger_api_auth_services"] = _read_auth_services(ledger_api, join_path(path, "ledger-api")) if isinstance(ledger_api, dict) else ()
    node.apis["http-ledger-api"] = _read_api(obj, "http-ledger-api", path, default_address="127.0.0.1", optional=True)
    _read_monitoring(obj, path, node)
    node.replication = _read_replication(obj, path)
    return node


def _read_auth_services(ledger_api: dict[str, Any], path: str) -> tuple[AuthServiceConfig, ...]:
    """``ledger-api.auth-services = [{ type = ..., ... }]`` (Canton's ``AuthServiceConfig`` list)."""
    value = ledger_api.get("auth-services", MISSING)
    if value is MISSING or value is None:
        return ()
    lpath = join_path(path, "auth-services")
    if not isinstance(value, list):
        raise fail(lpath, f"expected a list of auth services [{{ type = ... }}], found {show(value)}")
    services = []
    choices = ", ".join(AUTH_SERVICE_TYPES)
    for i, entry in enumerate(value):
        epath = f"{lpath}.{i}"
        service = read_object(entry, epath, AUTH_SERVICE_KEYS)
        typ = service.get("type")
        if not isinstance(typ, str) or typ not in AUTH_SERVICE_TYPES:
            shown = f"'{typ}'" if isinstance(typ, str) else ("missing" if typ is None else show(typ))
            raise fail(join_path(epath, "type"), f"unknown auth service type {shown}; expected one of: {choices}")
        material = AUTH_SERVICE_KEY_MATERIAL.get(typ)
        allowed = {"type"} if material is None else {"type", material, "target-audience", "target-scope", "privileged"}
        for key in service:
            if key not in allowed:
                raise fail(join_path(epath, key), f"unknown key for an auth service of type {typ}; expected one of: {', '.join(k for k in AUTH_SERVICE_KEYS if k in allowed)}")
        fields: dict[str, Any] = {"type": typ}
        if material is not None:
            kpath = join_path(epath, material)
            if service.get(material) is None:
                raise fail(kpath, f"missing; an auth service of type {typ} needs its {material}")
            key_value = read_string(service[material], kpath, f"the {material}")
            if not key_value.strip():
                raise fail(kpath, f'expected the {material}, found ""')
            fields["key"] = key_value
            for key, field in (("target-audience", "target_audience"), ("target-scope", "target_scope")):
                if service.get(key) is not None:
                    fields[field] = read_string(service[key], join_path(epath, key))
            if "privileged" in service:
                fields["privileged"] = read_bool(service["privileged"], join_path(epath, "privileged"))
        services.append(AuthServiceConfig(**fields))
    return tuple(services)


def read_features(value: Any) -> FeaturesConfig:
    """``canton.features { enable-testing-commands, enable-preview-commands, enable-repair-commands }``."""
    path = "canton.features"
    if value is MISSING or value is None:
        return FeaturesConfig()
    features = read_object(value, path, FEATURES_KEYS)
    return FeaturesConfig(**{key.replace("-", "_"): read_bool(features[key], join_path(path, key)) for key in FEATURES_KEYS if key in features})


def _read_sequencer(name: str, value: Any, path: str, base_dir: Path) -> NodeBeingRead:
    obj = read_object(value, path, SEQUENCER_KEYS)
    node = NodeBeingRead("sequencer", name, path)
    _read_init(obj, path, node)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_admin_api(obj, path, base_dir)
    node.apis["public-api"] = _read_admin_api(obj, path, base_dir, "public-api")
    if obj.get("sequencer") is not None:
        spath = join_path(path, "sequencer")
        block = read_object(obj["sequencer"], spath, SEQUENCER_BLOCK_KEYS)
        if "type" in block:
            tpath = join_path(spath, "type")
            typ = block["type"]
            choices = f"{', '.join(SEQUENCER_TYPES[:-1])} or {SEQUENCER_TYPES[-1]}"
            if not isinstance(typ, str):
                raise fail(tpath, f"expected {choices}, found {show(typ)}")
            if typ not in SEQUENCER_TYPES:
                raise fail(tpath, f"unknown sequencer type '{typ}'; expected {choices}")
            node.fields["sequencer_type"] = typ
        if "config" in block:
            from canton_console.config.bft import read_bft_config

            if node.fields.get("sequencer_type", "BFT") != "BFT":
                raise fail(join_path(spath, "config"), "canton-console reads sequencer.config only for BFT sequencers (its initial-network)")
            node.fields.update(read_bft_config(block["config"], join_path(spath, "config")))
        if block.get("high-availability") is not None:
            node.fields["high_availability"] = _read_sequencer_ha(block["high-availability"], join_path(spath, "high-availability"), node)
    _read_monitoring(obj, path, node)
    return node


def _read_sequencer_ha(value: Any, path: str, node: NodeBeingRead) -> SequencerHighAvailabilityConfig:
    """``sequencer.high-availability``: only database sequencers share their order through their
    database, and only on PostgreSQL (several processes write to it)."""
    ha = read_object(value, path, SEQUENCER_HA_KEYS)
    if node.fields.get("sequencer_type", "BFT") != "database":
        raise fail(path, "high-availability is a setting of database sequencers (sequencer.type = database)")
    fields: dict[str, Any] = {}
    if "enabled" in ha:
        fields["enabled"] = read_bool(ha["enabled"], join_path(path, "enabled"))
    if "total-node-count" in ha:
        fields["total_node_count"] = read_positive_int(ha["total-node-count"], join_path(path, "total-node-count"))
    for key in ("keep-alive-interval", "online-check-interval", "offline-duration"):
        if key in ha:
            fields[key.replace("-", "_")] = read_duration(ha[key], join_path(path, key), positive=True)
    config = SequencerHighAvailabilityConfig(**fields)
    if config.enabled and node.storage.type != "postgres":
        raise fail(join_path(path, "enabled"), "sequencers share their order through a PostgreSQL database: high-availability needs storage.type = postgres")
    return config


def _read_mediator(name: str, value: Any, path: str, base_dir: Path) -> NodeBeingRead:
    obj = read_object(value, path, MEDIATOR_KEYS)
    node = NodeBeingRead("mediator", name, path)
    _read_init(obj, path, node)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_admin_api(obj, path, base_dir)
    _read_monitoring(obj, path, node)
    node.replication = _read_replication(obj, path)
    return node


NODE_READERS = {"participants": _read_participant, "sequencers": _read_sequencer, "mediators": _read_mediator}


def _identifier_hint(name: str) -> str:
    suggestion = re.sub(r"\W", "_", name) or "node"
    if suggestion[0].isdigit():
        suggestion = "n" + suggestion
    if keyword.iskeyword(suggestion):
        suggestion += "_"
    return suggestion


def check_name(name: str, path: str) -> None:
    if name.isidentifier() and not keyword.iskeyword(name):
        return
    why = "is a Python keyword" if keyword.iskeyword(name) else "is not a valid Python identifier"
    raise fail(
        path,
        f"node name '{name}' {why}; the console binds every node to a Python variable of that name, "
        f"so use letters, digits and underscores, not starting with a digit (e.g. '{_identifier_hint(name)}')",
    )


def read_parameters(value: Any) -> Parameters:
    path = "canton.parameters"
    if value is MISSING or value is None:
        return Parameters()
    params = read_object(value, path, PARAMETERS_KEYS)
    fields: dict[str, Any] = {}
    if params.get("clock") is not None:
        cpath = join_path(path, "clock")
        clock = read_object(params["clock"], cpath, CLOCK_KEYS)
        if "type" in clock:
            typ = clock["type"]
            if not isinstance(typ, str) or typ not in CLOCK_TYPES:
                shown = f"'{typ}'" if isinstance(typ, str) else show(typ)
                raise fail(join_path(cpath, "type"), f"unknown clock type {shown}; expected wall-clock or sim-clock")
            fields["clock_type"] = typ
    if params.get("timeouts") is not None:
        tpath = join_path(path, "timeouts")
        timeouts = read_object(params["timeouts"], tpath, TIMEOUTS_KEYS)
        if timeouts.get("console") is not None:
            ctpath = join_path(tpath, "console")
            console = read_object(timeouts["console"], ctpath, CONSOLE_TIMEOUT_KEYS)
            t: dict[str, Any] = {}
            for key in CONSOLE_TIMEOUT_KEYS:
                if key in console:
                    t[key.replace("-", "_")] = read_duration(console[key], join_path(ctpath, key), allow_inf=key == "unbounded")
            fields["timeouts"] = ConsoleTimeouts(**t)
    for key in ("manual-start", "static-identities", "non-standard-config", "serve-admin-apis"):
        if key in params:
            fields[key.replace("-", "_")] = read_bool(params[key], join_path(path, key))
    if params.get("retention-period-defaults") is not None:
        from canton_console.config.fields import RETENTION_PERIOD_KEYS
        from canton_console.config.models import RetentionPeriodDefaults

        rpath = join_path(path, "retention-period-defaults")
        retention = read_object(params["retention-period-defaults"], rpath, RETENTION_PERIOD_KEYS)
        periods: dict[str, Any] = {}
        for key in RETENTION_PERIOD_KEYS:
            if key in retention:
                periods[key] = read_duration(retention[key], join_path(rpath, key))  # never Inf: not allowed here
        fields["retention_period_defaults"] = RetentionPeriodDefaults(**periods)
    return Parameters(**fields)
