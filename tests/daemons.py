"""``canton-console daemon`` subprocesses for the tests of nodes in separate processes: free loopback
ports, a daemon per config (and bootstrap script), its output read line by line, SIGKILL or SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import REPO

# CANTON_TEST_DAEMON_DEBUG=1: daemons log at DEBUG, to look into a failure
VERBOSE = ["-v"] if os.environ.get("CANTON_TEST_DAEMON_DEBUG") else []


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port free now and not handed out before by this process: the kernel may give the
    same ephemeral port to two binds in a row, and two APIs of one set-up must not share one."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


class Daemon:
    """A ``canton-console daemon`` subprocess; its stdout is read line by line. ``admin`` maps its
    nodes to the admin API endpoints its start line lists (``admin APIs: participant1 127.0.0.1:N``)."""

    def __init__(self, tmp: Path, name: str, config: str, bootstrap: str | None = None, env: dict[str, str] | None = None):
        self.tmp, self.name = tmp, name
        self.extra_env = dict(env or {})
        self.conf = tmp / f"{name}.conf"
        self.conf.write_text(config)
        self.bootstrap: Path | None = None
        if bootstrap is not None:
            self.bootstrap = tmp / f"{name}.canton"
            self.bootstrap.write_text(bootstrap)
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self.admin: dict[str, str] = {}
        self._queue: queue.Queue = queue.Queue()

    def start(self, timeout: float = 90, admin_apis: bool = False) -> Daemon:
        """Start and wait for the running line (and, with ``admin_apis``, for the admin APIs line)."""
        args = [sys.executable, "-m", "canton_console", "--log-file-name", str(self.tmp / f"{self.name}.log"), *VERBOSE, "daemon", "-c", str(self.conf)]
        if self.bootstrap is not None:
            args += ["--bootstrap", str(self.bootstrap)]
        env = dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(self.tmp / f"{self.name}-data"), PYTHONPATH=str(REPO), **self.extra_env)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(self.tmp), env=env)
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_line("canton-console daemon running", timeout)
        if admin_apis:
            served = self.wait_for_line("admin APIs: ", timeout)
            for entry in served.removeprefix("admin APIs: ").strip().split(", "):
                node, target = entry.split()[:2]
                self.admin[node] = target
        return self

    def wait_for_line(self, prefix: str, timeout: float) -> str:
        """The first line (read since the last call) that starts with ``prefix``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith(prefix):
                return line
        assert self.proc is not None
        err = self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
        raise AssertionError(f"{self.name}: no line {prefix!r}; output: {self.output()} {err}")

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def output(self) -> str:
        return "".join(self.lines)

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int | None:
        """SIGTERM, and the exit status (None when it was not started; SIGKILL after 30 s)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode
