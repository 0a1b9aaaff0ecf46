"""Logging as Canton does it: a log file (``log/canton.log``, plain or JSON lines), a terminal that
shows WARN and above, levels per logger changeable at run time, trace ids that tie the log events of
one console command together, and the last errors kept for ``logging.last_errors()``.

Our loggers are named ``canton_console.<area>``; the log shows them under Canton's root,
``com.digitalasset.canton.<area>``, and ``logging.set_level("com.digitalasset.canton", ...)`` sets
them, so that Canton's instructions work unchanged.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import datetime as _dt
import json
import logging
import logging.handlers
import os
import sys
import uuid
from collections.abc import Iterator

import attrs

CANTON_ROOT = "com.digitalasset.canton"
OUR_ROOT = "canton_console"

# The trace id of the console command being run; runtime work done for it carries it along.
TRACE_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("canton_trace_id", default=None)

# Canton's levels (logback) and Python's.
LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR, "OFF": logging.CRITICAL + 10}
LEVEL_NAMES = {5: "TRACE", logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARN", logging.ERROR: "ERROR", logging.CRITICAL: "ERROR"}
# logback's level integers, as the JSON encoder writes them (level_value)
LOGBACK_VALUES = {"TRACE": 5000, "DEBUG": 10000, "INFO": 20000, "WARN": 30000, "ERROR": 40000}
logging.addLevelName(5, "TRACE")

ENCODERS = ("plain", "json")
APPENDERS = ("rolling", "flat", "off")


class LogSetupError(ValueError):
    """A logging option the user gave that cannot work (unknown level, encoder, appender)."""


def parse_level(text: str) -> int:
    level = LEVELS.get(text.strip().upper() if text else "")
    if level is None:
        raise LogSetupError(f"Unknown log level '{text}': use one of TRACE, DEBUG, INFO, WARN, ERROR, OFF")
    return level


def level_name(level: int) -> str:
    if level >= LEVELS["OFF"]:
        return "OFF"
    return LEVEL_NAMES.get(level) or logging.getLevelName(level)


def new_trace_id() -> str:
    return uuid.uuid4().hex


def python_logger_name(canton_name: str) -> str:
    """The logger behind a Canton logger name: Canton's root is ours."""
    if canton_name == CANTON_ROOT or canton_name.startswith(CANTON_ROOT + "."):
        return OUR_ROOT + canton_name[len(CANTON_ROOT) :]
    return canton_name


def canton_logger_name(python_name: str) -> str:
    if python_name == OUR_ROOT or python_name.startswith(OUR_ROOT + "."):
        return CANTON_ROOT + python_name[len(OUR_ROOT) :]
    return python_name


def abbreviate(name: str, target: int) -> str:
    """logback's ``%logger{n}``: shorten leading segments to their first letter, left to right,
    until the name fits (the last segment is never shortened)."""
    if len(name) <= target:
        return name
    parts = name.split(".")
    for i in range(len(parts) - 1):
        parts[i] = parts[i][:1]
        if len(".".join(parts)) <= target:
            break
    return ".".join(parts)


def _timestamp(record: logging.LogRecord) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(record.created).astimezone()


class TraceIdFilter(logging.Filter):
    """Attach the current trace id to every record (None outside a console command)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "trace_id"):
            record.trace_id = TRACE_ID.get()
        return True


class PlainFormatter(logging.Formatter):
    """Canton's file pattern: ``%date [%thread] %-5level %logger{N} tid:<id> - msg``."""

    def __init__(self, logger_width: int = 10):
        super().__init__()
        self.logger_width = logger_width

    def format(self, record: logging.LogRecord) -> str:
        moment = _timestamp(record)
        date = moment.strftime("%Y-%m-%d %H:%M:%S") + f",{int(record.msecs):03d}"
        tid = getattr(record, "trace_id", None)
        text = (
            f"{date} [{record.threadName}] {level_name(record.levelno):<5} "
            f"{abbreviate(canton_logger_name(record.name), self.logger_width)} {f'tid:{tid} ' if tid else ''}- {record.getMessage()}"
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """Canton's JSON encoder (logstash fields): one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = _timestamp(record)
        level = level_name(record.levelno)
        event = {
            "@timestamp": moment.isoformat(timespec="milliseconds"),
            "@version": "1",
            "message": record.getMessage(),
            "logger_name": abbreviate(canton_logger_name(record.name), 30),
            "thread_name": record.threadName,
            "level": level,
            "level_value": LOGBACK_VALUES.get(level, record.levelno * 1000),
        }
        tid = getattr(record, "trace_id", None)
        if tid:
            event["trace-id"] = tid
        if record.exc_info:
            event["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


class LastErrors(logging.Handler):
    """Keeps recent log events by trace id and the last errors, for ``logging.last_errors()`` and
    ``logging.last_error_trace(traceId)``."""

    def __init__(self, events: int = 2000, errors: int = 100):
        super().__init__(logging.DEBUG)
        self.formatter_plain = PlainFormatter(35)
        self._events: collections.deque[tuple[str | None, str]] = collections.deque(maxlen=events)
        self._errors: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._max_errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.formatter_plain.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is not kept
            return
        tid = getattr(record, "trace_id", None)
        self._events.append((tid, line))
        if record.levelno >= logging.ERROR:
            key = tid or new_trace_id()
            self._errors[key] = line
            self._errors.move_to_end(key)
            while len(self._errors) > self._max_errors:
                self._errors.popitem(last=False)

    def last_errors(self) -> dict[str, str]:
        return dict(self._errors)

    def trace(self, trace_id: str) -> list[str]:
        return [line for tid, line in self._events if tid == trace_id]


class ConsoleShownFilter(logging.Filter):
    """Records the console has printed already (a command failure) stay off the terminal handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "console_shown", False)


