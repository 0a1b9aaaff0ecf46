"""Canton's ``ResourceLimits(maxInflightValidationRequests, maxSubmissionRate, maxSubmissionBurstFactor)``
of a participant, and the decaying rate limiter (Canton's ``RateLimiter``) that enforces the rate."""

from __future__ import annotations

import math
from typing import Any

import attrs

from canton_console.pretty import Tree, klass, param
from canton_console.values.refined import INT_MAX, InvalidValue, RefinedNumeric
from canton_console.values.scala import NONE, Option, Some

DEFAULT_BURST_FACTOR = 0.5


def _optional_limit(value: object) -> int | None:
    if isinstance(value, Option):
        value = value.get if value.isDefined else None
    if value is None:
        return None
    if isinstance(value, RefinedNumeric):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"ResourceLimits: a limit must be an Option[NonNegativeInt] (e.g. Some(100) or None), got {value!r}")
    if value < 0:
        raise InvalidValue(f"Received the negative {value} as argument, but we require a non-negative value here.")
    if value > INT_MAX:
        raise InvalidValue(f"ResourceLimits: a limit is a 32-bit Int, at most {INT_MAX}; got {value}")
    return value


def _burst_factor(value: object) -> float:
    if isinstance(value, RefinedNumeric):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"ResourceLimits: maxSubmissionBurstFactor must be a PositiveDouble, got {value!r}")
    if not value > 0 or math.isinf(value):
        raise InvalidValue(f"Received the non-positive {value} as argument, but we require a positive value here.")
    return float(value)


@attrs.frozen
class ResourceLimits:
    """A participant's resource limits; None: no limit."""

    maxInflightValidationRequests: int | None = attrs.field(converter=_optional_limit)
    maxSubmissionRate: int | None = attrs.field(converter=_optional_limit)
    maxSubmissionBurstFactor: float = attrs.field(default=DEFAULT_BURST_FACTOR, converter=_burst_factor)

    canton_type = "ResourceLimits"

    def __pretty__(self) -> Tree:
        def opt(v: int | None) -> Option:
            return NONE if v is None else Some(v)

        return klass(
            "ResourceLimits",
            param("maxInflightValidationRequests", opt(self.maxInflightValidationRequests)),
            param("maxSubmissionRate", opt(self.maxSubmissionRate)),
            param("maxSubmissionBurstFactor", self.maxSubmissionBurstFactor),
        )

    def copy(self, **changes: Any) -> ResourceLimits:
        names = {"maxInflightValidationRequests", "maxSubmissionRate", "maxSubmissionBurstFactor"}
        snake = {"max_inflight_validation_requests": "maxInflightValidationRequests", "max_submission_rate": "maxSubmissionRate", "max_submission_burst_factor": "maxSubmissionBurstFactor"}
        fields = {}
        for name, value in changes.items():
            camel = name if name in names else snake.get(name)
            if camel is None:
                raise InvalidValue(f"ResourceLimits.copy: unknown field '{name}'; expected {', '.join(sorted(names))}")
            fields[camel] = value
        return attrs.evolve(self, **fields)


class ResourceLimitsCompanion:
    """``ResourceLimits(...)``, ``ResourceLimits.default`` and ``ResourceLimits.noLimit``."""

    canton_type = "ResourceLimits.type"

    def __call__(self, maxInflightValidationRequests: Any, maxSubmissionRate: Any, maxSubmissionBurstFactor: Any = DEFAULT_BURST_FACTOR) -> ResourceLimits:  # noqa: N803
        return ResourceLimits(maxInflightValidationRequests, maxSubmissionRate, maxSubmissionBurstFactor)

    @property
    def default(self) -> ResourceLimits:
        """Canton's defaults: 500 in-flight validation requests, 200 submissions per second, bursts of half that."""
        return ResourceLimits(500, 200)

    @property
    def noLimit(self) -> ResourceLimits:  # noqa: N802 - Canton's name
        return ResourceLimits(None, None)

    def __repr__(self) -> str:
        return "ResourceLimits"


RESOURCE_LIMITS = ResourceLimitsCompanion()


@attrs.frozen
class RateState:
    """The rate limiter's state: how many tasks count as recently approved, as of when."""

    last_update_micros: int = 0
    approved: float = 0.0


def check_rate(state: RateState, now_micros: int, max_per_second: float, burst_factor: float) -> tuple[bool, RateState]:
    """Canton's ``RateLimiter.checkAndUpdateRate``: the approved count decays at the rate; a task is
    approved while fewer than ``max(1, rate * burst)`` are counted (so a burst passes, then the rate)."""
    elapsed = max(0, now_micros - state.last_update_micros)
    decayed = max(0.0, state.approved - max_per_second * elapsed / 1e6)
    max_burst = burst_factor * max_per_second
    if decayed < max_burst:
        return True, RateState(now_micros, decayed + 1)
    return False, RateState(now_micros, decayed)


class PositiveDoubleCompanion:
    """``PositiveDouble.tryCreate(0.5)`` (Canton's ``PositiveNumeric[Double]``), as ResourceLimits takes it."""

    canton_type = "PositiveDouble.type"

    def tryCreate(self, value: object) -> float:  # noqa: N802 - Canton's name
        return _burst_factor(value)

    __call__ = tryCreate

    def __repr__(self) -> str:
        return "PositiveDouble"


POSITIVE_DOUBLE = PositiveDoubleCompanion()
