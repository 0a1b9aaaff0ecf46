"""A participant connected to two sequencer processes of one synchronizer by URL (``connect_multi``,
``connect_bft`` with URLs of another process): the two processes share one order through PostgreSQL;
SIGKILL of one of them and the participants read and send through the other, pings continue."""

from __future__ import annotations

import time

from conftest import step_ok
from test_sequencer_processes import participant_daemon, participant_session, two_sequencer_processes  # noqa: F401 - a fixture


def first_ping_after(session, target: str, attempts: int = 40) -> int:
    """How many pings failed before one succeeded (after a sequencer process died)."""
    for failed in range(attempts):
        outcome = session.step(f'participant1.health.ping("{target}", timeout = 5.seconds)')
        if not outcome.failed:
            return failed
        assert "Traceback" not in outcome.output, outcome.output
        time.sleep(0.25)
    raise AssertionError(outcome.output)


def test_participants_connected_to_both_sequencer_processes_keep_pinging_when_one_is_killed(tmp_path, two_sequencer_processes):  # noqa: F811
    a, _b, url_a, url_b, _database = two_sequencer_processes
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect_multi("da", Seq("{url_a}", "{url_b}"))')
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect_bft(Seq("{url_a}", "{url_b}"), "da", PositiveInt.one)')
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [(str(r.synchronizerAlias), r.healthy) for r in rows] == [("da", True)]
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        # both read from process A first (the first URL): it dies with SIGKILL
        a.kill()
        assert first_ping_after(session, p2_id) <= 2
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [(str(r.synchronizerAlias), r.healthy) for r in rows] == [("da", True)]
    finally:
        session.close()
        p2.stop()


def test_connect_bft_with_a_url_where_nothing_listens_among_others_fails_with_cantons_error(tmp_path):
    from daemons import free_port

    session = participant_session(tmp_path)
    try:
        urls = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
        outcome = session.step(f'participant1.synchronizers.connect_bft(Seq("{urls[0]}", "{urls[1]}"), "da")')
        assert outcome.failed and "Traceback" not in outcome.output
        # several connections failed: reported together, as Canton's sequencer info loader does
        assert "FAILED_TO_CONNECT_TO_SEQUENCERS(9," in outcome.output and "The participant failed to connect to the sequencers" in outcome.output
        assert "da" not in session.step("participant1.synchronizers.list_registered()").output
    finally:
        session.close()


def test_connect_bft_with_threshold_two_and_one_sequencer_down_is_refused(tmp_path):
    from test_remote_sequencer import free_port, sequencer_daemon

    port = free_port()
    seq = sequencer_daemon(tmp_path, port)
    seq.start()
    session = participant_session(tmp_path)
    try:
        up, down = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{free_port()}"
        outcome = session.step(f'participant1.synchronizers.connect_bft(Seq("{up}", "{down}"), "da", PositiveInt.two)')
        # only one of the two sequencers the threshold asks for answers: Canton's error for the one that did not
        assert outcome.failed and "Traceback" not in outcome.output
        assert "SYNCHRONIZER_IS_NOT_AVAILABLE(1," in outcome.output, outcome.output
        assert "da" not in session.step("participant1.synchronizers.list_registered()").output
        # with threshold 1 the same connections are enough
        step_ok(session, f'participant1.synchronizers.connect_bft(Seq("{up}", "{down}"), "da", PositiveInt.one)')
        assert step_ok(session, 'participant1.synchronizers.is_connected("da")') is True
    finally:
        session.close()
        seq.stop()


def test_with_trust_threshold_two_a_participant_stops_when_one_of_two_sequencer_processes_dies_and_resumes_when_it_is_back(tmp_path, two_sequencer_processes):  # noqa: F811
    a, _b, url_a, url_b, _database = two_sequencer_processes
    p2 = participant_daemon(tmp_path, "participant2", f'participant2.synchronizers.connect_multi("da", Seq("{url_a}", "{url_b}"))')
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect_bft(Seq("{url_a}", "{url_b}"), "da", PositiveInt.two)')
        first_ping_after(session, p2_id)
        a.kill()
        # one sequencer left, two needed: participant1 is cut off (a Canton error, no hang, no traceback)
        outcome = session.step(f'participant1.health.ping("{p2_id}", timeout = 2.seconds)')
        assert outcome.failed and "Traceback" not in outcome.output, outcome.output
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [(str(r.synchronizerAlias), r.healthy) for r in rows] == [("da", False)]
        a.start()
        first_ping_after(session, p2_id)
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [(str(r.synchronizerAlias), r.healthy) for r in rows] == [("da", True)]
    finally:
        session.close()
        p2.stop()
