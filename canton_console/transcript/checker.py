"""Run a transcript's steps in one console session and compare what they print.

The evaluation engine is not part of this package: callers pass a ``SessionFactory`` that makes a
``TranscriptSession`` (``run_step(command) -> StepOutcome``, ``close()``) from the file's options.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .matcher import Captures, match
from .model import (
    FAILURE_PREFIX,
    FileReport,
    MatchResult,
    ParseError,
    SessionFactory,
    Step,
    StepOutcome,
    StepReport,
    Transcript,
    TranscriptOptions,
    TranscriptSession,
)
from .parser import parse_transcript

__all__ = [
    "check_transcript",
    "check_file",
    "check_files",
    "format_report",
    "compare_step",
    "run_steps",
    "MAX_EXIT_STATUS",
]

#: ``check_files`` returns at most this, so it can be used as a process exit status.
MAX_EXIT_STATUS = 100


def _where(path: Path, line: int) -> str:
    return f"{path}:{line}"


def compare_step(
    transcript: Transcript, step: Step, outcome: StepOutcome, captures: Captures
) -> StepReport:
    """Compare one step's outcome with its expectation (output and failure)."""
    where = _where(transcript.path, step.line)
    result: MatchResult = match(
        step.expected, outcome.output, captures, where=where, first_line=step.output_start
    )
    reason = None if result.ok else result.reason
    if outcome.failed and not step.expect_failure:
        reason = "the command failed, but the step does not expect a failure" + (
            f"; {reason}" if reason and reason != "output differs" else ""
        )
    elif step.expect_failure and not outcome.failed:
        reason = f"the step expects a failure (its output has a failure line: {FAILURE_PREFIX.strip()!r}, 'Error:' ...), but the command succeeded" + (
            f"; {reason}" if reason and reason != "output differs" else ""
        )
    ok = result.ok and outcome.failed == step.expect_failure
    diff = result.diff
    if not ok and not diff:
        shown = outcome.output.rstrip("\n")
        diff = "actual output:\n" + ("\n".join("    " + ln for ln in shown.split("\n")) if shown else "    (none)")
    return StepReport(
        step=step, ok=ok, output=outcome.output, failed=outcome.failed,
        reason=None if ok else reason, diff="" if ok else diff,
    )


def run_steps(
    transcript: Transcript,
    session: TranscriptSession,
) -> Iterable[tuple[Step, StepOutcome | None, str | None]]:
    """Run every step in order; yields ``(step, outcome, engine_error)`` and goes on after
    failures (an exception from the engine becomes ``engine_error``)."""
    for step in transcript.steps:
        try:
            outcome = session.run_step(step.command)
        except Exception:  # noqa: BLE001 - an engine crash fails the step, not the run
            yield step, None, traceback.format_exc()
            continue
        yield step, outcome, None


def check_transcript(
    transcript: Transcript,
    session_factory: SessionFactory,
    *,
    options: TranscriptOptions | None = None,
    directory: Path | None = None,
) -> FileReport:
    """Run ``transcript`` in one session and compare every step.

    ``options`` overrides the options read from the file's directives; they are passed to the
    factory with ``directory`` (default: the transcript's directory).
    """
    opts = options if options is not None else transcript.options
    try:
        session = session_factory(opts, directory if directory is not None else transcript.directory)
    except Exception as exc:  # noqa: BLE001
        return FileReport(
            transcript.path, [], 1,
            error=f"the console session could not start: {type(exc).__name__}: {exc}",
        )
    captures = Captures()
    reports: list[StepReport] = []
    try:
        for step, outcome, crash in run_steps(transcript, session):
            if outcome is None:
                reports.append(
                    StepReport(
                        step=step, ok=False,
                        reason="the console raised an exception instead of printing a result",
                        diff=crash or "",
                    )
                )
                continue
            reports.append(compare_step(transcript, step, outcome, captures))
    finally:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - closing must not hide the results
            pass
    return FileReport(transcript.path, reports, sum(1 for r in reports if not r.ok))


def check_file(
    path: str | Path, session_factory: SessionFactory, *, display_path: str | Path | None = None
) -> FileReport:
    """Parse and check one file; a parse error is reported as the file's error.

    ``display_path`` names the file in the report (default: ``path``); relative ``config=``
    paths are still resolved against the file's real directory.
    """
    p = Path(path)
    shown = Path(display_path) if display_path is not None else p
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileReport(shown, [], 1, error=f"{shown}: cannot read: {exc}")
    try:
        transcript = parse_transcript(text, shown)
    except ParseError as exc:
        return FileReport(shown, [], 1, error=str(exc))
    return check_transcript(transcript, session_factory, directory=p.parent)


def format_report(report: FileReport, *, verbose: bool = False) -> str:
    """Failures as ``path:line: step failed`` + reason + diff, then ``path: N steps, M failed``."""
    out: list[str] = []
    if report.error:
        out.append(report.error if report.error.startswith(str(report.path)) else f"{report.path}: {report.error}")
    for r in report.steps:
        if r.ok:
            if verbose:
                out.append(f"{report.path}:{r.step.line}: ok")
            continue
        out.append(f"{report.path}:{r.step.line}: step failed")
        out.append("  @ " + r.step.command.replace("\n", "\n    "))
        if r.reason:
            out.append(f"  {r.reason}")
        if r.diff:
            out.append(r.diff)
        out.append("")
    n = len(report.steps)
    summary = f"{report.path}: {n} step{'s' if n != 1 else ''}, {report.failures} failed"
    if report.error:
        summary += " (file did not run)" if not report.steps else ""
    out.append(summary)
    return "\n".join(out)


def check_files(
    paths: Iterable[str | Path],
    session_factory: SessionFactory,
    *,
    out: TextIO | None = None,
    verbose: bool = False,
) -> int:
    """Check every file, printing each report; returns the number of failed steps across the
    files (a file that could not run counts as one), capped at ``MAX_EXIT_STATUS``."""
    stream = out if out is not None else sys.stdout
    total = 0
    for p in paths:
        report = check_file(p, session_factory)
        total += report.failures
        print(format_report(report, verbose=verbose), file=stream)
    return min(total, MAX_EXIT_STATUS)
