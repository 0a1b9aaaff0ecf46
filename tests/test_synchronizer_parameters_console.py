"""``<node>.topology.synchronizer_parameters`` on the real runtime: reading, proposing and updating
the dynamic synchronizer parameters, Canton's validation rules and error codes, serials, several
owners with a threshold, the topology change delay, and persistence. Also the party-to-participant
proposals of ``topology.party_to_participant_mappings``."""

from __future__ import annotations

import time

import pytest
from conftest import open_session, step_ok
from founding_outputs import RES1

from canton_console.console.session import Session, in_memory, load
from canton_console.values import topology as t
from canton_console.values.timefmt import MICROS_PER_HOUR, MICROS_PER_SECOND

SYNC = "sequencer1.synchronizer_id"
PARAMS = "sequencer1.topology.synchronizer_parameters"

DEFAULT_RENDERING = RES1.replace("res1:", "res{n}:", 1) + "\n"

TRAFFIC = (
    "TrafficControlParameters(enforceRateLimiting=True, maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000), "
    "readVsWriteScalingFactor=PositiveNumeric.tryCreate(200), maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10), "
    "setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5), baseEventCost=NonNegativeNumeric.tryCreate(500))"
)


def config(storage: str = "memory", sequencers: int = 1) -> str:
    def store(name: str) -> str:
        return "storage.type = memory" if storage == "memory" else f'storage {{ type = sqlite, file = "{name}.db" }}'

    seqs = "\n".join(
        f"    sequencer{i} {{ {store(f'sequencer{i}')}, public-api.port = {15000 + 10 * i}, admin-api.port = {15001 + 10 * i} }}"
        for i in range(1, sequencers + 1)
    )
    return f"""
canton {{
  parameters.clock.type = sim-clock
  sequencers {{
{seqs}
  }}
  mediators {{ mediator1 {{ {store('mediator1')}, admin-api.port = 17001 }} }}
  participants {{
    participant1 {{ {store('participant1')}, ledger-api.port = 16011, admin-api.port = 16012 }}
    participant2 {{ {store('participant2')}, ledger-api.port = 16021, admin-api.port = 16022 }}
  }}
}}
"""


@pytest.fixture
def session(tmp_path):
    s = open_session(config(), tmp_path, bootstrap=True)
    yield s
    s.close()


def sync_of(session):
    return next(iter(session.env.synchronizers.values()))


def serial(session) -> int:
    sync = sync_of(session)
    return sync.topology.serial_of(t.SYNCHRONIZER_PARAMETERS, sync.id)


def failure(session, source: str) -> str:
    out = session.step(source)
    assert out.failed, out.output
    return out.output


# ------------------------------------------------------------------------------------------------
# Reading


def test_the_defaults_render_as_the_transcript_from_every_node(session):
    for n, node in enumerate(("sequencer1", "mediator1", "participant1"), start=1):
        out = session.step(f"{node}.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters({SYNC})")
        assert out.output == DEFAULT_RENDERING.format(n=n)
    latest = step_ok(session, f"{PARAMS}.latest({SYNC})")
    assert latest == step_ok(session, f"{PARAMS}.get_dynamic_synchronizer_parameters({SYNC})")
    assert latest.trafficControl is None and latest.topologyChangeDelay == 250_000
    listed = step_ok(session, f"{PARAMS}.list()")
    assert len(listed) == 1 and listed[0].context.serial == 1 and listed[0].item == latest
    rendered = session.step(f"{PARAMS}.list(store = {SYNC})").output
    assert "catchUpIntervalSkip = 5" in rendered and "nrIntervalsToTriggerCatchUp = 2" in rendered  # the internal record
    assert step_ok(session, f"{PARAMS}.list(proposals = true)") == []
    # a participant that is not connected has no store for the synchronizer
    step_ok(session, "participant1.synchronizers.disconnect_all()")
    assert step_ok(session, "participant1.topology.synchronizer_parameters.list()") != []  # still registered
    out = failure(session, f"mediator1.topology.synchronizer_parameters.latest(\"da::1220{'0' * 64}\")")
    assert "TOPOLOGY_STORE_NOT_FOUND(11,0): Topology store for synchronizer da::1220" in out


# ------------------------------------------------------------------------------------------------
# Changing


