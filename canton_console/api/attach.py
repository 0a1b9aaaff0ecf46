"""One process runs the embedded default topology's nodes; other consoles on the same data directory
attach to them over their admin APIs instead of opening the same SQLite files a second time.

The process that opens the data directory holds it: an exclusive ``flock`` on ``canton-console.lock``
there (the kernel drops it when the process ends, SIGKILL included, so a stale file never blocks the
next start), with the holder's pid and host in it. Once its nodes are up, the holder serves each
node's admin API on a free loopback port and publishes where in ``canton-console.endpoints.json``
(written whole, by rename), naming its pid, so that a file left by a killed holder is recognised as
stale. A console that finds the lock taken reads that file and binds the nodes as remote nodes; one
that finds the holder still starting waits for it, and one whose holder does not serve its nodes
(``canton-console run``) or that must run the nodes itself (``daemon``) is refused with
``DB_STORAGE_IN_USE``.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from canton_console.values import errors
from canton_console.values.errors import CantonError

log = logging.getLogger("canton_console.api.attach")

LOCK_FILE = "canton-console.lock"
ENDPOINTS_FILE = "canton-console.endpoints.json"
# How long a console waits for a holder that is still starting its nodes before it gives up.
DEFAULT_WAIT = 120.0
POLL = 0.05


class DataDirInUse(CantonError):
    def __init__(self, directory: Path, pid: int | str, reason: str):
        super().__init__(
            errors.DB_STORAGE_IN_USE,
            f"The data directory {directory} is held by the canton-console process {pid}, {reason}. One process runs "
            "the nodes of a data directory: stop that process first, or give this one its own data directory "
            "(CANTON_CONSOLE_DATA). Nothing was written.",
        )


@attrs.frozen
class Endpoint:
    name: str
    kind: str
    target: str  # host:port of the node's admin API


@attrs.frozen
class Published:
    """What a holder wrote in the endpoints file."""

    pid: int
    host: str
    mode: str  # console, daemon, run
    serving: bool
    nodes: tuple[Endpoint, ...]
    reason: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "host": self.host,
                "mode": self.mode,
                "serving": self.serving,
                "reason": self.reason,
                "nodes": [{"name": e.name, "kind": e.kind, "admin-api": e.target} for e in self.nodes],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Published:
        data = json.loads(text)
        nodes = tuple(Endpoint(str(n["name"]), str(n["kind"]), str(n["admin-api"])) for n in data.get("nodes", ()))
        return cls(int(data["pid"]), str(data.get("host", "")), str(data.get("mode", "console")), bool(data.get("serving")), nodes, str(data.get("reason", "")))


class DataDirHold:
    """This process holds the data directory: the lock, and (once published) its nodes' admin APIs."""

    def __init__(self, directory: Path, fd: int, mode: str):
        self.directory = directory
        self.mode = mode
        self._fd: int | None = fd
        self._servers: list[Any] = []  # the AdminApiServers this hold started (stopped by it)
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()

    @property
    def endpoints_path(self) -> Path:
        return self.directory / ENDPOINTS_FILE

    def publish(self, admin: Any, serve: bool = True, background: bool = False, running: Sequence[Any] = ()) -> None:
        """Serve every local node's admin API on loopback and say where; ``serve=False`` publishes
        only that this process does not serve them (so that others are told, not kept waiting).
        ``running``: admin API servers this process runs already (on the configured ports), published
        instead of new ones. ``background``: from a thread, so that a prompt is not kept waiting for
        gRPC's start-up."""
        if not serve:
            self._write(Published(os.getpid(), socket.gethostname(), self.mode, False, (), "which runs a script and does not serve its nodes' admin APIs"))
            return
        if background:
            self._thread = threading.Thread(target=self._serve, args=(admin, running), name="attach-publish", daemon=True)
            self._thread.start()
        else:
            self._serve(admin, running)

    def _serve(self, admin: Any, running: Sequence[Any]) -> None:
        try:
            endpoints = self._start_servers(admin, running)
        except Exception as e:  # noqa: BLE001 - the console keeps working; others are told why they cannot attach
            log.warning("Could not serve the nodes' admin APIs for other consoles on this data directory: %s", e)
            self._write(Published(os.getpid(), socket.gethostname(), self.mode, False, (), f"which could not serve its nodes' admin APIs ({e})"))
            return
        if endpoints is not None:
            self._write(Published(os.getpid(), socket.gethostname(), self.mode, True, tuple(endpoints)))

    def _start_servers(self, admin: Any, running: Sequence[Any]) -> list[Endpoint] | None:
        from canton_console.api.admin_server import AdminApiServer

        # a configured endpoint without TLS is reachable from this host as it is; one with TLS would
        # need this console's client certificate: those nodes get a loopback endpoint of their own
        reusable = {s.node_admin.info.name: s for s in running if s.tls is None}
        endpoints = []
        for info in admin.nodes():
            if not info.local:
                continue
            node = admin.node(info.name)
            server = reusable.get(info.name) or getattr(node, "server", None)  # or one reached over loopback gRPC already
            if server is not None:
                host = "127.0.0.1" if server.address in ("0.0.0.0", "::", "") else server.address
                endpoints.append(Endpoint(info.name, info.kind, f"{host}:{server.port}"))
                continue
            with self._lock:
                if self._closed.is_set():
                    return None
                server = AdminApiServer(node, "127.0.0.1", 0).start()
                self._servers.append(server)
            endpoints.append(Endpoint(info.name, info.kind, f"127.0.0.1:{server.port}"))
        return endpoints

    def _write(self, published: Published) -> None:
        with self._lock:
            if self._closed.is_set():
                return
            temporary = self.directory / f".{ENDPOINTS_FILE}.{os.getpid()}"
            try:
                temporary.write_text(published.to_json(), encoding="utf-8")
                os.replace(temporary, self.endpoints_path)
            except OSError as e:
                log.warning("Could not publish the nodes' admin APIs in %s: %s", self.endpoints_path, e)

    def stop_serving(self) -> None:
        """Withdraw the endpoints and stop the servers (before the nodes close)."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            servers, self._servers = self._servers, []
            try:
                published = Published.from_json(self.endpoints_path.read_text(encoding="utf-8"))
                if published.pid == os.getpid():
                    self.endpoints_path.unlink()
            except (OSError, ValueError, KeyError):
                pass
        for server in servers:
            server.stop(0.5)

    def release(self) -> None:
        """Give the data directory up (after the nodes closed their files)."""
        self.stop_serving()
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class Attachment:
    """The nodes of the process that holds the data directory, to be bound as remote nodes."""

    def __init__(self, directory: Path, published: Published, timeout: float | None = None):
        self.directory = directory
        self.published = published
        self.timeout = timeout

    @property
    def line(self) -> str:
        names = ", ".join(e.name for e in self.published.nodes)
        return f"Attached to the nodes of the canton-console process {self.published.pid} that holds {self.directory} ({names})"

    def console_config(self, config: Any) -> Any:
        """The console's own configuration without nodes of its own: its settings (timeouts, clock,
        features) stay, the nodes are the holder's."""
        return attrs.evolve(config, participants={}, sequencers={}, mediators={})

    def bind(self, local_admin: Any) -> Any:
        from canton_console.api.admin_client import RemoteNodeAdmin
        from canton_console.api.remote_console import ConsoleAdminWithRemotes, bounded_command_timeout

        timeout = self.timeout if self.timeout is not None else bounded_command_timeout(local_admin)
        remotes = [RemoteNodeAdmin(e.name, e.kind, e.target, timeout=timeout) for e in self.published.nodes]
        return ConsoleAdminWithRemotes(local_admin, remotes)


