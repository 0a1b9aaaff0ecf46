"""Synchronizer membership (Canton 3.3's participant_synchronizer_permissions, participant_synchronizer_states,
synchronizer_trust_certificates.propose, mediators, sequencers) on the default topology."""

from __future__ import annotations

from conftest import step_ok

SYNC = "sequencer1.synchronizer_id"
PERMS = "topology.participant_synchronizer_permissions"


def test_participant_permissions_are_listed_found_and_revoked(default_session):
    s = default_session
    assert step_ok(s, f"participant1.{PERMS}.list({SYNC})") == []
    assert not step_ok(s, f"participant1.{PERMS}.find({SYNC}, participant2.id)").isDefined
    tx = step_ok(s, f"sequencer1.{PERMS}.propose({SYNC}, participant2.id, ParticipantPermission.Observation)")
    assert not tx.isProposal and int(tx.serial) == 1
    step_ok(s, "utils.synchronize_topology()")
    listed = step_ok(s, f"participant1.{PERMS}.list({SYNC})")
    assert [(r.item.participantId.identifier, r.item.permission.value) for r in listed] == [("participant2", "Observation")]
    found = step_ok(s, f"participant1.{PERMS}.find({SYNC}, participant2.id)")
    assert found.isDefined and found.get.item.permission.value == "Observation"
    assert step_ok(s, f"participant1.topology.participant_synchronizer_states.active({SYNC}, participant2.id)")
    # only the synchronizer owners may grant permissions
    out = s.step(f"participant1.{PERMS}.propose({SYNC}, participant1.id, ParticipantPermission.Submission, mustFullyAuthorize = true)")
    assert out.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in out.output
    out = s.step(f"sequencer1.{PERMS}.propose({SYNC}, participant2.id, ParticipantPermission.Submission, loginAfter = Some(participant1.id))")
    assert out.failed and "'loginAfter' is not supported" in out.output
    step_ok(s, f"sequencer1.{PERMS}.revoke({SYNC}, participant2.id)")
    step_ok(s, "utils.synchronize_topology()")
    assert not step_ok(s, f"participant1.{PERMS}.find({SYNC}, participant2.id)").isDefined
    removed = step_ok(s, f"participant1.{PERMS}.list({SYNC}, operation = None)")
    assert [(int(r.context.serial), r.context.operation) for r in removed] == [(2, "Remove")]
    out = s.step(f"sequencer1.{PERMS}.revoke({SYNC}, participant2.id)")
    assert out.failed and "No ParticipantSynchronizerPermission found for participant" in out.output, out.output


def test_trust_certificate_propose_and_states(default_session):
    s = default_session
    assert step_ok(s, f"participant3.topology.synchronizer_trust_certificates.active({SYNC}, participant1.id)")
    assert step_ok(s, f"participant3.topology.participant_synchronizer_states.active({SYNC}, participant1.id)")
    # a participant cannot sign another's certificate
    out = s.step(f"participant1.topology.synchronizer_trust_certificates.propose(participant2.id, {SYNC})")
    assert out.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in out.output


def test_mediator_group_changes_are_visible_in_mediators_list(default_session):
    s = default_session
    meds = "sequencer1.topology.mediators"
    step_ok(s, f"{meds}.propose({SYNC}, PositiveInt.one, Seq(mediator1), group = NonNegativeInt.one)")
    step_ok(s, "utils.synchronize_topology()")
    groups = step_ok(s, f"participant1.topology.mediators.list({SYNC})")
    assert sorted(int(r.item.group.value) for r in groups) == [0, 1]
    out = s.step(f"{meds}.propose_delta({SYNC}, NonNegativeInt.zero, adds = Seq(mediator1))")
    assert out.failed and "to be added already active" in out.output
    out = s.step(f"{meds}.propose_delta({SYNC}, NonNegativeInt.zero)")
    assert out.failed and "no mediator group changes proposed" in out.output
    out = s.step(f"{meds}.propose_delta({SYNC}, NonNegativeInt.one, removes = Seq(mediator1))")
    assert out.failed and "mediator group without active mediators" in out.output
    step_ok(s, f"{meds}.remove_group({SYNC}, NonNegativeInt.one)")
    step_ok(s, "utils.synchronize_topology()")
    groups = step_ok(s, f"participant1.topology.mediators.list({SYNC})")
    assert [int(r.item.group.value) for r in groups] == [0]
    removed = step_ok(s, f"participant1.topology.mediators.list({SYNC}, group = Some(NonNegativeInt.one))")
    assert removed == []
    out = s.step(f"{meds}.remove_group({SYNC}, NonNegativeInt.tryCreate(7))")
    assert out.failed and "Unknown mediator group 7" in out.output
    # group 0 keeps serving
    assert step_ok(s, "participant1.health.ping(participant2)") is not None


def test_sequencers_list_has_context_and_item(default_session):
    s = default_session
    states = step_ok(s, "participant1.topology.sequencers.list()")
    assert len(states) == 1 and int(states[0].item.threshold.value) == 1
    assert [m.identifier for m in states[0].item.active] == ["sequencer1"]
    assert int(states[0].context.serial) == 1
    out = s.step("participant1.topology.sequencers.list()").output
    assert "ListSequencerSynchronizerStateResult(" in out and "item = SequencerSynchronizerState(" in out, out