def test_propose_update_uses_cantons_argument_names_and_the_next_serial(session):
    # Canton's documentation snippet, in Scala syntax
    step_ok(
        session,
        f"""{PARAMS}
  .propose_update(
    {SYNC},
    _.update(
      confirmationResponseTimeout = 40.seconds,
      mediatorDeduplicationTimeout = 2.minutes,
      preparationTimeRecordTimeTolerance = 1.minute,
      mediatorReactionTimeout = 20.seconds,
      assignmentExclusivityTimeout = 1.second,
      topologyChangeDelay = 0.millis,
      reconciliationInterval = 5.seconds,
      confirmationRequestsMaxRate = 100,
      maxRequestSize = 100000,
      sequencerAggregateSubmissionTimeout = 5.minutes,
      trafficControl = Some(
        TrafficControlParameters(
          maxBaseTrafficAmount = NonNegativeLong.tryCreate(204800),
          readVsWriteScalingFactor = 200,
          maxBaseTrafficAccumulationDuration = 12.minutes,
          setBalanceRequestSubmissionWindowSize = 10.minutes,
          enforceRateLimiting = false,
          baseEventCost = NonNegativeLong.zero,
        )
      ),
    ),
  )""",
    )
    assert serial(session) == 2
    p = step_ok(session, f"{PARAMS}.get_dynamic_synchronizer_parameters({SYNC})")
    assert (p.confirmationResponseTimeout, p.mediatorDeduplicationTimeout, p.preparationTimeRecordTimeTolerance) == (
        40 * MICROS_PER_SECOND, 120 * MICROS_PER_SECOND, 60 * MICROS_PER_SECOND,
    )
    assert (p.confirmationRequestsMaxRate, p.maxRequestSize, p.topologyChangeDelay) == (100, 100000, 0)
    assert p.trafficControl.maxBaseTrafficAccumulationDuration == 12 * 60 * MICROS_PER_SECOND
    assert not p.traffic_control_active  # set, but rate limiting is not enforced
    # the dedicated setter and snake_case names in Python syntax
    step_ok(session, f"{PARAMS}.set_ledger_time_record_time_tolerance({SYNC}, 90.seconds)")
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(max_request_size=5000))")
    assert serial(session) == 4
    listed = step_ok(session, f"{PARAMS}.list()")
    assert listed[0].context.serial == 4 and listed[0].item.maxRequestSize == 5000
    assert step_ok(session, f"{PARAMS}.latest({SYNC})").ledgerTimeRecordTimeTolerance == 90 * MICROS_PER_SECOND


def test_an_update_that_changes_nothing_does_nothing(session):
    sync = sync_of(session)
    before = len(sync.topology.log)
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, lambda p: p)")
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, _.update(maxRequestSize = 10485760))")
    step_ok(session, f"{PARAMS}.set_ledger_time_record_time_tolerance({SYNC}, 1.minute)")
    assert serial(session) == 1 and len(sync.topology.log) == before
    assert session.env.call(session.env.sequencers["sequencer1"].event_log)[-1]["timestamp"] == sync.last_timestamp


def test_the_validation_rules_and_error_codes(session):
    # the record's own rule, checked in the console (nothing reaches the node)
    out = failure(session, f"{PARAMS}.propose_update({SYNC}, _.update(preparationTimeRecordTimeTolerance = 30.hours))")
    assert "INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS(8,0): The preparationTimeRecordTimeTolerance (30h) must be at most half of the mediatorDeduplicationTimeout (48h)." in out
    # the topology manager's bounds
    out = failure(session, f"{PARAMS}.propose_update({SYNC}, _.update(confirmationResponseTimeout = 10.minutes))")
    assert "TOPOLOGY_VALUE_OUT_OF_BOUNDS" in out and "Parameter `confirmation response timeout` needs to be between 1s and 5m; found: 10m" in out
    out = failure(session, f"{PARAMS}.propose_update({SYNC}, _.update(mediatorReactionTimeout = 0.seconds))")
    assert "Parameter `mediator reaction timeout` needs to be between 1s and 5m; found: 0s" in out
    # ... unless forced
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(mediatorReactionTimeout=timedelta(minutes=6)), force=True)")
    # increasing the preparation tolerance needs force or the secure setter
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, _.update(mediatorDeduplicationTimeout = 96.hours))")
    out = failure(session, f"{PARAMS}.propose_update({SYNC}, _.update(preparationTimeRecordTimeTolerance = 25.hours))")
    assert "FAILED_PRECONDITION/TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE(9,0): The parameter preparationTimeRecordTimeTolerance can currently not be increased to 25h." in out
    # proposing what is in force
    out = failure(session, f"{PARAMS}.propose({SYNC}, {PARAMS}.latest({SYNC}))")
    assert "ALREADY_EXISTS/TOPOLOGY_MAPPING_ALREADY_EXISTS(10,0): A matching topology mapping authorized with the same keys already exists in this state" in out
    # a wrong serial
    out = failure(session, f"{PARAMS}.propose({SYNC}, {PARAMS}.latest({SYNC}).update(maxRequestSize = 7), serial = Some(PositiveInt.tryCreate(9)))")
    assert "TOPOLOGY_SERIAL_MISMATCH(9,0): The given serial 9 did not match the expected serial 4." in out
    # a node that is not an owner has no key to sign with
    out = failure(session, f"participant1.topology.synchronizer_parameters.propose_update({SYNC}, _.update(maxRequestSize = 7))")
    assert "NOT_FOUND/TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE(11,0): Could not find an appropriate signing key to issue the topology transaction" in out
    # type errors
    assert "the update function must return a DynamicSynchronizerParameters" in failure(session, f"{PARAMS}.propose_update({SYNC}, lambda p: 5)")
    assert "argument 'parameters' expects a DynamicSynchronizerParameters" in failure(session, f"{PARAMS}.propose({SYNC}, 5)")
    assert "argument 'update' expects a function" in failure(session, f"{PARAMS}.propose_update({SYNC}, 5)")
    assert serial(session) == 3  # two changes went through, nothing else


