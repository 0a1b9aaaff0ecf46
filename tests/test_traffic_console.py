"""Sequencer traffic management through the console, on the real runtime and real stores, under a
simulated clock so that every balance can be predicted from canton-traffic.md's formulas.

Parameters of every test (the founding transcript's): maxBaseTrafficAmount 20000 bytes accrued over
10 s (0.002 bytes per µs), readVsWriteScalingFactor 200 (per ten-thousand), baseEventCost 500,
top-up submission window 5 minutes.

The worked examples submit real submission requests with payloads of chosen sizes, so that costs are
known by hand:  cost = sum over envelopes of (size + size * recipients * 200 // 10000) + 500.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import open_session, step_ok
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from canton_console.store import schema as s
from canton_console.values import messages
from canton_console.values import traffic as tr
from canton_console.values.messages import Envelope, SubmissionRequest
from canton_console.values.timefmt import instant

SECOND = 1_000_000
PROBE_NUMBERS = itertools.count(1)
T0 = 60 * SECOND  # the sim clock after clock.advance(1 minute): 1970-01-01T00:01:00Z

ENABLE_TRAFFIC = """\
tcp = TrafficControlParameters(
    enforceRateLimiting=True,
    maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000),
    readVsWriteScalingFactor=PositiveNumeric.tryCreate(200),
    maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10),
    setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5),
    baseEventCost=NonNegativeNumeric.tryCreate(500),
)
sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, lambda p: p.update(trafficControl=Some(tcp)))"""


def config(storage: str = "memory", sequencers: int = 1, participants: int = 2) -> str:
    def store(name: str) -> str:
        return "storage.type = memory" if storage == "memory" else f'storage {{ type = sqlite, file = "{name}.db" }}'

    seqs = "\n".join(
        f"    sequencer{i} {{ {store(f'sequencer{i}')}, public-api.port = {15000 + 10 * i}, admin-api.port = {15001 + 10 * i} }}"
        for i in range(1, sequencers + 1)
    )
    parts = "\n".join(
        f"    participant{i} {{ {store(f'participant{i}')}, ledger-api.port = {16000 + 10 * i}, admin-api.port = {16001 + 10 * i} }}"
        for i in range(1, participants + 1)
    )
    return f"""
