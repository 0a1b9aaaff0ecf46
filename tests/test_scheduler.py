"""The runtime's scheduler on a simulated clock: cancelled timers never fire and leave the heap (memory
bounded by what is armed), due timers run between queued tasks however busy the queue is, and a burst
of due timers does not starve queued tasks. Then, on a real topology: the timers a ping arms are all
disarmed once the ping completed."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from canton_console.runtime.clock import SimClock
from canton_console.runtime.scheduler import COMPACT_AFTER_CANCELLED, MAX_TIMERS_IN_A_ROW, Scheduler, wait_future

MS = 1_000


@pytest.fixture
def sim():
    clock = SimClock()
    scheduler = Scheduler(clock)
    yield clock, scheduler
    scheduler.stop()


def hold(scheduler: Scheduler) -> threading.Event:
    """Keep the runtime thread busy until the returned event is set (to set things up meanwhile)."""
    gate = threading.Event()
    started = threading.Event()

    def wait() -> None:
        started.set()
        gate.wait(10)

    scheduler.post(wait)
    started.wait(10)
    return gate


def drain(scheduler: Scheduler) -> None:
    """Wait until everything queued before now has run."""
    wait_future(scheduler.submit(lambda: None), 10)


class Payload:
    """What a timer's callback holds (a request, its envelopes...)."""


def test_a_cancelled_timer_never_fires_and_releases_what_its_callback_holds(sim):
    clock, scheduler = sim
    gate = hold(scheduler)  # the runtime thread does not look at the heap meanwhile
    fired = []
    payload = Payload()
    held = weakref.ref(payload)

    def callback(p=payload) -> None:
        fired.append(p)

    handle = scheduler.schedule_at(10 * MS, callback)
    del payload, callback
    handle.cancel()
    gc.collect()
    assert held() is None  # released at once, not when the timer would have been due
    gate.set()
    scheduler.schedule_at(20 * MS, lambda: fired.append("later"))
    clock.advance(30 * MS)
    drain(scheduler)
    assert fired == ["later"]
    assert scheduler.armed_timers == 0
    handle.cancel()  # cancelling again is harmless


def test_cancelling_a_timer_that_fired_is_harmless(sim):
    clock, scheduler = sim
    fired = []
    handle = scheduler.schedule_at(5 * MS, lambda: fired.append(1))
    clock.advance(5 * MS)
    drain(scheduler)
    handle.cancel()
    assert fired == [1]
    assert scheduler.armed_timers == 0 and scheduler.timer_entries == 0


def test_the_heap_holds_about_what_is_armed_however_many_timers_were_cancelled(sim):
    clock, scheduler = sim
    kept = [scheduler.schedule_at(3_600_000 * MS + i, lambda: None) for i in range(10)]
    peak = 0
    for i in range(20_000):  # one timeout armed per request and cancelled when the request completes
        scheduler.schedule_at(60_000 * MS + i, lambda: None).cancel()
        peak = max(peak, scheduler.timer_entries)
    assert scheduler.armed_timers == len(kept)
    assert peak <= 2 * len(kept) + 2 * COMPACT_AFTER_CANCELLED
    # what is still armed fires, in due order
    order = []
    for i, handle in enumerate(kept):
        handle.cancel()
        scheduler.schedule_at(3_600_000 * MS - i, lambda i=i: order.append(i))
    clock.advance(3_600_000 * MS)
    drain(scheduler)
    assert order == list(reversed(range(10)))


def test_timers_due_at_the_same_time_fire_in_the_order_they_were_armed(sim):
    clock, scheduler = sim
    order = []
    for i in range(5):
        scheduler.schedule_at(7 * MS, lambda i=i: order.append(i))
    clock.advance(7 * MS)
    drain(scheduler)
    assert order == [0, 1, 2, 3, 4]


def test_a_due_timer_fires_at_the_next_task_boundary_while_the_queue_never_empties(sim):
    clock, scheduler = sim
    gate = hold(scheduler)
    runs = []
    fired = []
    done = threading.Event()

    def work() -> None:
        # a task that takes a millisecond and queues the next one, 200 times: the queue never empties
        clock.advance(1 * MS)
        runs.append(clock.now())
        if len(runs) < 200:
            scheduler.post(work)
        else:
            done.set()

    scheduler.post(work)
    scheduler.schedule_at(5 * MS, lambda: fired.append((clock.now(), len(runs))))
    gate.set()
    assert done.wait(10)
    drain(scheduler)
    assert fired == [(5 * MS, 5)]  # on time: right after the task during which it became due
    assert len(runs) == 200


def test_a_burst_of_due_timers_lets_queued_tasks_through(sim):
    clock, scheduler = sim
    gate = hold(scheduler)
    fired = []
    seen_by_task = []
    for i in range(5 * MAX_TIMERS_IN_A_ROW):
        scheduler.schedule_at(1 * MS, lambda i=i: fired.append(i))
    clock.advance(1 * MS)
    scheduler.post(lambda: seen_by_task.append(len(fired)))
    gate.set()
    drain(scheduler)
    assert seen_by_task == [MAX_TIMERS_IN_A_ROW]  # not starved until every due timer ran
    assert fired == list(range(5 * MAX_TIMERS_IN_A_ROW))  # and the rest fired, in order


def test_a_timer_can_be_cancelled_from_another_thread_while_the_runtime_is_busy(sim):
    clock, scheduler = sim
    gate = hold(scheduler)
    fired = []
    handles = [scheduler.schedule_at(1 * MS, lambda i=i: fired.append(i)) for i in range(100)]
    clock.advance(1 * MS)
    cancellers = [threading.Thread(target=lambda hs=handles[k::4]: [h.cancel() for h in hs if h is not handles[0]]) for k in range(4)]
    for t in cancellers:
        t.start()
    for t in cancellers:
        t.join()
    gate.set()
    drain(scheduler)
    assert fired == [0]
    assert scheduler.armed_timers == 0


def test_the_timers_of_pings_are_disarmed_once_the_pings_completed(default_session):
    env = default_session.env
    p1, p2 = env.participants["participant1"], env.participants["participant2"]
    wait_future(env.call(p1.start_ping, p2.member_id).future, 30)  # the first one arms what stays armed (e.g. commitment ticks)
    armed_before = env.scheduler.armed_timers
    states = [env.call(p1.start_ping, p2.member_id) for _ in range(5)]
    assert env.scheduler.armed_timers > armed_before  # each submission watches its max sequencing time
    for state in states:
        wait_future(state.future, 30)
    drain(env.scheduler)
    assert env.scheduler.armed_timers <= armed_before


def test_the_mediator_keeps_the_requests_in_flight_not_every_request_it_decided(default_session):
    env = default_session.env
    p1, p2 = env.participants["participant1"], env.participants["participant2"]
    mediator = next(iter(env.mediators.values()))
    for _ in range(20):  # 20 rounds of 10 pings in flight: 400 confirmation requests decided
        states = [env.call(p1.start_ping, p2.member_id) for _ in range(10)]
        for state in states:
            wait_future(state.future, 30)
    drain(env.scheduler)
    assert mediator.verdicts_sent >= 400
    assert len(mediator.decided) < 256  # those up to its clean point are forgotten (never replayed)
