"""The read side of Canton 3.3's topology mapping groups, each one module: namespace_delegations,
decentralized_namespaces, owner_to_key_mappings, mediators. On the default topology: every node's
root certificate, the sequencer's and the mediator's keys, mediator group 0 with mediator1."""

from __future__ import annotations

import re

from conftest import step_ok

NODES = ("participant1", "participant2", "participant3", "sequencer1", "mediator1")


def test_every_node_has_its_root_namespace_delegation(module_session):
    delegations = step_ok(module_session, "participant1.topology.namespace_delegations.list(store = sequencer1.synchronizer_id)")
    namespaces = {str(step_ok(module_session, f"{n}.id.namespace")) for n in NODES}
    # sequencer1 founded the synchronizer: its namespace is the synchronizer's
    assert {str(d.item.namespace) for d in delegations} == namespaces
    for d in delegations:
        assert str(d.item.target.id) == str(d.item.namespace)  # the namespace's own key
        assert d.item.restriction == step_ok(module_session, "CanSignAllMappings") and d.item.isRootDelegation
        assert [str(k) for k in d.context.signedBy] == [str(d.item.namespace)]
        assert d.context.operation == "Replace" and int(d.context.serial) == 1 and d.context.validUntil is None


def test_namespace_delegation_filters(module_session):
    sync = "sequencer1.synchronizer_id"
    p2 = str(step_ok(module_session, "participant2.id.namespace"))
    by_namespace = step_ok(module_session, f"mediator1.topology.namespace_delegations.list({sync}, filterNamespace = participant2.id.namespace.toProtoPrimitive)")
    assert [str(d.item.namespace) for d in by_namespace] == [p2]
    by_prefix = step_ok(module_session, f'mediator1.topology.namespace_delegations.list({sync}, filterNamespace = "{p2[:10]}")')
    assert p2 in [str(d.item.namespace) for d in by_prefix]
    by_target = step_ok(module_session, f"participant1.topology.namespace_delegations.list({sync}, filterTargetKey = Some(participant3.id.fingerprint))")
    assert [str(d.item.namespace) for d in by_target] == [str(step_ok(module_session, "participant3.id.namespace"))]
    by_signer = step_ok(module_session, f"participant1.topology.namespace_delegations.list({sync}, filterSigningKey = participant1.id.fingerprint.unwrap)")
    assert [str(d.item.namespace) for d in by_signer] == [str(step_ok(module_session, "participant1.id.namespace"))]
    assert step_ok(module_session, f'participant1.topology.namespace_delegations.list({sync}, filterNamespace = "1220nothing")') == []
    assert step_ok(module_session, f"participant1.topology.namespace_delegations.list({sync}, proposals = true)") == []


def test_namespace_delegation_rendering(module_session):
    out = module_session.step(
        "participant1.topology.namespace_delegations.list(sequencer1.synchronizer_id, filterNamespace = participant1.id.namespace.toProtoPrimitive)"
    ).output
    assert out.startswith("res") and "Seq[ListNamespaceDelegationResult] = Vector(" in out, out
    assert re.search(
        r"item = NamespaceDelegation\(\n\s+namespace = 1220[0-9a-f]{8}\.\.\.,\n"
        r"\s+target = SigningPublicKey\(\n\s+id = 1220[0-9a-f]{8}\.\.\.,\n\s+format = DER-encoded X\.509 SubjectPublicKeyInfo,\n\s+keySpec = EC-Curve25519,\n"
        r"\s+usage = Set\(namespace, sequencer-auth, signing, proof-of-ownership\)\n\s+\),\n"
        r"\s+restriction = CanSignAllMappings\n",
        out,
    ), out
    assert "context = BaseResult(\n      storeId = Synchronizer(da::1220" in out, out


def test_store_is_required_and_checked(module_session):
    missing = module_session.step("participant1.topology.namespace_delegations.list()")
    assert missing.failed and "missing a required argument: 'store'" in missing.output
    unknown = module_session.step('participant1.topology.namespace_delegations.list(store = "nope::1220ab")')
    assert unknown.failed and "TOPOLOGY_STORE_NOT_FOUND" in unknown.output
    # The node's authorized store holds its identity: its root certificate and its keys.
    roots = step_ok(module_session, "participant1.topology.namespace_delegations.list(TopologyStoreId.Authorized)")
    assert [str(r.item.namespace) for r in roots] == [str(step_ok(module_session, "participant1.id.namespace"))]
    assert "storeId = Authorized" in module_session.step("participant1.topology.namespace_delegations.list(TopologyStoreId.Authorized)").output
    assert step_ok(module_session, 'participant1.topology.decentralized_namespaces.list("Authorized")') == []


