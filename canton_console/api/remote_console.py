"""A console's nodes when some (or all) of them run in other processes: the local ones through the
in-process admin services, the remote ones through gRPC clients of the same services.

Console-wide settings (clock, timeouts, feature flags) stay this console's; a remote node has its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canton_console.admin.records import NodeInfo
from canton_console.api.admin_client import RemoteNodeAdmin
from canton_console.values.errors import ServiceStatusError


class ConsoleAdminWithRemotes:
    """``ConsoleAdmin`` over this process's nodes (``local``) and remote nodes, by console name.

    ``public_urls`` gives a remote sequencer's public API URLs, so that a participant can be connected
    to it (``connect_local(sequencer1)``) as to a sequencer of another process.
    """

    def __init__(self, local: Any, remotes: Sequence[RemoteNodeAdmin], public_urls: dict[str, list[str]] | None = None):
        self._local = local
        self._remotes = {r.info.name: r for r in remotes}
        self._public_urls = dict(public_urls or {})
        clash = set(self._remotes) & {info.name for info in local.nodes()}
        if clash:
            raise ValueError(f"nodes configured both as local and as remote: {', '.join(sorted(clash))}")

    def nodes(self) -> list[NodeInfo]:
        return [*self._local.nodes(), *(r.info for r in self._remotes.values())]

    def node(self, name: str) -> Any:
        remote = self._remotes.get(name)
        return remote if remote is not None else self._local.node(name)

    def remote_nodes(self) -> list[RemoteNodeAdmin]:
        return list(self._remotes.values())

    def public_urls(self, name: str) -> list[str]:
        """The public API URLs of a remote sequencer (empty when none is configured)."""
        return list(self._public_urls.get(name, ()))

    def _split(self, names: Sequence[str]) -> list[str]:
        remote = [n for n in names if n in self._remotes]
        if remote:
            raise ServiceStatusError("UNIMPLEMENTED", f"{', '.join(remote)}: a remote node is started and stopped by its own process")
        return list(names)

    def start(self, names: Sequence[str]) -> None:
        self._local.start(self._split(names))

    def stop(self, names: Sequence[str]) -> None:
        self._local.stop(self._split(names))

    def __getattr__(self, name: str) -> Any:
        # clock, timeouts, features, idleness, bootstrap of local nodes: this console's
        return getattr(self._local, name)

    def close(self) -> None:
        for remote in self._remotes.values():
            remote.close()
        close_local = getattr(self._local, "close", None)
        if close_local is not None:
            close_local()
