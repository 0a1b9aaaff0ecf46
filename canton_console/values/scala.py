"""The few Scala library values Canton's documentation uses: ``Option`` (``Some(x)``, ``None``) and
``Seq``. They behave as in Scala (``getOrElse``, ``exists``, ``map``, ``isDefined``, …) and render as
the Ammonite console renders them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from canton_console.pretty import Apply, Infix, Literal, to_tree


class Option:
    """Scala's Option. ``Some(x)`` holds a value; ``NONE`` (Scala's ``None``) holds none."""

    __slots__ = ("_value", "_defined")

    def __init__(self, value: Any = None, defined: bool = False):
        self._value = value
        self._defined = defined

    # Scala API ------------------------------------------------------------------------------
    @property
    def isDefined(self) -> bool:
        return self._defined

    @property
    def nonEmpty(self) -> bool:
        return self._defined

    @property
    def isEmpty(self) -> bool:
        return not self._defined

    @property
    def get(self) -> Any:
        if not self._defined:
            raise NoSuchElement("None.get")
        return self._value

    def getOrElse(self, default: Any) -> Any:
        if self._defined:
            return self._value
        return default() if callable(default) and not hasattr(default, "__pretty__") else default

    def exists(self, predicate: Callable[[Any], bool]) -> bool:
        return self._defined and bool(predicate(self._value))

    def forall(self, predicate: Callable[[Any], bool]) -> bool:
        return (not self._defined) or bool(predicate(self._value))

    def contains(self, value: Any) -> bool:
        return self._defined and self._value == value

    def map(self, fn: Callable[[Any], Any]) -> "Option":
        return Some(fn(self._value)) if self._defined else NONE

    def flatMap(self, fn: Callable[[Any], "Option"]) -> "Option":
        return fn(self._value) if self._defined else NONE

    def filter(self, predicate: Callable[[Any], bool]) -> "Option":
        return self if self._defined and predicate(self._value) else NONE

    def foreach(self, fn: Callable[[Any], Any]) -> None:
        if self._defined:
            fn(self._value)

    def orElse(self, other: "Option") -> "Option":
        return self if self._defined else other

    @property
    def toList(self) -> "Seq":
        return Seq(self._value) if self._defined else Seq()

    # Python ---------------------------------------------------------------------------------
    def __bool__(self) -> bool:
        return self._defined

    def __eq__(self, other: object) -> bool:
        if other is None:
            return not self._defined
        return isinstance(other, Option) and (self._defined, self._value) == (other._defined, other._value)

    def __hash__(self) -> int:
        return hash((self._defined, self._value))

    def __iter__(self):
        if self._defined:
            yield self._value

    def __pretty__(self):
        if not self._defined:
            return Literal("None")
        return Apply("Some", (Infix(Literal("value"), "=", to_tree(self._value)),))

    def __repr__(self) -> str:
        return f"Some({self._value!r})" if self._defined else "None"

    @property
    def canton_type(self) -> str:
        return f"Some[{type_name(self._value)}]" if self._defined else "None.type"


class NoSuchElement(Exception):
    pass


def Some(value: Any) -> Option:  # noqa: N802 - Scala's name
    return Option(value, True)


NONE = Option()


def option(value: Any) -> Option:
    """A Python value as an Option: None becomes ``None``; an Option stays as it is."""
    if isinstance(value, Option):
        return value
    return NONE if value is None else Some(value)


class Seq(list):
    """Scala's Seq over a Python list: ``map``, ``foreach``, ``filter``, ``exists``, ``head`` …"""

    scala_name = "List"

    def __init__(self, *items: Any):
        super().__init__(items)

    @classmethod
    def of(cls, items: Iterable[Any]) -> "Seq":
        return cls(*items)

    def map(self, fn: Callable) -> "Seq":
        """The mapped elements, in a collection of the same kind (a Vector maps to a Vector)."""
        return self._kind().of(fn(x) for x in self)

    def flatMap(self, fn: Callable) -> "Seq":
        """The concatenated results of ``fn`` (each a collection or an Option); typed as the results
        are when they all declare one element type."""
        results = [fn(x) for x in self]
        types = {r.element_type for r in results if isinstance(r, TypedVector)}
        items = (y for r in results for y in _elements(r))
        if len(types) == 1 and all(isinstance(r, TypedVector) for r in results):
            return TypedVector(types.pop(), *items)
        return self._kind().of(items)

    @property
    def flatten(self) -> "Seq":
        return self._kind().of(y for x in self for y in _elements(x))

    def collect(self, fn: Callable) -> "Seq":
        """Scala's ``collect`` with a function: the results that are not ``None``."""
        return self._kind().of(y for y in (fn(x) for x in self) if y is not None)

    def mkString(self, sep: str = "", *more: str) -> str:
        """``mkString(sep)`` or ``mkString(start, sep, end)``, each element as ``toString`` gives it."""
        start, sep, end = (sep, more[0], more[1]) if len(more) == 2 else ("", sep, "")
        return start + sep.join(_text(x) for x in self) + end

    def sortBy(self, fn: Callable) -> "Seq":
        return self._kind().of(sorted(self, key=fn))

    @property
    def sorted(self) -> "Seq":
        return self._kind().of(sorted(self))

    @property
    def distinct(self) -> "Seq":
        seen: list[Any] = []
        for x in self:
            if x not in seen:
                seen.append(x)
        return self._kind().of(seen)

    def take(self, n: int) -> "Seq":
        return self._kind().of(self[: max(n, 0)])

    def drop(self, n: int) -> "Seq":
        return self._kind().of(self[max(n, 0) :])

    def takeWhile(self, fn: Callable) -> "Seq":
        out = []
        for x in self:
            if not fn(x):
                break
            out.append(x)
        return self._kind().of(out)

    def count(self, fn: Any) -> int:
        """Scala's ``count(predicate)``; with a value that is not callable, a list's count of it."""
        if callable(fn) and not hasattr(fn, "__pretty__"):
            return sum(1 for x in self if fn(x))
        return super().count(fn)

    def foldLeft(self, zero: Any) -> Callable[[Callable], Any]:
        """``xs.foldLeft(z)((acc, x) => ...)``: Scala's curried fold."""

        def fold(fn: Callable) -> Any:
            acc = zero
            for x in self:
                acc = fn(acc, x)
            return acc

        return fold

    def zip(self, other: Iterable[Any]) -> "Seq":
        return self._kind().of(ScalaTuple(a, b) for a, b in zip(self, other, strict=False))

    @property
    def zipWithIndex(self) -> "Seq":
        return self._kind().of(ScalaTuple(x, i) for i, x in enumerate(self))

    @property
    def toSet(self) -> "ScalaSet":
        return ScalaSet(*self)

    @property
    def toVector(self) -> "Seq":
        return Vector(*self)

    def foreach(self, fn: Callable) -> None:
        for x in self:
            fn(x)

    def filter(self, fn: Callable) -> "Seq":
        return self._kind().of(x for x in self if fn(x))

    def _kind(self) -> type["Seq"]:
        """The Scala collection a transformation of this one builds: Set, Vector or List."""
        for kind in (ScalaSet, Vector):
            if isinstance(self, kind):
                return kind
        return Seq

    def exists(self, fn: Callable) -> bool:
        return any(fn(x) for x in self)

    def forall(self, fn: Callable) -> bool:
        return all(fn(x) for x in self)

    def find(self, fn: Callable) -> Option:
        for x in self:
            if fn(x):
                return Some(x)
        return NONE

    @property
    def head(self) -> Any:
        if not self:
            raise NoSuchElement("head of empty list")
        return self[0]

    @property
    def headOption(self) -> Option:
        return Some(self[0]) if self else NONE

    @property
    def last(self) -> Any:
        if not self:
            raise NoSuchElement("last of empty list")
        return self[-1]

    @property
    def lastOption(self) -> Option:
        return Some(self[-1]) if self else NONE

    @property
    def size(self) -> int:
        return len(self)

    @property
    def length(self) -> int:
        return len(self)

    @property
    def isEmpty(self) -> bool:
        return not self

    @property
    def nonEmpty(self) -> bool:
        return bool(self)

    @property
    def toList(self) -> "Seq":
        return self

    @property
    def toSeq(self) -> "Seq":
        return self

    def contains(self, x: Any) -> bool:
        return x in self

    def __pretty__(self):
        return Apply(self.scala_name, tuple(to_tree(x) for x in self))

    @property
    def canton_type(self) -> str:
        inner = type_name(self[0]) if self else "Nothing"
        return f"Seq[{inner}]"


