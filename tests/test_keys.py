"""Key vaults, key rotation through the topology manager, and manual node initialization
(Canton 3.3's keys.secret / keys.public and topology.init_id), against the real runtime."""

from __future__ import annotations

from tests.conftest import open_session, step_ok

USAGE = "com.digitalasset.canton.crypto.SigningKeyUsage"
# The keys a participant that initializes itself makes, as Canton 3.3's auto-init makes them.
OWN_KEYS = ["participant1-namespace", "participant1-sequencer-auth", "participant1-signing", "participant1-encryption"]

MANUAL_CONF = """
canton {
  sequencers.sequencer1 { storage { type = sqlite, file = "s1.db" }, admin-api.port = 15201, public-api.port = 15202 }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 15203 }
  participants.participant1 {
    storage { type = sqlite, file = "p1.db" }
    admin-api.port = 15204
    ledger-api.port = 15205
    init.identity.type = manual
  }
}
"""


def failed(session, source: str) -> str:
    outcome = session.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def test_generate_list_filter_and_survive_restart(tmp_path):
    session = open_session(MANUAL_CONF.replace("init.identity.type = manual", ""), tmp_path)
    try:
        key = step_ok(session, f'participant1.keys.secret.generate_signing_key(name = "extra", usage = {USAGE}.ProtocolOnly, keySpec = Some(com.digitalasset.canton.crypto.SigningKeySpec.EcP256))')
        assert key.keySpec == "EC-P256" and key.usage == ("signing", "proof-of-ownership")
        enc = step_ok(session, 'participant1.keys.secret.generate_encryption_key("enc")')
        assert enc.keySpec == "EC-P256"
        names = [str(m.name.get) for m in step_ok(session, "participant1.keys.secret.list()")]
        assert names == [*OWN_KEYS, "extra", "enc"]
        assert len(step_ok(session, 'participant1.keys.secret.list(filterName = "ext")')) == 1
        # as in Canton, a usage filter keeps encryption keys (they have no usage)
        by_usage = step_ok(session, f"participant1.keys.secret.list(filterUsage = {USAGE}.NamespaceOnly)")
        assert [str(m.name.get) for m in by_usage] == ["participant1-namespace", "participant1-encryption", "enc"]
        assert len(step_ok(session, "participant1.keys.secret.list(filterPurpose = Set(com.digitalasset.canton.crypto.KeyPurpose.Encryption))")) == 2
        assert len(step_ok(session, f'participant1.keys.public.list(filterFingerprint = "{key.id.unwrap}")')) == 1
        # bad input: an unsupported key spec, no usage
        out = failed(session, f"participant1.keys.secret.generate_signing_key(usage = {USAGE}.ProtocolOnly, keySpec = Some(com.digitalasset.canton.crypto.SigningKeySpec.EcP384))")
        assert "SIGNING_KEY_GENERATION_ERROR" in out
        assert "no signing key usage specified" in failed(session, "participant1.keys.secret.generate_signing_key(usage = Set())")
        assert len(step_ok(session, "participant1.keys.secret.list()")) == 6
    finally:
        session.close()
    session = open_session(MANUAL_CONF.replace("init.identity.type = manual", ""), tmp_path)
    try:
        names = [str(m.name.get) for m in step_ok(session, "participant1.keys.secret.list()")]
        assert names == [*OWN_KEYS, "extra", "enc"]
        step_ok(session, f'participant1.keys.secret.delete("{key.id.unwrap}", force = true)')
        assert len(step_ok(session, "participant1.keys.secret.list()")) == 5
    finally:
        session.close()


