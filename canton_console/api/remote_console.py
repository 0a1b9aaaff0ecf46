"""A console's nodes when some (or all) of them run in other processes: the local ones through the
in-process admin services, the remote ones through gRPC clients of the same services.

Console-wide settings (clock, timeouts, feature flags) stay this console's; a remote node has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from canton_console.admin.records import NodeInfo
from canton_console.admin.services import UNBOUNDED_MICROS
from canton_console.api import remote_bootstrap
from canton_console.api.admin_client import RemoteNodeAdmin
from canton_console.api.tls import client_tls_of
from canton_console.values.errors import ServiceStatusError
from canton_console.values.sequencing import target_of


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

    def sequencer_for_url(self, url: str) -> str | None:
        """The sequencer (local, or remote by its configured public API) listening on ``url``."""
        local = self._local.sequencer_for_url(url)
        if local is not None:
            return local
        wanted = _endpoint_of(url)
        return next((name for name, urls in self._public_urls.items() if wanted in map(_endpoint_of, urls)), None)

    def bootstrap_synchronizer(self, name: str, sequencers: Sequence[str], mediators: Sequence[str], owners: Sequence[str], threshold: int, **kwargs: Any) -> str:
        """Canton's ``bootstrap.synchronizer``: by this process's runtime when every node it names is
        one of this console's process; else step by step through the nodes' admin services
        (:mod:`canton_console.api.remote_bootstrap`), for nodes of other processes as for local ones."""
        if any(n in self._remotes for n in [*sequencers, *mediators]) or self._remote_owner(owners):
            return remote_bootstrap.bootstrap_synchronizer(self, name, sequencers, mediators, owners, threshold, **kwargs)
        return self._local.bootstrap_synchronizer(name, sequencers, mediators, owners, threshold, **kwargs)

    def bootstrap_local(self, name: str) -> str:
        """Canton's ``bootstrap.local``: of every available sequencer and mediator, remote ones included."""
        if any(r.info.kind in ("sequencer", "mediator") for r in self._remotes.values()):
            return remote_bootstrap.bootstrap_local(self, name)
        return self._local.bootstrap_local(name)

    def _remote_owner(self, owners: Sequence[str]) -> bool:
        """Some owner (by member id) is not a node of this process."""
        if not owners:
            return False  # the sequencers own the synchronizer
        local_ids = set()
        for info in self._local.nodes():
            member = self._local.node(info.name).identity.member_id_if_known()
            if member is not None:
                local_ids.add(member)
        return any(owner not in local_ids for owner in owners)

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
        # clock, timeouts, features, idleness: this console's
        return getattr(self._local, name)

    def close(self) -> None:
        for remote in self._remotes.values():
            remote.close()
        close_local = getattr(self._local, "close", None)
        if close_local is not None:
            close_local()


def _endpoint_of(url: str) -> str:
    """``host:port`` of a URL, ``localhost`` as ``127.0.0.1`` (so that both spellings match)."""
    try:
        target = target_of(url)
    except ValueError:  # not a URL with a valid port: it names no sequencer
        return url
    return "127.0.0.1" + target[len("localhost") :] if target.lower().startswith("localhost:") else target


def bind_remote_nodes(config: Any, local: Any) -> Any:
    """The console's ConsoleAdmin: ``local`` alone when the config has no remote nodes, else ``local``
    plus a gRPC client per ``canton.remote-participants`` / ``remote-sequencers`` / ``remote-mediators``
    entry. Creating a client does not connect: a remote node that is down fails its commands, not
    the console's start."""
    remote_configs = config.remote_nodes()
    if not remote_configs:
        return local
    deadline = bounded_command_timeout(local)
    remotes = [RemoteNodeAdmin(name, rc.kind, rc.admin_api.endpoint, client_tls_of(rc.admin_api.tls), deadline) for name, rc in remote_configs.items()]
    public_urls = {name: [rc.public_api.url] for name, rc in config.remote_sequencers.items()}
    return ConsoleAdminWithRemotes(local, remotes, public_urls)


def bounded_command_timeout(local: Any) -> Callable[[], float | None]:
    """The console's bounded command timeout in seconds (None when it is ``Inf``), read at each call."""

    def seconds() -> float | None:
        micros = local.timeout_micros("bounded")
        return None if micros >= UNBOUNDED_MICROS else micros / 1e6

    return seconds
