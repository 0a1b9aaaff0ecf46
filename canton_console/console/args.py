"""Argument converters for console commands: each says what it expects, converts what a user may
write (Canton's value types, Python's own, node references) and refuses the rest with a message a
user can act on. Wrong types are Python mistakes (``ArgumentError``); wrong values are command
failures, as Canton's ``tryCreate`` would fail them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from canton_console.console.framework import Arg, ArgumentError, CallContext  # noqa: F401 - ArgumentError: commands raise a.ArgumentError
from canton_console.values import refined as v
from canton_console.values.ids import Member, PartyId, SynchronizerId
from canton_console.values.scala import Option

INT_MAX = 2**31 - 1
MAX_DURATION_MICROS = v.LONG_MAX // 1000  # Scala's FiniteDuration: at most Long.MaxValue nanoseconds
MIN_TIMESTAMP_MICROS = -62135596800 * 1_000_000  # CantonTimestamp.MinValue, 0001-01-01T00:00:00Z
MAX_TIMESTAMP_MICROS = 253402300799 * 1_000_000 + 999_999  # CantonTimestamp.MaxValue, 9999-12-31T23:59:59.999999Z

DURATION_EXAMPLES = "a duration such as 10.seconds, timedelta(seconds=10) or NonNegativeFiniteDuration.ofSeconds(10)"


def member_id_of(value: Any) -> str | None:
    """The member id string of a node reference, a Member or ``PAR::…`` text (None for a node whose
    identity is not known yet)."""
    from canton_console.console.references import NodeReference

    if isinstance(value, NodeReference):
        return value._known_member_id()
    if isinstance(value, Member):
        return str(value)
    if isinstance(value, str):
        return str(Member.parse(value))
    raise TypeError(value)


class Duration(Arg):
    """Microseconds, from any duration a user writes."""

    expects = DURATION_EXAMPLES

    def __init__(self, allow_zero: bool = True):
        self.allow_zero = allow_zero

    def convert(self, value: Any, ctx: CallContext) -> int:
        if isinstance(value, bool) or not isinstance(value, (dt.timedelta, v.ScalaDuration, v.RefinedDuration, v.DurationMicros)):
            raise ctx.wrong_type(self.expects, value)
        micros = v.to_micros(value)
        if micros < 0 or (micros == 0 and not self.allow_zero):
            raise ctx.bad_value(f"{ctx.param} must be {'positive' if not self.allow_zero else 'non-negative'}, got {value}")
        if micros > MAX_DURATION_MICROS:
            raise ctx.bad_value(f"{ctx.param} is too long: {value} (a duration is at most Long.MaxValue nanoseconds, about 292 years)")
        return micros


class Int(Arg):
    """A whole number from ``minimum`` to ``maximum`` (a Long by default; ``INT_MAX`` for Canton's
    32-bit ``PositiveInt``/``NonNegativeInt``)."""

    def __init__(self, minimum: int = 0, what: str = "a non-negative whole number", maximum: int = v.LONG_MAX):
        self.minimum = minimum
        self.maximum = maximum
        self.expects = what

    def convert(self, value: Any, ctx: CallContext) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, v.RefinedNumeric)):
            raise ctx.wrong_type(self.expects, value)
        number = int(value)
        if number < self.minimum:
            kind = "positive" if self.minimum == 1 else "non-negative"
            raise ctx.bad_value(f"{ctx.param} must be {kind}, got {number}")
        if number > self.maximum:
            kind = " (a 32-bit Int)" if self.maximum == INT_MAX else ""
            raise ctx.bad_value(f"{ctx.param} is too large: {number}; at most {self.maximum}{kind}")
        return number


POSITIVE_INT = Int(1, "a positive whole number (e.g. 2 or PositiveInt.tryCreate(2))")
# Canton's PositiveInt is a 32-bit Int (e.g. a traffic top-up serial)
POSITIVE_INT32 = Int(1, "a positive whole number (e.g. 2 or PositiveInt.tryCreate(2))", maximum=INT_MAX)
NON_NEGATIVE_LONG = Int(0, "a non-negative whole number (e.g. 1000000 or NonNegativeNumeric.tryCreate(1000000L))")


class Text(Arg):
    """A string, at most ``max_length`` characters (Canton's ``String185`` ... length-limited strings)."""

    def __init__(self, what: str = "a string", allow_empty: bool = True, max_length: int | None = None):
        self.expects = what
        self.allow_empty = allow_empty
        self.max_length = max_length

    def convert(self, value: Any, ctx: CallContext) -> str:
        if not isinstance(value, str):
            raise ctx.wrong_type(self.expects, value)
        if not self.allow_empty and not value.strip():
            raise ctx.bad_value(f"{ctx.param} must not be empty")
        if self.max_length is not None and len(value) > self.max_length:
            shown = value[:40] + "..." if len(value) > 40 else value
            raise ctx.bad_value(
                f"The given {ctx.param} has a maximum length of {self.max_length} but a {ctx.param} of length "
                f"{len(value)} ('{shown}') was given"
            )
        return value


class Bytes(Arg):
    """A ByteString (``what``: an example of where one comes from)."""

    def __init__(self, what: str = "a ByteString"):
        self.expects = what

    def convert(self, value: Any, ctx: CallContext) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        raise ctx.wrong_type(self.expects, value)


def String185(what: str, allow_empty: bool = False) -> Text:
    """Canton's ``String185``: identifiers such as a party's name (at most 185 characters)."""
    return Text(what, allow_empty=allow_empty, max_length=185)


class Timestamp(Arg):
    """A point in time as microseconds since the epoch: a ``CantonTimestamp`` (``clock.now``), its
    microseconds, or ISO-8601 text; within Canton's range (years 0001 to 9999)."""

    expects = "a timestamp (e.g. clock.now or \"2025-07-17T22:19:58.353490Z\")"

    def convert(self, value: Any, ctx: CallContext) -> int:
        from canton_console.values.timefmt import parse_instant

        if isinstance(value, str):
            try:
                micros = parse_instant(value)
            except ValueError as e:
                raise ctx.bad_value(str(e)) from None
        elif isinstance(value, int) and not isinstance(value, bool):
            micros = int(value)
        else:
            raise ctx.wrong_type(self.expects, value)
        if not MIN_TIMESTAMP_MICROS <= micros <= MAX_TIMESTAMP_MICROS:
            raise ctx.bad_value(f"{ctx.param} is outside Canton's timestamps (0001-01-01 to 9999-12-31): {value}")
        return micros


class Bool(Arg):
    expects = "true or false"

    def convert(self, value: Any, ctx: CallContext) -> bool:
        if not isinstance(value, bool):
            raise ctx.wrong_type(self.expects, value)
        return value


class NodeRef(Arg):
    """A node reference of the given kind, or of one of several kinds (``participant1``), returned as
    the reference."""

    def __init__(self, kind: str | tuple[str, ...]):
        self.kinds = (kind,) if isinstance(kind, str) else kind
        self.expects = " or ".join(f"a {k} reference such as {k}1" for k in self.kinds)

    def convert(self, value: Any, ctx: CallContext):
        from canton_console.console.references import NodeReference

        if isinstance(value, NodeReference) and value._kind in self.kinds:
            return value
        if isinstance(value, NodeReference):
            raise ctx.bad_value(f"{value.name} is a {value._kind}, not a {' or '.join(self.kinds)}")
        raise ctx.wrong_type(self.expects, value)


class MemberArg(Arg):
    """A synchronizer member: a node reference, a member id, or ``PAR::…`` text; returned as id text."""

    def __init__(self, kinds: tuple[str, ...] = ("participant", "mediator", "sequencer")):
        self.kinds = kinds
        self.expects = " or ".join(f"a {k} reference" for k in kinds) + " (or its member id)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        from canton_console.console.references import NodeReference

        if isinstance(value, NodeReference):
            if value._kind not in self.kinds:
                raise ctx.bad_value(f"{value.name} is a {value._kind}; expected {' or '.join(self.kinds)}")
            member_id = value._known_member_id()
            if member_id is None:
                raise ctx.bad_value(f"{value.name} has not been started yet, so its id is unknown")
            return member_id
        if isinstance(value, (Member, str)):
            try:
                member = Member.parse(str(value)) if isinstance(value, str) else value
            except ValueError as e:
                raise ctx.bad_value(str(e)) from None
            if member.kind not in self.kinds:
                raise ctx.bad_value(f"{member} is a {member.kind}; expected {' or '.join(self.kinds)}")
            return str(member)
        raise ctx.wrong_type(self.expects, value)


class SeqOf(Arg):
    def __init__(self, inner: Arg):
        self.inner = inner
        self.expects = f"a Seq of {inner.expects}"

    def convert(self, value: Any, ctx: CallContext) -> list:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects + " (e.g. Seq(participant1))", value)
        return [self.inner.convert(item, ctx) for item in value]


