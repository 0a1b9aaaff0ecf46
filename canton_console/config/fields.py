"""The keys each config object allows, and readers of single values (strings, ports, booleans,
durations) that name the key path in every error."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from canton_console.config.errors import fail

# ---------------------------------------------------------------------------------------------------
# Reading values

MISSING = object()

CANTON_KEYS = ("participants", "sequencers", "mediators", "parameters", "features", "monitoring", "remote-participants", "remote-sequencers", "remote-mediators")
PARTICIPANT_KEYS = ("storage", "admin-api", "ledger-api", "http-ledger-api", "monitoring", "replication", "init")
SEQUENCER_KEYS = ("storage", "admin-api", "public-api", "sequencer", "monitoring", "init")
MEDIATOR_KEYS = ("storage", "admin-api", "monitoring", "replication", "init")
# Canton 3.3's InitConfig (the parts this console reads): identity.type and whether the node
# generates its keys and identity transactions once it has its id.
INIT_KEYS = ("identity", "generate-topology-transactions-and-keys")
INIT_IDENTITY_KEYS = ("type",)
INIT_IDENTITY_TYPES = ("auto", "manual")
STORAGE_KEYS = ("type", "file", "config", "parameters")
STORAGE_CONFIG_KEYS = ("dataSourceClass", "properties")
POSTGRES_PROPERTY_KEYS = ("serverName", "portNumber", "databaseName", "user", "password")
STORAGE_PARAMETER_KEYS = ("fail-fast-on-startup", "max-connections", "migrate-and-start")
API_KEYS = ("address", "port")
ADMIN_API_KEYS = ("address", "port", "tls")
LEDGER_API_KEYS = ("address", "port", "auth-services")
AUTH_SERVICE_KEYS = ("type", "secret", "certificate", "url", "target-audience", "target-scope", "privileged")
# The key material each JWT auth service type needs (Canton's AuthServiceConfig case classes).
AUTH_SERVICE_KEY_MATERIAL = {
    "unsafe-jwt-hmac-256": "secret",
    "jwt-rs-256-crt": "certificate",
    "jwt-es-256-crt": "certificate",
    "jwt-es-512-crt": "certificate",
    "jwt-jwks": "url",
}
FEATURES_KEYS = ("enable-testing-commands", "enable-preview-commands", "enable-repair-commands")
MONITORING_KEYS = ("http-health-server", "grpc-health-server")
GRPC_HEALTH_SERVER_KEYS = ("address", "port", "parallelism")
# canton.monitoring (the parts this console reads) and Canton's MetricsConfig / MetricsReporterConfig
CANTON_MONITORING_KEYS = ("metrics",)
METRICS_KEYS = ("reporters",)
PROMETHEUS_REPORTER_KEYS = ("type", "address", "port", "filters")
METRICS_FILTER_KEYS = ("starts-with", "contains", "ends-with")
REPLICATION_KEYS = ("enabled", "check-period")
SEQUENCER_BLOCK_KEYS = ("type", "config", "high-availability")
SEQUENCER_HA_KEYS = ("enabled", "total-node-count", "keep-alive-interval", "online-check-interval", "offline-duration")
PARAMETERS_KEYS = ("clock", "timeouts", "manual-start", "static-identities", "non-standard-config", "retention-period-defaults", "serve-admin-apis")
RETENTION_PERIOD_KEYS = ("sequencer", "mediator")
CLOCK_KEYS = ("type",)
TIMEOUTS_KEYS = ("console",)
CONSOLE_TIMEOUT_KEYS = ("bounded", "unbounded", "ledger-command", "ping")


def show(value: Any) -> str:
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


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}"


def read_object(value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, f"expected an object {{ … }}, found {show(value)}")
    for key in value:
        if key not in keys:
            raise fail(join_path(path, key), f"unknown key; expected one of: {', '.join(keys)}")
    return value


def read_string(value: Any, path: str, what: str = "a string") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # HOCON coerces numbers to strings
    raise fail(path, f"expected {what}, found {show(value)}")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return None


def read_port(value: Any, path: str, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    n = _int_or_none(value)
    if n is None or not low <= n <= 65535:
        extra = " (0 picks a free port)" if allow_zero else ""
        raise fail(path, f"expected a port number between {low} and 65535{extra}, found {show(value)}")
    return n


def read_positive_int(value: Any, path: str) -> int:
    n = _int_or_none(value)
    if n is None or n < 1:
        raise fail(path, f"expected a positive integer, found {show(value)}")
    return n


_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")


def read_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    raise fail(path, f"expected a boolean (true/false, yes/no, on/off), found {show(value)}")


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


def read_duration(value: Any, path: str, *, allow_inf: bool = False, positive: bool = False) -> timedelta | None:
    if allow_inf and isinstance(value, str) and value.strip().lower() in _INFINITE:
        return None
    d = parse_duration(value)
    if d is None or d < timedelta(0) or (positive and d == timedelta(0)):
        kind = "a positive duration" if positive else "a duration"
        inf = " or Inf" if allow_inf else ""
        raise fail(path, f"expected {kind} such as 10s, 500ms, 1m or 15 seconds{inf}, found {show(value)}")
    return d
