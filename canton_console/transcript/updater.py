"""Rewrite a transcript's expected outputs from a real run (``--update`` / accept mode).

Prose, directives, commands and formatting are left untouched. An expected output that still
matches (with its ``...``, placeholders and captures) is kept byte for byte. One that does not is
replaced: lines that still match on their own are kept as written (so ``<name>``, instants and
inline ``...`` survive where they still hold) when the result matches the run, otherwise the
whole output is replaced by what was printed. Fingerprints in the new text are written as the
expected fingerprints bound to them, so the document's ids stay consistent. Blank lines in
output outside code blocks are written ``<BLANKLINE>``. The file is written atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .checker import run_steps
from .matcher import Captures, align, match, normalise_actual, substitute_fingerprints
from .model import (
    BLANKLINE,
    FAILURE_PREFIX,
    ParseError,
    SessionFactory,
    Step,
    Transcript,
    UpdateReport,
    is_failure_output,
)
from .parser import parse_transcript, split_lines

__all__ = ["update_transcript", "update_text", "UpdateError"]


class UpdateError(Exception):
    """The file could not be updated (nothing was written)."""


def update_transcript(path: str | Path, session_factory: SessionFactory) -> UpdateReport:
    """Run the transcript at ``path`` and rewrite its expected outputs in place."""
    p = Path(path)
    raw = p.read_bytes()
    text = raw.decode("utf-8")
    new_text, report = update_text(text, p, session_factory)
    if new_text != text:
        _write_atomically(p, new_text)
        report = UpdateReport(
            path=p, steps=report.steps, kept=report.kept, rewritten=report.rewritten,
            inserted=report.inserted, removed=report.removed, written=True, problems=report.problems,
        )
    return report


def update_text(
    text: str, path: str | Path, session_factory: SessionFactory
) -> tuple[str, UpdateReport]:
    """The updated document and what changed (nothing is written)."""
    p = Path(path)
    transcript = parse_transcript(text, p)
    session = session_factory(transcript.options, transcript.directory)
    captures = Captures()
    replacements: dict[int, list[str] | None] = {}  # step index -> new output lines (None = keep)
    problems: list[str] = []
    kept = rewritten = inserted = removed = 0
    try:
        for idx, (step, outcome, crash) in enumerate(run_steps(transcript, session)):
            where = f"{p}:{step.line}"
            if outcome is None:
                problems.append(f"{where}: the console raised an exception; output left as is\n{crash}")
                replacements[idx] = None
                continue
            result = match(step.expected, outcome.output, captures, where=where)
            if result.ok and outcome.failed == step.expect_failure:
                kept += 1
                replacements[idx] = None
                continue
            new_lines = _new_output(step, outcome.output, captures)
            if outcome.failed and not is_failure_output(new_lines):
                problems.append(
                    f"{where}: the command failed but its output has no failure line "
                    f"({FAILURE_PREFIX.strip()!r}, 'Error:' ...); the step will not be read as expecting a failure"
                )
            elif not outcome.failed and is_failure_output(new_lines):
                problems.append(
                    f"{where}: the command succeeded but its output has a failure line "
                    f"({FAILURE_PREFIX.strip()!r}, 'Error:' ...); the step will be read as expecting a failure"
                )
            if not step.has_output and new_lines:
                inserted += 1
            elif step.has_output and not new_lines:
                removed += 1
            elif new_lines == step.expected:
                kept += 1  # only the failure expectation is off: nothing to write
                replacements[idx] = None
                continue
            else:
                rewritten += 1
            replacements[idx] = new_lines
    finally:
        try:
            session.close()
        except Exception:  # noqa: BLE001
            pass

    new_text = _splice(text, transcript, replacements)
    if new_text != text:
        _verify(new_text, p, transcript)
    report = UpdateReport(
        path=p, steps=len(transcript.steps), kept=kept, rewritten=rewritten,
        inserted=inserted, removed=removed, written=False, problems=problems,
    )
    return new_text, report


def _new_output(step: Step, actual: str, captures: Captures) -> list[str]:
    """The lines to write for a step whose expectation no longer holds; binds its captures."""
    actual_lines = normalise_actual(substitute_fingerprints(actual, captures))
    candidates = []
    merged = _merge(step.expected, actual_lines)
    if merged is not None and merged != actual_lines:
        candidates.append(merged)
    candidates.append(actual_lines)
    for lines in candidates:
        trial = captures.copy()
        if match(lines, actual, trial).ok:
            captures.fingerprints, captures.placeholders = trial.fingerprints, trial.placeholders
            return _encode_blank_lines(lines, step)
    # The printed text does not even match itself (it looks like a pattern that contradicts
    # the file's captures): write it anyway, the next check will show why.
    return _encode_blank_lines(actual_lines, step)


def _merge(expected: list[str], actual: list[str]) -> list[str] | None:
    """Actual lines, except that lines still matching an expected line keep the expected text."""
    if not expected:
        return None
    out: list[str] = []
    for tag, i1, i2, j1, j2 in align(expected, actual):
        if tag in ("equal", "ellipsis"):
            out += expected[i1:i2]
        else:
            out += actual[j1:j2]
    return out


def _encode_blank_lines(lines: list[str], step: Step) -> list[str]:
    if step.mode == "plain":
        return [BLANKLINE if ln.strip() == "" else ln for ln in lines]
    return lines


def _splice(text: str, transcript: Transcript, replacements: dict[int, list[str] | None]) -> str:
    raw_lines = split_lines(text)
    eol = "\r\n" if raw_lines and raw_lines[0].endswith("\r\n") else "\n"
    # Work from the end so earlier line numbers stay valid.
    for idx in sorted(replacements, reverse=True):
        new = replacements[idx]
        if new is None:
            continue
        step = transcript.steps[idx]
        start = step.output_start - 1
        end = step.output_end if step.has_output else start
        body = [(step.indent + ln if ln else "") + eol for ln in new]
        if start > 0 and start == len(raw_lines) and not raw_lines[start - 1].endswith("\n"):
            raw_lines[start - 1] += eol  # inserting after a last line without a line end
        if body and end == len(raw_lines) and end > 0 and not raw_lines[end - 1].endswith("\n"):
            body[-1] = body[-1][: -len(eol)]  # keep "no newline at end of file"
        raw_lines[start:end] = body
    return "".join(raw_lines)


def _verify(new_text: str, path: Path, old: Transcript) -> None:
    """The rewritten document must parse into the same commands (an output line that looks like
    a command or a continuation would change the document's meaning)."""
    try:
        new = parse_transcript(new_text, path)
    except ParseError as exc:  # pragma: no cover - outputs do not add `@` lines
        raise UpdateError(f"{path}: the updated document does not parse: {exc}") from exc
    before = [s.command for s in old.steps]
    after = [s.command for s in new.steps]
    if before != after:
        for a, b in zip(old.steps, new.steps):
            if a.command != b.command:
                raise UpdateError(
                    f"{path}:{a.line}: the new output of this step would be read as part of a "
                    f"command (it starts with an indented line or an `@`); update it by hand"
                )
        raise UpdateError(f"{path}: the updated document has different steps; update it by hand")


def _write_atomically(path: Path, text: str) -> None:
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
