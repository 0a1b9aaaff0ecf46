"""Namespaces and their keys, as Canton 3.3's topology commands change them: namespace delegations
(a delegated key signs for the namespace until revoked), decentralized namespaces (a threshold of
owners), owner-to-key mappings, serials."""

from __future__ import annotations

from conftest import step_ok

SYNC = "sequencer1.synchronizer_id"
# participant2's namespace key (Canton's <node>-namespace key, the root of its namespace)
P2_KEY = 'participant2.keys.public.list(filterFingerprint = participant2.id.fingerprint.unwrap).head.publicKey'


def _hosted(session, party: str) -> list:
    return step_ok(session, f'participant1.topology.party_to_participant_mappings.list({SYNC}, filterParty = "{party}")')


def test_delegation_lets_the_delegated_key_sign_until_revoked(default_session):
    s = default_session
    step_ok(s, f"val k2 = {P2_KEY}")
    # without a delegation participant2 cannot sign for participant1's namespace
    refused = s.step(f'participant2.topology.party_to_participant_mappings.propose(PartyId.tryCreate("alice", participant1.id.namespace), Seq((participant1, ParticipantPermission.Submission)), store = {SYNC})')
    assert refused.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in refused.output, refused.output

    tx = step_ok(s, "participant1.topology.namespace_delegations.propose_delegation(participant1.id.namespace, k2, CanSignAllButNamespaceDelegations)")
    assert not tx.isProposal and int(tx.serial) == 1
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    on_sync = step_ok(s, f"participant2.topology.namespace_delegations.list({SYNC}, filterTargetKey = Some(participant2.id.fingerprint))")
    namespaces = {str(d.item.namespace) for d in on_sync}
    assert str(step_ok(s, "participant1.id.namespace")) in namespaces
    delegated = [d for d in on_sync if str(d.item.namespace) == str(step_ok(s, "participant1.id.namespace"))][0]
    assert str(delegated.item.restriction) == "CanSignAllButNamespaceDelegations" and not delegated.item.isRootDelegation

    # now participant2 proposes a mapping in participant1's namespace, and it takes effect
    done = step_ok(s, f'participant2.topology.party_to_participant_mappings.propose(PartyId.tryCreate("alice", participant1.id.namespace), Seq((participant1, ParticipantPermission.Submission)), store = {SYNC})')
    assert not done.isProposal
    assert len(_hosted(s, "alice")) == 1

    # the delegation does not allow signing namespace delegations
    nsd = s.step(f"participant2.topology.namespace_delegations.propose_delegation(participant1.id.namespace, k2, CanSignAllMappings, store = {SYNC})")
    assert nsd.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in nsd.output, nsd.output

    revoked = step_ok(s, "participant1.topology.namespace_delegations.propose_revocation(participant1.id.namespace, k2)")
    assert revoked.transaction.operation == "Remove" and int(revoked.serial) == 2
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    assert step_ok(s, "participant1.topology.namespace_delegations.list(TopologyStoreId.Authorized, filterTargetKey = Some(participant2.id.fingerprint))") == []
    again = s.step(f'participant2.topology.party_to_participant_mappings.propose(PartyId.tryCreate("bob", participant1.id.namespace), Seq((participant1, ParticipantPermission.Submission)), store = {SYNC})')
    assert again.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in again.output, again.output
    assert _hosted(s, "bob") == []
    # revoking what is not there
    missing = s.step("participant1.topology.namespace_delegations.propose_revocation(participant1.id.namespace, k2)")
    assert missing.failed and "not found" in missing.output


def test_delegation_restrictions_and_errors(module_session):
    s = module_session
    step_ok(s, f"val k2 = {P2_KEY}")
    specific = step_ok(s, "CanSignSpecificMappings(TopologyMapping.Code.PartyToParticipant, TopologyMapping.Code.VettedPackages)")
    assert specific.canSign(step_ok(s, "TopologyMapping.Code.PartyToParticipant"))
    assert not specific.canSign(step_ok(s, "TopologyMapping.Code.NamespaceDelegation"))
    own_key = "participant1.keys.public.list(filterFingerprint = participant1.id.fingerprint.unwrap).head.publicKey"
    root = s.step(f"participant1.topology.namespace_delegations.propose_delegation(participant1.id.namespace, {own_key}, CanSignAllButNamespaceDelegations)")
    assert root.failed and "needs to be be able to sign other NamespaceDelegations" in root.output
    # participant3 cannot delegate participant1's namespace; with mustFullyAuthorize (the default) nothing is stored
    foreign = s.step("participant3.topology.namespace_delegations.propose_delegation(participant1.id.namespace, k2, CanSignAllMappings)")
    assert foreign.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in foreign.output
    bad = s.step("participant1.topology.namespace_delegations.propose_delegation(participant1.id.namespace, k2, 42)")
    assert bad.failed and "delegationRestriction" in bad.output


