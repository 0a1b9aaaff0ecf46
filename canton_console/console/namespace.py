"""The console's top-level names: one binding per node, the node collections, ``help``, ``health``,
``utils``, ``bootstrap``, ``logger``, ``clock`` and Canton's value constructors."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from typing import Any

from canton_console.console import args as a
from canton_console.console.framework import CommandFailure, Group, command, command_property
from canton_console.console.help import TOP_LEVEL, layout
from canton_console.console.references import NodeReference, bounded_timeout, reference_for, wait_until
from canton_console.console.render import CantonStatus, HelpText
from canton_console.console.scalalib import NONE, Option, ScalaLong, ScalaMap, Seq, Some, Vector
from canton_console.values import parameters, refined as values
from canton_console.runtime.identity import SynchronizerId
from canton_console.values.timefmt import instant, round_for_humans


class References(Vector):
    """Node references with Canton's collection commands: ``start()``, ``stop()`` and any command
    of the nodes, run on each (``participants.all.synchronizers.connect_local(sequencer1, "da")``)."""

    canton_type = "Seq[InstanceReference]"

    def start(self) -> None:
        """Start all nodes, sequencers first, then mediators, then participants"""
        if self:
            self[0]._env.start([r._node for r in self])

    def stop(self) -> None:
        """Stop all nodes, participants first"""
        if self:
            self[0]._env.stop([r._node for r in self])

    def __getattr__(self, name: str) -> "FanOut":
        if name.startswith("_"):
            raise AttributeError(name)
        return FanOut([getattr(r, name) for r in self], [r.name for r in self], name)


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
        return References(*self._refs)

    @property
    def remote(self) -> References:
        """The remote nodes of this kind (this console runs none)"""
        return References()

    def help(self, name: str | None = None) -> HelpText:
        return HelpText(f"{self._description}: .all, .local, .remote; e.g. {self._description.split()[1]}.all.start()")

    def __repr__(self) -> str:
        return self._description

    canton_type = "NodeReferences"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal(f"NodeReferences(local = {', '.join(r.name for r in self._refs)})")


class Utils(Group):
    """Console utilities"""

    scala_name = "ConsoleMacros$utils$"

    @command(needs_running=False)
    def retry_until_true(
        self,
        condition: Any,
        timeout: a.Optional(a.Duration()) = None,
        max_wait_period: a.Duration() = values.ScalaDuration(10_000_000, "second"),
    ) -> None:
        """Wait for a condition to become true, using default timeouts: retry_until_true(lambda: cond) or, in Scala, retry_until_true { cond }

        Retries with exponential back-off from 1 ms up to maxWaitPeriod; fails when the condition
        never held within the timeout (console.bounded, 1 minute by default)."""
        if isinstance(condition, bool):
            if condition:
                return None
            from canton_console.console.framework import ArgumentError

            raise ArgumentError(
                "utils.retry_until_true: the condition must be re-evaluated, so pass a function: "
                "utils.retry_until_true(lambda: <condition>) (in Scala syntax: utils.retry_until_true(<condition>))"
            )
        if not callable(condition):
            raise a.CallContext("utils.retry_until_true", "condition", self._env).wrong_type("a function returning a Boolean (lambda: ...)", condition)
        timeout_us = timeout if timeout is not None else bounded_timeout(self._env)
        # The default is not passed through the converter: microseconds either way.
        cap_us = max_wait_period if isinstance(max_wait_period, int) else values.to_micros(max_wait_period)
        deadline = time.monotonic() + timeout_us / 1e6
        delay = 0.001
        while True:
            if condition():
                return None
            if time.monotonic() >= deadline:
                raise CommandFailure(f"Condition never became true within {round_for_humans(timeout_us)}")
            time.sleep(min(delay, cap_us / 1e6, max(0.0, deadline - time.monotonic())))
            delay *= 2

    @command(needs_running=False)
    def synchronize_topology(self, timeout: a.Optional(a.Duration()) = None) -> None:
        """Wait until all topology changes have been effected on all accessible nodes"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.synchronize_topology")