def test_rotated_key_signs_and_old_key_is_refused(default_session):
    s = default_session
    auth = step_ok(s, 'sequencer1.keys.secret.list(filterName = "sequencer1-sequencer-auth").head.publicKey')
    old = step_ok(s, 'sequencer1.keys.secret.list(filterName = "sequencer1-signing").head.publicKey')
    new = step_ok(s, f'sequencer1.keys.secret.rotate_node_key("{old.id.unwrap}")')
    assert new.id != old.id and new.usage == old.usage
    keys = step_ok(s, "sequencer1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item.keys")
    assert sorted(str(k.id) for k in keys) == sorted([str(auth.id), str(new.id)])
    # the synchronizer has the rotated mapping: the sequencer's top-ups are signed with the new key
    owners = step_ok(s, "participant1.keys.public.list_by_owner(sequencer1.id)")
    assert sorted(str(k.id) for k in owners[0].signingKeys) == sorted([str(auth.id), str(new.id)])
    # a namespace delegation to a new namespace key lets the node sign with it (signedBy)
    nk = step_ok(s, f'sequencer1.keys.secret.generate_signing_key("nk", {USAGE}.NamespaceOnly)')
    step_ok(s, f'sequencer1.topology.namespace_delegations.propose_delegation(sequencer1.id.uid.namespace, sequencer1.keys.public.list(filterFingerprint = "{nk.id.unwrap}").head.publicKey, CanSignAllButNamespaceDelegations)')
    k2 = step_ok(s, f'sequencer1.keys.secret.generate_signing_key("k2", {USAGE}.ProtocolOnly)')
    step_ok(s, f'sequencer1.topology.owner_to_key_mappings.add_key("{k2.id.unwrap}", com.digitalasset.canton.crypto.KeyPurpose.Signing, signedBy = Seq("{nk.id.unwrap}"))')
    head = step_ok(s, "sequencer1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head")
    assert sorted(str(f) for f in head.context.signedBy) == sorted([str(nk.id), str(k2.id)])
    # the old key, not in the mapping any more, cannot be rotated by rotate_node_key
    assert "does not exist" in failed(s, f'sequencer1.keys.secret.rotate_node_key("{old.id.unwrap}")')
    # a key the node does not hold cannot sign
    k3 = step_ok(s, f'participant1.keys.secret.generate_signing_key("k3", {USAGE}.ProtocolOnly)')
    out = failed(s, f'participant1.topology.owner_to_key_mappings.add_key("{k3.id.unwrap}", com.digitalasset.canton.crypto.KeyPurpose.Signing, signedBy = Seq(sequencer1.id.fingerprint))')
    assert "TOPOLOGY_SECRET_KEY_NOT_IN_STORE" in out
    step_ok(s, "participant1.health.ping(participant2)")


def test_owner_to_key_add_remove_with_real_keys(default_session):
    s = default_session
    k = step_ok(s, f'participant1.keys.secret.generate_signing_key("p1-extra", {USAGE}.ProtocolOnly)')
    step_ok(s, f'participant1.topology.owner_to_key_mappings.add_key("{k.id.unwrap}", com.digitalasset.canton.crypto.KeyPurpose.Signing)')
    result = step_ok(s, "participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head")
    assert k.id in [key.id for key in result.item.keys]
    assert k.id.unwrap in [f.unwrap if hasattr(f, "unwrap") else str(f) for f in result.context.signedBy]
    step_ok(s, f'participant1.topology.owner_to_key_mappings.remove_key("{k.id.unwrap}", com.digitalasset.canton.crypto.KeyPurpose.Signing)')
    result = step_ok(s, "participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head")
    assert k.id not in [key.id for key in result.item.keys]
    assert "unknown to the key owner" in failed(s, 'participant1.topology.owner_to_key_mappings.add_key("1220' + "ab" * 32 + '", com.digitalasset.canton.crypto.KeyPurpose.Signing)')


