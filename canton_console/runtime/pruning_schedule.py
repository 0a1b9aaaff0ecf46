"""Automatic pruning schedules, one design for every node as in Canton 3.3 (``PruningSchedule``,
its ``Cron`` and ``JobScheduler``): parsing the cron, storing the node's schedule
(``cc_pruning_schedule``, one row) and running it on the runtime's clock.

Canton wraps log4j's ``CronExpression`` in the GMT time zone: six or seven whitespace-separated
fields, seconds, minutes, hours, day of the month, month, day of the week and an optional year. A
field is ``*``, a value, a range ``a-b``, a step ``a/n`` or ``a-b/n`` (``/n`` starts at the lowest
value), or a list of those; months and days of the week may be written by name (``JAN``, ``SAT``).
Exactly one of the two day fields is ``?``. log4j's ``L``, ``W`` and ``#`` are refused by name:
this console does not evaluate them.

``parse`` refuses what Canton refuses, with its messages; ``next_valid_time_after`` is log4j's
``getNextValidTimeAfter`` (strictly after, whole seconds); ``window_start`` is the start of a
window (a valid time plus ``max_duration``) open now (Canton's
``CronSchedule.waitDurationUntilNextRun``)."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import attrs
from sqlalchemy import delete, insert, select, update

from canton_console.store import schema as s
from canton_console.values.timefmt import canton_duration, instant

log = logging.getLogger("canton_console.pruning")

MONTHS = {name: i + 1 for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
DAYS = {name: i + 1 for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
MAX_YEAR = 2099  # log4j's CronExpression looks no further
MAX_CRON_LENGTH = 300  # Canton stores the cron as a String300
# How long a scheduled run waits after a failed attempt within an open window (Canton backs off too)
BACKOFF_MICROS = 10_000_000


class CronError(ValueError):
    """Why a cron expression is refused: Canton's ``Invalid cron expression "<cron>": <log4j's reason>``."""


@attrs.frozen
class CronField:
    values: frozenset[int]
    any_value: bool = False  # ``*`` or ``?``: no restriction


@attrs.frozen
class Cron:
    text: str
    seconds: CronField
    minutes: CronField
    hours: CronField
    days_of_month: CronField
    months: CronField
    days_of_week: CronField  # 1 = Sunday ... 7 = Saturday
    years: CronField

    def matches_day(self, day: dt.date) -> bool:
        if day.year not in self.years.values or day.month not in self.months.values:
            return False
        dow = day.isoweekday() % 7 + 1  # Sunday = 1
        return (self.days_of_month.any_value or day.day in self.days_of_month.values) and (self.days_of_week.any_value or dow in self.days_of_week.values)


# field name, lowest, highest, names, log4j's out-of-range message
_FIELDS = (
    ("seconds", 0, 59, None, "Minute and Second values must be between 0 and 59"),
    ("minutes", 0, 59, None, "Minute and Second values must be between 0 and 59"),
    ("hours", 0, 23, None, "Hour values must be between 0 and 23"),
    ("days_of_month", 1, 31, None, "Day of month values must be between 1 and 31"),
    ("months", 1, 12, MONTHS, "Month values must be between 1 and 12"),
    ("days_of_week", 1, 7, DAYS, "Day-of-Week values must be between 1 and 7"),
    ("years", 1970, MAX_YEAR, None, f"Year values must be between 1970 and {MAX_YEAR}"),
)


def parse(text: str) -> Cron:
    """The cron expression ``text``, or CronError with Canton's message."""
    try:
        if len(text) > MAX_CRON_LENGTH:
            raise CronError(f"The given string has a maximum length of {MAX_CRON_LENGTH} but a string of length {len(text)} was given")
        return _parse(text)
    except CronError as e:
        raise CronError(f'Invalid cron expression "{text}": {e}') from None


def _parse(text: str) -> Cron:
    parts = text.upper().split()
    if len(parts) < 6:
        raise CronError("Unexpected end of expression.")
    if len(parts) > 7:
        raise CronError(f"Illegal characters for this position: '{parts[7]}'")
    if len(parts) == 6:
        parts.append("*")
    dom, dow = parts[3], parts[5]
    if (dom == "?") == (dow == "?"):
        if dom == "?":
            raise CronError("'?' can only be specified for Day-of-Month -OR- Day-of-Week.")
        raise CronError("Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.")
    fields = {}
    for (name, low, high, names, out_of_range), part in zip(_FIELDS, parts, strict=True):
        fields[name] = _field(part, name, low, high, names, out_of_range)
    return Cron(text, **fields)


