"""External (client-controlled) parties: generate_topology, allocate_external and the keys the
party holds, against the real runtime (SQLite files, real Ed25519 keys)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from canton_console.runtime.participant import external_parties as ep
from canton_console.values import topology as t
from tests.conftest import step_ok

PARTICIPANT = "PAR::participant1::1220" + "a" * 64
OTHER = "PAR::participant2::1220" + "b" * 64


def _failed(session, source: str) -> str:
    out = session.step(source)
    assert out.failed, out.output
    return out.output


def step_ok_output(session, source: str) -> str:
    out = session.step(source)
    assert not out.failed, out.output
    return out.output


def _topology_rows(session, node: str = "participant1") -> int:
    """Every topology transaction a node keeps (effective and proposals), in its authorized store
    and its synchronizer's store."""
    topology = session.admin.node(node).topology
    sync = str(step_ok(session, 'participant1.synchronizers.id_of("da")'))
    return len(topology.history(t.AUTHORIZED_STORE, None)) + len(topology.history(sync, None))


@pytest.fixture
def held_key(default_session):
    """An Ed25519 key pair the test holds (never given to a node): its public key as a console value
    bound to ``partyKey``, and a function signing bytes into a console ``Signature``."""
    from canton_console.console.commands.external_parties import Signature
    from canton_console.values.bytestring import ByteString
    from canton_console.values.keys import SigningPublicKey

    private = Ed25519PrivateKey.generate()
    public = SigningPublicKey.of_raw_hex(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex())
    default_session.console.namespace["partyKey"] = public

    def sign(data: bytes, signer=private, signed_by=public.id):
        return Signature(ByteString(signer.sign(bytes(data))), signed_by)

    return public, sign


def test_allocate_with_a_key_the_user_holds(default_session, held_key):
    s = default_session
    public, sign = held_key
    step_ok(s, 'val syncId = participant1.synchronizers.id_of("da")')
    topo = step_ok(s, 'val topo = participant1.ledger_api.parties.generate_topology(syncId, "alice", partyKey)')
    # the party's namespace is the fingerprint of its key; three transactions, one hash over them
    assert str(topo.partyId) == f"alice::{public.id.unwrap}"
    assert topo.publicKeyFingerprint == public.id
    codes = [tx.mapping.code for tx in topo.topologyTransactions]
    assert codes == [t.NAMESPACE_DELEGATION, t.PARTY_TO_KEY, t.PARTY_TO_PARTICIPANT]
    assert topo.multiHash.evidence == t.combined_hash(tx.transaction.hash for tx in topo.topologyTransactions)
    p2p = topo.topologyTransactions[2].mapping.data
    assert p2p["threshold"] == 1 and [tuple(h) for h in p2p["participants"]] == [(str(step_ok(s, "participant1.id")), "Confirmation")]
    s.console.namespace["sig"] = sign(topo.multiHash.getCryptographicEvidence)
    response = step_ok(s, "participant1.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))")
    assert response.partyId == str(topo.partyId)
    # hosted by participant1 with confirmation rights, seen by the other participants too
    (row,) = step_ok(s, 'participant1.parties.list("alice")')
    (hosting,) = row.participants
    assert str(hosting.participant) == str(step_ok(s, "participant1.id"))
    assert str(hosting.synchronizers[0].permission) == "Confirmation"
    assert len(step_ok(s, 'participant2.parties.list("alice")')) == 1
    (details,) = [d for d in step_ok(s, "participant1.ledger_api.parties.list()") if str(d.party) == str(topo.partyId)]
    assert details.isLocal
    # its key is the party's key on the synchronizer
    assert f"party = alice::{public.id.unwrap[:12]}..." in step_ok_output(s, "participant1.topology.party_to_key_mappings.list(syncId)")
    # a stakeholder of a contract: participant1's admin party issues an Iou to it
    step_ok(
        s,
        'participant1.ledger_api.commands.submit(Seq(participant1.adminParty), Seq(ledger_api_utils.create("Iou:Iou", '
        'Map("issuer" -> participant1.adminParty, "owner" -> topo.partyId, "amount" -> 5))))',
    )
    (entry,) = step_ok(s, "participant1.ledger_api.state.acs.of_party(topo.partyId)")
    assert entry.arguments["owner"] == str(topo.partyId)
    # allocating again: the party exists
    assert "Party already exists" in _failed(
        s, "participant1.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))"
    )


