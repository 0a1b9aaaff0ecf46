"""What every node has: a store, an identity kept in it, a lifecycle and component health."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from canton_console.runtime import errors, health
from canton_console.runtime.errors import CantonError
from canton_console.runtime.identity import Member, SigningKey, UniqueIdentifier
from canton_console.store import schema as s
from canton_console.store.storage import Storage, StorageSpec

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment

log = logging.getLogger("canton_console.node")


def storage_spec(config: Any) -> StorageSpec:
    storage = config.storage
    if storage.type == "memory":
        return StorageSpec.memory()
    if storage.type == "sqlite":
        return StorageSpec.sqlite(storage.file)
    url = storage.url()
    return StorageSpec("postgres", url, None, f"postgres database '{storage.database_name}' on {storage.server_name}:{storage.port_number}")


class Node:
    kind = ""
    code = ""
    instance_type = ""  # Canton's InstanceType string: Participant, Sequencer, Mediator

    def __init__(self, env: "Environment", name: str, config: Any):
        self.env = env
        self.name = name
        self.config = config
        self.storage: Storage | None = None
        self.key: SigningKey | None = None
        self.uid: UniqueIdentifier | None = None
        self.running = False
        self.killed = False
        self.started_at_wall: float | None = None

    # ---- identity ------------------------------------------------------------------------
    @property
    def member(self) -> Member:
        """The node's member id; known once the node has been started (it stays known when stopped)."""
        if self.uid is None:
            self.require_running()
        return Member(self.code, self.uid)

    @property
    def member_id(self) -> str:
        return str(self.member)

    @property
    def is_initialized(self) -> bool:
        return self.running and self.uid is not None

    def _load_identity(self) -> None:
        with self.storage.read() as conn:
            row = conn.execute(select(s.NodeIdentity.__table__)).mappings().first()
        if row is None:
            key = SigningKey.static_for(self.name) if self.env.static_identities else SigningKey.generate()
            with self.storage.transaction() as conn:
                conn.execute(
                    insert(s.NodeIdentity),
                    [{"id": 1, "kind": self.kind, "identifier": self.name, "private_key": key.private_bytes, "fingerprint": key.fingerprint}],
                )
            identifier = self.name
        else:
            if row["kind"] != self.kind:
                raise errors.CantonError(
                    errors.STORAGE_INCOMPATIBLE,
                    f"The store of {self.kind} '{self.name}' holds the identity of a {row['kind']} "
                    f"('{row['identifier']}'); each node needs its own store.",
                )
            key = SigningKey(row["private_key"])
            identifier = row["identifier"]
        self.key = key
        self.uid = UniqueIdentifier(identifier, key.fingerprint)

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self.killed = False
        self.storage = Storage(storage_spec(self.config))
        try:
            self._load_identity()
            self.running = True
            self.started_at_wall = time.time()
            self._on_start()
        except BaseException:
            self.running = False
            self.storage.close()
            self.storage = None
            raise

    def stop(self) -> None:
        if not self.running:
            return
        try:
            self._on_stop()
        finally:
            self.running = False
            if self.storage is not None:
                self.storage.close()
                self.storage = None

    def kill(self) -> None:
        """Drop the node without any cleanup, as a crash would (locks and leases are not released)."""
        if not self.running:
            return
        self.killed = True
        self._on_kill()
        self.running = False
        if self.storage is not None:
            self.storage.engine.dispose(close=False)
            self.storage = None

    def _on_start(self) -> None:
        pass

    def _on_stop(self) -> None:
        pass

    def _on_kill(self) -> None:
        self._on_stop()

    def require_running(self) -> None:
        if not self.running:
            raise CantonError(errors.NODE_NOT_STARTED, f"Instance {self.instance_type} '{self.name}' has not been started. ")

    # ---- health --------------------------------------------------------------------------
    def uptime_micros(self) -> int:
        return int((time.time() - (self.started_at_wall or time.time())) * 1e6)

    def storage_health(self) -> health.ComponentHealth:
        name = self.storage.component_name if self.storage else "db-storage"
        return health.ok(name)

    def components(self) -> list[health.ComponentHealth]:
        return [self.storage_health()]

    def ports(self) -> list[tuple[str, int]]:
        return [("admin", self.config.admin_api.port)]

    @property
    def active(self) -> bool:
        return self.running
