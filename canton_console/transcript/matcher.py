"""Compare an expected output with what the console printed.

Rules (the expected side is turned into a pattern; the actual text is read as printed):

* Lines are compared after trimming trailing whitespace; blank lines at the start or end of
  the actual output, and at the end of the expected output, are ignored. ``<BLANKLINE>`` in
  the expected output is a blank line.
* ``...`` matches any text, none included, across lines; a line that is only ``...`` stands
  for any number of lines (doctest's ELLIPSIS).
* Canton ids: a fingerprint ``1220`` + hex, in full (68 hex digits) or shortened as Canton
  prints it (12 characters + ``...``), is a *capture*: the first time an expected fingerprint is
  met it is bound to the actual one at the same place; afterwards, within the file, it must
  stand for the same actual fingerprint, and two different expected fingerprints may not stand
  for the same actual one. The ``...`` after a shortened id is part of the id, not a wildcard.
* ISO instants (``2025-07-17T22:19:58.353490Z``) match any instant.
* Durations after ``Duration = `` or ``Uptime: `` (``923 milliseconds``, ``19.211042s``,
  ``1m 17.038832s``) match any duration. Other durations (parameter values such as
  ``confirmation response timeout = 30s``) are compared literally.
* ``<name>`` (``[a-z][a-z0-9_-]*``) matches one run of non-whitespace and binds it: the same
  name must stand for the same text everywhere in the file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

import attrs

from .model import BLANKLINE, MatchResult

__all__ = ["Captures", "Binding", "match", "normalise_actual", "FINGERPRINT_RE", "substitute_fingerprints"]

# ------------------------------------------------------------------------------------ patterns

_HEX = "0-9a-f"
_ELLIPSIS_CHARS = r"(?:\.\.\.|…)"
#: A fingerprint as Canton prints it: in full, or shortened to 12 characters and an ellipsis.
FINGERPRINT_RE = re.compile(
    r"(?<![0-9a-fA-F])(?P<key>1220[0-9a-f]{8})(?:(?P<short>\.\.\.|…)|(?P<rest>[0-9a-f]{56})(?![0-9a-fA-F]))"
)
_INSTANT = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z"
_DUR_UNIT_WORD = r"(?:nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?)"
_DUR_TOKEN = r"\d+(?:\.\d+)?(?:ns|µs|us|ms|[dhms])"
_DURATION = (
    r"(?:-?\d+(?:\.\d+)?[ ]" + _DUR_UNIT_WORD + r"(?![A-Za-z])"
    r"|-?" + _DUR_TOKEN + r"(?:[ ]" + _DUR_TOKEN + r")*(?![A-Za-z0-9])"
    r"|Duration\.Inf|Duration\.MinusInf|Duration\.Undefined|Inf|MinusInf|Undefined)"
)
_DURATION_CONTEXT = r"(?:(?<=Duration = )|(?<=Uptime: ))"

_TOKENS = re.compile(
    r"(?P<fp>" + FINGERPRINT_RE.pattern + r")"
    r"|(?P<ts>" + _INSTANT + r")"
    r"|(?P<dur>" + _DURATION_CONTEXT + _DURATION + r")"
    r"|(?P<ph><(?P<phname>[a-z][a-z0-9_-]*)>)"
    r"|(?P<ell>\.\.\.)"
)

# ------------------------------------------------------------------------------------ captures


@attrs.define
class Binding:
    """What an expected fingerprint or placeholder stands for, and where it was bound.

    For fingerprints ``value`` is the actual 12-character key, and the ``*_full`` fields the
    68-digit forms once seen; for placeholders ``value`` is the matched text.
    """

    value: str
    where: str
    expected: str = ""
    actual: str = ""
    expected_full: str | None = None
    actual_full: str | None = None


@attrs.define
class Captures:
    """Bindings that persist across the steps of one file (pass the same object to every
    ``match`` of a file). Only successful matches add bindings."""

    fingerprints: dict[str, Binding] = attrs.field(factory=dict)
    placeholders: dict[str, Binding] = attrs.field(factory=dict)

    def copy(self) -> "Captures":
        return Captures(
            {k: attrs.evolve(v) for k, v in self.fingerprints.items()},
            {k: attrs.evolve(v) for k, v in self.placeholders.items()},
        )

    def expected_for(self, actual_key: str) -> str | None:
        """The expected fingerprint key bound to an actual one, if any."""
        for key, b in self.fingerprints.items():
            if b.value == actual_key:
                return key
        return None


# -------------------------------------------------------------------------------- compilation


@attrs.frozen
class _Group:
    name: str
    kind: str  # "fp" | "ph"
    key: str  # expected fingerprint key, or placeholder name
    raw: str  # the expected text


class _Builder:
    """Turns expected lines into one regular expression (plus the capture groups in it)."""

    def __init__(self, captures: Captures | None, strict: bool) -> None:
        self.captures = captures
        self.strict = strict
        self.groups: list[_Group] = []
        self.first_group: dict[tuple[str, str], str] = {}

    def _group(self, kind: str, key: str, raw: str) -> str:
        name = f"g{len(self.groups)}"
        self.groups.append(_Group(name, kind, key, raw))
        return name

    def token(self, m: re.Match[str]) -> str:
        if m["fp"]:
            key = m["key"]
            short = m["short"] is not None
            tail = _ELLIPSIS_CHARS if short else "[0-9a-f]{56}(?![0-9a-fA-F])"
            name = self._group("fp", key, m["fp"])
            bound = self.captures.fingerprints.get(key) if (self.strict and self.captures) else None
            if bound is not None:
                if not short and bound.actual_full:
                    return f"(?P<{name}>{re.escape(bound.actual_full)}(?![0-9a-fA-F]))"
                return f"(?P<{name}>(?<![0-9a-fA-F]){re.escape(bound.value)}{tail})"
            if self.strict and ("fp", key) in self.first_group:
                return f"(?P<{name}>(?<![0-9a-fA-F])(?P={self.first_group[('fp', key)]}k){tail})"
            if self.strict:
                self.first_group[("fp", key)] = name
            return f"(?P<{name}>(?<![0-9a-fA-F])(?P<{name}k>1220[0-9a-f]{{8}}){tail})"
        if m["ts"]:
            return _INSTANT
        if m["dur"]:
            return _DURATION
        if m["ph"]:
            ph = m["phname"]
            name = self._group("ph", ph, m["ph"])
            bound = self.captures.placeholders.get(ph) if (self.strict and self.captures) else None
            if bound is not None:
                return f"(?P<{name}>{re.escape(bound.value)})"
            if self.strict and ("ph", ph) in self.first_group:
                return f"(?P<{name}>(?P={self.first_group[('ph', ph)]}))"
            if self.strict:
                self.first_group[("ph", ph)] = name
            return rf"(?P<{name}>\S+)"
        return r"[\s\S]*?"  # ...

    def line(self, text: str) -> str:
        out = []
        pos = 0
        for m in _TOKENS.finditer(text):
            out.append(re.escape(text[pos : m.start()]))
            out.append(self.token(m))
            pos = m.end()
        out.append(re.escape(text[pos:]))
        return "".join(out)

    def build(self, lines: Sequence[str]) -> str:
        parts = []
        for ln in lines:
            if ln.strip() == "...":
                parts.append(r"(?:[^\n]*\n)*?")
            else:
                parts.append(self.line(ln) + r"\n")
        return "".join(parts)


def _line_pattern(text: str) -> re.Pattern[str]:
    """A pattern for one expected line alone (no captures checked); used to align diffs."""
    b = _Builder(None, strict=False)
    pat = b.line(text).replace(r"[\s\S]*?", r".*?")
    return re.compile(pat)


# ------------------------------------------------------------------------------------ matching


def _expected_lines(lines: Iterable[str]) -> list[str]:
    out = ["" if ln.strip() == BLANKLINE else ln.rstrip() for ln in lines]
    while out and out[-1] == "":
        out.pop()
    return out


def normalise_actual(text: str) -> list[str]:
    """The actual output as compared: lines right-trimmed, leading/trailing blank lines dropped."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    while lines and lines[0] == "":
        lines.pop(0)
    return lines


