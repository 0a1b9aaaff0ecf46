"""A participant's resource limits (Canton's ResourceManagementService): persisted, and checked
before a Ledger API submission, which is refused with PARTICIPANT_BACKPRESSURE while the number of
in-flight validation requests or the submission rate is at its limit."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import delete, insert, select

from canton_console.runtime.metrics import INFLIGHT_VALIDATION_REQUESTS, MAX_INFLIGHT_VALIDATION_REQUESTS, metrics_of
from canton_console.store import schema as s
from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.values.resource_limits import RESOURCE_LIMITS, RateState, ResourceLimits, check_rate


class ResourceManagement:
    """The limits of one participant and the state of its rate limiter (runtime thread only)."""

    def __init__(self, node: Any):
        self.node = node
        row = None
        with node.open_storage.read() as conn:
            row = conn.execute(select(s.ResourceLimitsRow.__table__)).mappings().first()
        if row is None:
            self.limits = RESOURCE_LIMITS.default
        else:
            self.limits = ResourceLimits(row["max_inflight_validation_requests"], row["max_submission_rate"], row["max_submission_burst_factor"])
        self.rate = RateState()
        self._publish_limit()

    def write_limits(self, limits: ResourceLimits) -> None:
        with self.node.open_storage.transaction() as conn:
            conn.execute(delete(s.ResourceLimitsRow))
            conn.execute(
                insert(s.ResourceLimitsRow),
                [
                    {
                        "id": 1,
                        "max_inflight_validation_requests": limits.maxInflightValidationRequests,
                        "max_submission_rate": limits.maxSubmissionRate,
                        "max_submission_burst_factor": limits.maxSubmissionBurstFactor,
                    }
                ],
            )
        self.limits = limits
        self.rate = RateState()  # Canton makes a new rate limiter for new limits
        self._publish_limit()

    def _publish_limit(self) -> None:
        metrics_of(self.node).gauge(MAX_INFLIGHT_VALIDATION_REQUESTS, self.limits.maxInflightValidationRequests)

    def load(self) -> int:
        """The requests this participant validates now: its own submissions not yet decided, and the
        requests of others it is validating."""
        node = self.node
        return len(set(node.submissions) | {p.root_hash for p in node.pending.values()})

    def check_overloaded(self) -> None:
        """Canton's checkOverloaded: the in-flight limit first, then the rate (which counts the submission)."""
        load = self.load()
        metrics_of(self.node).gauge(INFLIGHT_VALIDATION_REQUESTS, load)
        limit = self.limits.maxInflightValidationRequests
        if limit is not None and load >= limit:
            raise CantonError(
                errors.PARTICIPANT_BACKPRESSURE,
                f"The participant is overloaded: too many in-flight validation requests (count: {load}, limit: {limit})",
                reason=f"too many in-flight validation requests (count: {load}, limit: {limit})",
            )
        rate = self.limits.maxSubmissionRate
        if rate is None:
            return
        ok, self.rate = check_rate(self.rate, self.node.env.clock.now(), float(rate), self.limits.maxSubmissionBurstFactor)
        if not ok:
            burst = math.ceil(self.limits.maxSubmissionBurstFactor * rate)
            reason = (
                f"the amount of commands submitted to this participant exceeds the submission rate limit of {float(rate)} "
                f"submissions per second with bursts of up to {burst} submissions"
            )
            raise CantonError(errors.PARTICIPANT_BACKPRESSURE, f"The participant is overloaded: {reason}", reason=reason)


def resources_of(node: Any) -> ResourceManagement:
    """The participant's resource management, loaded from its store."""
    # Reloaded after a restart and when a replica becomes active (the other replica may have changed them).
    key = (id(node.storage), node.passive)
    current = node.__dict__.get("_cc_resources")
    if current is None or current[0] != key:
        current = node.__dict__["_cc_resources"] = (key, ResourceManagement(node))
    return current[1]