def test_console_held_key_with_global_secret(default_session):
    s = default_session
    key = step_ok(s, "val key = global_secret.keys.secret.generate_key(usage = SigningKeyUsage.All)")
    assert step_ok(s, "global_secret.get_signing_key(key.fingerprint)") == key
    step_ok(s, 'val topo = participant1.ledger_api.parties.generate_topology(participant1.synchronizers.id_of("da"), "carol", key)')
    step_ok(s, "val sig = global_secret.sign(topo.multiHash.getCryptographicEvidence, key.fingerprint, SigningKeyUsage.ProtocolOnly)")
    step_ok(s, 'participant1.ledger_api.parties.allocate_external(participant1.synchronizers.id_of("da"), topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))')
    assert len(step_ok(s, 'participant1.parties.hosted("carol")')) == 1
    # a key the console does not hold, and a usage the key does not have
    assert "Signing key not found for fingerprint 1220" in _failed(s, 'global_secret.sign(topo.multiHash.getCryptographicEvidence, "1220' + "0" * 64 + '", SigningKeyUsage.ProtocolOnly)')
    step_ok(s, "val nsKey = global_secret.keys.secret.generate_key(usage = SigningKeyUsage.NamespaceOnly)")
    assert "is not valid for usage [signing]" in _failed(s, "global_secret.sign(topo.multiHash.getCryptographicEvidence, nsKey.fingerprint, SigningKeyUsage.ProtocolOnly)")


def test_signatures_of_a_wrong_key_are_refused_and_nothing_is_stored(default_session, held_key):
    s = default_session
    _public, sign = held_key
    step_ok(s, 'val syncId = participant1.synchronizers.id_of("da")')
    topo = step_ok(s, 'val topo = participant1.ledger_api.parties.generate_topology(syncId, "bob", partyKey)')
    before = _topology_rows(s)
    stranger = Ed25519PrivateKey.generate()
    stranger_fp = t.key_fingerprint(stranger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex())
    from canton_console.values.ids import Fingerprint

    allocate = "participant1.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))"
    # a key that is not the party's, naming itself
    s.console.namespace["sig"] = sign(topo.multiHash.getCryptographicEvidence, signer=stranger, signed_by=Fingerprint(stranger_fp))
    out = _failed(s, allocate)
    assert "INVALID_ARGUMENT/Transaction signature verification failed" in out
    # another key's signature claiming to be the party key's
    s.console.namespace["sig"] = sign(topo.multiHash.getCryptographicEvidence, signer=stranger)
    assert "Transaction signature verification failed" in _failed(s, allocate)
    # the party's key over other bytes
    s.console.namespace["sig"] = sign(b"something else")
    assert "Transaction signature verification failed" in _failed(s, allocate)
    assert _topology_rows(s) == before
    assert step_ok(s, 'participant1.parties.list("bob")') == []
    # with a signature by the party key on each transaction alone but none on the hosting, the
    # participant cannot host the party in full: refused, nothing stored
    sigs = [sign(tx.hash.hash.getCryptographicEvidence) for tx in topo.topologyTransactions[:2]]
    s.console.namespace["pairs"] = [(tx, [sig]) for tx, sig in zip(topo.topologyTransactions[:2], sigs, strict=True)] + [(topo.topologyTransactions[2], [])]
    assert "Topology transaction is not properly authorized: Not authorized" in _failed(s, "participant1.ledger_api.parties.allocate_external(syncId, pairs, Seq())")
    assert _topology_rows(s) == before
    # the same signatures, and one on the hosting too: allocated
    s.console.namespace["pairs"] = [(tx, [sign(tx.hash.hash.getCryptographicEvidence)]) for tx in topo.topologyTransactions]
    step_ok(s, "participant1.ledger_api.parties.allocate_external(syncId, pairs, Seq())")
    assert len(step_ok(s, 'participant1.parties.hosted("bob")')) == 1


