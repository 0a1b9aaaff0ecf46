"""Canton's value constructors: invariants, error texts, comparisons and renderings."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canton_console.pretty import render
from canton_console.values.errors import INVALID_ARGUMENT, CantonError
from canton_console.values.refined import (
    InvalidValue,
    NonNegativeFiniteDuration,
    NonNegativeInt,
    NonNegativeLong,
    NonNegativeNumeric,
    PositiveDurationSeconds,
    PositiveFiniteDuration,
    PositiveInt,
    PositiveLong,
    PositiveNumeric,
    ScalaDuration,
    scala_duration,
    to_micros,
)

# --- numerics -----------------------------------------------------------------------------------


def test_transcript_next_serial():
    # allMembersTrafficState...serial.getOrElse(PositiveNumeric.tryCreate(1)).increment
    next_serial = PositiveNumeric.tryCreate(1).increment
    assert next_serial == PositiveNumeric.tryCreate(2)
    assert next_serial.canton_type == "PositiveNumeric[Int]"
    assert render(next_serial) == "PositiveNumeric(value = 2)"
    assert str(next_serial) == "2"
    assert next_serial >= PositiveNumeric.tryCreate(2)
    assert not next_serial > PositiveNumeric.tryCreate(2)


def test_numeric_errors_carry_cantons_text():
    with pytest.raises(InvalidValue) as e:
        PositiveNumeric.tryCreate(0)
    assert e.value.message == "Received the non-positive 0 as argument, but we require a positive value here."
    assert isinstance(e.value, ValueError) and isinstance(e.value, CantonError)
    assert e.value.code == INVALID_ARGUMENT
    with pytest.raises(InvalidValue) as e:
        NonNegativeNumeric.tryCreate(-5)
    assert e.value.message == "Received the negative -5 as argument, but we require a non-negative value here."
    with pytest.raises(ValueError):
        PositiveNumeric(0)  # the constructor checks too


@pytest.mark.parametrize("bad", [True, False, 1.0, "1", None])
def test_numerics_refuse_non_integers(bad):
    with pytest.raises(InvalidValue):
        PositiveNumeric.tryCreate(bad)
    with pytest.raises(InvalidValue):
        NonNegativeNumeric.tryCreate(bad)


def test_comparisons_with_ints_and_each_other():
    two = PositiveInt.tryCreate(2)
    assert two == 2 and 2 == two
    assert two > 1 and two >= 2 and two < 3 and two <= 2
    assert 1 < two
    assert NonNegativeInt.tryCreate(3) > two
    assert hash(two) == hash(2) == hash(PositiveNumeric(2))
    assert {two: "x"}[2] == "x"
    assert int(two) == 2 and [10, 20, 30][two] == 30
    assert sorted([PositiveInt.tryCreate(3), PositiveInt.one, two]) == [1, 2, 3]
    assert f"{two:>3}" == "  2"


def test_increment_is_a_property():
    assert NonNegativeNumeric.tryCreate(0).increment == PositiveNumeric.tryCreate(1)
    assert isinstance(NonNegativeNumeric.tryCreate(0).increment, PositiveNumeric)
    assert PositiveInt.one.increment.increment == 3
    assert PositiveInt.tryCreate(2).decrement == NonNegativeInt.one


def test_aliases():
    assert PositiveInt.one == 1 and NonNegativeInt.zero == 0 and NonNegativeLong.one == 1
    assert isinstance(PositiveInt.one, PositiveNumeric)
    assert isinstance(PositiveInt.tryCreate(5), PositiveInt)
    assert not isinstance(NonNegativeInt.tryCreate(5), PositiveInt)
    assert PositiveLong.tryCreate(5).canton_type == "PositiveNumeric[Long]"
    assert NonNegativeLong.tryCreate(20000).canton_type == "NonNegativeNumeric[Long]"
    assert NonNegativeNumeric.tryCreate(20000, long=True) == NonNegativeLong.tryCreate(20000)
    assert NonNegativeNumeric.tryCreate(3_000_000_000).canton_type == "NonNegativeNumeric[Long]"
    with pytest.raises(InvalidValue):
        PositiveInt.tryCreate(2**31)
    assert PositiveInt.MaxValue == 2**31 - 1
    assert PositiveInt.create(0) is None
    with pytest.raises(InvalidValue):
        PositiveLong.tryCreate(0)


def test_arithmetic():
    assert PositiveInt.tryCreate(2) + PositiveInt.tryCreate(3) == PositiveInt.tryCreate(5)
    assert isinstance(NonNegativeInt.one + NonNegativeInt.one, NonNegativeNumeric)
    assert PositiveInt.tryCreate(2) + 1 == 3 and 1 + PositiveInt.tryCreate(2) == 3
    assert PositiveInt.tryCreate(2).tryAdd(3) == 5
    assert NonNegativeInt.tryCreate(2).subtract(3) == (0, 1)
    assert NonNegativeInt.tryCreate(5).subtract(3) == (2, 0)


@given(st.integers(min_value=1, max_value=2**62))
def test_positive_round_trip(n):
    p = PositiveNumeric.tryCreate(n)
    assert int(p) == n and str(p) == str(n) and p.increment == n + 1
    assert render(p) == f"PositiveNumeric(value = {n})"


@given(st.integers(max_value=-1))
def test_negative_never_non_negative(n):
    with pytest.raises(InvalidValue):
        NonNegativeNumeric.tryCreate(n)


# --- durations ----------------------------------------------------------------------------------


def test_duration_constructors():
    assert PositiveFiniteDuration.ofSeconds(10).micros == 10_000_000
    assert PositiveFiniteDuration.ofMinutes(5).micros == 300_000_000
    assert PositiveFiniteDuration.ofMillis(250).micros == 250_000
    assert PositiveFiniteDuration.ofHours(24).micros == 86_400_000_000
    assert PositiveFiniteDuration.ofDays(2).micros == 172_800_000_000
    assert PositiveFiniteDuration.ofMicros(7).micros == 7
    assert NonNegativeFiniteDuration.ofSeconds(0).micros == 0
    assert PositiveDurationSeconds.ofMinutes(1).micros == 60_000_000


def test_duration_renderings():
    assert render(PositiveFiniteDuration.ofSeconds(10)) == "10s"
    assert render(PositiveFiniteDuration.ofMinutes(5)) == "5m"
    assert str(NonNegativeFiniteDuration.ofMillis(250)) == "0.25s"
    assert str(NonNegativeFiniteDuration.ofHours(48)) == "48h"
    assert PositiveFiniteDuration.ofSeconds(10).canton_type == "PositiveFiniteDuration"


def test_duration_errors_carry_cantons_text():
    with pytest.raises(InvalidValue) as e:
        PositiveFiniteDuration.ofSeconds(0)
    assert e.value.message == "Duration 0 seconds is not positive!"
    with pytest.raises(InvalidValue) as e:
        NonNegativeFiniteDuration.ofMinutes(-1)
    assert e.value.message == "Duration -1 minutes is negative!"
    with pytest.raises(InvalidValue) as e:
        PositiveDurationSeconds.ofMillis(1500)
    assert e.value.message == "Duration 1500 milliseconds is not rounded to the second"
    with pytest.raises(InvalidValue) as e:
        PositiveDurationSeconds.ofSeconds(0)
    assert e.value.message == "Duration 0 seconds is not positive"
    with pytest.raises(InvalidValue):
        PositiveFiniteDuration.ofSeconds(1.5)


def test_from_any():
    ten = PositiveFiniteDuration.ofSeconds(10)
    assert PositiveFiniteDuration.from_any(dt.timedelta(seconds=10)) == ten
    assert PositiveFiniteDuration.from_any(scala_duration(10, "seconds")) == ten
    assert PositiveFiniteDuration.from_any(NonNegativeFiniteDuration.ofSeconds(10)) == ten
    assert PositiveFiniteDuration.from_any(10_000_000) == ten
    assert PositiveFiniteDuration.tryFromDuration(scala_duration(10_000, "ms")) == ten
    assert PositiveDurationSeconds.from_any(dt.timedelta(minutes=1)).micros == 60_000_000
    with pytest.raises(InvalidValue):
        PositiveFiniteDuration.from_any(dt.timedelta(0))
    with pytest.raises(InvalidValue):
        PositiveFiniteDuration.from_any("10s")
    with pytest.raises(InvalidValue):
        PositiveDurationSeconds.from_any(dt.timedelta(milliseconds=1500))
    assert to_micros(dt.timedelta(days=1, microseconds=3)) == 86_400_000_003


def test_duration_comparisons():
    assert PositiveFiniteDuration.ofSeconds(60) == PositiveFiniteDuration.ofMinutes(1)
    assert PositiveFiniteDuration.ofSeconds(59) < PositiveFiniteDuration.ofMinutes(1)
    assert hash(PositiveFiniteDuration.ofSeconds(60)) == hash(PositiveFiniteDuration.ofMinutes(1))
    assert NonNegativeFiniteDuration.ofSeconds(1) * 2 == NonNegativeFiniteDuration.ofSeconds(2)
    assert NonNegativeFiniteDuration.ofSeconds(1) + NonNegativeFiniteDuration.ofSeconds(2) == NonNegativeFiniteDuration.ofSeconds(3)


def test_scala_duration():
    assert str(scala_duration(10, "seconds")) == "10 seconds"
    assert str(ScalaDuration(923_000)) == "923 milliseconds"
    assert str(ScalaDuration(923_000, "millisecond")) == "923 milliseconds"
    assert str(ScalaDuration(60_000_000)) == "1 minute"
    assert str(ScalaDuration(120_000_000)) == "2 minutes"
    assert str(scala_duration(1, "millisecond")) == "1 millisecond"
    assert str(scala_duration(60, "seconds")) == "60 seconds"  # Scala keeps the unit it was built in
    assert render(ScalaDuration(923_000, "ms")) == "923 milliseconds"
    assert scala_duration(1, "minute") == scala_duration(60, "seconds")
    assert ScalaDuration(923_000).toMillis() == 923
    assert scala_duration(2, "s") > scala_duration(1999, "ms")


# ---- Scala collections: the operations Canton's documentation uses on command results ----------------
def test_seq_operations_as_scala_has_them():
    from canton_console.values.scala import NONE, ScalaSet, Some, TypedVector, Vector

    xs = Vector(3, 1, 2, 1)
    assert xs.flatMap(lambda x: Vector(x, x)) == [3, 3, 1, 1, 2, 2, 1, 1]
    assert xs.flatMap(lambda x: Some(x) if x > 1 else NONE) == [3, 2]
    assert Vector(Vector(1), Vector(), Vector(2, 3)).flatten == [1, 2, 3]
    assert xs.distinct == [3, 1, 2] and xs.sorted == [1, 1, 2, 3] and xs.sortBy(lambda x: -x) == [3, 2, 1, 1]
    assert xs.take(2) == [3, 1] and xs.drop(3) == [1] and xs.take(-1) == [] and xs.takeWhile(lambda x: x > 2) == [3]
    assert xs.count(lambda x: x == 1) == 2 and xs.count(1) == 2  # a predicate, or (Python's list) a value
    assert xs.foldLeft(0)(lambda acc, x: acc + x) == 7
    assert xs.mkString(",") == "3,1,2,1" and xs.mkString("[", ";", "]") == "[3;1;2;1]"
    assert [tuple(p) for p in Vector("a", "b").zipWithIndex] == [("a", 0), ("b", 1)]
    assert isinstance(xs.toSet, ScalaSet) and len(xs.toSet) == 3
    assert render(xs.take(2)) == "Vector(3, 1)"
    # a flatMap of typed results keeps their element type (Canton's static type of the result)
    typed = Vector(TypedVector("PublicKey", "k1"), TypedVector("PublicKey", "k2", "k3")).flatMap(lambda v: v)
    assert isinstance(typed, TypedVector) and typed.canton_type == "Seq[PublicKey]" and typed == ["k1", "k2", "k3"]


@given(st.lists(st.integers(-5, 5)), st.integers(-3, 8))
def test_take_and_drop_split_a_seq(items, n):
    from canton_console.values.scala import Vector

    xs = Vector(*items)
    assert list(xs.take(n)) + list(xs.drop(n)) == items
    assert xs.flatMap(lambda x: Vector(x)) == items


def test_a_sequencer_connection_url_is_checked_as_cantons_endpoint_parser_does():
    from canton_console.values.sequencing import connection_url_problem

    assert connection_url_problem("http://localhost:5001") is None
    assert connection_url_problem("https://sequencer.example.com") is None  # the default port
    assert connection_url_problem("ftp://localhost:5001") == "Synchronizer connection url [ftp://localhost:5001] has unknown scheme: ftp"
    assert connection_url_problem("http://localhost:port").startswith("Synchronizer connection url [http://localhost:port] has an invalid port: ")
    assert connection_url_problem("http://localhost:70000").startswith("Synchronizer connection url [http://localhost:70000] has an invalid port: ")


# Payload bytes are what traffic costs count and signatures cover: the fast encoder must write
# exactly what the standard one writes, for every value a message can hold but floats.
_json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text()
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), _json_values, max_size=6))
def test_message_encoding_is_the_canonical_json_byte_for_byte(message):
    import json

    from canton_console.values import messages

    expected = json.dumps(message, sort_keys=True, separators=(",", ":")).encode()
    assert messages.encode(message) == expected
    assert messages.decode(expected) == json.loads(expected) or any(abs(v) >= 2**64 for v in _ints(message))


def _ints(value):
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _ints(v)
    elif isinstance(value, list):
        for v in value:
            yield from _ints(v)
