"""``<node>.topology.transactions``: listing every transaction of a store, exporting and importing
them (snapshots, identities, files), loading, signing, authorizing, finding the latest."""

from __future__ import annotations

from conftest import step_ok

SYNC = "sequencer1.synchronizer_id"


def _keys(stored) -> set:
    return {(s.mapping.code, s.mapping.key, s.serial, s.operation, s.mapping.canonical) for s in stored.result}


def test_list_and_identity(module_session):
    s = module_session
    own = step_ok(s, "participant1.topology.transactions.list()")
    assert {x.mapping.code for x in own.result} == {"NamespaceDelegation", "OwnerToKeyMapping", "VettedPackages"}
    out = s.step("participant1.topology.transactions.list()").output
    assert out.startswith("res") and "StoredTopologyTransactions[TopologyChangeOp, TopologyMapping] = Seq(" in out
    assert "StoredTopologyTransaction(\n    SignedTopologyTransaction(\n      TopologyTransaction(\n        NamespaceDelegation(" in out, out
    identity = step_ok(s, "participant1.topology.transactions.identity_transactions()")
    assert [i.mapping.code for i in identity] == ["NamespaceDelegation", "OwnerToKeyMapping"]
    on_sync = step_ok(s, f"participant1.topology.transactions.list({SYNC})")
    codes = {x.mapping.code for x in on_sync.result}
    assert {"SynchronizerParametersState", "SequencerSynchronizerState", "MediatorSynchronizerState", "SynchronizerTrustCertificate"} <= codes
    only = step_ok(s, f"participant1.topology.transactions.list({SYNC}, filterMappings = Seq(TopologyMapping.Code.OwnerToKeyMapping))")
    assert {x.mapping.code for x in only.result} == {"OwnerToKeyMapping"} and len(only) == 5
    without = step_ok(s, f"participant1.topology.transactions.list({SYNC}, excludeMappings = Seq(TopologyMapping.Code.OwnerToKeyMapping))")
    assert len(without) == len(on_sync) - 5
    ns = step_ok(s, f"participant1.topology.transactions.list({SYNC}, filterNamespace = participant2.id.namespace.toProtoPrimitive)")
    assert {x.mapping.code for x in ns.result} == {"NamespaceDelegation", "OwnerToKeyMapping", "SynchronizerTrustCertificate", "VettedPackages"}
    signed = step_ok(s, f"participant1.topology.transactions.list({SYNC}, filterAuthorizedKey = Some(participant3.id.fingerprint))")
    assert signed.result and all(str(step_ok(s, "participant3.id.fingerprint")) in x.transaction.signed.signatures for x in signed.result)
    both = s.step(f"participant1.topology.transactions.list({SYNC}, filterMappings = Seq(TopologyMapping.Code.OwnerToKeyMapping), excludeMappings = Seq(TopologyMapping.Code.VettedPackages))")
    assert both.failed and "Cannot specify both filterMappings and excludeMappings" in both.output
    refused = s.step('participant1.topology.transactions.list(protocolVersion = Some("33"))')
    assert refused.failed and "'protocolVersion' is not supported" in refused.output


def test_snapshot_round_trips_into_another_store(default_session):
    s = default_session
    step_ok(s, f"val snap = participant1.topology.transactions.export_topology_snapshot(store = {SYNC})")
    exported = step_ok(s, f"participant1.topology.transactions.list({SYNC})")
    # participant2's authorized store holds only its identity; after the import it holds the snapshot
    step_ok(s, "participant2.topology.transactions.import_topology_snapshot(snap, TopologyStoreId.Authorized)")
    imported = step_ok(s, "participant2.topology.transactions.list()")
    assert _keys(imported) == _keys(exported)
    assert s.step("participant2.topology.transactions.import_topology_snapshot(snap, TopologyStoreId.Authorized)").failed is False
    assert _keys(step_ok(s, "participant2.topology.transactions.list()")) == _keys(exported)


def test_garbage_bytes_are_refused(module_session, tmp_path):
    s = module_session
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01 not a snapshot")
    outcome = s.step(f'participant1.topology.transactions.import_topology_snapshot_from("{garbage}", TopologyStoreId.Authorized)')
    assert outcome.failed and "PROTO_DESERIALIZATION_FAILURE" in outcome.output and "Deserialization of protobuf message failed" in outcome.output
    missing = s.step(f'participant1.topology.transactions.import_topology_snapshot_from("{tmp_path / "nope.bin"}", TopologyStoreId.Authorized)')
    assert missing.failed and "import_topology_snapshot failed" in missing.output
    single = s.step(f'participant1.topology.transactions.load_single_from_file("{garbage}", TopologyStoreId.Authorized)')
    assert single.failed and f"Unable to read from `{garbage}`" in single.output
    before = len(step_ok(s, "participant1.topology.transactions.list()"))
    assert len(step_ok(s, "participant1.topology.transactions.list()")) == before


