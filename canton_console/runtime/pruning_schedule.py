"""Automatic pruning schedules (Canton's ``PruningSchedule`` and its cron): parsing the cron,
storing a node's schedule (``cc_pruning_schedule``, one row) and running it on the node's clock.

Canton's cron is Quartz's (log4j ``CronExpression``, in GMT): seconds, minutes, hours, day of month,
month, day of week and an optional year. This module reads that syntax (``*``, ``?``, lists, ranges,
steps, month and weekday names) and refuses Quartz's ``L``, ``W`` and ``#`` by name."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import attrs
from sqlalchemy import delete, insert, select, update

from canton_console.store import schema as s

log = logging.getLogger("canton_console.pruning")

MONTHS = {name: i + 1 for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
WEEKDAYS = {name: i + 1 for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}  # Quartz: 1 = Sunday
# (name, lowest, highest, names) of each field, in order
FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("seconds", 0, 59, {}),
    ("minutes", 0, 59, {}),
    ("hours", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, WEEKDAYS),
    ("year", 1970, 2099, {}),
)
MAX_CRON_LENGTH = 300  # Canton's String300


class CronError(ValueError):
    """Why a cron expression is refused (Canton: ``Invalid cron expression "<cron>": <why>``)."""


def _value(token: str, low: int, high: int, names: dict[str, int], field: str) -> int:
    upper = token.upper()
    if upper in names:
        return names[upper]
    if not token.isdigit():
        if any(c in upper for c in "LW#"):
            raise CronError(f"Support for the special characters L, W and # ({field} '{token}') is not implemented in canton-console")
        raise CronError(f"Illegal characters for this position: '{token}'")
    number = int(token)
    if not low <= number <= high:
        raise CronError(f"{field[0].upper()}{field[1:]} values must be between {low} and {high}")
    return number


def _field_values(text: str, index: int) -> frozenset[int] | None:
    """The values one field allows; None for ``?`` (no specific value)."""
    field, low, high, names = FIELDS[index]
    if text == "?":
        if field not in ("day-of-month", "day-of-week"):
            raise CronError("'?' can only be specified for Day-of-Month or Day-of-Week.")
        return None
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"Unexpected end of expression in the {field} field")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text or part.endswith("/"):
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"A numeric value between 1 and {high} must follow the '/' character")
            step = int(step_text)
        if base in ("*", ""):
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _value(first, low, high, names, field), _value(last, low, high, names, field)
        else:
            start = _value(base, low, high, names, field)
            end = high if step_text else start
        if start <= end:
            values.update(range(start, end + 1, step))
        else:  # Quartz wraps a range like FRI-MON or 22-2
            span = list(range(start, high + 1)) + list(range(low, end + 1))
            values.update(span[::step])
    return frozenset(values)


@attrs.frozen
class Cron:
    """A parsed Quartz cron expression (GMT)."""

    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None

    @classmethod
    def parse(cls, text: str) -> Cron:
        try:
            return cls._parse(text)
        except CronError as e:
            raise CronError(f'Invalid cron expression "{text}": {e}') from None

    @classmethod
    def _parse(cls, text: str) -> Cron:
        if len(text) > MAX_CRON_LENGTH:
            raise CronError(f"The string is too long ({len(text)} > {MAX_CRON_LENGTH} characters)")
        parts = text.split()
        if len(parts) < 6:
            raise CronError("Unexpected end of expression.")
        if len(parts) > 7:
            raise CronError("Too many fields: a cron expression has 6 or 7 (seconds minutes hours day-of-month month day-of-week [year])")
        values = [_field_values(part, i) for i, part in enumerate(parts)]
        dom, dow = values[3], values[5]
        if dom is not None and dow is not None:
            raise CronError("Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.")
        if dom is None and dow is None:
            raise CronError("'?' can only be specified for Day-of-Month -OR- Day-of-Week.")
        seconds, minutes, hours, months = values[0], values[1], values[2], values[4]
        assert seconds is not None and minutes is not None and hours is not None and months is not None  # '?' refused above
        return cls(text, seconds, minutes, hours, dom, months, dow, values[6] if len(values) == 7 else None)

    def _day_matches(self, day: dt.date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.days_of_month is not None:
            return day.day in self.days_of_month
        assert self.days_of_week is not None
        return (day.isoweekday() % 7) + 1 in self.days_of_week  # Quartz: Sunday 1 .. Saturday 7

    def next_after(self, micros: int) -> int | None:
        """The first start time strictly after ``micros`` (µs since the epoch, GMT), or None when the
        expression allows none (within Quartz's years)."""
        start = dt.datetime.fromtimestamp(micros // 1_000_000, dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
        day = start.date()
        while day.year <= 2099:
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        if dt.datetime(day.year, day.month, day.day, hour, minute, 59) < start:
                            continue  # the whole minute lies before the start
                        for second in sorted(self.seconds):
                            moment = dt.datetime(day.year, day.month, day.day, hour, minute, second)
                            if moment >= start:
                                return calendar.timegm(moment.timetuple()) * 1_000_000
            day += dt.timedelta(days=1)
        return None


@attrs.frozen
class Schedule:
    """A node's pruning schedule: cron, maximum duration and retention (whole seconds)."""

    cron: str
    max_duration: int
    retention: int


def read_schedule(conn: Any) -> Schedule | None:
    row = conn.execute(select(s.PruningScheduleRow.__table__)).mappings().first()
    return None if row is None else Schedule(row["cron"], row["max_duration"], row["retention"])


def write_schedule(conn: Any, schedule: Schedule) -> None:
    conn.execute(delete(s.PruningScheduleRow))
    conn.execute(insert(s.PruningScheduleRow), [{"id": 1, "cron": schedule.cron, "max_duration": schedule.max_duration, "retention": schedule.retention}])


def clear_schedule(conn: Any) -> None:
    conn.execute(delete(s.PruningScheduleRow))


def update_schedule(conn: Any, field: str, value: Any) -> None:
    """Change one field of the stored schedule; refused (Canton's words) when there is none."""
    if not conn.execute(update(s.PruningScheduleRow).values({field: value})).rowcount:
        raise ScheduleMissing(f"Attempt to update {field} of a schedule that has not been previously configured. Use set_schedule instead.")


class ScheduleMissing(ValueError):
    pass


class ScheduledPruning:
    """Runs a node's pruning schedule on the runtime's clock: at each start time of the cron, the
    job prunes (``job(retention_seconds)`` returns True when there is more to do) as long as the
    window of ``max_duration`` after the start lasts; then it waits for the next start time.
    ``arm`` (re)reads the schedule from the store; ``disarm`` stops it (node stopped)."""

    def __init__(self, node_name: str, scheduler: Any, clock: Any, read: Callable[[], Schedule | None], job: Callable[[int], bool]):
        self._node_name = node_name
        self._scheduler = scheduler
        self._clock = clock
        self._read = read
        self._job = job
        self._timer: Any = None
        self.runs = 0  # pruning runs started (for observers and tests)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def arm(self) -> None:
        self.disarm()
        schedule = self._read()
        if schedule is None:
            return
        now = self._clock.now()
        try:
            start = Cron.parse(schedule.cron).next_after(now)
        except CronError as e:  # checked when set: only a store edited by hand gets here
            log.warning("pruning schedule of %s not run: %s", self._node_name, e)
            return
        if start is None:
            log.warning("pruning schedule of %s: no next valid time after now exists", self._node_name)
            return
        self._timer = self._scheduler.schedule_at(start, lambda: self._run(start))

    def _run(self, started: int) -> None:
        self._timer = None
        schedule = self._read()
        if schedule is None:
            return
        self.runs += 1
        window_end = started + schedule.max_duration * 1_000_000
        try:
            while self._job(schedule.retention) and self._clock.now() < window_end:
                pass
        except Exception as e:  # noqa: BLE001 - Canton logs a failed run and waits for the next start time
            log.warning("scheduled pruning of %s failed: %s", self._node_name, e)
        self.arm()
