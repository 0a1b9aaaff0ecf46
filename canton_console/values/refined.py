"""Canton's small value types that console users write by name.

``NonNegativeNumeric.tryCreate(20000L)``, ``PositiveNumeric.tryCreate(200)``, ``PositiveInt.one``,
``PositiveFiniteDuration.ofSeconds(10L)``, ``10.seconds``: the console translates those into calls on
the classes below, which keep Canton's names, its invariants and its error texts.

Numbers are plain ``int`` inside; durations are ``int`` microseconds, the runtime's unit. Every type
knows its Canton rendering (``__pretty__``) and the Scala type the console prints after ``res1:``
(``canton_type``).
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any, ClassVar

import attrs

from canton_console.pretty import Apply, Infix, Literal, Tree
from canton_console.values.errors import INVALID_ARGUMENT, CantonError
from canton_console.values.timefmt import (
    MICROS_PER_DAY,
    MICROS_PER_HOUR,
    MICROS_PER_MILLI,
    MICROS_PER_MINUTE,
    MICROS_PER_SECOND,
    canton_duration,
    coarsest_unit,
    normalize_unit,
    scala_duration_text,
    unit_micros,
)

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)


class InvalidValue(CantonError, ValueError):
    """A value that violates a Canton type's invariant: what Canton reports as an
    ``IllegalArgumentException`` thrown by ``tryCreate`` or a constructor's ``require``.

    It is a ``ValueError`` for Python callers and a ``CantonError(INVALID_ARGUMENT, ...)`` for the
    console, which may prefer to show it the JVM way: ``java_exception: message``.
    """

    java_exception = "java.lang.IllegalArgumentException"

    def __init__(self, message: str):
        self.message = message
        super().__init__(INVALID_ARGUMENT, message)


def _plain_int(v: object, what: str) -> int:
    """``v`` as an int: ints and Canton numerics pass, bools and everything else are refused (a bool
    is an int in Python but never a number in Scala)."""
    if isinstance(v, bool) or not isinstance(v, (int, RefinedNumeric)):
        raise InvalidValue(f"{what} must be a whole number, got {type(v).__name__} {v!r}")
    return int(v)


# --------------------------------------------------------------------------------------------------
# Refined numerics


@functools.total_ordering
@attrs.frozen(eq=False, repr=False)
class RefinedNumeric:
    """Common behaviour of ``NonNegativeNumeric`` and ``PositiveNumeric``: ordered, hashable and
    comparable with each other and with plain ints by their value.

    ``long`` only records whether Scala would type it ``[Long]`` rather than ``[Int]`` (it matters for
    the ``res: PositiveNumeric[Int]`` echo, not for equality). Values outside the Int range are Longs.
    """

    value: int
    long: bool = attrs.field(default=False, kw_only=True)

    _invariant: ClassVar[str] = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidValue(
                f"{type(self).__name__} needs a whole number, got {type(self.value).__name__} {self.value!r}"
            )
        if not LONG_MIN <= self.value <= LONG_MAX:
            raise InvalidValue(f"{self.value} does not fit into a Long")
        self._check(self.value)

    @classmethod
    def _check(cls, v: int) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @classmethod
    def tryCreate(cls, v: object, long: bool = False):
        """Canton's ``tryCreate``: the value, or ``InvalidValue`` with Canton's message."""
        n = _plain_int(v, f"{cls.__name__}.tryCreate argument")
        return cls(n, long=long or bool(getattr(v, "long", False)))

    @classmethod
    def create(cls, v: object, long: bool = False):
        """Canton's ``create`` without the Either: the value, or None when the invariant fails."""
        try:
            return cls.tryCreate(v, long=long)
        except InvalidValue:
            return None

    # --- Scala-side accessors ---------------------------------------------------------------------
    @property
    def unwrap(self) -> int:
        return self.value

    @property
    def is_long(self) -> bool:
        return self.long or not INT_MIN <= self.value <= INT_MAX

    @property
    def canton_type(self) -> str:
        """``PositiveNumeric[Int]`` / ``NonNegativeNumeric[Long]``, as the console echoes the type."""
        return f"{type(self).__name__}[{'Long' if self.is_long else 'Int'}]"

    def _same(self, n: int):
        return type(self)(n, long=self.long)

    def tryAdd(self, other: int):
        return type(self).tryCreate(self.value + _plain_int(other, "tryAdd argument"), long=self.long)

    # --- Python protocols -------------------------------------------------------------------------
    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __float__(self) -> float:
        return float(self.value)

    def __bool__(self) -> bool:
        return self.value != 0

    def __hash__(self) -> int:
        # equal to the int's hash because instances compare equal to ints
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RefinedNumeric):
            return self.value == other.value
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value == other
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, RefinedNumeric):
            return self.value < other.value
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value < other
        return NotImplemented

    def __str__(self) -> str:
        # Scala's RefinedNumeric.toString is the bare value
        return str(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __pretty__(self) -> Tree:
        """How pprint shows the case class when it is not inside a Pretty record:
        ``PositiveNumeric(value = 2)``. Inside Pretty records Canton prints the bare number; records
        that hold these convert them to int first."""
        return Apply(type(self).__name__, (Infix(Literal("value"), "=", Literal(str(self.value))),))

    # Arithmetic: same-kind operands keep the kind, as Scala's ``+``/``*`` do; anything else is an int.
    def __add__(self, other: object):
        if isinstance(other, RefinedNumeric):
            if isinstance(self, PositiveNumeric) or isinstance(other, PositiveNumeric):
                return PositiveNumeric(self.value + other.value, long=self.long)
            return NonNegativeNumeric(self.value + other.value, long=self.long)
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value + other
        return NotImplemented

    def __radd__(self, other: object):
        if isinstance(other, int) and not isinstance(other, bool):
            return other + self.value
        return NotImplemented

    def __sub__(self, other: object):
        if isinstance(other, (RefinedNumeric, int)) and not isinstance(other, bool):
            return self.value - int(other)
        return NotImplemented

    def __rsub__(self, other: object):
        if isinstance(other, int) and not isinstance(other, bool):
            return other - self.value
        return NotImplemented

    def __mul__(self, other: object):
        if isinstance(other, RefinedNumeric) and type(other) is type(self):
            return self._same(self.value * other.value)
        if isinstance(other, (RefinedNumeric, int)) and not isinstance(other, bool):
            return self.value * int(other)
        return NotImplemented

    def __rmul__(self, other: object):
        if isinstance(other, int) and not isinstance(other, bool):
            return other * self.value
        return NotImplemented


@attrs.frozen(eq=False, repr=False)
class NonNegativeNumeric(RefinedNumeric):
    """A number >= 0 (Canton's ``NonNegativeNumeric[T]``; ``NonNegativeInt``/``NonNegativeLong``)."""

    @classmethod
    def _check(cls, v: int) -> None:
        if v < 0:
            raise InvalidValue(f"Received the negative {v} as argument, but we require a non-negative value here.")

    @property
    def increment(self) -> "PositiveNumeric":
        """``value + 1``, now positive (Scala calls it without parentheses, hence a property)."""
        return PositiveNumeric(self.value + 1, long=self.long)

    def subtract(self, other: object) -> tuple["NonNegativeNumeric", "NonNegativeNumeric"]:
        """Canton's ``subtract``: (what is left, what could not be subtracted), both non-negative."""
        diff = self.value - _plain_int(other, "subtract argument")
        if diff < 0:
            return self._same(0), self._same(-diff)
        return self._same(diff), self._same(0)


@attrs.frozen(eq=False, repr=False)
class PositiveNumeric(RefinedNumeric):
    """A number >= 1 (Canton's ``PositiveNumeric[T]``; ``PositiveInt``/``PositiveLong``). Serials are these."""

    @classmethod
    def _check(cls, v: int) -> None:
        if v <= 0:
            raise InvalidValue(f"Received the non-positive {v} as argument, but we require a positive value here.")

    @property
    def increment(self) -> "PositiveNumeric":
        """``value + 1`` (a property: the Scala original is called without parentheses)."""
        return self._same(self.value + 1)

    @property
    def decrement(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.value - 1, long=self.long)

    @property
    def toNonNegative(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.value, long=self.long)

    def max(self, other: "PositiveNumeric") -> "PositiveNumeric":
        return self if self.value >= int(other) else self._same(int(other))


class RefinedAlias:
    """Scala's type aliases with companions, e.g. ``PositiveInt = PositiveNumeric[Int]``.

    Not a class of its own: ``PositiveInt.tryCreate(3)`` returns a ``PositiveNumeric`` (as in Scala), and
    ``isinstance(x, PositiveInt)`` holds for a ``PositiveNumeric`` within the alias's range.
    """

    def __init__(self, name: str, target: type[RefinedNumeric], long: bool):
        self.__name__ = name
        self.target = target
        self.long = long
        self.min_value = 1 if target is PositiveNumeric else 0
        self.max_value = LONG_MAX if long else INT_MAX

    def tryCreate(self, v: object) -> RefinedNumeric:
        n = _plain_int(v, f"{self.__name__}.tryCreate argument")
        if n > self.max_value:
            raise InvalidValue(f"{n} does not fit into {'a Long' if self.long else 'an Int'}")
        return self.target(n, long=self.long)

    def create(self, v: object) -> RefinedNumeric | None:
        try:
            return self.tryCreate(v)
        except InvalidValue:
            return None

    __call__ = tryCreate

    @property
    def zero(self) -> RefinedNumeric:
        return self.tryCreate(0)

    @property
    def one(self) -> RefinedNumeric:
        return self.tryCreate(1)

    @property
    def two(self) -> RefinedNumeric:
        return self.tryCreate(2)

    @property
    def three(self) -> RefinedNumeric:
        return self.tryCreate(3)

    @property
    def MaxValue(self) -> RefinedNumeric:
        return self.tryCreate(self.max_value)

    maxValue = MaxValue

    def __instancecheck__(self, obj: object) -> bool:
        return isinstance(obj, self.target) and obj.value <= self.max_value

    def __repr__(self) -> str:
        return self.__name__


PositiveInt = RefinedAlias("PositiveInt", PositiveNumeric, long=False)
PositiveLong = RefinedAlias("PositiveLong", PositiveNumeric, long=True)
NonNegativeInt = RefinedAlias("NonNegativeInt", NonNegativeNumeric, long=False)
NonNegativeLong = RefinedAlias("NonNegativeLong", NonNegativeNumeric, long=True)


# --------------------------------------------------------------------------------------------------
# Scala's FiniteDuration


@functools.total_ordering
@attrs.frozen(eq=False, repr=False)
class ScalaDuration:
    """Scala's ``FiniteDuration``: a length in some unit. Prints as Scala does: ``923 milliseconds``,
    ``10 seconds``, ``1 minute``.

    ``micros`` is the amount; ``unit`` the unit it was built in (``"millisecond"``, ``"second"``, …),
    which only affects the text. Without a unit the coarsest exact one is used, as ``toCoarsest``
    would (and ``0`` prints like ``Duration.Zero``: ``0 days``). Equality ignores the unit, as Scala's does.
    """

    micros: int
    unit: str | None = attrs.field(default=None, converter=lambda u: None if u is None else normalize_unit(u))

    def __attrs_post_init__(self) -> None:
        if isinstance(self.micros, bool) or not isinstance(self.micros, int):
            raise InvalidValue(f"a duration needs whole microseconds, got {self.micros!r}")

    @property
    def shown_unit(self) -> str:
        return self.unit if self.unit is not None else coarsest_unit(self.micros)

    @property
    def length(self) -> int:
        size = unit_micros(self.shown_unit)
        return abs(self.micros) // size * (1 if self.micros >= 0 else -1)

    def toMicros(self) -> int:
        return self.micros

    def toMillis(self) -> int:
        return _trunc_div(self.micros, MICROS_PER_MILLI)

    def toSeconds(self) -> int:
        return _trunc_div(self.micros, MICROS_PER_SECOND)

    def toMinutes(self) -> int:
        return _trunc_div(self.micros, MICROS_PER_MINUTE)

    def to_timedelta(self) -> _dt.timedelta:
        return _dt.timedelta(microseconds=self.micros)

    @property
    def canton_type(self) -> str:
        return "FiniteDuration"

    def __str__(self) -> str:
        return scala_duration_text(self.micros, self.shown_unit)

    def __repr__(self) -> str:
        return f"ScalaDuration({self})"

    def __pretty__(self) -> Tree:
        return Literal(str(self))

    def __hash__(self) -> int:
        return hash(("duration", self.micros))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ScalaDuration, RefinedDuration)):
            return self.micros == other.micros
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, (ScalaDuration, RefinedDuration)):
            return self.micros < other.micros
        return NotImplemented

    def __add__(self, other: object) -> "ScalaDuration":
        if isinstance(other, (ScalaDuration, RefinedDuration)):
            return ScalaDuration(self.micros + other.micros, _finer_unit(self.unit, getattr(other, "unit", None)))
        return NotImplemented

    def __sub__(self, other: object) -> "ScalaDuration":
        if isinstance(other, (ScalaDuration, RefinedDuration)):
            return ScalaDuration(self.micros - other.micros, _finer_unit(self.unit, getattr(other, "unit", None)))
        return NotImplemented

    def __mul__(self, factor: object) -> "ScalaDuration":
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            return ScalaDuration(round(self.micros * factor), self.unit)
        return NotImplemented

    __rmul__ = __mul__


