"""The error the Scala translator raises for input outside its subset or malformed input."""

from __future__ import annotations

UNSUPPORTED = "Scala construct not supported by this console"


class ScalaSyntaxError(SyntaxError):
    """A Scala input this console cannot translate.

    ``str(err)`` is ``"<message> (line L, column C)"``. ``construct`` names the offending construct
    (``"'def' definitions"``, ``"pattern matching ('match')"``, ``"unbalanced parentheses"`` …) or is
    ``"syntax"`` for a plain syntax error. ``incomplete`` is true when the input merely stops too early
    (an unclosed bracket, string or comment, or a trailing operator): a console can then ask for more lines.
    """

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        *,
        construct: str | None = None,
        source_line: str | None = None,
        incomplete: bool = False,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.construct = construct if construct is not None else "syntax"
        self.incomplete = incomplete
        super().__init__(f"{message} (line {line}, column {column})", ("<scala>", line, column, source_line))

    def __str__(self) -> str:
        return str(self.msg)

    @classmethod
    def unsupported(cls, construct: str, line: int, column: int, **kwargs) -> ScalaSyntaxError:
        """The error for a construct outside the subset: the message names the construct."""
        return cls(f"{UNSUPPORTED}: {construct}", line, column, construct=construct, **kwargs)
