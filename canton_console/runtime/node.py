"""What every node has: a store, an identity kept in it, a lifecycle and component health."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

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
        # Replication (participants and mediators with replication.enabled): a running replica is
        # either active or passive; ``replication`` is its hold on the shared lock while running.
        self.passive = False
        self.replication = None

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
            try:
                with self.storage.transaction() as conn:
                    conn.execute(
                        insert(s.NodeIdentity),
                        [{"id": 1, "kind": self.kind, "identifier": self.name, "private_key": key.private_bytes, "fingerprint": key.fingerprint}],
                    )
            except IntegrityError:
                # Another replica of this node initialized the shared store first: take its identity.
                return self._load_identity()
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
    @property
    def replicated(self) -> bool:
        """Configured as a replica (``replication.enabled`` on shared sqlite or postgres storage)."""
        replication = getattr(self.config, "replication", None)
        return bool(replication is not None and replication.enabled and self.config.storage.type in ("sqlite", "postgres"))

    def start(self) -> None:
        if self.running:
            return
        self.killed = False
        spec = storage_spec(self.config)
        self.storage = Storage(spec)
        try:
            self._load_identity()
            self.running = True
            self.started_at_wall = time.time()
            self.passive = False
            if self.replicated:
                from canton_console.runtime.replication import Replication

                self.replication = Replication(self, self.env.replica_timers(), spec)
                self.passive = not self.replication.start()
            if self.passive:
                log.info("%s started as a passive replica", self.name)
            else:
                self._on_start()
        except BaseException:
            self.running = False
            self.passive = False
            if self.replication is not None:
                self.replication.release()
                self.replication = None
            self.storage.close()
            self.storage = None
            raise

    def stop(self) -> None:
        if not self.running:
            return
        try:
            if not self.passive:
                self._on_stop()
        finally:
            self.running = False
            self.passive = False
            # Unsubscribed first, then the lock goes: the next active replica starts from a clean slate.
            if self.replication is not None:
                self.replication.release()
                self.replication = None
            if self.storage is not None:
                self.storage.close()
                self.storage = None

    def kill(self) -> None:
        """Drop the node without any cleanup, as a crash would (locks and leases are not released)."""
        if not self.running:
            return
        self.killed = True
        if not self.passive:
            self._on_kill()
        self.running = False
        self.passive = False
        if self.replication is not None:
            self.replication.crash()
            self.replication = None
        if self.storage is not None:
            self.storage.engine.dispose(close=False)
            self.storage = None

    # ---- replication ---------------------------------------------------------------------
    def _become_active(self, generation: int) -> None:
        """(runtime thread) This replica took the lock: load the node's state and go to work."""
        replication = self.replication
        if not self.running or not self.passive or replication is None or not replication.is_current(generation):
            return
        self.passive = False
        log.info("%s is now the active replica", self.name)
        try:
            self._on_promote()
        except Exception:  # noqa: BLE001 - keep the lock; the operator sees the failure in the log
            log.exception("%s failed to become active", self.name)

    def _become_passive(self, generation: int | None = None) -> None:
        """(runtime thread) This replica lost or gave up the lock: leave the synchronizers, drop state."""
        replication = self.replication
        if not self.running or self.passive:
            return
        if generation is not None and (replication is None or replication.holding or replication.generation != generation):
            return
        log.info("%s became passive", self.name)
        try:
            self._on_stop()
            self._drop_state()
        finally:
            self.passive = True

    def set_passive(self) -> bool:
        """(runtime thread) Hand over on purpose: become passive and leave the lock to another replica
        for a while. False (and nothing changes) when no other replica of this node is running."""
        self.require_running()
        if self.replication is None or self.passive:
            return False
        if not any(n.running for n in self.env.replicas_of(self)):
            return False
        self._become_passive()
        # The others check every check period; they get two chances before this one may retake it.
        self.replication.step_down(2 * self.replication.check_period + 0.1)
        return True

    def _on_promote(self) -> None:
        self._on_start()

    def _drop_state(self) -> None:
        """Forget the in-memory state of an active replica (the store keeps what matters)."""

    def refuse_reason(self, command: str) -> CantonError | None:
        """Why the admin command ``command`` (``participant1b.ledger_api.commands.submit``) cannot run
        on this node now; the console's command wrapper asks before it runs any node command."""
        if not (self.running and self.passive):
            return None
        path = command.split(".")[1:]
        if path and (path[0] in ("health", "replication") or path[-1] in ("start", "stop", "kill")):
            return None
        if self.kind == "participant" and path and path[0] != "ledger_api":
            # Canton answers admin commands with its sync service's error, Ledger API calls with NODE_IS_PASSIVE_REPLICA.
            return CantonError(errors.SYNC_SERVICE_PASSIVE_REPLICA, "Cannot process submitted command. This participant is the passive replica.")
        return self.passive_error()

    def passive_error(self) -> CantonError:
        return CantonError(errors.NODE_IS_PASSIVE_REPLICA, f"Cannot process submitted command. This {self.kind} is the passive replica.")

    def require_active(self) -> None:
        self.require_running()
        if self.passive:
            raise self.passive_error()

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
        """Running and, for a replica, the active one."""
        return self.running and not self.passive
