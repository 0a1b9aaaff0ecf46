"""TLS for the admin and public APIs, as Canton configures it:
``tls { cert-chain-file, private-key-file, trust-collection-file, client-auth { type = require | none } }``
on a server, and ``tls { trust-collection-file, client-cert { cert-chain-file, private-key-file } }``
on a client (a console's remote node, a participant's sequencer connection)."""

from __future__ import annotations

from pathlib import Path

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
