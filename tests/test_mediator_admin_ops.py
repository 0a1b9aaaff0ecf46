"""A mediator's pruning (by hand and on its schedule), verdict inspection, synchronizer time and
sequencer connection, against the real runtime on SQLite files."""

from __future__ import annotations

import sqlite3
import time

import pytest
from conftest import open_session, step_ok

from canton_console.runtime.mediator_pruning import ParametersValidity, latest_safe_pruning_timestamp, safe_until

SIM = """
canton {
  parameters { clock.type = sim-clock, non-standard-config = yes }
  features.enable-testing-commands = yes
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 16001, admin-api.port = 16002 }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 16202 }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, admin-api.port = 16012, ledger-api.port = 16011, http-ledger-api.port = 16013 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, admin-api.port = 16022, ledger-api.port = 16021, http-ledger-api.port = 16023 }
  }
}
"""

SECOND = 1_000_000


@pytest.fixture
def sim(tmp_path):
    session = open_session(SIM, tmp_path, bootstrap=True)
    yield session
    session.close()


def verdict_rows(db) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select request_id from cc_mediator_verdicts order by request_id")]


def _two_pings_a_minute_apart(s) -> tuple[list[int], list[int]]:
    step_ok(s, "participant1.health.ping(participant2)")
    first = verdict_rows(s.env.config.mediators["mediator1"].storage.file)
    step_ok(s, "clock.advance(90.seconds)")
    step_ok(s, "participant1.health.ping(participant2)")
    return first, verdict_rows(s.env.config.mediators["mediator1"].storage.file)


def test_prune_removes_old_verdicts_and_refuses_beyond_the_safe_point(sim, tmp_path):
    s = sim
    db = tmp_path / "mediator1.db"
    first, before = _two_pings_a_minute_apart(s)
    assert first and len(before) > len(first)
    assert int(step_ok(s, "mediator1.pruning.locate_pruning_timestamp().get")) == before[0]
    assert int(step_ok(s, f"mediator1.pruning.locate_pruning_timestamp({len(first) + 1}).get")) == before[len(first)]
    # now is beyond the clean point less the confirmation response timeout: refused, nothing removed
    outcome = s.step("mediator1.pruning.prune_at(clock.now)")
    assert outcome.failed
    assert "INVALID_ARGUMENT/Requested pruning timestamp [" in outcome.output
    assert "is later than the earliest available pruning timestamp [" in outcome.output
    assert verdict_rows(db) == before
    # the default retention (7 days) keeps everything
    step_ok(s, "mediator1.pruning.prune()")
    assert verdict_rows(db) == before
    # 60s back: the first ping's requests are older, the second's are not
    step_ok(s, "mediator1.pruning.prune_with_retention_period(60.seconds)")
    assert verdict_rows(db) == before[len(first):]
    assert int(step_ok(s, "mediator1.pruning.locate_pruning_timestamp().get")) == before[len(first)]
    # the mediator keeps confirming, also after a restart
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, "mediator1.stop()")
    step_ok(s, "mediator1.start()")
    step_ok(s, "participant1.health.ping(participant2)")
    assert len(verdict_rows(db)) > len(before) - len(first)


def test_prune_of_a_mediator_without_requests_and_bad_index(sim, tmp_path):
    s = sim
    # it has processed the synchronizer's topology events: nothing to remove, nothing refused
    step_ok(s, "mediator1.pruning.prune_at(clock.now)")
    assert verdict_rows(tmp_path / "mediator1.db") == []
    assert str(step_ok(s, "mediator1.pruning.locate_pruning_timestamp()")) == "None"
    outcome = s.step("mediator1.pruning.locate_pruning_timestamp(0)")
    assert outcome.failed and "index must be positive" in outcome.output


def test_verdicts_report_the_requests_decided(sim):
    s = sim
    step_ok(s, "participant1.health.ping(participant2)")
    verdicts = step_ok(s, 'mediator1.inspection.verdicts("1970-01-01T00:00:00Z", 1)')
    assert len(verdicts) == 1
    v = verdicts[0]
    assert v.verdict == "VERDICT_RESULT_ACCEPTED"
    p1_uid = str(step_ok(s, "participant1.id").uid)
    assert v.submittingParticipantUid == p1_uid
    assert v.submittingParties == (str(step_ok(s, "participant1.adminParty")),)
    assert v.mediatorGroup == 0
    assert v.finalizationTime.seconds * SECOND >= v.recordTime.seconds * SECOND
    view = dict(v.views.views)[0]
    assert str(step_ok(s, "participant2.adminParty")) in view.informees
    assert "VERDICT_RESULT_ACCEPTED" in s.step('mediator1.inspection.verdicts("1970-01-01T00:00:00Z", 1)').output
    # more than there are: what came by the timeout
    everything = step_ok(s, 'mediator1.inspection.verdicts("1970-01-01T00:00:00Z", 100, 200.millis)')
    assert 1 <= len(everything) < 100
    record_times = [x.recordTime for x in everything]
    # exclusive start: from the first one's record time on, the first one is left out
    first = everything[0].recordTime
    later = step_ok(s, f"mediator1.inspection.verdicts({first.seconds * SECOND + first.nanos // 1000}L, 100, 200.millis)")
    assert [x.recordTime for x in later] == record_times[1:]