def _text(lines: Sequence[str]) -> str:
    return "".join(ln + "\n" for ln in lines)


def _check_bindings(
    m: re.Match[str], groups: list[_Group], captures: Captures
) -> tuple[str | None, list[tuple[_Group, str]]]:
    """Check a regex match against the file's captures; returns (contradiction, new bindings)."""
    fp_new: dict[str, tuple[str, str]] = {}  # expected key -> (actual key, actual text)
    ph_new: dict[str, str] = {}
    found: list[tuple[_Group, str]] = []
    for g in groups:
        val = m[g.name]
        found.append((g, val))
        if g.kind == "fp":
            akey = val[:12]
            old = captures.fingerprints.get(g.key)
            if old is not None and old.value != akey:
                return (
                    f"capture contradicted: fingerprint {g.raw} was bound to {old.actual} "
                    f"at {old.where}, but here the output has {val}",
                    [],
                )
            if g.key in fp_new and fp_new[g.key][0] != akey:
                return (
                    f"capture contradicted: fingerprint {g.raw} stands for {fp_new[g.key][1]} "
                    f"earlier in this output, but for {val} here",
                    [],
                )
            other = captures.expected_for(akey)
            if other is None:
                other = next((k for k, (a, _) in fp_new.items() if a == akey and k != g.key), None)
            if other is not None and other != g.key:
                ob = captures.fingerprints.get(other)
                other_raw = ob.expected if ob else next(x.raw for x, _ in found if x.kind == "fp" and x.key == other)
                origin = f" (bound at {ob.where})" if ob else ""
                return (
                    f"capture contradicted: fingerprints {g.raw} and {other_raw} would both stand "
                    f"for {val}{origin}",
                    [],
                )
            fp_new[g.key] = (akey, val)
        else:
            old = captures.placeholders.get(g.key)
            if old is not None and old.value != val:
                return (
                    f"capture contradicted: <{g.key}> was bound to {old.value!r} at {old.where}, "
                    f"but here the output has {val!r}",
                    [],
                )
            if g.key in ph_new and ph_new[g.key] != val:
                return (
                    f"capture contradicted: <{g.key}> stands for {ph_new[g.key]!r} earlier in "
                    f"this output, but for {val!r} here",
                    [],
                )
            ph_new[g.key] = val
    return None, found