def scala_duration(n: int, unit: str) -> ScalaDuration:
    """What Scala's ``n.seconds`` / ``Duration(n, MILLISECONDS)`` builds: ``scala_duration(10, "seconds")``."""
    length = _plain_int(n, "duration length")
    name = normalize_unit(unit)
    return ScalaDuration(length * unit_micros(name), name)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


def _finer_unit(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return None
    return a if unit_micros(a) <= unit_micros(b) else b


# --------------------------------------------------------------------------------------------------
# Canton's config durations


@functools.total_ordering
@attrs.frozen(eq=False, repr=False)
class RefinedDuration:
    """Common behaviour of Canton's config durations: an ``int`` of microseconds with an invariant.

    ``unit`` remembers the unit a constructor was called with, only so that error texts match Scala's
    (``Duration 0 seconds is not positive!``); equality and hashing use ``micros`` alone.
    """

    micros: int
    unit: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.micros, bool) or not isinstance(self.micros, int):
            raise InvalidValue(f"{type(self).__name__} needs whole microseconds, got {self.micros!r}")
        problem = self._problem(self.micros, ScalaDuration(self.micros, self.unit))
        if problem is not None:
            raise InvalidValue(problem)

    @classmethod
    def _problem(cls, micros: int, shown: ScalaDuration) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError

    # --- constructors, with Canton's names ----------------------------------------------------------
    @classmethod
    def _of(cls, n: object, unit: str):
        length = _plain_int(n, f"{cls.__name__} length")
        return cls(length * unit_micros(unit), unit=normalize_unit(unit))

    @classmethod
    def ofMicros(cls, n: int):
        return cls._of(n, "microsecond")

    @classmethod
    def ofMillis(cls, n: int):
        return cls._of(n, "millisecond")

    @classmethod
    def ofSeconds(cls, n: int):
        return cls._of(n, "second")

    @classmethod
    def ofMinutes(cls, n: int):
        return cls._of(n, "minute")

    @classmethod
    def ofHours(cls, n: int):
        return cls._of(n, "hour")

    @classmethod
    def ofDays(cls, n: int):
        return cls._of(n, "day")

    @classmethod
    def tryFromDuration(cls, d: object):
        """From a Scala ``FiniteDuration``, a ``timedelta`` or another Canton duration."""
        return cls.from_any(d)

    tryFromJavaDuration = tryFromDuration

    @classmethod
    def from_any(cls, x: object):
        """This type from anything that denotes a duration: another Canton duration, a
        ``ScalaDuration``, a ``datetime.timedelta``, or an ``int`` of microseconds (the runtime's own
        form). Invariant violations raise ``InvalidValue`` with Canton's text."""
        if isinstance(x, cls) and type(x) is cls:
            return x
        if isinstance(x, RefinedDuration):
            return cls(x.micros, unit=x.unit)
        if isinstance(x, ScalaDuration):
            return cls(x.micros, unit=x.unit)
        if isinstance(x, _dt.timedelta):
            return cls(to_micros(x))
        if isinstance(x, int) and not isinstance(x, bool):
            return cls(x)
        raise InvalidValue(
            f"expected a duration for {cls.__name__} (e.g. {cls.__name__}.ofSeconds(10)), got {type(x).__name__} {x!r}"
        )

    # --- accessors --------------------------------------------------------------------------------
    @property
    def duration(self) -> ScalaDuration:
        """The Scala ``FiniteDuration`` inside (``underlying``/``duration`` in Canton)."""
        return ScalaDuration(self.micros, self.unit)

    underlying = duration
    unwrap = duration

    def toMillis(self) -> int:
        return _trunc_div(self.micros, MICROS_PER_MILLI)

    def toSeconds(self) -> int:
        return _trunc_div(self.micros, MICROS_PER_SECOND)

    def to_timedelta(self) -> _dt.timedelta:
        return _dt.timedelta(microseconds=self.micros)

    @property
    def canton_type(self) -> str:
        return type(self).__name__

    def __int__(self) -> int:
        return self.micros

    def __str__(self) -> str:
        # Canton's config durations are PrettyPrinting: toString is the pretty text
        return canton_duration(self.micros)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({canton_duration(self.micros)})"

    def __pretty__(self) -> Tree:
        return Literal(canton_duration(self.micros))

    def __hash__(self) -> int:
        return hash(("duration", self.micros))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (RefinedDuration, ScalaDuration)):
            return self.micros == other.micros
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, (RefinedDuration, ScalaDuration)):
            return self.micros < other.micros
        return NotImplemented

    def __add__(self, other: object):
        if isinstance(other, (RefinedDuration, ScalaDuration)):
            return type(self)(self.micros + other.micros)
        return NotImplemented

    def __mul__(self, factor: object):
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            return type(self)(round(self.micros * factor))
        return NotImplemented

    __rmul__ = __mul__

    def plusSeconds(self, s: int):
        return type(self)(self.micros + _plain_int(s, "seconds") * MICROS_PER_SECOND)

    def minusSeconds(self, s: int):
        return type(self)(self.micros - _plain_int(s, "seconds") * MICROS_PER_SECOND)