canton {{
  parameters.clock.type = sim-clock
  sequencers {{
{seqs}
  }}
  mediators {{
    mediator1 {{ {store('mediator1')}, admin-api.port = 17001 }}
  }}
  participants {{
{parts}
  }}
}}
"""


@pytest.fixture
def session(tmp_path):
    """sequencer1, mediator1, participant1 and participant2 on synchronizer da, traffic control on,
    the sim clock at T0 (one minute after the epoch, past every bootstrap event)."""
    s = open_session(config(), tmp_path, bootstrap=True)
    step_ok(s, ENABLE_TRAFFIC)
    step_ok(s, "clock.advance(timedelta(minutes=1))")
    assert s.env.clock.now() == T0
    yield s
    s.close()


def sync_of(session):
    return next(iter(session.env.synchronizers.values()))


def member(session, name: str) -> str:
    return session.env.node(name).member_id


def probe(session, sender: str, sizes: list[int], recipients: tuple[str, ...] = (messages.MEDIATOR_GROUP_0,)) -> None:
    """Submit (and have sequenced) a real submission of ``sender`` with one envelope per size, each
    exactly that many bytes, to ``recipients``. Raises what the sequencer raises."""
    env = session.env
    sync = sync_of(session)
    envelopes = []
    for size in sizes:
        pad = size - len(messages.encode({"pad": "", "type": "Probe"}))
        payload = messages.encode({"pad": "x" * pad, "type": "Probe"})
        assert len(payload) == size
        envelopes.append(Envelope(payload, recipients))
    # each probe a submission of its own: the sequencer drops a copy (same message id and envelopes)
    request = SubmissionRequest(member(session, sender), f"probe-{next(PROBE_NUMBERS)}-{sizes}", tuple(envelopes))
    env.call(sync.submit, request)
    env.call(lambda: None)  # the flush posted by submit has run


def state(session, name: str, command: str = "traffic_state_of_members") -> tr.TrafficState:
    status = step_ok(session, f"sequencer1.traffic_control.{command}(Seq({name}))")
    return status.state_of(member(session, name))


def last_update(session, name: str) -> tr.TrafficState:
    return state(session, name, "last_traffic_state_update_of_members")


# ------------------------------------------------------------------------------------------------
# Worked examples


def test_costs_come_from_base_traffic_first_and_base_traffic_refills_at_the_base_rate(session):
    # 9500 bytes to the mediator group (1 mediator): 9500 + 9500*1*200//10000 (=190) + 500 = 10190.
    # A member never seen has the full 20000; 20000 - 10190 = 9810, consumed at T0.
    probe(session, "participant1", [9500])
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 9810, 10190, T0)
    # The latest safe state is the successor of the event: nothing accrued in 1 µs (int(0.002) = 0).
    assert state(session, "participant1") == tr.TrafficState(0, 0, 9810, 0, T0 + 1)
    # 1.5 s later: 9810 + int(0.002 * 1_500_000) = 9810 + 3000 = 12810.
    step_ok(session, "clock.advance(timedelta(milliseconds=1500))")
    t1 = T0 + 1_500_000
    assert state(session, "participant1") == tr.TrafficState(0, 0, 12810, 0, t1)
    # Group and member recipients: 2000 bytes to participant1, participant2 and the mediator group
    # (1 member) = 3 recipients: 2000 + 2000*3*200//10000 (=120) + 500 = 2620; 12810 - 2620 = 10190.
    probe(session, "participant1", [2000], (member(session, "participant1"), member(session, "participant2"), messages.MEDIATOR_GROUP_0))
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 10190, 2620, t1)
    # The read cost is floored per envelope: two envelopes of 1234 bytes to one recipient cost
    # 2 * (1234 + 1234*200//10000 (=24)) + 500 = 3016 (not 3017 as flooring the sum would give).
    # Sequenced 1 µs after the previous event (same sim instant): 10190 - 3016 = 7174.
    probe(session, "participant1", [1234, 1234])
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 7174, 3016, t1 + 1)
    # Never above the maximum: after 10 s (20000 would accrue), 20000.
    step_ok(session, "clock.advance(timedelta(seconds=10))")
    assert state(session, "participant1") == tr.TrafficState(0, 0, 20000, 0, t1 + 10 * SECOND)
    # The mediator and participant2 paid nothing; the sequencers are never listed.
    assert state(session, "participant2").baseTrafficRemainder == 20000
    all_members = step_ok(session, "sequencer1.traffic_control.traffic_state_of_all_members()")
    assert [m.split("::")[1] for m in all_members.members()] == ["mediator1", "participant1", "participant2"]


def test_a_submission_beyond_the_available_traffic_is_refused_charges_nothing_and_ticks_the_state(session):
    probe(session, "participant1", [9500])  # 20000 - 10190 = 9810 at T0
    probe(session, "participant1", [2000])  # 2000 + 40 + 500 = 2540 at T0 + 1: 9810 - 2540 = 7270
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 7270, 2540, T0 + 1)
    with pytest.raises(Exception) as refused:
        probe(session, "participant1", [9500])  # needs 10190, has 7270
    error = refused.value
    p1 = session.env.node("participant1").member.__pretty__().text
    # Refused at T0 + 2 (the next sequencing time); the state moves there, last consumed cost 0.
    expected_state = f"TrafficState(extraTrafficLimit = 0, extraTrafficConsumed = 0, baseTrafficRemainder = 7270, lastConsumedCost = 0, timestamp = {instant(T0 + 2)}, availableTraffic = 7270)"
    assert error.render() == (
        "SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT(9,0): Submission was rejected because no traffic is available: "
        f"AboveTrafficLimit(member = {p1}, trafficCost = 10190, trafficState = {expected_state})"
    )
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 7270, 0, T0 + 2)
    # nothing was sequenced for it
    log = session.env.call(session.env.sequencers["sequencer1"].event_log)
    assert [e["cost"] for e in log if e["sender"] == member(session, "participant1")] == [10190, 2540]
    # the ticked state is in the store
    sequencer = session.env.sequencers["sequencer1"]
    with sequencer.storage.read() as conn:
        row = conn.execute(select(s.TrafficConsumedRow.__table__).where(s.TrafficConsumedRow.member == member(session, "participant1"))).mappings().one()
    assert (row["sequencing_timestamp"], row["base_traffic_remainder"], row["last_consumed_cost"]) == (T0 + 2, 7270, 0)


def test_extra_traffic_is_used_after_base_traffic_and_a_top_up_counts_only_after_it_is_sequenced(session):
    probe(session, "participant1", [9500])  # 9810 left at T0
    probe(session, "participant1", [2000])  # 7270 left at T0 + 1
    # The top-up is sequenced at T0 + 2 and counts strictly after it.
    step_ok(session, "sequencer1.traffic_control.set_traffic_balance(participant1, PositiveInt.tryCreate(1), NonNegativeNumeric.tryCreate(5000))")
    sync = sync_of(session)
    assert sync.traffic.latest_purchase(member(session, "participant1")) == tr.TrafficPurchased(member(session, "participant1"), 1, 5000, T0 + 2)
    assert sync.traffic.state_at(member(session, "participant1"), T0 + 2).extraTrafficPurchased == 0
    assert sync.traffic.state_at(member(session, "participant1"), T0 + 3).extraTrafficPurchased == 5000
    # 1 s after the last consumption at T0 + 1: 999_999 µs accrue int(0.002 * 999_999) = 1999 (truncated).
    step_ok(session, "clock.advance(timedelta(seconds=1))")
    t2 = T0 + SECOND
    assert state(session, "participant1") == tr.TrafficState(5000, 0, 7270 + 1999, 0, t2, 1)
    # 10190 more: the 9269 of base traffic first, then 921 of the extra traffic.
    probe(session, "participant1", [9500])
    after = last_update(session, "participant1")
    assert after == tr.TrafficState(5000, 921, 0, 10190, t2, 1)
    assert after.availableTraffic == 5000 - 921 + 0 == 4079
    # The top-up is a new total, not an increment: setting 6000 adds 1000.
    step_ok(session, "sequencer1.traffic_control.set_traffic_balance(participant1, 2, 6000)")
    # (sequenced at t2 + 1); 0.5 s after the consumption at t2: int(0.002 * 500_000) = 1000 accrued.
    step_ok(session, "clock.advance(timedelta(milliseconds=500))")
    assert state(session, "participant1") == tr.TrafficState(6000, 921, 1000, 0, t2 + 500_000, 2)


def test_an_exhausted_participant_cannot_ping_and_recovers_as_base_traffic_refills(session):
    # Use all of participant1's traffic: 20000 = 10190 + 9810, i.e. a second event of exactly 9810:
    # size + size // 50 + 500 = 9810  ->  size = 9128 (9128 + 182 + 500).
    probe(session, "participant1", [9500])
    probe(session, "participant1", [9128])
    assert last_update(session, "participant1").availableTraffic == 0
    out = session.step("participant1.health.ping(participant2)")
    assert out.failed
    assert "Unable to ping PAR::participant2::" in out.output
    assert "SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT(9,0): Submission was rejected because no traffic is available: AboveTrafficLimit(" in out.output
    # The refusal ticked the state to T0 + 2 (base 0). 10 s later 9_999_998 µs have accrued
    # int(0.002 * 9_999_998) = int(19999.996) = 19999; the ping needs far less.
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 0, 0, T0 + 2)
    step_ok(session, "clock.advance(timedelta(seconds=10))")
    assert state(session, "participant1").baseTrafficRemainder == 19999
    step_ok(session, "participant1.health.ping(participant2)")
    assert last_update(session, "participant1").baseTrafficRemainder < 20000


def test_every_event_is_charged_the_cost_of_its_serialized_envelopes(session):
    """Pings: the cost of each event the sequencer charged is the formula over the envelopes it
    stored (their real serialized sizes and resolved recipients)."""
    step_ok(session, "participant1.health.ping(participant2)")
    sync = sync_of(session)
    sequencer = session.env.sequencers["sequencer1"]
    with sequencer.storage.read() as conn:
        rows = conn.execute(select(s.SequencedEventRow.__table__).order_by(s.SequencedEventRow.timestamp)).mappings().all()
    charged = [r for r in rows if r["timestamp"] > T0]
    assert {r["sender"].split("::")[1] for r in charged if r["cost"]} >= {"participant1", "participant2", "mediator1"}
    for row in charged:
        envelopes = messages.decode_batch(row["batch"])
        expected = 500 + sum(
            len(e.payload) + len(e.payload) * sum(len(sync.resolve(r, row["timestamp"])) for r in dict.fromkeys(e.recipients)) * 200 // 10000
            for e in envelopes
        )
        assert row["cost"] == (expected if row["sender"].startswith(("PAR::", "MED::")) else 0)
    # what the sequencer reports is what it charged: 20000 minus the costs (all at one sim instant)
    spent = sum(r["cost"] for r in charged if r["sender"] == member(session, "participant2"))
    assert last_update(session, "participant2").baseTrafficRemainder == 20000 - spent


# ------------------------------------------------------------------------------------------------
# Top-ups with several sequencers


@pytest.fixture
def two_sequencers(tmp_path):
    """Two sequencers owning the synchronizer together (threshold 2) and agreeing on top-ups with
    sequencer threshold 2."""
    s = open_session(config(sequencers=2), tmp_path)
    step_ok(
        s,
        'bootstrap.synchronizer("da", sequencers=Seq(sequencer1, sequencer2), mediators=Seq(mediator1), '
        "synchronizerOwners=Seq(sequencer1, sequencer2), synchronizerThreshold=2, "
        "staticSynchronizerParameters=StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
    )
    step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "da")')
    step_ok(s, 'participant2.synchronizers.connect_local(sequencer2, "da")')
    step_ok(s, "utils.synchronize_topology()")
    for seq in ("sequencer1", "sequencer2"):
        step_ok(s, f"{seq}.topology.sequencers.propose(sequencer1.synchronizer_id, threshold=2, active=Seq(sequencer1, sequencer2))")
    for seq in ("sequencer1", "sequencer2"):
        step_ok(s, ENABLE_TRAFFIC.replace("sequencer1.topology", f"{seq}.topology"))
    step_ok(s, "clock.advance(timedelta(minutes=1))")
    yield s
    s.close()


def test_a_top_up_takes_effect_once_the_sequencer_threshold_submitted_it(two_sequencers):
    s = two_sequencers
    assert step_ok(s, "sequencer1.topology.sequencers.list()")[0].item.threshold == 2
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(member=participant1, serial=1, newBalance=50000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    # one sequencer is not enough: unchanged
    assert state(s, "participant1") == tr.TrafficState(0, 0, 20000, 0, T0 + SECOND)
    step_ok(s, "sequencer2.traffic_control.set_traffic_balance(member=participant1, serial=1, newBalance=50000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    applied = state(s, "participant1")
    assert (applied.extraTrafficPurchased, applied.serial, applied.availableTraffic) == (50000, 1, 70000)
    # both sequencers report it
    assert s.step("sequencer2.traffic_control.traffic_state_of_members(Seq(participant1))").value.state_of(member(s, "participant1")) == applied
    # a stale serial is refused, by either sequencer
    for seq in ("sequencer1", "sequencer2"):
        out = s.step(f"{seq}.traffic_control.set_traffic_balance(participant1, 1, 90000)")
        assert out.failed
        assert "TRAFFIC_CONTROL_SERIAL_TOO_LOW(11,0): The provided serial value 1 is too low. Latest serial used by this member is Some(1)" in out.output
    # a different amount under the same serial from the other sequencer does not aggregate
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 2, 60000)")
    step_ok(s, "sequencer2.traffic_control.set_traffic_balance(participant1, 2, 61000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    assert state(s, "participant1").extraTrafficPurchased == 50000
    step_ok(s, "sequencer2.traffic_control.set_traffic_balance(participant1, 2, 60000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    assert state(s, "participant1").extraTrafficPurchased == 60000


def test_top_ups_aggregate_only_within_one_submission_window(two_sequencers):
    s = two_sequencers
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 1, 50000)")
    # the 5-minute window that began at the epoch ends at 00:05:00; sequencer2 submits in the next one
    step_ok(s, "clock.advance(timedelta(minutes=5))")
    step_ok(s, "sequencer2.traffic_control.set_traffic_balance(participant1, 1, 50000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    assert state(s, "participant1").extraTrafficPurchased == 0
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 1, 50000)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    assert state(s, "participant1").extraTrafficPurchased == 50000


def test_a_top_up_counts_only_valid_signatures_of_active_sequencers(two_sequencers):
    s = two_sequencers
    env = s.env
    sync = sync_of(s)
    p1 = member(s, "participant1")
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 1, 50000)")
    agg = next(iter(sync.aggregations))
    # sequencer2's submission with a forged signature does not complete the quorum
    seq2 = env.sequencers["sequencer2"]
    msg = {
        "type": "SetTrafficPurchasedMessage",
        "member": p1,
        "serial": 1,
        "total_traffic_purchased": 50000,
        "synchronizer_id": sync.id,
        "max_sequencing_time": int(agg.rsplit("/", 1)[1]),
        "signature": "00" * 64,
    }
    forged = SubmissionRequest(seq2.member_id, "forged", (Envelope(messages.encode(msg), (p1, messages.SEQUENCERS)),), kind="top-up",
                               max_sequencing_time=msg["max_sequencing_time"], aggregation_id=agg)
    env.call(sync.submit, forged)
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    assert state(s, "participant1").extraTrafficPurchased == 0


# ------------------------------------------------------------------------------------------------
# Bad input, disabled traffic control


def _stored_top_ups(session) -> tuple[int, int, int]:
    sequencer = session.env.sequencers["sequencer1"]
    with sequencer.storage.read() as conn:
        submissions = conn.execute(select(func.count()).select_from(s.TopUpSubmissionRow)).scalar()
        purchases = conn.execute(select(func.count()).select_from(s.TrafficPurchasedRow)).scalar()
    return submissions, purchases, len(sync_of(session).aggregations)


@pytest.mark.parametrize(
    "call, expected",
    [
        ("set_traffic_balance(participant1, 1, -5)", "INVALID_ARGUMENT(8,0): sequencer1.traffic_control.set_traffic_balance: new_balance must be non-negative, got -5"),
        ("set_traffic_balance(participant1, 1, NonNegativeNumeric.tryCreate(-5))", "java.lang.IllegalArgumentException: Received the negative -5 as argument"),
        ("set_traffic_balance(participant1, 0, 1000)", "INVALID_ARGUMENT(8,0): sequencer1.traffic_control.set_traffic_balance: serial must be positive, got 0"),
        ("set_traffic_balance(sequencer1, 1, 1000)", "sequencer1 is a sequencer; expected participant or mediator"),
        ("set_traffic_balance(participant3, 1, 1000)", "NOT_FOUND/TOPOLOGY_UNKNOWN_MEMBERS(11,0): Members PAR::participant3::"),
        ("set_traffic_balance(participant1, \"two\", 1000)", "Error: sequencer1.traffic_control.set_traffic_balance: argument 'serial' expects a positive whole number"),
        ("set_traffic_balance(42, 1, 1000)", "Error: sequencer1.traffic_control.set_traffic_balance: argument 'member' expects a participant reference or a mediator reference"),
        ("set_traffic_balance(participant1, 1, 1.5)", "argument 'newBalance' expects a non-negative whole number"),
        ("set_traffic_balance(participant1, 1, 1000, 7)", "Error: sequencer1.traffic_control.set_traffic_balance"),
    ],
)
def test_bad_top_ups_fail_and_store_nothing(tmp_path, call, expected):
    s = open_session(config(participants=3), tmp_path)  # participant3 never joins the synchronizer
    try:
        step_ok(s, 'bootstrap.synchronizer("da", sequencers=Seq(sequencer1), mediators=Seq(mediator1), synchronizerOwners=Seq(sequencer1), synchronizerThreshold=1, staticSynchronizerParameters=StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, "utils.synchronize_topology()")
        step_ok(s, ENABLE_TRAFFIC)
        before = _stored_top_ups(s)
        out = s.step(f"sequencer1.traffic_control.{call}")
        assert out.failed
        assert expected in out.output
        assert _stored_top_ups(s) == before == (0, 0, 0)
        assert not sync_of(s)._pending
    finally:
        s.close()


def test_top_ups_need_traffic_control(tmp_path):
    s = open_session(config(), tmp_path, bootstrap=True)
    try:
        out = s.step("sequencer1.traffic_control.set_traffic_balance(participant1, 1, 1000)")
        assert out.failed
        assert "Request failed for sequencer1.\n  GrpcRequestRefusedByServer: NOT_FOUND/TRAFFIC_CONTROL_DISABLED(11,0): TrafficControlDisabled" in out.output
        assert _stored_top_ups(s) == (0, 0, 0)
        # without traffic control nothing is charged and the states are not extrapolated
        step_ok(s, "participant1.health.ping(participant2)")
        assert all(e["cost"] == 0 for e in s.env.call(s.env.sequencers["sequencer1"].event_log))
        assert state(s, "participant1") == tr.TrafficState(0, 0, 0, 0, tr.MIN_TIMESTAMP)
        # the participant's own view: all zeros at the epoch
        out = s.step("participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)")
        assert out.output == (
            "res4: com.digitalasset.canton.sequencing.protocol.TrafficState = TrafficState(\n"
            "  extraTrafficLimit = 0,\n"
            "  extraTrafficConsumed = 0,\n"
            "  baseTrafficRemainder = 0,\n"
            "  lastConsumedCost = 0,\n"
            "  timestamp = 1970-01-01T00:00:00Z,\n"
            "  availableTraffic = 0\n"
            ")\n"
        )
        # enforceRateLimiting = false: traffic control is set but inactive
        step_ok(s, ENABLE_TRAFFIC.replace("enforceRateLimiting=True", "enforceRateLimiting=False"))
        step_ok(s, "participant1.health.ping(participant2)")
        assert all(e["cost"] == 0 for e in s.env.call(s.env.sequencers["sequencer1"].event_log))
    finally:
        s.close()


# ------------------------------------------------------------------------------------------------
# Inspection


def test_the_timestamp_selectors_and_the_participants_own_view(session):
    probe(session, "participant1", [9500])  # 9810 left at T0
    step_ok(session, "clock.advance(timedelta(seconds=2))")
    t = T0 + 2 * SECOND
    safe = state(session, "participant1")
    assert safe == tr.TrafficState(0, 0, 9810 + 4000, 0, t)
    assert state(session, "participant1", "traffic_state_of_members_approximate") == safe
    assert last_update(session, "participant1") == tr.TrafficState(0, 0, 9810, 10190, T0)
    # an exact timestamp after the last update is extrapolated to; an earlier one gives the latest state
    at = step_ok(session, f'sequencer1.traffic_control.traffic_state_of_members_at_timestamp(Seq(participant1), "{instant(T0 + SECOND)}")')
    assert at.state_of(member(session, "participant1")) == tr.TrafficState(0, 0, 9810 + 2000, 0, T0 + SECOND)
    earlier = step_ok(session, "sequencer1.traffic_control.traffic_state_of_members_at_timestamp(Seq(participant1), clock.now)")
    assert earlier.state_of(member(session, "participant1")).timestamp == t
    # unknown members and sequencers are left out
    only = step_ok(session, "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1, sequencer1, mediator1))")
    assert [m.split("::")[1] for m in only.members()] == ["mediator1", "participant1"]
    # the participant's view is its last receipt: not extrapolated
    view = step_ok(session, "participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)")
    assert view.state == tr.TrafficState(0, 0, 9810, 10190, T0)
    assert view.baseTrafficRemainder == 9810 and view.serial.isEmpty and view.availableTraffic == 9810
    # ... and learns of top-ups delivered to it
    step_ok(session, "sequencer1.traffic_control.set_traffic_balance(participant1, 4, 1000)")
    view = step_ok(session, "participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)")
    assert (view.state.extraTrafficPurchased, view.state.serial, view.state.baseTrafficRemainder) == (1000, 4, 9810)
    assert view.serial.get == 4
    out = session.step("participant1.traffic_control.traffic_state(participant1.synchronizers.id_of(\"nope\"))")
    assert out.failed


def test_the_status_objects_behave_like_canton_s(session):
    status = step_ok(session, "sequencer1.traffic_control.traffic_state_of_all_members()")
    ns = session.console.namespace
    p1 = status.trafficStates(ns["participant1"])
    assert p1.serial.getOrElse(ns["PositiveNumeric"].tryCreate(1)).increment == 2
    assert p1.baseTrafficRemainder == 20000 and p1.extraTrafficLimit == 0
    assert status.trafficStatesOrErrors(ns["participant1"]).isRight
    assert status.trafficStatesOrErrors(ns["mediator1"]).value == status.trafficStates(ns["mediator1"])
    # Scala syntax on the same objects
    step_ok(session, "val st = sequencer1.traffic_control.traffic_state_of_all_members()")
    assert step_ok(session, "st.trafficStates(participant1).serial.exists(_ >= PositiveNumeric.tryCreate(1))") is False
    assert step_ok(session, "st.trafficStates(participant1).availableTraffic") == 20000
    out = session.step("st.trafficStates(sequencer1)")
    assert out.failed and "key not found" in out.output


# ------------------------------------------------------------------------------------------------
# Persistence


def test_purchases_and_consumed_traffic_survive_a_restart(tmp_path):
    s = open_session(config(storage="sqlite"), tmp_path, bootstrap=True)
    step_ok(s, ENABLE_TRAFFIC)
    step_ok(s, "clock.advance(timedelta(minutes=1))")
    step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 3, 123456)")
    step_ok(s, "clock.advance(timedelta(seconds=1))")
    step_ok(s, "participant1.health.ping(participant2)")
    probe(s, "participant2", [9500])
    with pytest.raises(Exception):
        probe(s, "participant2", [19000])  # refused: the tick is stored too
    members = "Seq(participant1, participant2, mediator1)"
    before_last = step_ok(s, f"sequencer1.traffic_control.last_traffic_state_update_of_members({members})")
    at = instant(T0 + 5 * SECOND)
    before_at = step_ok(s, f'sequencer1.traffic_control.traffic_state_of_members_at_timestamp({members}, "{at}")')
    before_view = step_ok(s, "participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)")
    s.close()

    s = open_session(config(storage="sqlite"), tmp_path)
    try:
        step_ok(s, "utils.synchronize_topology()")
        assert step_ok(s, f"sequencer1.traffic_control.last_traffic_state_update_of_members({members})") == before_last
        assert step_ok(s, f'sequencer1.traffic_control.traffic_state_of_members_at_timestamp({members}, "{at}")') == before_at
        p1 = before_last.state_of(member(s, "participant1"))
        assert (p1.extraTrafficPurchased, p1.serial) == (123456, 3)
        assert step_ok(s, "participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)").state.serial == before_view.state.serial
        assert step_ok(s, "sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)").trafficControl is not None
        out = s.step("sequencer1.traffic_control.set_traffic_balance(participant1, 3, 5)")
        assert "Latest serial used by this member is Some(3)" in out.output
        step_ok(s, "participant1.health.ping(participant2)")  # traffic keeps being charged after the restart
        assert step_ok(s, f"sequencer1.traffic_control.last_traffic_state_update_of_members({members})") != before_last
    finally:
        s.close()


# ------------------------------------------------------------------------------------------------
# The query path agrees with the generic state computation


@settings(max_examples=200, deadline=None)
@given(
    ts=st.integers(min_value=0, max_value=10**12),
    extra=st.integers(min_value=0, max_value=10**9),
    base=st.integers(min_value=0, max_value=20000),
    last=st.integers(min_value=0, max_value=10**6),
    delta=st.integers(min_value=0, max_value=10**8),
    purchases=st.lists(st.tuples(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**9)), max_size=3),
)
def test_the_fast_query_path_equals_the_traffic_logic(ts, extra, base, last, delta, purchases):
    from canton_console.runtime.synchronizer import TrafficAccounting
    from canton_console.values.parameters import TrafficControlParameters

    params = TrafficControlParameters(
        maxBaseTrafficAmount=20000, readVsWriteScalingFactor=200, maxBaseTrafficAccumulationDuration=10 * SECOND,
        setBalanceRequestSubmissionWindowSize=300 * SECOND, enforceRateLimiting=True, baseEventCost=500,
    )
    accounting = TrafficAccounting.__new__(TrafficAccounting)
    accounting.consumed = {"PAR::p::1220": tr.TrafficConsumed("PAR::p::1220", ts, extra, base, last)}
    accounting.purchased = {
        "PAR::p::1220": [tr.TrafficPurchased("PAR::p::1220", i + 1, amount, at) for i, (at, amount) in enumerate(sorted(purchases))]
    }
    at = ts + delta
    consumed = accounting.consumed["PAR::p::1220"]
    expected_consumed = tr.tick(consumed, params, at) if at > ts else consumed
    expected = tr.to_traffic_state(expected_consumed, tr.balance_valid_at(accounting.purchased["PAR::p::1220"], max(at, ts)))
    assert accounting._extrapolated("PAR::p::1220", at, params) == expected


def test_a_members_traffic_state_has_its_timestamp(module_session):
    out = module_session.step("participant1.traffic_control.traffic_state(sequencer1.synchronizer_id).timestamp").output
    assert out.startswith("res") and ": CantonTimestamp = " in out and "Z" in out, out
