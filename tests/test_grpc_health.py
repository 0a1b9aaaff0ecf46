"""The gRPC health service grpc.health.v1 (monitoring.grpc-health-server), with a real gRPC client
against real ports: a daemon subprocess, and a session whose replica fails over."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import grpc
import pytest
from conftest import open_session, step_ok
from daemons import Daemon, free_port
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def with_free_ports(text: str) -> str:
    """The config with each fixed ``port = N`` replaced by a port free now."""
    return re.sub(r"port = [1-9]\d*", lambda _m: f"port = {free_port()}", text)


def check(endpoint: str, service: str = "") -> int:
    with grpc.insecure_channel(endpoint) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status


HA_CONFIG = """
_replica {
  storage { type = sqlite, file = "participant1.db" }
  replication { enabled = true, check-period = 1s }
  monitoring.grpc-health-server.port = 0
}
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 5202 }
  participants {
    participant1a = ${_replica} { ledger-api.port = 5011, admin-api.port = 5012 }
    participant1b = ${_replica} { ledger-api.port = 5041, admin-api.port = 5042 }
    participant2 { storage.type = memory, ledger-api.port = 5021, admin-api.port = 5022, monitoring.grpc-health-server { address = localhost, port = 0 } }
  }
}
"""

BOOTSTRAP = """
bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))
participant1a.synchronizers.connect_local(sequencer1, "da")
participant2.stop()
"""


def test_daemon_serves_grpc_health_per_node_and_service(tmp_path):
    daemon = Daemon(tmp_path, "daemon", with_free_ports(HA_CONFIG), BOOTSTRAP).start()
    try:
        listed = daemon.wait_for_line("grpc health endpoints:", 30)
        endpoints = dict(re.findall(r"(\w+) (127\.0\.0\.1:\d+)", listed))
        assert sorted(endpoints) == ["participant1a", "participant1b", "participant2"], listed
        active, passive, stopped = endpoints["participant1a"], endpoints["participant1b"], endpoints["participant2"]
        # Canton's services: the overall one, the node's readiness under its kind, and liveness
        assert [check(active, s) for s in ("", "participant", "liveness")] == [SERVING] * 3
        # a passive replica is alive but not ready, so not serving overall
        assert [check(passive, s) for s in ("", "participant", "liveness")] == [NOT_SERVING, NOT_SERVING, SERVING]
        # a stopped node is not ready
        assert check(stopped, "") == NOT_SERVING
        assert check(stopped, "participant") == NOT_SERVING
        with pytest.raises(grpc.RpcError) as unknown:
            check(active, "sequencer")  # not a service of a participant
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
        assert daemon.stop() == 0
        with pytest.raises(grpc.RpcError):  # the server went with the daemon
            check(active, "")
    finally:
        daemon.kill()


def test_watch_follows_a_replica_taking_over_and_a_node_stopping(tmp_path):
    from canton_console.runtime.grpc_health import start_grpc_health_servers

    session = open_session(with_free_ports(HA_CONFIG), tmp_path)
    servers = start_grpc_health_servers(session.env)
    channels = []
    try:
        step_ok(session, BOOTSTRAP.strip().splitlines()[0])
        step_ok(session, 'participant1a.synchronizers.connect_local(sequencer1, "da")')
        endpoints = {s.node.name: f"{s.address}:{s.port}" for s in servers}

        def watch(node: str, service: str = ""):
            channel = grpc.insecure_channel(endpoints[node])
            channels.append(channel)
            return health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=service), timeout=30)

        passive = watch("participant1b")
        active = watch("participant1a", "participant")
        assert next(passive).status == NOT_SERVING
        assert next(active).status == SERVING
        # the active replica goes: the passive one takes over, and each stream sees its change
        step_ok(session, "participant1a.kill()")
        assert next(passive).status == SERVING
        assert next(active).status == NOT_SERVING
        assert check(endpoints["participant1b"], "participant") == SERVING
        # a node that stops stops serving; started again, it serves again
        stopping = watch("participant2")
        assert next(stopping).status == SERVING
        step_ok(session, "participant2.stop()")
        assert next(stopping).status == NOT_SERVING
        step_ok(session, "participant2.start()")
        assert next(stopping).status == SERVING
    finally:
        for channel in channels:
            channel.close()
        for s in servers:
            s.stop()
        session.close()


def test_grpc_health_server_config_errors(tmp_path):
    from canton_console.config import ConfigError, load_config

    base = "canton.participants.participant1.monitoring.grpc-health-server"
    for override, message in (
        (f"{base}.port = 70000", f"{base}.port: expected a port number between 0 and 65535 (0 picks a free port), found 70000"),
        (f"{base}.parallelism = 0", f"{base}.parallelism: expected a positive integer, found 0"),
        (f"{base}.ssl = yes", f"{base}.ssl: unknown key; expected one of: address, port, parallelism"),
    ):
        with pytest.raises(ConfigError) as e:
            load_config([], [override], base_dir=tmp_path)
        assert e.value.cause == message
    config = load_config([], [f"{base}.port = 0"], base_dir=tmp_path)
    grpc_health = config.participants["participant1"].monitoring.grpc_health_server
    assert (grpc_health.address, grpc_health.port, grpc_health.parallelism) == ("localhost", 0, 4)


def test_a_busy_grpc_health_port_fails_the_start_with_an_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = with_free_ports(HA_CONFIG).replace(
            "monitoring.grpc-health-server { address = localhost, port = 0 }", f"monitoring.grpc-health-server {{ address = 127.0.0.1, port = {port} }}"
        )
        conf = tmp_path / "busy.conf"
        conf.write_text(config)
        env = dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(tmp_path / "data"))
        proc = subprocess.run(
            [sys.executable, "-m", "canton_console", "--log-file-name", str(tmp_path / "canton.log"), "daemon", "-c", str(conf)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
    assert proc.returncode == 1
    assert f"Cannot serve the gRPC health service of participant2 on 127.0.0.1:{port}: Address already in use" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
