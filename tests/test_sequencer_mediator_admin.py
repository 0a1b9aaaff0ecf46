"""Sequencer pruning, a mediator's sequencer connection and node readiness, against the real runtime."""

from __future__ import annotations

import sqlite3

from conftest import open_session, step_ok

TWO_SEQUENCERS = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 15001, admin-api.port = 15002 }
    sequencer2 { storage { type = sqlite, file = "s2.db" }, public-api.port = 15003, admin-api.port = 15004 }
  }
  mediators { mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 15202 } }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, admin-api.port = 15012, ledger-api.port = 15011, http-ledger-api.port = 15013 }
    participant2 { storage { type = sqlite, file = "p2.db" }, admin-api.port = 15022, ledger-api.port = 15021, http-ledger-api.port = 15023 }
  }
}
"""

BOOTSTRAP_TWO = (
    'bootstrap.synchronizer("da", sequencers = Seq(sequencer1, sequencer2), mediators = Seq(mediator1), '
    "synchronizerOwners = Seq(sequencer1), synchronizerThreshold = PositiveInt.one, "
    "staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))"
)


def _events(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from cc_sequenced_events").fetchone()[0]


def test_prune_removes_acknowledged_events_and_pings_still_work(default_session, tmp_path):
    s = default_session
    for target in ("participant2", "participant3"):
        step_ok(s, f"participant1.health.ping({target})")
    status = step_ok(s, "sequencer1.pruning.status()")
    members = {m.member.split("::")[0] for m in status.members}
    assert members == {"PAR", "MED", "SEQ"}
    before = _events(tmp_path / "sequencer1.db")
    safe = step_ok(s, "sequencer1.pruning.status().safePruningTimestamp")
    report = step_ok(s, f'sequencer1.pruning.prune_at("{safe}")')
    after = _events(tmp_path / "sequencer1.db")
    assert after < before
    assert report == f"Removed at least {before - after} events, at least {before - after} payloads"
    assert int(step_ok(s, "sequencer1.pruning.status().lowerBound")) == int(safe)
    step_ok(s, "participant1.health.ping(participant2)")
    # restarts catch up from after the pruned point
    step_ok(s, "participant2.stop()")
    step_ok(s, "mediator1.stop()")
    step_ok(s, "mediator1.start()")
    step_ok(s, "participant2.start()")
    step_ok(s, 'participant2.synchronizers.reconnect_all()')
    step_ok(s, "participant1.health.ping(participant2)")


def test_prune_refuses_what_a_member_still_needs(default_session, tmp_path):
    s = default_session
    step_ok(s, "participant1.health.ping(participant2)")
    before = _events(tmp_path / "sequencer1.db")
    outcome = s.step("sequencer1.pruning.prune_at(sequencer1.pruning.status().now)")
    assert outcome.failed
    assert "FAILED_PRECONDITION/Could not prune at [" in outcome.output
    assert "as the earliest safe pruning point is [" in outcome.output
    assert _events(tmp_path / "sequencer1.db") == before
    # the default retention (7 days) keeps everything of a fresh synchronizer
    assert step_ok(s, "sequencer1.pruning.prune()") == "Removed at least 0 events, at least 0 payloads"
    assert _events(tmp_path / "sequencer1.db") == before


def test_block_sequencer_refuses_schedules_and_locating(default_session):
    s = default_session
    for src in ("sequencer1.pruning.get_schedule()", 'sequencer1.pruning.set_schedule("0 0 * * * ?", 1.hour, 1.day)', "sequencer1.pruning.clear_schedule()"):
        outcome = s.step(src)
        assert outcome.failed and "UNIMPLEMENTED/This sequencer does not support scheduled pruning" in outcome.output
    outcome = s.step("sequencer1.pruning.locate_pruning_timestamp()")
    assert outcome.failed and "UNIMPLEMENTED/This sequencer does not support pruning" in outcome.output


def test_mediator_moves_to_another_sequencer_and_keeps_confirming(tmp_path):
    s = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        assert step_ok(s, "mediator1.sequencer_connection.get()").isEmpty
        outcome = s.step("mediator1.sequencer_connection.set(SequencerConnections.single(sequencer2.sequencerConnection))")
        assert outcome.failed and "Initialize node before attempting to change sequencer connection" in outcome.output
        step_ok(s, BOOTSTRAP_TWO)
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer2, "da")')
        step_ok(s, 'participant2.synchronizers.connect_local(sequencer2, "da")')
        step_ok(s, "mediator1.sequencer_connection.set(SequencerConnections.single(sequencer1.sequencerConnection))")
        step_ok(s, "sequencer1.stop()")
        assert s.step("participant1.health.maybe_ping(participant2, timeout = 3.seconds)").value.isEmpty
        step_ok(s, "sequencer1.start()")
        step_ok(s, "participant1.health.ping(participant2)")
        step_ok(s, "mediator1.sequencer_connection.set(SequencerConnections.single(sequencer2.sequencerConnection))")
        got = step_ok(s, "mediator1.sequencer_connection.get()").get
        assert [c.sequencerAlias for c in got.connections] == ["sequencer2"]
        step_ok(s, "sequencer1.stop()")
        step_ok(s, "participant1.health.ping(participant2)")
        step_ok(s, "mediator1.stop()")
        step_ok(s, "mediator1.start()")
        assert [c.sequencerAlias for c in step_ok(s, "mediator1.sequencer_connection.get()").get.connections] == ["sequencer2"]
        step_ok(s, "mediator1.sequencer_connection.logout()")
        step_ok(s, "participant1.health.ping(participant2)")
    finally:
        s.close()


def test_readiness_before_and_after_bootstrap(tmp_path):
    s = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        assert step_ok(s, "mediator1.health.is_ready_for_initialization()") is True
        assert step_ok(s, "sequencer1.health.is_ready_for_initialization()") is True
        assert step_ok(s, "participant1.health.is_ready_for_initialization()") is False
        assert step_ok(s, "mediator1.health.is_ready_for_id()") is False
        assert step_ok(s, "mediator1.health.is_ready_for_node_topology()") is False
        step_ok(s, "mediator1.health.wait_for_identity()")
        step_ok(s, "mediator1.health.wait_for_ready_for_initialization()")
        step_ok(s, BOOTSTRAP_TWO)
        assert step_ok(s, "mediator1.health.is_ready_for_initialization()") is False
        assert step_ok(s, "sequencer2.health.is_ready_for_initialization()") is False
        step_ok(s, "mediator1.stop()")
        assert step_ok(s, "mediator1.health.is_ready_for_initialization()") is False
    finally:
        s.close()
