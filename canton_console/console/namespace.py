"""The console's top-level names: one binding per node, the node collections, ``help``, ``health``,
``utils``, ``bootstrap``, ``logger``, ``clock`` and Canton's value constructors."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any, TextIO

from canton_console.console import commands  # noqa: F401 - importing it registers every command group
from canton_console.console.framework import TOP_LEVEL_OBJECTS, ArgumentError, CommandFailure, Group
from canton_console.console.help import TOP_LEVEL, layout
from canton_console.console.references import NodeHelpView, NodeReference, reference_for
from canton_console.console.render import HelpText
from canton_console.values import parameters
from canton_console.values import refined as values
from canton_console.values.scala import NONE, Option, ScalaLong, ScalaMap, ScalaSet, Seq, Some, Vector
from canton_console.values.users import FieldMask


class References(Vector):
    """Node references with Canton's collection commands: ``start()``, ``stop()`` and any command
    of the nodes, run on each (``participants.all.synchronizers.connect_local(sequencer1, "da")``)."""

    canton_type = "Seq[InstanceReference]"

    def start(self) -> None:
        """Start all nodes, sequencers first, then mediators, then participants"""
        if self:
            self[0]._env.start([r.name for r in self])

    def stop(self) -> None:
        """Stop all nodes, participants first"""
        if self:
            self[0]._env.stop([r.name for r in self])

    def __getattr__(self, name: str) -> "FanOut":
        if name.startswith("_"):
            raise AttributeError(name)
        return FanOut([getattr(r, name) for r in self], [r.name for r in self], name)

    @property
    def dars(self) -> Any:
        """Manage dars on several participants at once (Canton's ParticipantReferencesExtensions)"""
        from canton_console.console.commands.dars import ParticipantsDars

        return ParticipantsDars(self)


class FanOut:
    """A command group or command of several nodes at once."""

    def __init__(self, targets: list, names: list[str], path: str):
        self._targets = targets
        self._names = names
        self._path = path

    def __getattr__(self, name: str) -> "FanOut":
        if name.startswith("_"):
            raise AttributeError(name)
        return FanOut([getattr(t, name) for t in self._targets], self._names, f"{self._path}.{name}")

    def __call__(self, *args, **kwargs):
        results, failures = [], []
        for name, target in zip(self._names, self._targets):
            try:
                results.append(target(*args, **kwargs))
            except CommandFailure as e:
                failures.append(f"(failure on {name}): {e.cause}")
        if failures:
            raise CommandFailure(f"Command failed on {len(failures)} out of {len(self._targets)} instances: " + ", ".join(failures))
        if all(r is None for r in results):
            return None
        return Vector(*results)


class NodeCollection:
    """``participants``, ``sequencers``, ``mediators``, ``nodes``: ``.all``, ``.local``, ``.remote``."""

    def __init__(self, refs: list[NodeReference], description: str):
        self._refs = refs
        self._description = description

    @property
    def all(self) -> References:
        """All nodes of this kind (local and remote)"""
        return References(*self._refs)

    @property
    def local(self) -> References:
        """The local nodes of this kind"""
        return References(*[r for r in self._refs if r._admin.info.local])

    @property
    def remote(self) -> References:
        """The remote nodes of this kind"""
        return References(*[r for r in self._refs if not r._admin.info.local])

    def help(self, name: str | None = None) -> HelpText:
        return HelpText(f"{self._description}: .all, .local, .remote; e.g. {self._description.split()[1]}.all.start()")

    def __repr__(self) -> str:
        return self._description

    canton_type = "NodeReferences"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal(f"NodeReferences(local = {', '.join(r.name for r in self._refs)})")


class ConsoleLogger:
    """``logger.info("...")``: the console's logger (WARN and above are shown)."""

    def __init__(self):
        self._log = logging.getLogger("c.d.c.c.CantonConsoleEnvironment")

    def _emit(self, level: str, msg: Any) -> None:
        self._log.log(getattr(logging, level if level != "WARN" else "WARNING"), str(msg))
        if level in ("WARN", "ERROR"):
            # sys.stdout at call time: the interpreter captures a step's output in order.
            sys.stdout.write(f"{level:<5} c.d.c.c.CantonConsoleEnvironment - {msg}\n")

    def debug(self, msg: Any) -> None:
        self._emit("DEBUG", msg)

    def info(self, msg: Any) -> None:
        self._emit("INFO", msg)

    def warn(self, msg: Any) -> None:
        self._emit("WARN", msg)

    warning = warn

    def error(self, msg: Any) -> None:
        self._emit("ERROR", msg)


def _non_empty(collection: Any, first: Any, *rest: Any) -> Any:
    """Canton's ``NonEmpty(Seq, a, b, ...)`` (also ``NonEmpty(Set, ...)``): the collection of the items,
    at least one."""
    return collection(first, *rest)


def _println(*values: Any) -> None:
    """Scala's ``println``: text as it is, other values as the console shows them (``true``, ids,
    ``Vector(...)``, a node status), not as Python would."""
    from canton_console.pretty import render

    def text(v: Any) -> str:
        if isinstance(v, str):
            return v
        if hasattr(v, "__pretty__") or isinstance(v, (bool, int, float, list, tuple, dict)) or type(v).__str__ is object.__str__:
            return render(v)
        return str(v)

    print(*(text(v) for v in values))


class ExitCommand:
    """``exit``: leave the console."""

    def __call__(self, *args) -> None:
        raise SystemExit(0)

    def __repr__(self) -> str:
        return "exit"


# Top-level names that are not registered command objects (those come from TOP_LEVEL_OBJECTS).
FIXED_TOP_LEVEL_ITEMS = [
    (TOP_LEVEL, "exit", "Leave the console"),
    (TOP_LEVEL, "help", 'Help with console commands; type help("<command>") for detailed help for <command>'),
    ("Generic Node References", "mediators", "All mediator nodes (.all, .local, .remote)"),
    ("Generic Node References", "nodes", "All nodes (.all, .local, .remote)"),
    ("Generic Node References", "participants", "All participant nodes (.all, .local, .remote)"),
    ("Generic Node References", "sequencers", "All sequencer nodes (.all, .local, .remote)"),
    ("Logging", "logger", "Console logger (logger.info(\"...\"))"),
]


def node_summary(ref: NodeReference) -> str:
    kind = ref._kind
    if not ref._admin.info.local:
        where = f"remote {kind}"
    else:
        where = "participant" if kind == "participant" else f"local {kind}"
    return f"Manage {where} '{ref.name}'; type '{ref.name} help' or '{ref.name} help(\"<methodName>\")' for more help"


class TopLevelHelp:
    """``help``: the console's top-level help; ``help("ping")`` for one command."""

    canton_type = "Help"

    def __init__(self, console: "Console"):
        self._console = console

    def text(self) -> str:
        items = self._console.top_level_items()
        items += [("Node References", ref.name, node_summary(ref)) for ref in self._console.references]
        return layout(items)

    def __call__(self, name: str | None = None) -> HelpText:
        if name is None:
            return HelpText(self.text())
        if not isinstance(name, str):
            raise ArgumentError(f"help: expects a command name such as help(\"ping\"), got {name!r}")
        return HelpText(self._console.describe(name))

    def __repr__(self) -> str:
        return self.text()


class Console:
    """Binds the nodes' admin services (a ConsoleAdmin) to the console's names."""

    def __init__(self, env: Any, out: TextIO | None = None) -> None:
        self.env = env
        self.out = out or sys.stdout
        self.references = [reference_for(env, env.node(n.name)) for n in env.nodes()]
        self.namespace: dict[str, Any] = {}
        self.top_level: dict[str, tuple[str, str]] = {}  # name -> (topic, summary) of the registered objects bound
        self._build()

    def top_level_items(self) -> list[tuple[str, str, str]]:
        return list(FIXED_TOP_LEVEL_ITEMS) + [(topic, name, summary) for name, (topic, summary) in self.top_level.items()]

    def _build(self) -> None:
        from canton_console.console import canton_names
        from canton_console.console.scala_syntax import RUNTIME_HELPERS

        ns = self.namespace
        ns.update(RUNTIME_HELPERS)
        ns["__cc_duration"] = lambda n, unit: values.scala_duration(n, unit)
        ns["__cc_None"] = NONE
        ns["__cc_long"] = ScalaLong
        refs = self.references
        for ref in refs:
            ns[ref.name] = ref
        by_kind = lambda k: [r for r in refs if r._kind == k]  # noqa: E731
        ns["participants"] = NodeCollection(by_kind("participant"), "All participant nodes")
        ns["sequencers"] = NodeCollection(by_kind("sequencer"), "All sequencer nodes")
        ns["mediators"] = NodeCollection(by_kind("mediator"), "All mediator nodes")
        ns["nodes"] = NodeCollection(refs, "All nodes")
        ns["help"] = TopLevelHelp(self)
        ns["logger"] = ConsoleLogger()
        ns["exit"] = ExitCommand()
        for name, (topic, summary, factory) in TOP_LEVEL_OBJECTS.items():
            obj = factory(self.env)
            if obj is not None:
                ns[name] = obj
                self.top_level[name] = (topic, summary)
        # Canton's value constructors, as its documentation writes them.
        for name in (
            "NonNegativeNumeric",
            "PositiveNumeric",
            "PositiveInt",
            "PositiveLong",
            "NonNegativeInt",
            "NonNegativeLong",
            "NonNegativeFiniteDuration",
            "PositiveFiniteDuration",
            "PositiveDurationSeconds",
        ):
            ns[name] = getattr(values, name)
        ns["NonNegativeDuration"] = values.NonNegativeFiniteDuration
        ns["TrafficControlParameters"] = parameters.TrafficControlParameters
        ns["DynamicSynchronizerParameters"] = parameters.DynamicSynchronizerParameters
        ns["OnboardingRestriction"] = parameters.OnboardingRestriction
        from canton_console.console.commands import topology_mappings as topology_commands

        ns["ParticipantPermission"] = topology_commands.ParticipantPermission
        ns["ForceFlag"] = topology_commands.ForceFlag
        ns["ForceFlags"] = topology_commands.ForceFlags
        ns.setdefault("TopologyChangeOp", topology_commands.TopologyChangeOp)
        ns["Seq"] = Seq
        ns["List"] = Seq  # Scala's List: what Seq(...) builds too
        ns["Some"] = Some
        ns["Option"] = Option
        ns["Map"] = lambda *pairs: ScalaMap(pairs)
        ns["Set"] = ScalaSet
        ns["NonEmpty"] = _non_empty
        ns["FieldMask"] = FieldMask
        ns["timedelta"] = dt.timedelta
        ns["println"] = _println
        canton_names.install(ns)  # Canton's names as the docs write them: PartyId, com.digitalasset..., imports

    def describe(self, name: str) -> str:
        from canton_console.console.help import all_names, not_found

        head, _, rest = name.partition(".")
        for _topic, item, summary in self.top_level_items():
            if item == name:
                return f"{item}\n{summary}"
        obj = self.namespace.get(head)
        if isinstance(obj, NodeReference) and not rest:
            return f"{obj.name}\n{node_summary(obj)}"
        if isinstance(obj, (Group, NodeReference)) and rest:
            return obj.help(rest)
        # search every node's and group's commands for the name
        found = []
        for key, value in self.namespace.items():
            if isinstance(value, (Group, NodeReference)):
                target = NodeHelpView(value) if isinstance(value, NodeReference) else value
                for candidate in all_names(target):
                    if candidate == name or candidate.endswith("." + name):
                        found.append((key, candidate))
        if found:
            key, candidate = found[0]
            target = self.namespace[key]
            return target.help(candidate)
        names = [item for _, item, _ in self.top_level_items()] + [r.name for r in self.references]
        for key, value in self.namespace.items():
            if isinstance(value, Group):
                names += [f"{key}.{n}" for n in all_names(value)]
        for ref in self.references[:1]:
            names += all_names(NodeHelpView(ref))
        return not_found(name, sorted(set(names)))