def test_schedule_commands_persist_and_refuse_as_canton(sim):
    s = sim
    assert str(step_ok(s, "mediator1.pruning.get_schedule()")) == "None"
    for src in ('mediator1.pruning.set_cron("0 0 * * * ?")', "mediator1.pruning.set_max_duration(1.hour)", "mediator1.pruning.set_retention(1.day)"):
        outcome = s.step(src)
        assert outcome.failed and "that has not been previously configured. Use set_schedule instead." in outcome.output
    step_ok(s, 'mediator1.pruning.set_schedule("0 0 8 ? * SAT", 8.hours, 90.days)')
    step_ok(s, 'mediator1.pruning.set_cron("0 /5 * * * ?")')
    step_ok(s, "mediator1.pruning.set_retention(30.days)")
    step_ok(s, "mediator1.pruning.set_max_duration(2.hours)")
    step_ok(s, "mediator1.stop()")
    step_ok(s, "mediator1.start()")
    schedule = step_ok(s, "mediator1.pruning.get_schedule().get")
    assert (schedule.cron, schedule.maxDuration, schedule.retention) == ("0 /5 * * * ?", 7200, 30 * 86400)
    outcome = s.step('mediator1.pruning.set_cron("0 0 * * *")')
    assert outcome.failed and 'PROTO_DESERIALIZATION_FAILURE(8,0): Deserialization of protobuf message failed: ValueConversionError(cron,Invalid cron expression "0 0 * * *": Unexpected end of expression.)' in outcome.output
    outcome = s.step("mediator1.pruning.set_retention(1500.millis)")
    assert outcome.failed and "is not rounded to the second" in outcome.output
    assert step_ok(s, "mediator1.pruning.get_schedule().get.cron") == "0 /5 * * * ?"
    step_ok(s, "mediator1.pruning.clear_schedule()")
    assert str(step_ok(s, "mediator1.pruning.get_schedule()")) == "None"


def test_the_schedule_prunes_on_the_clock(sim, tmp_path):
    s = sim
    db = tmp_path / "mediator1.db"
    first, before = _two_pings_a_minute_apart(s)
    # every 10 seconds for 5 seconds, keeping a minute; set between two windows, the first ping's
    # requests go at the next start time (within an open window it would run at once, as Canton's)
    step_ok(s, "clock.advance(5.seconds)")
    step_ok(s, 'mediator1.pruning.set_schedule("*/10 * * * * ?", 5.seconds, 60.seconds)')
    time.sleep(0.1)
    assert verdict_rows(db) == before
    step_ok(s, "clock.advance(5.seconds)")
    deadline = time.monotonic() + 10
    while verdict_rows(db) != before[len(first):] and time.monotonic() < deadline:
        time.sleep(0.02)  # the runtime runs the due start time after the clock moved
    assert verdict_rows(db) == before[len(first):]
    assert s.env.node("mediator1").pruning_scheduler.runs >= 1
    step_ok(s, "participant1.health.ping(participant2)")


def test_testing_commands_give_the_synchronizer_time(sim):
    s = sim
    now = int(step_ok(s, "mediator1.testing.fetch_synchronizer_time()"))
    assert now >= int(step_ok(s, "clock.now"))
    step_ok(s, "clock.advance(5.seconds)")
    step_ok(s, f"mediator1.testing.await_synchronizer_time({now + 4 * SECOND}L, 1.second)")
    outcome = s.step(f"mediator1.testing.await_synchronizer_time({now + 3600 * SECOND}L, 100.millis)")
    assert outcome.failed and "CONSOLE_COMMAND_TIMED_OUT" in outcome.output


def test_sequencer_connection_modify_changes_the_default_connection(tmp_path):
    from test_sequencer_mediator_admin import BOOTSTRAP_TWO, TWO_SEQUENCERS

    s = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        step_ok(s, BOOTSTRAP_TWO)
        for p in ("participant1", "participant2"):
            step_ok(s, f'{p}.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, "mediator1.sequencer_connection.set_single(sequencer1.sequencerConnection)")
        step_ok(s, "mediator1.sequencer_connection.modify(_ => sequencer2.sequencerConnection)")
        connections = step_ok(s, "mediator1.sequencer_connection.get().get")
        assert [c.sequencerAlias for c in connections.connections] == ["sequencer2"]
        step_ok(s, "participant1.health.ping(participant2)")
        outcome = s.step('mediator1.sequencer_connection.modify(_ => "nonsense")')
        assert outcome.failed and "must return a sequencer connection" in outcome.output
    finally:
        s.close()


# ---- pure logic ------------------------------------------------------------------------------------
def test_safe_pruning_point_follows_cantons_rule():
    timeout = 30 * SECOND
    current = ParametersValidity(100 * SECOND, None, timeout)
    assert safe_until(current, 200 * SECOND) == 170 * SECOND
    assert safe_until(current, 110 * SECOND) == 100 * SECOND  # capped at the parameters' start
    assert safe_until(current, 90 * SECOND) is None  # they apply only later
    ended = ParametersValidity(0, 100 * SECOND, 60 * SECOND)
    assert safe_until(ended, 200 * SECOND) is None  # ended a timeout before the clean point
    assert safe_until(ended, 150 * SECOND) == 90 * SECOND
    assert latest_safe_pruning_timestamp([ended, current], 150 * SECOND) == 90 * SECOND
    assert latest_safe_pruning_timestamp([], 150 * SECOND) is None


def test_prune_keeps_the_configured_default_retention(tmp_path):
    config = SIM.replace("non-standard-config = yes }", "non-standard-config = yes, retention-period-defaults { mediator = 60s, sequencer = \"1 day\" } }")
    s = open_session(config, tmp_path, bootstrap=True)
    try:
        db = tmp_path / "mediator1.db"
        first, before = _two_pings_a_minute_apart(s)
        step_ok(s, "mediator1.pruning.prune()")
        assert verdict_rows(db) == before[len(first):]
        assert s.env.config.parameters.retention_period_defaults.sequencer.days == 1
    finally:
        s.close()