def _read_pid(path: Path) -> int | None:
    try:
        first = path.read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return None
    return int(first[0]) if first and first[0].isdigit() else None


def _read_published(path: Path) -> Published | None:
    try:
        return Published.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def claim(
    directory: Path,
    mode: str,
    *,
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[int], None] | None = None,
) -> DataDirHold | Attachment | None:
    """Hold ``directory`` for this process's nodes, or attach to those of the process holding it.

    ``mode``: ``console`` (interactive or piped) and ``run`` attach; ``daemon`` must run the nodes
    itself and is refused. None when the directory cannot take a lock file (the storage checks then
    report what is wrong with it)."""
    directory = Path(directory)
    lock_path = directory / LOCK_FILE
    deadline = time.monotonic() + wait
    told = False
    started = time.monotonic()
    while True:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
        else:
            return _hold(directory, fd, mode)
        pid = _read_pid(lock_path)
        if mode == "daemon":
            raise DataDirInUse(directory, pid or "(pid unknown)", "and a daemon runs the nodes itself: it does not attach to them")
        published = _read_published(directory / ENDPOINTS_FILE)
        if pid is not None and published is not None and published.pid == pid:
            if published.host and published.host != socket.gethostname():
                raise DataDirInUse(directory, pid, f"on another host ({published.host})")
            if not published.serving:
                raise DataDirInUse(directory, pid, published.reason or "which does not serve its nodes' admin APIs")
            return Attachment(directory, published)
        now = time.monotonic()
        if now >= deadline:
            raise DataDirInUse(directory, pid or "(pid unknown)", f"which did not publish its nodes' admin APIs within {wait:.0f} s")
        if not told and pid is not None and on_wait is not None and now - started >= 1.0:
            told = True
            on_wait(pid)
        time.sleep(POLL)


def _hold(directory: Path, fd: int, mode: str) -> DataDirHold:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{socket.gethostname()}\n".encode(), 0)
    except OSError:
        pass  # informational; a full disk must not keep the holder from running
    stale = directory / ENDPOINTS_FILE
    try:
        stale.unlink()  # left by a holder that was killed
    except OSError:
        pass
    return DataDirHold(directory, fd, mode)
