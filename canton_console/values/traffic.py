"""Sequencer traffic accounting as pure functions over frozen records (canton-traffic.md §2–§6).

- what an event costs (``event_cost``);
- how a member's base traffic refills and how a cost is taken from it, base first, then purchased
  extra traffic (``TrafficConsumed`` with ``base_at``, ``tick``, ``consume``, ``try_consume``);
- which top-up applies at a timestamp (``TrafficPurchased``, ``balance_valid_at``) and whether a new
  top-up's serial is acceptable (``validate_serial``);
- the state the console shows (``TrafficState``) and the rejection (``AboveTrafficLimit``);
- the aligned windows a top-up is submitted for (``max_sequencing_times``).

All amounts are ``int`` bytes, all timestamps ``int`` microseconds since the epoch. ``params`` is a
``TrafficControlParameters`` (anything with ``maxBaseTrafficAmount``, ``base_rate``,
``readVsWriteScalingFactor`` and ``baseEventCost`` will do).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from canton_console.pretty import Infix, Literal, Tree, flat, klass, param, to_tree
from canton_console.values.errors import (
    SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT,
    TRAFFIC_CONTROL_SERIAL_TOO_LOW,
    CantonError,
)
from canton_console.values.timefmt import instant, parse_instant

LONG_MAX = 2**63 - 1
#: CantonTimestamp.MinValue: where a member never seen before starts, so that its base traffic is full.
MIN_TIMESTAMP = parse_instant("0001-01-01T00:00:00Z")
#: The epoch, where a participant's own view of its traffic starts (TrafficState.empty(Epoch)).
EPOCH = 0


class CostOverflow(ArithmeticError):
    """Canton's ``IllegalStateException("Overflow in cost computation")``: a cost beyond a Long."""


class TrafficTimestampError(ValueError):
    """Traffic state asked to move backwards in time; Canton treats this as an invalid state."""


def _non_negative(what: str):
    def check(_inst: object, _attr: object, v: object) -> None:
        if type(v) is int and v >= 0:
            return  # the common case first: the runtime makes these for every sequenced event
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{what} must be an int, got {type(v).__name__} {v!r}")
        if v < 0:
            raise ValueError(f"{what} must not be negative, got {v}")

    return check


def _int_field(what: str):
    def check(_inst: object, _attr: object, v: object) -> None:
        if type(v) is int:
            return
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{what} must be an int, got {type(v).__name__} {v!r}")

    return check


def _member_tree(member: object) -> Tree:
    """Members print bare (``PAR::participant1::12201ff69b1d...``), not as a quoted string."""
    return Literal(member) if isinstance(member, str) else to_tree(member)


def _checked(v: int) -> int:
    if v > LONG_MAX:
        raise CostOverflow("Overflow in cost computation")
    return v


# --------------------------------------------------------------------------------------------------
# §2 Event cost


@attrs.frozen
class EnvelopeSummary:
    """What the cost of one envelope depends on: its uncompressed payload size in bytes and how many
    members receive it (group recipients already resolved to their member count)."""

    size: int = attrs.field(validator=_non_negative("envelope size"))
    recipients: int = attrs.field(validator=_non_negative("recipient count"))


