"""A node's start reads what it needs, not its history (issue 16): the reads at start are served by
indexes (existing stores get them when opened), members that stopped cleanly catch up from where
they had seen their synchronizer, and a store closed intact is not read in full again to check it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import step_ok

from canton_console.store import integrity
from canton_console.store.storage import Storage, StorageSpec

START_INDEXES = {"cc_ledger_updates_by_synchronizer_record_time", "cc_mediator_verdicts_by_request", "cc_mediator_verdicts_by_sent"}


def _indexes(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        conn.close()


def _plan(db: Path, query: str, *params) -> str:
    conn = sqlite3.connect(db)
    try:
        return " | ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + query, params))
    finally:
        conn.close()


def _session(data: Path):
    from canton_console.console.session import Session, load

    session = Session(load([], data_dir=data))
    session.start_nodes()
    return session


def test_a_store_from_before_the_indexes_gets_them_when_opened_and_keeps_its_rows(tmp_path):
    from tests.legacy_store import downgrade_store

    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    downgrade_store(f"sqlite:///{db}", "0016")  # the revision before the start-up indexes
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO cc_ledger_updates (\"offset\", update_id, synchronizer_id, record_time, command_id, submitter, events) "
        "VALUES (1, 'u1', 'da::1', 10, '', '[]', '[]')"
    )
    conn.commit()
    conn.close()
    assert not START_INDEXES & _indexes(db)

    Storage(StorageSpec.sqlite(db)).close()
    assert START_INDEXES <= _indexes(db)
    Storage(StorageSpec.sqlite(db)).close()  # opening again changes nothing
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT update_id, record_time FROM cc_ledger_updates").fetchall() == [("u1", 10)]
    conn.close()


def test_last_record_times_are_the_maximum_per_synchronizer_read_through_the_index(tmp_path):
    from canton_console.runtime.startup_reads import last_record_times

    db = tmp_path / "p.db"
    storage = Storage(StorageSpec.sqlite(db))
    rows = [(1, "da::2", 50), (2, "da::1", 70), (3, "da::2", 40), (4, "acme::9", 5), (5, "da::1", 60)]
    try:
        with storage.transaction() as conn:
            conn.exec_driver_sql(
                "INSERT INTO cc_ledger_updates (\"offset\", update_id, synchronizer_id, record_time, command_id, submitter, events) "
                "VALUES (?, 'u' || ?, ?, ?, '', '[]', '[]')",
                [(o, o, sync, rt) for o, sync, rt in rows],
            )
        with storage.read() as conn:
            assert last_record_times(conn) == {"da::2": 50, "da::1": 70, "acme::9": 5}
    finally:
        storage.close()
    # each step is an index probe, and no other read of the updates changes its plan for it
    assert "SEARCH cc_ledger_updates USING INDEX cc_ledger_updates_by_synchronizer_record_time" in _plan(
        db, "SELECT max(record_time) FROM cc_ledger_updates WHERE (synchronizer_id || '') = ?", "da::1"
    )
    assert "cc_ledger_updates_by_synchronizer_record_time" not in _plan(
        db, "SELECT max(\"offset\") FROM cc_ledger_updates WHERE synchronizer_id = ? AND record_time <= ?", "da::1", 60
    )


def test_the_mediators_reads_at_start_use_indexes(tmp_path):
    db = tmp_path / "m.db"
    Storage(StorageSpec.sqlite(db)).close()
    decided = _plan(db, "SELECT request_id FROM cc_mediator_verdicts WHERE request_id > ?", 5)
    unsent = _plan(db, "SELECT message_id, request_id FROM cc_mediator_verdicts WHERE sent IS 0 AND message_id IS NOT NULL")
    resend = _plan(
        db, "SELECT * FROM cc_mediator_verdicts WHERE request_id > ? AND root_hash IS NOT NULL AND (sent IS 0 OR sent IS NULL) ORDER BY request_id", 5
    )
    for plan in (decided, unsent, resend):
        assert "SCAN cc_mediator_verdicts" not in plan, plan


def test_members_that_stopped_cleanly_resume_from_where_they_had_seen_the_synchronizer(tmp_path):
    """participant3 is sent no event by a ping of participant1 and participant2; the mediator sees
    none after its last verdict. After a clean stop both resume at the synchronizer's last event,
    so their next start reads none of the events before it; they keep working as before."""
    first = _session(tmp_path)
    first.bootstrap_default()
    step_ok(first, "participant1.health.ping(participant2)")
    p3 = first.env.participants["participant3"]
    sync = next(iter(first.env.synchronizers.values()))
    seen_before = first.env.call(lambda: p3.last_seen.get(sync.id, 0))
    step_ok(first, "participant1.health.ping(participant2)")
    last = first.env.call(lambda: sync.last_timestamp)
    assert seen_before < last
    first.close()

    for name in ("participant3", "mediator1", "participant1"):
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        assert conn.execute("SELECT timestamp FROM cc_member_cursors").fetchall() == [(last,)], name
        conn.close()

    second = _session(tmp_path)
    try:
        p3 = second.env.participants["participant3"]
        assert second.env.call(lambda: p3.last_seen[sync.id]) == last
        mediator = second.env.mediators["mediator1"]
        assert second.env.call(lambda: mediator.decided) == set()  # every decided request is before its clean point
        step_ok(second, "participant3.health.ping(participant1)")
        step_ok(second, "participant1.health.ping(participant2)")
    finally:
        second.close()


def test_a_store_closed_intact_is_not_checked_again_until_something_writes_to_it(tmp_path):
    db = tmp_path / "p.db"
    storage = Storage(StorageSpec.sqlite(db))
    assert not integrity.unchanged_since_intact(str(db))  # open: not marked
    storage.close()
    assert integrity.unchanged_since_intact(str(db))
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO cc_schema_meta VALUES ('note', 'written by another program')")
    conn.commit()
    conn.close()
    assert not integrity.unchanged_since_intact(str(db))  # checked in full at the next open


def test_a_crashed_store_is_checked_in_full_at_the_next_open(tmp_path):
    db = tmp_path / "p.db"
    Storage(StorageSpec.sqlite(db)).close()
    storage = Storage(StorageSpec.sqlite(db))
    with storage.transaction() as conn:
        conn.exec_driver_sql("INSERT INTO cc_schema_meta VALUES ('note', 'x')")
    storage.abandon()  # a crash: no clean close
    assert not integrity.unchanged_since_intact(str(db))


TWO_SEQUENCERS = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 6101, admin-api.port = 6102 }
    sequencer2 { storage { type = sqlite, file = "s2.db" }, public-api.port = 6111, admin-api.port = 6112 }
  }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 6302 }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 6121, admin-api.port = 6122 }
    participant2 { storage { type = sqlite, file = "p2.db" }, ledger-api.port = 6131, admin-api.port = 6132 }
  }
}
"""


