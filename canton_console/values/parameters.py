"""The synchronizer's parameter records, as the Canton 3.3 console knows them.

``DynamicSynchronizerParameters`` is what ``topology.synchronizer_parameters`` reads, updates and stores
in ``SynchronizerParametersState`` topology transactions; ``TrafficControlParameters`` switches traffic
management on. Both take Canton's camelCase argument names (and their snake_case forms), accept the
console's value types (``PositiveFiniteDuration.ofSeconds(10L)``, ``NonNegativeNumeric.tryCreate(500L)``,
``Some(x)``) and store plain ints: numbers as is, durations in microseconds.

Renderings follow the Canton 3.3 console class exactly (``topology change delay`` is still a dynamic
parameter there, and traffic control has six fields): see ``__pretty__``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.errors import (
    INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS,
    TOPOLOGY_VALUE_OUT_OF_BOUNDS,
    CantonError,
)
from canton_console.values.refined import (
    INT_MAX,
    LONG_MAX,
    DurationMicros,
    InvalidValue,
    NonNegativeFiniteDuration,
    NonNegativeNumeric,
    PositiveDurationSeconds,
    PositiveFiniteDuration,
    PositiveNumeric,
    RefinedDuration,
    RefinedNumeric,
)
from canton_console.values.timefmt import MICROS_PER_HOUR, MICROS_PER_MILLI, MICROS_PER_MINUTE, MICROS_PER_SECOND, canton_duration


class InvalidDynamicSynchronizerParameters(CantonError, ValueError):
    """Canton's ``InvalidDynamicSynchronizerParameters``, thrown by the record's constructor (so also by
    ``update``) when the parameters contradict each other."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS, message)


# --------------------------------------------------------------------------------------------------
# Conversions at the edge: console values in, plain ints out.


def _camel(name: str) -> str:
    """``max_base_traffic_amount`` → ``maxBaseTrafficAmount``; camelCase passes unchanged."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _number(v: object, what: str, *, positive: bool, maximum: int) -> int:
    """A whole number from an int or a Canton numeric, checked the way the Scala type would check it."""
    if isinstance(v, bool) or not isinstance(v, (int, RefinedNumeric)):
        raise InvalidValue(f"{what} must be a whole number, got {type(v).__name__} {v!r}")
    n = int(v)
    (PositiveNumeric if positive else NonNegativeNumeric).tryCreate(n)  # Canton's message on failure
    if n > maximum:
        raise InvalidValue(f"{what} = {n} does not fit into {'an Int' if maximum == INT_MAX else 'a Long'}")
    return n


def _duration(v: object, kind: type[RefinedDuration]) -> int:
    """Microseconds of a duration argument, checked as Canton's ``kind`` (ints are microseconds)."""
    return DurationMicros(kind.from_any(v).micros, kind)


def _boolean(v: object, what: str) -> bool:
    if not isinstance(v, bool):
        raise InvalidValue(f"{what} must be true or false, got {type(v).__name__} {v!r}")
    return v


# The field converters (named functions, one per field, so each names its field when it refuses a value).


def _non_negative_duration(v: object) -> int:
    return _duration(v, NonNegativeFiniteDuration)


def _positive_duration(v: object) -> int:
    return _duration(v, PositiveFiniteDuration)


def _positive_seconds(v: object) -> int:
    return _duration(v, PositiveDurationSeconds)


def _max_base_traffic_amount(v: object) -> int:
    return _number(v, "maxBaseTrafficAmount", positive=False, maximum=LONG_MAX)


def _base_event_cost(v: object) -> int:
    return _number(v, "baseEventCost", positive=False, maximum=LONG_MAX)


def _read_vs_write_scaling_factor(v: object) -> int:
    return _number(v, "readVsWriteScalingFactor", positive=True, maximum=INT_MAX)


def _catch_up_interval_skip(v: object) -> int:
    return _number(v, "catchUpIntervalSkip", positive=True, maximum=INT_MAX)