def test_stale_serial_is_refused_and_nothing_is_stored(module_session):
    s = module_session
    step_ok(s, f"val k2 = {P2_KEY}")
    before = len(step_ok(s, "participant1.topology.transactions.list()"))
    stale = s.step("participant1.topology.namespace_delegations.propose_delegation(participant1.id.namespace, k2, CanSignAllMappings, serial = Some(PositiveInt.tryCreate(3)))")
    assert stale.failed and "TOPOLOGY_SERIAL_MISMATCH" in stale.output and "The given serial 3 did not match the expected serial 1." in stale.output, stale.output
    assert len(step_ok(s, "participant1.topology.transactions.list()")) == before
    assert len(step_ok(s, "participant1.topology.transactions.list(proposals = true)")) == 0


def test_decentralized_namespace_threshold(default_session):
    s = default_session
    owners = "Seq(participant1.id.namespace, participant2.id.namespace, participant3.id.namespace)"
    first = step_ok(s, f"participant1.topology.decentralized_namespaces.propose_new({owners}, PositiveInt.tryCreate(2), {SYNC})")
    assert first.isProposal  # creating one needs every owner
    namespace = str(step_ok(s, f"DecentralizedNamespaceDefinition.computeNamespace({owners})"))
    assert step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC})") == []
    pending = step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC}, proposals = true)")
    assert [str(p.item.namespace) for p in pending] == [namespace]
    step_ok(s, f"participant2.topology.decentralized_namespaces.propose_new({owners}, PositiveInt.tryCreate(2), {SYNC})")
    last = step_ok(s, f"participant3.topology.decentralized_namespaces.propose_new({owners}, PositiveInt.tryCreate(2), {SYNC})")
    assert not last.isProposal
    current = step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC})")
    assert [str(c.item.namespace) for c in current] == [namespace] and current[0].item.threshold == 2
    assert len(current[0].context.signedBy) == 3

    # a change needs 2 of the 3 owners: one signature is refused with mustFullyAuthorize ...
    step_ok(s, f"val dnd = participant1.topology.decentralized_namespaces.list({SYNC}).head.item")
    one = s.step(f"participant1.topology.decentralized_namespaces.propose(dnd.copy(threshold = 3), {SYNC}, mustFullyAuthorize = true)")
    assert one.failed and "TOPOLOGY_UNAUTHORIZED_TRANSACTION" in one.output, one.output
    assert step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC}, proposals = true)") == []
    # ... and stays a proposal without it
    proposal = step_ok(s, f"participant1.topology.decentralized_namespaces.propose(dnd.copy(threshold = 3), {SYNC})")
    assert proposal.isProposal
    assert step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC}).head.item.threshold") == 2
    # a second owner authorizes it by its hash
    step_ok(s, f"val pending = participant2.topology.transactions.list({SYNC}, proposals = true).result.head")
    authorized = step_ok(s, f"participant2.topology.transactions.authorize({SYNC}, pending.transaction.hash)")
    assert not authorized.isProposal
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    changed = step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC})")
    assert changed[0].item.threshold == 3 and int(changed[0].context.serial) == 2


def test_decentralized_namespace_derivation_and_errors(module_session):
    s = module_session
    # Canton's computeNamespace: SHA-256 with purpose 37 over the sorted owner fingerprints, length-prefixed
    import hashlib
    import struct

    owners = sorted(str(step_ok(s, f"{n}.id.namespace")) for n in ("participant1", "participant2"))
    digest = hashlib.sha256(struct.pack(">i", 37))
    for o in owners:
        digest.update(struct.pack(">i", len(o)) + o.encode())
    expected = "1220" + digest.hexdigest()
    assert str(step_ok(s, "DecentralizedNamespaceDefinition.computeNamespace(Seq(participant2.id.namespace, participant1.id.namespace))")) == expected
    bad = s.step(f"participant1.topology.decentralized_namespaces.propose_new(Seq(participant1.id.namespace), PositiveInt.tryCreate(2), {SYNC})")
    assert bad.failed and "Invalid threshold (2)" in bad.output
    none = s.step(f"participant1.topology.decentralized_namespaces.propose_new(Seq(), PositiveInt.tryCreate(1), {SYNC})")
    assert none.failed and "needs at least one owner" in none.output


