"""The pruning schedule every node shares (participant, mediator; sequencers refuse schedules):
Canton's cron (log4j's ``CronExpression`` in GMT) and its refusals, the windows it opens, and
:class:`ScheduledPruning` running a job on the runtime's scheduler and simulated clock."""

from __future__ import annotations

import calendar
import datetime as dt
import time

import pytest

from canton_console.runtime import pruning_schedule as ps
from canton_console.runtime.clock import SimClock
from canton_console.runtime.scheduler import Scheduler


def seconds(text: str) -> int:
    return calendar.timegm(dt.datetime.fromisoformat(text).timetuple())


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("0 0 8 ? * SAT", "1970-01-01T00:00:00", "1970-01-03T08:00:00"),  # the epoch was a Thursday
        ("0 0 8 ? * sat", "2025-01-01T00:00:00", "2025-01-04T08:00:00"),  # log4j reads names in any case
        ("0 /5 * * * ?", "1970-01-01T00:16:40", "1970-01-01T00:20:00"),
        ("0 /5 * * * ?", "2025-01-01T10:03:00", "2025-01-01T10:05:00"),
        ("*/10 * * * * ?", "2025-01-01T10:03:05", "2025-01-01T10:03:10"),
        ("0 0 0 31 12 ? 2025", "2024-06-01T00:00:00", "2025-12-31T00:00:00"),
        ("30 10 9 1,15 JAN-MAR ?", "2025-01-15T09:10:30", "2025-02-01T09:10:30"),
        ("0 0 12 1 JAN-MAR ? 2030", "2025-06-01T00:00:00", "2030-01-01T12:00:00"),
        ("0 0 22 ? * FRI-MON", "2025-01-07T00:00:00", "2025-01-10T22:00:00"),  # a range that wraps
        ("0 0 12 1 1 ? 2020", "2025-06-01T00:00:00", None),
        ("0 0 0 1 1 ? 1999", "2001-09-09T01:46:40", None),
    ],
)
def test_next_valid_time_is_strictly_after(cron, after, expected):
    found = ps.next_valid_time_after(ps.parse(cron), seconds(after))
    assert found == (None if expected is None else seconds(expected))


def test_next_valid_times_follow_cantons_own_series():
    """Canton's CronTest: every 10 minutes at 8am and 8pm in December 2022."""
    cron = ps.parse("0 /10 8,20 * 12 ? 2022")
    times = [seconds(f"2022-12-{day:02d}T{hour:02d}:{minute:02d}:00") for day in range(1, 32) for hour in (8, 20) for minute in range(0, 60, 10)]
    assert [ps.next_valid_time_after(cron, t) for t in times[:-1]] == times[1:]
    assert ps.next_valid_time_after(cron, times[-1]) is None


@pytest.mark.parametrize(
    ("cron", "why"),
    [
        ("0 0 * * *", "Unexpected end of expression."),
        ("0 0 8", "Unexpected end of expression."),
        ("0 0 8 * * SAT", "Support for specifying both a day-of-week AND a day-of-month parameter is not implemented."),
        ("* * * * * * *", "Support for specifying both a day-of-week AND a day-of-month parameter is not implemented."),
        ("0 0 8 ? * ?", "'?' can only be specified for Day-of-Month -OR- Day-of-Week."),
        ("? 0 8 * * ?", "'?' can only be specified for Day-of-Month or Day-of-Week."),
        ("0 61 * * * ?", "Minute and Second values must be between 0 and 59"),
        ("61 0 8 ? * SAT", "Minute and Second values must be between 0 and 59"),
        ("0 0 25 * * ?", "Hour values must be between 0 and 23"),
        ("0 0 * * FOO ?", "Illegal characters for this position: 'FOO'"),
        ("0 0 8 ? * FOO", "Illegal characters for this position: 'FOO'"),
        ("* * * * * ? foo", "Illegal characters for this position: 'FOO'"),
        ("0 30 23 L-2 * ?", "Support for 'L', 'W' and '#' in 'L-2' is not implemented by canton-console"),
        ("0 0 8 ? * 6#3", "Support for 'L', 'W' and '#' in '6#3' is not implemented by canton-console"),
        ("1" * 301, "The given string has a maximum length of 300 but a string of length 301 was given"),
    ],
)
def test_refusals_are_cantons(cron, why):
    with pytest.raises(ps.CronError) as e:
        ps.parse(cron)
    assert str(e.value) == f'Invalid cron expression "{cron}": {why}'