def _nr_intervals_to_trigger_catch_up(v: object) -> int:
    return _number(v, "nrIntervalsToTriggerCatchUp", positive=True, maximum=INT_MAX)


def _confirmation_requests_max_rate(v: object) -> int:
    return _number(v, "confirmationRequestsMaxRate", positive=False, maximum=INT_MAX)


def _max_request_size(v: object) -> int:
    return _number(v, "maxRequestSize", positive=False, maximum=INT_MAX)


def _enforce_rate_limiting(v: object) -> bool:
    return _boolean(v, "enforceRateLimiting")


def unwrap_option(v: object) -> object:
    """The value inside an Option-like (anything with ``isDefined`` and ``get``, such as the console's
    ``Some(x)`` / ``None``), or ``v`` itself; ``None`` for an empty option. Duck-typed so this module
    does not depend on the console."""
    if v is None:
        return None
    if hasattr(v, "isDefined") and hasattr(v, "get") and not isinstance(v, Mapping):
        defined = v.isDefined
        if callable(defined):
            defined = defined()
        if not defined:
            return None
        got = v.get
        return got() if callable(got) else got
    return v


def _bind(
    cls_name: str,
    fields: tuple[str, ...],
    aliases: Mapping[str, str],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
) -> dict[str, object]:
    """Canton's named/positional argument binding for a console constructor: each keyword may be
    camelCase, snake_case or an alias; unknown or repeated names are a ``TypeError`` that lists the
    valid names (that is what the Scala compiler would refuse)."""
    if len(args) > len(fields):
        raise TypeError(f"{cls_name} takes at most {len(fields)} arguments ({len(args)} given)")
    bound: dict[str, object] = dict(zip(fields, args))
    for key, value in kwargs.items():
        name = aliases.get(key) or aliases.get(_camel(key)) or _camel(key)
        if name not in fields:
            valid = ", ".join(fields)
            raise TypeError(f"{cls_name}: unknown argument {key!r}; valid names are: {valid}")
        if name in bound:
            raise TypeError(f"{cls_name}: argument {name!r} given more than once")
        bound[name] = value
    return bound