class SynchronizerIdArg(Arg):
    expects = "a synchronizer id (e.g. sequencer1.synchronizer_id)"

    def convert(self, value: Any, ctx: CallContext) -> str | None:
        if isinstance(value, Option):
            if not value.isDefined:
                return None
            value = value.get
        if isinstance(value, SynchronizerId):
            return str(value)
        if isinstance(value, str):
            try:
                return str(SynchronizerId.parse(value))
            except ValueError as e:
                raise ctx.bad_value(str(e)) from None
        raise ctx.wrong_type(self.expects, value)


class PartyArg(Arg):
    expects = "a party id (e.g. what parties.enable returned)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, PartyId):
            return str(value)
        if isinstance(value, str):
            try:
                return str(PartyId.parse(value))
            except ValueError as e:
                raise ctx.bad_value(str(e)) from None
        raise ctx.wrong_type(self.expects, value)


class Function(Arg):
    def __init__(self, what: str):
        self.expects = what

    def convert(self, value: Any, ctx: CallContext):
        if not callable(value):
            raise ctx.wrong_type(self.expects, value)
        return value


class Optional(Arg):
    """``None``, Scala's ``None``, ``Some(x)`` or ``x`` itself."""

    def __init__(self, inner: Arg):
        self.inner = inner
        self.expects = f"{inner.expects}, or None"

    def convert(self, value: Any, ctx: CallContext):
        if value is None:
            return None
        if isinstance(value, Option):
            if not value.isDefined:
                return None
            value = value.get
        return self.inner.convert(value, ctx)
