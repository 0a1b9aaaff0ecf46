"""Rewriting expected outputs in place from a run, and the pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from canton_console.transcript.checker import check_file
from canton_console.transcript.model import StepOutcome, TranscriptOptions
from canton_console.transcript.updater import UpdateError, update_transcript

REPO = Path(__file__).resolve().parents[1]


class CannedSession:
    """A stand-in for the evaluation engine: canned outputs per command."""

    def __init__(self, outputs: dict[str, StepOutcome | str]) -> None:
        self.outputs = outputs

    def run_step(self, command: str) -> StepOutcome:
        out = self.outputs[command]
        return out if isinstance(out, StepOutcome) else StepOutcome(out, False)

    def close(self) -> None:
        pass


def factory_for(outputs):
    def factory(options: TranscriptOptions, directory: Path) -> CannedSession:
        return CannedSession(outputs)

    return factory


DOC = """\
Traffic
=======

canton-console: config=canton.conf

Balances (ids, timestamps and ellipses are fine as they are):

@ sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
res1: SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(...)
    )
  )
)

The balance after the top-up, which has changed:

@ val state = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
  state
state : SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        baseTrafficRemainder = <remainder>,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    )
  )
)

A step written without output:

@ participant1.health.ping(participant2)

A ping with output in two paragraphs:

@ participant1.health.status
Participant id: PAR::participant1::12201ff69b1d...
Active: true