class _SnakeCaseAccess:
    """Lets Python callers read camelCase fields by their snake_case names too."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        camel = _camel(name)
        if camel != name:
            try:
                return object.__getattribute__(self, camel)
            except AttributeError:
                pass
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")


class _FieldRecord(_SnakeCaseAccess):
    """A parameter record stored as a JSON-able dict of its ``FIELDS`` (durations in microseconds)."""

    __slots__ = ()
    FIELDS: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.FIELDS}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]):
        return cls(**{k: d[k] for k in cls.FIELDS})


# --------------------------------------------------------------------------------------------------
# TrafficControlParameters


@attrs.frozen(init=False)
class TrafficControlParameters(_FieldRecord):
    """Canton's console ``TrafficControlParameters`` (3.3): six fields, all required, as in

    ``TrafficControlParameters(enforceRateLimiting = true, maxBaseTrafficAmount = ..., ...)``.

    Amounts are bytes (ints), durations microseconds. Traffic control is active only when the record is
    set in the synchronizer parameters *and* ``enforceRateLimiting`` is true.
    """

    maxBaseTrafficAmount: int = attrs.field(converter=_max_base_traffic_amount)
    readVsWriteScalingFactor: int = attrs.field(converter=_read_vs_write_scaling_factor)
    maxBaseTrafficAccumulationDuration: int = attrs.field(converter=_positive_duration)
    setBalanceRequestSubmissionWindowSize: int = attrs.field(converter=_positive_duration)
    enforceRateLimiting: bool = attrs.field(converter=_enforce_rate_limiting)
    baseEventCost: int = attrs.field(converter=_base_event_cost)

    FIELDS = (
        "maxBaseTrafficAmount",
        "readVsWriteScalingFactor",
        "maxBaseTrafficAccumulationDuration",
        "setBalanceRequestSubmissionWindowSize",
        "enforceRateLimiting",
        "baseEventCost",
    )

    def __init__(self, *args: object, **kwargs: object):
        bound = _bind("TrafficControlParameters", self.FIELDS, {}, args, kwargs)
        missing = [f for f in self.FIELDS if f not in bound]
        if missing:
            # Canton's console class has no defaults: every field must be given
            raise TypeError(f"TrafficControlParameters: missing argument(s): {', '.join(missing)}")
        self.__attrs_init__(**bound)

    @classmethod
    def internal_default(cls) -> "TrafficControlParameters":
        """Canton's internal defaults (``TrafficControlParameters.default``, private in the console):
        200 KiB per 10 minutes, factor 200, 2 minute top-up window, no base event cost."""
        return cls(
            maxBaseTrafficAmount=10 * 20 * 1024,
            readVsWriteScalingFactor=200,
            maxBaseTrafficAccumulationDuration=10 * MICROS_PER_MINUTE,
            setBalanceRequestSubmissionWindowSize=2 * MICROS_PER_MINUTE,
            enforceRateLimiting=True,
            baseEventCost=0,
        )

    @property
    def base_rate(self) -> float:
        """Base traffic accrued per microsecond, in bytes (a Double in Canton; durations under 1 µs
        count as 1 µs)."""
        return self.maxBaseTrafficAmount / max(1, self.maxBaseTrafficAccumulationDuration)

    baseRate = base_rate

    @property
    def is_active(self) -> bool:
        """Whether sequencers charge traffic under these parameters."""
        return self.enforceRateLimiting

    def copy(self, **changes: object) -> "TrafficControlParameters":
        """Scala's ``copy(...)``: the same record with some fields replaced (names as for the constructor)."""
        bound = _bind("TrafficControlParameters.copy", self.FIELDS, {}, (), changes)
        current = self.to_dict()
        current.update(bound)
        return TrafficControlParameters(**current)

    def __pretty__(self) -> Tree:
        return klass(
            "TrafficControlParameters",
            param("max base traffic amount", self.maxBaseTrafficAmount),
            param("read vs write scaling factor", self.readVsWriteScalingFactor),
            param("max base traffic accumulation duration", Literal(canton_duration(self.maxBaseTrafficAccumulationDuration))),
            param("set balance request submission window size", Literal(canton_duration(self.setBalanceRequestSubmissionWindowSize))),
            param("enforce rate limiting", self.enforceRateLimiting),
            param("base event cost", self.baseEventCost),
        )



# --------------------------------------------------------------------------------------------------
# Smaller records


@attrs.frozen(init=False)
class AcsCommitmentsCatchUpParameters(_FieldRecord):
    """When a lagging participant may skip ACS commitment intervals to catch up.

    Both are positive Ints whose product must fit an Int; (1, 1) is refused as ambiguous, and
    (1, Int.MaxValue) means catch-up is disabled.
    """

    catchUpIntervalSkip: int = attrs.field(default=5, converter=_catch_up_interval_skip)
    nrIntervalsToTriggerCatchUp: int = attrs.field(default=2, converter=_nr_intervals_to_trigger_catch_up)

    FIELDS = ("catchUpIntervalSkip", "nrIntervalsToTriggerCatchUp")

    def __init__(self, *args: object, **kwargs: object):
        self.__attrs_init__(**_bind("AcsCommitmentsCatchUpParameters", self.FIELDS, {}, args, kwargs))

    def __attrs_post_init__(self) -> None:
        skip, trigger = self.catchUpIntervalSkip, self.nrIntervalsToTriggerCatchUp
        if skip * trigger > INT_MAX:
            raise InvalidValue(
                f"requirement failed: Catch up parameters ({skip}, {trigger}) are too large and cause "
                "overflow when computing the catch-up interval"
            )
        if skip == 1 and trigger == 1:
            raise InvalidValue(
                f"requirement failed: Catch up config ({skip}, {trigger}) is ambiguous. It is not possible "
                "to catch up with a single interval. Did you intend to disable catch-up (please use "
                "AcsCommitmentsCatchUpConfig.disabledCatchUp()) or did you intend a different config?"
            )

    @classmethod
    def disabledCatchUp(cls) -> "AcsCommitmentsCatchUpParameters":
        return cls(1, INT_MAX)

    @property
    def is_catch_up_enabled(self) -> bool:
        return not (self.catchUpIntervalSkip == 1 and self.nrIntervalsToTriggerCatchUp == INT_MAX)

    def __pretty__(self) -> Tree:
        return klass(
            "AcsCommitmentsCatchUpParameters",
            param("catch up interval skip", self.catchUpIntervalSkip),
            param("number of intervals to trigger catch up", self.nrIntervalsToTriggerCatchUp),
        )



