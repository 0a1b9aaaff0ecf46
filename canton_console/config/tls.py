"""Reading TLS blocks (Canton's ``TlsServerConfig`` on a served API, ``TlsClientConfig`` on a
client endpoint) and the remote nodes a console drives (``canton.remote-participants``,
``remote-sequencers``, ``remote-mediators``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from canton_console.config.errors import fail
from canton_console.config.fields import MISSING, join_path, read_bool, read_object, read_port, read_string, show
from canton_console.config.models import (
    CLIENT_AUTH_TYPES,
    ClientConfig,
    RemoteMediatorConfig,
    RemoteNodeConfig,
    RemoteParticipantConfig,
    RemoteSequencerConfig,
    ServerAuthRequirementConfig,
    TlsClientCertificate,
    TlsClientConfig,
    TlsServerConfig,
)

TLS_SERVER_KEYS = ("cert-chain-file", "private-key-file", "trust-collection-file", "client-auth")
CLIENT_AUTH_KEYS = ("type", "admin-client")
CLIENT_CERT_KEYS = ("cert-chain-file", "private-key-file")
TLS_CLIENT_KEYS = ("trust-collection-file", "client-cert", "enabled")
# a sequencer's public API is reached without a client certificate (Canton's TlsClientConfigOnlyTrustFile)
TLS_TRUST_ONLY_KEYS = ("trust-collection-file", "enabled")
CLIENT_API_KEYS = ("address", "port", "tls")
REMOTE_PARTICIPANT_KEYS = ("admin-api", "ledger-api")
REMOTE_SEQUENCER_KEYS = ("admin-api", "public-api")
REMOTE_MEDIATOR_KEYS = ("admin-api",)


def _pem_file(obj: dict[str, Any], key: str, path: str, base_dir: Path, required: bool) -> str | None:
    kpath = join_path(path, key)
    value = obj.get(key, MISSING)
    if value is MISSING or value is None:
        if required:
            raise fail(kpath, "missing; expected the path of a PEM file")
        return None
    text = read_string(value, kpath, "the path of a PEM file").strip()
    if not text:
        raise fail(kpath, 'expected the path of a PEM file, found ""')
    file = os.path.abspath(os.path.join(base_dir, os.path.expanduser(text)))
    if not os.path.isfile(file):
        raise fail(kpath, f"file not found: {file}")
    return file


def _client_certificate(value: Any, path: str, base_dir: Path) -> TlsClientCertificate:
    cert = read_object(value, path, CLIENT_CERT_KEYS)
    chain = _pem_file(cert, "cert-chain-file", path, base_dir, required=True)
    key = _pem_file(cert, "private-key-file", path, base_dir, required=True)
    assert chain is not None and key is not None  # required
    return TlsClientCertificate(cert_chain_file=chain, private_key_file=key)


def read_tls_server(value: Any, path: str, base_dir: Path) -> TlsServerConfig | None:
    """``tls { cert-chain-file, private-key-file, trust-collection-file, client-auth }`` of a served API."""
    if value is MISSING or value is None:
        return None
    tls = read_object(value, path, TLS_SERVER_KEYS)
    chain = _pem_file(tls, "cert-chain-file", path, base_dir, required=True)
    key = _pem_file(tls, "private-key-file", path, base_dir, required=True)
    assert chain is not None and key is not None  # required
    trust = _pem_file(tls, "trust-collection-file", path, base_dir, required=False)
    client_auth = ServerAuthRequirementConfig()
    if tls.get("client-auth") is not None:
        apath = join_path(path, "client-auth")
        auth = read_object(tls["client-auth"], apath, CLIENT_AUTH_KEYS)
        typ = auth.get("type")
        choices = ", ".join(CLIENT_AUTH_TYPES)
        if not isinstance(typ, str) or typ not in CLIENT_AUTH_TYPES:
            shown = "missing" if typ is None else (f"'{typ}'" if isinstance(typ, str) else show(typ))
            raise fail(join_path(apath, "type"), f"unknown client auth type {shown}; expected one of: {choices}")
        admin_client = None
        if typ == "require":
            if auth.get("admin-client") is None:
                raise fail(join_path(apath, "admin-client"), "missing; client-auth type require needs the admin client's certificate { cert-chain-file, private-key-file }")
            admin_client = _client_certificate(auth["admin-client"], join_path(apath, "admin-client"), base_dir)
        elif "admin-client" in auth:
            raise fail(join_path(apath, "admin-client"), f"unknown key for client-auth type {typ}; only type = require takes an admin-client")
        if typ == "require" and trust is None:
            raise fail(join_path(path, "trust-collection-file"), "missing; client-auth type require needs the certificates of the clients to trust")
        client_auth = ServerAuthRequirementConfig(type=typ, admin_client=admin_client)
    return TlsServerConfig(cert_chain_file=chain, private_key_file=key, trust_collection_file=trust, client_auth=client_auth)


def read_tls_client(value: Any, path: str, base_dir: Path, *, client_cert: bool = True) -> TlsClientConfig | None:
    """``tls { trust-collection-file, client-cert { cert-chain-file, private-key-file }, enabled }``."""
    if value is MISSING or value is None:
        return None
    tls = read_object(value, path, TLS_CLIENT_KEYS if client_cert else TLS_TRUST_ONLY_KEYS)
    trust = _pem_file(tls, "trust-collection-file", path, base_dir, required=False)
    cert = None
    if tls.get("client-cert") is not None:
        cert = _client_certificate(tls["client-cert"], join_path(path, "client-cert"), base_dir)
    enabled = read_bool(tls["enabled"], join_path(path, "enabled")) if "enabled" in tls else True
    return TlsClientConfig(trust_collection_file=trust, client_cert=cert, enabled=enabled)


def read_client_api(obj: dict[str, Any], key: str, path: str, base_dir: Path, *, client_cert: bool = True) -> ClientConfig:
    """A remote node's ``admin-api`` / ``ledger-api`` / ``public-api { address, port, tls }``; the port
    is required (there is no default for another process's endpoint)."""
    apath = join_path(path, key)
    if obj.get(key) is None:
        raise fail(apath, "missing; expected { address, port } of the remote node's API")
    api = read_object(obj[key], apath, CLIENT_API_KEYS)
    address = "127.0.0.1"
    if "address" in api:
        address = read_string(api["address"], join_path(apath, "address"), "a host name or IP address").strip()
        if not address:
            raise fail(join_path(apath, "address"), 'expected a host name or IP address, found ""')
    if "port" not in api:
        raise fail(join_path(apath, "port"), "missing; expected the port of the remote node's API")
    port = read_port(api["port"], join_path(apath, "port"))
    tls = read_tls_client(api.get("tls"), join_path(apath, "tls"), base_dir, client_cert=client_cert)
    return ClientConfig(address=address, port=port, tls=tls)


def read_remote_participant(name: str, value: Any, path: str, base_dir: Path) -> RemoteParticipantConfig:
    obj = read_object(value, path, REMOTE_PARTICIPANT_KEYS)
    return RemoteParticipantConfig(name=name, admin_api=read_client_api(obj, "admin-api", path, base_dir), ledger_api=read_client_api(obj, "ledger-api", path, base_dir))


def read_remote_sequencer(name: str, value: Any, path: str, base_dir: Path) -> RemoteSequencerConfig:
    obj = read_object(value, path, REMOTE_SEQUENCER_KEYS)
    return RemoteSequencerConfig(
        name=name, admin_api=read_client_api(obj, "admin-api", path, base_dir), public_api=read_client_api(obj, "public-api", path, base_dir, client_cert=False)
    )


def read_remote_mediator(name: str, value: Any, path: str, base_dir: Path) -> RemoteMediatorConfig:
    obj = read_object(value, path, REMOTE_MEDIATOR_KEYS)
    return RemoteMediatorConfig(name=name, admin_api=read_client_api(obj, "admin-api", path, base_dir))


REMOTE_READERS: dict[str, Callable[[str, Any, str, Path], RemoteNodeConfig]] = {"remote-participants": read_remote_participant, "remote-sequencers": read_remote_sequencer, "remote-mediators": read_remote_mediator}