Done.
"""

STATE_CMD = "val state = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))\nstate"

OUTPUTS = {
    "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))": (
        "res1: SequencerTrafficStatus = SequencerTrafficStatus(\n"
        "  trafficStatesOrErrors = Map(\n"
        "    PAR::participant1::1220aaaaaaaa... -> Right(\n"
        "      value = TrafficState(\n"
        "        extraTrafficLimit = 0,\n"
        "        timestamp = 2026-01-01T10:00:00.5Z\n"
        "      )\n"
        "    )\n"
        "  )\n"
        ")\n"
    ),
    STATE_CMD: (
        "state : SequencerTrafficStatus = SequencerTrafficStatus(\n"
        "  trafficStatesOrErrors = Map(\n"
        "    PAR::participant1::1220aaaaaaaa... -> Right(\n"
        "      value = TrafficState(\n"
        "        extraTrafficLimit = 1000000,\n"
        "        baseTrafficRemainder = 20000,\n"
        "        timestamp = 2026-01-01T10:00:01.25Z,\n"
        "        availableTraffic = 1020000\n"
        "      )\n"
        "    )\n"
        "  )\n"
        ")\n"
    ),
    "participant1.health.ping(participant2)": "res3: Duration = 12 milliseconds\n",
    "participant1.health.status": (
        "Participant id: PAR::participant1::1220aaaaaaaa...\n"
        "\n"
        "Active: true\n"
    ),
}


def test_update_keeps_matches_rewrites_changes_and_then_check_passes(tmp_path):
    path = tmp_path / "traffic.txt"
    path.write_text(DOC)
    factory = factory_for(OUTPUTS)
    assert check_file(path, factory).failures == 3

    report = update_transcript(path, factory)
    assert report.written
    assert (report.steps, report.kept, report.rewritten, report.inserted, report.removed) == (4, 1, 2, 1, 0)
    assert report.problems == []
    new = path.read_text()

    # The matching step and all prose are untouched, byte for byte.
    first = DOC[DOC.index("@ sequencer1") : DOC.index("The balance after")]
    assert first in new
    for prose in ("Traffic\n=======\n", "canton-console: config=canton.conf\n", "A step written without output:\n", "Done.\n"):
        assert prose in new

    # The changed step: new values written; lines that still hold keep their text (the
    # document's id, its placeholder and its timestamp).
    assert (
        "state : SequencerTrafficStatus = SequencerTrafficStatus(\n"
        "  trafficStatesOrErrors = Map(\n"
        "    PAR::participant1::12201ff69b1d... -> Right(\n"
        "      value = TrafficState(\n"
        "        extraTrafficLimit = 1000000,\n"
        "        baseTrafficRemainder = <remainder>,\n"
        "        timestamp = 2025-07-17T22:19:58.353490Z,\n"
        "        availableTraffic = 1020000\n"
    ) in new
    # Inserted output, and a blank output line written as <BLANKLINE> in plain text.
    assert "@ participant1.health.ping(participant2)\nres3: Duration = 12 milliseconds\n\nA ping" in new
    assert "Participant id: PAR::participant1::12201ff69b1d...\n<BLANKLINE>\nActive: true\n\nDone.\n" in new

    assert check_file(path, factory).ok
    # A second update has nothing to do and does not touch the file.
    mtime = path.stat().st_mtime_ns
    again = update_transcript(path, factory)
    assert not again.written and again.kept == 4 and again.changed == 0
    assert path.stat().st_mtime_ns == mtime


def test_update_markdown_fence_and_rst_block(tmp_path):
    md = tmp_path / "doc.md"
    md.write_text(
        "# Doc\n\n```\n@ a\nold\n\nold too\n\n@ b\n```\n\nTail.\n"
    )
    rst = tmp_path / "doc.rst"
    rst.write_text(
        "Doc\n\n.. code-block:: none\n\n   @ a\n   old\n\n   @ b\n\nTail.\n"
    )
    outputs = {"a": "new\n\nnew too\n", "b": "res2: Int = 2\n"}
    for path in (md, rst):
        update_transcript(path, factory_for(outputs))
        assert check_file(path, factory_for(outputs)).ok, path
    assert md.read_text() == "# Doc\n\n```\n@ a\nnew\n\nnew too\n\n@ b\nres2: Int = 2\n```\n\nTail.\n"
    assert rst.read_text() == (
        "Doc\n\n.. code-block:: none\n\n   @ a\n   new\n\n   new too\n\n   @ b\n   res2: Int = 2\n\nTail.\n"
    )


def test_update_removes_output_that_is_gone_and_keeps_crlf(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes(b"@ a\r\nold\r\n\r\n@ b\r\nold b\r\n")
    report = update_transcript(path, factory_for({"a": "", "b": "new b"}))
    assert report.removed == 1 and report.rewritten == 1
    assert path.read_bytes() == b"@ a\r\n\r\n@ b\r\nnew b\r\n"
    assert check_file(path, factory_for({"a": "", "b": "new b"})).ok


def test_update_failure_outputs(tmp_path):
    failure = (
        "ERROR c.d.c.c.CantonConsoleEnvironment - Unable to ping PAR::participant2::1220a4d7463b... within 5 seconds: Timeout\n"
        "  Command ParticipantHealthAdministration.ping invoked from cmd1.sc:1\n"
        "com.digitalasset.canton.console.CommandFailure: Command execution failed.\n"
    )
    path = tmp_path / "doc.txt"
    path.write_text("@ participant1.health.ping(participant2)\nres1: Duration = 5 milliseconds\n")
    outputs = {"participant1.health.ping(participant2)": StepOutcome(failure, True)}
    update_transcript(path, factory_for(outputs))
    assert path.read_text() == "@ participant1.health.ping(participant2)\n" + failure
    assert check_file(path, factory_for(outputs)).ok


def test_update_refuses_output_that_would_read_as_a_command(tmp_path):
    path = tmp_path / "doc.txt"
    original = "@ help\nold\n"
    path.write_text(original)
    with pytest.raises(UpdateError, match=r"doc.txt:1: "):
        update_transcript(path, factory_for({"help": "  indented first line\n"}))
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["doc.txt"]


# --------------------------------------------------------------------------------- pytest plugin

FAKE_RUNNER = '''
from canton_console.transcript.model import StepOutcome

class Session:
    def run_step(self, command):
        return StepOutcome({"participant1.health.ping(participant2)": "res1: Duration = 3 milliseconds"}.get(command, ""), False)
    def close(self):
        pass

def factory(options, directory):
    return Session()
'''


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(cwd), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "canton_console.transcript.pytest_plugin", "-p", "no:cacheprovider", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "fake_runner.py").write_text(FAKE_RUNNER)
    (tmp_path / "tests" / "transcripts").mkdir(parents=True)
    (tmp_path / "tests" / "transcripts" / "good.md").write_text(
        "# Good\n\n```\n@ participant1.health.ping(participant2)\nres1: Duration = 923 milliseconds\n```\n"
    )
    (tmp_path / "tests" / "transcripts" / "bad.md").write_text(
        "# Bad\n\n```\n@ participant1.health.ping(participant2)\nres7: Duration = 923 milliseconds\n```\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.txt").write_text("@ participant1.health.ping(participant2)\nres1: Duration = 1 second\n")
    return tmp_path


def test_pytest_plugin_collects_and_reports(project: Path):
    (project / "pytest.ini").write_text(
        "[pytest]\ntestpaths = tests\ntranscript_files = tests/transcripts/*.md\n"
        "transcript_session_factory = fake_runner:factory\n"
    )
    res = run_pytest(project, "-q", "-rN")
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "1 failed, 1 passed" in out
    assert "tests/transcripts/bad.md:4: step failed" in out
    assert "-res7: Duration = 923 milliseconds" in out
    assert "+res1: Duration = 3 milliseconds" in out
    assert "Traceback" not in out and "pytest_plugin.py" not in out

    # --transcripts adds files outside the collected directories.
    res = run_pytest(project, "-q", "--transcripts=docs/*.txt", "-m", "transcript", "--co")
    assert "docs/other.txt::transcript" in res.stdout, res.stdout + res.stderr


def test_pytest_plugin_without_runner_fails_clearly(project: Path):
    (project / "pytest.ini").write_text(
        "[pytest]\ntranscript_files = tests/transcripts/good.md\n"
        "transcript_session_factory = missing_runner_module:default_session_factory\n"
    )
    res = run_pytest(project, "-q")
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "the session factory missing_runner_module:default_session_factory is not available" in out
    assert "Traceback" not in out


def test_plugin_import_is_cheap():
    code = textwrap.dedent(
        """
        import sys
        import canton_console.transcript.pytest_plugin
        heavy = [m for m in ("attrs", "canton_console.transcript.checker", "canton_console.runtime") if m in sys.modules]
        print(heavy)
        """
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "[]", res.stdout + res.stderr


def test_founding_transcript_round_trip(tmp_path):
    """The founding document checks against a run whose ids, instants and durations differ,
    and an update after a changed balance touches only the changed lines."""
    import re
    import shutil

    from canton_console.transcript.parser import parse_file

    ref = Path("/work/shared/reference/004_8fc8212e35bd0e69.txt")
    if not ref.exists():
        pytest.skip("reference document not available")
    path = tmp_path / "traffic.txt"
    shutil.copy(ref, path)

    def volatile(text: str) -> str:
        text = re.sub(r"1220([0-9a-f]{8})\.\.\.", lambda m: "1220" + m[1][::-1] + "...", text)
        return text.replace("2025-07-17T", "2030-01-01T").replace("923 milliseconds", "5 milliseconds")

    outputs = {s.command: volatile("\n".join(s.expected)) for s in parse_file(path).steps}
    assert check_file(path, factory_for(outputs)).ok
    assert not update_transcript(path, factory_for(outputs)).written

    last = parse_file(path).steps[-1].command
    outputs[last] = outputs[last].replace("17853", "17000")
    report = update_transcript(path, factory_for(outputs))
    assert (report.kept, report.rewritten) == (11, 1)
    before, after = ref.read_text().split("\n"), path.read_text().split("\n")
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [
        ("        baseTrafficRemainder = 17853,", "        baseTrafficRemainder = 17000,"),
        ("        availableTraffic = 1017853", "        availableTraffic = 1017000"),
    ]
    assert check_file(path, factory_for(outputs)).ok
