"""Pure text formatting of durations and instants, the way Canton and the JVM print them.

Everything here takes ``int`` microseconds (the runtime's unit for both timestamps and durations) and
returns a string; nothing here depends on the rest of canton_console.

- ``canton_duration``: Canton's ``prettyJDuration`` (``30s``, ``1m 30s``, ``48h``, ``0.25s``), used for every
  duration inside a pretty-printed record.
- ``scala_duration_text``: Scala's ``FiniteDuration.toString`` (``923 milliseconds``), what the console
  shows for a returned ``Duration`` such as a ping's round trip.
- ``round_for_humans``: Canton's ``LoggerUtil.roundDurationForHumans`` (``30 seconds``), used in messages.
- ``instant`` / ``parse_instant``: ``java.time.Instant`` text (``2025-07-17T22:19:58.353490Z``).
"""

from __future__ import annotations

import datetime as _dt
import re

MICROS_PER_MILLI = 1_000
MICROS_PER_SECOND = 1_000_000
MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND
MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE
MICROS_PER_DAY = 24 * MICROS_PER_HOUR

# Scala's TimeUnit names, finest first, with their size in microseconds. Nanoseconds are absent because
# the runtime never holds anything finer than a microsecond.
SCALA_UNITS: tuple[tuple[str, int], ...] = (
    ("microsecond", 1),
    ("millisecond", MICROS_PER_MILLI),
    ("second", MICROS_PER_SECOND),
    ("minute", MICROS_PER_MINUTE),
    ("hour", MICROS_PER_HOUR),
    ("day", MICROS_PER_DAY),
)
_UNIT_MICROS = dict(SCALA_UNITS)


def normalize_unit(unit: str) -> str:
    """The singular Scala unit name for ``unit`` (``"ms"``, ``"millis"``, ``"MILLISECONDS"`` → ``millisecond``)."""
    u = unit.strip().lower()
    aliases = {
        "us": "microsecond", "µs": "microsecond", "micro": "microsecond", "micros": "microsecond",
        "ms": "millisecond", "milli": "millisecond", "millis": "millisecond",
        "s": "second", "sec": "second", "secs": "second",
        "m": "minute", "min": "minute", "mins": "minute",
        "h": "hour", "d": "day",
    }
    if u in aliases:
        return aliases[u]
    if u.endswith("s") and u[:-1] in _UNIT_MICROS:
        u = u[:-1]
    if u not in _UNIT_MICROS:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(n + 's' for n, _ in SCALA_UNITS)}")
    return u


def unit_micros(unit: str) -> int:
    """How many microseconds one ``unit`` holds."""
    return _UNIT_MICROS[normalize_unit(unit)]


# --------------------------------------------------------------------------------------------------
# java.time.Duration.toString and Canton's prettyJDuration


def java_duration_string(micros: int) -> str:
    """``java.time.Duration.toString`` of a duration given in microseconds (``PT1M30S``, ``PT0.25S``).

    Follows the JDK algorithm, including its treatment of negative durations (seconds are floored and
    the nano part is kept non-negative), so that a negative value prints as Java would (``PT-0.5S``).
    """
    if micros == 0:
        return "PT0S"
    seconds, sub_micros = divmod(micros, MICROS_PER_SECOND)  # floor, as Duration stores it
    nanos = sub_micros * 1000
    effective = seconds + 1 if seconds < 0 and nanos > 0 else seconds

    def jdiv(a: int, b: int) -> int:  # Java's truncating division
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b > 0) else -q

    def jmod(a: int, b: int) -> int:
        return a - b * jdiv(a, b)

    hours = jdiv(effective, 3600)
    minutes = jdiv(jmod(effective, 3600), 60)
    secs = jmod(effective, 60)
    buf = "PT"
    if hours != 0:
        buf += f"{hours}H"
    if minutes != 0:
        buf += f"{minutes}M"
    if secs == 0 and nanos == 0 and len(buf) > 2:
        return buf
    if seconds < 0 and nanos > 0:
        buf += "-0" if secs == 0 else str(secs)
    else:
        buf += str(secs)
    if nanos > 0:
        frac = str(2 * 1_000_000_000 - nanos) if seconds < 0 else str(nanos + 1_000_000_000)
        # the leading digit of frac is replaced by '.', trailing zeros dropped, exactly as the JDK does
        buf += "." + frac[1:].rstrip("0")
    return buf + "S"


_UNIT_SPACING = re.compile(r"(\d[HMS])(?!$)")


def canton_duration(micros: int) -> str:
    """Canton's ``prettyJDuration``: Java's ``Duration.toString`` minus ``PT``, a space after each unit
    letter that is not at the end, lower-cased. ``30s``, ``1m 30s``, ``48h`` (no day unit), ``0.25s``."""
    text = java_duration_string(micros)[2:]
    return _UNIT_SPACING.sub(r"\1 ", text).lower()


# --------------------------------------------------------------------------------------------------
# Scala FiniteDuration.toString


