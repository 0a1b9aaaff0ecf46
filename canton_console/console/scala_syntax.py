r'''Scala console input -> Python source.

Canton's console is a Scala REPL; operators paste the documentation's Scala commands. This module
decides which language an input is in (:func:`detect_syntax`) and translates the supported Scala subset
into Python (:func:`translate`) with a real tokenizer and parser (package ``canton_console.console.scala``).

The subset
----------
* ``val x = e`` / ``val x: Type = e`` -> ``x = e`` (the type is dropped).
* ``import a.b.C``, ``import a.b.{C, D}``, ``import a.b._`` -> nothing (recorded in ``imports``).
* Literals: ``1000000L`` -> ``1000000``; ``true``/``false``; ``"..."`` with Scala escapes and
  ``"""..."""``; ``'c'`` -> ``"c"``; ``null`` is rejected.
* Calls with named arguments ``f(a = b)`` -> ``f(a=b)`` (names are kept as written), trailing commas.
  A positional argument after named ones -> ``__cc_apply(f, [(name_or_None, value), ...])``.
* ``Seq(...)``, ``Some(x)``, ``Map(a -> b)`` stay calls to names the console binds; ``a -> b`` ->
  ``(a, b)``; ``None`` -> ``__cc_None``; ``Nil`` -> ``Seq()``; ``()`` -> ``None``; tuples.
* Placeholder lambdas (``_.foo``, ``_ >= n``, ``_ + _``) with Scala's scope rule (the smallest enclosing
  Expr that properly contains the ``_``; a bare ``_`` argument expands the enclosing one: ``f(g(_))`` ->
  ``f(lambda x: g(x))``), and ``x => e``, ``(x, y) => e``, ``(x: Int) => e``, ``{ x => ...stmts }``.
* By-name parameters (``BY_NAME_METHODS``: method name -> positions / parameter names) get
  ``lambda: e``. Blocks ``{ s1; s2; e }`` become a hoisted ``def __cc_block_N(): s1; s2; return e``
  passed as ``__cc_block_N`` (by-name) or called ``__cc_block_N()``. ``f(a) { b }`` is one call ``f(a, b)``.
* Durations ``10.seconds``, ``500.millis``, ``1.second`` ... -> ``__cc_duration(10, "seconds")``.
* Member selection without an argument list ``a.b`` -> ``__cc_sel(a, "b")`` (Scala auto-application);
  ``a.b(...)`` and ``a.b { ... }`` are plain attribute calls.
* Statements split by ``;`` or a newline (Scala's rules: lines starting with ``.`` or an infix operator,
  and lines ending with an operator, ``=``, ``=>``, ``,`` or inside ``(...)`` continue); ``//`` and
  nested ``/* */`` comments.
* Operators ``== != < <= > >= + - * / % & | ^ << >> ++``, ``&&``/``||`` -> ``and``/``or``, ``!x`` ->
  ``not x``, unary ``-``/``+``/``~``; ``/``/``%`` -> ``__cc_div``/``__cc_mod`` (Scala integer semantics);
  ``if (c) a else b`` -> ``(a if c else b)``.

Everything else (``def``, ``var``, ``match``, type parameters ``f[Int]``, ``new``, ``for``, string
interpolation, infix method calls without ``.``, type ascriptions ...) raises :class:`ScalaSyntaxError`
naming the construct and its line/column.

Runtime helper contracts (``__cc_*`` names, bound from :data:`RUNTIME_HELPERS`; see
``canton_console.console.scala.runtime`` for details):

* ``__cc_sel(obj, name)`` -- ``getattr``; calls the result if it is a method/function callable with no
  arguments (Scala auto-application); ``n.seconds`` on a number gives a duration.
* ``__cc_apply(func, items)`` (:func:`cc_apply`) -- Scala argument binding: positional items bind the
  parameter at their own index (even after named ones), named items by name or by snake_case name.
* ``__cc_duration(value, unit)`` -- unit in nanos/micros/millis/seconds/minutes/hours/days ->
  ``datetime.timedelta`` (the console may replace it).
* ``__cc_div(a, b)`` / ``__cc_mod(a, b)`` -- Scala ``/`` and ``%`` (truncating on ints).
* ``__cc_None`` -- Scala ``None`` (default Python ``None``; the console binds its empty Option).

Execute translated code in ONE namespace dict (``exec(code, ns)``), with ``RUNTIME_HELPERS`` in it.
'''

from __future__ import annotations

from .scala import (
    BY_NAME_METHODS,
    DURATION_UNITS,
    RUNTIME_HELPERS,
    ScalaSyntaxError,
    ScalaTranslation,
    cc_apply,
    cc_div,
    cc_duration,
    cc_mod,
    cc_sel,
    detect_syntax,
    snake_case,
    translate,
)

__all__ = [
    "BY_NAME_METHODS",
    "DURATION_UNITS",
    "RUNTIME_HELPERS",
    "ScalaSyntaxError",
    "ScalaTranslation",
    "cc_apply",
    "cc_div",
    "cc_duration",
    "cc_mod",
    "cc_sel",
    "detect_syntax",
    "snake_case",
    "translate",
]
