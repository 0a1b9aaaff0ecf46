"""HTTP health endpoints, with a real HTTP client against real ports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from conftest import REPO, open_session, step_ok

CONFIG = """
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 9301, admin-api.port = 9302, monitoring.http-health-server.port = 0 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 9312, monitoring.http-health-server.port = 0 }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 9321, admin-api.port = 9322, monitoring.http-health-server { address = localhost, port = 0 } }
    participant2 { storage.type = memory, ledger-api.port = 9331, admin-api.port = 9332 }
  }
}
"""


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_endpoints_report_readiness_and_liveness_and_agree_with_status(tmp_path):
    from canton_console.runtime.health_server import start_health_servers

    session = open_session(CONFIG, tmp_path)
    servers = start_health_servers(session.env)
    try:
        by_node = {s.node.name: s for s in servers}
        assert sorted(by_node) == ["mediator1", "participant1", "sequencer1"]  # participant2 has none
        assert all(s.address == "127.0.0.1" for s in servers)  # localhost only
        p1 = f"http://127.0.0.1:{by_node['participant1'].port}"
        step_ok(session, 'bootstrap.local("da")')
        step_ok(session, 'participants.all.synchronizers.connect_local(sequencer1, "da")')

        status, body = get(p1 + "/health")
        assert status == 200
        assert body.splitlines()[0] == "participant1 : SERVING"
        status_text = str(step_ok(session, "participant1.health.status"))
        components = re.findall(r"^\t(\S+ : .*)$", status_text, re.M)
        assert body.splitlines()[1:] == components  # the endpoint and health.status agree
        assert get(p1 + "/health/ready")[0] == 200
        assert get(p1 + "/health/live")[0] == 200
        assert get(p1 + "/health/nonsense")[0] == 404

        step_ok(session, "participant1.stop()")
        status, body = get(p1 + "/health/ready")
        assert status == 503 and "NOT_SERVING (not running)" in body
        assert get(p1 + "/health/live")[0] == 200
        step_ok(session, "participant1.start()")
        assert get(p1 + "/health")[0] == 200

        seq = f"http://127.0.0.1:{by_node['sequencer1'].port}"
        status, body = get(seq + "/health")
        assert status == 200 and "sequencer : Ok()" in body
    finally:
        for s in servers:
            s.stop()
        session.close()


def test_daemon_serves_the_health_endpoints(tmp_path):
    conf = tmp_path / "d.conf"
    conf.write_text(CONFIG.replace('file = "p1.db"', f'file = "{tmp_path}/p1.db"'))
    proc = subprocess.Popen(
        [sys.executable, "-m", "canton_console", "daemon", "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=dict(os.environ, NO_COLOR="1"),
    )
    try:
        assert proc.stdout.readline().startswith("canton-console daemon running")
        endpoints = proc.stdout.readline()
        match = re.search(r"participant1 (http://\S+/health)", endpoints)
        assert match, endpoints
        status, body = get(match.group(1))
        assert status == 200 and body.startswith("participant1 : SERVING")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_passive_replica_is_not_ready_until_it_takes_over(tmp_path):
    from test_ha_replication import SQLITE_P1, bootstrap, ha_config, wait_for

    from canton_console.runtime.health_server import start_health_servers

    text = ha_config(SQLITE_P1)
    for admin in ("admin-api.port = 5012", "admin-api.port = 5042"):
        text = text.replace(f"{admin} }}", f"{admin}, monitoring.http-health-server.port = 0 }}")
    session = open_session(text, tmp_path)
    servers = start_health_servers(session.env)
    try:
        bootstrap(session)
        urls = {s.node.name: f"http://127.0.0.1:{s.port}" for s in servers}
        assert sorted(urls) == ["participant1a", "participant1b"]
        status, body = get(urls["participant1a"] + "/health/ready")
        assert status == 200 and body.startswith("participant1a : SERVING")
        status, body = get(urls["participant1b"] + "/health/ready")
        assert status == 503, body
        assert body.splitlines()[0] == "participant1b : NOT_SERVING (passive replica)"
        assert get(urls["participant1b"] + "/health")[0] == 503
        assert get(urls["participant1b"] + "/health/live")[0] == 200  # alive, only not ready
        assert "Active: false" in session.step("participant1b.health.status").output
        # The active one goes: the passive takes over and becomes ready.
        step_ok(session, "participant1a.kill()")
        wait_for(lambda: get(urls["participant1b"] + "/health")[0] == 200, timeout=10)
        assert get(urls["participant1b"] + "/health")[1].startswith("participant1b : SERVING")
        assert get(urls["participant1a"] + "/health")[0] == 503  # not running
    finally:
        for s in servers:
            s.stop()
        session.close()


def test_a_node_whose_storage_failed_is_not_ready_during_the_outage_and_ready_after(tmp_path):
    import time

    from test_db_outages import SqliteWriteLock, wait_for

    from canton_console.runtime.health_server import start_health_servers

    session = open_session(CONFIG, tmp_path)
    servers = start_health_servers(session.env)
    lock = SqliteWriteLock([tmp_path / "p1.db"])
    try:
        url = f"http://127.0.0.1:{next(s.port for s in servers if s.node.name == 'participant1')}/health"
        step_ok(session, 'bootstrap.local("da")')
        step_ok(session, 'participants.all.synchronizers.connect_local(sequencer1, "da")')
        assert get(url)[0] == 200
        lock.begin()
        wait_for(lambda: get(url)[0] == 503, what="not ready")
        status, body = get(url)
        lines = body.splitlines()
        assert lines[0] == "participant1 : NOT_SERVING (db-storage failed)"
        assert lines[1].startswith(
            "db-storage : Failed(DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: database is locked"
        )
        # health.status says the same.
        status_text = str(step_ok(session, "participant1.health.status"))
        assert lines[1] in status_text
        assert get(url.replace("/health", "/health/live"))[0] == 200  # a participant stays alive
        time.sleep(0.5)
        assert get(url)[0] == 503  # for as long as the outage lasts
        lock.end()
        wait_for(lambda: get(url)[0] == 200, what="ready again")
        assert get(url)[1].splitlines()[:2] == ["participant1 : SERVING", "db-storage : Ok()"]
        step_ok(session, "participant1.health.ping(participant2)")
    finally:
        lock.end()
        for s in servers:
            s.stop()
        session.close()
