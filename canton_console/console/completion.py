"""Tab completion and call signatures for the interactive console.

Everything here works on the console's own objects and never evaluates what the user typed: a
dotted name is resolved by looking its head up in the namespace dict and walking command groups
(``groups_of``: building a group object does no node work) and classes/modules statically
(``inspect.getattr_static``). Commands are never called and properties never read (``health.status``
is an admin call). A ``@command_property`` is followed through its return annotation, as a class.

* ``partic``                                    -> ``participant1``, ``participant2``, ``participants`` ...
* ``participant1.he``                           -> ``health``
* ``participant1.health.pi``                    -> ``ping``
* ``participant1.health.ping(participant2, time`` -> ``timeout=`` (Canton's camelCase names and the
  snake_case ones: ``synchronizerId=`` and ``synchronizer_id=``)

:func:`signature_at` gives the signature of the call the cursor is in, for the signature toolbar.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import re
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

import attrs
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from canton_console.console.framework import camel, command_info, group_info, snake, summary_of

# Public class attributes of console objects that are plumbing, not commands.
HIDDEN = frozenset({"canton_type", "scala_name", "reference_type", "instance_type"})

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(rf"((?:{_IDENT}\s*\.\s*)*)({_IDENT})?$")
_CALLEE = re.compile(rf"((?:{_IDENT}\s*\.\s*)*{_IDENT})\s*$")
_KWARG = re.compile(rf"^\s*({_IDENT})\s*=(?!=)")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@attrs.frozen
class TypeOnly:
    """A value known only by its class (the declared result of a command property)."""

    cls: type


@attrs.frozen
class Member:
    name: str
    kind: str  # "command", "group", "node", "argument", "name", "keyword", "attribute"
    summary: str = ""


@attrs.frozen
class CallSignature:
    name: str
    # (name as shown, inspect parameter kind, default text or None)
    parameters: tuple[tuple[str, Any, str | None], ...]
    index: int | None
    bracket: int  # offset of the opening parenthesis in the text
    summary: str = ""
    doc: str = ""

    def text(self) -> str:
        """``ping(participantId, timeout, synchronizerId, id)``."""
        parts = []
        for name, kind, _default in self.parameters:
            if kind is inspect.Parameter.VAR_POSITIONAL:
                name = "*" + name
            elif kind is inspect.Parameter.VAR_KEYWORD:
                name = "**" + name
            parts.append(name)
        return f"{self.name}({', '.join(parts)})"


# ---- scanning the text before the cursor ----------------------------------------------------


@attrs.frozen
class _Scan:
    open_brackets: tuple[int, ...]  # offsets of unclosed ( [ {
    in_string: bool


def _scan(text: str) -> _Scan:
    stack: list[int] = []
    quote: str | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote is not None:
            if c == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            if c == "\n" and len(quote) == 1:
                quote = None
            i += 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        if c == "#" or text.startswith("//", i) and _line_comment(text, i):
            end = text.find("\n", i)
            if end < 0:
                break
            i = end
            continue
        if c in "([{":
            stack.append(i)
        elif c in ")]}" and stack:
            stack.pop()
        i += 1
    return _Scan(tuple(stack), quote is not None)


def _line_comment(text: str, i: int) -> bool:
    """``//`` starts a Scala comment unless it reads as Python's floor division (``a // b``)."""
    before = text[:i].rstrip()
    return not before or before[-1] in "\n;{(,=" or text[max(0, i - 1)] == "\n"


def _dotted(text: str) -> list[str]:
    return [p.strip() for p in text.split(".")]


def _token(before: str) -> tuple[list[str], str] | None:
    """The dotted name being typed: (path before the last dot, prefix). None if there is none or it
    follows something we cannot resolve statically (a call, an index, a literal)."""
    m = _TOKEN.search(before[-400:])
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    before = before[-400:]
    start = m.start()
    head = before[:start].rstrip()
    if m.group(1) and head and head[-1] in ".)]}'\"":
        return None
    if not m.group(1) and start > 0 and before[start - 1] == ".":
        return None
    if m.group(2) and m.group(2)[0].isdigit():
        return None
    path = _dotted(m.group(1).rstrip().rstrip(".")) if m.group(1) else []
    return path, m.group(2) or ""


