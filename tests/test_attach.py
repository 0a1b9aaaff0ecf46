"""Two consoles on one data directory: the first runs the nodes and holds the directory, the second
attaches to those nodes over their admin APIs instead of opening the same SQLite files; both see the
same parties and pings, nothing is corrupted, and once the holder is gone (even by SIGKILL) the next
console opens the files itself. Real processes on a tmp data directory."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, cli

ATTACHED = re.compile(r"^Attached to the nodes of the canton-console process (\d+) that holds (.+) \((.+)\)$", re.M)
NODES = "sequencer1, mediator1, participant1, participant2, participant3"


class Console:
    """A canton-console process kept running, driven through piped input."""

    def __init__(self, data: Path, *args: str):
        log = Path(tempfile.mkdtemp(prefix="canton-log-")) / "canton.log"
        env = dict(os.environ, CANTON_CONSOLE_DATA=str(data), NO_COLOR="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "canton_console", "--log-file-name", str(log), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=str(REPO),
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, source: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(source + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout: float = 60) -> str:
        """The output up to the first line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        taken: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} within {timeout} s; output so far:\n{''.join(self.seen + taken)}") from None
            taken.append(line)
            if re.search(pattern, line):
                self.seen += taken
                return "".join(taken)

    def finish(self, timeout: float = 60) -> str:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.proc.wait(timeout=timeout)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        self.seen += rest
        return "".join(self.seen)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def published(data: Path) -> dict | None:
    try:
        return json.loads((data / "canton-console.endpoints.json").read_text())
    except (OSError, ValueError):
        return None