def test_no_decentralized_namespace_in_the_default_topology(module_session):
    assert step_ok(module_session, "sequencer1.topology.decentralized_namespaces.list(sequencer1.synchronizer_id)") == []
    assert step_ok(module_session, "sequencer1.topology.decentralized_namespaces.list(sequencer1.synchronizer_id, proposals = true)") == []
    unknown = module_session.step('sequencer1.topology.decentralized_namespaces.list(store = "nope::1220ab")')
    assert unknown.failed and "TOPOLOGY_STORE_NOT_FOUND" in unknown.output
    refused = module_session.step('sequencer1.topology.decentralized_namespaces.list(sequencer1.synchronizer_id, protocolVersion = Some("33"))')
    assert refused.failed and "argument 'protocolVersion' is not supported by canton-console" in refused.output


def test_owner_to_key_mappings_of_every_member(module_session):
    mappings = step_ok(module_session, "participant2.topology.owner_to_key_mappings.list(store = Some(sequencer1.synchronizer_id))")
    members = [str(m.item.member) for m in mappings]
    expected = ["sequencer1", "mediator1", "participant1", "participant2", "participant3"]
    assert sorted(members) == sorted(str(step_ok(module_session, f"{n}.id")) for n in expected)
    # the participant's own authorized store holds its own mapping only
    own = step_ok(module_session, "participant2.topology.owner_to_key_mappings.list(store = Some(TopologyStoreId.Authorized))")
    assert [str(m.item.member) for m in own] == [str(step_ok(module_session, "participant2.id"))]
    for m in mappings:
        # Canton's auto-init keys: a sequencer-authentication and a protocol signing key (and a
        # participant's encryption key), signed by the member's namespace key and each signing key
        kinds = [getattr(k, "usage", ("encryption",))[0] for k in m.item.keys]
        participant = str(m.item.member.code) == "PAR"
        assert kinds == ["sequencer-auth", "signing", *(["encryption"] if participant else [])]
        signers = {str(m.item.member.namespace), *(str(k.id) for k in m.item.keys[:2])}
        assert {str(k) for k in m.context.signedBy} == signers
    assert len(step_ok(module_session, "participant2.topology.owner_to_key_mappings.list()")) == len(mappings) + 1


def test_owner_to_key_mapping_filters_and_refusals(module_session):
    meds = step_ok(module_session, "participant1.topology.owner_to_key_mappings.list(filterKeyOwnerType = mediator1.id.code)")
    assert [str(m.item.member) for m in meds] == [str(step_ok(module_session, "mediator1.id"))]
    seqs = step_ok(module_session, 'participant1.topology.owner_to_key_mappings.list(filterKeyOwnerType = Some("SEQ"))')
    assert [str(m.item.member) for m in seqs] == [str(step_ok(module_session, "sequencer1.id"))]
    pars = step_ok(module_session, 'participant1.topology.owner_to_key_mappings.list(sequencer1.synchronizer_id, filterKeyOwnerType = "PAR")')
    assert len(pars) == 3
    by_uid = step_ok(module_session, "participant1.topology.owner_to_key_mappings.list(filterKeyOwnerUid = sequencer1.id.filterString)")
    assert [str(m.item.member) for m in by_uid] == [str(step_ok(module_session, "sequencer1.id"))]
    assert len(step_ok(module_session, 'participant1.topology.owner_to_key_mappings.list(filterKeyOwnerUid = "med")')) == 1
    assert step_ok(module_session, "participant1.topology.owner_to_key_mappings.list(proposals = true)") == []
    bad_type = module_session.step('participant1.topology.owner_to_key_mappings.list(filterKeyOwnerType = "XYZ")')
    assert bad_type.failed and "Unknown three letter type XYZ" in bad_type.output
    refused = module_session.step('participant1.topology.owner_to_key_mappings.list(timeQuery = "Snapshot")')
    assert refused.failed and "argument 'timeQuery' expects a TimeQuery" in refused.output
    unknown = module_session.step('participant1.topology.owner_to_key_mappings.list(store = "nope::1220ab")')
    assert unknown.failed and "TOPOLOGY_STORE_NOT_FOUND" in unknown.output


