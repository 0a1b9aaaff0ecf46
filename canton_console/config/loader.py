"""Read Canton HOCON configuration files (``-c``) and overrides (``-C``) into :class:`CantonConfig`.

Layering follows Canton: files are parsed and merged in order (a later file wins; objects merge key by
key), then each ``-C key=value`` is applied as a HOCON assignment, and only then are substitutions
(``${_shared.storage}``, ``${?POSTGRES_HOST}``) resolved, so a later file or an override can change a
value an earlier file refers to. Keys outside the ``canton`` block are free for such shared values.

Everything that goes wrong raises :class:`ConfigError` (``CONFIG_VALIDATION_FAILED``) whose message
starts with the full key path (or the file) and says what was expected.

pyhocon is imported lazily inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import keyword
import os
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, Sequence

from canton_console.config.models import (
    CLOCK_TYPES,
    SEQUENCER_TYPES,
    STORAGE_TYPES,
    ApiConfig,
    CantonConfig,
    ConsoleTimeouts,
    HealthServerConfig,
    MediatorConfig,
    MonitoringConfig,
    Parameters,
    ParticipantConfig,
    ReplicationConfig,
    SequencerConfig,
    StorageConfig,
)
from canton_console.values.errors import CONFIG_VALIDATION_FAILED, CantonError

__all__ = ["ConfigError", "DEFAULT_CONFIG_FILE", "FIRST_DEFAULT_PORT", "default_config", "load_config", "parse_duration"]

#: Canton's simple topology (one sequencer, one mediator, three participants) stored in SQLite.
DEFAULT_CONFIG_FILE = Path(__file__).with_name("simple-topology.conf")
#: Ports left out of a config are numbered from here upward, skipping every port already in use.
FIRST_DEFAULT_PORT = 5001


class ConfigError(CantonError):
    """A configuration that cannot be read or is invalid.

    ``path`` is the offending key path (``canton.participants.participant1.admin-api.port``) or None
    when the problem is a whole file; ``file`` names the file or ``-C`` override when known.
    """

    def __init__(self, cause: str, path: str | None = None, file: str | None = None):
        self.path = path
        self.file = file
        super().__init__(CONFIG_VALIDATION_FAILED, cause)

    def __reduce__(self):
        return (type(self), (self.cause, self.path, self.file))


def _fail(path: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}", path=path)


# ---------------------------------------------------------------------------------------------------
# Public entry points


def load_config(
    files: Sequence[str | os.PathLike[str]] = (),
    overrides: Sequence[str] = (),
    base_dir: Path | None = None,
) -> CantonConfig:
    """Parse, merge, override, resolve and validate a Canton configuration.

    ``files`` are merged in order (later files win); with none, the embedded
    :data:`DEFAULT_CONFIG_FILE` is used. Each entry of ``overrides`` is one ``-C`` argument:
    ``key=value`` or several separated by commas (``a.b=1,c.d=x``); the value is parsed as HOCON (and
    taken as a plain string if it doesn't parse). Relative sqlite ``file`` paths resolve against
    ``base_dir`` (default: the current working directory).
    """
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    if isinstance(overrides, str):
        overrides = [overrides]
    tree = _load_tree(list(files) or [DEFAULT_CONFIG_FILE], list(overrides))
    return _build(tree, Path(os.path.abspath(base_dir if base_dir is not None else os.getcwd())))


def default_config(data_dir: Path) -> CantonConfig:
    """The embedded simple topology, with its SQLite files under ``data_dir``."""
    return load_config([DEFAULT_CONFIG_FILE], base_dir=data_dir)


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


def _load_tree(files: list[str | os.PathLike[str]], overrides: list[str]) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------------------------------
# Reading values

_MISSING = object()

CANTON_KEYS = ("participants", "sequencers", "mediators", "parameters")
PARTICIPANT_KEYS = ("storage", "admin-api", "ledger-api", "http-ledger-api", "monitoring", "replication")
SEQUENCER_KEYS = ("storage", "admin-api", "public-api", "sequencer", "monitoring")
MEDIATOR_KEYS = ("storage", "admin-api", "monitoring", "replication")
STORAGE_KEYS = ("type", "file", "config", "parameters")
STORAGE_CONFIG_KEYS = ("dataSourceClass", "properties")
POSTGRES_PROPERTY_KEYS = ("serverName", "portNumber", "databaseName", "user", "password")
STORAGE_PARAMETER_KEYS = ("fail-fast-on-startup", "max-connections")
API_KEYS = ("address", "port")
MONITORING_KEYS = ("http-health-server",)
REPLICATION_KEYS = ("enabled", "check-period")
SEQUENCER_BLOCK_KEYS = ("type",)
PARAMETERS_KEYS = ("clock", "timeouts", "manual-start", "static-identities", "non-standard-config")
CLOCK_KEYS = ("type",)
TIMEOUTS_KEYS = ("console",)
CONSOLE_TIMEOUT_KEYS = ("bounded", "unbounded", "ledger-command", "ping")


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if _CALENDAR_PERIOD.match(value):  # pyhocon leaves these as text without python-dateutil
            return "a duration in months or years"
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, timedelta) or hasattr(value, "months"):
        d = parse_duration(value)
        return "a duration in months or years" if d is None else _format_duration(d)
    return repr(value)


def _format_duration(d: timedelta) -> str:
    us = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
    if us == 0:
        return "0s"
    for unit, size in (("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000)):
        if us % size == 0:
            return f"{us // size}{unit}"
    return f"{us}us"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}"


def _object(value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object {{ … }}, found {_show(value)}")
    for key in value:
        if key not in keys:
            raise _fail(_join(path, key), f"unknown key; expected one of: {', '.join(keys)}")
    return value


def _string(value: Any, path: str, what: str = "a string") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # HOCON coerces numbers to strings
    raise _fail(path, f"expected {what}, found {_show(value)}")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return None


def _port(value: Any, path: str, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    n = _int_or_none(value)
    if n is None or not low <= n <= 65535:
        extra = " (0 picks a free port)" if allow_zero else ""
        raise _fail(path, f"expected a port number between {low} and 65535{extra}, found {_show(value)}")
    return n


def _positive_int(value: Any, path: str) -> int:
    n = _int_or_none(value)
    if n is None or n < 1:
        raise _fail(path, f"expected a positive integer, found {_show(value)}")
    return n


_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")


def _bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    raise _fail(path, f"expected a boolean (true/false, yes/no, on/off), found {_show(value)}")


_DURATION_UNITS = {
    **dict.fromkeys(("ns", "nano", "nanos", "nanosecond", "nanoseconds"), timedelta(microseconds=0.001)),
    **dict.fromkeys(("us", "micro", "micros", "microsecond", "microseconds"), timedelta(microseconds=1)),
    **dict.fromkeys(("ms", "milli", "millis", "millisecond", "milliseconds"), timedelta(milliseconds=1)),
    **dict.fromkeys(("s", "second", "seconds"), timedelta(seconds=1)),
    **dict.fromkeys(("m", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
}
_INFINITE = ("inf", "infinite", "infinity", "duration.inf")


# HOCON period units (months, years): calendar periods, not durations.
_CALENDAR_PERIOD = re.compile(r"^\s*\d+(\.\d+)?\s*(mo|months?|y|years?)\s*$", re.IGNORECASE)


def parse_duration(value: Any) -> timedelta | None:
    """A HOCON duration as a ``timedelta``, or None when ``value`` isn't one.

    Accepts strings such as ``10s``, ``500ms``, ``1m``, ``15 seconds``, ``1.5 h`` (a bare number is
    milliseconds, as in HOCON), numbers (milliseconds), ``timedelta`` and the ``relativedelta`` that
    pyhocon produces for ``10s`` (months and years are not durations).
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return timedelta(milliseconds=value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*", value)
        if not m:
            return None
        unit = _DURATION_UNITS.get(m.group(2) or "ms")
        if unit is None:
            return None
        return unit * float(m.group(1)) if "." in m.group(1) else unit * int(m.group(1))
    if hasattr(value, "months") and hasattr(value, "normalized"):  # dateutil.relativedelta
        rd = value.normalized()
        if rd.years or rd.months or getattr(rd, "leapdays", 0) or any(
            getattr(rd, f, None) is not None for f in ("year", "month", "day", "hour", "minute", "second", "microsecond")
        ):
            return None
        return timedelta(days=rd.days, hours=rd.hours, minutes=rd.minutes, seconds=rd.seconds, microseconds=rd.microseconds)
    return None


def _duration(value: Any, path: str, *, allow_inf: bool = False, positive: bool = False) -> timedelta | None:
    if allow_inf and isinstance(value, str) and value.strip().lower() in _INFINITE:
        return None
    d = parse_duration(value)
    if d is None or d < timedelta(0) or (positive and d == timedelta(0)):
        kind = "a positive duration" if positive else "a duration"
        inf = " or Inf" if allow_inf else ""
        raise _fail(path, f"expected {kind} such as 10s, 500ms, 1m or 15 seconds{inf}, found {_show(value)}")
    return d


# ---------------------------------------------------------------------------------------------------
# Building the config


class _Api:
    """An endpoint being read: its port may still be missing until defaults are assigned."""

    __slots__ = ("path", "address", "port", "allow_zero")

    def __init__(self, path: str, address: str, port: int | None, allow_zero: bool):
        self.path, self.address, self.port, self.allow_zero = path, address, port, allow_zero


class _Node:
    __slots__ = ("kind", "name", "path", "storage", "apis", "fields", "replication")

    def __init__(self, kind: str, name: str, path: str):
        self.kind, self.name, self.path = kind, name, path
        self.storage: StorageConfig = StorageConfig()
        self.apis: dict[str, _Api | None] = {}
        self.fields: dict[str, Any] = {}
        self.replication: ReplicationConfig | None = None


def _read_api(obj: dict[str, Any], key: str, path: str, *, default_address: str, optional: bool, allow_zero: bool = False) -> _Api | None:
    api_path = _join(path, key)
    value = obj.get(key, _MISSING)
    if value is _MISSING or (optional and value is None):
        return None if optional else _Api(api_path, default_address, None, allow_zero)
    api = _object(value, api_path, API_KEYS)
    address = default_address
    if "address" in api:
        address = _string(api["address"], _join(api_path, "address"), "a host name or IP address").strip()
        if not address:
            raise _fail(_join(api_path, "address"), 'expected a host name or IP address, found ""')
    port = _port(api["port"], _join(api_path, "port"), allow_zero) if "port" in api else None
    return _Api(api_path, address, port, allow_zero)


def _read_storage(obj: dict[str, Any], path: str, base_dir: Path) -> StorageConfig:
    value = obj.get("storage", _MISSING)
    if value is _MISSING:
        return StorageConfig(type="memory")
    spath = _join(path, "storage")
    storage = _object(value, spath, STORAGE_KEYS)
    expected = "memory, sqlite or postgres"
    tpath = _join(spath, "type")
    if "type" not in storage:
        raise _fail(tpath, f"missing; expected {expected}")
    typ = storage["type"]
    if not isinstance(typ, str):
        raise _fail(tpath, f"expected {expected}, found {_show(typ)}")
    if typ not in STORAGE_TYPES:
        raise _fail(tpath, f"unknown storage type '{typ}'; expected {expected}")

    fields: dict[str, Any] = {"type": typ}
    if "parameters" in storage:
        ppath = _join(spath, "parameters")
        params = _object(storage["parameters"], ppath, STORAGE_PARAMETER_KEYS)
        if "fail-fast-on-startup" in params:
            fields["fail_fast_on_startup"] = _bool(params["fail-fast-on-startup"], _join(ppath, "fail-fast-on-startup"))
        if "max-connections" in params:
            fields["max_connections"] = _positive_int(params["max-connections"], _join(ppath, "max-connections"))

    file_value = storage.get("file", _MISSING)
    fpath = _join(spath, "file")
    if file_value is not _MISSING and file_value is not None:
        file_value = _string(file_value, fpath, "a file path")
    if typ == "sqlite":
        if file_value is _MISSING or file_value is None or not file_value.strip():
            raise _fail(fpath, 'missing; sqlite storage needs a database file, e.g. file = "participant1.db"')
        fields["file"] = os.path.abspath(os.path.join(base_dir, os.path.expanduser(file_value.strip())))

    if "config" in storage:
        cpath = _join(spath, "config")
        config = _object(storage["config"], cpath, STORAGE_CONFIG_KEYS)
        if "dataSourceClass" in config:
            _string(config["dataSourceClass"], _join(cpath, "dataSourceClass"), "a class name")
        props_path = _join(cpath, "properties")
        props = _object(config.get("properties", {}), props_path, POSTGRES_PROPERTY_KEYS)
    else:
        props_path = _join(_join(spath, "config"), "properties")
        props = {}
    if typ == "postgres":
        if "serverName" in props:
            fields["server_name"] = _string(props["serverName"], _join(props_path, "serverName"), "a host name").strip()
            if not fields["server_name"]:
                raise _fail(_join(props_path, "serverName"), 'expected a host name, found ""')
        if "portNumber" in props:
            fields["port_number"] = _port(props["portNumber"], _join(props_path, "portNumber"))
        for key, field, what in (("databaseName", "database_name", "the database name"), ("user", "user", "the database user")):
            kpath = _join(props_path, key)
            if key not in props or props[key] is None:
                raise _fail(kpath, f"missing; postgres storage needs {what}")
            fields[field] = _string(props[key], kpath, what)
            if not fields[field]:
                raise _fail(kpath, f'expected {what}, found ""')
        if props.get("password") is not None:
            fields["password"] = _string(props["password"], _join(props_path, "password"), "a password")
    return StorageConfig(**fields)


def _read_monitoring(obj: dict[str, Any], path: str, node: _Node) -> None:
    value = obj.get("monitoring", _MISSING)
    node.apis["http-health-server"] = None
    if value is _MISSING or value is None:
        return
    mpath = _join(path, "monitoring")
    monitoring = _object(value, mpath, MONITORING_KEYS)
    node.apis["http-health-server"] = _read_api(
        monitoring, "http-health-server", mpath, default_address="localhost", optional=True, allow_zero=True
    )


def _read_replication(obj: dict[str, Any], path: str) -> ReplicationConfig:
    value = obj.get("replication", _MISSING)
    if value is _MISSING or value is None:
        return ReplicationConfig()
    rpath = _join(path, "replication")
    replication = _object(value, rpath, REPLICATION_KEYS)
    fields: dict[str, Any] = {}
    if "enabled" in replication:
        fields["enabled"] = _bool(replication["enabled"], _join(rpath, "enabled"))
    if "check-period" in replication:
        fields["check_period"] = _duration(replication["check-period"], _join(rpath, "check-period"), positive=True)
    return ReplicationConfig(**fields)


def _read_participant(name: str, value: Any, path: str, base_dir: Path) -> _Node:
    obj = _object(value, path, PARTICIPANT_KEYS)
    node = _Node("participant", name, path)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_api(obj, "admin-api", path, default_address="127.0.0.1", optional=False)
    node.apis["ledger-api"] = _read_api(obj, "ledger-api", path, default_address="127.0.0.1", optional=False)
    node.apis["http-ledger-api"] = _read_api(obj, "http-ledger-api", path, default_address="127.0.0.1", optional=True)
    _read_monitoring(obj, path, node)
    node.replication = _read_replication(obj, path)
    return node


def _read_sequencer(name: str, value: Any, path: str, base_dir: Path) -> _Node:
    obj = _object(value, path, SEQUENCER_KEYS)
    node = _Node("sequencer", name, path)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_api(obj, "admin-api", path, default_address="127.0.0.1", optional=False)
    node.apis["public-api"] = _read_api(obj, "public-api", path, default_address="127.0.0.1", optional=False)
    if obj.get("sequencer") is not None:
        spath = _join(path, "sequencer")
        block = _object(obj["sequencer"], spath, SEQUENCER_BLOCK_KEYS)
        if "type" in block:
            tpath = _join(spath, "type")
            typ = block["type"]
            choices = f"{', '.join(SEQUENCER_TYPES[:-1])} or {SEQUENCER_TYPES[-1]}"
            if not isinstance(typ, str):
                raise _fail(tpath, f"expected {choices}, found {_show(typ)}")
            if typ not in SEQUENCER_TYPES:
                raise _fail(tpath, f"unknown sequencer type '{typ}'; expected {choices}")
            node.fields["sequencer_type"] = typ
    _read_monitoring(obj, path, node)
    return node


def _read_mediator(name: str, value: Any, path: str, base_dir: Path) -> _Node:
    obj = _object(value, path, MEDIATOR_KEYS)
    node = _Node("mediator", name, path)
    node.storage = _read_storage(obj, path, base_dir)
    node.apis["admin-api"] = _read_api(obj, "admin-api", path, default_address="127.0.0.1", optional=False)
    _read_monitoring(obj, path, node)
    node.replication = _read_replication(obj, path)
    return node


_READERS = {"participants": _read_participant, "sequencers": _read_sequencer, "mediators": _read_mediator}


def _identifier_hint(name: str) -> str:
    suggestion = re.sub(r"\W", "_", name) or "node"
    if suggestion[0].isdigit():
        suggestion = "n" + suggestion
    if keyword.iskeyword(suggestion):
        suggestion += "_"
    return suggestion


def _check_name(name: str, path: str) -> None:
    if name.isidentifier() and not keyword.iskeyword(name):
        return
    why = "is a Python keyword" if keyword.iskeyword(name) else "is not a valid Python identifier"
    raise _fail(
        path,
        f"node name '{name}' {why}; the console binds every node to a Python variable of that name, "
        f"so use letters, digits and underscores, not starting with a digit (e.g. '{_identifier_hint(name)}')",
    )


def _read_parameters(value: Any) -> Parameters:
    path = "canton.parameters"
    if value is _MISSING or value is None:
        return Parameters()
    params = _object(value, path, PARAMETERS_KEYS)
    fields: dict[str, Any] = {}
    if params.get("clock") is not None:
        cpath = _join(path, "clock")
        clock = _object(params["clock"], cpath, CLOCK_KEYS)
        if "type" in clock:
            typ = clock["type"]
            if not isinstance(typ, str) or typ not in CLOCK_TYPES:
                shown = f"'{typ}'" if isinstance(typ, str) else _show(typ)
                raise _fail(_join(cpath, "type"), f"unknown clock type {shown}; expected wall-clock or sim-clock")
            fields["clock_type"] = typ
    if params.get("timeouts") is not None:
        tpath = _join(path, "timeouts")
        timeouts = _object(params["timeouts"], tpath, TIMEOUTS_KEYS)
        if timeouts.get("console") is not None:
            ctpath = _join(tpath, "console")
            console = _object(timeouts["console"], ctpath, CONSOLE_TIMEOUT_KEYS)
            t: dict[str, Any] = {}
            for key in CONSOLE_TIMEOUT_KEYS:
                if key in console:
                    t[key.replace("-", "_")] = _duration(console[key], _join(ctpath, key), allow_inf=key == "unbounded")
            fields["timeouts"] = ConsoleTimeouts(**t)
    for key in ("manual-start", "static-identities", "non-standard-config"):
        if key in params:
            fields[key.replace("-", "_")] = _bool(params[key], _join(path, key))
    return Parameters(**fields)


def _normal_host(address: str) -> str:
    a = address.strip().lower()
    return "127.0.0.1" if a in ("localhost", "localhost.") else a


_WILDCARDS = ("0.0.0.0", "::", "*", "")


def _same_host(a: str, b: str) -> bool:
    a, b = _normal_host(a), _normal_host(b)
    return a == b or a in _WILDCARDS or b in _WILDCARDS


def _assign_ports(nodes: list[_Node]) -> None:
    slots = [api for node in nodes for api in node.apis.values() if api is not None]
    used = {api.port for api in slots if api.port}
    next_port = FIRST_DEFAULT_PORT
    for api in slots:
        if api.port is None:
            while next_port in used:
                next_port += 1
            if next_port > 65535:
                raise _fail(_join(api.path, "port"), "missing, and no free default port is left; set the port explicitly")
            api.port = next_port
            used.add(next_port)
    seen: dict[int, list[_Api]] = {}
    for api in slots:
        if api.port == 0:
            continue
        for other in seen.get(api.port, ()):
            if _same_host(api.address, other.address):
                raise _fail(
                    _join(api.path, "port"),
                    f"{api.address}:{api.port} is already used by {_join(other.path, 'port')} "
                    f"({other.address}:{other.port}); expected a port no other API uses",
                )
        seen.setdefault(api.port, []).append(api)


def _storage_key(storage: StorageConfig) -> tuple[Any, ...] | None:
    if storage.type == "sqlite":
        return ("sqlite", os.path.realpath(storage.file or ""))
    if storage.type == "postgres":
        return ("postgres", _normal_host(storage.server_name), storage.port_number, storage.database_name)
    return None


def _check_shared_storage(nodes: list[_Node]) -> None:
    owners: dict[tuple[Any, ...], list[_Node]] = {}
    for node in nodes:
        key = _storage_key(node.storage)
        if key is None:
            continue
        for other in owners.get(key, ()):
            where = f"{_join(node.path, 'storage')}: uses the same {node.storage.describe()} as {_join(other.path, 'storage')}"
            if other.kind != node.kind:
                raise ConfigError(f"{where}; a {node.kind} and a {other.kind} cannot share storage", path=_join(node.path, "storage"))
            if node.replication is None:
                raise ConfigError(f"{where}; {node.kind}s cannot share storage", path=_join(node.path, "storage"))
            off = next((n for n in (other, node) if n.replication is None or not n.replication.enabled), None)
            if off is not None:
                raise ConfigError(
                    f"{where}; {node.kind}s may share storage only as replicas, with replication.enabled = true "
                    f"on all of them ({_join(off.path, 'replication.enabled')} is not true)",
                    path=_join(node.path, "storage"),
                )
        owners.setdefault(key, []).append(node)


def _api(api: _Api | None) -> ApiConfig | None:
    return None if api is None else ApiConfig(address=api.address, port=api.port)


def _monitoring(node: _Node) -> MonitoringConfig:
    health = node.apis.get("http-health-server")
    if health is None:
        return MonitoringConfig()
    return MonitoringConfig(http_health_server=HealthServerConfig(address=health.address, port=health.port))


def _build(tree: dict[str, Any], base_dir: Path) -> CantonConfig:
    if not isinstance(tree, dict):
        raise ConfigError(f"the configuration must be an object (key = value pairs), found {_show(tree)}")
    canton_value = tree.get("canton", _MISSING)
    if canton_value is _MISSING or canton_value is None:
        return CantonConfig()
    canton = _object(canton_value, "canton", CANTON_KEYS)
    nodes: list[_Node] = []
    names: dict[str, str] = {}
    for group, reader in _READERS.items():
        value = canton.get(group, _MISSING)
        if value is _MISSING or value is None:
            continue
        gpath = _join("canton", group)
        if not isinstance(value, dict):
            raise _fail(gpath, f"expected an object with one entry per node, found {_show(value)}")
        for raw_name, node_value in value.items():
            name = raw_name.strip('"')
            path = _join(gpath, raw_name)
            _check_name(name, path)
            if name in names:
                raise _fail(
                    path,
                    f"node name '{name}' is already used by {names[name]}; "
                    "node names must be unique across participants, sequencers and mediators",
                )
            names[name] = path
            nodes.append(reader(name, node_value, path, base_dir))
    parameters = _read_parameters(canton.get("parameters", _MISSING))
    _assign_ports(nodes)
    _check_shared_storage(nodes)

    participants: dict[str, ParticipantConfig] = {}
    sequencers: dict[str, SequencerConfig] = {}
    mediators: dict[str, MediatorConfig] = {}
    for node in nodes:
        if node.kind == "participant":
            participants[node.name] = ParticipantConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_api(node.apis["admin-api"]),
                ledger_api=_api(node.apis["ledger-api"]),
                http_ledger_api=_api(node.apis["http-ledger-api"]),
                monitoring=_monitoring(node),
                replication=node.replication,
            )
        elif node.kind == "sequencer":
            sequencers[node.name] = SequencerConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_api(node.apis["admin-api"]),
                public_api=_api(node.apis["public-api"]),
                monitoring=_monitoring(node),
                **node.fields,
            )
        else:
            mediators[node.name] = MediatorConfig(
                name=node.name,
                storage=node.storage,
                admin_api=_api(node.apis["admin-api"]),
                monitoring=_monitoring(node),
                replication=node.replication,
            )
    return CantonConfig(participants=participants, sequencers=sequencers, mediators=mediators, parameters=parameters)