def coarsest_unit(micros: int) -> str:
    """The coarsest Scala unit that holds ``micros`` exactly (Scala's ``toCoarsest``); zero is in days,
    like Scala's ``Duration.Zero`` (``0 days``)."""
    if micros == 0:
        return "day"
    best = "microsecond"
    for name, size in SCALA_UNITS:
        if micros % size == 0:
            best = name
    return best


def scala_duration_text(micros: int, unit: str | None = "millisecond") -> str:
    """Scala's ``FiniteDuration.toString``: ``<length> <unit>[s]`` with the plural unless the length is 1.

    ``unit`` is the unit the duration was built in (Scala keeps it): ping results are built in
    milliseconds, hence the default (``923 milliseconds``, ``1 millisecond``, ``1000 milliseconds``).
    ``unit=None`` picks the coarsest exact unit, as ``toCoarsest`` would (``10 seconds``, ``1 minute``).
    A length that does not fit the unit exactly is truncated toward zero, as converting a Scala
    duration to a coarser unit does.
    """
    name = coarsest_unit(micros) if unit is None else normalize_unit(unit)
    size = _UNIT_MICROS[name]
    length = abs(micros) // size * (1 if micros >= 0 else -1)
    return f"{length} {name}" + ("" if length == 1 else "s")


def round_for_humans(micros: int, keep: int = 2) -> str:
    """Canton's ``LoggerUtil.roundDurationForHumans``: the coarsest unit (up to days) that still shows at
    least ``keep`` significant digits, or that loses nothing. ``30 seconds``, ``1 minute``, ``2 minutes``,
    ``90 seconds``, ``500 milliseconds``, ``12345 milliseconds``; zero is ``0 seconds``.

    Canton starts from nanoseconds; we start from microseconds, which yields the same result for every
    duration the runtime can hold (nanos divisible by 1000 always move up to microseconds).
    """
    if micros == 0:
        return "0 seconds"
    keep_bound = 10**keep
    # unit -> (how many of it make the next unit, the next unit); days are the coarsest
    coarser = {
        "microsecond": (1000, "millisecond"),
        "millisecond": (1000, "second"),
        "second": (60, "minute"),
        "minute": (60, "hour"),
        "hour": (24, "day"),
    }
    # Canton works on the magnitude (BigInt division); format it and restore the sign.
    sign = -1 if micros < 0 else 1
    length, unit = abs(micros), "microsecond"
    while unit in coarser:
        divider, next_unit = coarser[unit]
        scaled = length // divider
        # move up while enough digits remain, or while moving up loses nothing
        if scaled >= keep_bound or length % divider == 0:
            length, unit = scaled, next_unit
        else:
            break
    length *= sign
    return f"{length} {unit}" + ("" if length == 1 else "s")


# --------------------------------------------------------------------------------------------------
# java.time.Instant

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def instant(micros: int) -> str:
    """``java.time.Instant.toString`` of a timestamp in microseconds since the epoch: ISO-8601 in UTC
    with 0, 3 or 6 fraction digits, whichever is the shortest exact form (Java would go to 9, but the
    runtime has no nanoseconds). ``1970-01-01T00:00:00Z``, ``2025-07-17T22:19:58.350Z``,
    ``2025-07-17T22:19:58.353490Z``."""
    try:
        moment = _EPOCH + _dt.timedelta(microseconds=micros)
    except OverflowError as e:
        raise ValueError(f"timestamp {micros} µs is outside the years 1 to 9999") from e
    head = moment.strftime("%Y-%m-%dT%H:%M:%S")
    # strftime's %Y does not zero-pad years below 1000 on every platform; Java pads to four digits.
    head = f"{moment.year:04d}" + head[head.index("-"):]
    us = moment.microsecond
    if us == 0:
        frac = ""
    elif us % 1000 == 0:
        frac = f".{us // 1000:03d}"
    else:
        frac = f".{us:06d}"
    return f"{head}{frac}Z"


_INSTANT_RE = re.compile(
    r"^(?P<date>-?\d{4,}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})$"
)


def parse_instant(text: str) -> int:
    """Microseconds since the epoch of an ISO-8601 instant (``2025-07-17T22:19:58.353490Z``).

    Accepts ``Z`` or a ``±hh:mm`` offset and up to nine fraction digits; digits beyond microseconds must be
    zero, because a Canton timestamp has microsecond precision and silently dropping them would hide
    a mistake.
    """
    m = _INSTANT_RE.match(text.strip())
    if m is None:
        raise ValueError(f"not an ISO-8601 instant: {text!r} (expected e.g. 2025-07-17T22:19:58.353490Z)")
    frac = m.group("f") or ""
    if len(frac) > 6 and int(frac[6:]) != 0:
        raise ValueError(f"instant {text!r} is finer than a microsecond")
    micros_part = int((frac + "000000")[:6])
    tz = m.group("tz")
    iso = f"{m.group('date')}T{m.group('h')}:{m.group('m')}:{m.group('s') or '00'}" + (
        "+00:00" if tz == "Z" else tz
    )
    try:
        moment = _dt.datetime.fromisoformat(iso)
    except ValueError as e:
        raise ValueError(f"not a valid instant: {text!r} ({e})") from e
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + micros_part