@attrs.frozen(init=False)
class ParticipantSynchronizerLimits(_FieldRecord):
    """Per-participant limits; only the confirmation request rate exists in this release."""

    confirmationRequestsMaxRate: int = attrs.field(
        default=1_000_000, converter=_confirmation_requests_max_rate
    )

    FIELDS = ("confirmationRequestsMaxRate",)

    def __init__(self, *args: object, **kwargs: object):
        self.__attrs_init__(**_bind("ParticipantSynchronizerLimits", self.FIELDS, {}, args, kwargs))

    def __pretty__(self) -> Tree:
        return klass(
            "ParticipantSynchronizerLimits",
            param("confirmation requests max rate", self.confirmationRequestsMaxRate),
        )


class OnboardingRestriction(enum.Enum):
    """Who may join the synchronizer: anyone or only allow-listed participants (``Restricted``), and
    whether joining is currently possible at all (``Locked``)."""

    UnrestrictedOpen = "UnrestrictedOpen"
    UnrestrictedLocked = "UnrestrictedLocked"
    RestrictedOpen = "RestrictedOpen"
    RestrictedLocked = "RestrictedLocked"

    @property
    def isLocked(self) -> bool:
        return self in (OnboardingRestriction.UnrestrictedLocked, OnboardingRestriction.RestrictedLocked)

    @property
    def isRestricted(self) -> bool:
        return self in (OnboardingRestriction.RestrictedOpen, OnboardingRestriction.RestrictedLocked)

    @property
    def isOpen(self) -> bool:
        return not self.isLocked

    @property
    def isUnrestricted(self) -> bool:
        return not self.isRestricted

    def __str__(self) -> str:
        return self.value

    def __pretty__(self) -> Tree:
        return Literal(self.value)

    @classmethod
    def parse(cls, v: object) -> "OnboardingRestriction":
        if isinstance(v, cls):
            return v
        if isinstance(v, str) and v in cls.__members__:
            return cls[v]
        raise InvalidValue(
            f"onboardingRestriction must be one of {', '.join(cls.__members__)}, got {v!r}"
        )


def _traffic_control(v: object) -> TrafficControlParameters | None:
    inner = unwrap_option(v)
    if inner is None or isinstance(inner, TrafficControlParameters):
        return inner
    raise InvalidValue(f"trafficControl must be a TrafficControlParameters, Some(...) or None, got {inner!r}")


def _acs_catch_up(v: object) -> AcsCommitmentsCatchUpParameters | None:
    inner = unwrap_option(v)
    if inner is None or isinstance(inner, AcsCommitmentsCatchUpParameters):
        return inner
    raise InvalidValue(
        f"acsCommitmentsCatchUpParameters must be an AcsCommitmentsCatchUpParameters, Some(...) or None, got {inner!r}"
    )


def _onboarding_restriction(v: object) -> OnboardingRestriction:
    return OnboardingRestriction.parse(v)


def _limits(v: object) -> ParticipantSynchronizerLimits:
    if isinstance(v, ParticipantSynchronizerLimits):
        return v
    raise InvalidValue(f"participantSynchronizerLimits must be a ParticipantSynchronizerLimits, got {v!r}")


# --------------------------------------------------------------------------------------------------
# DynamicSynchronizerParameters

_SECOND = MICROS_PER_SECOND
_BOUNDS = (1 * _SECOND, 5 * MICROS_PER_MINUTE)  # TopologyManager.checkBounds for the two timeouts


