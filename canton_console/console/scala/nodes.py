"""Syntax tree of the console's Scala subset (what the parser builds and the code generator reads)."""

from __future__ import annotations

import attrs

# -- expressions -----------------------------------------------------------------------------------


@attrs.frozen
class Name:
    id: str


@attrs.frozen
class Literal:
    """A number (``python`` is its Python spelling), a string, or a boolean."""

    python: str
    numeric: bool = False


@attrs.frozen
class StringLit:
    value: str


@attrs.frozen
class Interpolated:
    """``s"text $name ${expr}"``: literal text and expressions, in order."""

    parts: tuple


@attrs.frozen
class ScalaNone:
    """Scala's ``None``."""


@attrs.frozen
class Unit:
    """Scala's ``()``."""


@attrs.frozen
class Placeholder:
    """An occurrence of ``_``; ``param`` is the parameter of the lambda it was turned into."""

    param: str


@attrs.frozen
class Select:
    obj: object
    name: str


@attrs.frozen
class Arg:
    name: str | None  # named argument ``name = value``
    value: object
    block: bool = False  # passed as ``{ ... }``
    line: int = 0  # position of the argument (for errors)
    column: int = 0


@attrs.frozen
class Call:
    fn: object
    args: tuple[Arg, ...]
    has_block: bool = False


@attrs.frozen
class Binary:
    op: str
    left: object
    right: object


@attrs.frozen
class Unary:
    op: str
    operand: object


@attrs.frozen
class If:
    cond: object
    then: object
    orelse: object | None


@attrs.frozen
class Paren:
    expr: object


@attrs.frozen
class Tuple:
    items: tuple[object, ...]


@attrs.frozen
class Lambda:
    params: tuple[str, ...]
    body: object


@attrs.frozen
class Block:
    stmts: tuple[object, ...]  # all but the result
    result: object | None  # the block's value (None: Unit)


@attrs.frozen
class Duration:
    value: str  # Python spelling of the number
    unit: str  # canonical unit: nanos, micros, millis, seconds, minutes, hours, days


# -- statements --------------------------------------------------------------------------------------


@attrs.frozen
class ValDef:
    name: str
    value: object


@attrs.frozen
class Import:
    names: tuple[str, ...]  # fully qualified; ``a.b._`` for wildcards, ``a.b.C=>D`` for renames


@attrs.frozen
class ExprStmt:
    expr: object
