"""Reading HOCON: files and ``-C`` overrides parsed and merged in Canton's order, substitutions
resolved last, the result as plain Python values. pyhocon is imported lazily."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from canton_console.config.errors import ConfigError

# ---------------------------------------------------------------------------------------------------
# Parsing and merging with pyhocon

_patch_lock = threading.RLock()
_fixed_merge: Any = None


def _make_fixed_merge():
    """pyhocon's ``ConfigTree.merge_configs`` with HOCON's rule for objects merged over substitutions.

    pyhocon 0.3.63 replaces ``storage = ${_shared.storage}`` by the later ``storage.type = memory``
    (in the same file at root level, across files, and for ``-C`` overrides), dropping the rest of
    the substituted object. HOCON merges them: ``${_shared.storage} { type = memory }``. This version
    appends the later object to the unresolved value so that pyhocon's resolution merges them.
    """
    from pyhocon.config_tree import ConfigSubstitution, ConfigTree, ConfigValues

    def object_like(values: Any) -> bool:
        tokens = values.tokens
        return any(isinstance(t, ConfigSubstitution) for t in tokens) and all(
            isinstance(t, (ConfigSubstitution, ConfigTree)) or (isinstance(t, str) and not t.strip())
            for t in tokens
        )

    def merge_configs(a, b, copy_trees=False):
        for key, value in b.items():
            current = a.get(key) if key in a else None
            if isinstance(current, ConfigTree) and isinstance(value, ConfigTree):
                if copy_trees:
                    a[key] = current = current.copy()
                merge_configs(current, value, copy_trees=copy_trees)
            elif isinstance(current, ConfigValues) and isinstance(value, ConfigTree) and object_like(current):
                current.tokens.append(value.copy() if copy_trees else value)
                current.recompute()
            else:
                if isinstance(value, ConfigValues):
                    value.parent = a
                    value.key = key
                    if key in a:
                        value.overridden_value = a[key]
                a[key] = value
                if a.root:
                    if b.root:
                        a.history[key] = a.history.get(key, []) + b.history.get(key, [value])
                    else:
                        a.history[key] = a.history.get(key, []) + [value]
        return a

    return merge_configs


@contextlib.contextmanager
def _hocon() -> Iterator[None]:
    """Run pyhocon with the merge fix installed (and restored afterwards)."""
    global _fixed_merge
    from pyhocon.config_tree import ConfigTree

    with _patch_lock:
        if _fixed_merge is None:
            _fixed_merge = _make_fixed_merge()
        original = ConfigTree.__dict__["merge_configs"]
        ConfigTree.merge_configs = staticmethod(_fixed_merge)
        try:
            yield
        finally:
            ConfigTree.merge_configs = original


def load_tree(files: list[str | os.PathLike[str]], overrides: list[str]) -> dict[str, Any]:
    from pyhocon.config_parser import ConfigParser
    from pyhocon.config_tree import ConfigTree

    sources: dict[str, str] = {}  # text → label, to say where an unresolved substitution comes from
    with _hocon():
        merged = None
        layers = [_parse_file(Path(f), sources) for f in files]
        for item in overrides:
            for assignment in _split_override(item):
                layers.append(_parse_override(assignment, sources))
        for layer in layers:
            merged = layer if merged is None else ConfigTree.merge_configs(merged, layer)
        if merged is None:
            return {}
        # pyhocon resolves substitutions in key order, and a block copied by a substitution before its
        # own ${?VAR} overrides were resolved loses their fallbacks (serverName = "localhost" followed by
        # serverName = ${?POSTGRES_HOST} comes out null). Shared blocks live outside `canton`, so
        # resolving `canton` last avoids that in Canton's usual layout.
        if "canton" in merged:
            merged.move_to_end("canton")
        try:
            ConfigParser.resolve_substitutions(merged, accept_unresolved=True)
        except Exception as e:  # a missing variable, cycles, type clashes between concatenated values
            message = _hocon_message(e)
            m = re.search(r"\$\{\??([^}]+)\}", message)
            found = _find_unresolved(merged, "", m.group(1) if m else None)
            if found is not None:
                raise _unresolved_error(*found, sources) from None
            raise ConfigError(f"cannot resolve substitutions: {message}") from None
        return _plain(merged, "", sources)


def _parse_text(text: str, label: str, basedir: str | None, sources: dict[str, str]):
    from pyhocon import ConfigFactory
    from pyparsing import ParseBaseException

    sources.setdefault(text, label)
    if '"""' not in text:
        # pyparsing is slow on comments (a quarter of the parse time of a commented file): blank out
        # whole-line comments, keeping the line numbers. Not inside multi-line strings, hence the guard.
        text = re.sub(r"(?m)^[ \t]*(?://|#).*$", "", text)
        sources.setdefault(text, label)
    try:
        return ConfigFactory.parse_string(text, basedir=basedir, resolve=False)
    except ParseBaseException as e:
        msg = e.msg if len(e.msg) <= 80 else "invalid syntax"
        found = getattr(e, "found", "")
        if found and "found" not in msg and len(found) <= 40:
            msg += f", found {found}"
        line = e.line.strip()
        near = f" in: {line}" if line and len(line) <= 120 else ""
        raise ConfigError(f"{label}: syntax error at line {e.lineno}, column {e.col}: {msg}{near}", file=label) from None
    except RecursionError:
        raise ConfigError(f"{label}: too deeply nested (or a recursive include)", file=label) from None
    except Exception as e:  # pyhocon's own errors, includes that fail
        raise ConfigError(f"{label}: {_hocon_message(e)}", file=label) from None