def _events(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT timestamp, sender, message_id, batch, recipients, cost, error FROM cc_sequenced_events ORDER BY timestamp").fetchall()
    finally:
        conn.close()


def test_a_sequencer_that_was_down_copies_only_the_events_it_missed_and_ends_with_the_peers_events(tmp_path):
    from conftest import open_session

    session = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        step_ok(session, 'bootstrap.synchronizer("da", Seq(sequencer1, sequencer2), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, 'participant2.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, "participant1.health.ping(participant2)")
        env = session.env
        seq2 = env.sequencers["sequencer2"]
        env.stop([seq2])
        step_ok(session, "participant2.health.ping(participant1)")  # sequencer2 misses these events
        env.start([seq2])
        log1 = env.call(env.sequencers["sequencer1"].event_log)
        assert env.call(seq2.event_log) == log1
    finally:
        session.close()
    assert _events(tmp_path / "s2.db") == _events(tmp_path / "s1.db")

    # a sequencer holding events its peer does not have (it ran alone) takes the peer's history
    conn = sqlite3.connect(tmp_path / "s2.db")
    conn.execute("INSERT INTO cc_sequenced_events SELECT synchronizer_id, timestamp + 1, sender, 'stray', batch, recipients, cost, error FROM cc_sequenced_events ORDER BY timestamp DESC LIMIT 1")
    conn.commit()
    conn.close()
    second = open_session(TWO_SEQUENCERS, tmp_path)
    second.close()
    assert _events(tmp_path / "s2.db") == _events(tmp_path / "s1.db")


def test_on_postgresql_missing_indexes_are_added_at_open_and_the_last_record_times_read(pg_databases):
    from conftest import PG_HOST, PG_PORT, PG_USER, _pg_connect

    from canton_console.runtime.startup_reads import last_record_times
    from tests.legacy_store import downgrade_store

    database = pg_databases()
    spec = StorageSpec("postgres", f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}", None, database)
    Storage(spec).close()
    downgrade_store(spec.url, "0016")  # the revision before the start-up indexes
    with _pg_connect(database) as conn:
        conn.execute(
            "INSERT INTO cc_ledger_updates (\"offset\", update_id, synchronizer_id, record_time, command_id, submitter, events) "
            "VALUES (1, 'u1', 'da::1', 10, '', '[]', '[]'), (2, 'u2', 'da::1', 30, '', '[]', '[]'), (3, 'u3', 'da::0', 20, '', '[]', '[]')"
        )
    storage = Storage(spec)
    try:
        with storage.read() as conn:
            assert last_record_times(conn) == {"da::0": 20, "da::1": 30}
    finally:
        storage.close()
    with _pg_connect(database) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cc_ledger_updates'")}
    assert "cc_ledger_updates_by_synchronizer_record_time" in names
