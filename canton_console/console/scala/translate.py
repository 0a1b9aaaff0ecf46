"""``detect_syntax`` and ``translate``: the public entry points of the Scala translator."""

from __future__ import annotations

import ast
import textwrap
import warnings
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from . import nodes as n
from .codegen import CodeGen
from .lexer import Lexer
from .parser import Parser

# Methods with by-name parameters, by method name: positions (ints, in the flattened argument list,
# where a trailing ``{ ... }`` block is the next position) and/or parameter names (strs, for named
# arguments). Their arguments are passed as functions of no arguments (``lambda: expr``). Extensible.
BY_NAME_METHODS: dict[str, tuple[int | str, ...]] = {
    "retry_until_true": (0, "condition"),
}

# Packages whose ``import`` marks a Python-valid input as Scala.
SCALA_IMPORT_ROOTS = frozenset({"com", "scala", "java", "javax", "io", "org"})
_SCALA_NAMES = frozenset({"true", "false", "null"})


@attrs.frozen
class ScalaTranslation:
    """The Python for one Scala console input."""

    python: str  # Python source, possibly several statements; the last one is an expression statement
    # when the Scala input ends with an expression
    vals: tuple[str, ...]  # names defined with top-level ``val``, in order of first definition
    last_is_val_or_val_name: str | None  # ``x`` if the last statement is ``val x = e`` or the bare name ``x``
    imports: tuple[str, ...] = ()  # what the (dropped) imports named: ``a.b.C``, ``a.b._``, ``a.b.C=>D``

    @property
    def python_with_imports(self) -> str:
        """``python`` preceded by a ``__cc_import(...)`` call carrying out the imports, if any."""
        if not self.imports:
            return self.python
        return f"__cc_import({', '.join(repr(i) for i in self.imports)})\n{self.python}"


def translate(
    source: str,
    *,
    by_name_methods: Mapping[str, tuple[int | str, ...]] | None = None,
    inspect: Callable[[list], None] | None = None,
) -> ScalaTranslation:
    """Translate a Scala console input into Python source; raises ``ScalaSyntaxError``.

    ``inspect``, if given, is called with the parsed statements (what the user wrote) before any code
    is generated; it may raise to refuse the input."""
    tokens = Lexer(source).tokenize()
    stmts = Parser(source, tokens).parse_program()
    if inspect is not None:
        inspect(stmts)
    python = CodeGen(BY_NAME_METHODS if by_name_methods is None else by_name_methods).program(stmts)
    vals: list[str] = []
    imports: list[str] = []
    for stmt in stmts:
        if isinstance(stmt, n.ValDef) and stmt.name not in vals:
            vals.append(stmt.name)
        elif isinstance(stmt, n.Import):
            imports.extend(stmt.names)
    last = None
    if stmts:
        final = stmts[-1]
        if isinstance(final, n.ValDef):
            last = final.name
        elif isinstance(final, n.ExprStmt) and isinstance(final.expr, n.Name):
            last = final.expr.id
    return ScalaTranslation(python, tuple(vals), last, tuple(imports))


def _parse_quietly(source: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "invalid decimal literal" for Scala's 10.seconds
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return None  # Python cannot read it (too deeply nested, too complex): try Scala


def _python_tree(source: str) -> ast.Module | None:
    tree = _parse_quietly(source)
    if tree is None:
        dedented = textwrap.dedent(source)
        if dedented != source:
            tree = _parse_quietly(dedented)
    return tree


def _has_scala_markers(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in _SCALA_NAMES:
                return True
            if node.id == "_" and isinstance(node.ctx, ast.Load):
                return True  # Scala placeholder (in Python it would be the last result)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in SCALA_IMPORT_ROOTS or parts[-1] == "_":
                    return True
    return False


def detect_syntax(source: str) -> Literal["python", "scala"]:
    """Which language a console input is in: Python if it parses as Python without Scala markers.

    Scala markers in a Python-valid input: a bare ``_`` read in an expression, the names ``true``,
    ``false`` or ``null``, an ``import`` of a Canton/Scala/Java package (``com.``, ``scala.`` ...) or a
    wildcard ``import a.b._``. Inputs that read the same in both languages (``participant1.health.ping(participant2)``)
    are Python.
    """
    tree = _python_tree(source)
    if tree is None:
        return "scala"
    return "scala" if _has_scala_markers(tree) else "python"
