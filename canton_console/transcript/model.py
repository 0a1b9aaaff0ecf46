"""The records of the transcript checker: a parsed transcript, its steps and options, the
protocol an evaluation engine implements to run the steps, and the reports of a check.

A transcript is a document (plain text, Markdown or reStructuredText) holding console steps in
Canton's documentation style::

    @ participant1.health.ping(participant2)
    res10: Duration = 923 milliseconds

This module depends on nothing but attrs and the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import attrs

#: How a block of steps treats a blank line in an expected output: in ``plain`` text (and in
#: Markdown or reStructuredText outside code blocks) a blank line ends the output, so a blank
#: output line is written ``<BLANKLINE>``; inside a fenced / ``code-block`` ``block`` blank lines
#: belong to the output, which runs to the next ``@`` or the block's end.
BlockMode = Literal["plain", "block"]
TranscriptFormat = Literal["plain", "markdown", "rst"]

#: The marker of a blank line inside an expected output (doctest's spelling).
BLANKLINE = "<BLANKLINE>"

#: Canton's failure output starts with this: ``ERROR c.d.c.c.CantonConsoleEnvironment - <cause>``.
FAILURE_PREFIX = "ERROR "

#: A line that says the command failed: Canton's ``ERROR ...``, the console's one-line ``Error: ...``,
#: ``Interrupted: ...``, or a JVM exception (``java.util.NoSuchElementException: ...``). An expected
#: output with such a line expects the command to fail (after whatever it printed before failing).
FAILURE_LINE = re.compile(r"^(ERROR |Error: |Interrupted: |[a-z][\w.]*\.[A-Z]\w*(Exception|Error|Failure)(: |$))")


def is_failure_output(lines: list[str]) -> bool:
    return any(FAILURE_LINE.match(line) for line in lines)

SYNTAXES = ("python", "scala", "auto")
CLOCKS = ("sim", "wall")


class ParseError(Exception):
    """A transcript could not be parsed; ``str()`` gives ``file:line: message``."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}")


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class TranscriptOptions:
    """File options set by ``canton-console: key=value, ...`` directives.

    ``configs`` are the ``config=`` paths as written (relative to the transcript's directory
    unless absolute), in order; ``syntax`` is ``python``, ``scala`` or ``auto``; ``clock`` is
    ``sim``, ``wall`` or None (the engine's default).
    """

    configs: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    syntax: str = "auto"
    clock: str | None = None

    def config_paths(self, base: str | Path) -> list[Path]:
        """The config files resolved against ``base`` (the transcript's directory)."""
        root = Path(base)
        return [p if p.is_absolute() else root / p for p in map(Path, self.configs)]


@attrs.frozen
class Step:
    """One ``@ command`` and its expected output.

    ``line`` is the 1-based line of the ``@``; ``command_end`` the last line of the command.
    The expected output occupies lines ``output_start`` .. ``output_end`` (1-based, inclusive;
    ``output_end == output_start - 1`` when the step has no expected output, and then
    ``output_start`` is where output would be inserted). ``indent`` is the block's indentation
    (the ``@`` line's leading whitespace), removed from ``expected`` lines. ``expected`` keeps the
    lines as written (``<BLANKLINE>`` included); trailing blank lines are not part of it.
    """

    line: int
    command: str
    expected: list[str]
    expect_failure: bool
    command_end: int
    output_start: int
    output_end: int
    indent: str = ""
    mode: BlockMode = "plain"

    @property
    def has_output(self) -> bool:
        return self.output_end >= self.output_start


@attrs.frozen
class Transcript:
    """A parsed transcript: where it came from, its steps in order and its options."""

    path: Path
    steps: list[Step]
    options: TranscriptOptions = TranscriptOptions()
    format: TranscriptFormat = "plain"
    text: str = attrs.field(default="", repr=False)

    @property
    def directory(self) -> Path:
        """The directory relative ``config=`` paths are resolved against."""
        return self.path.parent


@attrs.frozen
class StepOutcome:
    """What the engine printed for one command, and whether the command failed."""

    output: str
    failed: bool = False


@runtime_checkable
class TranscriptSession(Protocol):
    """One console session that runs a transcript's commands in order (the evaluation engine)."""

    def run_step(self, command: str) -> StepOutcome: ...

    def close(self) -> None: ...


#: Creates a session from the file's options and the transcript's directory.
SessionFactory = Callable[[TranscriptOptions, Path], TranscriptSession]


@attrs.frozen
class MatchResult:
    """The comparison of one expected output with the actual output.

    ``diff`` is a unified diff of the raw expected lines against the raw actual lines (empty when
    ``ok``); ``reason`` says why the match failed when the diff alone does not (a contradicted
    capture, an unexpected failure...).
    """

    ok: bool
    diff: str = ""
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.ok


@attrs.frozen
class StepReport:
    """The result of one step: ``output``/``failed`` are what the engine returned (None when the
    step could not run)."""

    step: Step
    ok: bool
    output: str | None = None
    failed: bool | None = None
    reason: str | None = None
    diff: str = ""


@attrs.frozen
class FileReport:
    """The result of checking one transcript. ``error`` is set when the file could not run at all
    (parse error, session could not start); it then counts as one failure."""

    path: Path
    steps: list[StepReport]
    failures: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failures == 0


@attrs.frozen
class UpdateReport:
    """What ``update_transcript`` did to one file."""

    path: Path
    steps: int
    kept: int
    rewritten: int
    inserted: int
    removed: int
    written: bool
    problems: list[str] = attrs.field(factory=list)

    @property
    def changed(self) -> int:
        return self.rewritten + self.inserted + self.removed
