"""The admin services of a node in another process, over gRPC: the same interfaces as the in-process
ones (:mod:`canton_console.admin.services`), so the console drives a remote node exactly as a local
one. A failure the node reported is raised as the same exception; a node that cannot be reached
gives the gRPC status a client sees (``UNAVAILABLE``), as Canton's console reports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import grpc

from canton_console.admin.records import NodeInfo
from canton_console.api import codec
from canton_console.api.admin_server import CHANNEL_OPTIONS
from canton_console.api.catalog import NODE_ADMIN_SERVICE, SERVICES, Rpc, ServiceSpec, signature
from canton_console.api.failures import failure_of
from canton_console.api.messages import message_classes, node_admin_messages
from canton_console.api.tls import ClientTls, channel_credentials
from canton_console.values.errors import ServiceStatusError

# How long a call may take: fixed seconds, None for no deadline, or asked at each call (the console's
# bounded command timeout, which ``console.set_command_timeout`` changes).
Deadline = float | None | Callable[[], float | None]


def open_channel(target: str, tls: ClientTls | None = None) -> grpc.Channel:
    if tls is not None:
        return grpc.secure_channel(target, channel_credentials(tls), options=CHANNEL_OPTIONS)
    return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)


class RemoteService:
    """One admin service of a remote node; its methods are made from the interface (see ``client_class``)."""

    spec: ServiceSpec

    def __init__(self, channel: grpc.Channel, timeout: Deadline = None):
        self._channel = channel
        self._timeout = timeout
        self._calls: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _invoke(self, rpc: Rpc, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        bound = signature(self.spec.interface, rpc.method).bind(*args, **kwargs)
        bound.apply_defaults()
        request_cls, response_cls = message_classes(self.spec, rpc)
        request = request_cls()
        for name, kind in rpc.params:
            value = bound.arguments[name]
            if kind == "Value":
                getattr(request, name).CopyFrom(codec.encode(value))
            else:
                setattr(request, name, value)
        call = self._calls.get(rpc.name)
        if call is None:
            with self._lock:
                call = self._channel.unary_unary(
                    f"/{self.spec.full_name}/{rpc.name}", request_serializer=request_cls.SerializeToString, response_deserializer=response_cls.FromString
                )
                self._calls[rpc.name] = call
        try:
            response = call(request, timeout=self._deadline(bound.arguments.get("timeout_micros")))
        except grpc.RpcError as e:
            raise failure_of(e) from None
        return codec.decode(response.result)

    def _deadline(self, waits_micros: Any) -> float | None:
        """The call's deadline, as Canton's console gives its admin commands one: the bounded command
        timeout, plus the wait the command itself asks for (a ping's timeout, ...). A node that does
        not answer (stopped, overloaded) fails the command then instead of hanging the console."""
        timeout = self._timeout() if callable(self._timeout) else self._timeout
        if timeout is None:
            return None
        if isinstance(waits_micros, int) and waits_micros > 0:
            timeout += waits_micros / 1e6
        return timeout


def _method(rpc: Rpc) -> Any:
    def method(self: RemoteService, *args: Any, **kwargs: Any) -> Any:
        return self._invoke(rpc, args, kwargs)

    method.__name__ = rpc.method
    return method


_CLASSES: dict[ServiceSpec, type] = {}


def client_class(spec: ServiceSpec) -> type:
    """A RemoteService subclass with one method per RPC of ``spec``."""
    cls = _CLASSES.get(spec)
    if cls is None:
        namespace: dict[str, Any] = {"spec": spec, "__doc__": spec.interface.__doc__}
        namespace.update({rpc.method: _method(rpc) for rpc in spec.rpcs()})
        cls = type(f"Remote{spec.service}", (RemoteService,), namespace)
        _CLASSES[spec] = cls
    return cls


class RemoteStatusService(RemoteService):
    """Canton's console asks a remote node whether it runs; one it cannot reach does not."""

    def is_running(self) -> bool:
        return self._unless_unreachable("is_running")

    def is_initialized(self) -> bool:
        return self._unless_unreachable("is_initialized")

    def _unless_unreachable(self, method: str) -> bool:
        rpc = next(r for r in self.spec.rpcs() if r.method == method)
        try:
            return bool(self._invoke(rpc, (), {}))
        except ServiceStatusError as e:
            if e.status == "UNAVAILABLE":
                return False
            raise


class RemoteLifecycle:
    """A remote node is started and stopped by its own process, not by this console."""

    def __init__(self, info: NodeInfo):
        self._info = info

    def _refuse(self, what: str) -> None:
        raise ServiceStatusError("UNIMPLEMENTED", f"{self._info.name} is a remote node: it cannot be {what} from this console")

    def start(self) -> None:
        self._refuse("started")

    def stop(self) -> None:
        self._refuse("stopped")

    def kill(self) -> None:
        self._refuse("killed")


class RemoteNodeAdmin:
    """A node's admin API at ``target`` (``host:port``), as a ``NodeAdmin``: one attribute per admin
    service its kind has (the services Canton's remote references offer), None for the others."""

    def __init__(self, name: str, kind: str, target: str, tls: ClientTls | None = None, timeout: Deadline = None):
        self.info = NodeInfo(name, kind, local=False)
        self.target = target
        self.channel = open_channel(target, tls)
        self.lifecycle = RemoteLifecycle(self.info)
        attributes = {spec.attribute for spec in SERVICES}
        for attribute in attributes:
            setattr(self, attribute, None)
        for spec in SERVICES:
            if kind in spec.kinds:
                cls = client_class(spec)
                if spec.attribute == "status":
                    cls = type("RemoteStatusService", (RemoteStatusService, cls), {})
                setattr(self, spec.attribute, cls(self.channel, timeout))

    def describe(self, timeout: float | None = None) -> tuple[str, str, list[str]]:
        """The node's own name, kind and served services (raises ServiceStatusError when unreachable)."""
        request_cls, response_cls = node_admin_messages()
        call = self.channel.unary_unary(f"/{NODE_ADMIN_SERVICE}/Describe", request_serializer=request_cls.SerializeToString, response_deserializer=response_cls.FromString)
        try:
            response = call(request_cls(), timeout=timeout)
        except grpc.RpcError as e:
            raise failure_of(e) from None
        return response.name, response.kind, list(response.services)

    def close(self) -> None:
        self.channel.close()