def _elements(value: Any) -> Iterable[Any]:
    """What ``flatMap``/``flatten`` take from one result: an Option's value or a collection's elements."""
    if isinstance(value, Option):
        return [value.get] if value.isDefined else []
    return value


def _text(value: Any) -> str:
    """An element as Scala's ``toString`` (and so ``mkString`` and ``s"..."``) writes it."""
    return str(value)


class Vector(Seq):
    """What Canton's commands return for sequences (rendered ``Vector(...)``)."""

    scala_name = "Vector"


class TypedVector(Vector):
    """A ``Vector`` typed as the command declares it (``Seq[ListPartyToParticipantResult]``), also
    when empty: ``element_type`` names the elements' Scala type."""

    def __init__(self, element_type: str, *items: Any):
        super().__init__(*items)
        self.element_type = element_type

    @property
    def canton_type(self) -> str:
        return f"Seq[{self.element_type}]"


class ScalaSet(Seq):
    """Scala's immutable Set: distinct elements in the order first given (as Scala's small sets
    iterate), rendered ``Set(...)``; equal to another set with the same elements."""

    scala_name = "Set"

    def __init__(self, *items: Any):
        distinct: list[Any] = []
        for item in items:
            if item not in distinct:
                distinct.append(item)
        super().__init__(*distinct)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, set, frozenset)):
            return len(self) == len(other) and all(x in other for x in self) and all(x in self for x in other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # mutable, as the list it is

    def __add__(self, other: Any) -> "ScalaSet":  # Scala: set + element
        return ScalaSet(*self, other)

    def __sub__(self, other: Any) -> "ScalaSet":
        return ScalaSet(*[x for x in self if x != other])

    @property
    def canton_type(self) -> str:
        inner = type_name(self[0]) if self else "Nothing"
        return f"Set[{inner}]"


class ScalaTuple(tuple):
    """A Scala tuple ``(a, b)``: ``_1``, ``_2`` ..., typed ``(A, B)``; ``types`` names the element
    types where the command declares them (else each element's own type)."""

    types: tuple[str, ...] | None = None

    def __new__(cls, *items: Any, types: tuple[str, ...] | None = None) -> "ScalaTuple":
        made = super().__new__(cls, items)
        made.types = types
        return made

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") and name[1:].isdigit() and 1 <= int(name[1:]) <= len(self):
            return self[int(name[1:]) - 1]
        raise AttributeError(name)

    @property
    def canton_type(self) -> str:
        return "(" + ", ".join(self.types or tuple(type_name(v) for v in self)) + ")"

    def __pretty__(self):
        return Apply("", tuple(to_tree(v) for v in self))


class ScalaMap(dict):
    """A Scala Map: ``m(key)`` looks up a key, rendered ``Map(k -> v, ...)``."""

    def updated(self, key: Any, value: Any) -> "ScalaMap":
        """A copy with ``key`` bound to ``value`` (Scala's ``Map.updated``)."""
        copy = ScalaMap(self)
        copy[key] = value
        return copy

    def removed(self, key: Any) -> "ScalaMap":
        """A copy without ``key`` (Scala's ``Map.removed``)."""
        return ScalaMap((k, v) for k, v in self.items() if k != key)

    def contains(self, key: Any) -> bool:
        return key in self

    def __call__(self, key: Any) -> Any:
        for k, v in self.items():
            if k == key or _same_member(k, key):
                return v
        raise NoSuchElement(f"key not found: {key}")

    def get_option(self, key: Any) -> Option:
        try:
            return Some(self(key))
        except NoSuchElement:
            return NONE

    @property
    def size(self) -> int:
        return len(self)

    @property
    def isEmpty(self) -> bool:  # noqa: N802 - Scala's name
        return not self

    @property
    def nonEmpty(self) -> bool:  # noqa: N802 - Scala's name
        return bool(self)

    @property
    def keySet(self) -> Vector:  # noqa: N802 - Scala's name
        return Vector(*self)

    def __pretty__(self):
        return Apply("Map", tuple(Infix(to_tree(k), "->", to_tree(v)) for k, v in self.items()))


def member_key(value: Any) -> str:
    """The member id a key stands for: an id, its text, or an object that names its member
    (``__canton_member_id__``, as node references do)."""
    from canton_console.values.ids import Member

    named = getattr(value, "__canton_member_id__", None)
    if callable(named):
        return named()
    if isinstance(value, Member):
        return str(value)
    if isinstance(value, str):
        return str(Member.parse(value))
    raise TypeError(value)


def _same_member(a: Any, b: Any) -> bool:
    """References and ids of the same member are the same key (``trafficStates(participant1)``)."""
    try:
        return member_key(a) == member_key(b)
    except Exception:  # noqa: BLE001 - not a member: simply not equal
        return False


class ScalaLong(int):
    """A Scala ``Long`` literal (``1000000L``): an int whose Canton type is ``Long``."""

    canton_type = "Long"

    def __repr__(self) -> str:
        return f"{int(self)}L"

    def __str__(self) -> str:
        return int.__repr__(self)


def type_name(value: Any) -> str:
    """The Scala type Canton's console would print for a value."""
    explicit = getattr(value, "canton_type", None)
    if isinstance(value, type):  # a class stands for its Scala companion object
        return f"{explicit if isinstance(explicit, str) else value.__name__}.type"
    if isinstance(explicit, str):
        return explicit
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Int" if -(2**31) <= value < 2**31 else "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dt.timedelta):
        return "FiniteDuration"
    if isinstance(value, (list, tuple)):
        inner = type_name(value[0]) if value else "Nothing"
        return f"Seq[{inner}]"
    if isinstance(value, dict):
        if not value:
            return "Map[Nothing, Nothing]"
        k, val = next(iter(value.items()))
        return f"Map[{type_name(k)}, {type_name(val)}]"
    if callable(value):
        return "Function"
    return type(value).__name__