class Bootstrap(Group):
    """Functions to bootstrap/setup decentralized namespaces or full synchronizers"""

    scala_name = "ConsoleMacros$bootstrap$"

    @command(needs_running=False)
    def synchronizer(
        self,
        synchronizer_name: a.Text("a synchronizer name such as \"da\"", allow_empty=False),
        sequencers: a.SeqOf(a.NodeRef("sequencer")),
        mediators: a.SeqOf(a.NodeRef("mediator")),
        synchronizer_owners: a.SeqOf(a.MemberArg(("sequencer", "mediator", "participant"))) = (),
        synchronizer_threshold: a.POSITIVE_INT = 1,
        static_synchronizer_parameters: Any = None,
    ) -> SynchronizerId:
        """Bootstraps a new synchronizer with the given sequencers, mediators and owners; does nothing if it already exists"""
        env = self._env
        owner_nodes = []
        for member in synchronizer_owners or [sequencers[0]._node.member_id if sequencers and sequencers[0]._node.running else ""]:
            owner_nodes += [n for n in env.nodes() if n.running and n.uid is not None and n.member_id == member]
        for ref in [*sequencers, *mediators]:
            if not ref._node.running:
                raise CommandFailure(f"The synchronizer cannot be bootstrapped: {ref._node.instance_type} '{ref._node.name}' has not been started")
        sync_id = env.bootstrap_synchronizer(
            synchronizer_name, [s._node for s in sequencers], [m._node for m in mediators], owner_nodes, synchronizer_threshold
        )
        return SynchronizerId.parse(sync_id)

    @command(needs_running=False)
    def synchronizer_local(self, synchronizer_name: a.Text("a synchronizer name", allow_empty=False) = "local") -> SynchronizerId:
        """Bootstraps a local synchronizer using all running sequencers and mediators of this console"""
        return SynchronizerId.parse(self._env.bootstrap_local(synchronizer_name))


class HealthTop(Group):
    """Environment health inspection"""

    scala_name = "CantonHealthAdministration"

    def __init__(self, refs: list[NodeReference], env):
        super().__init__("health", env)
        self._refs = refs

    @command_property
    def status(self) -> CantonStatus:
        """Aggregate status info of all participants, sequencers and mediators"""
        order = {"sequencer": 0, "mediator": 1, "participant": 2}
        refs = sorted(self._refs, key=lambda r: (order[r._node.kind], r.name))
        return CantonStatus([r.health._status() for r in refs])


class ConsoleSettings(Group):
    """Configure behaviour of the console"""

    scala_name = "ConsoleMacros$console$"

    @command(needs_running=False)
    def command_timeout(self) -> values.NonNegativeFiniteDuration:
        """Yields the timeout for running console commands (console.bounded)"""
        return values.NonNegativeFiniteDuration.ofMicros(bounded_timeout(self._env))

    @command(needs_running=False)
    def set_command_timeout(self, new_timeout: a.Duration(allow_zero=False)) -> None:
        """Sets the timeout for running console commands"""
        import attrs

        p = self._env.config.parameters
        self._env.config = attrs.evolve(
            self._env.config, parameters=attrs.evolve(p, timeouts=attrs.evolve(p.timeouts, bounded=dt.timedelta(microseconds=new_timeout)))
        )


class CantonTimestamp(int):
    canton_type = "CantonTimestamp"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal(instant(int(self)))

    def __str__(self) -> str:
        return instant(int(self))


class ClockGroup(Group):
    """Manipulate the simulated clock (only with canton.parameters.clock.type = sim-clock)"""

    scala_name = "ConsoleEnvironment$clock$"

    @command_property
    def now(self) -> CantonTimestamp:
        """The current time of the simulated clock"""
        return CantonTimestamp(self._env.clock.now())

    @command(needs_running=False)
    def advance(self, duration: a.Duration(allow_zero=True)) -> None:
        """Advance the simulated clock by the given duration"""
        self._env.call(self._env.clock.advance, duration)

    @command(needs_running=False)
    def advanceTo(self, timestamp: a.Timestamp()) -> None:
        """Advance the simulated clock to the given time (a CantonTimestamp or ISO instant text)"""
        from canton_console.values.timefmt import parse_instant

        micros = parse_instant(timestamp) if isinstance(timestamp, str) else int(timestamp)
        if micros < self._env.clock.now():
            raise CommandFailure("INVALID_ARGUMENT(8,0): the simulated clock cannot go backwards")
        self._env.call(self._env.clock.advance_to, micros)

    @command(needs_running=False)
    def reset(self) -> None:
        """Reset the simulated clock to its start"""
        self._env.call(self._env.clock.reset)


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


TOP_LEVEL_ITEMS = [
    (TOP_LEVEL, "exit", "Leave the console"),
    (TOP_LEVEL, "help", 'Help with console commands; type help("<command>") for detailed help for <command>'),
    ("Generic Node References", "mediators", "All mediator nodes (.all, .local, .remote)"),
    ("Generic Node References", "nodes", "All nodes (.all, .local, .remote)"),
    ("Generic Node References", "participants", "All participant nodes (.all, .local, .remote)"),
    ("Generic Node References", "sequencers", "All sequencer nodes (.all, .local, .remote)"),
    ("Health", "health", "Environment health inspection"),
    ("Bootstrap", "bootstrap", "Functions to bootstrap/setup decentralized namespaces or full synchronizers"),
    ("Utilities", "utils", "Console utilities"),
    ("Console", "console", "Configure behaviour of the console"),
    ("Logging", "logger", "Console logger (logger.info(\"...\"))"),
    ("Ledger Api Utils", "ledger_api_utils", "Utilities to build Ledger API commands (create, exercise)"),
]


