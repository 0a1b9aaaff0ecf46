"""Runtime helpers the translated Python calls (``__cc_*`` names; see ``RUNTIME_HELPERS``).

Contracts (the console binds each name in the evaluation namespace, and may replace any of them):

``__cc_sel(obj, name)``
    Scala member selection without an argument list. Returns ``getattr(obj, name)``; when that is a
    method or function callable with no arguments (every parameter has a default), it is called (Scala
    auto-applies parameterless methods). Properties, plain attributes, classes and other callables come
    back unchanged. On an ``int``/``float`` without that attribute, a duration unit name (``seconds``,
    ``millis`` ...) gives ``__cc_duration(obj, name)`` (``n.seconds`` with ``n`` a variable).
``__cc_apply(func, items)``
    Call ``func`` with Scala's argument binding. ``items`` is a list of ``(name_or_None, value)`` in
    source order. A positional item at index ``i`` binds the parameter at position ``i`` (even after
    named items, which Python forbids); a named item binds the parameter with that name, else the one
    whose snake_case spelling matches (``synchronizerId`` -> ``synchronizer_id``), else goes to
    ``**kwargs``. Emitted only when a positional argument follows a named one, or a name is not a
    valid Python keyword argument.
``__cc_duration(value, unit)``
    ``10.seconds`` -> ``__cc_duration(10, "seconds")``; ``unit`` is one of ``nanos``, ``micros``,
    ``millis``, ``seconds``, ``minutes``, ``hours``, ``days``. Returns a ``datetime.timedelta``.
``__cc_div(a, b)`` / ``__cc_mod(a, b)``
    Scala ``/`` and ``%``: on two ints, division truncating toward zero and the remainder with the sign
    of the dividend; otherwise Python's ``/`` and ``math.fmod``-style ``%`` for floats, or the objects'
    own ``/``/``%``.
``__cc_attr(obj, name)``
    ``getattr``: a called member whose name is a Python keyword (``x.`from`(1)``).
``__cc_None``
    Scala's ``None``. Default here: Python ``None``; the console binds its empty Option.
``__cc_import(*entries)``
    Carries out an ``import`` line before the statements after it: ``entries`` are what
    ``ScalaTranslation.imports`` records (``a.b.C``, ``a.b.C=>D``, ``a.b._``). Default here: nothing;
    the console binds the imported names (``canton_console.console.canton_names``).

Hoisted definitions are named ``__cc_block_N`` / ``__cc_fn_N``; translated lambdas' placeholder
parameters are ``__xN``. Translated code must be executed with a single namespace (``exec(code, ns)``):
hoisted functions read top-level names as globals.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from canton_console.values.scala import ScalaTuple

DURATION_SECONDS_PER_UNIT = {
    "nanos": 1e-9,
    "micros": 1e-6,
    "millis": 1e-3,
    "seconds": 1,
    "minutes": 60,
    "hours": 3600,
    "days": 86400,
}
_UNIT_KWARG = {"micros": "microseconds", "millis": "milliseconds", "seconds": "seconds",
               "minutes": "minutes", "hours": "hours", "days": "days"}
_UNIT_ALIASES = {
    "nano": "nanos", "nanosecond": "nanos", "nanoseconds": "nanos",
    "micro": "micros", "microsecond": "micros", "microseconds": "micros",
    "milli": "millis", "millisecond": "millis", "milliseconds": "millis",
    "second": "seconds", "minute": "minutes", "hour": "hours", "day": "days",
}

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``synchronizerId`` -> ``synchronizer_id``, ``newBalance`` -> ``new_balance``, ``ACSCommitment`` -> ``acs_commitment``."""
    return _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()


def cc_duration(value: int | float, unit: str) -> datetime.timedelta:
    unit = _UNIT_ALIASES.get(unit, unit)
    if unit == "nanos":
        return datetime.timedelta(microseconds=value / 1000)
    if unit not in _UNIT_KWARG:
        raise ValueError(f"unknown duration unit {unit!r}")
    return datetime.timedelta(**{_UNIT_KWARG[unit]: value})


def _callable_without_arguments(value: Any) -> bool:
    if not (
        inspect.ismethod(value)
        or inspect.isfunction(value)
        or inspect.isbuiltin(value)
        or isinstance(value, functools.partial)
    ):
        return False
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not inspect.Parameter.empty
        or p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def cc_sel(obj: Any, name: str) -> Any:
    """Scala ``obj.name`` without arguments: attribute access with auto-application of parameterless methods."""
    try:
        value = getattr(obj, name)
    except AttributeError:
        if isinstance(obj, (int, float)) and not isinstance(obj, bool):
            unit = _UNIT_ALIASES.get(name, name)
            if unit in DURATION_SECONDS_PER_UNIT:
                return cc_duration(obj, unit)
        raise
    if _callable_without_arguments(value):
        return value()
    return value