def test_a_window_is_open_for_max_duration_after_each_start():
    evening = ps.parse("0 0 20 * * ?")
    assert ps.window_start(evening, 7200, 20 * 3600 + 60) == 20 * 3600
    assert ps.window_open(evening, 7200, 22 * 3600 - 1)
    assert not ps.window_open(evening, 7200, 22 * 3600)  # open for max_duration: closed at its end
    assert not ps.window_open(evening, 7200, 19 * 3600)


# ---- ScheduledPruning on the runtime's scheduler and a simulated clock -------------------------------
SECOND = 1_000_000


def _eventually(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert check()


@pytest.fixture
def runtime():
    clock = SimClock(seconds("2025-01-01T20:30:00") * SECOND)
    scheduler = Scheduler(clock)
    yield clock, scheduler
    scheduler.stop()


def test_runs_at_once_in_an_open_window_then_at_each_start(runtime):
    clock, scheduler = runtime
    calls: list[int] = []
    schedule = ps.Schedule("0 0 20 * * ?", 2 * 3600, 86400)

    def job(given: ps.Schedule) -> bool:
        assert given == schedule
        calls.append(clock.now())
        return False

    pruning = ps.ScheduledPruning("node", scheduler, clock, lambda: schedule, job)
    scheduler.call(pruning.arm)
    _eventually(lambda: len(calls) == 1)
    clock.advance(3600 * SECOND)  # 21:30: the window is open, but this start's run is done
    time.sleep(0.1)
    assert len(calls) == 1
    clock.advance_to(seconds("2025-01-02T20:00:00") * SECOND)
    _eventually(lambda: len(calls) == 2)
    assert pruning.runs == 2
    scheduler.call(pruning.disarm)
    clock.advance(86400 * SECOND)
    time.sleep(0.1)
    assert len(calls) == 2


def test_more_work_runs_on_within_the_window_and_a_failure_backs_off(runtime):
    clock, scheduler = runtime
    outcomes = [True, True, False, RuntimeError("store busy"), False]
    calls: list[int] = []

    def job(_schedule: ps.Schedule) -> bool:
        calls.append(clock.now())
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    schedule = ps.Schedule("0 0 * * * ?", 600, 86400)
    pruning = ps.ScheduledPruning("node", scheduler, clock, lambda: schedule, job)
    scheduler.call(pruning.arm)
    clock.advance_to(seconds("2025-01-01T21:00:00") * SECOND)
    _eventually(lambda: len(calls) == 3)  # one run: more, more, done
    clock.advance_to(seconds("2025-01-01T22:00:00") * SECOND)
    _eventually(lambda: len(calls) == 4)  # fails: retried after the back-off
    clock.advance(ps.BACKOFF_MICROS - 1)
    time.sleep(0.1)
    assert len(calls) == 4
    clock.advance(1)
    _eventually(lambda: len(calls) == 5)


def test_nothing_runs_while_the_node_may_not(runtime):
    clock, scheduler = runtime
    calls: list[int] = []
    allowed = [False]
    schedule = ps.Schedule("0 0 20 * * ?", 2 * 3600, 86400)
    pruning = ps.ScheduledPruning("node", scheduler, clock, lambda: schedule, lambda _s: bool(calls.append(1)), lambda: allowed[0])
    scheduler.call(pruning.arm)
    clock.advance(86400 * SECOND)
    time.sleep(0.1)
    assert calls == [] and pruning.runs == 0
    allowed[0] = True
    scheduler.call(pruning.arm)
    _eventually(lambda: calls == [1])
