"""Clocks. Every timestamp in the runtime comes from one of these, as integer microseconds since the
Unix epoch (Canton's CantonTimestamp resolution)."""

from __future__ import annotations

import threading
import time

MICROS_PER_SECOND = 1_000_000


class Clock:
    """The node clock: wall clock or simulated."""

    is_simulated = False

    def now(self) -> int:
        raise NotImplementedError

    def add_listener(self, listener) -> None:
        """``listener()`` is called after a simulated clock moved (wall clocks never call it)."""


class WallClock(Clock):
    def now(self) -> int:
        return time.time_ns() // 1000


class SimClock(Clock):
    """A clock that only moves when told to (``canton.parameters.clock.type = sim-clock``).

    Like Canton's SimClock it starts at the epoch, so runs are reproducible."""

    is_simulated = True

    def __init__(self, start: int = 0):
        self._start = start
        self._now = start
        self._lock = threading.Lock()
        self._listeners: list = []

    def now(self) -> int:
        return self._now

    def add_listener(self, listener) -> None:
        self._listeners.append(listener)

    def advance(self, micros: int) -> None:
        if micros < 0:
            raise ValueError("the simulated clock cannot go backwards")
        with self._lock:
            self._now += micros
        self._notify()

    def advance_to(self, timestamp: int) -> None:
        with self._lock:
            if timestamp < self._now:
                raise ValueError("the simulated clock cannot go backwards")
            self._now = timestamp
        self._notify()

    def reset(self) -> None:
        with self._lock:
            self._now = self._start
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