def test_identity_export_into_a_fresh_session(default_session, tmp_path):
    from conftest import _default_topology

    s = default_session
    file = tmp_path / "p1-identity.bin"
    step_ok(s, f'participant1.topology.transactions.export_identity_transactions("{file}")')
    identity = step_ok(
        s, "participant1.topology.transactions.list(filterMappings = Seq(TopologyMapping.Code.NamespaceDelegation, TopologyMapping.Code.OwnerToKeyMapping))"
    )
    other = _default_topology(tmp_path / "other")
    try:
        step_ok(other, f'participant1.topology.transactions.import_topology_snapshot_from("{file}", TopologyStoreId.Authorized)')
        namespace = str(step_ok(s, "participant1.id.namespace"))
        listed = step_ok(
            other,
            f'participant1.topology.transactions.list(filterNamespace = "{namespace}", excludeMappings = Seq(TopologyMapping.Code.VettedPackages))',
        )
        assert _keys(listed) == _keys(identity)
        # the fresh node's own identity (and its vetted packages) is still there, beside the imported one
        assert len(step_ok(other, "participant1.topology.transactions.list()")) == 5
    finally:
        other.close()


def test_files_sign_load_and_find(default_session, tmp_path):
    s = default_session
    # participant1's root certificate, written to a file and loaded by participant3
    file = tmp_path / "root.tx"
    step_ok(s, "val root = participant1.topology.transactions.identity_transactions().head")
    step_ok(s, f'root.writeToFile("{file}")')
    step_ok(s, f'participant3.topology.transactions.load_single_from_file("{file}", TopologyStoreId.Authorized)')
    namespace = str(step_ok(s, "participant1.id.namespace"))
    assert len(step_ok(s, f'participant3.topology.transactions.list(filterNamespace = "{namespace}")')) == 1
    many = tmp_path / "many.txs"
    step_ok(s, f'participant1.topology.transactions.write_to_file(participant1.topology.transactions.identity_transactions(), "{many}")')
    step_ok(s, f'participant3.topology.transactions.load_multiple_from_file("{many}", TopologyStoreId.Authorized)')
    assert len(step_ok(s, f'participant3.topology.transactions.list(filterNamespace = "{namespace}")')) == 2
    wrong = s.step(f'participant3.topology.transactions.load_single_from_file("{many}", TopologyStoreId.Authorized)')
    assert wrong.failed and "expected SignedTopologyTransaction" in wrong.output

    # a proposal lacking participant1's signature: participant1 signs it, then it loads as effective
    step_ok(s, "val dnd = DecentralizedNamespaceDefinition.tryCreate(DecentralizedNamespaceDefinition.computeNamespace(Seq(participant1.id.namespace, participant2.id.namespace)), 1, Seq(participant1.id.namespace, participant2.id.namespace))")
    proposal = step_ok(s, f"participant2.topology.decentralized_namespaces.propose(dnd, {SYNC})")
    assert proposal.isProposal
    step_ok(s, f"val pending = participant2.topology.transactions.list({SYNC}, proposals = true).result.map(_.transaction)")
    signed = step_ok(s, f"participant1.topology.transactions.sign(pending, {SYNC})")
    assert len(signed[0].signed.signatures) == 2
    step_ok(s, f"participant1.topology.transactions.load(participant1.topology.transactions.sign(pending, {SYNC}), {SYNC})")
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    assert len(step_ok(s, f"participant1.topology.decentralized_namespaces.list({SYNC})")) == 1
    latest = step_ok(s, f"participant1.topology.transactions.find_latest_by_mapping_hash(pending.head.mapping.uniqueKey, {SYNC})")
    assert latest.isDefined and latest.get.mapping.code == "DecentralizedNamespaceDefinition"
    absent = step_ok(s, "participant1.topology.transactions.find_latest_by_mapping_hash(pending.head.mapping.uniqueKey, TopologyStoreId.Authorized)")
    assert not absent.isDefined
    foreign = s.step(f"participant1.topology.transactions.sign(pending, {SYNC}, signedBy = Seq(participant2.id.fingerprint))")
    assert foreign.failed and "TOPOLOGY_SECRET_KEY_NOT_IN_STORE" in foreign.output
    unknown = s.step(f'participant1.topology.transactions.authorize(pending.head.hash, false, {SYNC})')
    assert unknown.failed and "TOPOLOGY_TRANSACTION_NOT_FOUND" in unknown.output


def test_genesis_state(module_session):
    s = module_session
    needs_store = s.step("participant1.topology.transactions.genesis_state()")
    assert needs_store.failed and "filterSynchronizerStore" in needs_store.output
    step_ok(s, "val genesis = sequencer1.topology.transactions.genesis_state()")
    step_ok(s, "participant3.topology.transactions.import_topology_snapshot(genesis, TopologyStoreId.Authorized)")
    on_sync = step_ok(s, f"sequencer1.topology.transactions.list({SYNC})")
    assert _keys(on_sync) <= _keys(step_ok(s, "participant3.topology.transactions.list()"))
