"""The pieces of a synchronizer's founding ceremony: temporary topology stores, sequencer
connections, assigning a mediator."""

from __future__ import annotations

from conftest import open_session, step_ok

CONFIG = """
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators {
    mediator1 { storage.type = memory, admin-api.port = 5202 }
    mediator2 { storage.type = memory, admin-api.port = 5302 }
  }
  participants {
    participant1 { storage.type = memory, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage.type = memory, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""


def test_temporary_stores_are_listed_used_and_dropped(module_session):
    s = module_session
    s.interpreter.syntax = "scala"
    try:
        out = s.step('val tmp = sequencer1.topology.stores.create_temporary_topology_store("setup", ProtocolVersion.latest)').output
        assert out.strip() == "tmp : TopologyStoreId.Temporary = Temporary(name = setup)"
        assert "Temporary(name = setup)" in s.step("sequencer1.topology.stores.list()").output
        again = s.step('sequencer1.topology.stores.create_temporary_topology_store("setup", ProtocolVersion.latest)')
        assert again.failed and "TOPOLOGY_TEMPORARY_STORE_ALREADY_EXISTS" in again.output
        # a store of its own: transactions loaded into it stay there, and go nowhere
        step_ok(s, "sequencer1.topology.transactions.load(mediator1.topology.transactions.identity_transactions(), tmp)")
        listed = step_ok(s, "sequencer1.topology.namespace_delegations.list(tmp)")
        assert [str(r.item.namespace) for r in listed] == [str(step_ok(s, "mediator1.id.namespace"))]
        assert "storeId = Temporary(name = setup)" in s.step("sequencer1.topology.namespace_delegations.list(tmp)").output
        step_ok(s, "sequencer1.topology.stores.drop_temporary_topology_store(tmp)")
        gone = s.step("sequencer1.topology.namespace_delegations.list(tmp)")
        assert gone.failed and "TOPOLOGY_STORE_NOT_FOUND" in gone.output
        bad = s.step('sequencer1.topology.stores.create_temporary_topology_store("x", ProtocolVersion.dev)')
        assert bad.failed and "not a stable protocol version" in bad.output
    finally:
        s.interpreter.syntax = "auto"


def test_a_mediator_is_assigned_only_when_its_group_names_it(tmp_path):
    s = open_session(CONFIG, tmp_path)
    try:
        s.interpreter.syntax = "scala"
        step_ok(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        conn = s.step("sequencer1.sequencerConnection").output
        assert "endpoints = List(http://127.0.0.1:5001)" in conn and "sequencerAlias = Sequencer 'sequencer1'" in conn
        refused = s.step("mediator2.setup.assign(sequencer1.synchronizer_id, SequencerConnections.single(sequencer1.sequencerConnection))")
        assert refused.failed and "TOPOLOGY_MISSING_MAPPING" in refused.output, refused.output
        assert step_ok(s, "mediator2.health.initialized()") is False
        # assigning mediator1 again (it serves the synchronizer) changes nothing
        step_ok(s, "mediator1.setup.assign(sequencer1.synchronizer_id, SequencerConnections.single(sequencer1.sequencerConnection))")
        # once the group names mediator2, it is assigned, and it alone confirms when mediator1 leaves
        step_ok(s, "sequencer1.topology.mediators.propose_delta(sequencer1.synchronizer_id, group = 0, adds = List(mediator2.id))")
        step_ok(s, "mediator2.setup.assign(sequencer1.synchronizer_id, SequencerConnections.single(sequencer1.sequencerConnection))")
        assert step_ok(s, "mediator2.health.initialized()") is True
        step_ok(s, "sequencer1.topology.mediators.propose_delta(sequencer1.synchronizer_id, group = 0, removes = List(mediator1.id))")
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, 'participant2.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, "mediator1.stop()")
        assert step_ok(s, "participant1.health.maybe_ping(participant2)").isDefined
    finally:
        s.close()


SOLO = """
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 5202 }
  participants.participant1 { storage.type = memory, ledger-api.port = 5011, admin-api.port = 5012 }
}
"""


def test_a_genesis_must_be_fully_authorized_and_name_the_sequencer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = open_session(SOLO, tmp_path)
    try:
        s.interpreter.syntax = "scala"
        step_ok(s, 'val store = sequencer1.topology.stores.create_temporary_topology_store("setup", ProtocolVersion.latest)')
        step_ok(s, "sequencer1.topology.transactions.load(sequencer1.topology.transactions.identity_transactions(), store)")
        step_ok(s, "sequencer1.topology.transactions.load(mediator1.topology.transactions.identity_transactions(), store)")
        step_ok(s, 'val syncId = SynchronizerId(UniqueIdentifier.tryCreate("solo", sequencer1.id.namespace.toProtoPrimitive))')
        # only an owner may generate the genesis
        refused = s.step("mediator1.topology.synchronizer_bootstrap.generate_genesis_topology(syncId, Seq(sequencer1.id), Seq(sequencer1.id), Seq(mediator1.id), store)")
        assert refused.failed and "Only synchronizer owners should call" in refused.output, refused.output
        # an identity snapshot is no genesis: refused, and the sequencer stays uninitialized
        step_ok(s, "val params = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)")
        partial = s.step("sequencer1.setup.assign_from_genesis_state(sequencer1.topology.transactions.export_topology_snapshot(store = store), params)")
        assert partial.failed and "holds no synchronizer parameters" in partial.output, partial.output
        assert step_ok(s, "sequencer1.health.initialized()") is False
        bad = s.step('sequencer1.setup.assign_from_genesis_state(com.google.protobuf.ByteString.copyFromUtf8("nonsense"), params)')
        assert bad.failed and "Unable to parse the genesis state" in bad.output, bad.output
        # with its one owner's signatures the genesis founds the synchronizer
        genesis = step_ok(s, "sequencer1.topology.synchronizer_bootstrap.generate_genesis_topology(syncId, Seq(sequencer1.id), Seq(sequencer1.id), Seq(mediator1.id), store)")
        assert sorted(g.transaction.mapping.code for g in genesis) == ["MediatorSynchronizerState", "SequencerSynchronizerState", "SynchronizerParametersState"]
        step_ok(s, "sequencer1.setup.assign_from_genesis_state(sequencer1.topology.transactions.export_topology_snapshot(store = store), params)")
        assert str(step_ok(s, "sequencer1.synchronizer_id")).startswith("solo::")
        step_ok(s, "mediator1.setup.assign(syncId, SequencerConnections.single(sequencer1.sequencerConnection))")
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "solo")')
        assert step_ok(s, "participant1.health.maybe_ping(participant1)").isDefined
        # the parameters file round trip, and a file that is not one
        step_ok(s, 'params.writeToFile("files/params.proto")')
        assert step_ok(s, 'StaticSynchronizerParameters.tryReadFromFile("files/params.proto")') == step_ok(s, "params")
        (tmp_path / "files" / "other.txt").write_text("hello")
        wrong = s.step('StaticSynchronizerParameters.tryReadFromFile("files/other.txt")')
        assert wrong.failed and "not a static synchronizer parameters file" in wrong.output, wrong.output
    finally:
        s.close()


TWO_MEDIATORS = """
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators {
    mediator1 { storage.type = memory, admin-api.port = 5202 }
    mediator2 { storage.type = memory, admin-api.port = 5302 }
  }
  participants {
    participant1 { storage.type = memory, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage.type = memory, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""


def test_a_mediator_threshold_needs_that_many_verdicts(tmp_path):
    s = open_session(TWO_MEDIATORS, tmp_path)
    try:
        s.interpreter.syntax = "scala"
        step_ok(
            s,
            'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1, mediator2), Seq(sequencer1), PositiveInt.one, '
            "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest), mediatorThreshold = PositiveInt.two)",
        )
        assert int(step_ok(s, "sequencer1.topology.mediators.list(sequencer1.synchronizer_id).head.item.threshold")) == 2
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, 'participant2.synchronizers.connect_local(sequencer1, "da")')
        assert step_ok(s, "participant1.health.maybe_ping(participant2)").isDefined
        # with one of the two mediators down, no request gets the two verdicts it needs
        step_ok(s, "mediator2.stop()")
        assert not step_ok(s, "participant1.health.maybe_ping(participant2, timeout = 3.seconds)").isDefined
        # lowering the threshold to one lets the remaining mediator decide alone
        step_ok(s, "sequencer1.topology.mediators.propose_delta(sequencer1.synchronizer_id, group = 0, updateThreshold = Some(PositiveInt.one))")
        assert step_ok(s, "participant1.health.maybe_ping(participant2)").isDefined
    finally:
        s.close()
