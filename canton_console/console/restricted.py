"""The restricted mode transcripts run in: Canton commands and values, no arbitrary Python.

A transcript is a document, often someone else's: ``transcript check`` must not let one of its steps
run ``__import__("os").system(...)``. In restricted mode a step may not

* import anything (``import``/``from ... import``),
* use a name, attribute, keyword argument or parameter starting with ``_`` (``__class__``,
  ``__globals__``, ``_node`` ...; the bare ``_`` of Scala's placeholder lambdas is fine),
* define classes, or use ``global``/``nonlocal``, ``async``/``await``, ``yield``,
* call ``str.format``/``format_map`` (which read attributes by name) or reach a frame's globals
  (``gi_frame``, ``f_globals``, ``f_builtins``, ``tb_frame`` ...),
* use a builtin outside :data:`SAFE_BUILTINS` (no ``open``, ``eval``, ``exec``, ``getattr``,
  ``__import__``, ``globals``, ``vars``, ``type`` ...).

The check reads what the user wrote: the Python syntax tree of a Python step, the Scala syntax tree of
a Scala step (before the translation adds its own ``__cc_*`` helpers). ``--allow-python`` lifts it.
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import Any

import attrs

ALLOW_HINT = "transcripts run restricted; --allow-python lifts this"

SAFE_BUILTIN_NAMES = (
    "abs all any ascii bin bool bytes chr complex dict divmod enumerate filter float frozenset hash hex "
    "int isinstance issubclass iter len list map max min next oct ord pow print range repr reversed "
    "round set slice sorted str sum tuple zip "
    "ArithmeticError AssertionError AttributeError Exception IndexError KeyError LookupError NameError "
    "RuntimeError StopIteration TypeError ValueError ZeroDivisionError"
).split()
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
SAFE_BUILTINS.update({"True": True, "False": False, "None": None})

# ``format`` reads attributes by name; the others lead from a generator, coroutine, traceback or
# frame to a frame's globals and builtins (``(x for x in ()).gi_frame.f_builtins``).
FORBIDDEN_ATTRIBUTES = frozenset({
    "format", "format_map",
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code", "ag_await",
    "f_globals", "f_builtins", "f_locals", "f_back", "f_code", "tb_frame", "tb_next", "co_code", "mro",
})
_GENERATED_PARAM = re.compile(r"__x\d+")  # the Scala translator's placeholder parameters


class NotAllowed(Exception):
    """A step does something restricted mode forbids; the message says what."""

    def __init__(self, what: str):
        super().__init__(f"not allowed in a transcript: {what} ({ALLOW_HINT})")


def _underscore(name: str | None) -> bool:
    return name is not None and name.startswith("_") and name != "_"


# ---- Python ---------------------------------------------------------------------------------------

_PY_FORBIDDEN = {
    ast.Import: "importing Python modules",
    ast.ImportFrom: "importing Python modules",
    ast.ClassDef: "class definitions",
    ast.Global: "'global'",
    ast.Nonlocal: "'nonlocal'",
    ast.AsyncFunctionDef: "async functions",
    ast.AsyncFor: "async loops",
    ast.AsyncWith: "async with",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
}


def check_python(tree: ast.AST) -> None:
    """Raise :class:`NotAllowed` for the first thing in ``tree`` restricted mode forbids."""
    for node in ast.walk(tree):
        what = _PY_FORBIDDEN.get(type(node))
        if what is not None:
            raise NotAllowed(what)
        if isinstance(node, ast.Name) and _underscore(node.id):
            raise NotAllowed(f"the name '{node.id}' (names starting with '_')")
        if isinstance(node, ast.Attribute):
            _check_member("attribute", node.attr)
        if isinstance(node, ast.keyword) and _underscore(node.arg):
            raise NotAllowed(f"the keyword argument '{node.arg}'")
        if isinstance(node, ast.arg) and _underscore(node.arg):
            raise NotAllowed(f"the parameter name '{node.arg}'")
        if isinstance(node, ast.FunctionDef) and _underscore(node.name):
            raise NotAllowed(f"the function name '{node.name}'")


def _check_member(kind: str, name: str) -> None:
    """An attribute (Python) or member (Scala) the user selects: no '_' names, none of the
    frame and code attributes."""
    if _underscore(name):
        raise NotAllowed(f"the {kind} '{name}' ({kind}s starting with '_')")
    if name in FORBIDDEN_ATTRIBUTES:
        raise NotAllowed(f"the {kind} '{name}'")


# ---- Scala ----------------------------------------------------------------------------------------


def check_scala(stmts: list) -> None:
    """The same rules on the Scala syntax tree (what the user wrote, before translation)."""
    from canton_console.console.scala import nodes as n

    stack: list[Any] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if not attrs.has(type(node)):
            continue
        if isinstance(node, n.Name) and _underscore(node.id):
            raise NotAllowed(f"the name '{node.id}' (names starting with '_')")
        if isinstance(node, n.Select):
            _check_member("member", node.name)
        if isinstance(node, n.Arg) and _underscore(node.name):
            raise NotAllowed(f"the named argument '{node.name}'")
        if isinstance(node, n.ValDef) and _underscore(node.name):
            raise NotAllowed(f"the val name '{node.name}'")
        if isinstance(node, n.Lambda):
            for param in node.params:
                if _underscore(param) and not _GENERATED_PARAM.fullmatch(param):
                    raise NotAllowed(f"the parameter name '{param}'")
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if isinstance(value, (list, tuple)) or attrs.has(type(value)):
                stack.append(value)