def test_owner_to_key_mapping_rendering(module_session):
    out = module_session.step('sequencer1.topology.owner_to_key_mappings.list(filterKeyOwnerType = "MED")').output
    assert re.search(
        r"item = OwnerToKeyMapping\(\n\s+member = MED::mediator1::1220[0-9a-f]{8}\.\.\.,\n\s+keys = Vector\(\n"
        r"\s+SigningPublicKey\(\n\s+id = 1220[0-9a-f]{8}\.\.\.,\n\s+format = DER-encoded X\.509 SubjectPublicKeyInfo,\n\s+keySpec = EC-Curve25519,",
        out,
    ), out
    assert "Seq[ListOwnerToKeyMappingResult]" in out


def test_mediator_group_zero_with_mediator1_active(module_session):
    states = step_ok(module_session, "participant3.topology.mediators.list()")
    assert len(states) == 1
    state = states[0].item
    assert str(state.synchronizerId) == str(step_ok(module_session, "sequencer1.synchronizer_id"))
    assert int(state.group) == 0 and int(state.threshold) == 1
    assert [str(m) for m in state.active] == [str(step_ok(module_session, "mediator1.id"))] and list(state.observers) == []
    # signed by the synchronizer's owner (sequencer1's namespace)
    assert [str(k) for k in states[0].context.signedBy] == [str(step_ok(module_session, "sequencer1.id.namespace"))]


def test_mediator_filters_and_refusals(module_session):
    assert len(step_ok(module_session, "mediator1.topology.mediators.list(synchronizerId = sequencer1.synchronizer_id, group = 0)")) == 1
    assert len(step_ok(module_session, "mediator1.topology.mediators.list(group = Some(0))")) == 1
    assert step_ok(module_session, "mediator1.topology.mediators.list(group = 1)") == []
    assert len(step_ok(module_session, 'mediator1.topology.mediators.list(filterSynchronizer = "da")')) == 1
    assert step_ok(module_session, 'mediator1.topology.mediators.list(filterSynchronizer = "other")') == []
    assert step_ok(module_session, 'mediator1.topology.mediators.list(filterSigningKey = "1220nothing")') == []
    assert step_ok(module_session, "mediator1.topology.mediators.list(proposals = true)") == []
    unknown = module_session.step('mediator1.topology.mediators.list(synchronizerId = "nope::1220ab")')
    assert unknown.failed and "TOPOLOGY_STORE_NOT_FOUND" in unknown.output
    refused = module_session.step('mediator1.topology.mediators.list(operation = "Remove")')
    assert refused.failed and "argument 'operation' is not supported by canton-console" in refused.output
    assert len(step_ok(module_session, 'mediator1.topology.mediators.list(operation = "Replace", timeQuery = "HeadState")')) == 1


def test_mediator_rendering(module_session):
    out = module_session.step("participant1.topology.mediators.list()").output
    assert re.search(
        r"item = MediatorSynchronizerState\(\n\s+synchronizerId = da::1220[0-9a-f]{8}\.\.\.,\n\s+group = 0,\n\s+threshold = 1,\n"
        r"\s+active = Vector\(MED::mediator1::1220[0-9a-f]{8}\.\.\.\),\n\s+observers = Vector\(\)\n",
        out,
    ), out


def test_help_lists_the_groups(module_session):
    out = module_session.step("participant1.topology.help()").output
    for name in ("namespace_delegations", "decentralized_namespaces", "owner_to_key_mappings", "mediators"):
        assert name in out, out


def test_stores_lists_the_authorized_and_the_synchronizer_stores(module_session):
    sync_id = str(step_ok(module_session, "sequencer1.synchronizer_id"))
    for node in ("participant1", "mediator1"):
        stores = step_ok(module_session, f"{node}.topology.stores.list()")
        assert [getattr(s, "name", None) or str(s.id) for s in stores] == ["Authorized", sync_id]
    out = module_session.step("participant1.topology.stores.list()").output
    # 82 characters on one line: over the console's width of 80, so one store per line
    assert re.match(r"res\d+: Seq\[TopologyStoreId\] = Vector\(\n  Authorized,\n  Synchronizer\(da::1220[0-9a-f]{8}\.\.\.\)\n\)", out), out
    # a listed store is what the store arguments take
    assert len(step_ok(module_session, "participant1.topology.namespace_delegations.list(participant1.topology.stores.list()[1])")) == len(NODES)
    assert len(step_ok(module_session, "participant1.topology.namespace_delegations.list(participant1.topology.stores.list().head)")) == 1
    assert len(step_ok(module_session, "participant1.topology.mediators.list(participant1.topology.stores.list().last)")) == 1