def test_unknown_synchronizer_and_bad_arguments(default_session, held_key):
    s = default_session
    unknown = 'SynchronizerId.tryFromString("elsewhere::1220' + "c" * 64 + '")'
    assert "INVALID_ARGUMENT" in (out := _failed(s, f'participant1.ledger_api.parties.generate_topology({unknown}, "dave", partyKey)'))
    assert "Unknown or not connected synchronizer elsewhere::1220" in out
    step_ok(s, 'val syncId = participant1.synchronizers.id_of("da")')
    step_ok(s, 'val topo = participant1.ledger_api.parties.generate_topology(syncId, "dave", partyKey)')
    _public, sign = held_key
    s.console.namespace["sig"] = sign(step_ok(s, "topo.multiHash.getCryptographicEvidence"))
    before = _topology_rows(s)
    out = _failed(s, f"participant1.ledger_api.parties.allocate_external({unknown}, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))")
    assert "The submitted request has invalid arguments: No valid synchronizer found." in out
    assert "Transactions field is empty" in _failed(s, "participant1.ledger_api.parties.allocate_external(syncId, Seq(), Seq(sig))")
    # hosted on participant2 alone: participant1 may not allocate it
    step_ok(s, "val elsewhere = participant2.ledger_api.parties.generate_topology(syncId, \"erin\", partyKey)")
    out = _failed(s, "participant1.ledger_api.parties.allocate_external(syncId, elsewhere.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))")
    assert "Submit the allocation request on PAR::participant2::" in out
    assert _topology_rows(s) == before
    assert "Party hint is empty" in _failed(s, 'participant1.ledger_api.parties.generate_topology(syncId, "", partyKey)')
    assert "Confirmation threshold exceeds number of confirming participants" in _failed(
        s, 'participant1.ledger_api.parties.generate_topology(syncId, "frank", partyKey, confirmationThreshold = NonNegativeInt.tryCreate(2))'
    )
    assert "Duplicate participant ids" in _failed(
        s, 'participant1.ledger_api.parties.generate_topology(syncId, "frank", partyKey, otherConfirmingParticipantIds = Seq(participant2), observingParticipantIds = Seq(participant2))'
    )


def test_multi_hosted_party_each_host_allocates(default_session, held_key):
    """Canton's flow: participant1 allocates with the party's signature, participant2 with none (it
    adds its own to the hosting); the party is hosted once both did."""
    s = default_session
    _public, sign = held_key
    step_ok(s, 'val syncId = participant1.synchronizers.id_of("da")')
    topo = step_ok(
        s,
        'val topo = participant1.ledger_api.parties.generate_topology(syncId, "gina", partyKey, otherConfirmingParticipantIds = Seq(participant2), '
        "confirmationThreshold = NonNegativeInt.tryCreate(2))",
    )
    p2p = topo.topologyTransactions[2].mapping.data
    assert p2p["threshold"] == 2 and [perm for _, perm in p2p["participants"]] == ["Confirmation", "Confirmation"]
    s.console.namespace["sig"] = sign(topo.multiHash.getCryptographicEvidence)
    step_ok(s, "participant1.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))")
    assert step_ok(s, 'participant1.parties.list("gina")') == []
    step_ok(s, "participant2.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq())")

    def hosted_by_both() -> bool:
        rows = step_ok(s, 'participant1.parties.list("gina")')
        return len(rows) == 1 and len(rows[0].participants) == 2

    import time

    deadline = time.monotonic() + 10
    while not hosted_by_both() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hosted_by_both()


