"""ACS commitments as Canton 3.3 has them: participants that share contracts exchange a commitment
per reconciliation interval through the sequencer and compare them; a participant whose store
differs produces a mismatch that the lookups report; participants that share nothing exchange none.
The synchronizer runs on a sim clock with a 5 second reconciliation interval."""

from __future__ import annotations

import logging
import time

import pytest
from conftest import open_session, step_ok
from sqlalchemy import delete, select

from canton_console.runtime.participant import commitments as rt
from canton_console.store import schema as s
from canton_console.values import ledger

IOU_PKG = next(p for p in ledger.BUILTIN_PACKAGES if p.name == "iou").id
SECOND = 1_000_000
INTERVAL = 5 * SECOND


def config() -> str:
    def store(name: str) -> str:
        return f'storage {{ type = sqlite, file = "{name}.db" }}'

    parts = "\n".join(
        f"    participant{i} {{ {store(f'participant{i}')}, ledger-api.port = {16100 + 10 * i}, admin-api.port = {16101 + 10 * i} }}" for i in (1, 2, 3)
    )
    return f"""
canton {{
  parameters.clock.type = sim-clock
  sequencers {{ sequencer1 {{ {store('sequencer1')}, public-api.port = 15110, admin-api.port = 15111 }} }}
  mediators {{ mediator1 {{ {store('mediator1')}, admin-api.port = 17101 }} }}
  participants {{
{parts}
  }}
}}
"""


