"""Participant pruning (``participant.pruning``) against the real runtime on SQLite files: what
pruning removes and keeps, what it refuses, reads of pruned data, the schedule, and participants
acknowledging to the sequencers only what they durably processed."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from conftest import open_session, step_ok

from canton_console.runtime.participant import pruning

CONFIG = """
canton {
  parameters.clock.type = sim-clock
  features.enable-preview-commands = yes
  sequencers.sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 15101, admin-api.port = 15102 }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 15302 }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, admin-api.port = 15112, ledger-api.port = 15111 }
    participant2 { storage { type = sqlite, file = "p2.db" }, admin-api.port = 15122, ledger-api.port = 15121 }
  }
}
"""


def _count(db, table: str, where: str = "") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table} {where}").fetchone()[0]


def _rows(db) -> dict[str, int]:
    return {
        "updates": _count(db, "cc_ledger_updates"),
        "active": _count(db, "cc_contracts", "where archived_offset is null"),
        "archived": _count(db, "cc_contracts", "where archived_offset is not null"),
    }


def _failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


@pytest.fixture
def session(tmp_path):
    s = open_session(CONFIG, tmp_path, bootstrap=True)
    yield s
    s.close()


def _iou(s, command_id: str) -> None:
    step_ok(
        s,
        'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", '
        f'Map("issuer" -> alice, "owner" -> alice, "amount" -> 10))), commandId = "{command_id}")',
    )


def test_prune_removes_old_updates_and_archived_contracts_but_never_active_ones(session, tmp_path):
    s, db = session, tmp_path / "p1.db"
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    _iou(s, "iou-1")  # stays active
    step_ok(s, "participant1.health.ping(participant2)")  # a Ping created and archived
    end = int(step_ok(s, "participant1.ledger_api.state.end()"))
    before = _rows(db)
    assert before["archived"] >= 1 and before["active"] >= 1

    # Refused, and nothing changes: beyond the ledger end, zero, within the deduplication period
    out = _failure(s, f"participant1.pruning.prune({end})")
    assert re.search(rf"FAILED_PRECONDITION/OFFSET_OUT_OF_RANGE\(9,[0-9a-f]{{8}}\): prune_up_to needs to be before ledger end Some\(Offset\({end}\)\)", out)
    out = _failure(s, "participant1.pruning.prune(0)")
    assert re.search(r"INVALID_ARGUMENT/INVALID_ARGUMENT\(8,[0-9a-f]{8}\): The submitted request has invalid arguments: prune_up_to not specified or zero", out)
    assert "Offset -1 in prune_up_to is not a positive integer: the offset has to be a positive integer (>0)" in _failure(s, "participant1.pruning.prune(-1)")
    out = _failure(s, f"participant1.pruning.prune({end - 1})")
    assert "Participant cannot prune at specified offset due to max deduplication duration of 168h" in out
    assert "FAILED_PRECONDITION/UNSAFE_TO_PRUNE(9," in out
    assert _rows(db) == before

    # A week and a day later, what came before is prunable; the latest updates are not
    step_ok(s, "clock.advance(8.days)")
    step_ok(s, "participant1.health.ping(participant2)")
    safe = step_ok(s, "participant1.pruning.find_safe_offset()").get
    assert int(safe) == end
    assert int(step_ok(s, "participant1.pruning.get_offset_by_time(clock.now)").get) == end
    new_end = int(step_ok(s, "participant1.ledger_api.state.end()"))
    assert "UNSAFE_TO_PRUNE" in _failure(s, f"participant1.pruning.prune({new_end - 1})")

    step_ok(s, f"participant1.pruning.prune({safe})")
    after = _rows(db)
    assert after["updates"] == before["updates"] + (new_end - end) - end
    # the first Ping was archived at or below the pruning offset, the second one after it
    assert _count(db, "cc_contracts", f"where archived_offset <= {end}") == 0 and after["archived"] == 1
    assert after["active"] == before["active"]  # the IOU (and nothing active) is kept
    assert _count(db, "cc_contracts", "where template_id = 'Iou:Iou' and archived_offset is null") == 1
    assert step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)").size == 1

    # Reading pruned data is refused; from the pruning offset on it works
    out = _failure(s, "participant1.ledger_api.updates.flat(Seq(participant1.adminParty), 1, timeout = 1.second)")
    assert f"PARTICIPANT_PRUNED_DATA_ACCESSED(9,0): Updates request from 1 to {new_end} precedes pruned offset {end}" in out
    out = _failure(s, "participant1.ledger_api.updates.trees(Seq(participant1.adminParty), 1, beginOffsetExclusive = 1, timeout = 1.second)")
    assert f"PARTICIPANT_PRUNED_DATA_ACCESSED(9,0): Transactions request from 2 to {new_end} precedes pruned offset {end}" in out
    later = step_ok(s, f"participant1.ledger_api.updates.trees(Seq(participant1.adminParty), 1, beginOffsetExclusive = {end}, timeout = 1.second)")
    assert later.size == 1
    out = _failure(s, f"participant1.ledger_api.state.acs.of_party(alice, activeAtOffsetO = Some({end - 1}))")
    assert f"PARTICIPANT_PRUNED_DATA_ACCESSED(9,0): Active contracts request at offset {end - 1} precedes pruned offset {end}" in out
    # pruning again at or below the pruning offset is harmless
    step_ok(s, f"participant1.pruning.prune({end})")
    assert _rows(db) == after

    # A ping still works, and the pruning offset survives a restart
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, "participant1.stop()")
    step_ok(s, "participant1.start()")
    step_ok(s, "participant1.synchronizers.reconnect_all()")
    assert "PARTICIPANT_PRUNED_DATA_ACCESSED" in _failure(s, "participant1.ledger_api.updates.flat(Seq(participant1.adminParty), 1, timeout = 1.second)")
    assert int(step_ok(s, "participant1.ledger_api.state.end()")) == new_end + 2
    step_ok(s, "participant1.health.ping(participant2)")


def test_find_safe_offset_and_offset_by_time_before_any_data(session):
    s = session
    out = _failure(s, "participant1.pruning.find_safe_offset()")
    assert "NO_INTERNAL_PARTICIPANT_DATA_BEFORE(9,0): No internal participant data to prune up to time" in out
    assert step_ok(s, "participant1.pruning.get_offset_by_time(clock.now)").isEmpty


def test_prune_internally_keeps_the_ledger_api_view(session, tmp_path):
    s, db = session, tmp_path / "p1.db"
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    _iou(s, "iou-dedup")
    step_ok(s, "clock.advance(8.days)")
    step_ok(s, "participant1.health.ping(participant2)")
    assert _count(db, "cc_command_dedup", "where status = 'accepted'") == 1
    updates = _count(db, "cc_ledger_updates")
    safe = step_ok(s, "participant1.pruning.find_safe_offset()").get
    step_ok(s, f"participant1.pruning.prune_internally({safe})")
    assert _count(db, "cc_command_dedup", "where status = 'accepted'") == 0
    assert _count(db, "cc_ledger_updates") == updates
    assert step_ok(s, "participant1.ledger_api.updates.flat(Seq(alice), 1, timeout = 1.second)").size == 1
    end = int(step_ok(s, "participant1.ledger_api.state.end()"))
    assert "INTERNAL_PRUNING_ERROR(4,0)" in _failure(s, f"participant1.pruning.prune_internally({end + 1})")


def test_schedule_is_stored_shown_validated_and_survives_restart(session, tmp_path):
    s = session
    assert step_ok(s, "participant1.pruning.get_schedule()").isEmpty
    out = _failure(s, "participant1.pruning.set_cron(\"0 0 20 * * ?\")")
    assert "INVALID_ARGUMENT/Attempt to update cron of a schedule that has not been previously configured. Use set_schedule instead." in out
    step_ok(s, 'participant1.pruning.set_schedule("0 0 8 ? * SAT", 8.hours, 90.days)')
    shown = s.step("participant1.pruning.get_schedule()").output
    assert 'cron = "0 0 8 ? * SAT"' in shown and "maxDuration = 8h" in shown and "retention = 2160h" in shown
    step_ok(s, 'participant1.pruning.set_cron("0 /5 * * * ?")')
    step_ok(s, "participant1.pruning.set_retention(30.days)")
    step_ok(s, "participant1.pruning.set_max_duration(2.hours)")
    schedule = step_ok(s, "participant1.pruning.get_schedule()").get
    assert (schedule.cron, schedule.maxDuration, schedule.retention) == ("0 /5 * * * ?", 2 * 3600, 30 * 86400)
    # bad input is refused and leaves the schedule as it was
    out = _failure(s, 'participant1.pruning.set_cron("0 0 25 * * ?")')
    assert 'PROTO_DESERIALIZATION_FAILURE(8,0): Deserialization of protobuf message failed: ValueConversionError(cron,Invalid cron expression "0 0 25 * * ?": Hour values must be between 0 and 23)' in out
    out = _failure(s, 'participant1.pruning.set_schedule("0 0 8 * * SAT", 8.hours, 90.days)')
    assert "Support for specifying both a day-of-week AND a day-of-month parameter is not implemented." in out
    assert "Duration 1500 milliseconds is not rounded to the second" in _failure(s, "participant1.pruning.set_max_duration(1500.millis)")
    assert "Duration 0 hours is not positive" in _failure(s, "participant1.pruning.set_retention(0.hours)")
    assert step_ok(s, "participant1.pruning.get_schedule()").get.cron == "0 /5 * * * ?"
    # the participant-specific form, and the schedule after a restart
    step_ok(s, 'participant1.pruning.set_participant_schedule("0 0 20 * * ?", 2.hours, 1.day, pruneInternallyOnly = true)')
    step_ok(s, "participant1.stop()")
    step_ok(s, "participant1.start()")
    got = step_ok(s, "participant1.pruning.get_participant_schedule()").get
    assert got.pruneInternallyOnly is True and got.schedule.cron == "0 0 20 * * ?"
    step_ok(s, "participant1.pruning.clear_schedule()")
    assert step_ok(s, "participant1.pruning.get_participant_schedule()").isEmpty
    assert step_ok(s, "participant2.pruning.get_schedule()").isEmpty


def test_scheduled_pruning_prunes_to_the_retention_while_the_window_is_open(session, tmp_path):
    s, db = session, tmp_path / "p1.db"
    step_ok(s, "participant1.health.ping(participant2)")
    end = int(step_ok(s, "participant1.ledger_api.state.end()"))
    step_ok(s, "clock.advance(8.days)")
    step_ok(s, "participant1.health.ping(participant2)")
    # every second, for a minute, keeping one day
    step_ok(s, 'participant1.pruning.set_schedule("* * * * * ?", 1.minute, 1.day)')
    step_ok(s, "clock.advance(2.seconds)")
    deadline = time.monotonic() + 10
    while _count(db, "cc_ledger_updates", f"where \"offset\" <= {end}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _count(db, "cc_ledger_updates", f"where \"offset\" <= {end}") == 0
    assert _count(db, "cc_ledger_updates") == 2  # the last ping's updates are within the retention
    assert "PARTICIPANT_PRUNED_DATA_ACCESSED" in _failure(s, "participant1.ledger_api.updates.flat(Seq(participant1.adminParty), 1, timeout = 1.second)")


def test_sequencer_never_sees_an_acknowledgement_beyond_what_a_participant_stored(session, tmp_path):
    """A participant with a request awaiting its verdict has received more than it has processed
    for good: it acknowledges only its stored clean point, so pruning the sequencer at its safe
    point leaves what the participant needs after a crash."""
    s = session
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, "mediator1.stop()")
    assert step_ok(s, "participant1.health.maybe_ping(participant2, timeout = 2.seconds)").isEmpty
    step_ok(s, "clock.advance(1.second)")  # the sequencer's now passes the members' registrations
    status = step_ok(s, "sequencer1.pruning.status()")
    acked = next(m.lastAcknowledged for m in status.members if str(m.member).startswith("PAR::participant1::"))
    with sqlite3.connect(tmp_path / "p1.db") as conn:
        stored = conn.execute("select timestamp from cc_member_cursors").fetchone()[0]
        last_update = conn.execute("select max(record_time) from cc_ledger_updates").fetchone()[0]
    with sqlite3.connect(tmp_path / "s1.db") as conn:
        request = conn.execute("select max(timestamp) from cc_sequenced_events where sender like 'PAR::%'").fetchone()[0]
    assert int(acked) <= stored < request  # the pending request is after what it acknowledged
    assert stored >= last_update
    # prune the sequencer as far as it may, crash the participant, and it still catches up
    safe = step_ok(s, "sequencer1.pruning.status().safePruningTimestamp")
    step_ok(s, f'sequencer1.pruning.prune_at("{safe}")')
    step_ok(s, "participant1.kill()")
    step_ok(s, "mediator1.start()")
    step_ok(s, "participant1.start()")
    step_ok(s, "participant1.synchronizers.reconnect_all()")
    step_ok(s, "clock.advance(2.minutes)")  # the stranded request times out
    step_ok(s, "participant1.health.ping(participant2)")


# ---- pure logic ------------------------------------------------------------------------------------
def test_safe_offset_is_just_below_the_first_unsafe_one():
    unsafe = pruning.UnsafeOffset(5, "da::1", 100, pruning.CRASH_RECOVERY)
    assert pruning.safe_offset_below(unsafe, 10) == 4
    assert pruning.safe_offset_below(unsafe, 3) == 3
    assert pruning.safe_offset_below(None, 7) == 7
    assert pruning.safe_offset_below(pruning.UnsafeOffset(1, "da::1", 1, "x"), 7) is None
    assert pruning.earliest([pruning.UnsafeOffset(3, "a", 1, "x"), pruning.UnsafeOffset(2, "b", 1, "y")]).cause == "y"
    assert pruning.ledger_end_text(0) == "None" and pruning.ledger_end_text(4) == "Some(Offset(4))"


def test_a_passive_replica_shows_the_schedule_but_refuses_to_change_it_or_prune(tmp_path):
    from test_ha_replication import SQLITE_P1, bootstrap, ha_config

    s = open_session(ha_config(SQLITE_P1), tmp_path)
    try:
        bootstrap(s)
        step_ok(s, 'participant1a.pruning.set_schedule("0 0 8 ? * SAT", 8.hours, 90.days)')
        assert step_ok(s, "participant1b.pruning.get_schedule()").get.cron == "0 0 8 ? * SAT"
        out = _failure(s, "participant1b.pruning.set_cron(\"0 0 20 * * ?\")")
        assert "UNAVAILABLE/Command set_cron sent to passive replica: cannot modify the pruning schedule. Try to submit the command to another replica." in out
        assert "NODE_IS_PASSIVE_REPLICA(1,0)" in _failure(s, "participant1b.pruning.prune(1)")
        assert step_ok(s, "participant1a.pruning.get_schedule()").get.cron == "0 0 8 ? * SAT"
    finally:
        s.close()


def test_a_schedule_that_prunes_internally_only_keeps_the_ledger_api_view(session, tmp_path):
    s, db = session, tmp_path / "p1.db"
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    _iou(s, "iou-scheduled")
    updates = _count(db, "cc_ledger_updates")
    step_ok(s, "clock.advance(8.days)")
    step_ok(s, "participant1.health.ping(participant2)")
    step_ok(s, 'participant1.pruning.set_participant_schedule("* * * * * ?", 1.minute, 1.day, pruneInternallyOnly = true)')
    step_ok(s, "clock.advance(2.seconds)")
    deadline = time.monotonic() + 10
    while _count(db, "cc_command_dedup", "where status = 'accepted'") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _count(db, "cc_command_dedup", "where status = 'accepted'") == 0
    assert _count(db, "cc_ledger_updates") == updates + 2  # nothing the Ledger API shows is gone
    assert step_ok(s, "participant1.ledger_api.updates.flat(Seq(alice), 1, timeout = 1.second)").size == 1