# ---- the checks themselves, on values ------------------------------------------------------------


def _key_hex() -> str:
    return Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def test_combined_hash_ignores_order_and_counts_each_transaction():
    a, b = "11" * 32, "22" * 32
    assert t.combined_hash([a, b]) == t.combined_hash([b, a])
    assert t.combined_hash([a, b]) != t.combined_hash([a])
    assert len(t.combined_hash([a])) == 34 and t.combined_hash([a]).startswith(b"\x12\x20")


def test_generated_hosting_follows_the_arguments():
    generated = ep.generate_topology(PARTICIPANT, "p", _key_hex(), True, [OTHER], 0, [])
    p2p = generated.transactions[2].mapping.data
    assert [tuple(h) for h in p2p["participants"]] == [(PARTICIPANT, "Observation"), (OTHER, "Confirmation")]
    assert p2p["threshold"] == 1  # 0: every confirming participant
    with pytest.raises(ep.OnboardingRefused, match="party_hint: "):
        ep.generate_topology(PARTICIPANT, "no spaces allowed!", _key_hex(), False, [], 0, [])


def test_onboarding_refuses_submission_rights_and_other_mappings():
    key = _key_hex()
    party = f"p::{t.key_fingerprint(key)}"
    submission = t.TopologyTransaction(t.REPLACE, 1, t.party_to_participant(party, 1, [(PARTICIPANT, "Submission")]))
    with pytest.raises(ep.OnboardingRefused, match="must not contain any node with Submission permission"):
        ep.check_onboarding([(submission, [])], [], PARTICIPANT)
    trust = t.TopologyTransaction(t.REPLACE, 1, t.trust_certificate(PARTICIPANT, "da::1220" + "c" * 64))
    with pytest.raises(ep.OnboardingRefused, match="Unsupported transactions found: SynchronizerTrustCertificate"):
        ep.check_onboarding([(trust, [])], [], PARTICIPANT)
    observed_only = t.TopologyTransaction(t.REPLACE, 1, t.party_to_participant(party, 1, [(PARTICIPANT, "Observation"), (OTHER, "Observation")]))
    with pytest.raises(ep.OnboardingRefused, match="at least one node with Confirmation permission"):
        ep.check_onboarding([(observed_only, [])], [], PARTICIPANT)
    # a signature over all transactions signs each; a root delegation keeps only its own key's
    generated = ep.generate_topology(PARTICIPANT, "p", key, False, [], 0, [])
    details = ep.check_onboarding([(tx, []) for tx in generated.transactions], [ep.ExternalSignature("1220" + "d" * 64, b"x")], PARTICIPANT)
    assert details.namespace_transaction is None and details.party_to_key is not None and not details.fully_allocates
    assert ep.onboarding_problem(t.TopologyTransaction(t.REPLACE, 2, generated.transactions[0].mapping)) == (
        "onboarding_transactions.transaction.serial",
        "Onboarding transaction serial must be 1",
    )


# ---- interactive submission ----------------------------------------------------------------------


def _allocated(session, sign, hint: str) -> str:
    step_ok(session, 'val syncId = participant1.synchronizers.id_of("da")')
    topo = step_ok(session, f'val topo = participant1.ledger_api.parties.generate_topology(syncId, "{hint}", partyKey)')
    session.console.namespace["sig"] = sign(topo.multiHash.getCryptographicEvidence)
    step_ok(session, "participant1.ledger_api.parties.allocate_external(syncId, topo.topologyTransactions.map(tx => (tx, Seq())), Seq(sig))")
    step_ok(session, f"val {hint} = topo.partyId")
    return str(topo.partyId)


