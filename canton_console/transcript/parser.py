"""Find the ``@ command`` steps and the ``canton-console:`` directives in a transcript.

Three kinds of documents are read; the format follows the file name:

* plain text (anything else): steps anywhere, prose between them is ignored;
* Markdown (``.md``, ``.markdown``): steps inside ````` ``` ````` / ``~~~`` fences, or outside
  them as in plain text;
* reStructuredText (``.rst``, ``.rest``): steps inside ``.. code-block::`` (``.. code::``,
  ``.. sourcecode::``) blocks and ``::`` literal blocks, or outside them as in plain text.

A step is an ``@ `` line (the command), its continuation lines (non-blank, indented at least two
spaces more than the ``@``; the two spaces are removed, deeper indentation is kept) and the
expected output: the lines from the first non-blank line after the command up to the next ``@``
line at the block's indentation, or the end of the block. Outside code blocks a blank line also
ends the output (write ``<BLANKLINE>`` for a blank output line); inside a code block blank lines
belong to the output. A step may have no output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .model import (
    CLOCKS,
    SYNTAXES,
    BlockMode,
    ParseError,
    Step,
    Transcript,
    TranscriptFormat,
    TranscriptOptions,
    is_failure_output,
)

__all__ = ["parse_transcript", "parse_file", "split_lines", "detect_format", "ParseError"]

_MD_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_RST_SUFFIXES = {".rst", ".rest"}
_FORMATS: dict[str, TranscriptFormat] = {"plain": "plain", "markdown": "markdown", "rst": "rst"}

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_RST_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\.[ \t]+(?:code-block|code|sourcecode)::(?:[ \t].*)?$")
_RST_OPTION = re.compile(r"^[ \t]+:[A-Za-z][\w-]*:")
_DIRECTIVE = re.compile(
    r"^[ \t]*(?:<!--[ \t]*|\.\.[ \t]+|#[ \t]*|//[ \t]*)?canton-console:[ \t]*(?P<body>.*?)[ \t]*(?:-->[ \t]*)?$"
)


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping the line ends (so ``"".join`` gives ``text`` back).

    The parser and the updater agree on this, so line numbers are the ones an editor shows.
    """
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def detect_format(path: str | Path) -> TranscriptFormat:
    suffix = Path(path).suffix.lower()
    if suffix in _MD_SUFFIXES:
        return "markdown"
    if suffix in _RST_SUFFIXES:
        return "rst"
    return "plain"


def parse_file(path: str | Path) -> Transcript:
    """Read and parse a transcript file (UTF-8)."""
    p = Path(path)
    return parse_transcript(p.read_text(encoding="utf-8"), p)


def parse_transcript(text: str, path: str | Path, *, format: str | None = None) -> Transcript:
    """Parse ``text`` (read from ``path``, which names it in errors and sets the format unless
    ``format`` is given: ``plain``, ``markdown`` or ``rst``)."""
    p = Path(path)
    name = format or detect_format(p)
    fmt = _FORMATS.get(name)
    if fmt is None:
        raise ValueError(f"unknown transcript format {name!r}")
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    blocks = _find_blocks(lines, fmt)

    steps: list[Step] = []
    used: set[int] = set()
    # Walk the document: code blocks are parsed as blocks, the stretches between them as plain.
    pos = 0
    for start, end in blocks:
        if pos < start:
            steps += _parse_segment(lines, pos, start, "plain", p, used)
        steps += _parse_segment(lines, start, end, "block", p, used)
        pos = end
    if pos < len(lines):
        steps += _parse_segment(lines, pos, len(lines), "plain", p, used)

    options = _parse_directives(lines, used, p)
    return Transcript(path=p, steps=steps, options=options, format=fmt, text=text)


# --------------------------------------------------------------------------------------- blocks


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _find_blocks(lines: list[str], fmt: str) -> list[tuple[int, int]]:
    """The [start, end) index ranges of code-block contents, in order."""
    if fmt == "markdown":
        return _markdown_blocks(lines)
    if fmt == "rst":
        return _rst_blocks(lines)
    return []


