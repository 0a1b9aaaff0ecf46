"""A sequencer's forced pruning and member disabling, its mediator groups, its BFT peer endpoints and
ordering topology, and the party listing of sequencers and mediators, against the real runtime."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import open_session, step_ok

from canton_console.config import load_config
from canton_console.config.errors import ConfigError
from canton_console.console.commands.sequencer_pruning import clients_preventing_pruning, format_disable_dry_run
from canton_console.values.pruning import SequencerMemberStatus, SequencerPruningStatus, Timestamp


def _events(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from cc_sequenced_events").fetchone()[0]


def _member(s, node: str) -> str:
    return str(step_ok(s, f"{node}.id"))


def test_force_prune_disables_the_member_holding_back_pruning(default_session, tmp_path):
    s = default_session
    db = tmp_path / "sequencer1.db"
    step_ok(s, "participant1.health.ping(participant3)")
    p3 = _member(s, "participant3")
    step_ok(s, "participant3.stop()")
    for _ in range(3):
        step_ok(s, "participant1.health.ping(participant2)")
    status = step_ok(s, "sequencer1.pruning.status()")
    others = min(int(m.safePruningTimestamp) for m in status.members if m.member != p3)
    stuck = next(int(m.safePruningTimestamp) for m in status.members if m.member == p3)
    assert stuck < others
    at = Timestamp(others)
    # what prune_at would refuse, force_prune_at describes first ...
    assert s.step(f'sequencer1.pruning.prune_at("{at}")').failed
    before = _events(db)
    report = step_ok(s, f'sequencer1.pruning.force_prune_at("{at}", dryRun = true)')
    assert report == (
        f"To prune the Sequencer at {at} we will disable:\n  - {p3} (member)\n"
        "To disable these clients to allow for pruning at this point run force_prune with dryRun set to false"
    )
    assert _events(db) == before
    assert all(m.enabled for m in step_ok(s, "sequencer1.pruning.status()").members)
    # ... and then does it
    report = step_ok(s, f'sequencer1.pruning.force_prune_at("{at}", dryRun = false)')
    after = _events(db)
    assert after < before
    assert report == f"Removed at least {before - after} events, at least {before - after} payloads\nDisabled the following members:\n  - {p3}\n"
    enabled = {m.member: m.enabled for m in step_ok(s, "sequencer1.pruning.status()").members}
    assert enabled[p3] is False and sum(enabled.values()) == len(enabled) - 1
    # the others keep working; a safe point ahead again needs nobody disabled
    step_ok(s, "participant1.health.ping(participant2)")
    assert step_ok(s, "sequencer1.pruning.force_prune(dryRun = true)").startswith("The Sequencer can be safely pruned for ")
    # the disabled participant can no longer send (nor read)
    step_ok(s, "participant3.start()")
    step_ok(s, "participant3.synchronizers.reconnect_all()")
    outcome = s.step("participant3.health.ping(participant1, timeout = 2.seconds)")
    assert outcome.failed and f"SEQUENCER_SUBMISSION_REQUEST_REFUSED(9,0): Member {p3} is disabled at the sequencer" in outcome.output


def test_disable_member_refuses_the_sequencer_itself_and_persists(default_session):
    s = default_session
    outcome = s.step("sequencer1.repair.disable_member(sequencer1.id)")
    assert outcome.failed
    assert f"CANNOT_DISABLE_LOCAL_SEQUENCER_MEMBER(8,0): Sequencer {_member(s, 'sequencer1')} cannot disable its local sequencer subscription" in outcome.output
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, "sequencer1.repair.disable_member(participant2)")
    outcome = s.step("participant2.health.ping(participant1, timeout = 2.seconds)")
    assert outcome.failed and "SEQUENCER_SUBMISSION_REQUEST_REFUSED" in outcome.output
    # participant1 still sends; participant2 reads nothing more, so the ping does not complete
    assert s.step("participant1.health.ping(participant2, timeout = 2.seconds)").failed
    step_ok(s, "participant1.health.ping(participant3)")
    p2 = _member(s, "participant2")
    step_ok(s, "sequencer1.stop()")
    step_ok(s, "sequencer1.start()")
    enabled = {m.member: m.enabled for m in step_ok(s, "sequencer1.pruning.status()").members}
    assert enabled[p2] is False


def test_parties_list_on_sequencers_and_mediators(module_session):
    s = module_session
    step_ok(s, 'participant1.parties.enable("Sam")')
    for node in ("sequencer1", "mediator1"):
        found = step_ok(s, f'{node}.parties.list(filterParty = "Sam")')
        assert [str(r.party).split("::")[0] for r in found] == ["Sam"]
        assert [str(p.participant) for p in found[0].participants] == [_member(s, "participant1")]
        assert step_ok(s, f'{node}.parties.list(filterParty = "Nobody")') == []
        participants = step_ok(s, f"{node}.parties.list(filterParticipant = participant2.id.uid.toProtoPrimitive)")
        assert {str(r.party) for r in participants} >= {str(step_ok(s, "participant2.adminParty"))}


MEDIATOR_GROUPS = """
canton {
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 17001, admin-api.port = 17002 }
  mediators {
    mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 17202 }
    mediator2 { storage { type = sqlite, file = "mediator2.db" }, admin-api.port = 17212 }
    mediator3 { storage { type = sqlite, file = "mediator3.db" }, admin-api.port = 17222 }
  }
}
"""


def test_mediator_groups_propose_delta_and_new_group(tmp_path):
    s = open_session(MEDIATOR_GROUPS, tmp_path)
    try:
        step_ok(
            s,
            'bootstrap.synchronizer("da", sequencers = Seq(sequencer1), mediators = Seq(mediator1), synchronizerOwners = Seq(sequencer1), '
            "synchronizerThreshold = PositiveInt.one, staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        m1, m2, m3 = (_member(s, m) for m in ("mediator1", "mediator2", "mediator3"))
        assert step_ok(s, "mediator2.sequencer_connection.get().isDefined") is False
        step_ok(s, "sequencer1.mediators.groups.propose_delta(NonNegativeInt.zero, PositiveInt.one, Seq(mediator2))")
        group = step_ok(s, "sequencer1.topology.mediators.list(group = Some(NonNegativeInt.zero))")
        assert sorted(str(m) for m in group[0].item.active) == sorted([m1, m2])
        assert int(group[0].context.serial) == 2
        assert step_ok(s, "mediator2.sequencer_connection.get().isDefined") is True
        step_ok(s, "sequencer1.mediators.groups.propose_delta(NonNegativeInt.zero, PositiveInt.one, Seq(), additionalObservers = Seq(mediator3))")
        group = step_ok(s, "sequencer1.topology.mediators.list(group = Some(NonNegativeInt.zero))")
        assert [str(m) for m in group[0].item.observers] == [m3]
        assert step_ok(s, "mediator3.sequencer_connection.get().isDefined") is True
        # a new group 0 replaces the mediators
        step_ok(s, "sequencer1.mediators.groups.propose_new_group(NonNegativeInt.zero, PositiveInt.one, active = Seq(mediator2))")
        group = step_ok(s, "sequencer1.topology.mediators.list(group = Some(NonNegativeInt.zero))")
        assert ([str(m) for m in group[0].item.active], list(group[0].item.observers)) == ([m2], [])
        for src, why in (
            ("sequencer1.mediators.groups.propose_new_group(NonNegativeInt.one, PositiveInt.one, Seq(mediator3))", "mediator group 1 is not supported"),
            ("sequencer1.mediators.groups.propose_delta(NonNegativeInt.tryCreate(7), PositiveInt.one, Seq(mediator3))", "Unknown mediator group 7"),
        ):
            outcome = s.step(src)
            assert outcome.failed and why in outcome.output
    finally:
        s.close()


BFT = """
canton {
  sequencers {
    sequencer1 {
      storage { type = sqlite, file = "s1.db" }, public-api.port = 18001, admin-api.port = 18002
      sequencer {
        type = BFT
        config.initial-network {
          server-endpoint { address = "0.0.0.0", port = 31030, external-address = "127.0.0.1", external-port = 31030, external-tls-config.enabled = false }
          peer-endpoints = [ { address = "127.0.0.1", port = 31031, tls-config.enabled = false } ]
        }
      }
    }
    sequencer2 {
      storage { type = sqlite, file = "s2.db" }, public-api.port = 18003, admin-api.port = 18004
      sequencer {
        type = BFT
        config.initial-network {
          server-endpoint { address = "0.0.0.0", port = 31031, external-address = "127.0.0.1", external-port = 31031, external-tls-config.enabled = false }
          peer-endpoints = [ { address = "127.0.0.1", port = 31030, tls-config.enabled = false } ]
        }
      }
    }
    sequencer3 { storage { type = sqlite, file = "s3.db" }, public-api.port = 18005, admin-api.port = 18006, sequencer.type = database }
  }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 18202 }
}
"""

BOOTSTRAP_BFT = (
    'bootstrap.synchronizer("da", sequencers = Seq(sequencer1, sequencer2), mediators = Seq(mediator1), synchronizerOwners = Seq(sequencer1), '
    "synchronizerThreshold = PositiveInt.one, staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))"
)

IMPORTS = (
    "import com.digitalasset.canton.synchronizer.sequencer.block.bftordering.core.driver.BftBlockOrdererConfig.{EndpointId, P2PEndpointConfig}",
    "import com.digitalasset.canton.config.RequireTypes.Port",
)


def test_bft_peer_endpoints_and_ordering_topology(tmp_path):
    s = open_session(BFT, tmp_path)
    try:
        step_ok(s, BOOTSTRAP_BFT)
        for line in IMPORTS:
            step_ok(s, line)
        s1, s2 = _member(s, "sequencer1"), _member(s, "sequencer2")
        topology = step_ok(s, "sequencer1.bft.get_ordering_topology()")
        assert (topology.currentEpoch, list(topology.sequencerIds)) == (0, sorted([s1, s2]))
        status = step_ok(s, "sequencer1.bft.get_peer_network_status(None)")
        assert [(e.endpointId.url, e.health.status, e.health.sequencerId) for e in status.endpointStatuses] == [("http://127.0.0.1:31031", "Authenticated", s2)]
        rendered = s.step("sequencer1.bft.get_peer_network_status(None)").output
        assert 'endpointId = Id(url = "http://127.0.0.1:31031", tls = false)' in rendered
        assert "status = Authenticated(sequencerId = SEQ::sequencer2::" in rendered
        # a stopped peer is known but not connected
        step_ok(s, "sequencer2.stop()")
        status = step_ok(s, "sequencer1.bft.get_peer_network_status(None)")
        assert [e.health.status for e in status.endpointStatuses] == ["Unauthenticated"]
        step_ok(s, "sequencer2.start()")
        # endpoints added and removed are kept over a restart; the configured ones are not seeded again
        step_ok(s, 'sequencer1.bft.add_peer_endpoint(P2PEndpointConfig("127.0.0.1", Port.tryCreate(31099), None))')
        step_ok(s, 'sequencer1.bft.remove_peer_endpoint(EndpointId("127.0.0.1", Port.tryCreate(31031), false))')
        step_ok(s, "sequencer1.stop()")
        step_ok(s, "sequencer1.start()")
        status = step_ok(s, "sequencer1.bft.get_peer_network_status(None)")
        assert [(e.endpointId.url, e.health.status) for e in status.endpointStatuses] == [("http://127.0.0.1:31099", "Unauthenticated")]
        asked = step_ok(s, 'sequencer1.bft.get_peer_network_status(Some(Seq(EndpointId("127.0.0.1", Port.tryCreate(31031), false))))')
        assert [e.health.status for e in asked.endpointStatuses] == ["UnknownEndpoint"]
        # a sequencer that is not a BFT sequencer has no BFT admin service
        outcome = s.step("sequencer3.bft.get_ordering_topology()")
        assert outcome.failed and "UNIMPLEMENTED/Method not found: com.digitalasset.canton.sequencer.admin.v30.SequencerBftAdministrationService/GetOrderingTopology" in outcome.output
        outcome = s.step('sequencer1.bft.add_peer_endpoint(EndpointId("127.0.0.1", Port.tryCreate(1), false))')
        assert outcome.failed and "P2PEndpointConfig" in outcome.output
    finally:
        s.close()


def test_bft_ordering_topology_epoch_counts_sequencer_changes(tmp_path):
    s = open_session(BFT, tmp_path)
    try:
        step_ok(
            s,
            'bootstrap.synchronizer("da", sequencers = Seq(sequencer1), mediators = Seq(mediator1), synchronizerOwners = Seq(sequencer1), '
            "synchronizerThreshold = PositiveInt.one, staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        assert step_ok(s, "sequencer1.bft.get_ordering_topology().currentEpoch") == 0
        step_ok(s, "bootstrap.onboard_new_sequencer(sequencer1.synchronizer_id, sequencer2, sequencer1, Seq(sequencer1))")
        topology = step_ok(s, "sequencer2.bft.get_ordering_topology()")
        assert topology.currentEpoch == 1
        assert sorted(topology.sequencerIds) == sorted([_member(s, "sequencer1"), _member(s, "sequencer2")])
    finally:
        s.close()


def test_bft_config_is_checked(tmp_path):
    bad = BFT.replace("port = 31031, tls-config.enabled = false", "prot = 31031")
    (tmp_path / "bad.conf").write_text(bad)
    with pytest.raises(ConfigError, match="peer-endpoints"):
        load_config([str(tmp_path / "bad.conf")], base_dir=tmp_path)
    wrong_type = BFT.replace("type = BFT", "type = database", 1)
    (tmp_path / "db.conf").write_text(wrong_type)
    with pytest.raises(ConfigError, match="only for BFT sequencers"):
        load_config([str(tmp_path / "db.conf")], base_dir=tmp_path)
    config = load_config([str(tmp_path / "ok.conf")], base_dir=tmp_path) if (tmp_path / "ok.conf").write_text(BFT) else None
    assert config is not None
    seq = config.sequencers["sequencer1"]
    assert (seq.bft_server_endpoint, seq.bft_peer_endpoints) == (("127.0.0.1", 31030), (("127.0.0.1", 31031, False),))


# ---- pure logic ------------------------------------------------------------------------------------
def test_clients_preventing_pruning_and_the_dry_run_text():
    status = SequencerPruningStatus(
        Timestamp(0),
        Timestamp(100),
        (
            SequencerMemberStatus("PAR::a::1220aa", Timestamp(1), Timestamp(50)),
            SequencerMemberStatus("PAR::b::1220bb", Timestamp(2), None),
            SequencerMemberStatus("PAR::c::1220cc", Timestamp(3), Timestamp(10), enabled=False),
            SequencerMemberStatus("MED::m::1220dd", Timestamp(4), Timestamp(90)),
        ),
    )
    assert clients_preventing_pruning(status, 60) == ["PAR::a::1220aa", "PAR::b::1220bb"]
    assert clients_preventing_pruning(status, 2) == []
    assert format_disable_dry_run(Timestamp(60), []) == "The Sequencer can be safely pruned for 1970-01-01T00:00:00.000060Z without disabling clients"
    assert format_disable_dry_run(Timestamp(60), ["PAR::b::1220bb", "PAR::a::1220aa"]).splitlines() == [
        "To prune the Sequencer at 1970-01-01T00:00:00.000060Z we will disable:",
        "  - PAR::a::1220aa (member)",
        "  - PAR::b::1220bb (member)",
        "To disable these clients to allow for pruning at this point run force_prune with dryRun set to false",
    ]


def test_snapshot_gives_the_state_at_the_last_event(default_session, tmp_path):
    s = default_session
    step_ok(s, "participant1.health.ping(participant2)")
    with sqlite3.connect(tmp_path / "sequencer1.db") as conn:
        last, count = conn.execute("select max(timestamp), count(*) from cc_sequenced_events").fetchone()
    snapshot = step_ok(s, "sequencer1.setup.snapshot(sequencer1.pruning.status().now)")
    assert (int(snapshot.lastTs), snapshot.latestBlockHeight) == (last, count - 1)
    previous = dict(snapshot.previousTimestamps)
    assert int(previous[_member(s, "participant1")]) == last
    assert previous[_member(s, "participant3")] is None  # nothing was ever addressed to it
    assert {m.member for m in snapshot.status.members} == set(previous)
    rendered = s.step("sequencer1.setup.snapshot(sequencer1.pruning.status().now)").output
    assert "res" in rendered and "SequencerSnapshot(\n  lastTs = " in rendered and "inFlightAggregations = Map()," in rendered
    outcome = s.step('sequencer1.setup.snapshot("2020-01-01T00:00:00Z")')
    assert outcome.failed and "FAILED_PRECONDITION/canton-console keeps only the sequencer's latest traffic and acknowledgement state" in outcome.output
