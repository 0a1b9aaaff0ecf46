"""The transcript checker, updater and recorder against the real runtime, through the real CLI."""

from __future__ import annotations

from conftest import cli

GOOD = """# Pinging

Some prose that the checker ignores.

```
@ participant1.health.ping(participant2)
res1: Duration = 923 milliseconds
@ val alice = participant1.parties.enable("Alice")
alice : PartyId = Alice::12201ff69b1d...
@ participant1.parties.hosted("Alice").size
res3: Int = 1
@ sequencer1.synchronizer_id
res4: SynchronizerId = da::122009299340...
@ participant1.health.ping(sequencer1)
ERROR c.d.c.c.CantonConsoleEnvironment - INVALID_ARGUMENT(8,0): participant1.health.ping: sequencer1 is a sequencer; expected participant
  Command ParticipantHealthAdministration.ping invoked from cmd5.sc:1
com.digitalasset.canton.console.CommandFailure: Command execution failed.
```
"""


def test_a_transcript_that_matches_passes(tmp_path):
    path = tmp_path / "good.md"
    path.write_text(GOOD)
    result = cli("transcript", "check", str(path))
    assert result.returncode == 0, result.stdout
    assert "5 steps, 0 failed" in result.stdout


def test_a_wrong_expectation_fails_with_its_line_and_a_diff(tmp_path):
    path = tmp_path / "wrong.md"
    path.write_text(GOOD.replace("res3: Int = 1", "res3: Int = 2"))
    result = cli("transcript", "check", str(path))
    assert result.returncode == 1
    assert f"{path}:10: step failed" in result.stdout
    assert "-res3: Int = 2" in result.stdout and "+res3: Int = 1" in result.stdout
    assert "5 steps, 1 failed" in result.stdout


def test_an_id_contradicted_after_its_capture_fails(tmp_path):
    # The same expected fingerprint for the party's namespace (participant1) and the synchronizer's
    # (sequencer1): they are different ids, so the second use contradicts the first capture.
    path = tmp_path / "ids.md"
    path.write_text(GOOD.replace("da::122009299340...", "da::12201ff69b1d..."))
    result = cli("transcript", "check", str(path))
    assert result.returncode == 1
    assert f"{path}:12: step failed" in result.stdout
    assert "12201ff69b1d" in result.stdout


def test_a_failure_expected_but_the_command_succeeds_fails(tmp_path):
    path = tmp_path / "fail.md"
    path.write_text(GOOD.replace("@ participant1.health.ping(sequencer1)", "@ participant1.health.ping(participant3)"))
    result = cli("transcript", "check", str(path))
    assert result.returncode == 1 and "step failed" in result.stdout


def test_update_rewrites_outputs_and_then_check_passes(tmp_path):
    path = tmp_path / "stale.md"
    stale = GOOD.replace("res3: Int = 1", "res3: Int = 7").replace(
        "@ sequencer1.synchronizer_id\nres4: SynchronizerId = da::122009299340...\n", "@ sequencer1.synchronizer_id\n"
    )
    path.write_text(stale)
    assert cli("transcript", "check", str(path)).returncode == 2  # the exit code counts the failed steps
    result = cli("transcript", "update", str(path))
    assert result.returncode == 0, result.stdout
    updated = path.read_text()
    assert "res3: Int = 1" in updated
    assert "res1: Duration = 923 milliseconds" in updated  # still matching: kept as written
    assert "Some prose that the checker ignores." in updated
    assert "res4: SynchronizerId = da::1220" in updated  # inserted from the real run
    assert cli("transcript", "check", str(path)).returncode == 0


def test_a_recorded_session_passes_the_checker(tmp_path):
    record = tmp_path / "session.md"
    commands = "\n".join(
        [
            "participant1.health.ping(participant2)",
            'alice = participant1.parties.enable("Alice")',
            "participant1.parties.hosted()",
            "sequencer1.synchronizer_id",
            "participant1.health.ping(mediator1)",
            "val n = 3L",
            "n",
        ]
    )
    result = cli("--record", str(record), input=commands + "\n", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    text = record.read_text()
    assert text.count("\n@ ") == 7
    check = cli("transcript", "check", str(record))
    assert check.returncode == 0, check.stdout + "\n" + text
