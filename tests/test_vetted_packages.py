"""Package vetting: participants vet the built-in packages when they first start; vetting changes go
through the topology manager with Canton's checks."""

from __future__ import annotations

from conftest import step_ok


def test_participants_vet_their_packages_and_changes_are_checked(default_session):
    s = default_session
    s.interpreter.syntax = "scala"
    own = step_ok(s, "participant1.topology.vetted_packages.list(store = Some(TopologyStoreId.Authorized))")
    assert len(own) == 1 and len(own[0].item.packages) == 2
    on_sync = step_ok(s, "participant2.topology.vetted_packages.list(sequencer1.synchronizer_id)")
    assert sorted(str(r.item.participantId).split("::")[1] for r in on_sync) == ["participant1", "participant2", "participant3"]
    step_ok(s, "val pkgs = participant1.topology.vetted_packages.list(store = Some(TopologyStoreId.Authorized)).head.item.packages")
    unvet = s.step("participant1.topology.vetted_packages.propose_delta(participant1.id, removes = Seq(pkgs.head.packageId))")
    assert unvet.failed and "TOPOLOGY_DANGEROUS_VETTING_COMMAND_REQUIRES_FORCE_FLAG" in unvet.output
    unknown = s.step('participant1.topology.vetted_packages.propose_delta(participant1.id, adds = Seq(VettedPackage("abc", None, None)))')
    assert unknown.failed and "TOPOLOGY_CANNOT_VET_DUE_TO_MISSING_PACKAGES" in unknown.output
    both = s.step("participant1.topology.vetted_packages.propose_delta(participant1.id, adds = pkgs, removes = Seq(pkgs.head.packageId))")
    assert both.failed and "Cannot both add and remove a packageId" in both.output
    # nothing was stored by the refused changes
    assert int(step_ok(s, "participant1.topology.vetted_packages.list(store = Some(TopologyStoreId.Authorized)).head.context.serial")) == 1
    step_ok(s, "participant1.topology.vetted_packages.propose_delta(participant1.id, removes = Seq(pkgs.head.packageId), force = ForceFlags(ForceFlag.AllowUnvetPackage))")
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    synced = step_ok(s, "participant1.topology.vetted_packages.list(sequencer1.synchronizer_id, filterParticipant = participant1.id.filterString)")
    assert [(int(r.context.serial), len(r.item.packages)) for r in synced] == [(2, 1)]
    # another participant's vetting needs that participant's signature
    other = s.step("participant2.topology.vetted_packages.propose(participant1.id, pkgs, store = sequencer1.synchronizer_id, mustFullyAuthorize = true)")
    assert other.failed and "TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE" in other.output, other.output
    step_ok(s, "participant1.topology.vetted_packages.propose_delta(participant1.id, adds = Seq(pkgs.head))")
    assert step_ok(s, "participant1.health.maybe_ping(participant2)").isDefined


def test_time_queries_read_the_store_history(default_session):
    s = default_session
    s.interpreter.syntax = "scala"
    mine = "filterParticipant = participant1.id.filterString"
    step_ok(s, f"val before = participant1.topology.vetted_packages.list(sequencer1.synchronizer_id, {mine}).head.context.validFrom")
    step_ok(s, "val pkgs = participant1.topology.vetted_packages.list(store = Some(TopologyStoreId.Authorized)).head.item.packages")
    step_ok(s, "participant1.topology.vetted_packages.propose_delta(participant1.id, removes = Seq(pkgs.head.packageId), force = ForceFlags(ForceFlag.AllowUnvetPackage))")
    step_ok(s, "participant1.topology.synchronisation.await_idle()")
    sizes = f"participant1.topology.vetted_packages.list(sequencer1.synchronizer_id, {{}}{mine}).map(_.item.packages.size)"
    assert list(step_ok(s, sizes.format(""))) == [1]
    assert list(step_ok(s, sizes.format("timeQuery = TimeQuery.Snapshot(before), "))) == [2]
    assert list(step_ok(s, sizes.format("timeQuery = TimeQuery.Range(None, None), "))) == [2, 1]
    assert list(step_ok(s, sizes.format("timeQuery = TimeQuery.HeadState, "))) == [1]
    bad = s.step(sizes.format('timeQuery = "yesterday", '))
    assert bad.failed and "expects a TimeQuery" in bad.output