def test_manual_initialization_end_to_end(tmp_path):
    session = open_session(MANUAL_CONF, tmp_path)
    try:
        assert step_ok(session, "participant1.health.has_identity()") is False
        assert step_ok(session, "participant1.health.initialized()") is False
        assert "Node is not initialized" in failed(session, "participant1.id")
        ns = step_ok(session, f'participant1.keys.secret.generate_signing_key(name = "participant1-namespace", usage = {USAGE}.NamespaceOnly)')
        assert "No namespace or certificate provided" in failed(session, 'participant1.topology.init_id("participant1")')
        assert "No signing key found locally" in failed(session, 'participant1.topology.init_id("participant1", "1220' + "cd" * 32 + '")')
        step_ok(session, f'participant1.topology.init_id("participant1", "{ns.id.unwrap}")')
        assert "Already initialised" in failed(session, f'participant1.topology.init_id("participant1", "{ns.id.unwrap}")')
        assert step_ok(session, "participant1.health.has_identity()") is True
        assert step_ok(session, "participant1.id.uid.namespace.fingerprint") == ns.id
        names = [str(m.name.get) for m in step_ok(session, "participant1.keys.secret.list()")]
        assert names == OWN_KEYS
        keys = step_ok(session, "participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item.keys")
        assert [getattr(k, "usage", "encryption") for k in keys] == [("sequencer-auth", "proof-of-ownership"), ("signing", "proof-of-ownership"), "encryption"]
        step_ok(
            session,
            'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
            "staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, "participant1.health.ping(participant1)")
        uid = step_ok(session, "participant1.id")
    finally:
        session.close()
    session = open_session(MANUAL_CONF, tmp_path)
    try:
        assert step_ok(session, "participant1.id") == uid
        step_ok(session, "participant1.synchronizers.reconnect_all()")
        step_ok(session, "participant1.health.ping(participant1)")
    finally:
        session.close()


def test_init_id_refused_when_not_manual(default_session):
    out = failed(default_session, f'participant1.topology.init_id("other", "{step_ok(default_session, "participant1.id.fingerprint").unwrap}")')
    assert "does not allow for a manual node initialization" in out


def test_download_upload_roundtrip(default_session):
    s = default_session
    out = failed(s, 'participant1.keys.secret.download("1220' + "ab" * 32 + '")')
    assert "FAILED_PRECONDITION/Error retrieving private key" in out
    key = step_ok(s, f'participant1.keys.secret.generate_signing_key("moved", {USAGE}.ProtocolOnly, Some(com.digitalasset.canton.crypto.SigningKeySpec.EcP256))')
    step_ok(s, f'val pair = participant1.keys.secret.download("{key.id.unwrap}")')
    step_ok(s, 'participant2.keys.secret.upload(pair, Some("imported"))')
    got = step_ok(s, f'participant2.keys.secret.list(filterFingerprint = "{key.id.unwrap}").head')
    assert str(got.name.get) == "imported" and got.publicKey == key
    step_ok(s, f'val pub = participant1.keys.public.download("{key.id.unwrap}")')
    assert step_ok(s, 'participant3.keys.public.upload(pub, Some("theirs"))') == key.id
    assert len(step_ok(s, f'participant3.keys.secret.list(filterFingerprint = "{key.id.unwrap}")')) == 0
    assert "PROTO_DESERIALIZATION_FAILURE" in failed(s, 'participant3.keys.secret.upload(pub, None)')


def test_removing_the_last_key_of_a_mapping_must_be_forced(default_session):
    s = default_session
    signing = "com.digitalasset.canton.crypto.KeyPurpose.Signing"
    auth = step_ok(s, 'mediator1.keys.secret.list(filterName = "mediator1-sequencer-auth").head.publicKey')
    protocol = step_ok(s, 'mediator1.keys.secret.list(filterName = "mediator1-signing").head.publicKey')
    step_ok(s, f'mediator1.topology.owner_to_key_mappings.remove_key("{auth.id.unwrap}", {signing})')
    assert "TOPOLOGY_REMOVING_LAST_KEY_MUST_BE_FORCED" in failed(s, f'mediator1.topology.owner_to_key_mappings.remove_key("{protocol.id.unwrap}", {signing})')
    keys = step_ok(s, "mediator1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item.keys")
    assert [k.id for k in keys] == [protocol.id]


def test_encryption_keys_in_owner_to_key_mappings(default_session):
    s = default_session
    encryption = "com.digitalasset.canton.crypto.KeyPurpose.Encryption"
    key = step_ok(s, 'mediator1.keys.secret.generate_encryption_key("enc")')
    step_ok(s, f"mediator1.topology.owner_to_key_mappings.add_key(\"{key.id.unwrap}\", {encryption})")
    owners = step_ok(s, "participant1.keys.public.list_by_owner(mediator1.id)")
    assert [k.id for k in owners[0].encryptionKeys] == [key.id] and len(owners[0].signingKeys) == 2
    step_ok(s, f"mediator1.topology.owner_to_key_mappings.remove_key(\"{key.id.unwrap}\", {encryption})")
    keys = step_ok(s, "mediator1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized).head.item.keys")
    assert key.id not in [k.id for k in keys]
    step_ok(s, "participant1.health.ping(participant2)")
