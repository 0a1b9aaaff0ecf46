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
from collections.abc import Callable
from typing import Any

from canton_console.logs import trace_scope
from canton_console.values.errors import CantonError, RuntimeFailure, ServiceStatusError

CONSOLE_LOGGER = "c.d.c.c.CantonConsoleEnvironment"


class CommandFailure(Exception):
    """A console command failed; ``cause`` is what Canton logs at ERROR, ``command`` names it."""

    def __init__(self, cause: str, command: str = "", trace_id: str | None = None):
        super().__init__(cause)
        self.cause = cause
        self.command = command
        self.trace_id = trace_id


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


def converter_of(annotation: Any) -> Arg | None:
    """The converter a command parameter declares: ``Annotated[int, a.Int(0)]`` says the command gets
    an ``int`` that ``a.Int(0)`` made from what the user typed."""
    if isinstance(annotation, Arg):
        raise TypeError(f"declare a converter as Annotated[<type>, {type(annotation).__name__}(...)]")
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Arg):
            return meta
    return None


class Unsupported(Arg):
    """A Canton argument this console does not implement: its default is fine, any other value is
    refused with a message naming it, so that nothing a user asked for is silently dropped."""

    expects = "its default"

    def __init__(self, why: str = "", accept: tuple[str, ...] = ()):
        self.why = why
        self.accept = accept  # values (by their text or name) that mean what this console does

    def convert(self, value: Any, ctx: "CallContext") -> Any:
        if value is None or str(value) in self.accept or getattr(value, "name", None) in self.accept:
            return value
        reason = f": {self.why}" if self.why else ""
        raise CommandFailure(
            f"UNSUPPORTED_ARGUMENT: {ctx.command}: argument '{camel(ctx.param)}' is not supported by canton-console{reason}. "
            "Leave it at its default.",
            ctx.scala_name,
        )


class Refused(Unsupported):
    """An argument of a command this console refuses as a whole: whatever value it gets, the
    command's refusal (its reason) is the answer."""

    def __init__(self, refusal: str):
        super().__init__("canton-console refuses the whole command (see its help)")
        self.refusal = refusal

    def convert(self, value: Any, ctx: "CallContext") -> Any:
        raise CommandFailure(self.refusal, ctx.scala_name)


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
    from canton_console.values.scala import type_name

    text = repr(value) if not hasattr(value, "__pretty__") else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type_name(value)})"


# ---- command groups --------------------------------------------------------------------------


class Group:
    """A command group: the object behind ``participant1.health``. Its docstring's first line is
    the summary ``help`` shows for it; its commands are the ``@command`` methods and its subgroups
    the ``@group`` properties and the groups registered under it with :func:`subgroup`.

    ``_env`` is the console's view of all nodes (:class:`canton_console.admin.ConsoleAdmin`);
    ``_admin`` the admin services of the group's node (:class:`canton_console.admin.NodeAdmin`), or
    None for a top-level group."""

    scala_name = "ConsoleCommandGroup"

    def __init__(self, path: str, env: Any = None, admin: Any = None):
        self._path = path  # e.g. "participant1.health"
        self._env = env
        self._admin = admin

    def help(self, name: str | None = None):
        """Help for this command group, or for one of its commands (``help("ping")``)"""
        from canton_console.console.help import help_for

        return help_for(self, name, self._path)

    def __repr__(self) -> str:
        return f"<command group {self._path}; type {self._path}.help() for its commands>"

    def __dir__(self):
        return [n for n in super().__dir__() if not n.startswith("_")]


class NodeGroup(Group):
    """A command group of one node: made from its parent (the node reference or a group of it)."""

    def __init__(self, parent: Any, path: str):
        super().__init__(path, parent._env, parent._admin)
        self._ref = getattr(parent, "_ref", parent)

    @property
    def _node_name(self) -> str:
        return self._admin.info.name