class TopLevelHelp:
    """``help``: the console's top-level help; ``help("ping")`` for one command."""

    canton_type = "Help"

    def __init__(self, console: "Console"):
        self._console = console

    def text(self) -> str:
        items = list(TOP_LEVEL_ITEMS)
        for ref in self._console.references:
            kind = ref._node.kind
            where = "participant" if kind == "participant" else f"local {kind}"
            items.append(("Node References", ref.name, f"Manage {where} '{ref.name}'; type '{ref.name} help' or '{ref.name} help(\"<methodName>\")' for more help"))
        if self._console.env.clock.is_simulated:
            items.append(("Clock", "clock", "Manipulate the simulated clock"))
        return layout(items)

    def __call__(self, name: str | None = None) -> HelpText:
        if name is None:
            return HelpText(self.text())
        if not isinstance(name, str):
            raise a.ArgumentError(f"help: expects a command name such as help(\"ping\"), got {name!r}")
        return HelpText(self._console.describe(name))

    def __repr__(self) -> str:
        return self.text()


class Console:
    """Binds the runtime environment to the console's names."""

    def __init__(self, env, out=None):
        self.env = env
        self.out = out or sys.stdout
        self.references = [reference_for(env, n) for n in env.nodes()]
        self.namespace: dict[str, Any] = {}
        self._build()

    def _build(self) -> None:
        from canton_console.console import ledger_commands
        from canton_console.console.scala_syntax import RUNTIME_HELPERS

        ns = self.namespace
        ns.update(RUNTIME_HELPERS)
        ns["__cc_duration"] = lambda n, unit: values.scala_duration(n, unit)
        ns["__cc_None"] = NONE
        ns["__cc_long"] = ScalaLong
        refs = self.references
        for ref in refs:
            ns[ref.name] = ref
        by_kind = lambda k: [r for r in refs if r._node.kind == k]  # noqa: E731
        ns["participants"] = NodeCollection(by_kind("participant"), "All participant nodes")
        ns["sequencers"] = NodeCollection(by_kind("sequencer"), "All sequencer nodes")
        ns["mediators"] = NodeCollection(by_kind("mediator"), "All mediator nodes")
        ns["nodes"] = NodeCollection(refs, "All nodes")
        ns["help"] = TopLevelHelp(self)
        ns["health"] = HealthTop(refs, self.env)
        ns["utils"] = Utils("utils", self.env)
        ns["bootstrap"] = Bootstrap("bootstrap", self.env)
        ns["console"] = ConsoleSettings("console", self.env)
        ns["logger"] = ConsoleLogger()
        ns["ledger_api_utils"] = ledger_commands.LedgerApiUtils("ledger_api_utils", self.env)
        ns["exit"] = ExitCommand()
        if self.env.clock.is_simulated:
            ns["clock"] = ClockGroup("clock", self.env)
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
        from canton_console.console import topology_commands

        ns["ParticipantPermission"] = topology_commands.ParticipantPermission
        ns["ForceFlag"] = topology_commands.ForceFlag
        ns["ForceFlags"] = topology_commands.ForceFlags
        ns["Seq"] = Seq
        ns["Some"] = Some
        ns["Option"] = Option
        ns["Map"] = lambda *pairs: ScalaMap(pairs)
        ns["timedelta"] = dt.timedelta
        ns["println"] = _println

    def describe(self, name: str) -> str:
        from canton_console.console.help import all_names, not_found
        from canton_console.console.references import _NodeHelpView

        head, _, rest = name.partition(".")
        for topic, item, summary in TOP_LEVEL_ITEMS:
            if item == name:
                return f"{item}\n{summary}"
        obj = self.namespace.get(head)
        if isinstance(obj, NodeReference) and not rest:
            kind = obj._node.kind
            where = "participant" if kind == "participant" else f"local {kind}"
            return f"{obj.name}\nManage {where} '{obj.name}'; type '{obj.name} help' or '{obj.name} help(\"<methodName>\")' for more help"
        if isinstance(obj, (Group, NodeReference)) and rest:
            return obj.help(rest)
        # search every node's and group's commands for the name
        found = []
        for key, value in self.namespace.items():
            if isinstance(value, (Group, NodeReference)):
                target = _NodeHelpView(value) if isinstance(value, NodeReference) else value
                for candidate in all_names(target):
                    if candidate == name or candidate.endswith("." + name):
                        found.append((key, candidate))
        if found:
            key, candidate = found[0]
            target = self.namespace[key]
            return target.help(candidate)
        names = [item for _, item, _ in TOP_LEVEL_ITEMS] + [r.name for r in self.references]
        for key, value in self.namespace.items():
            if isinstance(value, Group):
                names += [f"{key}.{n}" for n in all_names(value)]
        for ref in self.references[:1]:
            names += all_names(_NodeHelpView(ref))
        return not_found(name, sorted(set(names)))