def wait_until_published(data: Path, pid: int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = published(data)
        if info is not None and info["pid"] == pid:
            return info
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not publish its nodes in {data}")


def wait_until_locked_by(data: Path, pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (data / "canton-console.lock").read_text().split()[:1] == [str(pid)]:
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"process {pid} did not take the lock of {data}")


def integrity(data: Path) -> dict[str, str]:
    result = {}
    for db in sorted(data.glob("*.db")):
        with sqlite3.connect(db) as conn:
            result[db.name] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return result


@pytest.fixture
def consoles():
    started: list[Console] = []
    yield started
    for console in started:
        console.kill()


def test_a_second_console_attaches_to_the_nodes_of_the_first_and_both_agree(tmp_path, consoles):
    data = tmp_path / "data"
    a = Console(data, "--no-tty")
    consoles.append(a)
    info = wait_until_published(data, a.proc.pid)
    assert info["serving"] and sorted(n["name"] for n in info["nodes"]) == sorted(NODES.split(", "))
    assert all(n["admin-api"].startswith("127.0.0.1:") for n in info["nodes"])

    b = cli(
        "--no-tty",
        data_dir=data,
        input="participant1.health.ping(participant2)\n"
        'val bob = participant1.parties.enable("bob")\n'
        "participant2.health.ping(participant1)\n"
        'participant2.parties.list(filterParty = "bob").map(_.party.toProtoPrimitive)\n'
        "participant1.traffic_control.traffic_state(sequencer1.synchronizer_id)\n"
        "participant1.stop()\n"
        "participants.remote\n",
    )
    assert b.returncode == 0, b.stdout + b.stderr
    attached = ATTACHED.search(b.stdout)
    assert attached is not None, b.stdout
    assert attached.groups() == (str(a.proc.pid), str(data), NODES)
    assert b.stdout.count("Duration = ") == 2, b.stdout
    assert re.search(r'"bob::1220[0-9a-f]+"', b.stdout), b.stdout
    assert "extraTrafficLimit" in b.stdout
    assert "value stop is not a member of com.digitalasset.canton.console.RemoteParticipantReference" in b.stdout  # the holder's to stop
    assert "Traceback" not in b.stdout + b.stderr
    assert all(f"Participant '{name}'" in b.stdout for name in ("participant1", "participant2", "participant3"))  # bound as remote nodes

    # the first console sees the party the second allocated, and its own pings still work
    a.send('participant1.parties.list(filterParty = "bob").map(_.party.toProtoPrimitive)')
    out = a.expect(r"bob::1220")
    a.send("participant1.health.ping(participant2)")
    out += a.expect(r"Duration = |ERROR|Error")
    assert "Duration = " in out and "UNIQUE constraint" not in out and "Traceback" not in out, out
    a.send("participant1.health.ping(participant3)")
    out = a.expect(r"Duration = |ERROR|Error")
    assert "Duration = " in out, out
    everything = a.finish()
    assert a.proc.returncode == 0, everything
    assert "Traceback" not in everything and "UNIQUE constraint" not in everything
    assert published(data) is None  # the holder withdrew its endpoints when it left

    # nothing corrupted: every file passes SQLite's check, and the next console opens them itself
    assert set(integrity(data).values()) == {"ok"}
    again = cli("--no-tty", data_dir=data, input='participant2.parties.list(filterParty = "bob").map(_.party.toProtoPrimitive)\nparticipant1.health.ping(participant2)\n')
    assert again.returncode == 0 and ATTACHED.search(again.stdout) is None, again.stdout
    assert "bob::1220" in again.stdout and "Duration = " in again.stdout, again.stdout


def test_after_the_holder_is_killed_the_next_console_opens_the_files_itself(tmp_path, consoles):
    data = tmp_path / "data"
    a = Console(data, "--no-tty")
    consoles.append(a)
    wait_until_published(data, a.proc.pid)
    os.kill(a.proc.pid, signal.SIGKILL)
    a.proc.wait()
    assert published(data)["pid"] == a.proc.pid  # a stale file: its writer is gone, and so is its lock

    b2 = cli("--no-tty", data_dir=data, input="participant1.health.ping(participant2)\n")
    assert b2.returncode == 0, b2.stdout + b2.stderr
    assert ATTACHED.search(b2.stdout) is None and "Duration = " in b2.stdout, b2.stdout
    assert "Traceback" not in b2.stdout + b2.stderr
    assert set(integrity(data).values()) == {"ok"}


def test_a_daemon_holds_the_directory_a_script_attaches_and_a_second_daemon_is_refused(tmp_path, consoles):
    data = tmp_path / "data"
    daemon = Console(data, "daemon")
    consoles.append(daemon)
    wait_until_locked_by(data, daemon.proc.pid)
    # started while the daemon is still starting its nodes: it waits for them, then attaches
    script = tmp_path / "ping.canton"
    script.write_text('println(participant1.health.ping(participant2))\nprintln(participant3.parties.enable("carol"))\n')
    run = cli("run", str(script), data_dir=data)
    assert run.returncode == 0, run.stdout + run.stderr
    attached = ATTACHED.search(run.stdout)
    assert attached is not None and attached.group(1) == str(daemon.proc.pid), run.stdout
    assert re.search(r"^\d+ milliseconds$", run.stdout, re.M) and "carol::1220" in run.stdout, run.stdout

    second = cli("daemon", data_dir=data, timeout=30)
    assert second.returncode == 1
    assert "DB_STORAGE_IN_USE" in second.stdout and f"held by the canton-console process {daemon.proc.pid}" in second.stdout, second.stdout
    assert "a daemon runs the nodes itself" in second.stdout and "Traceback" not in second.stdout + second.stderr

    daemon.proc.send_signal(signal.SIGTERM)
    out = daemon.finish()
    assert daemon.proc.returncode == 0 and "canton-console daemon stopped" in out, out
    assert set(integrity(data).values()) == {"ok"}


def test_a_script_run_holds_the_directory_without_listening(tmp_path, consoles):
    """``run`` opens no port unless its config asks: a console arriving meanwhile is told why it
    cannot attach instead of waiting."""
    data = tmp_path / "data"
    marker = tmp_path / "started"
    script = tmp_path / "wait.canton"
    # the script signals it runs, then waits for the test to let it finish
    script.write_text(f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('ok')\nwhile pathlib.Path({str(marker)!r}).exists(): time.sleep(0.05)\n")
    run = Console(data, "run", str(script))
    consoles.append(run)
    deadline = time.monotonic() + 90
    while not marker.exists() and run.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), run.finish()
    info = published(data)
    assert info is not None and info["pid"] == run.proc.pid and not info["serving"] and info["nodes"] == []
    other = cli("--no-tty", data_dir=data, input="participant1.health.ping(participant2)\n", timeout=30)
    assert other.returncode == 1 and "DB_STORAGE_IN_USE" in other.stdout and "runs a script" in other.stdout, other.stdout
    marker.unlink()
    out = run.finish()
    assert run.proc.returncode == 0, out


def test_an_interactive_console_serves_its_nodes_once_its_prompt_is_up(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    data = tmp_path / "data"
    log = tmp_path / "canton.log"
    env = dict(os.environ, CANTON_CONSOLE_DATA=str(data), CANTON_CONSOLE_HISTORY=str(tmp_path / "history"), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1")
    a = pexpect.spawn(sys.executable, ["-m", "canton_console", "--log-file-name", str(log)], cwd=str(REPO), env=env, encoding="utf-8", dimensions=(40, 120), timeout=90)
    try:
        a.expect("@")
        wait_until_published(data, a.pid)
        b = cli("--no-tty", data_dir=data, input='participant1.parties.enable("dave")\nparticipant1.health.ping(participant2)\n')
        assert ATTACHED.search(b.stdout) is not None and "dave::1220" in b.stdout and "Duration = " in b.stdout, b.stdout + b.stderr
        a.sendline('participant2.parties.list(filterParty = "dave").size')
        a.expect(r"Int = (\d+)")
        assert a.match.group(1) == "1"
        a.sendline("participant1.health.ping(participant2)")
        assert a.expect([r"Duration = ", r"ERROR|Traceback"]) == 0
        a.sendline("exit")
        a.expect(pexpect.EOF)
    finally:
        a.close(force=True)
    assert published(data) is None