def _commit(found: list[tuple[_Group, str]], captures: Captures, where: str | None) -> None:
    where = where or "?"
    for g, val in found:
        if g.kind == "fp":
            full_exp = g.raw if len(g.raw) == 68 else None
            full_act = val if len(val) == 68 else None
            b = captures.fingerprints.get(g.key)
            if b is None:
                captures.fingerprints[g.key] = Binding(
                    value=val[:12], where=where, expected=g.raw, actual=val,
                    expected_full=full_exp, actual_full=full_act,
                )
            else:
                b.expected_full = b.expected_full or full_exp
                b.actual_full = b.actual_full or full_act
        elif g.key not in captures.placeholders:
            captures.placeholders[g.key] = Binding(value=val, where=where, expected=g.raw, actual=val)


def match(
    expected_lines: Sequence[str],
    actual_text: str,
    captures: Captures | None = None,
    *,
    where: str | None = None,
    first_line: int = 1,
) -> MatchResult:
    """Match ``expected_lines`` against ``actual_text``, updating ``captures`` on success.

    ``where`` (``file:line``) names the step in the diff headers and in bindings;
    ``first_line`` numbers the expected lines in hunk headers (the file line of the first one).
    """
    if captures is None:
        captures = Captures()
    if isinstance(expected_lines, str):
        expected_lines = expected_lines.split("\n")
    expected = _expected_lines(expected_lines)
    actual = normalise_actual(actual_text)
    text = _text(actual)

    reason: str | None = None
    loose = _Builder(captures, strict=False)
    m = re.fullmatch(loose.build(expected), text)
    if m is not None:
        reason, found = _check_bindings(m, loose.groups, captures)
        if reason is None:
            _commit(found, captures, where)
            return MatchResult(True)
        strict = _Builder(captures, strict=True)
        m2 = re.fullmatch(strict.build(expected), text)
        if m2 is not None:
            reason2, found2 = _check_bindings(m2, strict.groups, captures)
            if reason2 is None:
                _commit(found2, captures, where)
                return MatchResult(True)
    reordered = reorder_map_entries(expected, actual)
    if reordered is not None:
        # Scala prints a hash-based Map in no meaningful order: the same entries in another order match.
        return match(expected_lines, "\n".join(reordered), captures, where=where, first_line=first_line)
    diff = unified_diff(list(expected_lines), actual_text, where=where, first_line=first_line)
    if not diff:
        # Every line matches on its own (a contradicted capture): show the raw difference.
        old, new = _headers(where)
        diff = "\n".join(difflib.unified_diff(expected, actual, old[4:], new[4:], lineterm=""))
    return MatchResult(False, diff, reason or "output differs")


