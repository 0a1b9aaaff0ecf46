"""The real ``canton-console`` in subprocesses: run, pipes, daemon, errors and exit codes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from conftest import REPO, cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

MEMORY_TOPOLOGY = """
canton {
  sequencers.sequencer1 { storage.type = memory, public-api.port = 9001, admin-api.port = 9002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 9202 }
  participants {
    participant1 { storage.type = memory, ledger-api.port = 9011, admin-api.port = 9012 }
    participant2 { storage.type = memory, ledger-api.port = 9021, admin-api.port = 9022 }
  }
}
"""


def test_simple_ping_example_runs_headless(tmp_path):
    result = cli("run", "bootstrap/simple-ping.canton", data_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(r"participant2 pinged participant1 in \d+ milliseconds?\n", result.stdout)
    # and on the example config, which is not bootstrapped beforehand
    # (its relative SQLite files land in the working directory: a temp dir, not the checkout)
    result = cli("run", str(REPO / "bootstrap/simple-ping.canton"), "-c", str(REPO / "bootstrap/simple-topology.conf"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_script_failing_on_its_third_line_exits_1_after_the_first_two_took_effect(tmp_path):
    script = tmp_path / "three.canton"
    script.write_text(
        'participant1.parties.enable("Alice")\n'
        "participant1.health.ping(participant2)\n"
        "participant1.health.ping(sequencer1)\n"
        'participant1.parties.enable("Bob")\n'
    )
    result = cli("run", str(script), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "ERROR c.d.c.c.CantonConsoleEnvironment - INVALID_ARGUMENT(8,0): participant1.health.ping: sequencer1 is a sequencer; expected participant",
        f"  Command ParticipantHealthAdministration.ping invoked from {script}:3",
        "com.digitalasset.canton.console.CommandFailure: Command execution failed.",
    ]
    check = tmp_path / "check.canton"
    check.write_text('println(participant1.parties.hosted("Alice").size)\nprintln(participant1.parties.hosted("Bob").size)\nprintln(participant1.ledger_api.state.end())\n')
    result = cli("run", str(check), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stdout
    alice, bob, end = result.stdout.split()
    assert (alice, bob) == ("1", "0")
    assert int(end) >= 2  # the ping's two transactions


def test_piped_input_is_evaluated_line_by_line_without_a_screen(tmp_path):
    commands = "\n".join(
        [
            "participant1.health.ping(participant2)",
            "x = 41 + 1",
            "particpant1",
            "1 / 0",
            "participant1.health.ping(",
            "  participant3)",
            "participant1.synchronizers.is_connected(\"da\")",
            "def f(:",
            "val y = 5",
            "exit",
            "participant1.health.ping(participant2)",
        ]
    )
    result = cli(input=commands + "\n", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"res1: Duration = \d+ milliseconds?", lines[0])
    assert lines[1] == "x: Int = 42"
    assert lines[2].startswith("Error: name 'particpant1' is not defined; did you mean participant1")
    assert lines[3] == "Error: ZeroDivisionError: division by zero"
    assert re.fullmatch(r"res5: Duration = \d+ milliseconds?", lines[4])
    assert lines[5] == "res6: Boolean = true"
    assert lines[6].startswith("Error: syntax error")
    assert lines[7] == "y : Int = 5"
    assert len(lines) == 8  # exit ended the session before the last ping
    assert "Traceback" not in result.stdout + result.stderr


def test_version_and_help():
    result = cli("--version")
    assert result.returncode == 0 and "canton-console 0.1.0 (Canton 3.3.0)" in result.stdout
    result = cli("--help")
    assert result.returncode == 0
    for word in ("run", "daemon", "transcript", "--bootstrap", "--manual-start", "--no-tty", "--debug", "--log-level-stdout", "-C"):
        assert word in result.stdout


def test_config_errors_exit_1_with_the_key_path(tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text(MEMORY_TOPOLOGY.replace("admin-api.port = 9012", "admin-api.port = 70000"))
    result = cli("run", "/dev/null", "-c", str(bad))
    assert result.returncode == 1
    assert "CONFIG_VALIDATION_FAILED" in result.stdout
    assert "canton.participants.participant1.admin-api.port" in result.stdout and "70000" in result.stdout
    unknown = tmp_path / "unknown.conf"
    unknown.write_text(MEMORY_TOPOLOGY.replace("storage.type = memory, ledger-api.port = 9011", "storage.typ = memory, ledger-api.port = 9011"))
    result = cli("run", "/dev/null", "-c", str(unknown))
    assert result.returncode == 1 and "canton.participants.participant1.storage.typ" in result.stdout
    result = cli("run", "/dev/null", "-C", "canton.participants.participant1.storage.type=mysql", data_dir=tmp_path)
    assert result.returncode == 1 and "mysql" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_bootstrap_script_runs_before_the_prompt_and_manual_start(tmp_path):
    conf = tmp_path / "t.conf"
    conf.write_text(MEMORY_TOPOLOGY)
    boot = tmp_path / "boot.canton"
    boot.write_text('bootstrap.local("da")\nparticipants.all.synchronizers.connect_local(sequencer1, "da")\n')
    result = cli("-c", str(conf), "--bootstrap", str(boot), input="participant2.health.ping(participant1)\n")
    assert re.match(r"res1: Duration = \d+ milliseconds?", result.stdout), result.stdout
    result = cli("-c", str(conf), "--manual-start", input="participant1.is_running\nnodes.local.start()\nparticipant1.is_running\n")
    assert result.stdout.splitlines() == ["res1: Boolean = false", "res3: Boolean = true"]


def test_daemon_runs_until_sigterm_and_stops_cleanly(tmp_path):
    conf = tmp_path / "t.conf"
    conf.write_text(MEMORY_TOPOLOGY)
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "canton_console", "daemon", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        line = proc.stdout.readline()
        assert line.startswith("canton-console daemon running: sequencer1, mediator1, participant1, participant2"), line + proc.stderr.read()
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "daemon stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_daemon_with_a_failing_bootstrap_exits_non_zero(tmp_path):
    conf = tmp_path / "t.conf"
    conf.write_text(MEMORY_TOPOLOGY)
    boot = tmp_path / "boot.canton"
    boot.write_text('participant1.synchronizers.connect_local(sequencer1, "da")\n')
    result = cli("daemon", "-c", str(conf), "--bootstrap", str(boot), timeout=60)
    assert result.returncode == 1
    assert "is not initialized: bootstrap its synchronizer first" in result.stdout
    assert "Running bootstrap script failed" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    # `canton-console < commands | head -1`: our output pipe closes while we still write.
    commands = "help\n" * 200
    proc = subprocess.Popen(
        [sys.executable, "-m", "canton_console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, CANTON_CONSOLE_DATA=str(tmp_path), NO_COLOR="1"),
        cwd=REPO,
    )
    proc.stdin.write(commands.encode())
    proc.stdin.close()
    assert proc.stdout.readline().startswith(b"Top-level Commands")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err, err