def envelope_cost(envelope: EnvelopeSummary, read_vs_write_scaling_factor: int) -> int:
    """Write cost (the size) plus read cost ``size * recipients * factor // 10000`` (floored per envelope)."""
    read = _checked(_checked(_checked(envelope.size * envelope.recipients) * read_vs_write_scaling_factor) // 10_000)
    return _checked(envelope.size + read)


def event_cost(envelopes: Iterable[EnvelopeSummary], params: Any) -> int:
    """The cost of one submission: its envelopes' costs plus ``baseEventCost`` once. An empty batch
    (a time proof) costs just the base event cost."""
    factor = int(params.readVsWriteScalingFactor)
    total = 0
    for env in envelopes:
        total = _checked(total + envelope_cost(env, factor))
    return _checked(total + int(params.baseEventCost))


# --------------------------------------------------------------------------------------------------
# §3 Base traffic and consumption


@attrs.frozen
class TrafficConsumed:
    """A member's consumption state at ``sequencing_timestamp``: base traffic left then, extra traffic
    used so far, and the cost of the event consumed at that timestamp (0 after a mere tick)."""

    member: Any
    sequencing_timestamp: int = attrs.field(validator=_int_field("sequencing timestamp"))
    extra_traffic_consumed: int = attrs.field(default=0, validator=_non_negative("extra traffic consumed"))
    base_traffic_remainder: int = attrs.field(default=0, validator=_non_negative("base traffic remainder"))
    last_consumed_cost: int = attrs.field(default=0, validator=_non_negative("last consumed cost"))

    @classmethod
    def init(cls, member: Any, timestamp: int = MIN_TIMESTAMP) -> "TrafficConsumed":
        """A member the sequencer has never seen: all zeros at the minimum timestamp, so that the first
        look at it accrues (and caps at) the full base traffic."""
        return cls(member, timestamp)

    @classmethod
    def empty(cls, member: Any, timestamp: int, max_base_traffic_amount: int) -> "TrafficConsumed":
        """A member starting at ``timestamp`` with full base traffic."""
        return cls(member, timestamp, base_traffic_remainder=max_base_traffic_amount)

    def __pretty__(self) -> Tree:
        return klass(
            "TrafficConsumed",
            Infix(Literal("member"), "=", _member_tree(self.member)),
            param("extraTrafficConsumed", self.extra_traffic_consumed),
            param("baseTrafficRemainder", self.base_traffic_remainder),
            param("lastConsumedCost", self.last_consumed_cost),
            param("sequencingTimestamp", Literal(instant(self.sequencing_timestamp))),
        )


def _not_before(state: TrafficConsumed, t: int) -> None:
    if t < state.sequencing_timestamp:
        raise TrafficTimestampError(
            f"Traffic state of {state.member} is at {instant(state.sequencing_timestamp)}, "
            f"cannot compute it at the earlier {instant(t)}"
        )


def base_at(state: TrafficConsumed, params: Any, t: int) -> int:
    """Base traffic available at ``t`` >= the state's timestamp: the remainder plus what accrued since,
    ``int(base_rate * Δµs)`` (a Double product truncated, saturating like the JVM), capped at the max."""
    _not_before(state, t)
    delta = t - state.sequencing_timestamp
    accrued = params.base_rate * float(delta)
    allowed = LONG_MAX if accrued >= LONG_MAX else int(accrued)
    total = min(LONG_MAX, allowed + state.base_traffic_remainder)  # addExact, saturated
    return min(int(params.maxBaseTrafficAmount), total)


def tick(state: TrafficConsumed, params: Any, t: int) -> TrafficConsumed:
    """Canton's ``updateTimestamp``: move to ``t`` accruing base traffic, consuming nothing (the last
    consumed cost becomes 0)."""
    # the constructor, not attrs.evolve: this runs for every sequenced event (same validation, less overhead)
    return TrafficConsumed(state.member, t, state.extra_traffic_consumed, base_at(state, params, t), 0)


def update_at(state: TrafficConsumed, params: Any, t: int) -> TrafficConsumed:
    """Canton's ``updateAt``: tick only if the state is older than ``t``; otherwise unchanged."""
    return tick(state, params, t) if state.sequencing_timestamp < t else state


def consume(state: TrafficConsumed, params: Any, t: int, cost: int) -> TrafficConsumed:
    """Take ``cost`` at ``t``: from base traffic first, the rest from extra traffic. Does not check
    that the extra traffic was purchased; ``try_consume`` does."""
    if cost < 0:
        raise ValueError(f"traffic cost must not be negative, got {cost}")
    base = base_at(state, params, t)
    if cost <= base:
        base_after, extra_delta = base - cost, 0
    else:
        base_after, extra_delta = 0, cost - base
    return TrafficConsumed(state.member, t, min(LONG_MAX, state.extra_traffic_consumed + extra_delta), base_after, cost)


def _purchased_amount(purchased: "TrafficPurchased | int | None") -> int:
    if purchased is None:
        return 0
    if isinstance(purchased, TrafficPurchased):
        return purchased.extra_traffic_purchased
    return int(purchased)


def available_at(state: TrafficConsumed, params: Any, t: int, purchased: "TrafficPurchased | int | None") -> int:
    """Traffic usable at ``t``: purchased − extra consumed + base at ``t``."""
    return _purchased_amount(purchased) - state.extra_traffic_consumed + base_at(state, params, t)


def try_consume(
    state: TrafficConsumed, params: Any, t: int, cost: int, purchased: "TrafficPurchased | int | None"
) -> tuple[TrafficConsumed, bool]:
    """Canton's ``consumeIfEnoughTraffic``: consume when ``available_at(t) >= cost``; otherwise tick the
    state to ``t`` anyway (base accrues, last cost 0) and report failure. ``purchased`` is the
    top-up valid at ``t`` (see ``balance_valid_at``), its amount, or None."""
    if available_at(state, params, t, purchased) >= cost:
        return consume(state, params, t, cost), True
    return tick(state, params, t), False


# --------------------------------------------------------------------------------------------------
# §4 Purchases and the displayed state


@attrs.frozen
class TrafficPurchased:
    """A top-up: the member's new total of extra traffic, effective strictly after it is sequenced."""

    member: Any
    serial: int = attrs.field(converter=int)
    extra_traffic_purchased: int = attrs.field(converter=int, validator=_non_negative("extra traffic purchased"))
    sequencing_timestamp: int = attrs.field(validator=_int_field("sequencing timestamp"))

    def __attrs_post_init__(self) -> None:
        if self.serial < 1:
            raise ValueError(f"a top-up serial must be positive, got {self.serial}")

    def __pretty__(self) -> Tree:
        return klass(
            "TrafficPurchased",
            Infix(Literal("member"), "=", _member_tree(self.member)),
            param("sequencingTimestamp", Literal(instant(self.sequencing_timestamp))),
            param("extraTrafficPurchased", self.extra_traffic_purchased),
            param("serial", self.serial),
        )


def balance_valid_at(purchases_sorted: Sequence[TrafficPurchased], t: int) -> TrafficPurchased | None:
    """The latest top-up sequenced strictly before ``t`` (a purchase at T counts only after T), from
    purchases sorted by sequencing timestamp."""
    i = bisect.bisect_left(purchases_sorted, t, key=lambda p: p.sequencing_timestamp)
    return purchases_sorted[i - 1] if i > 0 else None


@attrs.frozen
class TrafficState:
    """A member's traffic as the console shows it. Field names are Canton's; note that the rendering
    labels ``extraTrafficPurchased`` as ``extraTrafficLimit``, and shows ``serial`` only when set."""

    extraTrafficPurchased: int = attrs.field(validator=_int_field("extraTrafficPurchased"))
    extraTrafficConsumed: int = attrs.field(validator=_int_field("extraTrafficConsumed"))
    baseTrafficRemainder: int = attrs.field(validator=_int_field("baseTrafficRemainder"))
    lastConsumedCost: int = attrs.field(validator=_int_field("lastConsumedCost"))
    timestamp: int = attrs.field(validator=_int_field("timestamp"))
    serial: int | None = attrs.field(default=None, converter=lambda s: None if s is None else int(s))

    @classmethod
    def empty(cls, timestamp: int = EPOCH) -> "TrafficState":
        """All zeros, no serial; a participant's own view starts as ``empty(Epoch)``."""
        return cls(0, 0, 0, 0, timestamp)

    @property
    def extraTrafficRemainder(self) -> int:
        """Purchased minus consumed extra traffic (may be negative)."""
        return self.extraTrafficPurchased - self.extraTrafficConsumed

    @property
    def availableTraffic(self) -> int:
        """What the member may still spend: purchased − consumed + base remainder."""
        return self.extraTrafficPurchased - self.extraTrafficConsumed + self.baseTrafficRemainder

    available_traffic = availableTraffic

    def __pretty__(self) -> Tree:
        return klass(
            "TrafficState",
            param("extraTrafficLimit", self.extraTrafficPurchased),
            param("extraTrafficConsumed", self.extraTrafficConsumed),
            param("baseTrafficRemainder", self.baseTrafficRemainder),
            param("lastConsumedCost", self.lastConsumedCost),
            param("timestamp", Literal(instant(self.timestamp))),
            None if self.serial is None else param("serial", self.serial),
            param("availableTraffic", self.availableTraffic),
        )

    def to_dict(self) -> dict[str, object]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrafficState":
        return cls(**d)


def to_traffic_state(consumed: TrafficConsumed, purchased: TrafficPurchased | None) -> TrafficState:
    """Canton's ``TrafficConsumed.toTrafficState``: the purchase's amount and serial, at the later of
    the two timestamps."""
    ts = consumed.sequencing_timestamp
    if purchased is not None:
        ts = max(ts, purchased.sequencing_timestamp)
    return TrafficState(
        extraTrafficPurchased=0 if purchased is None else purchased.extra_traffic_purchased,
        extraTrafficConsumed=consumed.extra_traffic_consumed,
        baseTrafficRemainder=consumed.base_traffic_remainder,
        lastConsumedCost=consumed.last_consumed_cost,
        timestamp=ts,
        serial=None if purchased is None else purchased.serial,
    )


# --------------------------------------------------------------------------------------------------
# §5 Rejection


REJECTION_PREFIX = "Submission was rejected because no traffic is available: "


@attrs.frozen
class AboveTrafficLimit:
    """Not enough traffic for a submission: the member, the cost it needed, its state at the time."""

    member: Any
    trafficCost: int
    trafficState: TrafficState

    def __pretty__(self) -> Tree:
        return klass(
            "AboveTrafficLimit",
            Infix(Literal("member"), "=", _member_tree(self.member)),
            param("trafficCost", self.trafficCost),
            param("trafficState", self.trafficState),
        )

    @property
    def text(self) -> str:
        """The one-line ``toString`` (the sequencing-time DeliverError message)."""
        return flat(self.__pretty__())

    @property
    def cause(self) -> str:
        """The submission-time rejection cause of ``SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT``."""
        return REJECTION_PREFIX + self.text

    def error(self, correlation_id: str | None = None) -> CantonError:
        return CantonError(SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT, self.cause, correlation_id)


# --------------------------------------------------------------------------------------------------
# §6 Top-ups


def max_sequencing_times(now_ms: int, window_ms: int) -> list[int]:
    """The max sequencing times (epoch ms) a sequencer submits a top-up for: the end of the current
    window aligned to multiples of ``window_ms``, plus the next window's end when within the last
    quarter of the current one. Sequencers in the same window thus produce identical messages that
    aggregate."""
    if window_ms <= 0:
        raise ValueError(f"the submission window must be positive, got {window_ms} ms")
    upper = window_ms * (now_ms // window_ms + 1)
    if (upper - now_ms) * 4 <= window_ms:  # upper - now <= W / 4, without rounding W / 4
        return [upper, upper + window_ms]
    return [upper]


def validate_serial(latest: int | None, serial: int) -> None:
    """A top-up's serial must be strictly above the latest one the sequencer knows for the member;
    otherwise ``TRAFFIC_CONTROL_SERIAL_TOO_LOW`` with Canton's text."""
    serial = int(serial)
    if latest is not None and not int(latest) < serial:
        raise CantonError(
            TRAFFIC_CONTROL_SERIAL_TOO_LOW,
            serial_too_low_text(serial, latest),
        )


def serial_too_low_text(serial: int, latest: int | None) -> str:
    shown = "None" if latest is None else f"Some({int(latest)})"
    return f"The provided serial value {int(serial)} is too low. Latest serial used by this member is {shown}"


__all__ = [
    "AboveTrafficLimit",
    "CostOverflow",
    "EPOCH",
    "EnvelopeSummary",
    "LONG_MAX",
    "MIN_TIMESTAMP",
    "REJECTION_PREFIX",
    "TrafficConsumed",
    "TrafficPurchased",
    "TrafficState",
    "TrafficTimestampError",
    "available_at",
    "balance_valid_at",
    "base_at",
    "consume",
    "envelope_cost",
    "event_cost",
    "max_sequencing_times",
    "serial_too_low_text",
    "tick",
    "to_traffic_state",
    "try_consume",
    "update_at",
    "validate_serial",
]
