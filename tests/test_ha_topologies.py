"""High availability beyond replicas (issue 6, points 2-6): user transactions (IOU) end to end, a
party hosted on two participants, a participant on two synchronizers, a participant reading from
several sequencers of one synchronizer, and stop/start/kill of every node from the console. All on
SQLite files."""

from __future__ import annotations

import pytest
from conftest import open_session, step_ok

NODES = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 5001, admin-api.port = 5002 }
    sequencer2 { storage { type = sqlite, file = "sequencer2.db" }, public-api.port = 5101, admin-api.port = 5102 }
    sequencer3 { storage { type = sqlite, file = "sequencer3.db" }, public-api.port = 5201, admin-api.port = 5202 }
  }
  mediators {
    mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5302 }
    mediator2 { storage { type = sqlite, file = "mediator2.db" }, admin-api.port = 5312 }
  }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, ledger-api.port = 5021, admin-api.port = 5022 }
    participant3 { storage { type = sqlite, file = "participant3.db" }, ledger-api.port = 5031, admin-api.port = 5032 }
  }
}
"""


@pytest.fixture
def session(tmp_path):
    """da = sequencer1 + sequencer2 + mediator1 (participant1/2 through both sequencers, participant3
    through sequencer2); acme = sequencer3 + mediator2 (participant1 and participant2)."""
    s = open_session(NODES, tmp_path)
    step_ok(s, 'val daId = bootstrap.synchronizer("da", Seq(sequencer1, sequencer2), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
    step_ok(s, 'val acmeId = bootstrap.synchronizer("acme", Seq(sequencer3), Seq(mediator2), Seq(sequencer3), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
    step_ok(s, 'participant1.synchronizers.connect_bft(Seq(sequencer1, sequencer2), "da")')
    step_ok(s, 'participant2.synchronizers.connect_multi("da", Seq(sequencer1, sequencer2))')
    step_ok(s, 'participant3.synchronizers.connect_local(sequencer2, "da")')
    step_ok(s, 'participant1.synchronizers.connect_local(sequencer3, "acme")')
    step_ok(s, 'participant2.synchronizers.connect_local(sequencer3, "acme")')
    yield s
    s.close()


def iou_create(participant: str, party: str, owner: str, amount: int = 100, extra: str = "") -> str:
    return (
        f'{participant}.ledger_api.commands.submit(Seq({party}), Seq(ledger_api_utils.create("Iou:Iou", '
        f'Map("issuer" -> {party}, "owner" -> {owner}, "amount" -> {amount}))){extra})'
    )


def iou_transfer(participant: str, party: str, contract_id: str, new_owner: str, extra: str = "") -> str:
    return (
        f'{participant}.ledger_api.commands.submit(Seq({party}), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", '
        f'Map("newOwner" -> {new_owner}), {contract_id})){extra})'
    )


# ---- 2. user transactions ----------------------------------------------------------------------


TRAFFIC_ON = (
    "sequencer1.topology.synchronizer_parameters.propose_update(synchronizerId = sequencer1.synchronizer_id, "
    "_.update(trafficControl = Some(TrafficControlParameters(enforceRateLimiting = true, "
    "maxBaseTrafficAmount = NonNegativeNumeric.tryCreate(200000L), readVsWriteScalingFactor = PositiveNumeric.tryCreate(200), "
    "maxBaseTrafficAccumulationDuration = PositiveFiniteDuration.ofSeconds(10L), "
    "setBalanceRequestSubmissionWindowSize = PositiveFiniteDuration.ofMinutes(5L), baseEventCost = NonNegativeNumeric.tryCreate(500L)))))"
)


def test_iou_create_and_transfer_go_through_sequencer_and_mediator_and_pay_traffic(session):
    s = session
    step_ok(s, TRAFFIC_ON)
    step_ok(s, 'val alice = participant1.parties.enable("Alice", synchronizer = "da")')
    step_ok(s, 'val bob = participant3.parties.enable("Bob")')
    before = s.env.call(s.env.sequencers["sequencer2"].event_log)
    created = step_ok(s, iou_create("participant1", "alice", "alice", 100, ', commandId = "iou-1"'))
    assert created.commandId == "iou-1" and created.offset == step_ok(s, "participant1.ledger_api.state.end()")
    cid = created.created[0].contractId
    assert [c.contractId for c in step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")] == [cid]
    moved = step_ok(s, iou_transfer("participant1", "alice", f'"{cid}"', "bob"))
    assert [getattr(e, "choice", None) for e in moved.eventsById.values()][0] == "Transfer"
    bobs = step_ok(s, "participant3.ledger_api.state.acs.of_party(bob)")
    assert [c.arguments["owner"] for c in bobs] == [str(step_ok(s, "bob"))] and bobs[0].arguments["amount"] == 100
    # Each submission is a confirmation request (informee, view and root hash messages) and gets the
    # mediator's verdict: the same path as ping.
    events = [e for e in s.env.call(s.env.sequencers["sequencer2"].event_log) if e["timestamp"] > (before[-1]["timestamp"] if before else 0)]
    kinds = [e["messages"] for e in events]
    assert kinds.count(["InformeeMessage", "EncryptedViewMessage", "RootHashMessage"]) == 2
    assert kinds.count(["ConfirmationResult"]) == 2
    # Charged traffic, like any other submission of a participant or mediator.
    requests = [e for e in events if e["messages"][0] == "InformeeMessage"]
    assert [e["sender"] for e in requests] == [s.env.participants["participant1"].member_id] * 2
    assert all(e["cost"] > 0 for e in requests)
    assert all(e["cost"] > 0 for e in events if e["messages"] == ["ConfirmationResponse"])
    # Only the owner can transfer.
    out = s.step(iou_transfer("participant1", "alice", f'"{bobs[0].contractId}"', "alice"))
    assert out.failed and "DAML_AUTHORIZATION_ERROR" in out.output


# ---- 3. a party on two participants ------------------------------------------------------------


def host_alice_on_both(s) -> None:
    step_ok(s, 'val alice = participant1.parties.enable("Alice", synchronizer = "da")')
    hosting = "Seq((participant1, ParticipantPermission.Submission), (participant2, ParticipantPermission.Submission))"
    for p in ("participant1", "participant2"):
        step_ok(s, f"{p}.topology.party_to_participant_mappings.propose(alice, newParticipants = {hosting}, threshold = PositiveInt.one, store = daId)")


def test_a_party_hosted_on_two_participants_transacts_while_either_is_up(session):
    s = session
    step_ok(s, 'val bob = participant3.parties.enable("Bob")')
    host_alice_on_both(s)
    mapping = step_ok(s, 'participant1.topology.party_to_participant_mappings.list(daId, filterParty = "Alice")')
    assert [str(h.participantId) for h in mapping[0].item.participants] == [
        str(step_ok(s, "participant1.id")),
        str(step_ok(s, "participant2.id")),
    ]
    assert len(step_ok(s, 'participant2.parties.hosted("Alice")')) == 1
    step_ok(s, "participant1.health.ping(participant3)")  # on participant1's ledger only
    first = step_ok(s, iou_create("participant1", "alice", "alice", 10, ", synchronizerId = Some(daId)")).created[0].contractId
    second = step_ok(s, iou_create("participant2", "alice", "alice", 20, ", synchronizerId = Some(daId)")).created[0].contractId
    assert {c.contractId for c in step_ok(s, "participant2.ledger_api.state.acs.of_party(alice)")} == {first, second}
    # participant1 down: Alice's transfer still completes, through participant2.
    step_ok(s, "participant1.stop()")
    step_ok(s, iou_transfer("participant2", "alice", f'"{first}"', "bob", ", synchronizerId = Some(daId)"))
    assert [c.arguments["amount"] for c in step_ok(s, "participant3.ledger_api.state.acs.of_party(bob)")] == [10]
    step_ok(s, "participant1.start()")
    # participant2 down: participant1 (which caught up on what it missed) transfers the other one.
    step_ok(s, "participant2.stop()")
    assert {c.contractId for c in step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")} >= {second}
    step_ok(s, iou_transfer("participant1", "alice", f'"{second}"', "bob", ", synchronizerId = Some(daId)"))
    assert sorted(c.arguments["amount"] for c in step_ok(s, "participant3.ledger_api.state.acs.of_party(bob)")) == [10, 20]
    step_ok(s, "participant2.start()")
    # Each participant numbers its own ledger: the same transactions sit at different offsets, so an
    # application cannot move from one participant to the other by its offset.
    end1 = step_ok(s, "participant1.ledger_api.state.end()")
    end2 = step_ok(s, "participant2.ledger_api.state.end()")
    assert end1 != end2
    tx1 = {t.update_id: t.offset for t in s.env.call(s.env.participants["participant1"].transactions)}
    tx2 = {t.update_id: t.offset for t in s.env.call(s.env.participants["participant2"].transactions)}
    shared = set(tx1) & set(tx2)
    assert shared and any(tx1[u] != tx2[u] for u in shared)


# ---- 4. two synchronizers ----------------------------------------------------------------------


def test_a_participant_on_two_synchronizers_pings_over_each_and_survives_one_going_down(session):
    s = session
    connected = step_ok(s, "participant1.synchronizers.list_connected()")
    assert [c.synchronizerAlias for c in connected] == ["da", "acme"]
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(acmeId))")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    acme_before = len(s.env.call(s.env.sequencers["sequencer3"].event_log))
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(acmeId))")
    assert len(s.env.call(s.env.sequencers["sequencer3"].event_log)) > acme_before  # it really went over acme
    # acme's sequencer stops: workflows on da go on.
    step_ok(s, "sequencer3.stop()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    step_ok(s, "participant1.health.ping(participant2)")  # picks the healthy synchronizer
    assert [c.healthy for c in step_ok(s, "participant1.synchronizers.list_connected()")] == [True, False]
    out = s.step("participant1.health.ping(participant2, synchronizerId = Some(acmeId), timeout = 2.seconds)")
    assert out.failed and "Unable to ping" in out.output
    step_ok(s, "sequencer3.start()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(acmeId))")
    # The other way round: both da sequencers stop, acme goes on.
    step_ok(s, "sequencer1.stop()")
    step_ok(s, "sequencer2.stop()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(acmeId))")
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, "nodes.local.start()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")


# ---- 5. several sequencers per synchronizer -----------------------------------------------------


def test_a_participant_connected_through_two_sequencers_keeps_working_when_one_stops(session):
    s = session
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    step_ok(s, "sequencer1.stop()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    step_ok(s, "participant2.health.ping(participant3, synchronizerId = Some(daId))")  # participant3 reads from sequencer2
    assert step_ok(s, 'participant1.synchronizers.active("da")') is True
    # The restarted sequencer catches up its store from its peer, then the other one may stop.
    step_ok(s, "sequencer1.start()")
    log1 = s.env.call(s.env.sequencers["sequencer1"].event_log)
    log2 = s.env.call(s.env.sequencers["sequencer2"].event_log)
    assert [e["timestamp"] for e in log1] == [e["timestamp"] for e in log2]
    step_ok(s, "sequencer2.stop()")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    # participant3 only reads from sequencer2: it is cut off until sequencer2 is back.
    assert step_ok(s, 'participant3.synchronizers.active("da")') is False
    step_ok(s, "sequencer2.start()")
    step_ok(s, "participant2.health.ping(participant3, synchronizerId = Some(daId))")


def test_the_sequencer_trust_threshold_needs_that_many_running_sequencers(tmp_path):
    s = open_session(NODES, tmp_path)
    try:
        step_ok(s, 'bootstrap.synchronizer("da", Seq(sequencer1, sequencer2), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(s, 'participant1.synchronizers.connect_bft(Seq(sequencer1, sequencer2), "da", sequencerTrustThreshold = PositiveInt.two)')
        step_ok(s, 'participant2.synchronizers.connect_local_bft(Map("sequencer1" -> sequencer1, "sequencer2" -> sequencer2), "da")')
        step_ok(s, "participant1.health.ping(participant2)")
        step_ok(s, "sequencer2.stop()")
        assert step_ok(s, 'participant1.synchronizers.active("da")') is False
        assert step_ok(s, 'participant2.synchronizers.active("da")') is True
        step_ok(s, "sequencer2.start()")
        assert step_ok(s, 'participant1.synchronizers.active("da")') is True
        step_ok(s, "participant1.health.ping(participant2)")
        out = s.step('participant3.synchronizers.connect_bft(Seq(sequencer1, sequencer2), "da", sequencerTrustThreshold = 3)')
        assert out.failed and "trust threshold 3" in out.output
        out = s.step('participant3.synchronizers.connect_bft(Seq(sequencer1, sequencer3), "da")')
        assert out.failed and "The sequencer sequencer3 is not initialized" in out.output
        step_ok(s, 'bootstrap.synchronizer("acme", Seq(sequencer3), Seq(mediator2), Seq(sequencer3), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        out = s.step('participant3.synchronizers.connect_bft(Seq(sequencer1, sequencer3), "da")')
        assert out.failed and "they serve different synchronizers" in out.output
    finally:
        s.close()


# ---- 6. fault commands ---------------------------------------------------------------------------


def test_every_node_can_be_stopped_started_and_killed_from_the_console(session):
    s = session
    for name in ("sequencer1", "sequencer2", "sequencer3", "mediator1", "mediator2", "participant1", "participant2", "participant3"):
        for action in ("stop", "start", "kill", "start"):
            step_ok(s, f"{name}.{action}()")
        assert step_ok(s, f"{name}.is_running") is True
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(daId))")
    step_ok(s, "participant1.health.ping(participant2, synchronizerId = Some(acmeId))")
    step_ok(s, "participant3.health.ping(participant2)")
    step_ok(s, "participant1.kill()")
    out = s.step("participant1.health.ping(participant2)")
    assert out.failed and "NODE_NOT_STARTED" in out.output
    assert "Participant 'participant1' cannot be reached" in s.step("health.status").output
    step_ok(s, "nodes.local.start()")
    step_ok(s, "participant1.health.ping(participant2)")
