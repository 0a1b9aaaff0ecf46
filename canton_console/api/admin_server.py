"""A node's admin API over gRPC: every admin service the node has (``NodeAdmin`` attribute), one unary
RPC per method, on the node's ``admin-api { address, port }``.

A failure crosses as a gRPC status (a CantonError's by its category, as Canton maps them) with the
failure itself in the trailing metadata, so that the console on the other side raises the same
error and prints it exactly as it prints a local one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc

from canton_console.api import codec
from canton_console.api.catalog import NODE_ADMIN_SERVICE, SERVICES, Rpc, ServiceSpec
from canton_console.api.failures import abort_with
from canton_console.api.messages import message_classes, node_admin_messages
from canton_console.api.serving import SERVER_OPTIONS, bind_port
from canton_console.api.tls import ServerTls
from canton_console.values.errors import CantonError, ServiceStatusError

log = logging.getLogger("canton_console.api")

# DARs and snapshots are larger than gRPC's default 4 MB message limit
MAX_MESSAGE = 256 * 1024 * 1024
CHANNEL_OPTIONS = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]


def _handler(service: Any, spec: ServiceSpec, rpc: Rpc) -> grpc.RpcMethodHandler:
    request_cls, response_cls = message_classes(spec, rpc)
    method: Callable[..., Any] = getattr(service, rpc.method)

    def call(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            kwargs = {name: getattr(request, name) if kind != "Value" else codec.decode(getattr(request, name)) for name, kind in rpc.params}
            result = method(**kwargs)
            response = response_cls()
            response.result.CopyFrom(codec.encode(result))
            return response
        except Exception as e:  # noqa: BLE001 - every failure goes back to the caller as a status
            if not isinstance(e, CantonError | ServiceStatusError):
                log.debug("%s/%s failed", spec.full_name, rpc.name, exc_info=True)
            abort_with(context, e)
            raise AssertionError("unreachable") from None  # context.abort raises

    return grpc.unary_unary_rpc_method_handler(call, request_deserializer=request_cls.FromString, response_serializer=response_cls.SerializeToString)


def handlers_for(node_admin: Any) -> list[grpc.GenericRpcHandler]:
    """The gRPC handlers of one node's admin API."""
    kind = node_admin.info.kind
    served = []
    handlers: list[grpc.GenericRpcHandler] = []
    for spec in SERVICES:
        service = getattr(node_admin, spec.attribute, None)
        if kind not in spec.kinds or service is None:
            continue
        served.append(spec.attribute)
        methods = {rpc.name: _handler(service, spec, rpc) for rpc in spec.rpcs()}
        handlers.append(grpc.method_handlers_generic_handler(spec.full_name, methods))
    request_cls, response_cls = node_admin_messages()

    def describe(_request: Any, _context: grpc.ServicerContext) -> Any:
        return response_cls(name=node_admin.info.name, kind=kind, services=served)

    describe_handler = grpc.unary_unary_rpc_method_handler(describe, request_deserializer=request_cls.FromString, response_serializer=response_cls.SerializeToString)
    handlers.append(grpc.method_handlers_generic_handler(NODE_ADMIN_SERVICE, {"Describe": describe_handler}))
    return handlers


class AdminApiServer:
    """One node's admin API on ``address:port`` (port 0: a free one, read back from ``port``)."""

    def __init__(self, node_admin: Any, address: str = "127.0.0.1", port: int = 0, tls: ServerTls | None = None, max_workers: int = 16):
        self.node_admin = node_admin
        self.address = address
        options = [*CHANNEL_OPTIONS, *SERVER_OPTIONS]
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"admin-api-{node_admin.info.name}"), options=options)
        self._server.add_generic_rpc_handlers(handlers_for(node_admin))
        self.port = bind_port(self._server, address, port, tls)
        self.tls = tls

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.address}:{self.port}"

    def start(self) -> AdminApiServer:
        self._server.start()
        return self

    def stop(self, grace: float | None = 1.0) -> None:
        self._server.stop(grace).wait()


def serve_admin_apis(local_admin: Any, config: Any) -> list[AdminApiServer]:
    """Every local node's admin API on its configured ``admin-api { address, port, tls }``. When one
    cannot listen (port in use, unreadable TLS files), those already started are stopped and
    ``OSError`` names the node and endpoint."""
    from canton_console.api.tls import server_tls_of

    servers: list[AdminApiServer] = []
    try:
        for info in local_admin.nodes():
            api = config.node(info.name).admin_api
            try:
                tls = server_tls_of(api.tls)
                servers.append(AdminApiServer(local_admin.node(info.name), api.address, api.port, tls).start())
            except OSError as e:
                raise OSError(f"{info.name}: {e}") from None
    except BaseException:
        for server in servers:
            server.stop(0)
        raise
    return servers