# What ``@group`` and ``@command`` record on the functions they make (read by help and completion).
GROUP_INFO = "__cc_group__"
COMMAND_INFO = "__cc_command__"


def group_info(fn: object) -> dict[str, Any] | None:
    """What ``@group`` recorded on a group property's getter (``summary``, ``topic``), or None."""
    return getattr(fn, GROUP_INFO, None)


def command_info(fn: object) -> dict[str, Any] | None:
    """What ``@command`` recorded on a command (``topic``, ``name``, ``var_positional``), or None."""
    return getattr(fn, COMMAND_INFO, None)


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

        setattr(getter, GROUP_INFO, {"summary": summary, "topic": topic})
        return property(getter, doc=summary)

    return decorate


def subgroup(parent: type, name: str, summary: str | None = None) -> Callable[[type], type]:
    """Register a group class as ``name`` under ``parent`` (a node reference class or a group class):
    ``participant1.<name>`` or ``<parent path>.<name>``. The summary defaults to the class
    docstring's first line. Adding a group is writing its module; the registry does the rest."""

    def decorate(cls: type) -> type:
        text = summary or summary_of(cls)

        def make(self):
            return cls(self, f"{self._path}.{name}")

        make.__name__ = name
        setattr(parent, name, group(text)(make))
        return cls

    return decorate


# Top-level console objects (``utils``, ``bootstrap``, ...): name -> (topic, summary, factory(env))
TOP_LEVEL_OBJECTS: dict[str, tuple[str, str, Callable[[Any], Any]]] = {}


def top_level(name: str, topic: str, summary: str | None = None) -> Callable[[type], type]:
    """Register a top-level console object; the factory is the class, called with the console's
    ConsoleAdmin (and returning None where the environment has no such object)."""

    def decorate(cls: type) -> type:
        TOP_LEVEL_OBJECTS[name] = (topic, summary or summary_of(cls), cls.for_console if hasattr(cls, "for_console") else (lambda env: cls(name, env)))
        return cls

    return decorate


# Canton's feature flags (FeatureFlag.scala): the config key that enables each non-stable command set.
FEATURE_CONFIG_KEYS = {"Preview": "enable-preview-commands", "Repair": "enable-repair-commands", "Testing": "enable-testing-commands"}


def feature_disabled(flag: str) -> str:
    """What Canton logs when a command of a disabled feature set is called."""
    return (
        f"The command is currently disabled. You need to enable it explicitly by setting "
        f"`canton.features.{FEATURE_CONFIG_KEYS[flag]} = yes` in your Canton configuration file (`.conf`)"
    )


