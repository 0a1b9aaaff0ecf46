"""The top-level ``logging`` object: log levels at run time and the last errors of this console
process (Canton's ``ConsoleMacros.logging``)."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console import logs
from canton_console.console import args as a
from canton_console.console.commands.health import StringMap
from canton_console.console.framework import Arg, ArgumentError, CallContext, Group, command, top_level
from canton_console.pretty import Literal
from canton_console.values.scala import Option, TypedVector


class _Required:
    """Marks ``level`` as required though it follows a parameter with a default (as in Canton)."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Required()


class Level(str):
    """A logback level as Canton's console shows it (``DEBUG``, unquoted)."""

    canton_type = "Level"

    def __pretty__(self) -> Literal:
        return Literal(str(self))


class LevelOption(Option):
    """``get_level``'s result, typed as Canton declares it: ``Option[Level]``."""

    @property
    def canton_type(self) -> str:
        return "Option[Level]"


class LevelArg(Arg):
    """A log level: TRACE, DEBUG, INFO, WARN, ERROR, OFF, or null (inherit the parent's)."""

    expects = "a log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF or null)"

    def convert(self, value: Any, ctx: CallContext) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ctx.wrong_type(self.expects, value)
        text = value
        if text == "null":
            return None
        try:
            logs.parse_level(text)
        except logs.LogSetupError as e:
            raise ctx.bad_value(str(e)) from None
        return text.upper()


@top_level("logging", "Logging", "Logging related commands")
class LoggingGroup(Group):
    """Logging related commands"""

    scala_name = "ConsoleMacros$logging$"

    @command(needs_running=False)
    def set_level(
        self,
        logger_name: Annotated[str, a.Text("a logger name, e.g. com.digitalasset.canton", allow_empty=False)] = logs.CANTON_ROOT,
        level: Annotated[Any, LevelArg()] = REQUIRED,
    ) -> None:
        """Dynamically change log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF, null)

        ``null`` removes the logger's own level: it logs at its parent's."""
        if level is REQUIRED:
            raise ArgumentError(f"{self._path}.set_level: missing a required argument: 'level'")
        logs.set_level(logger_name, level)

    @command(needs_running=False)
    def get_level(self, logger_name: Annotated[str, a.Text("a logger name, e.g. com.digitalasset.canton", allow_empty=False)] = logs.CANTON_ROOT) -> Option:
        """Determine current logging level

        The level set on the logger itself, or None when it inherits its parent's."""
        level = logs.get_level(logger_name)
        return LevelOption() if level is None else LevelOption(Level(level), True)

    @command(needs_running=False)
    def last_errors(self) -> StringMap:
        """Returns the last errors (trace-id -> error event) that have been logged locally"""
        installed = logs.installed()
        return StringMap(installed.last_errors() if installed is not None else {})

    @command(needs_running=False)
    def last_error_trace(self, trace_id: Annotated[str, a.Text("a trace id, as logging.last_errors() lists them", allow_empty=False)]) -> TypedVector:
        """Returns log events for an error with the same trace-id"""
        installed = logs.installed()
        return TypedVector("String", *(installed.last_error_trace(trace_id) if installed is not None else []))
