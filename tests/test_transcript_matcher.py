"""Matching expected outputs (ellipses, ids, instants, durations, placeholders) and checking
whole transcripts against a session that returns canned outputs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from canton_console.transcript.checker import check_file, check_files, check_transcript, format_report
from canton_console.transcript.matcher import Captures, match
from canton_console.transcript.model import StepOutcome, TranscriptOptions
from canton_console.transcript.parser import parse_transcript


def ok(expected: str, actual: str, captures: Captures | None = None) -> bool:
    return match(expected.split("\n"), actual, captures if captures is not None else Captures()).ok


# ------------------------------------------------------------------------------------- matcher


def test_exact_with_trailing_space_and_trailing_blank_lines():
    assert ok("res1: Int = 1\nnext", "res1: Int = 1   \nnext\n\n\n")
    assert ok("a\n<BLANKLINE>\nb", "a\n\nb")
    assert not ok("res1: Int = 1", "res1: Int = 2")
    assert not ok("a\nb", "a\n\nb")


def test_ellipsis_inline_and_whole_line():
    assert ok("res1: Foo = Foo(...)", "res1: Foo = Foo(a = 1, b = 2)")
    assert ok("res1: Foo = Foo(...)", "res1: Foo = Foo()")
    # Inline `...` crosses lines.
    assert ok("res1: Foo = Foo(...)", "res1: Foo = Foo(\n  a = 1\n)")
    # A line of `...` stands for any number of lines, none included.
    assert ok("Status:\n...\nActive: true", "Status:\n  one\n  two\nActive: true")
    assert ok("Status:\n...\nActive: true", "Status:\nActive: true")
    assert ok("...\nlast", "a\nb\nlast")
    assert not ok("Status:\n...\nActive: true", "Status:\n  one\nActive: false")


def test_shortened_id_ellipsis_is_part_of_the_id_not_a_wildcard():
    assert not ok("PAR::participant1::12201ff69b1d...", "PAR::participant1::1220aaaaaaaa... and more")
    assert not ok("PAR::participant1::12201ff69b1d... -> x", "PAR::participant1::1220aaaaaaaa1234 -> x")
    assert ok("PAR::participant1::12201ff69b1d... -> x", "PAR::participant1::1220aaaaaaaa... -> x")
    # Canton's own Unicode ellipsis is accepted as the id's ellipsis too.
    assert ok("PAR::participant1::12201ff69b1d...", "PAR::participant1::1220aaaaaaaa…")
    # Anything after the id is still compared.
    assert not ok("da::1220a4d7463b...::33-0", "da::1220a4d7463b...::34-0")


def test_timestamps_match_any_instant():
    exp = "        timestamp = 2025-07-17T22:19:58.353490Z,"
    assert ok(exp, "        timestamp = 2026-01-02T03:04:05.123Z,")
    assert ok(exp, "        timestamp = 2026-01-02T03:04:05Z,")
    assert ok(exp, "        timestamp = 2026-01-02T03:04:05.123456789Z,")
    assert not ok(exp, "        timestamp = yesterday,")


def test_durations_match_only_in_volatile_contexts():
    assert ok("res10: Duration = 923 milliseconds", "res10: Duration = 1 second")
    assert ok("res10: Duration = 923 milliseconds", "res10: Duration = 12 milliseconds")
    assert ok("Uptime: 19.211042s", "Uptime: 1m 17.038832s")
    assert not ok("res10: Duration = 923 milliseconds", "res11: Duration = 923 milliseconds")
    # Parameter values are not volatile.
    assert not ok("  confirmation response timeout = 30s,", "  confirmation response timeout = 31s,")
    assert not ok(
        "Unable to ping PAR::participant2::1220a4d7463b... within 5 seconds: Timeout",
        "Unable to ping PAR::participant2::1220a4d7463b... within 6 seconds: Timeout",
    )


def test_fingerprint_captures_are_consistent_across_steps():
    caps = Captures()
    step1 = ["PAR::participant1::12201ff69b1d... -> Right(", "MED::mediator1::122009299340... -> Right("]
    assert match(step1, "PAR::participant1::1220aaaaaaaa... -> Right(\nMED::mediator1::1220bbbbbbbb... -> Right(", caps, where="t.md:3").ok
    assert caps.fingerprints["12201ff69b1d"].value == "1220aaaaaaaa"
    # A later step: the same expected id must be the same actual id.
    assert match(["member = PAR::participant1::12201ff69b1d..."], "member = PAR::participant1::1220aaaaaaaa...", caps).ok

    r = match(["member = PAR::participant1::12201ff69b1d..."], "member = PAR::participant1::1220cccccccc...", caps, where="t.md:20")
    assert not r.ok
    assert r.reason is not None
    assert "capture contradicted" in r.reason
    assert "12201ff69b1d..." in r.reason and "1220aaaaaaaa..." in r.reason and "1220cccccccc..." in r.reason
    assert "t.md:3" in r.reason  # where it was bound
    assert "-member = PAR::participant1::12201ff69b1d..." in r.diff
    assert "+member = PAR::participant1::1220cccccccc..." in r.diff

    # Two different expected ids may not stand for the same actual id.
    r = match(["PAR::participant3::1220d6908163..."], "PAR::participant3::1220aaaaaaaa...", caps)
    assert not r.ok and "would both stand for 1220aaaaaaaa..." in (r.reason or "")


def test_fingerprint_binding_within_one_output_and_full_form():
    full_e = "1220" + "1f" * 32
    full_a = "1220" + "ab" * 32
    caps = Captures()
    assert match([f"id = {full_e}", "short = 12201f1f1f1f..."], f"id = {full_a}\nshort = 1220abababab...", caps).ok
    assert caps.fingerprints["12201f1f1f1f"].actual_full == full_a
    r = match(["a = 1220d6908163...", "b = 1220d6908163..."], "a = 1220aaaaaaaa...\nb = 1220bbbbbbbb...", Captures())
    assert not r.ok and "capture contradicted" in (r.reason or "")


def test_failed_match_binds_nothing():
    caps = Captures()
    assert not match(["PAR::p1::12201ff69b1d...", "x"], "PAR::p1::1220aaaaaaaa...\ny", caps).ok
    assert caps.fingerprints == {}


def test_named_placeholders():
    caps = Captures()
    assert match(["baseTrafficRemainder = <balance>,"], "baseTrafficRemainder = 17853,", caps).ok
    assert caps.placeholders["balance"].value == "17853"
    assert match(["availableTraffic = <balance>"], "availableTraffic = 17853", caps).ok
    r = match(["availableTraffic = <balance>"], "availableTraffic = 1017853", caps, where="t.md:9")
    assert not r.ok and "<balance>" in (r.reason or "") and "'17853'" in (r.reason or "")
    # One run of non-whitespace only.
    assert not ok("value = <any>", "value = two words")
    assert ok("<a> and <b>", "x and x")
    assert not ok("<a> and <a>", "x and y")


def test_diff_shows_raw_lines_with_file_and_line():
    exp = [
        "res12: SequencerTrafficStatus = SequencerTrafficStatus(",
        "  timestamp = 2025-07-17T22:20:00.709255Z,",
        "  baseTrafficRemainder = 17853,",
        ")",
    ]
    act = "res12: SequencerTrafficStatus = SequencerTrafficStatus(\n  timestamp = 2026-01-01T00:00:00Z,\n  baseTrafficRemainder = 17000,\n)"
    r = match(exp, act, Captures(), where="doc.md:40", first_line=41)
    assert not r.ok
    lines = r.diff.split("\n")
    assert lines[0] == "--- doc.md:40 (expected)"
    assert lines[1] == "+++ doc.md:40 (actual)"
    assert lines[2].startswith("@@ -41,4 ")
    assert "-  baseTrafficRemainder = 17853," in lines
    assert "+  baseTrafficRemainder = 17000," in lines
    # The timestamp line matched: it is context, not a change.
    assert "   timestamp = 2025-07-17T22:20:00.709255Z," in lines
    assert not any(ln.startswith("+  timestamp") for ln in lines)


# ------------------------------------------------------------------------------------- checker


class CannedSession:
    """A stand-in for the evaluation engine: canned outputs per command."""

    def __init__(self, outputs: dict[str, StepOutcome | str]) -> None:
        self.outputs = outputs
        self.ran: list[str] = []
        self.closed = False

    def run_step(self, command: str) -> StepOutcome:
        self.ran.append(command)
        out = self.outputs[command]
        if isinstance(out, Exception):
            raise out
        return out if isinstance(out, StepOutcome) else StepOutcome(out, False)

    def close(self) -> None:
        self.closed = True


def factory_for(outputs, seen: list | None = None):
    def factory(options: TranscriptOptions, directory: Path) -> CannedSession:
        s = CannedSession(outputs)
        if seen is not None:
            seen.append((options, directory, s))
        return s

    return factory


PING_FAILURE = (
    "ERROR c.d.c.c.CantonConsoleEnvironment - Unable to ping PAR::participant2::1220a4d7463b... within 5 seconds: Timeout\n"
    "  Command ParticipantHealthAdministration.ping invoked from cmd3.sc:1\n"
    "com.digitalasset.canton.console.CommandFailure: Command execution failed.\n"
)

DOC = """\
canton-console: config=canton.conf