def _markdown_blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if m and not (m["fence"][0] == "`" and "`" in m["info"]):
            char, size = m["fence"][0], len(m["fence"])
            close = re.compile(r"^[ \t]*" + re.escape(char) + f"{{{size},}}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            blocks.append((i + 1, j))  # an unclosed fence runs to the end of the document
            i = j + 1
        else:
            i += 1
    return blocks


def _rst_blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _RST_DIRECTIVE.match(line)
        literal = (
            not directive
            and line.rstrip().endswith("::")
            and not line.lstrip().startswith("..")
            and line.strip() != ""
        )
        if not (directive or literal):
            i += 1
            continue
        base = _width(_indent_of(line))
        j = i + 1
        if directive:
            while j < len(lines) and _RST_OPTION.match(lines[j]) and _width(_indent_of(lines[j])) > base:
                j += 1
        start = j
        last = None
        while j < len(lines):
            if lines[j].strip() == "":
                j += 1
                continue
            if _width(_indent_of(lines[j])) <= base:
                break
            last = j
            j += 1
        if last is not None:
            blocks.append((start, last + 1))
            i = last + 1
        else:
            i = i + 1
    return blocks


# ---------------------------------------------------------------------------------------- steps


def _at_line(line: str) -> tuple[str, str] | None:
    """``(indent, rest)`` when ``line`` is an ``@`` line (``@ cmd`` or a bare ``@``)."""
    indent = _indent_of(line)
    rest = line[len(indent):]
    if rest.startswith("@ ") or rest.rstrip() == "@" or rest.startswith("@\t"):
        return indent, rest
    return None


def _parse_segment(
    lines: list[str], start: int, end: int, mode: BlockMode, path: Path, used: set[int]
) -> list[Step]:
    steps: list[Step] = []
    block_indent: str | None = None
    i = start
    while i < end:
        at = _at_line(lines[i])
        if at is None or (mode == "block" and block_indent is not None and at[0] != block_indent):
            i += 1
            continue
        indent, rest = at
        if mode == "block" and block_indent is None:
            block_indent = indent
        first = rest[2:].rstrip() if len(rest) > 1 else ""
        if first == "":
            raise ParseError(path, i + 1, "`@` with no command")
        # Continuation lines: non-blank, indented two more spaces than the `@`.
        cont_prefix = indent + "  "
        command_lines = [first]
        j = i + 1
        while j < end and lines[j].strip() != "" and lines[j].startswith(cont_prefix):
            command_lines.append(lines[j][len(cont_prefix):].rstrip())
            j += 1
        command = "\n".join(command_lines)
        command_end = j  # 1-based number of the command's last line

        def is_next_step(k: int, indent: str = indent) -> bool:
            nxt = _at_line(lines[k])
            if nxt is None:
                return False
            if mode == "block":
                return nxt[0] == indent
            return _width(nxt[0]) <= _width(indent)

        out_start = out_end = j  # index range [out_start, out_end)
        if mode == "block":
            k = j
            while k < end and lines[k].strip() == "":
                k += 1
            if k < end and not is_next_step(k):
                out_start = k
                last = k
                k += 1
                while k < end and not is_next_step(k):
                    if lines[k].strip() != "":
                        last = k
                    k += 1
                out_end = last + 1
        else:
            k = j
            if k < end and lines[k].strip() != "" and not is_next_step(k) and _width(_indent_of(lines[k])) >= _width(indent):
                out_start = k
                while (
                    k < end
                    and lines[k].strip() != ""
                    and not is_next_step(k)
                    and _width(_indent_of(lines[k])) >= _width(indent)
                ):
                    k += 1
                out_end = k

        expected = [_dedent(lines[k], indent) for k in range(out_start, out_end)]
        expected = [ln if ln.strip() else "" for ln in expected]
        steps.append(
            Step(
                line=i + 1,
                command=command,
                expected=expected,
                expect_failure=is_failure_output(expected),
                command_end=command_end,
                output_start=out_start + 1,
                output_end=out_end,
                indent=indent,
                mode=mode,
            )
        )
        used.update(range(i, out_end if out_end > out_start else j))
        i = out_end if out_end > out_start else j
    return steps


def _dedent(line: str, indent: str) -> str:
    line = line.rstrip()
    if line.startswith(indent):
        return line[len(indent):]
    # A line less indented than the block (possible inside a fence): drop what there is.
    return line.lstrip(" \t") if _width(_indent_of(line)) < _width(indent) else line


# ----------------------------------------------------------------------------------- directives


def _parse_directives(lines: list[str], used: set[int], path: Path) -> TranscriptOptions:
    configs: list[str] = []
    single: dict[str, tuple[str, int]] = {}
    for idx, line in enumerate(lines):
        if idx in used or "canton-console:" not in line:
            continue
        m = _DIRECTIVE.match(line)
        if not m or "=" not in m["body"]:
            continue
        for key, value in _items(m["body"], path, idx + 1):
            if key == "config":
                if not value:
                    raise ParseError(path, idx + 1, "directive `config=` needs a path")
                configs.append(value)
            elif key in ("syntax", "clock"):
                allowed = SYNTAXES if key == "syntax" else CLOCKS
                if value not in allowed:
                    raise ParseError(
                        path, idx + 1, f"directive `{key}={value}`: expected one of {', '.join(allowed)}"
                    )
                if key in single and single[key][0] != value:
                    raise ParseError(
                        path,
                        idx + 1,
                        f"directive `{key}={value}` contradicts `{key}={single[key][0]}` on line {single[key][1]}",
                    )
                single[key] = (value, idx + 1)
            else:
                raise ParseError(
                    path, idx + 1, f"unknown directive key `{key}` (known: config, syntax, clock)"
                )
    return TranscriptOptions(
        configs=tuple(configs),
        syntax=single.get("syntax", ("auto", 0))[0],
        clock=single["clock"][0] if "clock" in single else None,
    )


def _items(body: str, path: Path, line: int) -> Iterable[tuple[str, str]]:
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ParseError(path, line, f"directive item `{item}` is not key=value")
        key, _, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if not key:
            raise ParseError(path, line, f"directive item `{item}` has no key")
        yield key, value
