"""A console drives nodes of other processes through their admin APIs (gRPC): real daemons on free
loopback ports (a synchronizer's sequencer and mediator, two participants), a console configured
with ``canton.remote-participants`` / ``remote-sequencers`` / ``remote-mediators`` that did not start
them, TLS with and without client certificates, and remote nodes that are down."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, open_session, step_ok
from daemons import Daemon, free_port

from canton_console.config import ConfigError, load_config

BOOTSTRAP_DA = """
bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))
"""

ENABLE_TRAFFIC = """\
tcp = TrafficControlParameters(
    enforceRateLimiting=True,
    maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000),
    readVsWriteScalingFactor=PositiveNumeric.tryCreate(200),
    maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10),
    setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5),
    baseEventCost=NonNegativeNumeric.tryCreate(500),
)
sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, lambda p: p.update(trafficControl=Some(tcp)))"""


class Topology:
    """Three daemons: sequencer1 + mediator1 (synchronizer "da"), participant1, participant2 (each
    connected to "da" by URL in its bootstrap script), and the console config that names them all
    as remote nodes."""

    def __init__(self, tmp: Path):
        self.ports = {k: free_port() for k in ("seq_public", "seq_admin", "med_admin", "p1_ledger", "p1_admin", "p2_ledger", "p2_admin")}
        p = self.ports
        self.url = f"http://127.0.0.1:{p['seq_public']}"
        self.sequencer = Daemon(
            tmp,
            "synchronizer",
            f"""canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {p["seq_public"]}, admin-api.port = {p["seq_admin"]} }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/med1.db" }}, admin-api.port = {p["med_admin"]} }}
}}""",
            BOOTSTRAP_DA,
        )
        self.participants = [
            Daemon(
                tmp,
                name,
                f"""canton {{
  participants.{name} {{ storage {{ type = sqlite, file = "{tmp}/{name}.db" }}, ledger-api.port = {p[f"{short}_ledger"]}, admin-api.port = {p[f"{short}_admin"]} }}
}}""",
                f'{name}.synchronizers.connect("da", "{self.url}")\n',
            )
            for name, short in (("participant1", "p1"), ("participant2", "p2"))
        ]
        self.remote_conf = f"""canton {{
  features.enable-testing-commands = yes
  remote-sequencers.sequencer1 {{ admin-api.port = {p["seq_admin"]}, public-api.port = {p["seq_public"]} }}
  remote-mediators.mediator1 {{ admin-api.port = {p["med_admin"]} }}
  remote-participants.participant1 {{ admin-api.port = {p["p1_admin"]}, ledger-api.port = {p["p1_ledger"]} }}
  remote-participants.participant2 {{ admin-api {{ address = localhost, port = {p["p2_admin"]} }}, ledger-api.port = {p["p2_ledger"]} }}
"""

    def start(self) -> None:
        self.sequencer.start()
        for daemon in self.participants:
            daemon.start()

    def stop(self) -> None:
        for daemon in [*self.participants, self.sequencer]:
            daemon.stop()


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote")
    top = Topology(tmp)
    try:
        top.start()
        yield top
    finally:
        top.stop()


def eventually(condition, timeout: float = 60) -> None:
    """Topology reaches the other processes asynchronously: wait for what a user would see."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.1)


def remote_session(tmp: Path, conf: str, name: str = "remote.conf"):
    return open_session(conf, tmp, name=name)


def test_the_daemons_list_the_admin_apis_they_serve(topology):
    p = topology.ports
    # the line follows "canton-console daemon running", which start() waited for
    topology.sequencer.wait_for_line("public APIs:", 10)
    topology.participants[0].wait_for_line("admin APIs:", 10)
    assert f"admin APIs: sequencer1 127.0.0.1:{p['seq_admin']}, mediator1 127.0.0.1:{p['med_admin']}\n" in topology.sequencer.output()
    assert f"admin APIs: participant1 127.0.0.1:{p['p1_admin']}\n" in topology.participants[0].output()


def test_a_console_drives_remote_nodes_it_did_not_start(topology, tmp_path):
    session = remote_session(tmp_path, topology.remote_conf + "}\n")
    try:
        remote = step_ok(session, "participants.remote")
        assert [r.name for r in remote] == ["participant1", "participant2"]
        assert [r.name for r in step_ok(session, "nodes.remote")] == ["participant1", "participant2", "sequencer1", "mediator1"]
        assert step_ok(session, "participants.local") == []
        assert session.step("participant1").output.startswith("res4: RemoteParticipantReference = Participant 'participant1'")
        # ping and parties, across the three daemons
        assert session.step("participant1.health.ping(participant2)").output.startswith("res")
        step_ok(session, 'val alice = participant1.parties.enable("alice")')
        listed = step_ok(session, 'participant2.parties.list("alice")')
        assert [str(r.party).split("::")[0] for r in listed] == ["alice"]
        assert step_ok(session, "participant1.synchronizers.list_connected()")[0].synchronizerAlias == "da"
        # a dynamic synchronizer parameter, changed on the remote sequencer and seen by the participant
        step_ok(session, "sequencer1.topology.synchronizer_parameters.set_ledger_time_record_time_tolerance(sequencer1.synchronizer_id, 90.seconds)")
        latest = "topology.synchronizer_parameters.latest(sequencer1.synchronizer_id).ledgerTimeRecordTimeTolerance"
        assert step_ok(session, f"sequencer1.{latest}") == 90_000_000
        eventually(lambda: step_ok(session, f"participant1.{latest}") == 90_000_000)
        # traffic: enabled through a parameter change, then a top-up for the remote participant
        step_ok(session, ENABLE_TRAFFIC)
        step_ok(session, "sequencer1.traffic_control.set_traffic_balance(participant1, PositiveInt.one, NonNegativeNumeric.tryCreate(5000))")
        step_ok(
            session,
            "utils.retry_until_true(sequencer1.traffic_control.traffic_state_of_members(Seq(participant1)).trafficStates(participant1).extraTrafficPurchased.value == 5000)",
        )
        # the mediator answers through its admin API too
        assert "Active: true" in session.step("mediator1.health.status").output
    finally:
        session.close()


def test_a_local_participant_connects_to_a_remote_sequencer_by_reference(topology, tmp_path):
    conf = (
        topology.remote_conf
        + f"""  participants.participant3 {{ storage.type = memory, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    )
    session = remote_session(tmp_path, conf)
    try:
        assert [r.name for r in step_ok(session, "participants.local")] == ["participant3"]
        connection = step_ok(session, "sequencer1.sequencerConnection")
        assert connection.urls == (topology.url,)
        step_ok(session, 'participant3.synchronizers.connect_local(sequencer1, "da")')
        assert session.step("participant3.health.ping(participant1)").output.startswith("res")
        registered = step_ok(session, "participant3.synchronizers.list_registered()")
        assert registered[0][0].synchronizerAlias == "da"
    finally:
        session.close()


def test_a_remote_node_has_no_start_or_stop_and_help_says_it_is_remote(topology, tmp_path):
    session = remote_session(tmp_path, topology.remote_conf + "}\n")
    try:
        for member in ("start()", "stop()", "is_running", "db.migrate()"):
            out = session.step(f"participant1.{member}")
            assert out.failed
            name = member.split(".")[0].rstrip("()")
            assert out.output == f"Error: value {name} is not a member of com.digitalasset.canton.console.RemoteParticipantReference\n"
        out = session.step("sequencer1.stop()")
        assert out.output == "Error: value stop is not a member of com.digitalasset.canton.console.RemoteSequencerReference\n"
        top = session.step("help").output
        assert "participant1 - Manage remote participant 'participant1';" in top
        assert "mediator1 - Manage remote mediator 'mediator1';" in top
        node_help = session.step("participant1.help()").output
        assert "synchronizers - " in node_help and "health - " in node_help
        assert "start - " not in node_help and "stop - " not in node_help
        assert step_ok(session, "participant1.health.is_running()") is True
    finally:
        session.close()


def test_a_remote_node_that_is_down_fails_its_commands_with_unavailable(tmp_path):
    nobody = free_port()
    conf = f"""canton {{
  remote-participants.participant1 {{ admin-api.port = {nobody}, ledger-api.port = {free_port()} }}
}}
"""
    session = remote_session(tmp_path, conf)
    try:
        assert step_ok(session, "participant1.health.is_running()") is False
        for command in ("participant1.health.status", "participant1.parties.list()", "participant1.id"):
            out = session.step(command)
            assert out.failed
            assert "Request failed for participant1.\n  GrpcServiceUnavailable: UNAVAILABLE/io exception" in out.output, out.output
    finally:
        session.close()


def test_a_remote_node_that_does_not_answer_fails_its_commands_at_the_command_timeout(tmp_path):
    """A stopped (SIGSTOP) daemon accepts connections but answers nothing: the console gives up at its
    bounded command timeout, as Canton's does, and drives the node again once it runs."""
    admin, ledger = free_port(), free_port()
    daemon = Daemon(
        tmp_path,
        "participant1",
        f'canton {{ participants.participant1 {{ storage {{ type = sqlite, file = "{tmp_path}/p1.db" }}, admin-api.port = {admin}, ledger-api.port = {ledger} }} }}',
    ).start()
    session = remote_session(tmp_path, f"canton {{ remote-participants.participant1 {{ admin-api.port = {admin}, ledger-api.port = {ledger} }} }}\n")
    try:
        assert step_ok(session, "participant1.health.is_running()") is True
        step_ok(session, "console.set_command_timeout(2.seconds)")
        assert daemon.proc is not None
        os.kill(daemon.proc.pid, signal.SIGSTOP)
        try:
            out = session.step("participant1.parties.list()")
        finally:
            os.kill(daemon.proc.pid, signal.SIGCONT)
        assert out.failed
        assert "Request failed for participant1.\n  GrpcClientGaveUp: DEADLINE_EXCEEDED/" in out.output, out.output
        assert "Traceback" not in out.output
        assert step_ok(session, "participant1.health.is_running()") is True
    finally:
        session.close()
        daemon.stop()


def test_the_remote_config_is_checked(tmp_path):
    def load(text: str):
        path = tmp_path / "c.conf"
        path.write_text(text)
        return load_config([str(path)])

    with pytest.raises(ConfigError, match=r"canton.remote-participants.participant1.admin-api.port: missing"):
        load("canton.remote-participants.participant1 { admin-api.address = localhost, ledger-api.port = 1 }")
    with pytest.raises(ConfigError, match="node name 'participant1' is already used by canton.participants.participant1"):
        load("canton { participants.participant1 {}, remote-participants.participant1 { admin-api.port = 7, ledger-api.port = 8 } }")
    with pytest.raises(
        ConfigError, match=r"remote-sequencers.sequencer1.public-api.port: 127.0.0.1:5001 is already used by canton.participants.p.admin-api.port"
    ):
        load("canton { participants.p.admin-api.port = 5001, remote-sequencers.sequencer1 { admin-api.port = 7, public-api.port = 5001 } }")
    with pytest.raises(ConfigError, match=r"tls.client-cert: unknown key"):
        load("canton.remote-sequencers.s { admin-api.port = 7, public-api { port = 8, tls.client-cert {} } }")
    with pytest.raises(ConfigError, match=r"admin-api.tls.cert-chain-file: file not found"):
        load('canton.participants.p.admin-api.tls { cert-chain-file = "nope.pem", private-key-file = "nope.pem" }')
    # default ports of local nodes skip the remote nodes' ports
    config = load("canton { participants.p {}, remote-mediators.m.admin-api.port = 5001 }")
    assert config.participants["p"].ledger_api.port != 5001 and config.participants["p"].admin_api.port != 5001


# ---- TLS --------------------------------------------------------------------------------------------


def make_certificates(directory: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 / localhost and a client certificate, signed by it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key, path: Path) -> None:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("test-ca"))
        .issuer_name(name("test-ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(cn: str, usage, san: list | None = None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server = issue("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    client_key, client = issue("admin-client", ExtendedKeyUsageOID.CLIENT_AUTH)
    paths = {k: directory / f"{k}.pem" for k in ("ca", "server", "server-key", "client", "client-key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["server"].write_bytes(server.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    paths["client"].write_bytes(client.public_bytes(serialization.Encoding.PEM))
    write_key(server_key, paths["server-key"])
    write_key(client_key, paths["client-key"])
    return paths


def test_an_admin_api_requiring_client_certificates_refuses_a_console_without_one(tmp_path):
    certs = make_certificates(tmp_path)
    admin, ledger = free_port(), free_port()
    daemon = Daemon(
        tmp_path,
        "tls-participant",
        f"""canton.participants.participant1 {{
  storage.type = memory
  ledger-api.port = {ledger}
  admin-api {{
    port = {admin}
    tls {{
      cert-chain-file = "{certs["server"]}"
      private-key-file = "{certs["server-key"]}"
      trust-collection-file = "{certs["ca"]}"
      client-auth {{ type = require, admin-client {{ cert-chain-file = "{certs["client"]}", private-key-file = "{certs["client-key"]}" }} }}
    }}
  }}
}}""",
    )
    daemon.start()
    try:
        assert daemon.wait_for_line("admin APIs:", 10) == f"admin APIs: participant1 127.0.0.1:{admin} (tls)\n"

        def conf(tls: str) -> str:
            return f"canton.remote-participants.participant1 {{ admin-api {{ port = {admin}, tls {{ {tls} }} }}, ledger-api.port = {ledger} }}\n"

        trust = f'trust-collection-file = "{certs["ca"]}"'
        with_cert = trust + f', client-cert {{ cert-chain-file = "{certs["client"]}", private-key-file = "{certs["client-key"]}" }}'
        refused = remote_session(tmp_path, conf(trust), name="no-cert.conf")
        try:
            out = refused.step("participant1.health.status")
            assert out.failed and "Request failed for participant1.\n  GrpcServiceUnavailable: UNAVAILABLE/io exception" in out.output, out.output
        finally:
            refused.close()
        plain = remote_session(
            tmp_path, f"canton.remote-participants.participant1 {{ admin-api.port = {admin}, ledger-api.port = {ledger} }}\n", name="plain.conf"
        )
        try:
            assert plain.step("participant1.parties.list()").failed
        finally:
            plain.close()
        accepted = remote_session(tmp_path, conf(with_cert), name="cert.conf")
        try:
            out = accepted.step("participant1.health.status")
            assert not out.failed and "Participant id: PAR::participant1::" in out.output, out.output
            assert str(step_ok(accepted, "participant1.id")).startswith("PAR::participant1::")
        finally:
            accepted.close()
    finally:
        daemon.stop()


# ---- the daemon's admin APIs -------------------------------------------------------------------


def test_a_daemon_whose_admin_port_is_taken_says_so_without_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        conf = tmp_path / "p.conf"
        conf.write_text(f"canton.participants.participant1 {{ storage.type = memory, ledger-api.port = {free_port()}, admin-api.port = {port} }}\n")
        env = dict(os.environ, CANTON_CONSOLE_DATA=str(tmp_path / "data"), PYTHONPATH=str(REPO))
        result = subprocess.run(
            [sys.executable, "-m", "canton_console", "--log-file-name", str(tmp_path / "log"), "daemon", "-c", str(conf)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=str(tmp_path),
        )
    assert result.returncode == 1
    assert f"ERROR c.d.c.c.CantonConsoleEnvironment - failed to serve the admin APIs: participant1: cannot listen on 127.0.0.1:{port}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_piped_console_over_remote_nodes(topology, tmp_path):
    conf = tmp_path / "remote.conf"
    conf.write_text(topology.remote_conf + "}\n")
    env = dict(os.environ, CANTON_CONSOLE_DATA=str(tmp_path / "data"), PYTHONPATH=str(REPO), NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-m", "canton_console", "--log-file-name", str(tmp_path / "log"), "-c", str(conf)],
        input="participants.remote\nparticipant2.health.ping(participant1)\nparticipant2.start()\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(tmp_path),
    )
    out = result.stdout
    assert out.startswith("res1: Seq[InstanceReference] = Vector(\n  Participant 'participant1',\n  Participant 'participant2'\n)\nres2: Duration = "), out
    assert out.endswith("Error: value start is not a member of com.digitalasset.canton.console.RemoteParticipantReference\n"), out


def test_bootstrapping_the_synchronizer_its_daemon_bootstrapped_returns_its_id(topology, tmp_path):
    """Canton's bootstrap macro finds the nodes initialized for the synchronizer: its id, nothing changes
    (the steps through the admin services are tested in test_remote_bootstrap)."""
    session = remote_session(tmp_path, topology.remote_conf + "}\n")
    try:
        out = session.step(BOOTSTRAP_DA.strip())
        assert not out.failed, out.output
        assert out.value == step_ok(session, "sequencer1.synchronizer_id")
        assert session.step("participant1.health.ping(participant2)").output.startswith("res")
    finally:
        session.close()


def test_generate_remote_config_writes_what_another_console_drives_the_nodes_with(tmp_path):
    """``canton-console generate remote-config -c nodes.conf`` (Canton's ``generate remote-config``):
    one ``remote-<node>.conf`` per node, which a console then uses to ping through the daemon's nodes;
    a TLS admin API comes out trusting the server's chain, with the admin client's certificate."""
    from conftest import cli

    public = free_port()
    config = f"""canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp_path}/s1.db" }}, public-api.port = {public}, admin-api.port = {free_port()} }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp_path}/m1.db" }}, admin-api.port = {free_port()} }}
  participants.participant1 {{ storage {{ type = sqlite, file = "{tmp_path}/p1.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    boot = (
        'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
        "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n"
        'participant1.synchronizers.connect_local(sequencer1, "da")\n'
    )
    daemon = Daemon(tmp_path, "nodes", config, boot)
    out = tmp_path / "generated"
    out.mkdir()
    try:
        daemon.start()
        generated = cli("generate", "remote-config", "-c", str(daemon.conf), cwd=out, data_dir=tmp_path / "gen-data")
        assert generated.returncode == 0, generated.stderr
        assert sorted(p.name for p in out.iterdir()) == ["remote-mediator1.conf", "remote-participant1.conf", "remote-sequencer1.conf"]
        assert (out / "remote-participant1.conf").read_text().startswith("canton.remote-participants.participant1 {")
        script = tmp_path / "ping.canton"
        script.write_text('println(participant1.health.ping(participant1))\nprintln(sequencer1.health.initialized())\nprintln(participants.remote.size)\n')
        confs = [a for f in ("remote-participant1.conf", "remote-sequencer1.conf", "remote-mediator1.conf") for a in ("-c", str(out / f))]
        run = cli("run", str(script), *confs, cwd=out, data_dir=tmp_path / "console-data")
        assert run.returncode == 0, run.stdout + run.stderr
        duration, initialized, remotes = run.stdout.splitlines()
        assert duration.endswith(" milliseconds") and (initialized, remotes) == ("true", "1")
    finally:
        daemon.stop()

    certs = make_certificates(tmp_path)
    tls_conf = tmp_path / "tls.conf"
    tls_conf.write_text(
        f"""canton.participants.participant9 {{
  storage.type = memory
  ledger-api.port = {free_port()}
  admin-api {{
    port = {free_port()}
    tls {{
      cert-chain-file = "{certs["server"]}"
      private-key-file = "{certs["server-key"]}"
      trust-collection-file = "{certs["ca"]}"
      client-auth {{ type = require, admin-client {{ cert-chain-file = "{certs["client"]}", private-key-file = "{certs["client-key"]}" }} }}
    }}
  }}
}}
"""
    )
    assert cli("generate", "remote-config", "-c", str(tls_conf), cwd=out, data_dir=tmp_path / "gen-data").returncode == 0
    remote = load_config([str(out / "remote-participant9.conf")], base_dir=out).remote_participants["participant9"]
    tls = remote.admin_api.tls
    assert tls is not None and Path(tls.trust_collection_file) == certs["server"]
    assert tls.client_cert is not None and Path(tls.client_cert.cert_chain_file) == certs["client"]


def test_generate_remote_config_of_a_bad_configuration_is_a_config_error(tmp_path):
    from conftest import cli

    bad = tmp_path / "bad.conf"
    bad.write_text("canton.participants.p1 { storage.type = nonsense }\n")
    run = cli("generate", "remote-config", "-c", str(bad), cwd=tmp_path, data_dir=tmp_path / "data")
    assert run.returncode == 1 and "CONFIG_VALIDATION_FAILED" in run.stdout + run.stderr and "Traceback" not in run.stderr
    assert not list(tmp_path.glob("remote-*.conf"))