Ping:

@ participant1.health.ping(participant2)
res1: Duration = 923 milliseconds

A failing ping:

@ participant1.health.ping(participant2, timeout = 5.seconds)
ERROR c.d.c.c.CantonConsoleEnvironment - Unable to ping PAR::participant2::1220a4d7463b... within 5 seconds: Timeout
  Command ParticipantHealthAdministration.ping invoked from cmd3.sc:1
com.digitalasset.canton.console.CommandFailure: Command execution failed.

@ sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
res3: SequencerTrafficStatus = SequencerTrafficStatus(
  baseTrafficRemainder = 20000,
  timestamp = 2025-07-17T22:19:58.353490Z
)
"""

GOOD = {
    "participant1.health.ping(participant2)": "res1: Duration = 325 milliseconds\n",
    "participant1.health.ping(participant2, timeout = 5.seconds)": StepOutcome(
        PING_FAILURE.replace("1220a4d7463b", "1220bbbbbbbb"), True
    ),
    "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))": (
        "res3: SequencerTrafficStatus = SequencerTrafficStatus(\n"
        "  baseTrafficRemainder = 20000,\n"
        "  timestamp = 2026-02-03T04:05:06.789Z\n"
        ")\n"
    ),
}


def test_check_passes_and_passes_options_and_directory(tmp_path):
    seen: list = []
    t = parse_transcript(DOC, tmp_path / "doc.txt")
    report = check_transcript(t, factory_for(GOOD, seen))
    assert report.ok and report.failures == 0 and len(report.steps) == 3
    (options, directory, session), = seen
    assert options.configs == ("canton.conf",)
    assert directory == tmp_path
    assert session.closed
    assert format_report(report).endswith("doc.txt: 3 steps, 0 failed")


def test_expected_failure_must_fail_and_unexpected_failure_is_reported():
    t = parse_transcript(DOC, "doc.txt")
    ping_cmd = "participant1.health.ping(participant2, timeout = 5.seconds)"
    succeeded = dict(GOOD, **{ping_cmd: StepOutcome(PING_FAILURE, False)})
    r = check_transcript(t, factory_for(succeeded))
    assert r.failures == 1
    bad = r.steps[1]
    assert not bad.ok and "expects a failure" in (bad.reason or "")

    failed = dict(GOOD, **{"participant1.health.ping(participant2)": StepOutcome("res1: Duration = 325 milliseconds", True)})
    r = check_transcript(t, factory_for(failed))
    assert r.failures == 1
    assert "does not expect a failure" in (r.steps[0].reason or "")
    assert r.steps[0].diff.startswith("actual output:")


def test_wrong_expectation_gives_the_line_and_a_unified_diff(tmp_path):
    path = tmp_path / "transcript.md"
    path.write_text(DOC)
    wrong = dict(GOOD)
    wrong["sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))"] = GOOD[
        "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))"
    ].replace("20000", "19358")
    report = check_file(path, factory_for(wrong))
    assert report.failures == 1
    (failed,) = [s for s in report.steps if not s.ok]
    step_line = 1 + DOC.splitlines().index("@ sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))")
    assert failed.step.line == step_line
    text = format_report(report)
    assert f"{path}:{step_line}: step failed" in text
    assert f"--- {path}:{step_line} (expected)" in text
    assert f"+++ {path}:{step_line} (actual)" in text
    assert f"@@ -{step_line + 1},4 +1,4 @@" in text
    assert "-  baseTrafficRemainder = 20000," in text
    assert "+  baseTrafficRemainder = 19358," in text
    assert text.endswith(f"{path}: 3 steps, 1 failed")


def test_run_continues_after_failures_and_engine_errors():
    t = parse_transcript(DOC, "doc.txt")
    outputs = dict(GOOD)
    outputs["participant1.health.ping(participant2)"] = RuntimeError("engine exploded")
    seen: list = []
    r = check_transcript(t, factory_for(outputs, seen))
    assert r.failures == 1
    assert "raised an exception" in (r.steps[0].reason or "")
    assert "engine exploded" in r.steps[0].diff
    assert len(seen[0][2].ran) == 3


def test_check_files_counts_failures_and_reports(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(DOC)
    bad = tmp_path / "bad.txt"
    bad.write_text(DOC.replace("res1: Duration", "res9: Duration"))
    broken = tmp_path / "broken.md"
    broken.write_text("<!-- canton-console: nope=1 -->\n")
    out = io.StringIO()
    assert check_files([good, bad, broken], factory_for(GOOD), out=out) == 2
    text = out.getvalue()
    assert f"{bad}:5: step failed" in text
    assert f"{broken}:1: unknown directive key `nope`" in text
    assert f"{good}: 3 steps, 0 failed" in text


def test_check_files_caps_the_count(tmp_path):
    doc = "".join(f"@ c{i}\nout\n\n" for i in range(120))
    path = tmp_path / "many.txt"
    path.write_text(doc)
    outputs = {f"c{i}": "different" for i in range(120)}
    assert check_files([path], factory_for(outputs), out=io.StringIO()) == 100


def test_session_factory_failure_is_a_file_error(tmp_path):
    def factory(options, directory):
        raise FileNotFoundError("canton.conf")

    t = parse_transcript(DOC, tmp_path / "doc.txt")
    r = check_transcript(t, factory)
    assert r.failures == 1 and "could not start" in (r.error or "")
    assert "doc.txt: 0 steps, 1 failed" in format_report(r)


@pytest.mark.parametrize("cmd", ["participant1.health.ping(participant2)"])
def test_captures_flow_through_a_file(cmd):
    doc = (
        "@ a\nPAR::participant1::12201ff69b1d...\n\n"
        "@ b\nmember = PAR::participant1::12201ff69b1d...\n"
    )
    t = parse_transcript(doc, "ids.txt")
    good = {"a": "PAR::participant1::1220aaaaaaaa...", "b": "member = PAR::participant1::1220aaaaaaaa..."}
    assert check_transcript(t, factory_for(good)).ok
    bad = dict(good, b="member = PAR::participant1::1220cccccccc...")
    r = check_transcript(t, factory_for(bad))
    assert r.failures == 1
    assert "capture contradicted" in (r.steps[1].reason or "")
    assert "ids.txt:1" in (r.steps[1].reason or "")


def test_map_entries_match_in_any_order_but_not_with_other_values():
    # Scala prints a hash-based Map in no meaningful order (the founding transcript lists
    # participant1, mediator1, participant3, participant2).
    from canton_console.transcript.matcher import Captures
    from canton_console.transcript.matcher import match as m

    expected = [
        "res1: S = S(",
        "  states = Map(",
        "    PAR::participant1::12201ff69b1d... -> Right(",
        "      value = 1",
        "    ),",
        "    MED::mediator1::122009299340... -> Right(value = 2)",
        "  )",
        ")",
    ]
    actual = "\n".join(
        [
            "res1: S = S(",
            "  states = Map(",
            "    MED::mediator1::1220aaaaaaaa... -> Right(value = 2),",
            "    PAR::participant1::1220bbbbbbbb... -> Right(",
            "      value = 1",
            "    )",
            "  )",
            ")",
        ]
    )
    captures = Captures()
    assert m(expected, actual, captures).ok
    # the captures bound the right ids to each other
    assert m(["PAR::participant1::12201ff69b1d..."], "PAR::participant1::1220bbbbbbbb...", captures).ok
    assert not m(expected, actual.replace("value = 1", "value = 5"), Captures()).ok
    assert not m(expected, actual.replace("MED::mediator1", "MED::mediator2"), Captures()).ok
