"""Duration and instant texts as Canton and the JVM print them."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canton_console.values.timefmt import (
    canton_duration,
    instant,
    java_duration_string,
    parse_instant,
    round_for_humans,
    scala_duration_text,
)

S = 1_000_000
MS = 1_000


@pytest.mark.parametrize(
    "micros, text",
    [
        (30 * S, "30s"),
        (60 * S, "1m"),
        (90 * S, "1m 30s"),
        (6 * 60 * S, "6m"),
        (10 * 60 * S, "10m"),
        (24 * 3600 * S, "24h"),
        (48 * 3600 * S, "48h"),
        (250 * MS, "0.25s"),
        (0, "0s"),
        (3660 * S, "1h 1m"),
        (3661 * S, "1h 1m 1s"),
        (3601 * S, "1h 1s"),
        (1500, "0.0015s"),
        (1, "0.000001s"),
        (19_211_042, "19.211042s"),
        (77_038_832, "1m 17.038832s"),
        (10 * S, "10s"),
        (5 * 60 * S, "5m"),
    ],
)
def test_canton_duration(micros, text):
    assert canton_duration(micros) == text


def test_java_duration_string_matches_jdk():
    assert java_duration_string(0) == "PT0S"
    assert java_duration_string(90 * S) == "PT1M30S"
    assert java_duration_string(250 * MS) == "PT0.25S"
    assert java_duration_string(-500 * MS) == "PT-0.5S"
    assert java_duration_string(-90 * S) == "PT-1M-30S"
    assert java_duration_string(-1_500 * MS) == "PT-1.5S"


@pytest.mark.parametrize(
    "micros, unit, text",
    [
        (923 * MS, "millisecond", "923 milliseconds"),
        (778 * MS, "milliseconds", "778 milliseconds"),
        (1 * MS, "millisecond", "1 millisecond"),
        (1000 * MS, "millisecond", "1000 milliseconds"),
        (10 * S, None, "10 seconds"),
        (60 * S, None, "1 minute"),
        (120 * S, None, "2 minutes"),
        (923 * MS, None, "923 milliseconds"),
        (1500, None, "1500 microseconds"),
        (0, None, "0 days"),
        (10 * S, "seconds", "10 seconds"),
    ],
)
def test_scala_duration_text(micros, unit, text):
    assert scala_duration_text(micros, unit) == text


def test_scala_duration_text_defaults_to_milliseconds():
    assert scala_duration_text(923 * MS) == "923 milliseconds"


@pytest.mark.parametrize(
    "micros, text",
    [
        (30 * S, "30 seconds"),
        (5 * S, "5 seconds"),
        (60 * S, "1 minute"),
        (120 * S, "2 minutes"),
        (90 * S, "90 seconds"),
        (500 * MS, "500 milliseconds"),
        (12_345 * MS, "12345 milliseconds"),
        (123_456 * MS, "123 seconds"),
        (0, "0 seconds"),
        (3600 * S, "1 hour"),
        (24 * 3600 * S, "1 day"),
        (1, "1 microsecond"),
    ],
)
def test_round_for_humans(micros, text):
    assert round_for_humans(micros) == text


@pytest.mark.parametrize(
    "text",
    [
        "1970-01-01T00:00:00Z",
        "2025-07-17T22:19:58.353490Z",
        "2025-07-17T22:19:58.350Z",
        "2025-07-17T22:20:00.709255Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ],
)
def test_instant_round_trip(text):
    assert instant(parse_instant(text)) == text


def test_instant_fraction_digits():
    base = parse_instant("2025-07-17T22:19:58Z")
    assert instant(base) == "2025-07-17T22:19:58Z"
    assert instant(base + 350_000) == "2025-07-17T22:19:58.350Z"
    assert instant(base + 353_490) == "2025-07-17T22:19:58.353490Z"
    assert instant(base + 1) == "2025-07-17T22:19:58.000001Z"
    assert instant(0) == "1970-01-01T00:00:00Z"
    assert instant(-1) == "1969-12-31T23:59:59.999999Z"


def test_parse_instant_forms():
    assert parse_instant("1970-01-01T00:00:00Z") == 0
    assert parse_instant("1970-01-01T00:00:01.5Z") == 1_500_000
    assert parse_instant("1970-01-01T01:00:00+01:00") == 0
    assert parse_instant("1970-01-01T00:00:00.000001000Z") == 1
    with pytest.raises(ValueError):
        parse_instant("1970-01-01T00:00:00.0000001Z")
    with pytest.raises(ValueError):
        parse_instant("yesterday")


@given(st.integers(min_value=parse_instant("0001-01-01T00:00:00Z"), max_value=parse_instant("9999-12-31T23:59:59.999999Z")))
def test_instant_parse_inverse(micros):
    assert parse_instant(instant(micros)) == micros


@given(st.integers(min_value=0, max_value=10**15))
def test_canton_duration_is_java_without_pt(micros):
    text = canton_duration(micros)
    assert text == text.lower() and not text.startswith("pt")
    # the text reads back to exactly the same amount
    total = Decimal(0)
    for part in text.split(" "):
        total += Decimal(part[:-1]) * {"h": 3600, "m": 60, "s": 1}[part[-1]] * 1_000_000
    assert total == micros


def test_timedelta_agrees_with_instant():
    moment = dt.datetime(2025, 7, 17, 22, 19, 58, 353490, tzinfo=dt.UTC)
    micros = (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    assert instant(micros) == "2025-07-17T22:19:58.353490Z"
