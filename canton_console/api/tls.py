"""TLS for the admin and public APIs, as Canton configures it:
``tls { cert-chain-file, private-key-file, trust-collection-file, client-auth { type = require | none } }``
on a server, and ``tls { trust-collection-file, client-cert { cert-chain-file, private-key-file } }``
on a client (a console's remote node, a participant's sequencer connection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import grpc


@attrs.frozen
class ServerTls:
    cert_chain_file: str
    private_key_file: str
    trust_collection_file: str | None = None
    client_auth_required: bool = False


@attrs.frozen
class ClientTls:
    trust_collection_file: str | None = None
    cert_chain_file: str | None = None  # the client's certificate (client-cert), when the server requires one
    private_key_file: str | None = None


def _read(path: str | None) -> bytes | None:
    return None if path is None else Path(path).read_bytes()


def server_credentials(tls: ServerTls) -> grpc.ServerCredentials:
    key, chain = Path(tls.private_key_file).read_bytes(), Path(tls.cert_chain_file).read_bytes()
    return grpc.ssl_server_credentials(
        [(key, chain)], root_certificates=_read(tls.trust_collection_file), require_client_auth=tls.client_auth_required
    )


def channel_credentials(tls: ClientTls) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=_read(tls.trust_collection_file), private_key=_read(tls.private_key_file), certificate_chain=_read(tls.cert_chain_file)
    )


def server_tls_of(config: Any) -> ServerTls | None:
    """A served API's ``tls`` block (config ``TlsServerConfig``) as the server's TLS settings.
    ``optional`` client auth asks for a certificate only when there are CAs to check it against."""
    if config is None:
        return None
    required = config.client_auth.type == "require"
    trust = config.trust_collection_file if config.client_auth.type != "none" else None
    return ServerTls(config.cert_chain_file, config.private_key_file, trust, required)


def client_tls_of(config: Any) -> ClientTls | None:
    """A client endpoint's ``tls`` block (config ``TlsClientConfig``) as the channel's TLS settings."""
    if config is None or not config.enabled:
        return None
    cert = config.client_cert
    return ClientTls(config.trust_collection_file, None if cert is None else cert.cert_chain_file, None if cert is None else cert.private_key_file)