def cc_import(*entries: str) -> None:
    """Default ``__cc_import``: imports bind nothing."""


def _describe(func: Any) -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)


def cc_apply(func: Callable[..., Any], items: Iterable[tuple[str | None, Any]]) -> Any:
    """Call ``func`` binding ``items`` (``(name_or_None, value)``, in source order) the way Scala does.

    Positional items bind by their index in the argument list (so a positional argument after named ones
    goes to the parameter at its own position); named items bind by name, trying the snake_case spelling
    of a camelCase name too.
    """
    items = list(items)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None
    if signature is None:
        args: list[Any] = [value for name, value in items if name is None]
        kwargs: dict[str, Any] = {}
        for name, value in items:
            if name is not None:
                if name in kwargs:
                    raise TypeError(f"{_describe(func)}: parameter {name!r} specified twice")
                kwargs[name] = value
        return func(*args, **kwargs)

    P = inspect.Parameter
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    keywordable = {p.name: p for p in params if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)}
    snake_index = {snake_case(p): p for p in keywordable}
    has_var_positional = any(p.kind is P.VAR_POSITIONAL for p in params)
    has_var_keyword = any(p.kind is P.VAR_KEYWORD for p in params)

    bound: dict[str, Any] = {}
    extra_positional: list[Any] = []
    extra_keyword: dict[str, Any] = {}
    for index, (name, value) in enumerate(items):
        if name is None:
            if index < len(positional):
                target = positional[index].name
            elif has_var_positional:
                extra_positional.append(value)
                continue
            else:
                raise TypeError(
                    f"{_describe(func)}: too many arguments (argument {index + 1}, only {len(positional)} parameters)"
                )
        elif name in keywordable:
            target = name
        elif snake_case(name) in snake_index:
            target = snake_index[snake_case(name)]
        elif has_var_keyword:
            if name in extra_keyword:
                raise TypeError(f"{_describe(func)}: parameter {name!r} specified twice")
            extra_keyword[name] = value
            continue
        else:
            raise TypeError(f"{_describe(func)}: unknown parameter {name!r}")
        if target in bound:
            raise TypeError(f"{_describe(func)}: parameter {target!r} specified twice")
        bound[target] = value

    args = []
    if extra_positional:
        for p in positional:
            if p.name not in bound:
                raise TypeError(f"{_describe(func)}: missing argument {p.name!r} before the varargs")
            args.append(bound.pop(p.name))
        args.extend(extra_positional)
    else:
        gap = False
        for p in positional:
            if p.kind is not P.POSITIONAL_ONLY:
                break
            if p.name in bound and not gap:
                args.append(bound.pop(p.name))
            elif p.name in bound:
                raise TypeError(f"{_describe(func)}: missing positional argument before {p.name!r}")
            else:
                gap = True
    return func(*args, **bound, **extra_keyword)


def cc_div(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool):
        if b == 0:
            raise ZeroDivisionError("/ by zero")
        quotient = abs(a) // abs(b)
        return quotient if (a >= 0) == (b >= 0) else -quotient
    return a / b


def cc_mod(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool):
        if b == 0:
            raise ZeroDivisionError("/ by zero")
        return a - b * cc_div(a, b)
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.fmod(a, b)
    return a % b


def cc_show(value: Any) -> str:
    """A value inside ``s"..."``: its Scala ``toString`` (``true``, not Python's ``True``; Unit is ``()``)."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "()"
    return str(value)


RUNTIME_HELPERS: dict[str, Any] = {
    "__cc_sel": cc_sel,
    "__cc_apply": cc_apply,
    "__cc_duration": cc_duration,
    "__cc_div": cc_div,
    "__cc_mod": cc_mod,
    "__cc_None": None,
    "__cc_long": int,
    "__cc_show": cc_show,
    "__cc_import": cc_import,
    "__cc_attr": getattr,  # ``a.`type`(...)``: a member whose name is a Python keyword
    "__cc_tuple": lambda *items: ScalaTuple(*items),  # ``(a, b)``: a Scala tuple (``_1``, ``_2``, typed ``(A, B)``)
}
