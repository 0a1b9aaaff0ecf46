"""A node's metrics: a few of Canton's metric names, kept where the events happen (Canton's
on-demand metrics reader, as ``<node>.metrics.get/list`` read it).

* ``daml.sequencer-client.handler.sequencer-events`` (counter): events a participant received from a synchronizer;
* ``daml.sequencer-client.handler.delay`` (gauge, ms): how far behind the synchronizer's clock the last event was handled;
* ``daml.participant.api.commands.submissions`` (timer): Ledger API command submissions, and how long accepting each took;
* ``daml.participant.inflight_validation_requests`` (gauge): the load the resource limits were checked against, at the last submission;
* ``daml.participant.max_inflight_validation_requests`` (gauge): the configured limit (while one is set).

Values are in memory: they start from zero with the process, as Canton's do. Besides these, a node
reports the metrics of :mod:`canton_console.runtime.observed_metrics`, read from its state when the
metrics are read (as OpenTelemetry's asynchronous instruments are)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

SEQUENCER_EVENTS = "daml.sequencer-client.handler.sequencer-events"
BLOCK_EVENTS = "daml.sequencer.block.events"  # a sequencer's events by sender (member) and type
HANDLER_DELAY = "daml.sequencer-client.handler.delay"
COMMAND_SUBMISSIONS = "daml.participant.api.commands.submissions"
INFLIGHT_VALIDATION_REQUESTS = "daml.participant.inflight_validation_requests"
MAX_INFLIGHT_VALIDATION_REQUESTS = "daml.participant.max_inflight_validation_requests"

# Canton's default histogram boundaries for timers (seconds), as the OpenTelemetry SDK reports them.
TIMER_BOUNDARIES = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


@attrs.frozen
class MetricPoint:
    """One metric value: ``kind`` is ``long`` (counter or gauge) or ``histogram``."""

    name: str
    kind: str
    attributes: tuple[tuple[str, str], ...]
    value: int = 0
    total: float = 0.0
    count: int = 0
    counts: tuple[int, ...] = ()
    boundaries: tuple[float, ...] = ()


def _key(name: str, attributes: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(attributes.items()))


class NodeMetrics:
    """The metric values of one node (runtime thread only)."""

    def __init__(self, node_name: str):
        self.node_name = node_name
        self._longs: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        # name/attributes -> [count per bucket..., sum, count]: bounded however many samples come
        self._histograms: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}
        # Read at each snapshot: (name, kind, attributes, value) of what the node's state says now
        self._observers: list[Callable[[], list[tuple[str, dict[str, str], int]]]] = []

    def observe(self, observer: Callable[[], list[tuple[str, dict[str, str], int]]]) -> None:
        """Add metrics read at each snapshot: ``observer()`` gives (name, attributes, value) triples."""
        self._observers.append(observer)

    def _attrs(self, attributes: dict[str, str] | None) -> dict[str, str]:
        return {"node": self.node_name, **(attributes or {})}

    def inc(self, name: str, by: int = 1, attributes: dict[str, str] | None = None) -> None:
        key = _key(name, self._attrs(attributes))
        self._longs[key] = self._longs.get(key, 0) + by

    def gauge(self, name: str, value: int | None, attributes: dict[str, str] | None = None) -> None:
        key = _key(name, self._attrs(attributes))
        if value is None:
            self._longs.pop(key, None)
        else:
            self._longs[key] = value

    def record(self, name: str, seconds: float, attributes: dict[str, str] | None = None) -> None:
        key = _key(name, self._attrs(attributes))
        histogram = self._histograms.get(key)
        if histogram is None:
            histogram = self._histograms[key] = [0.0] * (len(TIMER_BOUNDARIES) + 3)
        histogram[next((i for i, b in enumerate(TIMER_BOUNDARIES) if seconds <= b), len(TIMER_BOUNDARIES))] += 1
        histogram[-2] += seconds
        histogram[-1] += 1

    def snapshot(self) -> list[MetricPoint]:
        points = [MetricPoint(name, "long", attrs_, value) for (name, attrs_), value in self._longs.items()]
        for observer in self._observers:
            points += [MetricPoint(name, "long", _key(name, self._attrs(a))[1], value) for name, a, value in observer()]
        for (name, attrs_), histogram in self._histograms.items():
            counts = tuple(int(c) for c in histogram[:-2])
            points.append(MetricPoint(name, "histogram", attrs_, 0, histogram[-2], int(histogram[-1]), counts, TIMER_BOUNDARIES))
        return sorted(points, key=lambda p: (p.name, p.attributes))


def metrics_of(node: Any) -> NodeMetrics:
    """The node's metrics, made at first use."""
    metrics = node.__dict__.get("_cc_metrics")
    if metrics is None:
        metrics = node.__dict__["_cc_metrics"] = NodeMetrics(node.name)
        from canton_console.runtime.observed_metrics import observers_for

        for observer in observers_for(node):
            metrics.observe(observer)
    return metrics