@attrs.frozen(eq=False, repr=False)
class NonNegativeFiniteDuration(RefinedDuration):
    """A duration >= 0 (Canton's ``config.NonNegativeFiniteDuration``)."""

    Zero: ClassVar[NonNegativeFiniteDuration]  # set below the class: 0 days

    @classmethod
    def _problem(cls, micros: int, shown: ScalaDuration) -> str | None:
        return f"Duration {shown} is negative!" if micros < 0 else None


@attrs.frozen(eq=False, repr=False)
class PositiveFiniteDuration(RefinedDuration):
    """A duration > 0 (Canton's ``config.PositiveFiniteDuration``)."""

    @classmethod
    def _problem(cls, micros: int, shown: ScalaDuration) -> str | None:
        return f"Duration {shown} is not positive!" if micros <= 0 else None


@attrs.frozen(eq=False, repr=False)
class PositiveDurationSeconds(RefinedDuration):
    """A duration > 0 in whole seconds (Canton's ``config.PositiveDurationSeconds``), e.g. the
    reconciliation interval."""

    @classmethod
    def _problem(cls, micros: int, shown: ScalaDuration) -> str | None:
        if micros <= 0:
            return f"Duration {shown} is not positive"
        if micros % MICROS_PER_SECOND != 0:
            return f"Duration {shown} is not rounded to the second"
        return None


