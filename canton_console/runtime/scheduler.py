"""The runtime thread. All node work (sequencing, delivery, validation, timers) runs on it, one task
at a time, so node state needs no locks and runs are reproducible. Callers on other threads (the
console) hand work over with ``call`` and wait for its result, or with ``post`` and do not wait.

Timers fire at clock times; under a simulated clock they fire when the clock is advanced.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from canton_console.runtime.clock import Clock

log = logging.getLogger("canton_console.runtime")


class TimerHandle:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._cond = threading.Condition()
        self._queue: deque[tuple[Callable, tuple, Future | None]] = deque()
        self._timers: list[tuple[int, int, TimerHandle, Callable]] = []
        self._seq = itertools.count()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="canton-runtime", daemon=True)
        self.errors: list[BaseException] = []
        clock.add_listener(self._wake)
        self._thread.start()

    @property
    def on_runtime_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def post(self, fn: Callable, *args: Any) -> None:
        with self._cond:
            self._queue.append((fn, args, None))
            self._cond.notify()

    def submit(self, fn: Callable, *args: Any) -> Future:
        future: Future = Future()
        if self.on_runtime_thread:
            try:
                future.set_result(fn(*args))
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                future.set_exception(e)
            return future
        with self._cond:
            self._queue.append((fn, args, future))
            self._cond.notify()
        return future

    def call(self, fn: Callable, *args: Any) -> Any:
        """Run ``fn`` on the runtime thread and return its result (or raise its exception).

        The wait is in short slices so that Ctrl-C reaches the calling (main) thread. ``fn`` runs in a
        copy of the caller's context: what it logs carries the console command's trace id."""
        future = self.submit(contextvars.copy_context().run, fn, *args)
        return wait_future(future)

    def schedule_at(self, at: int, fn: Callable) -> TimerHandle:
        handle = TimerHandle()
        with self._cond:
            heapq.heappush(self._timers, (at, next(self._seq), handle, fn))
            self._cond.notify()
        return handle

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if not self.on_runtime_thread:
            self._thread.join(timeout=5)

    def _next_task(self):
        with self._cond:
            while True:
                if self._stopping:
                    return None
                if self._queue:
                    return self._queue.popleft()
                now = self.clock.now()
                while self._timers and self._timers[0][2].cancelled:
                    heapq.heappop(self._timers)
                if self._timers and self._timers[0][0] <= now:
                    _, _, handle, fn = heapq.heappop(self._timers)
                    return (fn, (), None)
                timeout = None
                if self._timers and not self.clock.is_simulated:
                    timeout = max(0.0, (self._timers[0][0] - now) / 1e6)
                self._cond.wait(timeout)

    def _run(self) -> None:
        while True:
            task = self._next_task()
            if task is None:
                return
            fn, args, future = task
            try:
                result = fn(*args)
            except BaseException as e:  # noqa: BLE001 - the runtime thread must survive any task
                if future is not None:
                    future.set_exception(e)
                elif getattr(e, "halts_node", False):
                    # A node's database went away: the node has halted and resumes by itself.
                    log.info("runtime task stopped by a database outage: %s", e)
                else:
                    log.exception("runtime task failed")
                    self.errors.append(e)
            else:
                if future is not None:
                    future.set_result(result)


def wait_future(future: Future, timeout: float | None = None) -> Any:
    """Wait for a future in short slices (so KeyboardInterrupt is delivered), then return its result."""
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        remaining = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
        if remaining <= 0:
            raise TimeoutError
        try:
            return future.result(timeout=remaining)
        except TimeoutError:
            if future.done():
                return future.result()
            continue