def test_owner_to_key_mapping_commands_with_the_node_keys(module_session):
    s = module_session
    purpose = "com.digitalasset.canton.crypto.KeyPurpose.Signing"
    step_ok(s, "val own = participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item")
    added = s.step(f"participant1.topology.owner_to_key_mappings.add_key(own.keys.head.fingerprint, {purpose})")
    assert added.failed and "already contains the specified keys to add" in added.output
    unknown = s.step(f"participant1.topology.owner_to_key_mappings.add_key(participant2.id.fingerprint, {purpose})")
    assert unknown.failed and "The specified key is unknown to the key owner" in unknown.output
    step_ok(s, f"val k2 = {P2_KEY}")
    rotate = s.step("participant1.topology.owner_to_key_mappings.rotate_key(participant1, own.keys.head, k2)")
    assert rotate.failed and "The new key must exist and pertain to this node" in rotate.output
    # proposing participant2's key for participant1 needs that key's signature (proof of ownership)
    unauthorized = s.step("participant1.topology.owner_to_key_mappings.propose(own.copy(keys = Seq(own.keys.head, k2)))")
    assert unauthorized.failed and "TOPOLOGY_UNAUTHORIZED_TRANSACTION" in unauthorized.output
    proposal = step_ok(s, "participant1.topology.owner_to_key_mappings.propose(own.copy(keys = Seq(own.keys.head, k2)), mustFullyAuthorize = false)")
    assert proposal.isProposal
    assert len(step_ok(s, "participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized, proposals = true)")) == 1
    same = s.step("participant1.topology.owner_to_key_mappings.propose(own)")
    assert same.failed and "TOPOLOGY_MAPPING_ALREADY_EXISTS" in same.output


def test_party_to_key_mappings(module_session):
    s = module_session
    assert step_ok(s, "participant1.topology.party_to_key_mappings.list(TopologyStoreId.Authorized)") == []
    step_ok(s, "val own = participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item.keys.head")
    step_ok(s, 'val ptk = PartyToKeyMapping.tryCreate(PartyId.tryCreate("carol", participant1.id.namespace), 1, Seq(own))')
    done = step_ok(s, "participant1.topology.party_to_key_mappings.propose(ptk)")
    assert not done.isProposal
    listed = step_ok(s, 'participant1.topology.party_to_key_mappings.list(TopologyStoreId.Authorized, filterParty = "carol")')
    assert [str(r.item.party).split("::")[0] for r in listed] == ["carol"]
    assert "PartyToKeyMapping(" in s.step("participant1.topology.party_to_key_mappings.list(TopologyStoreId.Authorized)").output


def test_bootstrap_decentralized_namespace_founds_it_in_every_owner_store(default_session):
    s = default_session
    s.interpreter.syntax = "scala"
    result = s.step("val founded = bootstrap.decentralized_namespace(Seq(participant1, participant2, participant3), PositiveInt.two)")
    assert not result.failed, result.output
    assert result.output.startswith("founded : (Namespace, Seq[GenericSignedTopologyTransaction]) = (")
    namespace = str(step_ok(s, "founded._1"))
    # each owner's authorized store holds the definition, fully authorized, and the co-owners' identities
    for p in ("participant1", "participant2", "participant3"):
        defs = step_ok(s, f"{p}.topology.decentralized_namespaces.list(TopologyStoreId.Authorized)")
        assert [(str(d.item.namespace), int(d.item.threshold), len(d.context.signedBy)) for d in defs] == [(namespace, 2, 3)]
        roots = step_ok(s, f"{p}.topology.namespace_delegations.list(TopologyStoreId.Authorized)")
        assert len(roots) == 3
    # the founding transactions: three root certificates, three key mappings and the definition
    assert len(step_ok(s, "founded._2")) == 7
    # running it again finds what exists and changes nothing
    again = step_ok(s, "bootstrap.decentralized_namespace(Seq(participant1, participant2, participant3), PositiveInt.two)")
    assert str(again._1) == namespace
    empty = s.step("bootstrap.decentralized_namespace(Seq(), PositiveInt.one)")
    assert empty.failed and "There must be at least 1 owner" in empty.output
