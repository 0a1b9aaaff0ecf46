"""Sequencer processes of one synchronizer sharing one total order through PostgreSQL
(``sequencer { type = database, high-availability.enabled = true }``): real daemons on one throwaway
database, participants in other processes, SIGKILL of the process that orders."""

from __future__ import annotations

import pytest
from conftest import _pg_connect, open_session, postgres_storage, step_ok
from test_remote_sequencer import Daemon, free_port


def ha_sequencer(storage: str, port: int) -> str:
    return (
        f"sequencers.sequencer1 {{ {storage}, public-api.port = {port}, admin-api.port = {free_port()}, "
        "sequencer { type = database, high-availability.enabled = true, high-availability.keep-alive-interval = 50ms } }"
    )


@pytest.fixture
def two_sequencer_processes(tmp_path, pg_databases):
    """Process A: the sequencer only (started first, it takes the writer lock). Process B: the same
    sequencer on the same database, with the mediator, bootstrapping the synchronizer."""
    database = pg_databases("ccseq")
    storage = postgres_storage(database)
    port_a, port_b = free_port(), free_port()
    a = Daemon(tmp_path, "seq-a", f"canton {{ {ha_sequencer(storage, port_a)} }}")
    b = Daemon(
        tmp_path,
        "seq-b",
        f"""canton {{
  {ha_sequencer(storage, port_b)}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/med1.db" }}, admin-api.port = {free_port()} }}
}}""",
        'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
        "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n",
    )
    a.start()
    try:
        b.start()
        try:
            yield a, b, f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", database
        finally:
            b.stop()
    finally:
        a.stop()


def participant_daemon(tmp, name: str, connect: str) -> Daemon:
    config = f"""
canton {{
  participants.{name} {{ storage {{ type = sqlite, file = "{tmp}/{name}.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    return Daemon(tmp, name, config, f'{connect}\nprintln("participant-id " + {name}.id.toProtoPrimitive)\n')


def participant_session(tmp, name: str = "participant1"):
    config = f"""
canton {{
  participants.{name} {{ storage {{ type = sqlite, file = "{tmp}/{name}.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    return open_session(config, tmp, name=f"{name}.conf")


def ping_eventually(session, target: str, attempts: int = 60) -> None:
    import time

    outcome = None
    for _ in range(attempts):
        outcome = session.step(f'participant1.health.ping("{target}", timeout = 5.seconds)')
        if not outcome.failed:
            return
        time.sleep(0.25)
    raise AssertionError(outcome.output if outcome is not None else "no ping")


def shared_rows(database: str, sql: str) -> list[tuple]:
    conn = _pg_connect(database)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_participants_on_different_sequencer_processes_ping_through_one_order(tmp_path, two_sequencer_processes):
    a, b, url_a, url_b, database = two_sequencer_processes
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect("da", "{url_a}")')
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect("da", "{url_b}")')
        # participant2 sends through process A, participant1 through process B: one order
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        # both processes serve the same sequencer (one identity, read from the shared store)
        events = shared_rows(database, "SELECT timestamp, sender, message_id FROM cc_sequenced_events ORDER BY timestamp")
        assert len({(sender, mid) for _ts, sender, mid in events}) == len(events)  # nothing sequenced twice
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
    finally:
        session.close()
        p2.stop()


def test_the_writer_killed_with_sigkill_the_other_process_orders_and_pings_continue(tmp_path, two_sequencer_processes):
    a, b, url_a, url_b, database = two_sequencer_processes
    # Both participants send through process B, which does not order: process A (the writer)
    # sequences what B stores, B serves the events A stored. (Participants connected to several
    # sequencer URLs at once come with connect_bft/connect_multi over URLs, another piece of work.)
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect("da", "{url_b}")')
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect("da", "{url_b}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        before = shared_rows(database, "SELECT count(*) FROM cc_sequenced_events")[0][0]
        a.kill()
        # process B takes the writer lock and orders from the stored head on
        ping_eventually(session, p2_id)
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        after = shared_rows(database, "SELECT count(*) FROM cc_sequenced_events")[0][0]
        assert after > before
        events = shared_rows(database, "SELECT sender, message_id FROM cc_sequenced_events")
        assert len(set(events)) == len(events)
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
        assert "orders the synchronizer's events now" in (tmp_path / "seq-b.log").read_text()
    finally:
        session.close()
        p2.stop()


def test_high_availability_needs_a_database_sequencer_on_postgres(tmp_path):
    from canton_console.config.errors import ConfigError
    from canton_console.config.loader import load_config

    def load_config_text(text: str):
        conf = tmp_path / "ha.conf"
        conf.write_text(text)
        return load_config([conf])

    base = f'sequencers.s1 {{ storage {{ type = sqlite, file = "{tmp_path}/s.db" }}, public-api.port = {free_port()}, admin-api.port = {free_port()}'
    with pytest.raises(ConfigError, match="database sequencers"):
        load_config_text(f"canton {{ {base}, sequencer {{ high-availability.enabled = true }} }} }}")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_config_text(f"canton {{ {base}, sequencer {{ type = database, high-availability.enabled = true }} }} }}")

