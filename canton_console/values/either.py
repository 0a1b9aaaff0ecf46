"""Scala's ``Either`` as the console shows it: ``Right(value)`` or ``Left(value)``, printed by pprint
as ``Right(value = ...)``. Canton's parsers (``fromProtoPrimitive``) and the sequencer's traffic
status return one."""

from __future__ import annotations

from typing import Any

from canton_console.pretty import Apply, Infix, Literal, Tree, to_tree


class Either:
    """``Right(value)`` or ``Left(value)``. ``scala_type``, when given, is the Scala type the console
    echoes (``ParsingResult[PartyId]``); otherwise ``Right[T]`` / ``Left[T]`` of the value's type."""

    __slots__ = ("_right", "_scala_type", "_value")

    def __init__(self, value: Any, right: bool, scala_type: str | None = None):
        self._value = value
        self._right = right
        self._scala_type = scala_type

    @property
    def isRight(self) -> bool:
        return self._right

    @property
    def isLeft(self) -> bool:
        return not self._right

    @property
    def value(self) -> Any:
        return self._value

    @property
    def toOption(self):
        # Option is the console's Scala library; imported here so this value layer does not load it
        from canton_console.values.scala import NONE, Some

        return Some(self._value) if self._right else NONE

    def getOrElse(self, default: Any) -> Any:
        return self._value if self._right else default

    def exists(self, predicate) -> bool:
        return self._right and bool(predicate(self._value))

    def map(self, fn) -> Either:
        return Either(fn(self._value), True) if self._right else self

    def leftMap(self, fn) -> Either:
        return self if self._right else Either(fn(self._value), False)

    def flatMap(self, fn) -> Either:
        return fn(self._value) if self._right else self

    def fold(self, on_left, on_right) -> Any:
        return on_right(self._value) if self._right else on_left(self._value)

    def valueOr(self, fn) -> Any:
        return self._value if self._right else fn(self._value)

    def typed(self, scala_type: str) -> Either:
        """The same result, echoed with the given Scala type."""
        return Either(self._value, self._right, scala_type)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Either) and (self._right, self._value) == (other._right, other._value)

    def __hash__(self) -> int:
        return hash((self._right, self._value))

    def __pretty__(self) -> Tree:
        return Apply("Right" if self._right else "Left", (Infix(Literal("value"), "=", to_tree(self._value)),))

    def __repr__(self) -> str:
        return f"{'Right' if self._right else 'Left'}({self._value!r})"

    @property
    def canton_type(self) -> str:
        if self._scala_type is not None:
            return self._scala_type
        from canton_console.values.scala import type_name

        return f"{'Right' if self._right else 'Left'}[{type_name(self._value)}]"


def Right(value: Any, scala_type: str | None = None) -> Either:
    return Either(value, True, scala_type)


def Left(value: Any, scala_type: str | None = None) -> Either:
    return Either(value, False, scala_type)
