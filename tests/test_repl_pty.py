"""The interactive console as a user meets it: the real ``canton-console`` in a pseudo-terminal.

Each pty test starts one console on the embedded default topology (SQLite files in a tmp dir) and
types into it; the screen's ANSI codes are stripped before matching. The pure helpers behind the
prompt (completion, Enter, colours) are tested directly at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78]")
PROMPT = re.compile(r"(^|\n)@( |\n|$)")  # prompt_toolkit may draw the space as a cursor move


def _command() -> list[str]:
    beside = Path(sys.executable).parent / "canton-console"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("canton-console")
    if found:
        return [found]
    return [sys.executable, "-m", "canton_console.cli"]


class Console:
    """A ``canton-console`` in a pty, read as plain text."""

    def __init__(self, tmp_path: Path, *args: str, extra_env: dict | None = None):
        env = dict(os.environ)
        env.update(
            CANTON_CONSOLE_DATA=str(tmp_path / "data"),
            CANTON_CONSOLE_HISTORY=str(tmp_path / "state" / "history"),
            TERM="xterm",
            PROMPT_TOOLKIT_NO_CPR="1",
            COLUMNS="120",
            LINES="40",
        )
        env.pop("NO_COLOR", None)
        env.update(extra_env or {})
        cmd = _command() + list(args)
        self.child = pexpect.spawn(cmd[0], cmd[1:], env=env, dimensions=(40, 120), encoding="utf-8", codec_errors="replace", timeout=30)
        self.raw = ""  # everything seen so far
        self.text = ""  # the same, ANSI stripped
        self.mark = 0  # where the next expect() starts looking

    def _pump(self, timeout: float) -> bool:
        try:
            chunk = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw += chunk
        self.text += ANSI.sub("", chunk).replace("\r", "")
        return True

    def expect(self, pattern: str | re.Pattern, timeout: float = 20) -> re.Match:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text, self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(min(left, 0.2)) and not regex.search(self.text, self.mark):
                raise AssertionError(f"{regex.pattern!r} not seen within {timeout}s; screen text since mark:\n{self.text[self.mark:]}")

    def prompt(self, timeout: float = 20) -> None:
        self.expect(PROMPT, timeout)

    def settle(self, quiet: float = 0.25) -> None:
        """Read until the screen has been quiet for ``quiet`` seconds (e.g. a completion was drawn)."""
        before = None
        while before != len(self.text):
            before = len(self.text)
            self._pump(quiet)

    def run(self, line: str) -> None:
        self.child.send(line + "\r")

    def exit_status(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self._pump(0.2)
        self.child.expect(pexpect.EOF, timeout=max(1, deadline - time.monotonic()))
        self.child.close()
        return self.child.exitstatus

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def console(tmp_path):
    opened = []

    def start(*args: str, **kw) -> Console:
        c = Console(tmp_path, *args, **kw)
        opened.append(c)
        return c

    yield start
    for c in opened:
        c.close()


def test_prompt_ping_completion_help_history_and_exit(console, tmp_path):
    c = console()
    c.expect("Welcome to Canton!")
    c.prompt()

    c.run("participant1.health.ping(participant2)")
    c.expect(r"res1: Duration = \d+ milliseconds")
    c.prompt()
    assert "\x1b[2mres1" in c.raw and "\x1b[36mDuration" in c.raw  # coloured on a terminal

    # Tab takes the first candidate of the menu completion-while-typing shows (`he`: health, help);
    # a lone candidate is inserted at once. prompt_toolkit redraws only what changed, so the line is
    # checked by running it and reading the history file.
    for keys in ("participant1.he", "\t", ".pi", "\t", "(participant2, time", "\t"):
        c.child.send(keys)
        c.settle()
    c.run("timedelta(seconds=20))")
    c.expect(r"res2: Duration = \d+ milliseconds")
    c.prompt()

    c.run("help")
    c.expect("Top-level Commands")
    c.expect(r"participant1 - Manage participant 'participant1'")
    c.prompt()

    c.run("exit")
    assert c.exit_status() == 0
    history = (tmp_path / "state" / "history").read_text()
    assert "+participant1.health.ping(participant2)" in history
    assert "+participant1.health.ping(participant2, timeout=timedelta(seconds=20))" in history
    assert "+help" in history


def test_ctrl_c_interrupts_a_running_command_and_the_session_goes_on(console):
    c = console(extra_env={"NO_COLOR": "1"})
    c.prompt()
    c.run("participant3.stop()")
    c.prompt()
    c.run("participant1.health.ping(participant3, timeout=timedelta(seconds=30))")
    time.sleep(0.5)
    started = time.monotonic()
    c.child.sendintr()
    c.expect("Interrupted: the command was cancelled", timeout=10)
    c.prompt(timeout=10)
    assert time.monotonic() - started < 10

    # Ctrl-C at the prompt only clears the line.
    c.child.send("participant1.health.pi")
    c.settle()
    c.child.send("\x03")
    c.settle()
    c.run("participant1.health.ping(participant2)")
    c.expect(r"res\d+: Duration = \d+ milliseconds")
    c.prompt()

    # Multi-line input: Enter on an incomplete call continues it.
    c.run("participant1.health.ping(")
    c.settle()
    c.run("participant2)")
    c.expect(r"res\d+: Duration = \d+ milliseconds")
    c.prompt()

    # NO_COLOR: the console's own output comes without colour codes.
    assert re.search(r"res\d+: Duration = \d+ milliseconds\r\n", c.raw)
    assert "Interrupted: the command was cancelled\r\n" in c.raw and "\x1b[31mInterrupted" not in c.raw

    c.child.sendeof()  # Ctrl-D
    assert c.exit_status() == 0


# ---- the helpers behind the prompt (no pty) ---------------------------------------------------


@pytest.fixture(scope="module")
def namespace():
    from canton_console.console.session import Session, in_memory, load

    session = Session(in_memory(load()))
    yield session.interpreter.namespace
    session.close()


def _names(namespace, text, requested=True):
    from canton_console.console.completion import complete

    _, found = complete(namespace, text, requested)
    return [m.name for m in found]


def test_completion_walks_names_groups_commands_and_arguments(namespace):
    assert {"participant1", "participant2", "participant3", "participants"} <= set(_names(namespace, "partic"))
    assert _names(namespace, "participant1.he")[:2] == ["health", "help"]
    assert _names(namespace, "participant1.health.pi") == ["ping"]
    assert "timeout=" in _names(namespace, "participant1.health.ping(participant2, time")
    both = _names(namespace, "participant1.health.ping(participant2, ")
    assert {"synchronizerId=", "synchronizer_id=", "timeout="} <= set(both)
    assert "participantId=" not in both  # given positionally
    assert "participantId=" not in _names(namespace, "participant1.health.ping(participantId=participant2, ")
    assert _names(namespace, "x = 'partic") == []  # inside a string
    assert _names(namespace, "foo().he") == []  # after a call: unknown without running it


def test_completion_and_signatures_run_no_node_work(namespace, monkeypatch):
    """`health.status` is an admin call: completing around it must not run it (nor anything else)."""
    from canton_console.console.completion import signature_at

    def boom(*a, **kw):
        raise AssertionError("completion ran node work")

    # Every admin service does its node work through the runtime's scheduler.
    from canton_console.runtime.scheduler import Scheduler

    monkeypatch.setattr(Scheduler, "call", boom)
    monkeypatch.setattr(Scheduler, "submit", boom)
    assert "active" in _names(namespace, "participant1.health.status.")
    assert "ping" in _names(namespace, "participant1.health.")
    assert "synchronizerId=" in _names(namespace, "participant1.health.ping(participant2, sync")
    assert signature_at(namespace, "participant1.synchronizers.connect_local(") is not None
    for text in ("health.status.", "participant1.", "participant1.topology.", "participants.all.", "nodes.local."):
        _names(namespace, text)


def test_signature_of_the_call_being_typed(namespace):
    from canton_console.console.completion import signature_at

    sig = signature_at(namespace, "participant1.health.ping(participant2, ")
    assert sig.text() == "ping(participantId, timeout, synchronizerId, id)"
    assert sig.index == 1
    assert signature_at(namespace, "participant1.health.ping(participant2, id=").index == 3
    assert signature_at(namespace, "participant1.health.ping(participant2)") is None


def test_enter_submits_complete_input_only():
    from canton_console.console.repl import ready_to_submit

    def is_complete(text):
        import codeop

        try:
            return codeop.compile_command(text, "<i>", "exec") is not None
        except SyntaxError:
            return True

    assert ready_to_submit("participant1.health.ping(participant2)", is_complete)
    assert not ready_to_submit("participant1.health.ping(", is_complete)
    assert not ready_to_submit("for x in [1, 2]:", is_complete)
    assert not ready_to_submit("for x in [1, 2]:\n    print(x)", is_complete)
    assert ready_to_submit("for x in [1, 2]:\n    print(x)\n", is_complete)
    assert ready_to_submit("", is_complete)


def test_colours_add_only_ansi_codes():
    from canton_console.console.repl import Colouriser

    output = (
        "res1: Duration = 12 milliseconds\n"
        "x : FiniteDuration = 10 seconds\n"
        "ERROR c.d.c.c.CantonConsoleEnvironment - Unable to ping\n"
        "  Command ParticipantHealthAdministration.ping invoked from cmd3.sc:1\n"
        "com.digitalasset.canton.console.CommandFailure: Command execution failed.\n"
        "Top-level Commands\n------------------\nexit - Leave the console\n"
    )
    painted = Colouriser()(output)
    assert painted != output
    assert ANSI.sub("", painted) == output
    assert "\x1b[31m" in painted  # errors in red


def test_history_path(monkeypatch, tmp_path):
    from canton_console.console.repl import history_path

    monkeypatch.delenv("CANTON_CONSOLE_HISTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "canton-console" / "history"
    monkeypatch.setenv("CANTON_CONSOLE_HISTORY", str(tmp_path / "h"))
    assert history_path() == tmp_path / "h"
