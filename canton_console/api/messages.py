"""The generated message classes of the admin services (imported on first use)."""

from __future__ import annotations

import functools
import importlib
from typing import Any

from canton_console.api.catalog import Rpc, ServiceSpec


@functools.cache
def module_of(spec: ServiceSpec) -> Any:
    return importlib.import_module(f"canton_console.api.proto.{spec.file_stem}_pb2")


@functools.cache
def _prefixes() -> dict[tuple[str, str], str]:
    from canton_console.api.protogen import message_prefixes

    return message_prefixes()


def message_classes(spec: ServiceSpec, rpc: Rpc) -> tuple[Any, Any]:
    module = module_of(spec)
    prefix = _prefixes()[(spec.full_name, rpc.name)]
    return getattr(module, f"{prefix}Request"), getattr(module, f"{prefix}Response")


def node_admin_messages() -> tuple[Any, Any]:
    module = importlib.import_module("canton_console.api.proto.admin_node_administration_pb2")
    return module.DescribeRequest, module.DescribeResponse
