"""Sequencer processes of one synchronizer sharing one total order through PostgreSQL
(``sequencer { type = database, high-availability.enabled = true }``): real daemons on one throwaway
database, participants in other processes, SIGKILL of the process that orders."""

from __future__ import annotations

import logging
import signal
import threading
import time

import pytest
from conftest import _pg_connect, open_session, postgres_storage, step_ok
from daemons import Daemon, free_port


def ha_sequencer(storage: str, port: int) -> str:
    return (
        f"sequencers.sequencer1 {{ {storage}, public-api.port = {port}, admin-api.port = {free_port()}, "
        "sequencer { type = database, high-availability { enabled = true, keep-alive-interval = 50ms, "
        # a writer not heard from for 2 s is taken for stalled (a paused process): cut off
        "online-check-interval = 200ms, offline-duration = 2s } } }"
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
        "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n"
        'println("mediator-id " + mediator1.id.toProtoPrimitive)\n',
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
    outcome = None
    for _ in range(attempts):
        outcome = session.step(f'participant1.health.ping("{target}", timeout = 5.seconds)')
        if not outcome.failed:
            return
        time.sleep(0.25)
    raise AssertionError(outcome.output if outcome is not None else "no ping")


def sequenced_twice(database: str) -> list[tuple]:
    """(sender, message id) of each event of the shared order that has another with the same."""
    return shared_rows(database, "SELECT sender, message_id FROM cc_sequenced_events GROUP BY sender, message_id HAVING count(*) > 1")


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
        assert sequenced_twice(database) == []
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
        assert sequenced_twice(database) == []
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
        assert "orders the synchronizer's events now" in (tmp_path / "seq-b.log").read_text()
    finally:
        session.close()
        p2.stop()


def test_a_copy_sent_to_the_process_that_took_over_is_dropped_and_other_envelopes_are_sequenced(tmp_path, two_sequencer_processes):
    """A member's submission sequenced by the writer, which is then killed; the member sends the same
    submission again to the process that took over (its call broke before the answer): that process
    remembers what the previous writer sequenced and drops the copy. The same message id with other
    envelopes (a command resubmitted after a failure) is sequenced."""
    import grpc

    from canton_console.api import sequencer_wire as wire
    from canton_console.api.proto import sequencer_service_pb2 as pb
    from canton_console.api.proto import sequencer_service_pb2_grpc as sgrpc
    from canton_console.values.messages import Envelope, SubmissionRequest

    a, b, url_a, url_b, database = two_sequencer_processes
    mediator = next(line for line in b.lines if line.startswith("mediator-id ")).split()[1]

    def send(url: str, message_id: str, content: str) -> None:
        """Send; a process that has not taken up the synchronizer B bootstrapped yet is asked again."""
        submission = SubmissionRequest(mediator, message_id, (Envelope(content.encode(), ("MediatorGroupRecipient(0)",)),))
        deadline = time.monotonic() + 30
        with grpc.insecure_channel(url.removeprefix("http://")) as channel:
            while True:
                try:
                    sgrpc.SequencerServiceStub(channel).SendAsync(pb.SendAsyncRequest(submission_request=wire.submission_to_proto(submission)), timeout=10)
                    return
                except grpc.RpcError as e:
                    if e.code() != grpc.StatusCode.FAILED_PRECONDITION or time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)

    def sequenced(message_id: str) -> int:
        return shared_rows(database, f"SELECT count(*) FROM cc_sequenced_events WHERE message_id = '{message_id}'")[0][0]

    def wait_sequenced(message_id: str, count: int = 1) -> None:
        deadline = time.monotonic() + 30
        while sequenced(message_id) < count:
            assert time.monotonic() < deadline, f"{message_id} not sequenced"
            time.sleep(0.05)

    send(url_a, "copied", '{"type":"Probe","attempt":1}')
    wait_sequenced("copied")
    a.kill()
    assert "orders the synchronizer's events now" in wait_for_log(tmp_path / "seq-b.log", "orders the synchronizer's events now")
    send(url_b, "copied", '{"type":"Probe","attempt":1}')  # the copy
    send(url_b, "after-the-copy", '{"type":"Probe"}')  # sequenced after the copy would have been
    wait_sequenced("after-the-copy")
    assert sequenced("copied") == 1
    assert "submission copied of " + mediator + " was sequenced already; its copy is dropped" in (tmp_path / "seq-b.log").read_text()
    send(url_b, "copied", '{"type":"Probe","attempt":2}')  # other envelopes
    wait_sequenced("copied", 2)