def _field(part: str, name: str, low: int, high: int, names: dict[str, int] | None, out_of_range: str) -> CronField:
    if part == "?":
        if name not in ("days_of_month", "days_of_week"):
            raise CronError("'?' can only be specified for Day-of-Month or Day-of-Week.")
        return CronField(frozenset(range(low, high + 1)), any_value=True)
    if part == "*":
        return CronField(frozenset(range(low, high + 1)), any_value=True)
    values: set[int] = set()
    for item in part.split(","):
        if any(c in item for c in "LW#"):
            raise CronError(f"Support for 'L', 'W' and '#' in '{item}' is not implemented by canton-console")
        rng, _, step_text = item.partition("/")
        if step_text:
            step = _number(step_text, None, item)
            if step <= 0 or step > high:
                raise CronError(f"Increment > {high - low + 1} : {step}" if step > 0 else f"Illegal characters for this position: '{item}'")
        else:
            step = 1
        if rng in ("", "*"):
            start, end = low, high
        elif "-" in rng:
            first, _, last = rng.partition("-")
            start, end = _number(first, names, item), _number(last, names, item)
        else:
            start = _number(rng, names, item)
            end = high if step_text else start
        for value in (start, end):
            if not low <= value <= high:
                raise CronError(out_of_range)
        if end >= start:
            values.update(range(start, end + 1, step))
        else:  # a range that wraps around (log4j: FRI-MON, 22-2)
            values.update(v if v <= high else v - (high - low + 1) for v in range(start, end + (high - low + 1) + 1, step))
    return CronField(frozenset(values))


def _number(text: str, names: dict[str, int] | None, item: str) -> int:
    if text.isdigit():
        return int(text)
    if names is not None and text in names:
        return names[text]
    raise CronError(f"Illegal characters for this position: '{item}'")


def next_valid_time_after(cron: Cron, after_seconds: int) -> int | None:
    """The first time (seconds since the epoch, UTC) strictly after ``after_seconds`` that the
    expression allows; None when there is none (before the year 2100)."""
    start = dt.datetime.fromtimestamp(after_seconds + 1, dt.UTC)
    day = start.date()
    first_second = start.hour * 3600 + start.minute * 60 + start.second
    while day.year <= MAX_YEAR:
        if day.year not in cron.years.values:
            day = dt.date(day.year + 1, 1, 1)
            first_second = 0
            continue
        if cron.matches_day(day):
            found = _first_time_of_day(cron, first_second)
            if found is not None:
                return calendar.timegm(day.timetuple()) + found
        day += dt.timedelta(days=1)
        first_second = 0
    return None


def _first_time_of_day(cron: Cron, from_second: int) -> int | None:
    for hour in sorted(cron.hours.values):
        if (hour + 1) * 3600 <= from_second:
            continue
        for minute in sorted(cron.minutes.values):
            if hour * 3600 + (minute + 1) * 60 <= from_second:
                continue
            for second in sorted(cron.seconds.values):
                at = hour * 3600 + minute * 60 + second
                if at >= from_second:
                    return at
    return None


def window_start(cron: Cron, max_duration_seconds: int, now_seconds: int) -> int | None:
    """The start of the window open now: a valid time no more than ``max_duration`` ago (Canton:
    the next valid time after ``now - maxDuration``, when it is not after now); None when closed."""
    start = next_valid_time_after(cron, now_seconds - max_duration_seconds)
    return start if start is not None and start <= now_seconds else None


def window_open(cron: Cron, max_duration_seconds: int, now_seconds: int) -> bool:
    return window_start(cron, max_duration_seconds, now_seconds) is not None


# ---- the stored schedule ---------------------------------------------------------------------------
@attrs.frozen
class Schedule:
    """A node's pruning schedule: cron, maximum duration and retention (whole seconds); a
    participant's may prune only internal state (``set_participant_schedule``)."""

    cron: str
    max_duration: int
    retention: int
    prune_internally_only: bool = False


