"""What every node has: a store, an identity kept in it, a lifecycle and component health.

Database outages. When an operation finds the node's database unavailable (``StorageUnavailable``,
Canton's ``DB_CONNECTION_LOST``), the node's ``db-storage`` component goes Failed and the node halts:
it drops its in-memory processing state (``_on_halt``), and a probe thread looks for the database
with back-off (50 ms doubling to 1 s). Once it answers, the node re-derives its state from the
store on the runtime thread (``_on_recover``), exactly as a restart would: connections, cursors and
ledger end are reloaded and the node catches up from its clean cursor, so nothing is lost or applied
twice. ``fail-fast-on-startup`` decides whether a node starts while its database is down. A
watchdog thread checks every running node's database each second (Canton's periodic connection
check), so that an idle node's health shows an outage too.

The same holds for a full disk (``DB_STORAGE_FULL``: resumed once some space is free) and a store
that became read-only (``DB_STORAGE_READ_ONLY``: resumed once writable). A corrupt store
(``DB_STORAGE_CORRUPT``) halts the node for good: no probe, no resuming, nothing written; a node
does not start on a corrupt or read-only store at all. Warnings are rate-limited per store and cause.
A node takes its store's ownership lock when it opens it (exclusive; shared for replicas) and gives
it up at ``stop()`` and at ``kill()``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from canton_console.runtime.identity import SigningKey
from canton_console.runtime.vault import KeyVault, identity_key_entry
from canton_console.store import schema as s
from canton_console.store.storage import CORRUPT, LOST, READ_ONLY, REFUSED, Storage, StorageSpec, StorageUnavailable, classify_message, failure_message
from canton_console.values import errors, health
from canton_console.values import topology as topology_values
from canton_console.values.errors import CantonError, PendingDatabaseMigration, RuntimeFailure, ServiceStatusError
from canton_console.values.ids import Member, UniqueIdentifier
from canton_console.values.keys import USAGE_ALL

if TYPE_CHECKING:
    from canton_console.runtime.environment import Environment
    from canton_console.runtime.replication import Replication
    from canton_console.runtime.topology import TopologyState

log = logging.getLogger("canton_console.node")

PROBE_FIRST_DELAY = 0.05  # seconds
PROBE_MAX_DELAY = 1.0
# A failure within this many seconds of resuming is a relapse: the next probe starts later (up to
# RELAPSE_MAX_DELAY), so that a database that passes the probe but fails the work is not hammered.
RELAPSE_WINDOW = 2.0
RELAPSE_MAX_DELAY = 5.0
# Every running node's database is checked this often (Canton's periodic DB health check), so that
# an outage shows in its health even while the node has nothing to do.
HEALTH_CHECK_INTERVAL = 1.0


class StorageWatchdog:
    """One thread that checks the database of every running node of an environment periodically
    and fails the storage of a node whose database does not answer (the node then halts)."""

    def __init__(self, env: "Environment", interval: float | None = None):
        self.env = env
        self.interval = HEALTH_CHECK_INTERVAL if interval is None else interval
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="db-health-check", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        # The nodes are checked side by side: a check may wait for a lock or a connect timeout.
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="db-health-check") as pool:
            while not self._stop.wait(self.interval):
                checks = list(pool.map(self._check, self.env.nodes()))
                del checks

    def _check(self, node: "Node") -> None:
        storage = node.storage
        if self._stop.is_set() or storage is None or not node.running or storage.failure is not None:
            return
        try:
            detail = storage.check()
        except Exception:  # noqa: BLE001 - a check must never kill the thread
            log.exception("health check of %s failed", node.name)
            return
        if detail is not None and node.storage is storage and node.running:
            storage.fail(detail, classify_message(detail) or LOST)

    def stop(self) -> None:
        self._stop.set()


class StorageProbe:
    """Probes a failed storage off the runtime thread (a probe may wait for a lock or a connect
    timeout), with back-off; calls ``on_back(self)`` once the database answers."""

    def __init__(self, name: str, storage: Storage, on_back, first: float = PROBE_FIRST_DELAY, cap: float = PROBE_MAX_DELAY):
        self.storage = storage
        self.on_back = on_back
        self.first = first
        self.cap = cap
        self.attempts = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"db-probe-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        delay = self.first
        while not self._stop.wait(delay):
            self.attempts += 1
            detail = self.storage.probe()
            if self._stop.is_set():
                return
            if detail is None:
                self.on_back(self)
                return
            if self.storage.failure is not None:
                self.storage.failure = detail  # the latest reason, as the health component shows it
            delay = min(delay * 2, self.cap)

    def cancel(self) -> None:
        self._stop.set()


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
        # The root key of the node's namespace when it holds it (None before it has an identity).
        self.key: SigningKey | None = None
        # The node's keys (Canton's crypto stores), loaded when it starts.
        self.vault: KeyVault | None = None
        self.uid: UniqueIdentifier | None = None
        # The node's authorized topology store, loaded with its identity.
        self.authorized_store: TopologyState | None = None
        # Temporary topology stores by name: in memory only, gone when the process ends.
        self.temporary_stores: dict[str, TopologyState] = {}
        self.running = False
        self.killed = False
        self.started_at_wall: float | None = None
        # Replication (participants and mediators with replication.enabled): a running replica is
        # either active or passive; ``replication`` is its hold on the shared lock while running.
        self.passive = False
        self.replication: Replication | None = None
        # Database outages: the probe looking for the database while the storage has failed; whether
        # the node still has to open its store (it started with fail-fast-on-startup = no while the
        # database was down); whether it became the active replica while halted.
        self._probe: StorageProbe | None = None
        self._awaiting_open = False
        self._needs_promote = False
        # The storage this node halted on for good (a corrupt store): said once, not again.
        self._halted_for_good: Storage | None = None
        # When the node last resumed after an outage, and the probe's first delay since.
        self._resumed_at = float("-inf")
        self._probe_first = PROBE_FIRST_DELAY

    # ---- what a running node always has ----------------------------------------------------
    @property
    def open_storage(self) -> Storage:
        """The storage of a running node (set from start to stop)."""
        storage = self.storage
        assert storage is not None, f"{self.name} has no storage: it is not running"
        return storage

    @property
    def namespace_key(self) -> SigningKey:
        """The key this node signs its own topology transactions with: its namespace's root key when
        it holds it, else a key it holds that the namespace delegated to (Canton picks the lowest
        permissible one)."""
        uid = self.known_uid
        vault = self.vault
        namespace = uid.namespace.unwrap
        key = vault.signing_key(namespace) if vault is not None else None
        if key is not None:
            return key
        store = self.authorized_store
        if vault is not None and store is not None:
            for mapping in reversed(store.mappings(topology_values.NAMESPACE_DELEGATION)):
                if mapping.data["namespace"] == namespace:
                    held = vault.signing_key(topology_values.key_fingerprint(mapping.data["public_key"]))
                    if held is not None:
                        return held
        raise CantonError(
            errors.TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE,
            "Could not find an appropriate signing key to issue the topology transaction",
        )

    @property
    def signing_key(self) -> SigningKey:
        """The key this node signs protocol messages with: the first key of its owner-to-key mapping
        (in its authorized store) that it holds and that may sign protocol messages (a key the
        mapping gives no usage may do everything); before it has one, its namespace key."""
        store, vault = self.authorized_store, self.vault
        if store is not None and vault is not None and self.uid is not None:
            mapping = store.lookup(topology_values.OWNER_TO_KEY, self.member_id)
            if mapping is not None:
                for key_hex in topology_values.protocol_keys(mapping):
                    held = vault.signing_key(topology_values.key_fingerprint(key_hex))
                    if held is not None:
                        return held
        return self.namespace_key

    @property
    def known_uid(self) -> UniqueIdentifier:
        """The unique identifier of a node that has started once (loaded with its identity)."""
        uid = self.uid
        assert uid is not None, f"{self.name} has no identity yet"
        return uid

    # ---- identity ------------------------------------------------------------------------
    @property
    def member(self) -> Member:
        """The node's member id; known once the node has been started (it stays known when stopped)."""
        if self.uid is None:
            self.require_running()
            self._require_store_open()
            if self.uid is None:
                raise RuntimeFailure("Node is not initialized and therefore does not have an Id assigned yet.")
        return Member.of(self.code, self.known_uid)

    @property
    def member_id(self) -> str:
        # Asked many times per event: kept per identity (the uid object changes when the identity does)
        uid = self.uid
        cached = self.__dict__.get("_member_id_of")
        if uid is not None and cached is not None and cached[0] is uid:
            return cached[1]
        member_id = str(self.member)
        if self.uid is not None:
            self._member_id_of = (self.uid, member_id)
        return member_id

    @property
    def is_initialized(self) -> bool:
        return self.running and self.uid is not None

    @property
    def has_node_topology(self) -> bool:
        """Canton's node-topology stage is done: the node's authorized store holds its owner-to-key
        mapping (made at once by a node that generates its topology, else given by the operator)."""
        store = self.authorized_store
        return store is not None and self.uid is not None and store.lookup(topology_values.OWNER_TO_KEY, self.member_id) is not None

    @property
    def manual_identity(self) -> bool:
        """``init.identity.type = manual``: the node waits for ``topology.init_id``."""
        init = getattr(self.config, "init", None)
        return bool(init is not None and init.manual_identity)

    @property
    def generates_topology(self) -> bool:
        """``init.generate-topology-transactions-and-keys`` (default true)."""
        init = getattr(self.config, "init", None)
        return init is None or init.generate_topology

    def _load_identity(self) -> None:
        vault = KeyVault(self)
        vault.load()
        self.vault = vault
        with self.open_storage.read() as conn:
            row = conn.execute(select(s.NodeIdentity.__table__)).mappings().first()
        if row is None:
            if self.manual_identity:
                # Canton's manual identity: the node runs and waits for topology.init_id.
                self.key, self.uid, self.authorized_store = None, None, None
                return
            key = SigningKey.static_for(self.name) if self.env.static_identities else SigningKey.generate()
            try:
                with self.open_storage.transaction() as conn:
                    if vault.get(key.fingerprint) is None:
                        conn.execute(insert(s.CryptoKey), [identity_key_entry(self.name, key).row()])
                    conn.execute(
                        insert(s.NodeIdentity),
                        [{"id": 1, "kind": self.kind, "identifier": self.name, "private_key": key.private_bytes, "fingerprint": key.fingerprint}],
                    )
            except IntegrityError:
                pass  # another replica of this node initialized the shared store first: take its identity
            return self._load_identity()
        if row["kind"] != self.kind:
            raise errors.CantonError(
                errors.STORAGE_INCOMPATIBLE,
                f"The store of {self.kind} '{self.name}' holds the identity of a {row['kind']} "
                f"('{row['identifier']}'); each node needs its own store.",
            )
        if row["private_key"] and vault.get(row["fingerprint"]) is None:
            # a store written before nodes had a key vault: its identity key becomes the vault's first key
            vault.add_signing(SigningKey(row["private_key"]), f"{self.name}-namespace", USAGE_ALL)
        self._set_identity(row["identifier"], row["fingerprint"])

    def _set_identity(self, identifier: str, namespace: str) -> None:
        vault = self.vault
        assert vault is not None
        self.key = vault.signing_key(namespace)
        self.uid = UniqueIdentifier(identifier, namespace)
        from canton_console.runtime.authorized_store import load_authorized_store

        self.authorized_store = load_authorized_store(self)

    def init_id(self, identifier: str, namespace: str, delegations: list[Any]) -> None:
        """(runtime thread) Canton's ``InitId``: set the identity of a node waiting for it, after
        checking the delegations and that it holds a key of the namespace; then (unless
        ``generate-topology-transactions-and-keys = false``) its root certificate, keys and
        owner-to-key mapping, as Canton's auto-init stage does."""
        from canton_console.runtime.authorized_store import check_init_id

        if not self.manual_identity:
            raise ServiceStatusError("FAILED_PRECONDITION", "Node configuration does not allow for a manual node initialization via API")
        if self.uid is not None:
            raise ServiceStatusError("FAILED_PRECONDITION", "Already initialised Init node id")
        vault = self.vault
        assert vault is not None
        namespace = check_init_id(self, identifier, namespace, delegations)
        with self.open_storage.transaction() as conn:
            conn.execute(
                insert(s.NodeIdentity),
                [{"id": 1, "kind": self.kind, "identifier": identifier, "private_key": b"", "fingerprint": namespace}],
            )
        self._set_identity(identifier, namespace)
        from canton_console.runtime import authorized_store

        store = self.authorized_store
        assert store is not None
        if delegations:
            authorized_store.add(self, store, list(delegations))
        if self.generates_topology:
            authorized_store.auto_complete(self)

    # ---- lifecycle -----------------------------------------------------------------------
    @property
    def replicated(self) -> bool:
        """Configured as a replica (``replication.enabled`` on shared sqlite or postgres storage)."""
        replication = getattr(self.config, "replication", None)
        return bool(replication is not None and replication.enabled and self.config.storage.type in ("sqlite", "postgres"))

    @property
    def shares_store(self) -> bool:
        """Runs on a store that processes running the same node share on purpose while all of them
        are active (sequencers with ``high-availability``): the ownership lock is taken shared."""
        return False

    def start(self) -> None:
        if self.running:
            return
        self.killed = False
        spec = storage_spec(self.config)
        storage: Storage | None = None
        # One process owns a store; replicas of a node share theirs on purpose (replication decides
        # which one is active), so they take the ownership lock shared.
        exclusive = not (self.replicated or self.shares_store)
        try:
            storage = Storage(spec, exclusive=exclusive, shared=not exclusive, migrate=self.config.storage.migrate_and_start)
            storage.listener = self._storage_lost
            self.storage = storage
            self._load_identity()
        except StorageUnavailable as e:
            if storage is not None:
                storage.close()
            self.storage = None
            if e.kind in (CORRUPT, READ_ONLY):
                # Not an outage that passes: the node does not start, whatever fail-fast-on-startup says.
                raise CantonError(e.code, f"{self.instance_type} '{self.name}' does not start: {e.cause}") from None
            if self.config.storage.fail_fast_on_startup:
                if e.kind != LOST:  # a full disk
                    raise CantonError(
                        e.code,
                        f"{e.cause} {self.instance_type} '{self.name}' does not start meanwhile "
                        "(storage.parameters.fail-fast-on-startup = yes).",
                    ) from None
                raise CantonError(
                    errors.DB_CONNECTION_LOST,
                    f"Database health check failed to establish a valid connection: {e.detail}. {self.instance_type} "
                    f"'{self.name}' does not start while its database ({spec.description}) is unavailable "
                    "(storage.parameters.fail-fast-on-startup = yes).",
                ) from None
            # fail-fast-on-startup = no: run with db-storage Failed; come up once the database answers.
            log.warning("%s: its database is unavailable (%s); starting once it is back", self.name, e.detail)
            self.storage = Storage(spec, open=False, failure=e.detail, exclusive=exclusive, shared=not exclusive)
            self.storage.failure_kind = e.kind
            self.storage.listener = self._storage_lost
            self._awaiting_open = True
            self.running = True
            self.passive = False
            self.started_at_wall = time.time()
            self.env.storage_watchdog()
            self._start_probe()
            return
        except BaseException as e:
            if storage is not None:
                storage.close()
            self.storage = None
            if isinstance(e, PendingDatabaseMigration) and e.node is None:
                raise PendingDatabaseMigration(str(e), self.name) from None  # the operator is told which node to migrate
            raise
        self._go_live()

    def _go_live(self) -> None:
        """(runtime thread) The store is open and the identity loaded: run, as the active replica or not."""
        spec = self.open_storage.spec
        self._awaiting_open = False
        if spec.kind != "memory":
            self.env.storage_watchdog()
        try:
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
                log.info("%s '%s' started with id %s on %s", self.instance_type, self.name, self.uid, spec.description)
        except StorageUnavailable:
            return  # the database went away meanwhile: the node runs halted and resumes when it is back
        except BaseException:
            self._cancel_probe()
            self.running = False
            self.passive = False
            if self.replication is not None:
                self.replication.release()
                self.replication = None
            self.open_storage.close()
            self.storage = None
            raise

    def stop(self) -> None:
        if not self.running:
            return
        self._cancel_probe()
        try:
            if not self.passive and not self._awaiting_open:
                self._on_stop()
        finally:
            self.running = False
            self.passive = False
            self._awaiting_open = False
            self._needs_promote = False
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
        self._cancel_probe()
        if not self.passive and not self._awaiting_open:
            self._on_kill()
        self.running = False
        self.passive = False
        self._awaiting_open = False
        self._needs_promote = False
        if self.replication is not None:
            self.replication.crash()
            self.replication = None
        if self.storage is not None:
            self.storage.abandon()
            self.storage = None

    # ---- database outages ----------------------------------------------------------------
    @property
    def halted(self) -> bool:
        """The node's database is unavailable: it processes nothing until it is back."""
        storage = self.storage
        return storage is not None and storage.failure is not None

    def _storage_lost(self, detail: str) -> None:
        """The storage's listener: it just failed (on whichever thread noticed)."""
        if self.env.scheduler.on_runtime_thread:
            self._halt()
        else:
            self.env.scheduler.post(self._halt)

    def _halt(self) -> None:
        """(runtime thread) Stop processing and look for the database until it is back."""
        if not self.running or not self.halted or self._probe is not None:
            return
        storage = self.open_storage
        if storage.permanent_failure:
            # A corrupt store does not heal: halt for good (no probing, no resuming, no writes).
            if self._halted_for_good is storage:
                return
            self._halted_for_good = storage
            log.error("%s halts: its store cannot be used until it is repaired and the node restarted", self.name)
        else:
            storage.warnings.warning(
                "halt", "%s halts processing until its database is back: %s", self.name, storage.failure
            )
            self._start_probe()
        if not self.passive and not self._awaiting_open:
            try:
                self._on_halt()
            except Exception:  # noqa: BLE001 - halting must not fail half-way
                log.exception("%s failed to halt cleanly", self.name)

    def _start_probe(self) -> None:
        self._cancel_probe()
        scheduler = self.env.scheduler
        # A database that fails again right after the node resumed (the probe passes, the work does
        # not): wait longer each time before looking again, so that the node does not spin.
        now = time.monotonic()
        if now - self._resumed_at < RELAPSE_WINDOW:
            self._probe_first = min(self._probe_first * 4, RELAPSE_MAX_DELAY)
        else:
            self._probe_first = PROBE_FIRST_DELAY
        cap = max(PROBE_MAX_DELAY, self._probe_first)
        self._probe = StorageProbe(
            self.name, self.open_storage, lambda probe: scheduler.post(self._recover, probe), first=self._probe_first, cap=cap
        )

    def _cancel_probe(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()

    def _recover(self, probe: StorageProbe) -> None:
        """(runtime thread) The probe reached the database: re-derive the node's state from the store."""
        if probe is not self._probe or not self.running:
            return
        self._probe = None
        storage = self.open_storage
        try:
            if self._awaiting_open:
                storage.open()
                self._load_identity()
                log.info("%s: its database is available; starting", self.name)
                self._go_live()
                return
            storage.recovered()
            self._resumed_at = time.monotonic()
            log.info("%s: its database is available again; resuming", self.name)
            if not self.passive:
                if self._needs_promote:
                    self._needs_promote = False
                    self._reload_identity()
                    self._on_promote()
                else:
                    self._on_recover()
        except StorageUnavailable as e:
            if storage.failure is None:
                storage.failure = e.detail
                storage.failure_kind = e.kind
            if self._probe is None and self.running and not storage.permanent_failure:
                self._start_probe()
        except CantonError as e:  # e.g. the store is held by another process, or incompatible: stay failed
            log.error("%s cannot resume: %s", self.name, e.render())
            if storage.failure is None:
                storage.failure = e.cause
                storage.failure_kind = REFUSED  # not resumable by waiting: no probing loop
        except Exception:  # noqa: BLE001 - a bug: stay failed rather than loop
            log.exception("%s could not resume after its database came back", self.name)
            if storage.failure is None:
                storage.failure = "the node could not resume; see the log"
                storage.failure_kind = REFUSED

    def _on_halt(self) -> None:
        """Drop the in-memory processing state (the store keeps what matters)."""
        self._on_stop()
        self._drop_state()

    def _on_recover(self) -> None:
        """Re-derive the processing state from the store, as at start."""
        self._on_start()

    # ---- replication ---------------------------------------------------------------------
    def _become_active(self, generation: int) -> None:
        """(runtime thread) This replica took the lock: load the node's state and go to work."""
        replication = self.replication
        if not self.running or not self.passive or replication is None or not replication.is_current(generation):
            return
        self.passive = False
        log.info("%s is now the active replica", self.name)
        with self.env.replica_activated:
            self.env.replica_activated.notify_all()
        if self.halted:
            self._needs_promote = True  # done once the database is back
            return
        try:
            self._reload_identity()
            self._on_promote()
        except StorageUnavailable:
            self._needs_promote = True
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
        self._needs_promote = False
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
        if not any(n.running for n in self.env.replicas_of(self)) and self.replication.others_running() is False:
            return False  # no replica in this process, and none in another one (where the store tells)
        self._become_passive()
        # The hand-over window, as Canton's (two check periods): the replicas of this process try for
        # the lock at once, those of other processes at their next check, which falls within it.
        # This one does not retake the lock before the window is over.
        self.replication.step_down(2 * self.replication.check_period + 0.1)
        return True

    def _on_promote(self) -> None:
        self._on_start()

    def _reload_identity(self) -> None:
        """(becoming active) Read the keys, identity and authorized store again: the replica that
        was active meanwhile (in this process or another one) may have added keys, parties or
        topology transactions, or set a manual identity, since this one loaded them at its start."""
        self._load_identity()

    def _drop_state(self) -> None:
        """Forget the in-memory state of an active replica (the store keeps what matters)."""

    def passive_error(self) -> CantonError:
        return CantonError(errors.NODE_IS_PASSIVE_REPLICA, f"Cannot process submitted command. This {self.kind} is the passive replica.")

    def require_active(self) -> None:
        self.require_running()
        self._require_store_open()
        if self.passive:
            raise self.passive_error()

    def _on_start(self) -> None:
        pass

    def _on_stop(self) -> None:
        pass

    def _on_kill(self) -> None:
        self._on_stop()

    def _require_store_open(self) -> None:
        """A node started with fail-fast-on-startup = no whose database never answered yet has
        no identity and no state: it can do nothing yet."""
        if self._awaiting_open and self.storage is not None:
            raise StorageUnavailable(self.storage.failure or "the store is not open")

    def require_running(self) -> None:
        if not self.running:
            raise CantonError(errors.NODE_NOT_STARTED, f"Instance {self.instance_type} '{self.name}' has not been started. ")

    # ---- health --------------------------------------------------------------------------
    def uptime_micros(self) -> int:
        return int((time.time() - (self.started_at_wall or time.time())) * 1e6)

    def storage_health(self) -> health.ComponentHealth:
        name = self.storage.component_name if self.storage else "db-storage"
        failure = self.storage.failure if self.storage is not None else None
        if failure is not None:
            code, cause = failure_message(self.open_storage.failure_kind, failure)
            return health.failed(name, f"{code.id}({int(code.category)},0): {cause}")
        return health.ok(name)

    def components(self) -> list[health.ComponentHealth]:
        return [self.storage_health()]

    def ports(self) -> list[tuple[str, int]]:
        return [("admin", self.config.admin_api.port)]

    @property
    def active(self) -> bool:
        """Running and, for a replica, the active one."""
        return self.running and not self.passive
