"""Console commands and command groups: how a method becomes a Canton console command.

``@command`` turns a method into a console command: its docstring is its help text (first line the
summary), keyword arguments are accepted in Canton's camelCase and in snake_case, arguments are
checked and converted by their annotations (``Arg`` converters), a node command on a stopped node
fails with ``NODE_NOT_STARTED``, and a runtime error becomes a ``CommandFailure`` that the
interpreter prints the way Canton does.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any, Callable

from canton_console.values.errors import CantonError, RuntimeFailure

CONSOLE_LOGGER = "c.d.c.c.CantonConsoleEnvironment"


class CommandFailure(Exception):
    """A console command failed; ``cause`` is what Canton logs at ERROR, ``command`` names it."""

    def __init__(self, cause: str, command: str = ""):
        super().__init__(cause)
        self.cause = cause
        self.command = command


class ArgumentError(TypeError):
    """A call with arguments of the wrong type or unknown names: a Python mistake, one clear line."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


class Arg:
    """Converts one argument value and says what it expects."""

    expects = "a value"

    def convert(self, value: Any, ctx: "CallContext") -> Any:
        return value


class CallContext:
    def __init__(self, command: str, param: str, env: Any, scala_name: str = ""):
        self.command = command
        self.param = param
        self.env = env
        self.scala_name = scala_name

    def wrong_type(self, expects: str, value: Any) -> ArgumentError:
        return ArgumentError(
            f"{self.command}: argument '{camel(self.param)}' expects {expects}, got {describe(value)}"
        )

    def bad_value(self, message: str) -> CommandFailure:
        return CommandFailure(f"INVALID_ARGUMENT(8,0): {self.command}: {message}", self.scala_name)


def describe(value: Any) -> str:
    from canton_console.console.render import type_name

    text = repr(value) if not hasattr(value, "__pretty__") else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type_name(value)})"


# ---- command groups --------------------------------------------------------------------------


class Group:
    """A command group: the object behind ``participant1.health``. Its docstring's first line is
    the summary ``help`` shows for it; its commands are the ``@command`` methods and its subgroups
    the ``@group`` properties."""

    scala_name = "ConsoleCommandGroup"

    def __init__(self, path: str, env: Any = None, node: Any = None):
        self._path = path  # e.g. "participant1.health"
        self._env = env
        self._node = node

    def help(self, name: str | None = None):
        """Help for this command group, or for one of its commands (``help("ping")``)"""
        from canton_console.console.help import help_for

        return help_for(self, name, self._path)

    def __repr__(self) -> str:
        return f"<command group {self._path}; type {self._path}.help() for its commands>"

    def __dir__(self):
        return [n for n in super().__dir__() if not n.startswith("_")]


def group(summary: str, topic: str | None = None) -> Callable:
    """Mark a property as a command subgroup, with its help summary."""

    def decorate(fn: Callable) -> property:
        cache_name = f"_group_{fn.__name__}"

        @functools.wraps(fn)
        def getter(self):
            cached = self.__dict__.get(cache_name)
            if cached is None:
                cached = fn(self)
                self.__dict__[cache_name] = cached
            return cached

        getter.__cc_group__ = {"summary": summary, "topic": topic}
        return property(getter, doc=summary)

    return decorate


