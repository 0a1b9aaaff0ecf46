"""Listening on a configured port, the same way for every gRPC server of a node (admin API, public
API, health service)."""

from __future__ import annotations

import grpc

from canton_console.api.tls import ServerTls, server_credentials

# No SO_REUSEPORT: a port another process listens on is refused, not quietly shared with it.
SERVER_OPTIONS: list[tuple[str, int]] = [("grpc.so_reuseport", 0)]

# Canton's default for what a public API takes in one message (max-inbound-message-size): 10 MiB,
# both ways and on both ends, so that one large event (a topology reset, a big batch) does not break
# a subscription at gRPC's own 4 MB default.
PUBLIC_API_MAX_MESSAGE = 10 * 1024 * 1024
PUBLIC_API_MESSAGE_OPTIONS: list[tuple[str, int]] = [
    ("grpc.max_receive_message_length", PUBLIC_API_MAX_MESSAGE),
    ("grpc.max_send_message_length", PUBLIC_API_MAX_MESSAGE),
]


def bind_port(server: grpc.Server, address: str, port: int, tls: ServerTls | None = None) -> int:
    """Bind ``server`` to ``address:port`` (over TLS with ``tls``; port 0: a free one) and return the
    bound port; OSError when it cannot listen there."""
    target = f"{address}:{port}"
    try:
        bound = server.add_secure_port(target, server_credentials(tls)) if tls is not None else server.add_insecure_port(target)
    except RuntimeError:  # newer grpcio raises where older ones return 0
        bound = 0
    if not bound:
        raise OSError(f"cannot listen on {target} (address in use or not available)")
    return bound