# ------------------------------------------------------------------------------- map entries

_MAP_OPEN = re.compile(r"^(?P<indent> *)(?:.*[ =(])?Map\($")


def _entry_key(line: str) -> str:
    key = line.strip().split(" -> ", 1)[0]
    return re.sub(r"1220[0-9a-f]*(\.\.\.)?", "<fp>", key)


def _map_blocks(lines: Sequence[str]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Each multi-line ``Map(`` block: (open line, close line, [(entry start, entry end)])."""
    blocks = []
    for i, line in enumerate(lines):
        m = _MAP_OPEN.match(line)
        if not m:
            continue
        inner = len(m["indent"]) + 2
        entries: list[tuple[int, int]] = []
        j = i + 1
        while j < len(lines):
            text = lines[j]
            indent = len(text) - len(text.lstrip(" "))
            if indent < inner:
                break
            if indent == inner and " -> " in text:
                if entries:
                    entries[-1] = (entries[-1][0], j)
                entries.append((j, len(lines)))
            j += 1
        if entries:
            entries[-1] = (entries[-1][0], j)
            blocks.append((i, j, entries))
    return blocks


def reorder_map_entries(expected: Sequence[str], actual: Sequence[str]) -> list[str] | None:
    """The actual lines with each Map's entries put in the expected order (by key, fingerprints
    masked), or None when there is nothing to reorder or the Maps do not hold the same keys."""
    exp_blocks, act_blocks = _map_blocks(expected), _map_blocks(actual)
    if not act_blocks or len(exp_blocks) != len(act_blocks):
        return None
    result = list(actual)
    changed = False
    for (_, _, exp_entries), (_, _, act_entries) in reversed(list(zip(exp_blocks, act_blocks))):
        exp_keys = [_entry_key(expected[s]) for s, _ in exp_entries]
        act: dict[str, list[list[str]]] = {}
        for s, e in act_entries:
            lines = [ln.rstrip(",") if k == e - s - 1 else ln for k, ln in enumerate(actual[s:e])]
            act.setdefault(_entry_key(actual[s]), []).append(lines)
        if sorted(exp_keys) != sorted(k for k, v in act.items() for _ in v):
            return None
        ordered = [act[k].pop(0) for k in exp_keys]
        if [_entry_key(actual[s]) for s, _ in act_entries] != exp_keys:
            changed = True
        block: list[str] = []
        for n, lines in enumerate(ordered):
            block += lines[:-1] + [lines[-1] + ("," if n < len(ordered) - 1 else "")]
        result[act_entries[0][0] : act_entries[-1][1]] = block
    return result if changed else None


# ---------------------------------------------------------------------------------------- diff


def align(expected: Sequence[str], actual: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Opcodes (as ``difflib``) aligning expected lines with actual ones, where an actual line
    counts as equal to an expected line when it matches it (ids, instants, ``...``...)."""
    exp = [("" if ln.strip() == BLANKLINE else ln.rstrip()) for ln in expected]
    keys: list[str] = []
    cheap = len(exp) * len(actual) > 250_000
    patterns: dict[str, re.Pattern[str] | None] = {}
    exp_set = set(exp)
    candidates = [e for e in dict.fromkeys(exp) if e.strip() != "..."]
    for a in actual:
        if a in exp_set or cheap:
            keys.append(a)
            continue
        key = a
        for e in candidates:
            if e not in patterns:
                try:
                    patterns[e] = _line_pattern(e)
                except re.error:  # pragma: no cover - escaped text always compiles
                    patterns[e] = None
            pat = patterns[e]
            if pat is not None and pat.fullmatch(a):
                key = e
                break
        keys.append(key)
    sm = difflib.SequenceMatcher(None, exp, keys, autojunk=False)
    ops: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        ellipsis = tag in ("replace", "delete") and all(exp[i].strip() == "..." for i in range(i1, i2))
        ops.append(("ellipsis" if ellipsis else tag, i1, i2, j1, j2))
    return ops


def unified_diff(
    expected_lines: Sequence[str],
    actual_text: str,
    *,
    where: str | None = None,
    first_line: int = 1,
    context: int = 3,
) -> str:
    """A unified diff of the raw expected lines against the raw actual output."""
    expected = list(expected_lines)
    while expected and expected[-1].strip() == "":
        expected.pop()
    actual = normalise_actual(actual_text)
    ops = align(expected, actual)
    # Group the opcodes into hunks with `context` lines around changes, as difflib does.
    changes = [k for k, op in enumerate(ops) if op[0] not in ("equal", "ellipsis")]
    if not changes:
        return ""
    out = _headers(where)
    rows: list[tuple[str, str, int | None, int | None]] = []  # (sign, text, exp idx, act idx)
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for d in range(i2 - i1):
                rows.append((" ", expected[i1 + d], i1 + d, j1 + d))
        elif tag == "ellipsis":
            for i in range(i1, i2):
                rows.append((" ", expected[i], i, None))
            for j in range(j1, j2):
                rows.append(("~", actual[j], None, j))  # absorbed by `...`: never shown
        else:
            for i in range(i1, i2):
                rows.append(("-", expected[i], i, None))
            for j in range(j1, j2):
                rows.append(("+", actual[j], None, j))
    rows = [r for r in rows if r[0] != "~"]
    changed = [k for k, r in enumerate(rows) if r[0] in "-+"]
    hunks: list[tuple[int, int]] = []
    for k in changed:
        lo, hi = max(0, k - context), min(len(rows), k + context + 1)
        if hunks and lo <= hunks[-1][1]:
            hunks[-1] = (hunks[-1][0], max(hunks[-1][1], hi))
        else:
            hunks.append((lo, hi))
    for lo, hi in hunks:
        chunk = rows[lo:hi]
        e_idx = [r[2] for r in chunk if r[2] is not None]
        a_idx = [r[3] for r in chunk if r[3] is not None]
        e_start = (e_idx[0] if e_idx else _prev_index(rows, lo, 2)) + first_line
        a_start = (a_idx[0] if a_idx else _prev_index(rows, lo, 3)) + 1
        e_len = sum(1 for r in chunk if r[0] in " -")
        a_len = sum(1 for r in chunk if r[0] in " +")
        out.append(f"@@ -{_range(e_start, e_len)} +{_range(a_start, a_len)} @@")
        out += [sign + text for sign, text, _, _ in chunk]
    return "\n".join(out)


def _headers(where: str | None) -> list[str]:
    if not where:
        return ["--- expected", "+++ actual"]
    return [f"--- {where} (expected)", f"+++ {where} (actual)"]


def _prev_index(rows: list, lo: int, col: int) -> int:
    for r in reversed(rows[:lo]):
        if r[col] is not None:
            return r[col] + 1
    return 0


def _range(start: int, length: int) -> str:
    if length == 1:
        return str(start)
    if length == 0:
        return f"{start - 1},0"
    return f"{start},{length}"


# ------------------------------------------------------------------------------------ updating


def substitute_fingerprints(text: str, captures: Captures) -> str:
    """Write actual fingerprints with the expected ones bound to them (for rewriting a document
    while keeping its ids consistent with the rest of it)."""
    reverse = {b.value: (k, b) for k, b in captures.fingerprints.items()}

    def repl(m: re.Match[str]) -> str:
        hit = reverse.get(m["key"])
        if hit is None:
            return m.group(0)
        key, b = hit
        if m["short"] is not None:
            return key + m["short"]
        return b.expected_full or key + m["rest"]

    return FINGERPRINT_RE.sub(repl, text)
