"""The runtime thread. All node work (sequencing, delivery, validation, timers) runs on it, one task
at a time, so node state needs no locks and runs are reproducible. Callers on other threads (the
console) hand work over with ``call`` and wait for its result, or with ``post`` and do not wait.

Timers fire at clock times; under a simulated clock they fire when the clock is advanced. A due timer
runs before queued tasks (a timeout fires on time even when the queue never empties); a cancelled
timer releases its callback at once and leaves the heap soon after.
"""

from __future__ import annotations

import contextvars
import gc
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


# Due timers run before queued tasks (a timeout must fire on time however busy the runtime is), but
# at most this many in a row while tasks wait, so that a burst of due timers cannot starve them.
MAX_TIMERS_IN_A_ROW = 64
# Cancelled timers stay in the heap until they reach its top or until they are this many and at least
# half of it: then the heap is rebuilt without them (memory stays bounded by the timers still armed).
COMPACT_AFTER_CANCELLED = 64




class TimerHandle:
    """A timer armed with ``Scheduler.schedule_at``. ``cancel()`` (from any thread) stops it from
    firing and releases what its callback holds at once."""

    __slots__ = ("at", "fn", "cancelled", "_scheduler")

    def __init__(self, at: int, fn: Callable[[], Any] | None, scheduler: "Scheduler | None" = None) -> None:
        self.at = at
        self.fn = fn
        self.cancelled = False
        self._scheduler = scheduler

    def cancel(self) -> None:
        scheduler = self._scheduler
        if scheduler is None:  # fired or cancelled already
            self.cancelled = True
            return
        scheduler._cancel(self)


class Scheduler:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._cond = threading.Condition()
        self._queue: deque[tuple[Callable, tuple, Future | None]] = deque()
        # (due time, arming order, handle): armed timers, plus cancelled ones not yet dropped
        self._timers: list[tuple[int, int, TimerHandle]] = []
        self._cancelled_in_heap = 0
        self._timers_in_a_row = 0
        self._seq = itertools.count()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="canton-runtime", daemon=True)
        self.errors: list[BaseException] = []
        clock.add_listener(self._wake)
        self._thread.start()

    @property
    def on_runtime_thread(self) -> bool:
        return threading.current_thread() is self._thread

    @property
    def armed_timers(self) -> int:
        """Timers armed and neither fired nor cancelled."""
        with self._cond:
            return len(self._timers) - self._cancelled_in_heap

    @property
    def timer_entries(self) -> int:
        """Entries in the timer heap (armed ones plus cancelled ones not yet dropped)."""
        return len(self._timers)

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
        """Run ``fn`` on the runtime thread once the clock reaches ``at``; cancel the returned handle
        as soon as what the timer guards is done."""
        handle = TimerHandle(at, fn, self)
        with self._cond:
            heapq.heappush(self._timers, (at, next(self._seq), handle))
            self._cond.notify()
        return handle

    def _cancel(self, handle: TimerHandle) -> None:
        with self._cond:
            if handle._scheduler is None:
                return  # it fired (or was cancelled) meanwhile
            handle.cancelled = True
            handle.fn = None
            handle._scheduler = None
            self._cancelled_in_heap += 1
            if self._cancelled_in_heap >= COMPACT_AFTER_CANCELLED and 2 * self._cancelled_in_heap >= len(self._timers):
                self._timers = [entry for entry in self._timers if not entry[2].cancelled]
                heapq.heapify(self._timers)
                self._cancelled_in_heap = 0

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if not self.on_runtime_thread:
            self._thread.join(timeout=5)

    def _due_timer(self, now: int) -> TimerHandle | None:
        """Pop the earliest timer if it is due (dropping cancelled ones on the way). Under the lock."""
        timers = self._timers
        while timers and timers[0][2].cancelled:
            heapq.heappop(timers)
            self._cancelled_in_heap -= 1
        if timers and timers[0][0] <= now:
            handle = heapq.heappop(timers)[2]
            handle._scheduler = None  # fired: a late cancel() is a no-op
            return handle
        return None

    def _next_task(self):
        """The next thing to run: a due timer first (up to MAX_TIMERS_IN_A_ROW while tasks wait), else
        the oldest queued task, else wait for either."""
        with self._cond:
            return self._take_task()

    def _take_task(self):
        """(_next_task, under the lock) The next task, or None when stopping."""
        while True:
            if self._stopping:
                return None
            timers_first = not self._queue or self._timers_in_a_row < MAX_TIMERS_IN_A_ROW
            if timers_first and self._timers:
                handle = self._due_timer(self.clock.now())
                if handle is not None:
                    self._timers_in_a_row += 1
                    fn, handle.fn = handle.fn, None
                    return (fn, (), None)
            if self._queue:
                self._timers_in_a_row = 0
                return self._queue.popleft()
            self._timers_in_a_row = 0
            timeout = None
            if self._timers and not self.clock.is_simulated:
                timeout = max(0.0, (self._timers[0][0] - self.clock.now()) / 1e6)
            self._cond.wait(timeout)

    def _run(self) -> None:
        while True:
            task = self._next_task()
            if task is None:
                return
            fn, args, future = task
            task = None  # what the task holds is released as soon as it ran
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
            fn = args = future = result = None


_heap_frozen = False


def freeze_start_up_heap() -> None:
    """Move what start-up left on the heap (imported modules, engines, schemas: some 150,000 objects
    that live as long as the process) out of the collector's reach, once per process. A full
    collection otherwise walks all of them, about 80 ms on the runtime thread, several times a
    minute under load: the longest pauses of a busy node. Nothing is freed that could be: start-up
    leaves next to no garbage (a few hundred objects, measured), and whatever is created later is
    collected as usual."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


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
