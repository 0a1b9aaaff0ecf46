"""Traffic accounting: canton-traffic.md's test vectors, the docs' worked example, renderings, and
properties of the pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canton_console.pretty import render
from canton_console.values.errors import (
    SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT,
    TRAFFIC_CONTROL_SERIAL_TOO_LOW,
    CantonError,
)
from canton_console.values.parameters import TrafficControlParameters
from canton_console.values.refined import PositiveNumeric
from canton_console.values.timefmt import parse_instant
from canton_console.values.traffic import (
    LONG_MAX,
    MIN_TIMESTAMP,
    AboveTrafficLimit,
    CostOverflow,
    EnvelopeSummary,
    TrafficConsumed,
    TrafficPurchased,
    TrafficState,
    TrafficTimestampError,
    available_at,
    balance_valid_at,
    base_at,
    consume,
    event_cost,
    max_sequencing_times,
    tick,
    to_traffic_state,
    try_consume,
    update_at,
    validate_serial,
)

S = 1_000_000
P1 = "PAR::participant1::12201ff69b1d..."
T0 = parse_instant("2025-07-17T22:19:58.353490Z")


def params(max_base=20000, factor=200, accumulation=10 * S, window=5 * 60 * S, enforce=True, base_cost=0):
    return TrafficControlParameters(
        maxBaseTrafficAmount=max_base,
        readVsWriteScalingFactor=factor,
        maxBaseTrafficAccumulationDuration=accumulation,
        setBalanceRequestSubmissionWindowSize=window,
        enforceRateLimiting=enforce,
        baseEventCost=base_cost,
    )


DOCS = params()  # 20000 bytes per 10 s: 2000 B/s


# --- §2 event cost ------------------------------------------------------------------------------


def test_cost_vector_small():
    envs = [EnvelopeSummary(size=5, recipients=2)]
    assert event_cost(envs, params(factor=5000)) == 10
    assert event_cost(envs, params(factor=5000, base_cost=350)) == 360


def test_cost_vector_group():
    assert event_cost([EnvelopeSummary(25000, 500)], params(factor=200)) == 275000


def test_cost_floors_per_envelope_and_adds_base_once():
    # 1 byte to 1 member at factor 5000: read 0.5 -> 0, per envelope
    envs = [EnvelopeSummary(1, 1), EnvelopeSummary(1, 1)]
    assert event_cost(envs, params(factor=5000, base_cost=7)) == 2 + 7
    # a time proof (empty batch) costs the base event cost
    assert event_cost([], params(base_cost=500)) == 500


def test_cost_overflow():
    with pytest.raises(CostOverflow, match="Overflow in cost computation"):
        event_cost([EnvelopeSummary(2**62, 4)], params())
    with pytest.raises(CostOverflow):
        event_cost([EnvelopeSummary(2**62, 0)] * 2, params())


def test_envelope_summary_validation():
    with pytest.raises(ValueError):
        EnvelopeSummary(-1, 1)
    with pytest.raises(TypeError):
        EnvelopeSummary(1.5, 1)


# --- §3 base traffic ----------------------------------------------------------------------------


def test_new_member_starts_full():
    state = TrafficConsumed.init(P1)
    assert state.sequencing_timestamp == MIN_TIMESTAMP
    assert base_at(state, DOCS, T0) == 20000
    assert tick(state, DOCS, T0) == TrafficConsumed(P1, T0, 0, 20000, 0)


def test_docs_worked_example():
    state = tick(TrafficConsumed.init(P1), DOCS, T0)
    after = consume(state, DOCS, T0, 5000)
    assert after.base_traffic_remainder == 15000 and after.last_consumed_cost == 5000
    assert base_at(after, DOCS, T0 + 1 * S) == 17000  # 2000 B/s
    assert base_at(after, DOCS, T0 + 2 * S + S // 2) == 20000  # 15000 + 5000 reaches the cap
    assert base_at(after, DOCS, T0 + 10 * S) == 20000  # capped
    assert base_at(after, DOCS, T0 + 10**6 * S) == 20000


def test_purchase_used_after_base_exhausted():
    state = tick(TrafficConsumed.init(P1), DOCS, T0)
    purchased = TrafficPurchased(P1, serial=2, extra_traffic_purchased=1_000_000, sequencing_timestamp=T0 - 1)
    new, ok = try_consume(state, DOCS, T0, 25000, purchased)
    assert ok
    assert new.base_traffic_remainder == 0 and new.extra_traffic_consumed == 5000
    assert to_traffic_state(new, purchased).availableTraffic == 1_000_000 - 5000
    # the next cost comes from freshly accrued base first
    newer, ok = try_consume(new, DOCS, T0 + S, 1500, purchased)
    assert ok and newer.base_traffic_remainder == 500 and newer.extra_traffic_consumed == 5000


def test_failure_ticks_and_charges_nothing():
    state = consume(tick(TrafficConsumed.init(P1), DOCS, T0), DOCS, T0, 19000)  # 1000 left
    new, ok = try_consume(state, DOCS, T0 + S // 2, 5000, None)  # 1000 + 1000 accrued < 5000
    assert not ok
    assert new == TrafficConsumed(P1, T0 + S // 2, 0, 2000, 0)
    # even at the same timestamp the failure resets the last consumed cost
    same, ok = try_consume(state, DOCS, T0, 5000, None)
    assert not ok and same.last_consumed_cost == 0 and same.base_traffic_remainder == 1000


def test_exactly_enough_succeeds():
    state = tick(TrafficConsumed.init(P1), DOCS, T0)
    new, ok = try_consume(state, DOCS, T0, 20000, 0)
    assert ok and new.base_traffic_remainder == 0 and available_at(new, DOCS, T0, 0) == 0


def test_timestamps_must_not_go_backwards():
    state = tick(TrafficConsumed.init(P1), DOCS, T0)
    with pytest.raises(TrafficTimestampError):
        base_at(state, DOCS, T0 - 1)
    with pytest.raises(TrafficTimestampError):
        consume(state, DOCS, T0 - 1, 1)
    with pytest.raises(TrafficTimestampError):
        tick(state, DOCS, T0 - 1)


def test_update_at_only_moves_forward():
    state = consume(tick(TrafficConsumed.init(P1), DOCS, T0), DOCS, T0, 100)
    assert update_at(state, DOCS, T0) is state
    assert update_at(state, DOCS, T0 + S).last_consumed_cost == 0


def test_huge_rate_saturates():
    p = params(max_base=LONG_MAX, accumulation=1)
    state = TrafficConsumed(P1, MIN_TIMESTAMP, base_traffic_remainder=LONG_MAX - 1)
    assert base_at(state, p, T0) == LONG_MAX


# --- §4 purchases and state ---------------------------------------------------------------------


def test_balance_valid_strictly_before():
    a = TrafficPurchased(P1, 1, 100, T0)
    b = TrafficPurchased(P1, 2, 500, T0 + S)
    purchases = [a, b]
    assert balance_valid_at(purchases, T0) is None
    assert balance_valid_at(purchases, T0 + 1) is a
    assert balance_valid_at(purchases, T0 + S) is a
    assert balance_valid_at(purchases, T0 + S + 1) is b
    assert balance_valid_at([], T0) is None


def test_to_traffic_state():
    consumed = TrafficConsumed(P1, T0, extra_traffic_consumed=10, base_traffic_remainder=20000, last_consumed_cost=3)
    purchased = TrafficPurchased(P1, PositiveNumeric.tryCreate(2), 1_000_000, T0 + 5)
    st_ = to_traffic_state(consumed, purchased)
    assert st_ == TrafficState(1_000_000, 10, 20000, 3, T0 + 5, 2)
    assert st_.availableTraffic == 1_000_000 - 10 + 20000
    assert to_traffic_state(consumed, None).serial is None
    assert to_traffic_state(consumed, None).timestamp == T0


# Copied from the founding transcript, de-indented by the six columns of its nesting.
TRAFFIC_STATE_WITH_SERIAL = """\
TrafficState(
  extraTrafficLimit = 1000000,
  extraTrafficConsumed = 0,
  baseTrafficRemainder = 20000,
  lastConsumedCost = 0,
  timestamp = 2025-07-17T22:19:58.861158Z,
  serial = 2,
  availableTraffic = 1020000
)"""

TRAFFIC_STATE_MEDIATOR = """\
TrafficState(
  extraTrafficLimit = 0,
  extraTrafficConsumed = 0,
  baseTrafficRemainder = 19358,
  lastConsumedCost = 642,
  timestamp = 2025-07-17T22:20:00.709255Z,
  availableTraffic = 19358
)"""


def test_traffic_state_renderings():
    with_serial = TrafficState(1_000_000, 0, 20000, 0, parse_instant("2025-07-17T22:19:58.861158Z"), 2)
    assert render(with_serial) == TRAFFIC_STATE_WITH_SERIAL
    mediator = TrafficState(0, 0, 19358, 642, parse_instant("2025-07-17T22:20:00.709255Z"))
    assert render(mediator) == TRAFFIC_STATE_MEDIATOR
    assert render(TrafficState.empty()) == (
        "TrafficState(\n  extraTrafficLimit = 0,\n  extraTrafficConsumed = 0,\n  baseTrafficRemainder = 0,\n"
        "  lastConsumedCost = 0,\n  timestamp = 1970-01-01T00:00:00Z,\n  availableTraffic = 0\n)"
    )


def test_above_traffic_limit_cause():
    state = TrafficState(0, 0, 1000, 0, T0)
    err = AboveTrafficLimit(P1, 5000, state)
    expected = (
        "AboveTrafficLimit(member = PAR::participant1::12201ff69b1d..., trafficCost = 5000, "
        "trafficState = TrafficState(extraTrafficLimit = 0, extraTrafficConsumed = 0, baseTrafficRemainder = 1000, "
        "lastConsumedCost = 0, timestamp = 2025-07-17T22:19:58.353490Z, availableTraffic = 1000))"
    )
    assert err.text == expected
    assert err.cause == "Submission was rejected because no traffic is available: " + expected
    assert "\n" not in err.cause
    e = err.error()
    assert e.code == SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT and e.cause == err.cause


# --- §6 top-ups ---------------------------------------------------------------------------------


def test_max_sequencing_times():
    w = 5 * 60 * 1000
    assert max_sequencing_times(0, w) == [w]
    assert max_sequencing_times(1000, w) == [w]
    assert max_sequencing_times(w - w // 4, w) == [w, 2 * w]  # exactly a quarter left
    assert max_sequencing_times(w - w // 4 - 1, w) == [w]
    assert max_sequencing_times(w - 1, w) == [w, 2 * w]
    assert max_sequencing_times(w, w) == [2 * w]
    with pytest.raises(ValueError):
        max_sequencing_times(0, 0)


def test_validate_serial():
    validate_serial(None, 1)
    validate_serial(None, 2)
    validate_serial(1, 2)
    validate_serial(PositiveNumeric.tryCreate(1), PositiveNumeric.tryCreate(2))
    with pytest.raises(CantonError) as e:
        validate_serial(3, 2)
    assert e.value.code == TRAFFIC_CONTROL_SERIAL_TOO_LOW
    assert e.value.cause == "The provided serial value 2 is too low. Latest serial used by this member is Some(3)"
    with pytest.raises(CantonError) as e:
        validate_serial(2, 2)
    assert e.value.cause.endswith("is Some(2)")


def test_serial_must_be_positive():
    with pytest.raises(ValueError):
        TrafficPurchased(P1, 0, 1, T0)


# --- properties ---------------------------------------------------------------------------------

sizes = st.integers(min_value=0, max_value=10**7)
counts = st.integers(min_value=0, max_value=10**4)
factors = st.integers(min_value=1, max_value=10**5)  # keeps size*count*factor within a Long
base_costs = st.integers(min_value=0, max_value=10**9)


@given(sizes, counts, factors, base_costs, st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=100))
def test_cost_non_negative_and_monotone(size, count, factor, base_cost, more_size, more_count):
    p = params(factor=factor, base_cost=base_cost)
    cost = event_cost([EnvelopeSummary(size, count)], p)
    assert cost >= base_cost >= 0
    assert event_cost([EnvelopeSummary(size + more_size, count)], p) >= cost
    assert event_cost([EnvelopeSummary(size, count + more_count)], p) >= cost


traffic_params = st.builds(
    params,
    max_base=st.integers(min_value=0, max_value=10**12),
    accumulation=st.integers(min_value=1, max_value=10**12),
)
timestamps = st.integers(min_value=0, max_value=10**15)
deltas = st.integers(min_value=0, max_value=10**13)


@given(traffic_params, timestamps, st.integers(min_value=0, max_value=10**12), deltas, deltas)
def test_base_bounded_and_monotone(p, ts, remainder, d1, d2):
    remainder = min(remainder, p.maxBaseTrafficAmount)
    state = TrafficConsumed(P1, ts, base_traffic_remainder=remainder)
    early = base_at(state, p, ts + d1)
    later = base_at(state, p, ts + d1 + d2)
    assert 0 <= early <= p.maxBaseTrafficAmount
    assert 0 <= later <= p.maxBaseTrafficAmount
    assert later >= early >= remainder


@given(
    traffic_params,
    st.lists(st.tuples(deltas, st.integers(min_value=0, max_value=10**12)), max_size=20),
    st.integers(min_value=0, max_value=10**12),
)
def test_consumption_never_goes_negative(p, steps, purchased):
    state = TrafficConsumed.init(P1)
    t = 0
    for delta, cost in steps:
        t += delta
        new, ok = try_consume(state, p, t, cost, purchased)
        available = available_at(new, p, t, purchased)
        assert available >= 0
        traffic_state = to_traffic_state(new, TrafficPurchased(P1, 1, purchased, MIN_TIMESTAMP) if purchased else None)
        assert traffic_state.availableTraffic == purchased - new.extra_traffic_consumed + new.base_traffic_remainder
        assert new.last_consumed_cost == (cost if ok else 0)
        if ok:
            before = available_at(state, p, t, purchased)
            assert available == before - cost
        state = new


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**6),
)
def test_available_is_purchased_minus_consumed_plus_base(purchased, consumed, base, last):
    s = TrafficState(purchased, consumed, base, last, T0)
    assert s.availableTraffic == purchased - consumed + base
    assert s.extraTrafficRemainder == purchased - consumed


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=1, max_value=10**9))
def test_windows_aligned(now, window):
    times = max_sequencing_times(now, window)
    assert all(t % window == 0 and t > now for t in times)
    assert times[0] - now <= window
    # a second window exactly when at most a quarter of the current one is left
    assert (len(times) == 2) == ((times[0] - now) * 4 <= window)
    if len(times) == 2:
        assert times[1] == times[0] + window
