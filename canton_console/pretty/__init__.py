"""Canton's pretty-printing trees, rendered the way the Ammonite console's pprint lays them out.

Every value the console shows is turned into a small tree first: ``Apply`` for ``Name(child, ...)``,
``Infix`` for ``label = value`` and ``key -> value``, ``Literal`` for a finished piece of text. The
renderer keeps a subtree on one line when it fits in the remaining width and otherwise puts every
child on its own line, indented by two more spaces, closing the parenthesis on a line of its own.

This package depends on nothing else in canton_console, so the runtime's records can describe
themselves (``__pretty__``) without knowing about the console.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import attrs

DEFAULT_WIDTH = 80
INDENT = 2


@attrs.frozen
class Literal:
    """Finished text, printed as is."""

    text: str


def _trees(children: Iterable[Tree]) -> tuple[Tree, ...]:
    """The children of an ``Apply``, as a tuple (any iterable of trees is accepted)."""
    return tuple(children)


@attrs.frozen
class Apply:
    """``prefix(child, child, ...)``; an empty child list prints ``prefix()``."""

    prefix: str
    children: tuple[Tree, ...] = attrs.field(converter=_trees, factory=tuple)


@attrs.frozen
class Infix:
    """``lhs op rhs``, as in ``label = value`` or ``key -> value``."""

    lhs: "Tree"
    op: str
    rhs: "Tree"


Tree = Literal | Apply | Infix


@runtime_checkable
class Pretty(Protocol):
    """A value that knows its Canton rendering."""

    def __pretty__(self) -> Tree: ...


def param(label: str, value: object) -> Infix:
    """A ``label = value`` field, as Canton's ``param(...)`` in ``prettyOfClass``."""
    return Infix(Literal(label), "=", to_tree(value))


def klass(name: str, *fields: Tree | None) -> Apply:
    """``Name(field, ...)``, leaving out fields given as None (Canton's ``paramIfDefined``)."""
    return Apply(name, tuple(f for f in fields if f is not None))


def to_tree(value: object) -> Tree:
    """The tree of any value: Pretty objects describe themselves, the rest uses Scala-ish text."""
    if isinstance(value, (Literal, Apply, Infix)):
        return value
    if isinstance(value, type):  # a class stands for its Scala companion object: print its name
        name = getattr(value, "canton_type", None)
        return Literal(name if isinstance(name, str) else value.__name__)
    pretty = getattr(value, "__pretty__", None)
    if pretty is not None and callable(pretty):
        return pretty()
    if isinstance(value, bool):
        return Literal("true" if value else "false")
    if isinstance(value, str):
        return Literal(scala_string(value))
    if value is None:
        return Literal("None")
    if isinstance(value, dict):
        return Apply("Map", tuple(Infix(to_tree(k), "->", to_tree(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return Apply("Vector" if isinstance(value, list) else "Seq", tuple(to_tree(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return Apply("Set", tuple(to_tree(v) for v in sorted(value, key=str)))
    return Literal(str(value))


def scala_string(s: str) -> str:
    """A string literal as Scala's pprint shows it: double quotes, escapes for quote and backslash."""
    escaped = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def flat(tree: Tree) -> str:
    """The one-line text of a tree."""
    if isinstance(tree, Literal):
        return tree.text
    if isinstance(tree, Infix):
        return f"{flat(tree.lhs)} {tree.op} {flat(tree.rhs)}"
    return f"{tree.prefix}(" + ", ".join(flat(c) for c in tree.children) + ")"


def render(value: object, width: int = DEFAULT_WIDTH, start_column: int = 0) -> str:
    """Render a value or tree; ``start_column`` is where the first line begins (after ``res1: T = ``)."""
    tree = to_tree(value)
    return "".join(_render(tree, indent=0, column=start_column, width=width, trailing=0))


def _render(tree: Tree, indent: int, column: int, width: int, trailing: int) -> Iterable[str]:
    """Yield the pieces of ``tree`` starting at ``column``; ``trailing`` counts characters that must
    follow on the same line (a closing ``,`` or ``)``), so that a fit really fits."""
    one_line = flat(tree)
    if "\n" not in one_line and column + len(one_line) + trailing <= width:
        yield one_line
        return
    if isinstance(tree, Literal):
        yield tree.text
        return
    if isinstance(tree, Infix):
        lhs = flat(tree.lhs)
        head = f"{lhs} {tree.op} "
        yield head
        yield from _render(tree.rhs, indent, column + len(head), width, trailing)
        return
    if not tree.children:
        yield f"{tree.prefix}()"
        return
    inner = indent + INDENT
    yield f"{tree.prefix}(\n"
    last = len(tree.children) - 1
    for i, child in enumerate(tree.children):
        yield " " * inner
        yield from _render(child, inner, inner, width, trailing=0 if i == last else 1)
        yield ",\n" if i != last else "\n"
    yield " " * indent + ")"


def seq_tree(items: Sequence[object], name: str = "Seq") -> Tree:
    """A collection as Canton's Pretty shows it: the bare element when there is exactly one."""
    if len(items) == 1:
        return to_tree(items[0])
    return Apply(name, tuple(to_tree(i) for i in items))