@attrs.frozen(init=False)
class DynamicSynchronizerParameters(_SnakeCaseAccess):
    """Canton 3.3's console ``DynamicSynchronizerParameters``, defaults as after bootstrap.

    Durations are microseconds. ``confirmationRequestsMaxRate`` is read from (and written to)
    ``participantSynchronizerLimits``, as in Canton. Equality is by value, which ``propose_update``
    relies on to do nothing when an update changes nothing.
    """

    confirmationResponseTimeout: int = attrs.field(default=30 * _SECOND, converter=_non_negative_duration)
    mediatorReactionTimeout: int = attrs.field(default=30 * _SECOND, converter=_non_negative_duration)
    assignmentExclusivityTimeout: int = attrs.field(default=60 * _SECOND, converter=_non_negative_duration)
    topologyChangeDelay: int = attrs.field(default=250 * MICROS_PER_MILLI, converter=_non_negative_duration)
    ledgerTimeRecordTimeTolerance: int = attrs.field(default=60 * _SECOND, converter=_non_negative_duration)
    mediatorDeduplicationTimeout: int = attrs.field(default=48 * MICROS_PER_HOUR, converter=_non_negative_duration)
    reconciliationInterval: int = attrs.field(default=60 * _SECOND, converter=_positive_seconds)
    maxRequestSize: int = attrs.field(default=10 * 1024 * 1024, converter=_max_request_size)
    sequencerAggregateSubmissionTimeout: int = attrs.field(
        default=6 * MICROS_PER_MINUTE, converter=_non_negative_duration
    )
    trafficControl: TrafficControlParameters | None = attrs.field(default=None, converter=_traffic_control)
    onboardingRestriction: OnboardingRestriction = attrs.field(
        default=OnboardingRestriction.UnrestrictedOpen, converter=_onboarding_restriction
    )
    acsCommitmentsCatchUp: AcsCommitmentsCatchUpParameters | None = attrs.field(
        factory=AcsCommitmentsCatchUpParameters, converter=_acs_catch_up
    )
    participantSynchronizerLimits: ParticipantSynchronizerLimits = attrs.field(
        factory=ParticipantSynchronizerLimits, converter=_limits
    )
    preparationTimeRecordTimeTolerance: int = attrs.field(
        default=24 * MICROS_PER_HOUR, converter=_non_negative_duration
    )

    FIELDS = (
        "confirmationResponseTimeout",
        "mediatorReactionTimeout",
        "assignmentExclusivityTimeout",
        "topologyChangeDelay",
        "ledgerTimeRecordTimeTolerance",
        "mediatorDeduplicationTimeout",
        "reconciliationInterval",
        "maxRequestSize",
        "sequencerAggregateSubmissionTimeout",
        "trafficControl",
        "onboardingRestriction",
        "acsCommitmentsCatchUp",
        "participantSynchronizerLimits",
        "preparationTimeRecordTimeTolerance",
    )
    # Argument names of Canton's ``update(...)``, in its order (plus topologyChangeDelay, a dynamic
    # parameter in 3.3); confirmationRequestsMaxRate lands in participantSynchronizerLimits.
    UPDATE_ARGUMENTS = (
        "confirmationResponseTimeout",
        "mediatorReactionTimeout",
        "assignmentExclusivityTimeout",
        "topologyChangeDelay",
        "ledgerTimeRecordTimeTolerance",
        "mediatorDeduplicationTimeout",
        "reconciliationInterval",
        "confirmationRequestsMaxRate",
        "maxRequestSize",
        "sequencerAggregateSubmissionTimeout",
        "trafficControl",
        "onboardingRestriction",
        "acsCommitmentsCatchUpParameters",
        "preparationTimeRecordTimeTolerance",
    )
    _ALIASES = {"acsCommitmentsCatchUpParameters": "acsCommitmentsCatchUp"}

    def __init__(self, *args: object, **kwargs: object):
        max_rate = None
        for key in ("confirmationRequestsMaxRate", "confirmation_requests_max_rate"):
            if key in kwargs:
                max_rate = kwargs.pop(key)
        bound = _bind("DynamicSynchronizerParameters", self.FIELDS, self._ALIASES, args, kwargs)
        if max_rate is not None:
            if "participantSynchronizerLimits" in bound:
                raise TypeError(
                    "DynamicSynchronizerParameters: give confirmationRequestsMaxRate or "
                    "participantSynchronizerLimits, not both"
                )
            bound["participantSynchronizerLimits"] = ParticipantSynchronizerLimits(max_rate)
        self.__attrs_init__(**bound)

    def __attrs_post_init__(self) -> None:
        # The constructor check of Canton's class (so it fires on update too).
        if self.preparationTimeRecordTimeTolerance * 2 > self.mediatorDeduplicationTimeout:
            raise InvalidDynamicSynchronizerParameters(
                f"The preparationTimeRecordTimeTolerance ({canton_duration(self.preparationTimeRecordTimeTolerance)}) "
                f"must be at most half of the mediatorDeduplicationTimeout "
                f"({canton_duration(self.mediatorDeduplicationTimeout)})."
            )

    @classmethod
    def defaults(cls) -> "DynamicSynchronizerParameters":
        """The values a freshly bootstrapped synchronizer has (``initialValues``)."""
        return cls()

    initial_values = defaults

    # --- derived values -------------------------------------------------------------------------
    @property
    def confirmationRequestsMaxRate(self) -> int:
        return self.participantSynchronizerLimits.confirmationRequestsMaxRate

    @property
    def decisionTimeout(self) -> int:
        """confirmation response timeout + mediator reaction timeout (µs)."""
        return self.confirmationResponseTimeout + self.mediatorReactionTimeout

    @property
    def sequencerTopologyTimestampTolerance(self) -> int:
        """How old a submission's topology timestamp may be: twice the decision timeout (µs)."""
        return 2 * self.decisionTimeout

    submissionCostTimestampTopologyTolerance = sequencerTopologyTimestampTolerance

    @property
    def automaticAssignmentEnabled(self) -> bool:
        return self.assignmentExclusivityTimeout > 0

    @property
    def traffic_control_active(self) -> bool:
        """Traffic is charged only with traffic control set and rate limiting enforced."""
        return self.trafficControl is not None and self.trafficControl.enforceRateLimiting

    def compatibleWithNewPreparationTimeRecordTimeTolerance(self, new: object) -> bool:
        """Whether raising the preparation tolerance to ``new`` keeps the dedup guarantee."""
        return self.preparationTimeRecordTimeTolerance + NonNegativeFiniteDuration.from_any(new).micros <= (
            self.mediatorDeduplicationTimeout
        )

    # --- update ---------------------------------------------------------------------------------
    def update(self, **kwargs: object) -> "DynamicSynchronizerParameters":
        """Canton's ``update(...)``: a new record with the named fields replaced; names are those of
        ``UPDATE_ARGUMENTS`` (camelCase or snake_case). ``trafficControl`` and
        ``acsCommitmentsCatchUpParameters`` take a record, ``None`` or ``Some(record)``."""
        changes: dict[str, object] = {}
        for key, value in kwargs.items():
            name = _camel(key)
            if name not in self.UPDATE_ARGUMENTS:
                raise TypeError(
                    f"DynamicSynchronizerParameters.update: unknown argument {key!r}; valid names are: "
                    + ", ".join(self.UPDATE_ARGUMENTS)
                )
            if name in changes:
                raise TypeError(f"DynamicSynchronizerParameters.update: argument {name!r} given more than once")
            changes[name] = value
        current: dict[str, object] = {f: getattr(self, f) for f in self.FIELDS}
        for name, value in changes.items():
            if name == "confirmationRequestsMaxRate":
                current["participantSynchronizerLimits"] = ParticipantSynchronizerLimits(value)
            else:
                current[self._ALIASES.get(name, name)] = value
        return DynamicSynchronizerParameters(**current)

    # --- TopologyManager checks -----------------------------------------------------------------
    def check_bounds(self) -> None:
        """The topology manager's sanity bounds (skipped with ``ForceFlag.AllowOutOfBoundsValue``):
        both timeouts must lie in [1s, 5m]; otherwise ``TOPOLOGY_VALUE_OUT_OF_BOUNDS``."""
        low, high = _BOUNDS
        for label, value in (
            ("confirmation response timeout", self.confirmationResponseTimeout),
            ("mediator reaction timeout", self.mediatorReactionTimeout),
        ):
            if not low <= value <= high:
                raise CantonError(
                    TOPOLOGY_VALUE_OUT_OF_BOUNDS,
                    f"Parameter `{label}` needs to be between {canton_duration(low)} and "
                    f"{canton_duration(high)}; found: {canton_duration(value)}",
                )

    # --- rendering and storage ------------------------------------------------------------------
    def __pretty__(self) -> Apply:
        d = canton_duration
        return klass(
            "DynamicSynchronizerParameters",
            param("confirmation response timeout", Literal(d(self.confirmationResponseTimeout))),
            param("mediator reaction timeout", Literal(d(self.mediatorReactionTimeout))),
            param("assignment exclusivity timeout", Literal(d(self.assignmentExclusivityTimeout))),
            param("topology change delay", Literal(d(self.topologyChangeDelay))),
            param("ledger time record time tolerance", Literal(d(self.ledgerTimeRecordTimeTolerance))),
            param("mediator deduplication timeout", Literal(d(self.mediatorDeduplicationTimeout))),
            param("reconciliation interval", Literal(d(self.reconciliationInterval))),
            param("confirmation requests max rate", self.confirmationRequestsMaxRate),
            param("max request size", self.maxRequestSize),
            param("sequencer aggregate submission timeout", Literal(d(self.sequencerAggregateSubmissionTimeout))),
            None if self.trafficControl is None else param("traffic control", self.trafficControl),
            None if self.acsCommitmentsCatchUp is None else param("ACS commitment catchup", self.acsCommitmentsCatchUp),
            param("participant synchronizer limits", self.participantSynchronizerLimits),
            param("preparation time record time tolerance", Literal(d(self.preparationTimeRecordTimeTolerance))),
            param("onboarding restriction", self.onboardingRestriction),
        )

    def to_dict(self) -> dict[str, object]:
        """Canonical JSON-able form, keys in field order, durations in microseconds."""
        out: dict[str, object] = {}
        for f in self.FIELDS:
            v = getattr(self, f)
            if isinstance(v, OnboardingRestriction):
                v = v.value
            elif hasattr(v, "to_dict"):
                v = v.to_dict()
            out[f] = v
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "DynamicSynchronizerParameters":
        """Inverse of ``to_dict``; keys it does not have keep their defaults."""
        unknown = [k for k in d if k not in cls.FIELDS]
        if unknown:
            raise ValueError(f"DynamicSynchronizerParameters.from_dict: unknown keys {unknown}")
        kwargs: dict[str, object] = {}
        for k, v in d.items():
            if k == "trafficControl" and v is not None:
                v = TrafficControlParameters.from_dict(v)
            elif k == "acsCommitmentsCatchUp" and v is not None:
                v = AcsCommitmentsCatchUpParameters.from_dict(v)
            elif k == "participantSynchronizerLimits":
                v = ParticipantSynchronizerLimits.from_dict(v)
            kwargs[k] = v
        return cls(**kwargs)


def field_names_snake(fields: Iterable[str]) -> list[str]:
    """snake_case forms of camelCase field names (for help texts)."""
    return [_snake(f) for f in fields]


__all__ = [
    "AcsCommitmentsCatchUpParameters",
    "DynamicSynchronizerParameters",
    "InvalidDynamicSynchronizerParameters",
    "OnboardingRestriction",
    "ParticipantSynchronizerLimits",
    "TrafficControlParameters",
    "unwrap_option",
]