def test_a_decentralized_namespace_is_listed_as_proposal_then_definition(default_session):
    """participant1 and participant2 each propose the same definition through their topology admin
    service (the console's propose_new is not built yet): after the first it is a proposal, after
    both it is in force, signed by both owners."""
    import hashlib

    from canton_console.values import topology as t

    s = default_session
    sync_id = str(step_ok(s, "sequencer1.synchronizer_id"))
    owners = sorted(str(step_ok(s, f"{p}.id.namespace")) for p in ("participant1", "participant2"))
    namespace = "1220" + hashlib.sha256("".join(owners).encode()).hexdigest()
    mapping = t.decentralized_namespace_definition(namespace, 1, owners)
    listing = "participant3.topology.decentralized_namespaces.list(sequencer1.synchronizer_id"

    step_ok(s, "participant1.topology")._admin.topology.propose(sync_id, mapping, None, False, None)
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    proposals = step_ok(s, listing + ", proposals = true)")
    assert [str(p.item.namespace) for p in proposals] == [namespace]

    step_ok(s, "participant2.topology")._admin.topology.propose(sync_id, mapping, None, False, None)
    step_ok(s, f"utils.retry_until_true(lambda: len({listing})) == 1)")
    definitions = step_ok(s, listing + ")")
    assert len(definitions) == 1
    item = definitions[0].item
    assert str(item.namespace) == namespace and item.threshold == 1 and sorted(str(o) for o in item.owners) == owners
    assert sorted(str(k) for k in definitions[0].context.signedBy) == owners
    assert step_ok(s, listing + f', filterNamespace = "{namespace[:12]}")') == definitions
    assert step_ok(s, listing + ', filterNamespace = "1220nothing")') == []
    assert step_ok(s, listing + f', filterSigningKey = "{owners[1][:16]}")') == definitions
    out = s.step(listing + ")").output
    assert re.search(
        r"item = DecentralizedNamespaceDefinition\(\n\s+namespace = 1220[0-9a-f]{8}\.\.\.,\n\s+threshold = 1,\n"
        r"\s+owners = Set\(1220[0-9a-f]{8}\.\.\., 1220[0-9a-f]{8}\.\.\.\)\n",
        out,
    ), out


def test_topology_store_ids_as_the_docs_write_them(module_session):
    """``TopologyStoreId.Synchronizer(id)`` (short or fully qualified, after an import) is a store
    argument, and so is ``TopologyStoreId.Authorized``, the node's own store."""
    module_session.interpreter.syntax = "scala"
    try:
        assert step_ok(module_session, "import com.digitalasset.canton.topology.admin.grpc.TopologyStoreId") is None
        by_id = step_ok(module_session, "participant1.topology.namespace_delegations.list(store = TopologyStoreId.Synchronizer(sequencer1.synchronizer_id))")
        by_stores = step_ok(module_session, "participant1.topology.namespace_delegations.list(store = participant1.topology.stores.list().last)")
        assert len(by_id) == len(by_stores) >= 5
        qualified = "com.digitalasset.canton.topology.admin.grpc.TopologyStoreId.Synchronizer(sequencer1.synchronizer_id)"
        assert len(step_ok(module_session, f"participant1.topology.synchronizer_parameters.list(store = {qualified})")) == 1
        refused = module_session.step("participant1.topology.mediators.list(proposals = false, filterSynchronizer = \"\", synchronizerId = TopologyStoreId.Authorized)")
        assert refused.failed, refused.output
        authorized = step_ok(module_session, "participant1.topology.owner_to_key_mappings.list(store = TopologyStoreId.Authorized)")
        assert [str(m.item.member) for m in authorized] == [str(step_ok(module_session, "participant1.id"))]
    finally:
        module_session.interpreter.syntax = "auto"