def test_the_preparation_tolerance_is_raised_securely(session):
    out = failure(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 48.hours)")
    assert (
        "TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE(9,0): Unable to increase preparationTimeRecordTimeTolerance to 48h, "
        "because it must not be more than half of mediatorDeduplicationTimeout (48h)."
    ) in out
    step_ok(session, f"{PARAMS}.propose_update({SYNC}, _.update(mediatorDeduplicationTimeout = 96.hours))")
    # requests accepted under the old deduplication timeout (24h + 48h > 48h) may still be around
    out = failure(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 48.hours)")
    assert "The parameter preparationTimeRecordTimeTolerance can currently not be increased to 48h." in out
    # secure once a mediator deduplication timeout (96h) has passed since that state ended
    step_ok(session, "clock.advance(timedelta(hours=95))")
    failure(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 48.hours)")
    step_ok(session, "clock.advance(timedelta(hours=1, seconds=1))")
    step_ok(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 48.hours)")
    assert step_ok(session, f"{PARAMS}.latest({SYNC})").preparationTimeRecordTimeTolerance == 48 * MICROS_PER_HOUR
    # lowering it is always safe; with force it is immediate
    step_ok(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 1.hour)")
    step_ok(session, f"{PARAMS}.set_preparation_time_record_time_tolerance({SYNC}, 40.hours, force = true)")
    assert step_ok(session, f"{PARAMS}.latest({SYNC})").preparationTimeRecordTimeTolerance == 40 * MICROS_PER_HOUR


# ------------------------------------------------------------------------------------------------
# Several owners