def command(fn: Callable | None = None, *, topic: str | None = None, needs_running: bool = True, name: str | None = None):
    """Make a method a console command. See the module docstring."""

    def decorate(fn: Callable) -> Callable:
        # eval_str: command modules use postponed annotations; the Arg converters are real objects.
        signature = inspect.signature(fn, eval_str=True)
        params = [p for p in signature.parameters.values() if p.name != "self"]
        by_name: dict[str, inspect.Parameter] = {}
        for p in params:
            by_name[p.name] = p
            by_name[camel(p.name)] = p
        converters = {p.name: p.annotation for p in params if isinstance(p.annotation, Arg)}
        var_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            command_name = f"{self._path}.{fn.__name__}"
            scala_name = f"{self.scala_name}.{fn.__name__}"
            normalized: dict[str, Any] = {}
            for key, value in kwargs.items():
                p = by_name.get(key) or by_name.get(snake(key))
                if p is None:
                    expected = ", ".join(camel(q.name) for q in params if q.kind is not inspect.Parameter.VAR_POSITIONAL)
                    raise ArgumentError(f"{command_name}: unknown argument '{key}'; expected {expected or 'no arguments'}")
                if p.name in normalized:
                    raise ArgumentError(f"{command_name}: argument '{key}' given twice")
                normalized[p.name] = value
            try:
                bound = signature.bind(self, *args, **normalized)
            except TypeError as e:
                raise ArgumentError(f"{command_name}{signature_text(fn)}: {e}") from None
            if needs_running and self._node is not None and not self._node.running:
                raise CommandFailure(
                    f"NODE_NOT_STARTED(9,0): Instance {self._node.instance_type} '{self._node.name}' has not been started. ",
                    scala_name,
                )
            # A running node may still refuse a command (a passive replica refuses all but a few).
            refuse = getattr(self._node, "refuse_reason", None) if needs_running else None
            refusal = refuse(command_name) if refuse is not None else None
            if refusal is not None:
                raise CommandFailure(render_canton_error(refusal, self._node), scala_name)
            for pname, conv in converters.items():
                if pname in bound.arguments:
                    value = bound.arguments[pname]
                    default = signature.parameters[pname].default
                    if value is default:
                        continue  # a command's own default needs no checking (and may be a marker)
                    bound.arguments[pname] = conv.convert(value, CallContext(command_name, pname, self._env, scala_name))
            try:
                return fn(*bound.args, **bound.kwargs)
            except CommandFailure as e:
                if not e.command:
                    e.command = scala_name
                raise
            except CantonError as e:
                raise CommandFailure(render_canton_error(e, self._node), scala_name) from None
            except RuntimeFailure as e:
                raise CommandFailure(str(e), scala_name) from None

        wrapper.__cc_command__ = {"topic": topic, "name": name or fn.__name__, "var_positional": var_positional}
        return wrapper

    if fn is not None:
        return decorate(fn)
    return decorate


GRPC_CLASS = {
    "INVALID_ARGUMENT": "GrpcClientError",
    "FAILED_PRECONDITION": "GrpcRequestRefusedByServer",
    "NOT_FOUND": "GrpcRequestRefusedByServer",
    "OUT_OF_RANGE": "GrpcRequestRefusedByServer",
    "RESOURCE_EXHAUSTED": "GrpcRequestRefusedByServer",
    "ABORTED": "GrpcRequestRefusedByServer",
    "PERMISSION_DENIED": "GrpcRequestRefusedByServer",
    "ALREADY_EXISTS": "GrpcRequestRefusedAlreadyExists",
    "DEADLINE_EXCEEDED": "GrpcClientGaveUp",
    "UNAVAILABLE": "GrpcServiceUnavailable",
    "UNIMPLEMENTED": "GrpcServiceUnavailable",
    "INTERNAL": "GrpcServerError",
}


def render_canton_error(error: CantonError, node: Any) -> str:
    """An error a node's admin API returned, as the console logs it (``Request failed for ...``)."""
    if node is None or error.code.id in ("NODE_NOT_STARTED", "INVALID_ARGUMENT"):
        return error.render()
    grpc = error.grpc_code or "INTERNAL"
    return f"Request failed for {node.name}.\n  {GRPC_CLASS.get(grpc, 'GrpcServerError')}: {grpc}/{error.render()}"


def signature_text(fn: Callable, camel_case: bool = True) -> str:
    """``(participantId, timeout, synchronizerId, id)``: the parameter names a user types."""
    params = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "self"]
    if not params:
        return ""
    parts = []
    for p in params:
        name = camel(p.name) if camel_case else p.name
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            name = "*" + name
        parts.append(name)
    return "(" + ", ".join(parts) + ")"


def _help_class(obj: Any) -> type:
    return obj.__dict__.get("_help_class", type(obj)) if hasattr(obj, "__dict__") else type(obj)


def commands_of(obj: Any) -> dict[str, Callable]:
    result = {}
    cls = _help_class(obj)
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = getattr(cls, name, None)
        if callable(attr) and hasattr(attr, "__cc_command__"):
            result[name] = attr
        elif isinstance(attr, property) and hasattr(attr.fget, "__cc_command__"):
            result[name] = attr.fget
    return result


def groups_of(obj: Any) -> dict[str, dict]:
    result = {}
    cls = _help_class(obj)
    for name in dir(cls):
        attr = getattr(cls, name, None)
        if isinstance(attr, property) and hasattr(attr.fget, "__cc_group__"):
            result[name] = attr.fget.__cc_group__
    return result


def summary_of(fn: Callable) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def command_property(fn: Callable | None = None, *, needs_running: bool = True):
    """A parameterless command read without parentheses, as Canton writes ``health.status``."""

    def decorate(fn: Callable) -> property:
        return property(command(fn, needs_running=needs_running), doc=inspect.getdoc(fn))

    return decorate(fn) if fn is not None else decorate