def wait_for_log(path, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = path.read_text()
        if text in content or time.monotonic() > deadline:
            return content
        time.sleep(0.1)


def test_a_paused_writer_is_cut_off_and_cannot_store_after_the_other_process_took_over(tmp_path, two_sequencer_processes):
    a, b, url_a, url_b, database = two_sequencer_processes
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect("da", "{url_b}")')
    p2.start()
    session = participant_session(tmp_path)
    p3 = None
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect("da", "{url_b}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        [(epoch_a,)] = shared_rows(database, "SELECT epoch FROM cc_sequencer_writer")
        # Process A (the writer) stops as a paused process does: its lock connection lives on,
        # so only its silence tells process B that it is gone
        assert a.proc is not None
        a.proc.send_signal(signal.SIGSTOP)
        try:
            ping_eventually(session, p2_id)
            step_ok(session, f'participant1.health.ping("{p2_id}")')
            log_b = (tmp_path / "seq-b.log").read_text()
            assert "has not been heard from" in log_b and "orders the synchronizer's events now" in log_b
            [(epoch_b,)] = shared_rows(database, "SELECT epoch FROM cc_sequencer_writer")
            assert epoch_b > epoch_a
        finally:
            a.proc.send_signal(signal.SIGCONT)
        # A wakes up believing it orders: its epoch is gone, it steps down and follows B
        log_a = wait_for_log(tmp_path / "seq-a.log", "steps down")
        assert "steps down" in log_a
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        # A serves its subscribers from what B orders: a participant connected through A pings
        p3 = participant_daemon(tmp_path, "participant3", f'participant3.synchronizers.connect("da", "{url_a}")')
        p3.start()
        p3_id = next(x for x in p3.lines if x.startswith("participant-id ")).split()[1]
        ping_eventually(session, p3_id)
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        # one order: nothing sequenced twice, nothing left behind
        assert sequenced_twice(database) == []
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
    finally:
        session.close()
        p2.stop()
        if p3 is not None:
            p3.stop()


def test_a_flush_of_a_writer_whose_epoch_was_taken_over_rolls_back_and_it_steps_down(tmp_path, pg_databases, monkeypatch, caplog):
    """The fence itself, in one process: a takeover (another process incrementing the writer epoch)
    lands while the writer's flush waits in its store transaction. The flush stores nothing, the
    writer steps down, takes the lock again under a new epoch and sequences the same submissions."""
    monkeypatch.setenv("CANTON_CONSOLE_DATA", str(tmp_path / "data"))
    database = pg_databases("ccfence")
    config = f"""canton {{
  {ha_sequencer(postgres_storage(database), free_port())}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/med1.db" }} }}
  participants.participant1 {{ storage {{ type = sqlite, file = "{tmp_path}/p1.db" }} }}
  participants.participant2 {{ storage {{ type = sqlite, file = "{tmp_path}/p2.db" }} }}
}}"""
    session = open_session(config, tmp_path)
    takeover = _pg_connect(database)
    try:
        step_ok(
            session,
            'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
            "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        step_ok(session, "participant1.synchronizers.connect_local(sequencer1, \"da\")")
        step_ok(session, "participant2.synchronizers.connect_local(sequencer1, \"da\")")
        step_ok(session, "participant1.health.ping(participant2)")
        before = shared_rows(database, "SELECT count(*) FROM cc_sequenced_events")[0][0]
        # "another process" takes over: its epoch increment holds the row until it commits
        takeover.execute("BEGIN")
        takeover.execute("UPDATE cc_sequencer_writer SET epoch = epoch + 1, holder = 'another process' WHERE id = 1")
        released = threading.Event()

        def commit_once_a_flush_waits() -> None:
            watcher = _pg_connect(database)
            try:
                for _ in range(600):
                    waiting = watcher.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%%FOR SHARE%%'"
                    ).fetchone()[0]
                    if waiting:
                        break
                    time.sleep(0.05)
                takeover.execute("COMMIT")
                released.set()
            finally:
                watcher.close()

        committer = threading.Thread(target=commit_once_a_flush_waits, daemon=True)
        with caplog.at_level(logging.INFO, logger="canton_console.sequencer.shared"):
            committer.start()
            step_ok(session, "participant1.health.ping(participant2)")
            committer.join(30)
        assert released.is_set()
        messages = [r.getMessage() for r in caplog.records]
        assert any("steps down: its flush was refused" in m for m in messages), messages
        # it took the lock again under a new epoch and sequenced what it had accepted
        assert shared_rows(database, "SELECT epoch FROM cc_sequencer_writer") == [(3,)]
        assert any("writer epoch 3" in m for m in messages), messages
        step_ok(session, "participant1.health.ping(participant2)")
        assert shared_rows(database, "SELECT count(*) FROM cc_sequenced_events")[0][0] > before
        assert sequenced_twice(database) == []
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
    finally:
        takeover.close()
        session.close()


@pytest.fixture
def writer_with_mediator_and_a_second_process(tmp_path, pg_databases):
    """Process A: the sequencer with the mediator, bootstrapping the synchronizer (started first,
    it orders). Process B: the same sequencer on the same database, alone (it does not order)."""
    database = pg_databases("ccseq")
    storage = postgres_storage(database)
    port_a, port_b = free_port(), free_port()
    a = Daemon(
        tmp_path,
        "seq-a",
        f"""canton {{
  {ha_sequencer(storage, port_a)}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/med1.db" }}, admin-api.port = {free_port()} }}
}}""",
        'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
        "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n",
    )
    b = Daemon(tmp_path, "seq-b", f"canton {{ {ha_sequencer(storage, port_b)} }}")
    a.start()
    try:
        b.start()
        try:
            yield a, b, f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", database
        finally:
            b.stop()
    finally:
        a.stop()


def test_participants_on_both_urls_keep_pinging_when_the_process_they_read_from_and_that_does_not_order_is_killed(
    tmp_path, writer_with_mediator_and_a_second_process
):
    """The other half of test_remote_sequencer_bft's SIGKILL test (there the process killed is the one
    that orders): here the participants read from and send through process B, which only stores
    what it accepts; B dies with SIGKILL and they go on through A, which orders all along."""
    a, b, url_a, url_b, database = writer_with_mediator_and_a_second_process
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect_multi("da", Seq("{url_b}", "{url_a}"))')
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect_bft(Seq("{url_b}", "{url_a}"), "da", PositiveInt.one)')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        # both read from process B (the first URL), whose submissions process A sequences
        b.kill()
        ping_eventually(session, p2_id)
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [(str(r.synchronizerAlias), r.healthy) for r in rows] == [("da", True)]
        # A ordered throughout: it never stepped down, nothing was sequenced twice or left behind
        log_a = (tmp_path / "seq-a.log").read_text()
        assert "orders the synchronizer's events now" in log_a and "steps down" not in log_a
        assert sequenced_twice(database) == []
        assert shared_rows(database, "SELECT count(*) FROM cc_sequencer_submissions") == [(0,)]
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