def test_with_two_owners_a_change_needs_both(tmp_path):
    s = open_session(config(sequencers=2), tmp_path)
    try:
        step_ok(
            s,
            'bootstrap.synchronizer("da", sequencers=Seq(sequencer1, sequencer2), mediators=Seq(mediator1), '
            "synchronizerOwners=Seq(sequencer1, sequencer2), synchronizerThreshold=2, "
            "staticSynchronizerParameters=StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        step_ok(s, f"tcp = {TRAFFIC}")
        # mustFullyAuthorize: sequencer1 alone cannot
        out = failure(s, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(trafficControl=Some(tcp)), mustFullyAuthorize=True)")
        assert "TOPOLOGY_UNAUTHORIZED_TRANSACTION" in out
        step_ok(s, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(trafficControl=Some(tcp)))")
        # pending: listed as a proposal, not in force
        proposals = step_ok(s, f"{PARAMS}.list(proposals = true)")
        assert len(proposals) == 1 and proposals[0].context.serial == 2
        assert proposals[0].item.trafficControl == step_ok(s, "tcp")
        assert list(proposals[0].context.signedBy) == [s.env.sequencers["sequencer1"].uid.namespace.unwrap]
        assert step_ok(s, f"{PARAMS}.get_dynamic_synchronizer_parameters({SYNC})").trafficControl is None
        assert serial(s) == 1
        # the second owner proposes the same change: in force
        step_ok(s, f"sequencer2.topology.synchronizer_parameters.propose_update({SYNC}, lambda p: p.update(trafficControl=Some(tcp)))")
        assert step_ok(s, f"{PARAMS}.get_dynamic_synchronizer_parameters({SYNC})").trafficControl == step_ok(s, "tcp")
        assert step_ok(s, f"{PARAMS}.list(proposals = true)") == []
        listed = step_ok(s, f"{PARAMS}.list()")
        assert listed[0].context.serial == 2 and len(listed[0].context.signedBy) == 2
        # different proposals do not add up
        step_ok(s, f"{PARAMS}.propose_update({SYNC}, _.update(maxRequestSize = 1000))")
        step_ok(s, f"sequencer2.topology.synchronizer_parameters.propose_update({SYNC}, _.update(maxRequestSize = 2000))")
        assert len(step_ok(s, f"{PARAMS}.list(proposals = true)")) == 2
        assert serial(s) == 2
        step_ok(s, f"sequencer2.topology.synchronizer_parameters.propose_update({SYNC}, _.update(maxRequestSize = 1000))")
        assert serial(s) == 3 and step_ok(s, f"{PARAMS}.latest({SYNC})").maxRequestSize == 1000
        assert step_ok(s, f"{PARAMS}.list(proposals = true)") == []  # the other one at serial 3 is obsolete
    finally:
        s.close()


# ------------------------------------------------------------------------------------------------
# The topology change delay (wall clock)


def test_a_change_takes_effect_after_the_topology_change_delay():
    s = Session(in_memory(load()))
    try:
        s.start_nodes()
        s.bootstrap_default()
        sync = sync_of(s)
        step_ok(s, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(maxRequestSize=4242), synchronize=None)")
        deadline = time.monotonic() + 10
        while s.env.call(lambda: sync.topology.serial_of(t.SYNCHRONIZER_PARAMETERS, sync.id)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.001)
        stored = s.env.call(lambda: sync.topology.head_transactions(t.SYNCHRONIZER_PARAMETERS)[0])
        assert stored.valid_from - stored.sequenced == 250_000  # topology change delay = 0.25s
        # before the effective time the old parameters are in force, after it the new ones
        assert s.env.call(lambda: sync.parameters(stored.valid_from - 1).maxRequestSize) == 10485760
        assert s.env.call(lambda: sync.parameters(stored.valid_from).maxRequestSize) == 4242
        # with synchronize (the default) the command returns once the change is in force
        step_ok(s, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(maxRequestSize=4343))")
        assert s.env.call(lambda: sync.parameters(s.env.clock.now()).maxRequestSize) == 4343
    finally:
        s.close()


def test_parameters_survive_a_restart(tmp_path):
    s = open_session(config(storage="sqlite"), tmp_path, bootstrap=True)
    step_ok(s, f"tcp = {TRAFFIC}")
    step_ok(s, f"{PARAMS}.propose_update({SYNC}, lambda p: p.update(trafficControl=Some(tcp), confirmationResponseTimeout=timedelta(seconds=45)))")
    before = step_ok(s, f"{PARAMS}.latest({SYNC})")
    s.close()
    s = open_session(config(storage="sqlite"), tmp_path)
    try:
        assert step_ok(s, f"{PARAMS}.latest({SYNC})") == before
        assert serial(s) == 2
        step_ok(s, f"{PARAMS}.propose_update({SYNC}, _.update(maxRequestSize = 1))")
        assert serial(s) == 3
    finally:
        s.close()


# ------------------------------------------------------------------------------------------------
# Party to participant


def test_a_party_hosted_on_two_participants_needs_both(session):
    from canton_console.console.commands.topology_mappings import ParticipantPermission

    ns = session.console.namespace
    ns["ParticipantPermission"] = ParticipantPermission  # (until the console binds it)
    alice = step_ok(session, 'participant1.parties.enable("Alice")')
    ns["alice"] = alice
    hosting = "Seq((participant1, ParticipantPermission.Submission), (participant2, ParticipantPermission.Confirmation))"
    tx = step_ok(session, f"participant1.topology.party_to_participant_mappings.propose(alice, {hosting}, threshold = 2, store = {SYNC})")
    assert tx.isProposal and tx.serial == 2
    pending = step_ok(session, f"participant1.topology.party_to_participant_mappings.list({SYNC}, proposals = true, filterParty = \"Alice\")")
    assert len(pending) == 1 and pending[0].item.threshold == 2
    current = step_ok(session, f'participant2.topology.party_to_participant_mappings.list({SYNC}, filterParty = "Alice")')
    assert [h.participantId.identifier for h in current[0].item.participants] == ["participant1"]
    tx = step_ok(session, f"participant2.topology.party_to_participant_mappings.propose(alice, {hosting}, threshold = 2, store = {SYNC})")
    assert not tx.isProposal
    current = step_ok(session, f'participant2.topology.party_to_participant_mappings.list({SYNC}, filterParty = "Alice")')
    assert [(h.participantId.identifier, h.permission.value) for h in current[0].item.participants] == [
        ("participant1", "Submission"),
        ("participant2", "Confirmation"),
    ]
    assert current[0].context.serial == 2
    rendered = session.step(f'participant2.topology.party_to_participant_mappings.list({SYNC}, filterParty = "Alice")').output
    assert "PartyToParticipant(" in rendered and "permission = Confirmation" in rendered
    out = failure(session, f"participant1.topology.party_to_participant_mappings.propose(alice, {hosting}, threshold = 3)")
    assert "cannot meet threshold of 3 confirming participants" in out
    out = failure(session, "participant1.topology.party_to_participant_mappings.propose(alice, Seq((participant1, 5)))")
    assert "expects a ParticipantPermission" in out
