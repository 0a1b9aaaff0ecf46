"""The Prometheus metrics reporter (``canton.monitoring.metrics.reporters = [{ type = prometheus,
address, port, filters }]``): an HTTP endpoint Prometheus scrapes, as Canton's OpenTelemetry
Prometheus server offers it.

What it shows is what ``<node>.metrics.list`` shows: a collector reads every node's metrics
(:func:`canton_console.runtime.metrics.metrics_of`) on the runtime thread at scrape time, so the
values are the runtime's own, not a copy kept in step. Names follow the OpenTelemetry exporter's
rules over Canton's: characters other than letters, digits, ``_`` and ``:`` become ``_``; counters
end in ``_total``; timers are histograms in seconds named ``<name>_duration_seconds``. Each series
carries the node's attributes plus ``component`` (``participant``, ``sequencer``, ``mediator``), the
labels Canton's metrics context adds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from prometheus_client import start_http_server
from prometheus_client.core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from canton_console.runtime import metrics as m
from canton_console.runtime import observed_metrics as om

log = logging.getLogger("canton_console.metrics")

# Canton's instrument kind for each metric it counts: meters and counters become Prometheus
# counters, timers histograms; anything else is a gauge. With Canton's summaries as help text.
COUNTERS = {
    m.SEQUENCER_EVENTS: "Number of received events from the sequencer",
    m.BLOCK_EVENTS: "Events processed by the sequencer, tagged by type.",
    om.MEDIATOR_REQUESTS: "Total number of processed confirmation requests (approved and rejected)",
    om.MEDIATOR_APPROVED_REQUESTS: "Total number of approved confirmation requests",
}
TIMERS = {m.COMMAND_SUBMISSIONS: "The time to fully process a Daml command."}
GAUGES = {
    m.HANDLER_DELAY: "The delay on the event processing in milliseconds",
    m.INFLIGHT_VALIDATION_REQUESTS: "Number of requests being validated.",
    m.MAX_INFLIGHT_VALIDATION_REQUESTS: "Configured maximum number of requests currently being validated.",
    om.PUBLIC_API_SUBSCRIPTIONS: "Number of active sequencer subscriptions",
    om.EXTRA_TRAFFIC_PURCHASED: "Extra traffic purchased.",
    om.EXTRA_TRAFFIC_CONSUMED: "Extra traffic consumed.",
    om.BASE_TRAFFIC_REMAINDER: "Base traffic remainder",
    om.LAST_TRAFFIC_UPDATE: "Timestamp of the last event that update the traffic state of a member.",
    om.MEDIATOR_OUTSTANDING_REQUESTS: "Number of currently outstanding requests",
}


def prometheus_name(name: str) -> str:
    """Canton's metric name as the Prometheus exporter writes it (without the type's suffix)."""
    return re.sub(r"[^a-zA-Z0-9_:]", "_", name)


def read_all(env: Any, timeout: float = 5) -> list[tuple[str, list[m.MetricPoint]]]:
    """Every node's kind and metrics, read on the runtime thread."""

    def run() -> list[tuple[str, list[m.MetricPoint]]]:
        return [(node.kind, m.metrics_of(node).snapshot()) for node in env.nodes()]

    future = env.scheduler.submit(run)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise RuntimeError(f"the nodes' metrics could not be read within {timeout:g} seconds") from None


class RuntimeCollector(Collector):
    """The runtime's metrics at scrape time; ``reports(name)`` applies the reporter's filters."""

    def __init__(self, env: Any, reports=lambda name: True):
        self.env = env
        self.reports = reports

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for component, points in read_all(self.env):
            for point in points:
                if not self.reports(point.name):
                    continue
                labels = {**dict(point.attributes), "component": component}
                base = prometheus_name(point.name)
                if point.kind == "histogram":
                    name = base + "_duration_seconds"
                    family = families.get(name) or families.setdefault(name, Metric(name, TIMERS.get(point.name, point.name), "histogram"))
                    cumulative = 0
                    for bound, count in zip(point.boundaries, point.counts, strict=False):
                        cumulative += count
                        family.add_sample(name + "_bucket", {**labels, "le": _float(bound)}, cumulative)
                    family.add_sample(name + "_bucket", {**labels, "le": "+Inf"}, point.count)
                    family.add_sample(name + "_count", labels, point.count)
                    family.add_sample(name + "_sum", labels, point.total)
                elif point.name in COUNTERS:
                    family = families.get(base) or families.setdefault(base, Metric(base, COUNTERS[point.name], "counter"))
                    family.add_sample(base + "_total", labels, point.value)
                else:
                    family = families.get(base) or families.setdefault(base, Metric(base, GAUGES.get(point.name, point.name), "gauge"))
                    family.add_sample(base, labels, point.value)
        yield from families.values()


def _float(value: float) -> str:
    return repr(float(value))


class PrometheusReporter:
    def __init__(self, env: Any, config: Any):
        self.env = env
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(RuntimeCollector(env, config.reports))
        self.server, self.thread = start_http_server(config.port, config.address, registry=self.registry)
        host, self.port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        self.address = f"[{host}]" if ":" in host else host

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}/metrics"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_metrics_reporters(env: Any, config: Any) -> list[PrometheusReporter]:
    """One HTTP endpoint per Prometheus reporter of ``canton.monitoring.metrics``; kept in
    ``env.metrics_reporters``."""
    reporters: list[PrometheusReporter] = []
    for reporter in config.monitoring.metrics.reporters:
        try:
            reporters.append(PrometheusReporter(env, reporter))
        except OSError as e:
            for r in reporters:
                r.stop()
            from canton_console.values.errors import INVALID_ARGUMENT, CantonError

            raise CantonError(INVALID_ARGUMENT, f"Cannot serve the Prometheus metrics on {reporter.address}:{reporter.port}: {e.strerror or e}") from None
    env.metrics_reporters = reporters
    return reporters
