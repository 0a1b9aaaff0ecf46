"""Hosting a party on several participants (Canton 3.3's party_to_participant_mappings): a proposal
signed by the party's namespace alone stays a proposal until the new hosting participant signs it;
stale serials are refused and store nothing; party hosting limits."""

from __future__ import annotations

from conftest import step_ok

SYNC = "sequencer1.synchronizer_id"
HOSTING = "Seq((participant1.id, ParticipantPermission.Confirmation), (participant2.id, ParticipantPermission.Confirmation))"
P2P = "topology.party_to_participant_mappings"


def test_multi_hosting_needs_the_new_participant_and_then_confirms_with_both(default_session):
    s = default_session
    step_ok(s, 'val alice = PartyId.tryCreate("Alice", participant1.id.uid.namespace)')
    tx = step_ok(s, f"participant1.{P2P}.propose(alice, newParticipants = {HOSTING}, threshold = PositiveInt.tryCreate(2))")
    assert tx.isProposal and int(tx.serial) == 1
    step_ok(s, "utils.synchronize_topology()")
    # participant2 sees the pending proposal naming it; nothing is in force yet
    pending = step_ok(s, f"participant2.{P2P}.list_hosting_proposals({SYNC}, participant2.id)")
    assert len(pending) == 1
    assert pending[0].permission.value == "Confirmation" and int(pending[0].threshold.value) == 2
    assert [h.participantId.identifier for h in pending[0].otherParticipants] == ["participant1"]
    assert pending[0].txHash == tx.hash
    out = s.step(f"participant2.{P2P}.list_hosting_proposals({SYNC}, participant2.id)").output
    assert "ListMultiHostingProposal(" in out and "permission = Confirmation$" in out and "-> Confirmation$" in out, out
    assert step_ok(s, f"participant3.{P2P}.list_hosting_proposals({SYNC}, participant3.id)") == []
    assert step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Alice")') == []
    assert not step_ok(s, f"participant1.{P2P}.is_known({SYNC}, alice, Seq(participant1, participant2))")
    # participant2 signs the same mapping: the synchronizer merges the signatures and it takes effect
    tx2 = step_ok(s, f"participant2.{P2P}.propose(alice, newParticipants = {HOSTING}, threshold = PositiveInt.tryCreate(2))")
    assert tx2.hash == tx.hash
    step_ok(s, "utils.synchronize_topology()")
    current = step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Alice")')
    assert len(current) == 1 and current[0].item.threshold == 2 and len(current[0].context.signedBy) == 2
    assert [h.participantId.identifier for h in current[0].item.participants] == ["participant1", "participant2"]
    assert step_ok(s, f"participant2.{P2P}.list_hosting_proposals({SYNC}, participant2.id)") == []
    assert step_ok(s, f"participant3.{P2P}.is_known({SYNC}, alice, Seq(participant1, participant2), Some(ParticipantPermission.Confirmation), Some(PositiveInt.tryCreate(2)))")
    assert not step_ok(s, f"participant3.{P2P}.is_known({SYNC}, alice, Seq(participant1), Some(ParticipantPermission.Submission))")
    assert step_ok(s, f"participant3.{P2P}.are_known({SYNC}, Seq(alice), Seq(participant1, participant2))")
    assert not step_ok(s, f"participant3.{P2P}.are_known({SYNC}, Seq(alice), Seq(participant3))")
    # the filters
    assert len(step_ok(s, f'participant3.{P2P}.list({SYNC}, filterParticipant = "participant2")')) == 1
    assert step_ok(s, f'participant3.{P2P}.list({SYNC}, filterParty = "Bob")') == []


def test_a_stale_serial_is_refused_and_nothing_is_stored(default_session):
    s = default_session
    step_ok(s, 'val bob = participant1.parties.enable("Bob")')
    before = step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Bob")')
    assert int(before[0].context.serial) == 1
    out = s.step(
        f"participant1.{P2P}.propose(bob, Seq((participant1.id, ParticipantPermission.Confirmation)), serial = Some(PositiveInt.one), store = {SYNC})"
    )
    assert out.failed and "TOPOLOGY_SERIAL_MISMATCH" in out.output and "The given serial 1 did not match the expected serial 2." in out.output, out.output
    step_ok(s, "utils.synchronize_topology()")
    after = step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Bob")')
    assert [(int(r.context.serial), r.item.participants[0].permission.value) for r in after] == [(1, "Submission")]
    assert step_ok(s, f"participant1.{P2P}.list({SYNC}, proposals = true)") == []
    # an unmeetable threshold is refused before anything is signed
    out = s.step(f"participant1.{P2P}.propose(bob, Seq((participant1.id, ParticipantPermission.Submission)), threshold = PositiveInt.tryCreate(2), store = {SYNC})")
    assert out.failed and "cannot meet threshold of 2 confirming participants" in out.output


def test_propose_delta_changes_permissions_and_removes_the_last_host(default_session):
    s = default_session
    step_ok(s, 'val carol = participant1.parties.enable("Carol")')
    step_ok(s, f"participant1.{P2P}.propose_delta(carol, adds = Seq((participant1.id, ParticipantPermission.Observation)), store = {SYNC})")
    step_ok(s, "utils.synchronize_topology()")
    current = step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Carol")')
    assert int(current[0].context.serial) == 2 and current[0].item.participants[0].permission.value == "Observation"
    out = s.step(f"participant1.{P2P}.propose_delta(carol, removes = Seq(participant2.id), store = {SYNC})")
    assert out.failed and "Cannot remove permission for participants that are not permissioned" in out.output
    step_ok(s, f"participant1.{P2P}.propose_delta(carol, removes = Seq(participant1.id), store = {SYNC})")
    step_ok(s, "utils.synchronize_topology()")
    assert step_ok(s, f'participant1.{P2P}.list({SYNC}, filterParty = "Carol")') == []
    removed = step_ok(s, f'participant1.{P2P}.list({SYNC}, operation = Some(TopologyChangeOp.Remove), filterParty = "Carol")')
    assert [(int(r.context.serial), r.context.operation) for r in removed] == [(3, "Remove")]


def test_party_hosting_limits_are_listed_after_propose(default_session):
    s = default_session
    step_ok(s, 'val dave = participant1.parties.enable("Dave")')
    assert step_ok(s, "participant1.topology.party_hosting_limits.list()") == []
    tx = step_ok(s, f"sequencer1.topology.party_hosting_limits.propose({SYNC}, dave)")
    assert not tx.isProposal
    step_ok(s, "utils.synchronize_topology()")
    limits = step_ok(s, f"participant1.topology.party_hosting_limits.list(store = Some({SYNC}))")
    assert [str(r.item.partyId) for r in limits] == [str(step_ok(s, "dave"))]
    assert step_ok(s, 'participant1.topology.party_hosting_limits.list(filterUid = "Nobody")') == []
    # the synchronizer owners authorize it: a participant cannot
    out = s.step(f"participant1.topology.party_hosting_limits.propose({SYNC}, dave, mustFullyAuthorize = true)")
    assert out.failed and "TOPOLOGY_MAPPING_ALREADY_EXISTS" in out.output, out.output
    step_ok(s, 'val erin = participant1.parties.enable("Erin")')
    out = s.step(f"participant1.topology.party_hosting_limits.propose({SYNC}, erin, mustFullyAuthorize = true)")
    assert out.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in out.output, out.output
