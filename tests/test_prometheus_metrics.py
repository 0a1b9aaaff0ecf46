"""The Prometheus metrics reporter (canton.monitoring.metrics.reporters), scraped over real HTTP:
from a daemon subprocess, and beside the console's metrics commands in a session."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest
from conftest import open_session, step_ok
from daemons import Daemon
from prometheus_client.parser import text_string_to_metric_families
from test_grpc_health import with_free_ports

CONFIG = """
canton {
  features.enable-testing-commands = yes
  monitoring.metrics.reporters = [{ type = prometheus, address = localhost, port = 0 }]
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 5202 }
  participants {
    participant1 { storage.type = memory, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage.type = memory, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""

BOOTSTRAP = """
bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))
participants.all.synchronizers.connect_local(sequencer1, "da")
participant1.health.ping(participant2)
"""

EVENTS = "daml_sequencer_client_handler_sequencer_events"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the endpoint: (sample name, labels) -> value."""
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in text_string_to_metric_families(text) for s in family.samples}


def sample(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_daemon_serves_the_nodes_metrics_to_prometheus(tmp_path):
    daemon = Daemon(tmp_path, "daemon", with_free_ports(CONFIG), BOOTSTRAP).start()
    try:
        url = daemon.wait_for_line("prometheus metrics:", 30).rstrip("\n").split(": ", 1)[1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/metrics")
        samples = scrape(url)
        p1 = sample(samples, EVENTS + "_total", node="participant1", component="participant", synchronizer="da")
        assert p1 > 0  # the connection and the ping brought participant1 events
        assert sample(samples, "daml_sequencer_public_api_subscriptions", node="sequencer1", component="sequencer") == 3
        assert sample(samples, "daml_mediator_requests_total", node="mediator1", component="mediator") >= 1  # the ping's
        confirmation_requests = [
            v for (name, labels), v in samples.items() if name == "daml_sequencer_block_events_total" and ("type", "send-confirmation-request") in labels
        ]
        assert confirmation_requests and min(confirmation_requests) >= 1  # the ping's, counted by its sender
        assert sample(samples, "daml_mediator_outstanding_requests", node="mediator1", component="mediator") == 0
        assert sample(samples, "daml_mediator_approved_requests_total", node="mediator1", component="mediator") >= 1  # the ping approved
        assert daemon.stop() == 0
        with pytest.raises(OSError):  # the endpoint went with the daemon
            urllib.request.urlopen(url, timeout=5)
    finally:
        daemon.kill()


def test_prometheus_and_the_console_show_the_same_counter_and_it_goes_up_with_a_ping(tmp_path):
    from canton_console.runtime.prometheus import start_metrics_reporters

    session = open_session(with_free_ports(CONFIG), tmp_path)
    reporters = start_metrics_reporters(session.env, session.config)
    try:
        for line in BOOTSTRAP.strip().splitlines()[:2]:
            step_ok(session, line)
        url = reporters[0].url
        labels = {"node": "participant1", "component": "participant", "synchronizer": "da"}

        def console_value() -> int:
            return step_ok(session, 'participant1.metrics.get("daml.sequencer-client.handler.sequencer-events", Map("synchronizer" -> "da"))').value

        before = sample(scrape(url), EVENTS + "_total", **labels)
        in_console = console_value()
        after = sample(scrape(url), EVENTS + "_total", **labels)
        assert before <= in_console <= after  # the same counter (events may arrive in between)
        step_ok(session, "participant1.health.ping(participant2)")
        pinged = sample(scrape(url), EVENTS + "_total", **labels)
        assert pinged > after
        assert console_value() >= pinged
    finally:
        for r in reporters:
            r.stop()
        session.close()


def test_a_reporter_filter_limits_what_is_reported(tmp_path):
    from canton_console.runtime.prometheus import start_metrics_reporters

    config = with_free_ports(CONFIG).replace("port = 0 }]", 'port = 0, filters = [{ starts-with = "daml.mediator" }] }]')
    session = open_session(config, tmp_path)
    reporters = start_metrics_reporters(session.env, session.config)
    try:
        for line in BOOTSTRAP.strip().splitlines():
            step_ok(session, line)
        names = {name for name, _labels in scrape(reporters[0].url)}
        assert names == {"daml_mediator_requests_total", "daml_mediator_approved_requests_total", "daml_mediator_outstanding_requests"}
    finally:
        for r in reporters:
            r.stop()
        session.close()


@pytest.mark.parametrize(
    ("reporter", "error"),
    [
        ("{ type = jmx }", "canton.monitoring.metrics.reporters.0.type: unknown metrics reporter type 'jmx'; expected prometheus"),
        (
            "{ type = csv, directory = m }",
            "canton.monitoring.metrics.reporters.0.type: the csv metrics reporter is not available in canton-console; expected prometheus",
        ),
        ("{ port = 9464 }", "canton.monitoring.metrics.reporters.0.type: missing; expected prometheus"),
        (
            "{ type = prometheus, port = -1 }",
            "canton.monitoring.metrics.reporters.0.port: expected a port number between 0 and 65535 (0 picks a free port), found -1",
        ),
        ("{ type = prometheus, interval = 5s }", "canton.monitoring.metrics.reporters.0.interval: unknown key; expected one of: type, address, port, filters"),
    ],
)
def test_a_bad_reporter_is_a_config_error(tmp_path, reporter, error):
    from canton_console.config import ConfigError, load_config

    with pytest.raises(ConfigError) as e:
        load_config([], [f"canton.monitoring.metrics.reporters = [{reporter}]"], base_dir=tmp_path)
    assert e.value.cause == error


def test_the_daemon_refuses_a_bad_reporter_type(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text(with_free_ports(CONFIG).replace("type = prometheus", "type = graphite"))
    proc = subprocess.run(
        [sys.executable, "-m", "canton_console", "--log-file-name", str(tmp_path / "canton.log"), "daemon", "-c", str(conf)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(tmp_path / "data")),
        timeout=120,
    )
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "canton.monitoring.metrics.reporters.0.type: unknown metrics reporter type 'graphite'; expected prometheus" in output
    assert "Traceback" not in output
    assert "daemon running" not in output


def test_a_timer_is_a_histogram_in_seconds(tmp_path):
    from conftest import _default_topology
    from test_participant_ops import CREATE_IOU

    from canton_console.config.models import PrometheusReporterConfig
    from canton_console.runtime.prometheus import PrometheusReporter

    session = _default_topology(tmp_path)
    reporter = PrometheusReporter(session.env, PrometheusReporterConfig(port=0))
    try:
        step_ok(session, 'val alice = participant1.parties.enable("Alice")')
        step_ok(session, CREATE_IOU.format(amount=1, cid="c1"))
        step_ok(session, CREATE_IOU.format(amount=2, cid="c2"))
        samples = scrape(reporter.url)
        name = "daml_participant_api_commands_submissions_duration_seconds"
        labels = {"node": "participant1", "component": "participant"}
        assert sample(samples, name + "_count", **labels) == 2
        assert sample(samples, name + "_bucket", le="+Inf", **labels) == 2
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in samples.items() if k[0] == name + "_bucket" and dict(k[1])["node"] == "participant1")
        assert [v for _le, v in buckets] == sorted(v for _le, v in buckets)  # cumulative
        assert 0 < sample(samples, name + "_sum", **labels) < 60
    finally:
        reporter.stop()
        session.close()