NonNegativeFiniteDuration.Zero = NonNegativeFiniteDuration(0, unit="day")


class DurationMicros(int):
    """A duration field kept as microseconds (so runtime arithmetic, storage and equality see a plain
    ``int``) that reads as the Canton duration it is: ``params.confirmationResponseTimeout`` echoes
    ``NonNegativeFiniteDuration = 30s``, as in Canton, not ``Int = 30000000``."""

    kind: type[RefinedDuration]

    def __new__(cls, micros: int, kind: type[RefinedDuration]):
        value = super().__new__(cls, micros)
        value.kind = kind
        return value

    @property
    def canton_type(self) -> str:
        return self.kind.__name__

    @property
    def duration(self) -> ScalaDuration:
        return ScalaDuration(int(self))

    underlying = duration
    unwrap = duration

    def toMillis(self) -> int:
        return _trunc_div(int(self), MICROS_PER_MILLI)

    def toSeconds(self) -> int:
        return _trunc_div(int(self), MICROS_PER_SECOND)

    def to_refined(self) -> RefinedDuration:
        return self.kind(int(self))

    def __pretty__(self) -> Tree:
        return Literal(canton_duration(int(self)))

    def __reduce__(self):
        return (DurationMicros, (int(self), self.kind))


def to_micros(x: Any) -> int:
    """Microseconds of anything that denotes a duration: the Canton and Scala duration types,
    ``timedelta`` (whole microseconds, as it holds), or an ``int`` taken as microseconds."""
    if isinstance(x, (RefinedDuration, ScalaDuration)):
        return x.micros
    if isinstance(x, DurationMicros):
        return int(x)
    if isinstance(x, _dt.timedelta):
        return (x.days * 86_400 + x.seconds) * MICROS_PER_SECOND + x.microseconds
    if isinstance(x, int) and not isinstance(x, bool):
        return x
    raise InvalidValue(f"expected a duration, got {type(x).__name__} {x!r}")


__all__ = [
    "INT_MAX",
    "LONG_MAX",
    "InvalidValue",
    "RefinedNumeric",
    "NonNegativeNumeric",
    "PositiveNumeric",
    "RefinedAlias",
    "PositiveInt",
    "PositiveLong",
    "NonNegativeInt",
    "NonNegativeLong",
    "ScalaDuration",
    "scala_duration",
    "RefinedDuration",
    "NonNegativeFiniteDuration",
    "PositiveFiniteDuration",
    "PositiveDurationSeconds",
    "to_micros",
    "MICROS_PER_SECOND",
    "MICROS_PER_MINUTE",
    "MICROS_PER_HOUR",
    "MICROS_PER_DAY",
]