# ---- resolving names without evaluating them ------------------------------------------------


def _static(obj: Any, name: str) -> Any:
    try:
        return inspect.getattr_static(obj, name)
    except AttributeError:
        return MISSING


def _class_of(obj: Any) -> type:
    return obj.cls if isinstance(obj, TypeOnly) else type(obj)


def _annotation_class(fn: Callable[..., Any] | None) -> type | None:
    """A command's declared result, if it is a class named plainly (``-> CantonStatus``)."""
    if fn is None:
        return None
    target = inspect.unwrap(fn)
    ann = getattr(target, "__annotations__", {}).get("return")
    if isinstance(ann, str):
        if not re.fullmatch(rf"{_IDENT}(?:\.{_IDENT})*", ann):
            return None
        head, *rest = ann.split(".")
        value = getattr(target, "__globals__", {}).get(head, getattr(builtins, head, None))
        for part in rest:
            value = _static(value, part) if value is not None else None
            if value is MISSING:
                return None
        ann = value
    return ann if isinstance(ann, type) else None


def member(obj: Any, name: str) -> Any:
    """``obj.name`` when it can be known without running anything, else MISSING."""
    if name.startswith("_") or obj is MISSING:
        return MISSING
    if isinstance(obj, (type, ModuleType)):
        value = _static(obj, name)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        return value if isinstance(value, (type, ModuleType)) else MISSING
    cls = _class_of(obj)
    attr = _static(cls, name)
    if isinstance(attr, property):
        if group_info(attr.fget) is not None:
            if isinstance(obj, TypeOnly):
                found = _annotation_class(attr.fget)
                return TypeOnly(found) if found else MISSING
            try:
                # A command group: our own object, built (and cached) by the getter; no node work.
                return getattr(obj, name)
            except Exception:  # noqa: BLE001 - completion never fails
                return MISSING
        found = _annotation_class(attr.fget)
        return TypeOnly(found) if found else MISSING
    if attr is MISSING and not isinstance(obj, TypeOnly):
        value = getattr(obj, "__dict__", {}).get(name, MISSING) if hasattr(obj, "__dict__") else MISSING
        return value
    return MISSING


def resolve(namespace: Mapping[str, Any], path: Iterable[str]) -> Any:
    path = list(path)
    if not path:
        return MISSING
    head = path[0]
    obj = namespace.get(head, MISSING)
    if obj is MISSING:
        obj = getattr(builtins, head, MISSING) if isinstance(getattr(builtins, head, None), (type, ModuleType)) else MISSING
    for name in path[1:]:
        obj = member(obj, name)
        if obj is MISSING:
            return MISSING
    return obj


def members(obj: Any) -> dict[str, Member]:
    """The attribute names offered after ``obj.``: commands and groups with their summaries first."""
    found: dict[str, Member] = {}
    if obj is MISSING:
        return found
    if isinstance(obj, ModuleType):
        for name in dir(obj):
            if not name.startswith("_"):
                found[name] = Member(name, "attribute")
        return found
    static_class = isinstance(obj, type)
    cls = obj if static_class else _class_of(obj)
    for name in dir(cls):
        if name.startswith("_") or name in HIDDEN:
            continue
        attr = _static(cls, name)
        if isinstance(attr, property):
            fget = attr.fget
            if (info := group_info(fget)) is not None:
                found[name] = Member(name, "group", info.get("summary", ""))
            elif command_info(fget) is not None:
                found[name] = Member(name, "command", summary_of(fget))
            else:
                found[name] = Member(name, "attribute", (inspect.getdoc(attr) or "").split("\n")[0] if attr.__doc__ else "")
        elif command_info(attr) is not None:
            found[name] = Member(name, "command", summary_of(attr))
        elif name == "help" and callable(attr):
            found[name] = Member(name, "command", summary_of(attr))
        else:
            found[name] = Member(name, "attribute")
    if not static_class and not isinstance(obj, TypeOnly):
        for name in list(getattr(obj, "__dict__", {}) or {}):
            if not name.startswith("_") and name not in found:
                found[name] = Member(name, "attribute")
    return found