def _hocon_message(e: BaseException) -> str:
    text = str(e.args[0]) if len(e.args) == 1 else str(e)
    return text or type(e).__name__


def _parse_file(path: Path, sources: dict[str, str]):
    label = str(path)
    if not path.exists():
        raise ConfigError(f"{label}: config file not found", file=label)
    if path.is_dir():
        raise ConfigError(f"{label}: is a directory; expected a HOCON config file", file=label)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{label}: not a UTF-8 text file ({e.reason} at byte {e.start})", file=label) from None
    except OSError as e:
        raise ConfigError(f"{label}: cannot read config file: {e.strerror or e}", file=label) from None
    return _parse_text(text, label, str(path.parent), sources)


def _split_override(item: str) -> list[str]:
    """Split one ``-C`` argument at the commas that separate assignments (not inside quotes or brackets)."""
    parts: list[str] = []
    depth, quote, start, i = 0, False, 0, 0
    while i < len(item):
        c = item[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            parts.append(item[start:i])
            start = i + 1
        i += 1
    parts.append(item[start:])
    result = []
    for part in parts:
        if not part.strip():
            continue
        if "=" not in part:
            what = f"'{part.strip()}' is not" if len(parts) > 1 else "expected"
            raise ConfigError(f"-C {item}: {what} key=value, e.g. canton.parameters.manual-start=yes")
        result.append(part.strip())
    if not result:
        raise ConfigError(f"-C {item!r}: expected key=value, e.g. canton.parameters.manual-start=yes")
    return result


def _parse_override(assignment: str, sources: dict[str, str]):
    key, _, value = assignment.partition("=")
    key, value = key.strip(), value.strip()
    label = f"-C {assignment}"
    if not key:
        raise ConfigError(f"{label}: expected key=value with a non-empty key")
    import json

    quoted = json.dumps(value)
    literal = not value or value[0] not in "\"[{$" and ("//" in value or "#" in value)
    candidates = [quoted] if literal else [value, quoted]
    for i, candidate in enumerate(candidates):
        try:
            return _parse_text(f"{key} = {candidate}", label, None, sources)
        except ConfigError as e:
            if i == len(candidates) - 1:
                raise ConfigError(f"-C {assignment}: {key!r} is not a valid config path ({e.cause})", path=key) from None
    raise AssertionError("unreachable")


def _plain(value: Any, path: str, sources: dict[str, str]) -> Any:
    """Turn the resolved pyhocon tree into dicts, lists and scalars; refuse what stayed unresolved."""
    from pyhocon.config_tree import ConfigSubstitution, ConfigTree, ConfigValues, NoneValue

    if isinstance(value, ConfigTree):
        return {k: _plain(v, f"{path}.{k}" if path else k, sources) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}[{i}]", sources) for i, v in enumerate(value)]
    if value is NoneValue or isinstance(value, NoneValue):
        return None
    if isinstance(value, ConfigValues):
        subs = [t for t in value.get_substitutions() if isinstance(t, ConfigSubstitution)]
        if subs:
            raise _unresolved_error(path, subs[0], sources)
        return _plain(value.transform(), path, sources)
    return value


def _find_unresolved(value: Any, path: str, variable: str | None) -> tuple[str, Any] | None:
    """The key path and token of the first substitution (of ``variable``, if given) left in the tree."""
    from pyhocon.config_tree import ConfigSubstitution, ConfigTree, ConfigValues

    if isinstance(value, ConfigTree):
        for k, v in value.items():
            found = _find_unresolved(v, f"{path}.{k}" if path else k, variable)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _find_unresolved(v, f"{path}[{i}]", variable)
            if found is not None:
                return found
    elif isinstance(value, ConfigValues):
        for t in value.tokens:
            if isinstance(t, ConfigSubstitution) and (variable is None or t.variable == variable):
                return path, t
            found = _find_unresolved(t, path, variable) if isinstance(t, (ConfigTree, list, ConfigValues)) else None
            if found is not None:
                return found
    return None


def _unresolved_error(path: str, s: Any, sources: dict[str, str]) -> ConfigError:
    where = ""
    text = getattr(s, "instring", None)
    if isinstance(text, str):
        from pyparsing import lineno

        label = sources.get(text)
        line = lineno(s.loc, text)
        where = f" ({label}, line {line})" if label else f" (line {line})"
    return ConfigError(
        f"{path}: cannot resolve substitution ${{{s.variable}}}{where}; define {s.variable} "
        f"or write ${{?{s.variable}}} for an optional value",
        path=path,
    )