def create_iou(s, amount: int) -> str:
    tree = step_ok(
        s,
        f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create(pkg, "Iou", "Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> {amount}))))',
    )
    return tree.created[0].contractId


def last_tick(s, participant: str) -> int | None:
    node = s.env.node(participant)
    sync_id = next(iter(node.connections.values())).synchronizer_id
    return s.env.call(node.last_computed_and_sent, sync_id)


def wait_for_tick(s, tick: int, participants: tuple[str, ...] = ("participant1", "participant2", "participant3")) -> int:
    """Wait until the participants processed ``tick`` and the commitments sent for it were delivered."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if all(last_tick(s, p) == tick for p in participants) and s.env.call(s.env.is_idle):
            time.sleep(0.05)
            if s.env.call(s.env.is_idle):
                return tick
        time.sleep(0.05)
    raise AssertionError(f"the participants did not process tick {tick}")


def advance_one_interval(s, participants: tuple[str, ...] = ("participant1", "participant2", "participant3")) -> int:
    """Move the sim clock past the next tick and wait until the participants processed it."""
    now = s.env.clock.now()
    tick = rt.tick_at_or_before(now, INTERVAL) + INTERVAL
    step_ok(s, f"clock.advance(java.time.Duration.ofMillis({(tick + 1 - now) // 1000 + 1}))")
    return wait_for_tick(s, tick, participants)


def session(tmp_path):
    sess = open_session(config(), tmp_path, bootstrap=True)
    step_ok(
        sess,
        "sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, "
        "_.update(reconciliationInterval = PositiveDurationSeconds.ofSeconds(5)))",
    )
    step_ok(sess, 'val alice = participant1.parties.enable("Alice")')
    step_ok(sess, 'val bob = participant2.parties.enable("Bob")')
    step_ok(sess, 'val carol = participant3.parties.enable("Carol")')
    step_ok(sess, f'val pkg = "{IOU_PKG}"')
    step_ok(sess, "import com.digitalasset.canton.admin.api.client.commands.ParticipantAdminCommands.Inspection.{SynchronizerTimeRange, TimeRange, SlowCounterParticipantSynchronizerConfig}")
    step_ok(sess, "import com.digitalasset.canton.participant.pruning.AcsCommitmentProcessor.{ReceivedCmtState, SentCmtState}")
    return sess


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """participant1 (Alice) and participant2 (Bob) share two IOUs; participant3 (Carol) shares nothing.
    Two ticks processed."""
    sess = session(tmp_path_factory.mktemp("commitments"))
    create_iou(sess, 1)
    create_iou(sess, 2)
    advance_one_interval(sess)
    advance_one_interval(sess)
    yield sess
    sess.close()


def lookup(s, participant: str, which: str, *args: str) -> list:
    found = step_ok(s, f"{participant}.commitments.lookup_{which}_acs_commitments({', '.join(args) or 'Seq(), Seq(), Seq(), true'})")
    return [item for items in found.values() for item in items]


def test_participants_sharing_contracts_exchange_matching_commitments(shared):
    p2 = str(step_ok(shared, "participant2.id"))
    p1 = str(step_ok(shared, "participant1.id"))
    (sent,) = lookup(shared, "participant1", "sent")
    assert str(sent.destCounterParticipant) == p2 and sent.state.name == "Match"
    assert sent.sentCommitment.get == sent.receivedCommitment.get
    (received,) = lookup(shared, "participant2", "received")
    assert str(received.originCounterParticipant) == p1 and received.state.name == "Match"
    # both sides computed the same commitment, and that is what the other received
    assert received.receivedCommitment.get == sent.sentCommitment.get == received.localCommitment.get
    shown = shared.step("participant1.commitments.lookup_sent_acs_commitments(Seq(), Seq(), Seq(), false)").output
    assert "SentAcsCmt(" in shown and "state = Match" in shown and "sentCommitment = None" in shown


def test_every_tick_has_a_period_and_the_first_starts_at_min_value(shared):
    computed = step_ok(shared, 'participant1.commitments.computed("da", "0001-01-01T00:00:00Z", clock.now)')
    periods = [(int(t[0].fromExclusive), int(t[0].toInclusive)) for t in computed]
    assert periods == [(rt.MIN_TIMESTAMP, INTERVAL), (INTERVAL, 2 * INTERVAL)]
    received = step_ok(shared, 'participant2.commitments.received("da", "1970-01-01T00:00:00Z", clock.now, Some(participant1))')
    assert [int(m.message.period.toInclusive) for m in received] == [INTERVAL, 2 * INTERVAL]
    assert [m.message.commitment for m in received] == [t[2] for t in computed]
    assert str(step_ok(shared, 'participant2.commitments.lastComputedAndSent("da")').get) == "1970-01-01T00:00:10Z"


def test_participants_without_shared_contracts_exchange_none(shared):
    assert lookup(shared, "participant3", "received") == []
    assert lookup(shared, "participant3", "sent") == []
    computed = step_ok(shared, 'participant1.commitments.computed("da", "0001-01-01T00:00:00Z", clock.now, Some(participant3))')
    assert list(computed) == []
    node = shared.env.node("participant3")
    with node.open_storage.read() as conn:
        assert conn.execute(select(s.AcsCommitmentReceivedRow.sender)).all() == []


def test_commitments_travel_as_sequenced_events_addressed_to_the_counter_participant(shared):
    sequencer = shared.env.node("sequencer1")
    p1, p2 = (shared.env.node(n).member_id for n in ("participant1", "participant2"))
    with sequencer.open_storage.read() as conn:
        rows = conn.execute(select(s.SequencedEventRow.__table__).where(s.SequencedEventRow.sender == p1)).mappings().all()
    commitments = [r for r in rows if r["message_id"].startswith("acs-commitment-")]
    assert len(commitments) == 2  # one per tick
    assert all(r["recipients"].split(",") == [p2] for r in commitments)


def test_no_wait_counter_participants_have_no_outstanding_periods(shared):
    step_ok(shared, "participant1.commitments.set_no_wait_commitments_from(Seq(participant3), Seq(sequencer1.synchronizer_id))")
    no_wait, wait = step_ok(shared, "participant1.commitments.get_wait_commitments_config_from(Seq(), Seq())")
    p3 = str(step_ok(shared, "participant3.id"))
    assert [str(n.counterParticipant) for n in no_wait] == [p3]
    assert p3 not in [str(w.counterParticipant) for w in wait]
    out = shared.step("participant1.commitments.set_no_wait_commitments_from(Seq(participant2, participant2), Seq(sequencer1.synchronizer_id))")
    assert out.failed and "ILLEGAL_ARGUMENT_PRUNING_ERROR(8,0): Synchronizer Participant pairs is not distinct" in out.output
    no_wait, _ = step_ok(shared, "participant1.commitments.get_wait_commitments_config_from(Seq(), Seq())")
    assert [str(n.counterParticipant) for n in no_wait] == [p3]
    step_ok(shared, "participant1.commitments.set_wait_commitments_from(Seq(participant3), Seq(sequencer1.synchronizer_id))")
    no_wait, _ = step_ok(shared, "participant1.commitments.get_wait_commitments_config_from(Seq(), Seq())")
    assert list(no_wait) == []


def test_slow_counter_participant_configuration_is_stored_and_shown(shared):
    step_ok(
        shared,
        "participant1.commitments.set_config_for_slow_counter_participants(Seq(SlowCounterParticipantSynchronizerConfig("
        "Seq(sequencer1.synchronizer_id), Seq(participant2.id), NonNegativeInt.tryCreate(3), NonNegativeInt.tryCreate(5), Seq())))",
    )
    step_ok(shared, "participant1.commitments.add_participant_to_individual_metrics(Seq(participant3.id), Seq(sequencer1.synchronizer_id))")
    (config,) = step_ok(shared, "participant1.commitments.get_config_for_slow_counter_participants(Seq())")
    assert [str(p) for p in config.distinguishedParticipants] == [str(step_ok(shared, "participant2.id"))]
    assert [str(p) for p in config.participantsMetrics] == [str(step_ok(shared, "participant3.id"))]
    assert (config.thresholdDistinguished, config.thresholdDefault) == (3, 5)
    shown = shared.step("participant1.commitments.get_config_for_slow_counter_participants(Seq())").output
    assert "SlowCounterParticipantSynchronizerConfig(" in shown and "thresholdDefault = NonNegativeNumeric(value = 5)" in shown
    out = shared.step(
        "participant1.commitments.set_config_for_slow_counter_participants(Seq("
        "SlowCounterParticipantSynchronizerConfig(Seq(sequencer1.synchronizer_id), Seq(), NonNegativeInt.tryCreate(1), NonNegativeInt.tryCreate(1), Seq()),"
        "SlowCounterParticipantSynchronizerConfig(Seq(sequencer1.synchronizer_id), Seq(), NonNegativeInt.tryCreate(2), NonNegativeInt.tryCreate(2), Seq())))"
    )
    assert out.failed and "PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR(8,0): synchronizerIds are not distinct" in out.output
    (still,) = step_ok(shared, "participant1.commitments.get_config_for_slow_counter_participants(Seq())")
    assert still == config


def test_intervals_behind(shared):
    found = step_ok(shared, "participant1.commitments.get_intervals_behind_for_counter_participants(Seq(participant2, participant3), Seq(), None)")
    behind = {str(i.participantId).split("::")[1]: int(i.intervalsBehind) for i in found}
    assert behind == {"participant2": 0, "participant3": 9223372036854775807}


def test_reinitialize_reports_the_acs_timestamp(shared):
    (info,) = step_ok(shared, "participant1.commitments.reinitialize_commitments(Seq(), Seq(), Seq(), 30.seconds)")
    assert not info.error.isDefined and str(info.acsTimestamp.get) == "1970-01-01T00:00:10Z"


def test_bad_arguments_are_refused(shared):
    out = shared.step('participant1.commitments.computed("nope", clock.now, clock.now)')
    assert out.failed and "SYNC_SERVICE_UNKNOWN_SYNCHRONIZER" in out.output
    out = shared.step("participant1.commitments.lookup_received_acs_commitments(Seq(), Seq(), Seq(SentCmtState.Match), false)")
    assert out.failed and "ReceivedCmtState.Match" in out.output


def test_commitments_survive_a_restart_and_continue_from_the_last_tick(shared):
    step_ok(shared, "participant1.stop()")
    step_ok(shared, "participant1.start()")
    tick = advance_one_interval(shared)
    computed = step_ok(shared, 'participant1.commitments.computed("da", "0001-01-01T00:00:00Z", clock.now, Some(participant2))')
    assert [int(t[0].toInclusive) for t in computed] == [INTERVAL, 2 * INTERVAL, tick]
    assert int(computed[-1][0].fromExclusive) == 2 * INTERVAL
    states = [x.state.name for x in lookup(shared, "participant1", "sent", 'Seq(SynchronizerTimeRange(sequencer1.synchronizer_id, None)), Seq(), Seq(), false')]
    assert states == ["Match"]


def test_a_purged_contract_produces_a_mismatch(tmp_path, caplog):
    sess = session(tmp_path)
    try:
        create_iou(sess, 1)
        purged = create_iou(sess, 2)
        first = advance_one_interval(sess)
        # participant2 loses a shared contract: removed from its store directly
        node = sess.env.node("participant2")
        with node.open_storage.transaction() as conn:
            assert conn.execute(delete(s.ContractRow).where(s.ContractRow.contract_id == purged)).rowcount == 1
        with caplog.at_level(logging.WARNING):
            second = advance_one_interval(sess)
        warnings = [r.getMessage() for r in caplog.records if "ACS_COMMITMENT_MISMATCH(5,0)" in r.getMessage()]
        assert len(warnings) == 2  # each side reports the other's commitment
        assert all(f"toInclusive = 1970-01-01T00:00:{second // SECOND:02d}Z" in w for w in warnings)
        p2 = str(step_ok(sess, "participant2.id"))
        assert any(f"sender = {p2}" in w for w in warnings)
        mismatched = lookup(sess, "participant1", "received", "Seq(), Seq(), Seq(ReceivedCmtState.Mismatch), true")
        assert [(str(m.originCounterParticipant), int(m.receivedCmtPeriod.toInclusive)) for m in mismatched] == [(p2, second)]
        assert mismatched[0].receivedCommitment.get != mismatched[0].localCommitment.get
        # the earlier period still matched
        earlier = lookup(
            sess,
            "participant1",
            "sent",
            f'Seq(SynchronizerTimeRange(sequencer1.synchronizer_id, Some(TimeRange("1970-01-01T00:00:00Z", "1970-01-01T00:00:{first // SECOND:02d}Z")))), Seq(), Seq(), false',
        )
        assert [x.state.name for x in earlier if int(x.receivedCmtPeriod.toInclusive) == first] == ["Match"]
        outstanding = step_ok(sess, 'participant1.commitments.outstanding("da", "1970-01-01T00:00:00Z", clock.now)')
        assert [(int(t[0].toInclusive), t[2].name) for t in outstanding] == [(second, "Mismatched")]
        # opening both sides' commitments for the period names the contract participant2 lost
        sess.admin.set_feature("Preview", True)
        at = f'"1970-01-01T00:00:{second // SECOND:02d}Z"'
        opened = {}
        for me, other in (("participant1", "participant2"), ("participant2", "participant1")):
            (mine,) = step_ok(sess, f'{me}.commitments.computed("da", {at}, {at}, Some({other}))')
            step_ok(sess, f"val cmt_{me} = {me}.commitments.computed(\"da\", {at}, {at}, Some({other})).head._3")
            contracts = step_ok(sess, f"{me}.commitments.open_commitment(cmt_{me}, sequencer1.synchronizer_id, {at}, {other})")
            opened[me] = {c.cid for c in contracts}
            assert all(c.reassignmentCounter == 0 for c in contracts) and mine[2] is not None
        assert opened["participant1"] - opened["participant2"] == {purged}
        out = sess.step(f'participant1.commitments.open_commitment(cmt_participant2, sequencer1.synchronizer_id, {at}, participant2)')
        assert out.failed and "PARTICIPANT_INSPECTION_ILLEGAL_ARGUMENT_ERROR" in out.output and "has not computed such a commitment" in out.output
    finally:
        sess.close()


def test_commitments_cost_traffic_as_any_submission(tmp_path):
    sess = session(tmp_path)
    try:
        step_ok(
            sess,
            "sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, _.update(trafficControl = Some(TrafficControlParameters("
            "maxBaseTrafficAmount = NonNegativeNumeric.tryCreate(200000), readVsWriteScalingFactor = PositiveNumeric.tryCreate(200), "
            "maxBaseTrafficAccumulationDuration = PositiveFiniteDuration.ofSeconds(10), setBalanceRequestSubmissionWindowSize = PositiveFiniteDuration.ofMinutes(5), "
            "enforceRateLimiting = true, baseEventCost = NonNegativeNumeric.tryCreate(500)))))",
        )
        create_iou(sess, 1)
        advance_one_interval(sess)
        p1 = sess.env.node("participant1").member_id
        with sess.env.node("sequencer1").open_storage.read() as conn:
            costs = [
                cost
                for message_id, cost in conn.execute(select(s.SequencedEventRow.message_id, s.SequencedEventRow.cost).where(s.SequencedEventRow.sender == p1))
                if message_id.startswith("acs-commitment-")
            ]
        assert len(costs) == 1 and costs[0] > 500  # the base event cost plus the payload's
    finally:
        sess.close()


def test_a_commitment_for_contracts_the_receiver_no_longer_has_is_answered_with_an_empty_one(tmp_path, caplog):
    sess = session(tmp_path)
    try:
        only = create_iou(sess, 1)
        advance_one_interval(sess)
        node = sess.env.node("participant2")
        with node.open_storage.transaction() as conn:
            conn.execute(delete(s.ContractRow).where(s.ContractRow.contract_id == only))
        with caplog.at_level(logging.WARNING):
            tick = advance_one_interval(sess)
        messages = [r.getMessage() for r in caplog.records]
        assert sum("ACS_MISMATCH_NO_SHARED_CONTRACTS(5,0): Received a commitment where we have no shared contract with the sender" in m for m in messages) == 1
        assert sum("ACS_COMMITMENT_MISMATCH(5,0)" in m for m in messages) == 1  # participant1, on participant2's empty answer
        (answer,) = lookup(sess, "participant1", "received", "Seq(), Seq(participant2), Seq(), true")
        assert answer.state.name == "Mismatch" and int(answer.receivedCmtPeriod.toInclusive) == tick
        assert answer.receivedCommitment.get.hex == rt.EMPTY_COMMITMENT != answer.localCommitment.get.hex
        # participant2 computed nothing for the period: the empty answer is no commitment of its own
        assert lookup(sess, "participant2", "sent", "Seq(), Seq(), Seq(), false") == []
    finally:
        sess.close()


def test_a_participant_that_was_away_catches_up_and_no_wait_hides_its_outstanding_periods(tmp_path):
    sess = session(tmp_path)
    try:
        create_iou(sess, 1)
        first = advance_one_interval(sess)
        step_ok(sess, "participant2.stop()")
        second = advance_one_interval(sess, ("participant1", "participant3"))
        third = advance_one_interval(sess, ("participant1", "participant3"))
        since = '"1970-01-01T00:00:00Z", clock.now'
        outstanding = step_ok(sess, f'participant1.commitments.outstanding("da", {since})')
        assert [(int(t[0].toInclusive), t[2].name) for t in outstanding] == [(second, "Outstanding"), (third, "Outstanding")]
        step_ok(sess, "participant1.commitments.set_no_wait_commitments_from(Seq(participant2), Seq(sequencer1.synchronizer_id))")
        assert list(step_ok(sess, f'participant1.commitments.outstanding("da", {since})')) == []
        behind = step_ok(sess, "participant1.commitments.get_intervals_behind_for_counter_participants(Seq(participant2), Seq(), None)")
        assert [int(i.intervalsBehind) for i in behind] == [2]  # its newest match is the first tick
        step_ok(sess, "participant1.commitments.set_wait_commitments_from(Seq(participant2), Seq(sequencer1.synchronizer_id))")
        assert len(step_ok(sess, f'participant1.commitments.outstanding("da", {since})')) == 2
        # participant2 comes back: one period covers the ticks it missed, and it matches both of participant1's
        step_ok(sess, "participant2.start()")
        wait_for_tick(sess, third)
        (caught_up,) = [r for r in lookup(sess, "participant1", "received", f'Seq(SynchronizerTimeRange(sequencer1.synchronizer_id, Some(TimeRange("1970-01-01T00:00:0{first // SECOND}Z", "1970-01-01T00:00:{third // SECOND}Z")))), Seq(participant2), Seq(), false') if int(r.receivedCmtPeriod.toInclusive) == third]
        assert (int(caught_up.receivedCmtPeriod.fromExclusive), caught_up.state.name) == (first, "Match")
        assert list(step_ok(sess, f'participant1.commitments.outstanding("da", {since})')) == []
    finally:
        sess.close()


def test_a_commitment_received_before_the_own_one_is_computed_is_buffered(tmp_path):
    sess = session(tmp_path)
    try:
        create_iou(sess, 1)
        first = advance_one_interval(sess)
        step_ok(sess, 'participant1.synchronizers.disconnect("da")')
        second = advance_one_interval(sess, ("participant2", "participant3"))
        # back on the synchronizer, participant1 receives participant2's commitment for a tick it has not processed yet
        assert step_ok(sess, 'participant1.synchronizers.reconnect("da")')
        wait_for_tick(sess, first, ("participant1",))
        (buffered,) = lookup(sess, "participant1", "received", 'Seq(SynchronizerTimeRange(sequencer1.synchronizer_id, Some(TimeRange("1970-01-01T00:00:00Z", clock.now)))), Seq(), Seq(ReceivedCmtState.Buffered), true')
        assert (int(buffered.receivedCmtPeriod.toInclusive), buffered.localCommitment.isDefined) == (second, False)
        (queued,) = step_ok(sess, 'participant1.commitments.buffered("da", clock.now)')
        assert int(queued.period.toInclusive) == second
        advance_one_interval(sess)
        states = {int(r.receivedCmtPeriod.toInclusive): r.state.name for r in lookup(sess, "participant1", "received", 'Seq(SynchronizerTimeRange(sequencer1.synchronizer_id, Some(TimeRange("1970-01-01T00:00:00Z", clock.now)))), Seq(), Seq(), false')}
        assert states[second] == "Match" and list(step_ok(sess, 'participant1.commitments.buffered("da", clock.now)')) == []
    finally:
        sess.close()
