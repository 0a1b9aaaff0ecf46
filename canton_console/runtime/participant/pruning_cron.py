"""Cron expressions as Canton's pruning schedules read them (Canton wraps log4j's ``CronExpression``,
in the GMT time zone): six or seven whitespace-separated fields, seconds, minutes, hours, day of the
month, month, day of the week and an optional year. A field is ``*``, a value, a range ``a-b``, a
step ``a/n`` or ``a-b/n`` (``/n`` starts at the lowest value), or a list of those; months and days
of the week may be written by name (``JAN``, ``SAT``). Exactly one of the two day fields is ``?``.
log4j's ``L``, ``W`` and ``#`` are refused by name: this console does not evaluate them.

``parse`` refuses what log4j refuses, with its messages; ``next_valid_time_after`` is log4j's
``getNextValidTimeAfter`` (strictly after, whole seconds); ``window_open`` says whether a window
that starts at a valid time and lasts ``max_duration`` is open now (Canton's
``CronSchedule.waitDurationUntilNextRun``)."""

from __future__ import annotations

import calendar
import datetime as dt

import attrs

MONTHS = {name: i + 1 for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
DAYS = {name: i + 1 for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
MAX_YEAR = 2099  # log4j's CronExpression looks no further


class CronError(ValueError):
    """log4j's ParseException: the message Canton shows after ``Invalid cron expression "..."``."""


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
    """The cron expression ``text``, or CronError with log4j's reason."""
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


def window_open(cron: Cron, max_duration_seconds: int, now_seconds: int) -> bool:
    """Whether a window that opened at a valid time no more than ``max_duration`` ago is open now
    (Canton: the next valid time after ``now - maxDuration`` is not after now)."""
    start = next_valid_time_after(cron, now_seconds - max_duration_seconds)
    return start is not None and start <= now_seconds
