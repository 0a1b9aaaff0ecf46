"""The console's top-level command groups: ``utils``, ``bootstrap``, ``health``, ``console`` and,
under a simulated clock, ``clock``."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import ArgumentError, CallContext, CommandFailure, Group, Unsupported, command, command_property, top_level
from canton_console.console.references import NodeReference, bounded_timeout, reference_for, wait_until
from canton_console.console.render import CantonStatus
from canton_console.values import refined as values
from canton_console.values.ids import SynchronizerId
from canton_console.values.timefmt import instant, round_for_humans

RETRY_MAX_WAIT_PERIOD = values.ScalaDuration(10_000_000, "second")  # utils.retry_until_true's default maxWaitPeriod


@top_level("utils", "Utilities", "Console utilities")
class Utils(Group):
    """Console utilities"""

    scala_name = "ConsoleMacros$utils$"

    @command(needs_running=False)
    def retry_until_true(
        self,
        condition: Any,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        max_wait_period: Annotated[int | values.ScalaDuration, a.Duration()] = RETRY_MAX_WAIT_PERIOD,
    ) -> None:
        """Wait for a condition to become true, using default timeouts: retry_until_true(lambda: cond) or, in Scala, retry_until_true { cond }

        Retries with exponential back-off from 1 ms up to maxWaitPeriod; fails when the condition
        never held within the timeout (console.bounded, 1 minute by default)."""
        if isinstance(condition, bool):
            if condition:
                return None
            raise ArgumentError(
                "utils.retry_until_true: the condition must be re-evaluated, so pass a function: "
                "utils.retry_until_true(lambda: <condition>) (in Scala syntax: utils.retry_until_true(<condition>))"
            )
        if not callable(condition):
            raise CallContext("utils.retry_until_true", "condition", self._env).wrong_type("a function returning a Boolean (lambda: ...)", condition)
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
    def synchronize_topology(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> None:
        """Wait until all topology changes have been effected on all accessible nodes"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.synchronize_topology")


@top_level("bootstrap", "Bootstrap", "Functions to bootstrap/setup decentralized namespaces or full synchronizers")
class Bootstrap(Group):
    """Functions to bootstrap/setup decentralized namespaces or full synchronizers"""

    scala_name = "ConsoleMacros$bootstrap$"

    @command(needs_running=False)
    def synchronizer(
        self,
        synchronizer_name: Annotated[str, a.Text("a synchronizer name such as \"da\"", allow_empty=False)],
        sequencers: Annotated[list[NodeReference], a.SeqOf(a.NodeRef("sequencer"))],
        mediators: Annotated[list[NodeReference], a.SeqOf(a.NodeRef("mediator"))],
        synchronizer_owners: Annotated[Sequence[str], a.SeqOf(a.MemberArg(("sequencer", "mediator", "participant")))] = (),
        synchronizer_threshold: Annotated[int, a.POSITIVE_INT] = 1,
        static_synchronizer_parameters: Annotated[Any, Unsupported("a synchronizer's static parameters are this release's defaults")] = None,
    ) -> SynchronizerId:
        """Bootstraps a new synchronizer with the given sequencers, mediators and owners; does nothing if it already exists"""
        sync_id = self._env.bootstrap_synchronizer(
            synchronizer_name, [s.name for s in sequencers], [m.name for m in mediators], list(synchronizer_owners or ()), synchronizer_threshold
        )
        return SynchronizerId.parse(sync_id)

    @command(needs_running=False)
    def synchronizer_local(self, synchronizer_name: Annotated[str, a.Text("a synchronizer name", allow_empty=False)] = "local") -> SynchronizerId:
        """Bootstraps a local synchronizer using all running sequencers and mediators of this console"""
        return SynchronizerId.parse(self._env.bootstrap_local(synchronizer_name))


@top_level("health", "Health", "Environment health inspection")
class HealthTop(Group):
    """Environment health inspection"""

    scala_name = "CantonHealthAdministration"

    @command_property
    def status(self) -> CantonStatus:
        """Aggregate status info of all participants, sequencers and mediators"""
        order = {"sequencer": 0, "mediator": 1, "participant": 2}
        nodes = sorted(self._env.nodes(), key=lambda n: (order[n.kind], n.name))
        # ``health`` is registered on the reference classes at import (@subgroup), which mypy cannot see
        return CantonStatus([reference_for(self._env, self._env.node(n.name)).health._status() for n in nodes])  # type: ignore[attr-defined]


@top_level("console", "Console", "Configure behaviour of the console")
class ConsoleSettings(Group):
    """Configure behaviour of the console"""

    scala_name = "ConsoleMacros$console$"

    @command(needs_running=False)
    def command_timeout(self) -> values.NonNegativeFiniteDuration:
        """Yields the timeout for running console commands (console.bounded)"""
        return values.NonNegativeFiniteDuration.ofMicros(bounded_timeout(self._env))

    @command(needs_running=False)
    def set_command_timeout(self, new_timeout: Annotated[int, a.Duration(allow_zero=False)]) -> None:
        """Sets the timeout for running console commands"""
        self._env.set_bounded_timeout(new_timeout)


class CantonTimestamp(int):
    canton_type = "CantonTimestamp"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal(instant(int(self)))

    def __str__(self) -> str:
        return instant(int(self))


@top_level("clock", "Clock", "Manipulate the simulated clock")
class ClockGroup(Group):
    """Manipulate the simulated clock (only with canton.parameters.clock.type = sim-clock)"""

    scala_name = "ConsoleEnvironment$clock$"

    @classmethod
    def for_console(cls, env: Any) -> "ClockGroup | None":
        return cls("clock", env) if env.clock_is_simulated() else None

    @command_property
    def now(self) -> CantonTimestamp:
        """The current time of the simulated clock"""
        return CantonTimestamp(self._env.now())

    @command(needs_running=False)
    def advance(self, duration: Annotated[int, a.Duration(allow_zero=True)]) -> None:
        """Advance the simulated clock by the given duration"""
        self._env.advance_clock(duration)

    @command(needs_running=False)
    def advanceTo(self, timestamp: Annotated[int, a.Timestamp()]) -> None:
        """Advance the simulated clock to the given time (a CantonTimestamp or ISO instant text)"""
        if timestamp < self._env.now():
            raise CommandFailure("INVALID_ARGUMENT(8,0): the simulated clock cannot go backwards")
        self._env.advance_clock_to(timestamp)

    @command(needs_running=False)
    def reset(self) -> None:
        """Reset the simulated clock to its start"""
        self._env.reset_clock()