def command(fn: Callable | None = None, *, topic: str | None = None, needs_running: bool = True, name: str | None = None, feature: str = "Stable"):
    """Make a method a console command. See the module docstring. ``feature``: the command set it
    belongs to (Canton's ``check(FeatureFlag.Testing)``): unless the console enabled it
    (``canton.features``), the command fails before anything else."""

    def decorate(fn: Callable) -> Callable:
        # eval_str: command modules use postponed annotations; the Arg converters are real objects.
        signature = inspect.signature(fn, eval_str=True)
        params = [p for p in signature.parameters.values() if p.name != "self"]
        by_name: dict[str, inspect.Parameter] = {}
        for p in params:
            by_name[p.name] = p
            by_name[camel(p.name)] = p
        converters = {p.name: conv for p in params if (conv := converter_of(p.annotation)) is not None}
        var_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)

        @functools.wraps(fn)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
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
            admin = self._admin
            # a remote node is asked directly: when it is down, the call itself fails (UNAVAILABLE)
            if needs_running and admin is not None and admin.info.local and not admin.status.is_running():
                raise CommandFailure(
                    f"NODE_NOT_STARTED(9,0): Instance {admin.info.instance_type} '{admin.info.name}' has not been started. ",
                    scala_name,
                )
            for pname, conv in converters.items():
                if pname in bound.arguments:
                    value = bound.arguments[pname]
                    default = signature.parameters[pname].default
                    if value is default:
                        continue  # a command's own default needs no checking (and may be a marker)
                    bound.arguments[pname] = conv.convert(value, CallContext(command_name, pname, self._env, scala_name))
            # Scala type-checks a command's arguments before it runs; then Canton's check(FeatureFlag...) refuses it.
            if feature != "Stable" and self._env is not None and feature not in self._env.feature_flags():
                raise CommandFailure(feature_disabled(feature), scala_name)
            # One trace id per command (an outer command's, when one calls another): what the
            # runtime logs for it and its failure share it (``logging.last_error_trace``).
            with trace_scope() as trace_id:
                try:
                    return fn(*bound.args, **bound.kwargs)
                except CommandFailure as e:
                    if not e.command:
                        e.command = scala_name
                    e.trace_id = e.trace_id or trace_id
                    raise
                except (CantonError, ServiceStatusError) as e:
                    raise CommandFailure(render_canton_error(e, admin.info.name if admin is not None else None), scala_name, trace_id) from None
                except RuntimeFailure as e:
                    raise CommandFailure(str(e), scala_name, trace_id) from None

        setattr(
            wrapper,
            COMMAND_INFO,
            {"topic": topic, "name": name or fn.__name__, "var_positional": var_positional, "feature": feature, "needs_running": needs_running},
        )
        return wrapper

    if fn is not None:
        return decorate(fn)
    return decorate


def command_alias(cmd: Callable, name: str) -> Callable:
    """The command ``cmd`` under a second name (Canton's ``...V2`` twins), its errors naming it."""
    import types

    original = inspect.unwrap(cmd)
    twin = types.FunctionType(original.__code__, original.__globals__, name, original.__defaults__, original.__closure__)
    twin.__kwdefaults__ = original.__kwdefaults__
    twin.__annotations__ = dict(original.__annotations__)
    twin.__doc__ = original.__doc__
    twin.__module__ = original.__module__
    twin.__qualname__ = original.__qualname__.rsplit(".", 1)[0] + "." + name
    info = command_info(cmd) or {}
    return command(twin, topic=info.get("topic"), needs_running=info.get("needs_running", True), feature=info.get("feature", "Stable"))


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


def render_canton_error(error: CantonError | ServiceStatusError, node_name: str | None) -> str:
    """An error a node's admin API returned, as the console logs it (``Request failed for ...``)."""
    if isinstance(error, ServiceStatusError):
        return f"Request failed for {node_name}.\n  {GRPC_CLASS.get(error.status, 'GrpcServerError')}: {error.status}/{error.description}"
    if node_name is None or error.code.id in ("NODE_NOT_STARTED", "INVALID_ARGUMENT"):
        return error.render()
    grpc = error.grpc_code or "INTERNAL"
    return f"Request failed for {node_name}.\n  {GRPC_CLASS.get(grpc, 'GrpcServerError')}: {grpc}/{error.render()}"


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
        if callable(attr) and command_info(attr) is not None:
            result[name] = attr
        elif isinstance(attr, property) and attr.fget is not None and command_info(attr.fget) is not None:
            result[name] = attr.fget
    return result


def groups_of(obj: Any) -> dict[str, dict]:
    result = {}
    cls = _help_class(obj)
    for name in dir(cls):
        attr = getattr(cls, name, None)
        if isinstance(attr, property) and (info := group_info(attr.fget)) is not None:
            result[name] = info
    return result


def summary_of(fn: object) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def command_property(fn: Callable | None = None, *, needs_running: bool = True):
    """A parameterless command read without parentheses, as Canton writes ``health.status``."""

    def decorate(fn: Callable) -> property:
        return property(command(fn, needs_running=needs_running), doc=inspect.getdoc(fn))

    return decorate(fn) if fn is not None else decorate