class ScheduleMissing(ValueError):
    """Canton's refusal to update a field of a schedule that is not set."""


def read_schedule(conn: Any) -> Schedule | None:
    row = conn.execute(select(s.PruningScheduleRow.__table__)).mappings().first()
    if row is None:
        return None
    return Schedule(row["cron"], row["max_duration"], row["retention"], bool(row["prune_internally_only"]))


def write_schedule(conn: Any, schedule: Schedule) -> None:
    conn.execute(delete(s.PruningScheduleRow))
    conn.execute(insert(s.PruningScheduleRow), [{"id": 1, **attrs.asdict(schedule)}])


def clear_schedule(conn: Any) -> None:
    conn.execute(delete(s.PruningScheduleRow))


def update_schedule(conn: Any, field: str, value: Any) -> None:
    """Change one field (``cron``, ``max_duration``, ``retention``) of the stored schedule; refused
    (Canton's words) when there is none."""
    if not conn.execute(update(s.PruningScheduleRow).values({field: value})).rowcount:
        raise ScheduleMissing(f"Attempt to update {field} of a schedule that has not been previously configured. Use set_schedule instead.")


# ---- running it ------------------------------------------------------------------------------------
class ScheduledPruning:
    """Runs a node's pruning schedule on the runtime's clock (Canton's ``JobScheduler``): at each
    start time of the cron (or at once when a window is open when armed) the job prunes
    (``job(schedule)`` returns True when there is more to do) as long as the window of
    ``max_duration`` after the start lasts; a failed run is retried after a back-off within the
    window; then it waits for the next start time. ``arm`` (re)reads the schedule from the store;
    ``disarm`` stops it. Nothing runs while ``may_run`` says no (node stopped, passive, halted)."""

    def __init__(
        self,
        node_name: str,
        scheduler: Any,
        clock: Any,
        read: Callable[[], Schedule | None],
        job: Callable[[Schedule], bool],
        may_run: Callable[[], bool] = lambda: True,
    ):
        self._node_name = node_name
        self._scheduler = scheduler
        self._clock = clock
        self._read = read
        self._job = job
        self._may_run = may_run
        self._timer: Any = None
        self.runs = 0  # pruning runs started (for observers and tests)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def arm(self) -> None:
        """Wait for the next start time, or run at once when a window is open now."""
        self._arm(in_open_window=True)

    def _schedule_to_run(self) -> Schedule | None:
        """The stored schedule, when the node may run it (None: nothing to run now)."""
        if not self._may_run():
            return None
        try:
            return self._read()
        except Exception as e:  # noqa: BLE001 - the store is unavailable: armed again when it is back
            log.info("%s could not read its pruning schedule: %s", self._node_name, e)
            return None

    def _arm(self, in_open_window: bool) -> None:
        self.disarm()
        schedule = self._schedule_to_run()
        if schedule is None:
            return
        try:
            cron = parse(schedule.cron)
        except CronError as e:  # checked when set: only a store edited by hand gets here
            log.warning("pruning schedule of %s not run: %s", self._node_name, e)
            return
        now = self._clock.now()
        now_seconds = now // 1_000_000
        open_since = window_start(cron, schedule.max_duration, now_seconds) if in_open_window else None
        if open_since is not None:
            started, at = open_since * 1_000_000, now
        else:
            start = next_valid_time_after(cron, now_seconds)
            if start is None:
                log.info("Cron expression %s allows for no more running after %s", schedule.cron, instant(now))
                return
            started = at = start * 1_000_000
        self._timer = self._scheduler.schedule_at(at, lambda: self._run(started))

    def _run(self, started: int) -> None:
        self._timer = None
        schedule = self._schedule_to_run()
        if schedule is None:
            return
        self.runs += 1
        window_end = started + schedule.max_duration * 1_000_000
        try:
            while self._job(schedule) and self._clock.now() < window_end:
                pass
        except Exception as e:  # noqa: BLE001 - Canton logs a failed run and backs off
            now = self._clock.now()
            log.info("Backing off %s or until next window after error: %s", canton_duration(BACKOFF_MICROS), e)
            if now + BACKOFF_MICROS < window_end:
                self._timer = self._scheduler.schedule_at(now + BACKOFF_MICROS, lambda: self._run(started))
                return
        self._arm(in_open_window=False)