@attrs.frozen
class LogOptions:
    """The command line's logging options (Canton's names)."""

    level_stdout: str = "WARN"
    level_root: str | None = None
    level_canton: str | None = None
    file_name: str = "log/canton.log"
    file_appender: str = attrs.field(default="rolling", validator=attrs.validators.in_(APPENDERS))
    file_history: int = 12
    truncate: bool = False
    encoder: str = attrs.field(default="plain", validator=attrs.validators.in_(ENCODERS))
    last_errors: bool = True


class Logs:
    """The installed logging: its handlers and the last errors."""

    def __init__(self, options: LogOptions, file_handler: logging.Handler | None, last_errors: LastErrors | None):
        self.options = options
        self.file_handler = file_handler
        self.last_errors_handler = last_errors

    @property
    def file_path(self) -> str | None:
        return getattr(self.file_handler, "baseFilename", None)

    def last_errors(self) -> dict[str, str]:
        return self.last_errors_handler.last_errors() if self.last_errors_handler is not None else {}

    def last_error_trace(self, trace_id: str) -> list[str]:
        return self.last_errors_handler.trace(trace_id) if self.last_errors_handler is not None else []


_installed: Logs | None = None


def installed() -> Logs | None:
    return _installed


def install(options: LogOptions) -> Logs:
    """Set up the terminal, the log file and the last-errors buffer. Raises LogSetupError on a bad
    level and OSError when the log file cannot be opened."""
    global _installed
    stdout_level = parse_level(options.level_stdout)
    root_level = parse_level(options.level_root) if options.level_root else logging.INFO
    canton_level = parse_level(options.level_canton) if options.level_canton else logging.INFO
    trace = TraceIdFilter()

    terminal = logging.StreamHandler(sys.stderr)
    terminal.setFormatter(logging.Formatter("%(levelname)-5s %(name)s - %(message)s"))
    terminal.setLevel(stdout_level)
    terminal.addFilter(ConsoleShownFilter())
    handlers: list[logging.Handler] = [terminal]

    file_handler: logging.Handler | None = None
    if options.file_appender != "off":
        directory = os.path.dirname(options.file_name)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if options.file_appender == "rolling":
            file_handler = logging.handlers.TimedRotatingFileHandler(options.file_name, when="midnight", backupCount=options.file_history, encoding="utf-8")
        else:
            file_handler = logging.FileHandler(options.file_name, mode="w" if options.truncate else "a", encoding="utf-8")
        file_handler.setFormatter(JsonFormatter() if options.encoder == "json" else PlainFormatter())
        handlers.append(file_handler)
    last = LastErrors() if options.last_errors else None
    if last is not None:
        handlers.append(last)
    for handler in handlers:
        handler.addFilter(trace)

    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        if old is not terminal:
            old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(root_level)
    logging.getLogger(OUR_ROOT).setLevel(canton_level)
    _installed = Logs(options, file_handler, last)
    return _installed


def set_level(logger_name: str, level: str | None) -> None:
    """Canton's ``logging.set_level``: ``null`` (None) lets the logger inherit its parent's level."""
    logger = logging.getLogger(python_logger_name(logger_name))
    logger.setLevel(logging.NOTSET if level is None or level == "null" else parse_level(level))


def get_level(logger_name: str) -> str | None:
    """The level set on a logger (not inherited), or None."""
    name = python_logger_name(logger_name)
    logger = logging.getLogger(name) if name else logging.getLogger()
    return None if logger.level == logging.NOTSET else level_name(logger.level)


@contextlib.contextmanager
def trace_scope(trace_id: str | None = None) -> Iterator[str]:
    """Run the body under a trace id (a fresh one unless one is active or given)."""
    current = TRACE_ID.get()
    if current is not None and trace_id is None:
        yield current
        return
    token = TRACE_ID.set(trace_id or new_trace_id())
    try:
        yield TRACE_ID.get() or ""
    finally:
        TRACE_ID.reset(token)
