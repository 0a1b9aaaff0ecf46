"""A participant connects to a sequencer of another process by URL, through the sequencer's public
API (gRPC): real daemons on free loopback ports, real SQLite stores, SIGKILL and restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import open_session, step_ok
from daemons import Daemon, free_port


def sequencer_daemon(tmp: Path, port: int) -> Daemon:
    config = f"""
canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {port}, admin-api.port = {free_port()} }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/med1.db" }}, admin-api.port = {free_port()} }}
}}
"""
    boot = """
bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))
println("mediator-id " + mediator1.id.toProtoPrimitive)
"""
    return Daemon(tmp, "sequencer", config, boot)


def participant_daemon(tmp: Path, name: str, url: str) -> Daemon:
    config = f"""
canton {{
  participants.{name} {{ storage {{ type = sqlite, file = "{tmp}/{name}.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    boot = f"""
{name}.synchronizers.connect("da", "{url}")
println("participant-id " + {name}.id.toProtoPrimitive)
"""
    return Daemon(tmp, name, config, boot)


def participant_session(tmp: Path, name: str = "participant1"):
    config = f"""
canton {{
  participants.{name} {{ storage {{ type = sqlite, file = "{tmp}/{name}.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    return open_session(config, tmp, name=f"{name}.conf")


@pytest.fixture
def sequencer(tmp_path):
    port = free_port()
    daemon = sequencer_daemon(tmp_path, port)
    daemon.start()
    yield daemon, f"http://127.0.0.1:{port}"
    daemon.stop()


def test_a_participant_connects_by_url_and_pings_across_three_processes(tmp_path, sequencer):
    seq, url = sequencer
    assert seq.wait_for_line("public APIs:", 10).strip() == f"public APIs: sequencer1 {url}"
    p2 = participant_daemon(tmp_path, "participant2", url)
    p2.start()
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        session = participant_session(tmp_path)
        try:
            step_ok(session, f'participant1.synchronizers.connect("da", "{url}")')
            assert step_ok(session, 'participant1.synchronizers.is_connected("da")') is True
            step_ok(session, f'participant1.health.ping("{p2_id}")')
        finally:
            session.close()
    finally:
        p2.stop()


def ping_eventually(session, target: str, attempts: int = 40) -> None:
    """Ping until it succeeds: the participants reconnect on their own after the sequencer came back."""
    outcome = None
    for _ in range(attempts):
        outcome = session.step(f'participant1.health.ping("{target}", timeout = 5.seconds)')
        if not outcome.failed:
            return
        time.sleep(0.25)
    raise AssertionError(outcome.output if outcome is not None else "no ping")


def test_after_the_sequencer_process_is_killed_and_restarted_participants_resubscribe_and_ping_again(tmp_path, sequencer):
    seq, url = sequencer
    p2 = participant_daemon(tmp_path, "participant2", url)
    p2.start()
    session = participant_session(tmp_path)
    try:
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        step_ok(session, f'participant1.synchronizers.connect("da", "{url}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        seq.kill()
        # cut off: a ping fails with a Canton error, without a traceback
        outcome = session.step(f'participant1.health.ping("{p2_id}", timeout = 2.seconds)')
        assert outcome.failed and "Traceback" not in outcome.output
        seq.start()
        ping_eventually(session, p2_id)
        assert step_ok(session, 'participant1.synchronizers.is_connected("da")') is True
        # the other direction too: participant2 (its own process) resubscribed as well
        p1_id = step_ok(session, "participant1.id.toProtoPrimitive")
        ledger_end = step_ok(session, "participant1.ledger_api.state.end()")
        step_ok(session, f'participant1.health.ping("{p2_id}")')
        assert step_ok(session, "participant1.ledger_api.state.end()") > ledger_end
        assert p1_id.startswith("PAR::participant1::")
    finally:
        session.close()
        p2.stop()


def test_a_participant_restarted_catches_up_from_its_cursor(tmp_path, sequencer):
    seq, url = sequencer
    p2 = participant_daemon(tmp_path, "participant2", url)
    p2.start()
    p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
    session = participant_session(tmp_path)
    try:
        step_ok(session, f'participant1.synchronizers.connect("da", "{url}")')
        step_ok(session, f'participant1.health.ping("{p2_id}")')
    finally:
        session.close()
    # participant1 comes back in a new process state: its connection and cursor are in its store
    session = participant_session(tmp_path)
    try:
        ping_eventually(session, p2_id)
        rows = step_ok(session, "participant1.synchronizers.list_connected()")
        assert [str(r.synchronizerAlias) for r in rows] == ["da"]
    finally:
        session.close()
        p2.stop()


def test_connecting_to_a_url_where_no_sequencer_listens_fails_with_cantons_error(tmp_path):
    session = participant_session(tmp_path)
    try:
        port = free_port()
        outcome = session.step(f'participant1.synchronizers.connect("da", "http://127.0.0.1:{port}")')
        assert outcome.failed
        assert "SYNCHRONIZER_IS_NOT_AVAILABLE(1," in outcome.output and "Cannot connect to synchronizer Synchronizer 'da'" in outcome.output
        assert "Traceback" not in outcome.output
        assert "da" not in session.step("participant1.synchronizers.list_registered()").output
    finally:
        session.close()


def test_a_refused_submission_crosses_as_grpc_status_with_cantons_error_code_and_cause(sequencer):
    import grpc

    from canton_console.api import failures
    from canton_console.api import sequencer_wire as wire
    from canton_console.api.proto import sequencer_connect_service_pb2 as cpb
    from canton_console.api.proto import sequencer_connect_service_pb2_grpc as cgrpc
    from canton_console.api.proto import sequencer_service_pb2 as pb
    from canton_console.api.proto import sequencer_service_pb2_grpc as sgrpc
    from canton_console.values.messages import Envelope, SubmissionRequest

    _seq, url = sequencer
    with grpc.insecure_channel(url.removeprefix("http://")) as channel:
        ids = cgrpc.SequencerConnectServiceStub(channel).GetSynchronizerId(cpb.SequencerConnect.GetSynchronizerIdRequest(), timeout=10)
        assert ids.synchronizer_id.startswith("da::") and ids.sequencer_member.startswith("SEQ::sequencer1::")
        stranger = "PAR::stranger::1220" + "ab" * 32
        request = SubmissionRequest(stranger, "m1", (Envelope(b'{"type":"x"}', ("MediatorGroupRecipient(0)",)),))
        with pytest.raises(grpc.RpcError) as raised:
            sgrpc.SequencerServiceStub(channel).SendAsync(pb.SendAsyncRequest(submission_request=wire.submission_to_proto(request)), timeout=10)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    error = failures.canton_error_of(raised.value)
    assert error is not None and error.code.id == "TOPOLOGY_UNKNOWN_MEMBERS"
    assert error.cause == f"Sender {stranger} is not a member of synchronizer {ids.synchronizer_id}"


def test_submissions_on_one_send_stream_are_answered_in_order_a_refusal_with_cantons_error(sequencer):
    """What a member's submissions go on: requests answered in turn on the open call (takings
    together, a refused one with Canton's error at once), and the call stays open for the next."""
    import grpc

    from canton_console.api import failures
    from canton_console.api import sequencer_wire as wire
    from canton_console.api.proto import sequencer_connect_service_pb2 as cpb
    from canton_console.api.proto import sequencer_connect_service_pb2_grpc as cgrpc
    from canton_console.api.proto import sequencer_service_pb2 as pb
    from canton_console.api.proto import sequencer_service_pb2_grpc as sgrpc
    from canton_console.values.messages import Envelope, SubmissionRequest

    daemon, url = sequencer
    mediator = next(line for line in daemon.lines if line.startswith("mediator-id ")).split()[1]
    with grpc.insecure_channel(url.removeprefix("http://")) as channel:
        ids = cgrpc.SequencerConnectServiceStub(channel).GetSynchronizerId(cpb.SequencerConnect.GetSynchronizerIdRequest(), timeout=10)
        stranger = "PAR::stranger::1220" + "ab" * 32

        def request(sender: str, message_id: str) -> pb.SendAsyncRequest:
            submission = SubmissionRequest(sender, message_id, (Envelope(b'{"type":"x"}', ("MediatorGroupRecipient(0)",)),))
            return pb.SendAsyncRequest(submission_request=wire.submission_to_proto(submission))

        senders = [stranger, mediator, mediator, ids.sequencer_member, mediator, stranger]
        requests = [request(sender, f"m{i}") for i, sender in enumerate(senders)]
        answers = list(sgrpc.SequencerServiceStub(channel).SendAsyncStream(iter(requests), timeout=10))
    # one outcome per request, in order: None taken, else the refusal
    outcomes = [o for a in answers for o in [None] * a.taken + ([failures.decoded(a.failure)] if a.failure else [])]
    assert [o if o is None else o.code.id for o in outcomes] == [
        "TOPOLOGY_UNKNOWN_MEMBERS", None, None, "SEQUENCER_SUBMISSION_REQUEST_REFUSED", None, "TOPOLOGY_UNKNOWN_MEMBERS"
    ]
    assert outcomes[0].cause == f"Sender {stranger} is not a member of synchronizer {ids.synchronizer_id}"
    assert outcomes[3].cause == f"Member {ids.sequencer_member} cannot send through the public API"


def test_a_mediator_daemon_reads_through_a_sequencer_of_another_process_and_comes_back_after_sigkill(tmp_path):
    """Sequencer, mediator and participant2 each in a daemon of their own, participant1 in the console:
    the console bootstraps the synchronizer over the remote sequencer and mediator, the mediator
    connects to the sequencer by URL; a ping goes through all four processes. The mediator's process
    killed and started again reads through the sequencer's URL it stored and confirms again."""
    ports = {k: free_port() for k in ("seq_public", "seq_admin", "med_admin")}
    url = f"http://127.0.0.1:{ports['seq_public']}"
    seq = Daemon(
        tmp_path,
        "sequencer",
        f'canton.sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp_path}/seq1.db" }}, public-api.port = {ports["seq_public"]}, admin-api.port = {ports["seq_admin"]} }}',
    )
    med = Daemon(tmp_path, "mediator", f'canton.mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/med1.db" }}, admin-api.port = {ports["med_admin"]} }}')
    conf = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {ports["seq_admin"]}, public-api.port = {ports["seq_public"]} }}
  remote-mediators.mediator1 {{ admin-api.port = {ports["med_admin"]} }}
  participants.participant1 {{ storage {{ type = sqlite, file = "{tmp_path}/participant1.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    seq.start()
    med.start()
    p2 = None
    try:
        session = open_session(conf, tmp_path, name="console.conf")
        try:
            step_ok(
                session,
                'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
                "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
            )
            sync_id = str(step_ok(session, "sequencer1.synchronizer_id"))
            # the mediator's connection is the sequencer's URL (its process has no sequencer1)
            shown = session.step("mediator1.sequencer_connection.get()").output
            assert f"127.0.0.1:{ports['seq_public']}" in shown, shown
            # assigning again, Canton-style with the remote sequencer's connection, is accepted (already assigned)
            step_ok(session, f'mediator1.setup.assign(SynchronizerId.tryFromString("{sync_id}"), SequencerConnections.single(sequencer1.sequencerConnection))')
            p2 = participant_daemon(tmp_path, "participant2", url)
            p2.start()
            p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
            step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
            step_ok(session, f'participant1.health.ping("{p2_id}")')
            # setting the connection again through the console stores the sequencer's URL (what a restart reads)
            step_ok(session, "mediator1.sequencer_connection.set_single(sequencer1.sequencerConnection)")
            assert f"127.0.0.1:{ports['seq_public']}" in session.step("mediator1.sequencer_connection.get()").output
            step_ok(session, f'participant1.health.ping("{p2_id}")')
            med.kill()
            outcome = session.step(f'participant1.health.ping("{p2_id}", timeout = 2.seconds)')
            assert outcome.failed and "Traceback" not in outcome.output  # no mediator: no verdict
            med.start()
            ping_eventually(session, p2_id)
            assert step_ok(session, "mediator1.health.initialized()") is True
        finally:
            session.close()
    finally:
        if p2 is not None:
            p2.stop()
        med.stop()
        seq.stop()


def test_a_sequencer_serving_its_public_api_over_tls_is_reached_by_https_urls(tmp_path):
    """``public-api.tls``: participants in two other processes (trusting the test CA) connect by
    ``https://`` URL and ping; a plaintext connection to the TLS port is refused with Canton's error."""
    from test_remote_nodes import make_certificates

    certs = make_certificates(tmp_path)
    port = free_port()
    seq = Daemon(
        tmp_path,
        "sequencer",
        f"""canton {{
  sequencers.sequencer1 {{
    storage {{ type = sqlite, file = "{tmp_path}/seq1.db" }}
    admin-api.port = {free_port()}
    public-api {{ port = {port}, tls {{ cert-chain-file = "{certs["server"]}", private-key-file = "{certs["server-key"]}" }} }}
  }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/med1.db" }}, admin-api.port = {free_port()} }}
}}""",
        'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
        "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n",
    )
    url = f"https://127.0.0.1:{port}"
    trust = {"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(certs["ca"])}
    seq.start()
    p1 = p2 = None
    try:
        assert seq.wait_for_line("public APIs:", 10).strip() == f"public APIs: sequencer1 {url}"
        p2 = Daemon(
            tmp_path,
            "participant2",
            f'canton.participants.participant2 {{ storage {{ type = sqlite, file = "{tmp_path}/p2.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}',
            f'participant2.synchronizers.connect("da", "{url}")\nprintln("participant-id " + participant2.id.toProtoPrimitive)\n',
            env=trust,
        )
        p2.start()
        p2_id = next(x for x in p2.lines if x.startswith("participant-id ")).split()[1]
        p1 = Daemon(
            tmp_path,
            "participant1",
            f'canton.participants.participant1 {{ storage {{ type = sqlite, file = "{tmp_path}/p1.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}',
            f'participant1.synchronizers.connect("da", "{url}")\nparticipant1.health.ping("{p2_id}")\nprintln("pinged")\n',
            env=trust,
        )
        p1.start()
        assert "pinged\n" in p1.lines
        # plaintext to the TLS port: no synchronizer there, as Canton says it
        session = participant_session(tmp_path, "participant3")
        try:
            outcome = session.step(f'participant3.synchronizers.connect("da", "http://127.0.0.1:{port}")')
            assert outcome.failed and "SYNCHRONIZER_IS_NOT_AVAILABLE(1," in outcome.output and "Traceback" not in outcome.output
        finally:
            session.close()
    finally:
        for daemon in (p1, p2):
            if daemon is not None:
                daemon.stop()
        seq.stop()


def test_a_connection_url_canton_cannot_parse_is_refused_before_anything_is_registered(default_session):
    for url, cause in (("ftp://127.0.0.1:5001", "has unknown scheme: ftp"), ("http://127.0.0.1:port", "has an invalid port")):
        outcome = default_session.step(f'participant1.synchronizers.connect("other", "{url}")')
        assert outcome.failed and f"INVALID_ARGUMENT(8,0): participant1.synchronizers.connect: Synchronizer connection url [{url}] {cause}" in outcome.output
        assert "Traceback" not in outcome.output
    assert step_ok(default_session, "participant1.synchronizers.list_registered().size") == 1  # only "da"


def test_a_public_api_port_another_daemon_serves_is_refused_not_shared(tmp_path, sequencer):
    """A second daemon configured on the same public-api port fails to start with the reason; gRPC's
    SO_REUSEPORT would otherwise let both listen and split the connections between them."""
    from conftest import cli

    _seq, url = sequencer
    port = int(url.rsplit(":", 1)[1])
    other = tmp_path / "other"
    other.mkdir()
    conf = other / "seq2.conf"
    conf.write_text(
        f'canton {{ sequencers.sequencer2 {{ storage {{ type = sqlite, file = "{other}/s2.db" }}, public-api.port = {port}, admin-api.port = {free_port()} }} }}\n'
    )
    run = cli("daemon", "-c", str(conf), cwd=other, data_dir=other / "data", timeout=60)
    assert run.returncode == 1
    assert f"failed to serve the sequencers' public APIs: sequencer sequencer2: cannot listen on 127.0.0.1:{port}" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