def _wait_for(condition, seconds: float = 10) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_execute_requires_the_acting_partys_signature(default_session, held_key):
    s = default_session
    _public, sign = held_key
    alice = _allocated(s, sign, "alice")
    prepared = step_ok(
        s,
        'val prepared = participant1.ledger_api.interactive_submission.prepare(Seq(alice), '
        'Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 3))), commandId = "iou-1")',
    )
    assert len(prepared.preparedTransactionHash) == 32
    execute = 'participant1.ledger_api.interactive_submission.execute(prepared.getPreparedTransaction, {}, "sub-1", prepared.hashingSchemeVersion)'
    out = _failed(s, execute.format("Map()"))
    assert "FAILED_TO_EXECUTE_TRANSACTION(8,sub-1): The participant failed to execute the transaction: " in out
    assert f"The following actAs parties did not provide an external signature: {alice}" in out
    # signed by a key that is not alice's, or by alice's key over other bytes
    stranger = Ed25519PrivateKey.generate()
    s.console.namespace["bad"] = sign(prepared.preparedTransactionHash, signer=stranger)
    out = _failed(s, execute.format("Map(alice -> Seq(bad))"))
    assert f"Received 0 valid signatures (1 invalid), but expected at least 1 valid for {alice}. Transaction hash to be signed: 1220" in out
    s.console.namespace["bad"] = sign(b"another transaction")
    assert "Received 0 valid signatures (1 invalid)" in _failed(s, execute.format("Map(alice -> Seq(bad))"))
    assert step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)") == []
    # signed with alice's key: executed
    s.console.namespace["good"] = sign(prepared.preparedTransactionHash)
    step_ok(s, execute.format("Map(alice -> Seq(good))"))
    assert _wait_for(lambda: len(step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")) == 1)
    (entry,) = step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")
    assert entry.arguments["issuer"] == alice and entry.arguments["amount"] == 3
    # the same command again: deduplicated, as any Ledger API submission
    assert "DUPLICATE_COMMAND" in _failed(s, execute.format("Map(alice -> Seq(good))").replace('"sub-1"', '"sub-2"'))


def test_execute_an_exercise_and_refuse_parties_without_keys(default_session, held_key):
    s = default_session
    _public, sign = held_key
    alice = _allocated(s, sign, "alice")
    step_ok(s, 'val bob = participant2.parties.enable("bob")')
    step_ok(
        s,
        'participant1.ledger_api.commands.submit(Seq(participant1.adminParty), Seq(ledger_api_utils.create("Iou:Iou", '
        'Map("issuer" -> participant1.adminParty, "owner" -> alice, "amount" -> 7))))',
    )
    (iou,) = step_ok(s, "val ious = participant1.ledger_api.state.acs.of_party(alice)")
    assert iou.arguments["owner"] == alice
    prepared = step_ok(
        s,
        "val prepared = participant1.ledger_api.interactive_submission.prepare(Seq(alice), "
        'Seq(ledger_api_utils.exercise("Transfer", Map("newOwner" -> bob), ious.head.event)))',
    )
    s.console.namespace["good"] = sign(prepared.preparedTransactionHash)
    step_ok(s, 'participant1.ledger_api.interactive_submission.execute(prepared.getPreparedTransaction, Map(alice -> Seq(good)), "sub-t", prepared.hashingSchemeVersion)')
    assert _wait_for(lambda: len(step_ok(s, "participant2.ledger_api.state.acs.of_party(bob)")) == 1)
    assert step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)") == []
    # a party with no party-to-key mapping cannot sign anything
    step_ok(
        s,
        "val local = participant1.ledger_api.interactive_submission.prepare(Seq(participant1.adminParty), "
        'Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> participant1.adminParty, "owner" -> alice, "amount" -> 1))))',
    )
    out = _failed(s, 'participant1.ledger_api.interactive_submission.execute(local.getPreparedTransaction, Map(participant1.adminParty -> Seq(good)), "sub-l", local.hashingSchemeVersion)')
    assert "Could not find party signing keys for participant1::" in out
    assert "UNSUPPORTED_ARGUMENT" in _failed(s, "participant1.ledger_api.interactive_submission.prepare(Seq(alice), Seq(), verboseHashing = true)")
