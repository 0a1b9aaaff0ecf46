"""A BFT sequencer's ``sequencer.config`` (Canton's ``BftBlockOrdererConfig``): of it canton-console
reads ``initial-network`` (its ``server-endpoint`` and ``peer-endpoints``), which seed the peer
endpoints ``sequencer.bft`` manages. The ordering's tuning knobs (epoch length, batch sizes, ...)
have no meaning for the in-process ordering and are refused by name."""

from __future__ import annotations

from typing import Any

from canton_console.config.errors import fail
from canton_console.config.fields import join_path, read_bool, read_object, read_port, read_string

BFT_CONFIG_KEYS = ("initial-network",)
INITIAL_NETWORK_KEYS = ("server-endpoint", "peer-endpoints", "endpoint-authentication", "overwrite-stored-endpoints")
SERVER_ENDPOINT_KEYS = ("address", "internal-port", "port", "external-address", "external-port", "external-tls-config", "tls")
PEER_ENDPOINT_KEYS = ("address", "port", "tls-config")
TLS_KEYS = ("enabled", "trust-collection-file", "client-cert")


def _tls_enabled(obj: dict[str, Any], key: str, path: str) -> bool:
    """Canton's default TLS client config is enabled; ``{ enabled = false }`` turns it off."""
    if key not in obj:
        return True
    tls = read_object(obj[key], join_path(path, key), TLS_KEYS)
    return read_bool(tls["enabled"], join_path(join_path(path, key), "enabled")) if "enabled" in tls else True


def read_bft_config(value: Any, path: str) -> dict[str, Any]:
    """The SequencerConfig fields of a BFT sequencer's ``sequencer.config``."""
    config = read_object(value, path, BFT_CONFIG_KEYS)
    fields: dict[str, Any] = {}
    if "initial-network" not in config:
        return fields
    npath = join_path(path, "initial-network")
    network = read_object(config["initial-network"], npath, INITIAL_NETWORK_KEYS)
    if "server-endpoint" in network:
        spath = join_path(npath, "server-endpoint")
        server = read_object(network["server-endpoint"], spath, SERVER_ENDPOINT_KEYS)
        address = read_string(server.get("address", "127.0.0.1"), join_path(spath, "address"), "an address")
        port_key = "internal-port" if "internal-port" in server else "port"
        port = read_port(server[port_key], join_path(spath, port_key)) if port_key in server else None
        external_address = read_string(server["external-address"], join_path(spath, "external-address"), "an address") if "external-address" in server else address
        external_port = read_port(server["external-port"], join_path(spath, "external-port")) if "external-port" in server else port
        if external_port is None:
            raise fail(spath, "a server endpoint needs a port (external-port or port)")
        fields["bft_server_endpoint"] = (external_address, external_port)
    if "peer-endpoints" in network:
        ppath = join_path(npath, "peer-endpoints")
        peers = network["peer-endpoints"]
        if not isinstance(peers, list):
            raise fail(ppath, "expected a list of peer endpoints [ { address, port, tls-config } ]")
        endpoints = []
        for i, peer in enumerate(peers):
            epath = f"{ppath}[{i}]"
            obj = read_object(peer, epath, PEER_ENDPOINT_KEYS)
            if "address" not in obj or "port" not in obj:
                raise fail(epath, "a peer endpoint needs an address and a port")
            endpoints.append(
                (read_string(obj["address"], join_path(epath, "address"), "an address"), read_port(obj["port"], join_path(epath, "port")), _tls_enabled(obj, "tls-config", epath))
            )
        fields["bft_peer_endpoints"] = tuple(endpoints)
    return fields
