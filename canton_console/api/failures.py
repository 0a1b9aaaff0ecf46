"""Failures across gRPC, for every API we serve (admin services, the sequencer's public API).

A failure crosses as a gRPC status (a CantonError's by its category, as Canton maps them; a
ServiceStatusError's own) with the failure itself, encoded by :mod:`canton_console.api.codec`, in the
trailing metadata: the other side raises the same exception, and the console prints it exactly as a
local one. A call that ends without one (nothing listens, a deadline passed) gives the status a gRPC
client sees.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf.message import DecodeError

from canton_console.api import codec
from canton_console.values.errors import CantonError, ServiceStatusError

FAILURE_KEY = "canton-failure-bin"
# What a gRPC client reports when nothing answers at the address (Canton's Netty client says the same).
UNREACHABLE = "io exception"


def status_of(error: BaseException) -> grpc.StatusCode:
    if isinstance(error, CantonError):
        name = error.grpc_code or "INTERNAL"
    elif isinstance(error, ServiceStatusError):
        name = error.status
    else:
        name = "UNKNOWN"
    return getattr(grpc.StatusCode, name, grpc.StatusCode.UNKNOWN)


def encoded(error: BaseException) -> bytes:
    """``error`` as it crosses: in a call's trailing metadata, or in a message answering a request."""
    try:
        return codec.encode(error).SerializeToString()
    except codec.CodecError:  # an exception with state that cannot cross: its text still does
        return codec.encode(RuntimeError(str(error))).SerializeToString()


def decoded(failure: bytes) -> BaseException | None:
    """The exception ``encoded`` carried; None when it cannot be read."""
    try:
        error = codec.decode(codec.pb.Value.FromString(failure))
    except (codec.CodecError, DecodeError, ImportError, AttributeError, ValueError):
        return None
    return error if isinstance(error, BaseException) else None


def abort_with(context: grpc.ServicerContext, error: BaseException) -> None:
    """End the call with ``error``: its status, and the failure in the trailing metadata (raises)."""
    context.set_trailing_metadata(((FAILURE_KEY, encoded(error)),))
    details = error.render() if isinstance(error, CantonError) else str(error)
    context.abort(status_of(error), details)


def _carried(error: grpc.RpcError) -> BaseException | None:
    trailing = getattr(error, "trailing_metadata", None)
    for key, value in (trailing() if callable(trailing) else None) or ():
        if key == FAILURE_KEY:
            return decoded(value)
    return None


def failure_of(error: grpc.RpcError) -> BaseException:
    """The exception the other side raised, or the status a client sees."""
    carried = _carried(error)
    if carried is not None:
        return carried
    call: Any = error
    code = call.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return ServiceStatusError("UNAVAILABLE", UNREACHABLE)
    return ServiceStatusError(code.name, call.details() or "")


def canton_error_of(error: grpc.RpcError) -> CantonError | None:
    """The Canton error a failed call carries; None when it carries none."""
    carried = _carried(error)
    return carried if isinstance(carried, CantonError) else None


def status_text(error: grpc.RpcError) -> str:
    """A failed call as a gRPC client reports it: ``STATUS/description``."""
    code = error.code() if callable(getattr(error, "code", None)) else None
    details = error.details() if callable(getattr(error, "details", None)) else None
    return f"{code.name if code is not None else 'UNKNOWN'}/{details or ''}"
