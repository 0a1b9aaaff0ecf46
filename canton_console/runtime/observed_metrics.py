"""Metrics a node reports from its state at read time (the values Canton's gauges hold), by Canton's
names:

Sequencer
* ``daml.sequencer.public-api.subscriptions``: the members whose events this sequencer serves now;
* ``daml.sequencer.traffic-control.extra-traffic-purchased`` / ``extra-traffic-consumed`` /
  ``base-traffic-remainder`` / ``last-traffic-update`` (per ``member``, while traffic control is
  configured): each member's traffic at its last update, the timestamp in seconds since the epoch.

Mediator
* ``daml.mediator.outstanding-requests``: confirmation requests waiting for their verdict;
* ``daml.mediator.requests``: verdicts sent since the process started (approved and rejected,
  timeouts included);
* ``daml.mediator.approved-requests``: of those, the approvals.

Read on the runtime thread only, like :class:`~canton_console.runtime.metrics.NodeMetrics`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PUBLIC_API_SUBSCRIPTIONS = "daml.sequencer.public-api.subscriptions"
TRAFFIC_PREFIX = "daml.sequencer.traffic-control."
EXTRA_TRAFFIC_PURCHASED = TRAFFIC_PREFIX + "extra-traffic-purchased"
EXTRA_TRAFFIC_CONSUMED = TRAFFIC_PREFIX + "extra-traffic-consumed"
BASE_TRAFFIC_REMAINDER = TRAFFIC_PREFIX + "base-traffic-remainder"
LAST_TRAFFIC_UPDATE = TRAFFIC_PREFIX + "last-traffic-update"
MEDIATOR_OUTSTANDING_REQUESTS = "daml.mediator.outstanding-requests"
MEDIATOR_REQUESTS = "daml.mediator.requests"
MEDIATOR_APPROVED_REQUESTS = "daml.mediator.approved-requests"

Observation = list[tuple[str, dict[str, str], int]]


def _sequencer(node: Any) -> Observation:
    sync = getattr(node, "synchronizer", None)
    if sync is None or not node.running:
        return []
    served = sum(1 for sub in list(sync.subscribers.values()) if sync.reachable_sequencer(sub) is node)
    points: Observation = [(PUBLIC_API_SUBSCRIPTIONS, {}, served)]
    traffic = sync.traffic
    if traffic.params() is None:
        return points
    for member, state in traffic.states(None, "last-update"):
        labels = {"member": member}
        points += [
            (EXTRA_TRAFFIC_PURCHASED, labels, state.extraTrafficPurchased),
            (EXTRA_TRAFFIC_CONSUMED, labels, state.extraTrafficConsumed),
            (BASE_TRAFFIC_REMAINDER, labels, state.baseTrafficRemainder),
            (LAST_TRAFFIC_UPDATE, labels, state.timestamp // 1_000_000),
        ]
    return points


def _mediator(node: Any) -> Observation:
    points: Observation = [(MEDIATOR_REQUESTS, {}, node.verdicts_sent), (MEDIATOR_APPROVED_REQUESTS, {}, node.approvals_sent)]
    if node.running:
        points.append((MEDIATOR_OUTSTANDING_REQUESTS, {}, len(node.pending)))
    return points


_OBSERVERS: dict[str, Callable[[Any], Observation]] = {"sequencer": _sequencer, "mediator": _mediator}


def observers_for(node: Any) -> list[Callable[[], Observation]]:
    observe = _OBSERVERS.get(getattr(node, "kind", ""))
    return [] if observe is None else [lambda: observe(node)]