def callee(namespace: Mapping[str, Any], path: list[str]) -> tuple[Callable, bool] | None:
    """The function a call ``path(...)`` goes to, and whether its first parameter is ``self``."""
    if len(path) == 1:
        obj = namespace.get(path[0], MISSING)
        if obj is MISSING:
            obj = getattr(builtins, path[0], MISSING)
        if obj is MISSING or not callable(obj):
            return None
        return obj, False
    parent = resolve(namespace, path[:-1])
    if parent is MISSING:
        return None
    name = path[-1]
    if name.startswith("_"):
        return None
    if isinstance(parent, (type, ModuleType)):
        attr = _static(parent, name)
        if isinstance(attr, staticmethod):
            return attr.__func__, False
        if isinstance(attr, classmethod):
            return attr.__func__, True
        if isinstance(parent, type) and inspect.isfunction(attr):
            return attr, False  # called on the class: self is explicit
        if attr is MISSING or not callable(attr):
            return None
        return attr, False
    attr = _static(_class_of(parent), name)
    if isinstance(attr, staticmethod):
        return attr.__func__, False
    if isinstance(attr, classmethod):
        return attr.__func__, True
    if inspect.isfunction(attr):
        return attr, True
    if isinstance(attr, type):
        return attr, False
    return None


def parameters(fn: Callable, bound: bool) -> list[inspect.Parameter]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    params = list(sig.parameters.values())
    if bound and params and params[0].kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        params = params[1:]
    return params


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated pieces of an argument list (strings and brackets respected)."""
    pieces, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
        i += 1
    pieces.append(text[start:])
    return pieces


def _enclosing_call(namespace: Mapping[str, Any], before: str, scan: _Scan):
    """(function, bound, path, bracket offset) for the innermost unclosed ``name(`` around the cursor."""
    if not scan.open_brackets:
        return None
    bracket = scan.open_brackets[-1]
    if before[bracket] != "(":
        return None
    head = before[:bracket]
    m = _CALLEE.search(head)
    if m is None:
        return None
    lead = head[: m.start()].rstrip()
    if lead and lead[-1] in ".)]}":
        return None
    path = _dotted(m.group(1))
    if path[0] in keyword.kwlist:
        return None
    found = callee(namespace, path)
    if found is None:
        return None
    fn, bound = found
    return fn, bound, path, bracket


def _display_name(p: inspect.Parameter) -> str:
    return camel(p.name) if "_" in p.name.strip("_") else p.name


def signature_at(namespace: Mapping[str, Any], before: str) -> CallSignature | None:
    """The signature of the call the cursor is in (``participant1.health.ping(|``), or None."""
    scan = _scan(before)
    if scan.in_string and not scan.open_brackets:
        return None
    call = _enclosing_call(namespace, before, scan)
    if call is None:
        return None
    fn, bound, path, bracket = call
    params = parameters(fn, bound)
    pieces = _split_args(before[bracket + 1 :])
    index: int | None = len(pieces) - 1
    m = _KWARG.match(pieces[-1])
    if m:
        wanted = m.group(1)
        index = next((i for i, p in enumerate(params) if p.name in (wanted, snake(wanted))), None)
    elif any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        star = next(i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_POSITIONAL)
        index = min(len(pieces) - 1, star)
    if index is not None and index >= len(params):
        index = None
    shown = tuple((_display_name(p), p.kind, None) for p in params)
    try:
        doc = inspect.getdoc(fn) or ""
    except Exception:  # noqa: BLE001
        doc = ""
    summary = doc.strip().split("\n")[0] if doc.strip() else ""
    return CallSignature(path[-1], shown, index, bracket, summary, doc)


# ---- completions ----------------------------------------------------------------------------


def _argument_names(fn: Callable, bound: bool, pieces: list[str]) -> list[Member]:
    """``name=`` for the parameters not given yet; ``pieces`` are the arguments before the cursor."""
    given = {m.group(1) for piece in pieces if (m := _KWARG.match(piece))}
    positional = sum(1 for piece in pieces if piece.strip() and not _KWARG.match(piece))
    result = []
    seen = set()
    for i, p in enumerate(parameters(fn, bound)):
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY):
            continue
        if i < positional or p.name in given or camel(p.name) in given:
            continue
        for name in (camel(p.name), p.name):
            if name not in seen:
                seen.add(name)
                result.append(Member(name + "=", "argument"))
    return result


def complete(namespace: Mapping[str, Any], before: str, requested: bool = True) -> tuple[int, list[Member]]:
    """Completions for the text before the cursor: (length of the prefix they replace, candidates)."""
    scan = _scan(before)
    if scan.in_string:
        return 0, []
    token = _token(before)
    if token is None:
        if requested:
            call = _enclosing_call(namespace, before, scan)
            if call is not None and before.rstrip()[-1:] in ("(", ","):
                fn, bound, _path, bracket = call
                return 0, _argument_names(fn, bound, _split_args(before[bracket + 1 :])[:-1])
        return 0, []
    path, prefix = token
    if path:
        obj = resolve(namespace, path)
        candidates = sorted(members(obj).values(), key=lambda m: (m.kind not in ("command", "group"), m.name))
        return len(prefix), [m for m in candidates if m.name.startswith(prefix) and m.name != prefix]
    if not prefix and not requested:
        return 0, []
    result: list[Member] = []
    call = _enclosing_call(namespace, before, scan)
    if call is not None:
        fn, bound, _path, bracket = call
        pieces = _split_args(before[bracket + 1 :])
        current = pieces[-1]
        if "=" not in current:
            result += [m for m in _argument_names(fn, bound, pieces[:-1]) if m.name.startswith(prefix)]
    result += _names(namespace, prefix)
    return len(prefix), result


def _names(namespace: Mapping[str, Any], prefix: str) -> list[Member]:
    from canton_console.console.references import NodeReference

    own = []
    for name, value in namespace.items():
        if name.startswith("_") or not name.startswith(prefix) or name == prefix:
            continue
        kind = "node" if isinstance(value, NodeReference) else "name"
        own.append(Member(name, kind, _summary_of_value(value)))
    own.sort(key=lambda m: m.name)
    seen = {m.name for m in own}
    extra = []
    for name in sorted(set(dir(builtins)) | set(keyword.kwlist)):
        if name.startswith("_") or name in seen or not name.startswith(prefix) or name == prefix:
            continue
        extra.append(Member(name, "keyword" if keyword.iskeyword(name) else "builtin"))
    return own + extra


def _summary_of_value(value: Any) -> str:
    from canton_console.console.framework import Group
    from canton_console.console.references import NodeReference

    if isinstance(value, NodeReference):
        return f"{type(value).instance_type} '{value.name}'"
    if isinstance(value, Group):
        doc = inspect.getdoc(type(value)) or ""
        return doc.split("\n")[0]
    return ""


class ConsoleCompleter(Completer):
    """prompt_toolkit completer over :func:`complete` (thread-safe: it only reads)."""

    def __init__(self, get_namespace: Callable[[], Mapping[str, Any]]):
        self.get_namespace = get_namespace

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        try:
            length, candidates = complete(self.get_namespace(), document.text_before_cursor, complete_event.completion_requested)
        except Exception:  # noqa: BLE001 - a completer bug must not break the prompt
            return
        for m in candidates:
            meta = m.summary or ("" if m.kind in ("name", "attribute") else m.kind)
            yield Completion(m.name, start_position=-length, display=m.name, display_meta=meta)
