"""The environment: every configured node, the synchronizers they form, the clock and the runtime
thread. This is the runtime's front door; the console drives it and nothing in here knows about
the console."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from canton_console.runtime import authorized_store, identity
from canton_console.runtime.clock import SimClock, WallClock
from canton_console.runtime.mediator import MediatorNode
from canton_console.runtime.node import Node
from canton_console.runtime.participant import ParticipantNode
from canton_console.runtime.scheduler import Scheduler, freeze_start_up_heap
from canton_console.runtime.sequencer import SequencerNode
from canton_console.runtime.synchronizer import Synchronizer
from canton_console.runtime.topology import TopologyState
from canton_console.values import errors, topology
from canton_console.values.errors import CantonError
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.static_parameters import PROTOCOL_VERSIONS, StaticSynchronizerParameters, default_static_parameters

log = logging.getLogger("canton_console.environment")


def storage_key(node: Node) -> str:
    from canton_console.runtime.node import storage_spec

    return storage_spec(node.config).url


class Environment:
    def __init__(self, config: Any, static_identities: bool | None = None):
        self.config = config
        params = config.parameters
        self.clock = SimClock() if params.clock_type == "sim-clock" else WallClock()
        self.static_identities = params.static_identities if static_identities is None else static_identities
        self.scheduler = Scheduler(self.clock)
        self.synchronizers: dict[str, Synchronizer] = {}
        self.sequencers = {name: SequencerNode(self, name, c) for name, c in config.sequencers.items()}
        self.mediators = {name: MediatorNode(self, name, c) for name, c in config.mediators.items()}
        self.participants = {name: ParticipantNode(self, name, c) for name, c in config.participants.items()}
        self.closed = False
        self._replica_timers = None
        # Notified when a replica of this process became active (``replication.set_passive`` waits on it).
        self.replica_activated = threading.Condition()
        self._storage_watchdog = None

    # ---- replication ---------------------------------------------------------------------
    def replica_timers(self):
        """The wall-clock thread that renews and checks the replicas' locks (started on first use)."""
        if self._replica_timers is None:
            from canton_console.runtime.replication import WallTimers

            self._replica_timers = WallTimers()
        return self._replica_timers

    def storage_watchdog(self):
        """The thread that checks the nodes' databases periodically (started on first use)."""
        if self._storage_watchdog is None and not self.closed:
            from canton_console.runtime.node import StorageWatchdog

            self._storage_watchdog = StorageWatchdog(self)
        return self._storage_watchdog

    def replicas_of(self, node: Node) -> list[Node]:
        """The other replicas of ``node``: same kind, same shared storage, replication enabled."""
        if not node.replicated:
            return []
        key = storage_key(node)
        return [n for n in self.nodes() if n is not node and n.kind == node.kind and n.replicated and storage_key(n) == key]

    # ---- nodes ---------------------------------------------------------------------------
    def nodes(self) -> list[Node]:
        """All nodes in Canton's start order: sequencers, mediators, participants."""
        return [*self.sequencers.values(), *self.mediators.values(), *self.participants.values()]

    def node(self, name: str) -> Node:
        for n in self.nodes():
            if n.name == name:
                return n
        raise KeyError(name)

    def call(self, fn, *args):
        """Run on the runtime thread (node state is only touched there)."""
        return self.scheduler.call(fn, *args)

    def start(self, nodes: Iterable[Node] | None = None) -> None:
        order = {"sequencer": 0, "mediator": 1, "participant": 2}
        for node in sorted(nodes if nodes is not None else self.nodes(), key=lambda n: order[n.kind]):
            self.call(node.start)
        freeze_start_up_heap()

    def stop(self, nodes: Iterable[Node] | None = None) -> None:
        order = {"participant": 0, "mediator": 1, "sequencer": 2}
        for node in sorted(nodes if nodes is not None else self.nodes(), key=lambda n: order[n.kind]):
            self.call(node.stop)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if self._replica_timers is not None:
                self._replica_timers.stop()  # no take-overs while everything shuts down
            if self._storage_watchdog is not None:
                self._storage_watchdog.stop()
            self.stop()
            for sync in list(self.synchronizers.values()):
                close = getattr(sync, "close", None)  # a remote synchronizer's streams and channels
                if close is not None:
                    close()
        finally:
            self.scheduler.stop()

    # ---- bootstrap -----------------------------------------------------------------------
    def bootstrap_synchronizer(
        self,
        name: str,
        sequencers: list[SequencerNode],
        mediators: list[MediatorNode],
        owners: Sequence[Node],
        threshold: int,
        static_parameters: StaticSynchronizerParameters | None = None,
        mediator_threshold: int = 1,
    ) -> str:
        """Bootstrap synchronizer ``name`` (or find it bootstrapped): its static parameters
        (``defaultsWithoutKMS(ProtocolVersion.forSynchronizer)`` unless given) are fixed for its
        lifetime; ``mediator_threshold`` is the threshold of mediator group 0."""
        static = static_parameters if static_parameters is not None else default_static_parameters()
        return self.call(self._bootstrap, name, sequencers, mediators, owners, threshold, static, mediator_threshold)

    def _bootstrap(self, name, sequencers, mediators, owners, threshold, static: StaticSynchronizerParameters, mediator_threshold: int) -> str:
        if not sequencers:
            raise CantonError(errors.INVALID_ARGUMENT, "The synchronizer cannot be bootstrapped: at least one sequencer is needed")
        if not mediators:
            raise CantonError(errors.INVALID_ARGUMENT, "The synchronizer cannot be bootstrapped: at least one mediator is needed")
        if not owners:
            raise CantonError(errors.INVALID_ARGUMENT, "The synchronizer cannot be bootstrapped: at least one synchronizer owner is needed")
        for node in [*sequencers, *mediators, *owners]:
            node.require_running()
        for node in mediators:
            node.require_active()  # only the active replica of a mediator is initialized; passives read it from the store
        # Replicas of one owner are one owner.
        owners = list({o.member_id: o for o in owners if not o.passive}.values()) or owners[:1]
        if threshold < 1 or threshold > len(owners):
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"The synchronizer cannot be bootstrapped: the threshold {threshold} must be between 1 and the number of owners ({len(owners)})",
            )
        owner_fps = [o.uid.namespace.unwrap for o in owners]
        namespace = owner_fps[0] if len(owners) == 1 else identity.decentralized_namespace(owner_fps, threshold)
        sync_id = f"{name}::{namespace}"
        existing = {n.synchronizer.id for n in sequencers if n.synchronizer is not None}
        if existing:
            sync_id = existing.pop()
            sync = self.synchronizers[sync_id]
            fresh = [n for n in sequencers if n.synchronizer is None]
            # A bootstrap interrupted by a crash: sequencers remember the synchronizer, but its genesis
            # topology never made it to their stores. Completed with the same (deterministic) genesis.
            incomplete = sync.topology.sequencer_state() is None
            if existing or (fresh and not incomplete) or sync.name != name or (incomplete and sync.id != f"{name}::{namespace}"):
                raise CantonError(
                    errors.INVALID_ARGUMENT,
                    f"The synchronizer cannot be bootstrapped: sequencers are already initialized for synchronizer {sync_id}",
                )
            if incomplete:
                self._check_genesis_arguments(mediators, static, mediator_threshold)
                log.info("Synchronizer %s: completing its bootstrap, which was interrupted", sync_id)
                for node in fresh:
                    node.join(sync)
                self._add_genesis(sync, namespace, owner_fps, owners, sequencers, mediators, threshold, mediator_threshold)
            else:
                log.info("Synchronizer %s has already been bootstrapped with ID %s", name, sync_id)
            for mediator in mediators:
                if mediator.synchronizer is None and mediator.active:
                    mediator.join(sync)
            return sync_id
        self._check_genesis_arguments(mediators, static, mediator_threshold)
        sync = Synchronizer(self, sync_id, name, static.to_dict())
        self.synchronizers[sync_id] = sync
        for node in sequencers:
            node.join(sync)
        self._add_genesis(sync, namespace, owner_fps, owners, sequencers, mediators, threshold, mediator_threshold)
        for mediator in mediators:
            mediator.join(sync)
        return sync_id

    @staticmethod
    def _check_genesis_arguments(mediators, static: StaticSynchronizerParameters, mediator_threshold: int) -> None:
        """What must hold before a genesis topology is written (an existing synchronizer is returned
        without these checks, as in Canton)."""
        mediator_members = list(dict.fromkeys(m.member_id for m in mediators))
        if mediator_threshold < 1 or mediator_threshold > len(mediator_members):
            # MediatorSynchronizerState.create's check
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"The synchronizer cannot be bootstrapped: threshold ({mediator_threshold}) of mediator synchronizer state "
                f"higher than number of mediators {len(mediator_members)}",
            )
        pv = static.protocolVersion
        if not pv.isStable:
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"The synchronizer cannot be bootstrapped: protocol version {pv} is not a stable protocol version; "
                f"canton-console runs the stable protocol version(s) {', '.join(map(str, PROTOCOL_VERSIONS.stable))} only",
            )

    def _add_genesis(self, sync, namespace, owner_fps, owners, sequencers, mediators, threshold, mediator_threshold) -> None:
        """The genesis topology of a new synchronizer, stored by its sequencers. Ed25519 signatures
        are deterministic: a bootstrap completed after a crash stores the same transactions."""
        sync_id = sync.id

        def signed(mapping: topology.Mapping, signers: list[Node], extra: list[Any] = ()) -> topology.SignedTopologyTransaction:  # type: ignore[assignment]
            tx = topology.TopologyTransaction(topology.REPLACE, 1, mapping)
            keys = [n.namespace_key for n in signers] + [k for k in extra if k is not None]
            return topology.SignedTopologyTransaction(tx, {k.fingerprint: k.sign(tx.bytes_to_sign()).hex() for k in keys})

        members = list(dict.fromkeys([*owners, *sequencers, *mediators]))
        genesis = []
        for n in members:
            # the node's identity as its authorized store has it: its namespace delegations
            for tx in authorized_store.identity_transactions(n):
                if tx.transaction.mapping.code == topology.NAMESPACE_DELEGATION:
                    genesis.append(tx if tx.transaction.serial == 1 else signed(tx.transaction.mapping, [n]))
        for n in [*sequencers, *mediators]:
            otk = n.authorized_store._current(topology.OWNER_TO_KEY, n.member_id, None)
            if otk is not None and otk.operation == topology.REPLACE and otk.serial == 1:
                genesis.append(otk.signed)
                continue
            mapping = otk.mapping if otk is not None else topology.owner_to_key(n.member_id, n.namespace_key.public_bytes.hex())
            keys = [n.vault.signing_key(topology.key_fingerprint(k)) for k in topology.signing_keys(mapping)]
            genesis.append(signed(mapping, [n], keys))
        if len(owners) > 1:
            genesis.append(signed(topology.decentralized_namespace_definition(namespace, threshold, owner_fps), owners))
        genesis.append(signed(topology.synchronizer_parameters(sync_id, DynamicSynchronizerParameters().to_dict()), owners))
        genesis.append(signed(topology.sequencer_state(sync_id, 1, [n.member_id for n in sequencers], []), owners))
        mediator_members = list(dict.fromkeys(n.member_id for n in mediators))
        genesis.append(signed(topology.mediator_state(sync_id, 0, mediator_threshold, mediator_members, []), owners))
        sync.add_genesis(genesis)
        sync.last_timestamp = max(sync.last_timestamp, self.clock.now())

    # ---- initializing nodes one by one (the decentralized founding ceremony) ----------------
    def assign_sequencer_from_genesis(
        self, node: SequencerNode, genesis: list[topology.SignedTopologyTransaction], static: StaticSynchronizerParameters
    ) -> str:
        """(runtime thread) Initialize a sequencer with a synchronizer's genesis topology (Canton's
        assign_from_genesis_state). The first sequencer founds the synchronizer; one assigned later
        with the same genesis joins it with the events the others stored."""
        node.require_running()
        if node.synchronizer is not None:
            log.info("Received a request to initialize an already initialized sequencer. Skipping initialization!")
            return node.synchronizer.id
        params = [tx for tx in genesis if tx.transaction.mapping.code == topology.SYNCHRONIZER_PARAMETERS]
        if not params:
            raise CantonError(errors.INVALID_ARGUMENT, "The genesis state holds no synchronizer parameters (SynchronizerParametersState)")
        sync_id = params[0].transaction.mapping.data["synchronizer_id"]
        check = TopologyState(sync_id)
        for tx in genesis:
            check.add(tx, 0, 0)
        missing = [
            code
            for code, key in ((topology.SYNCHRONIZER_PARAMETERS, sync_id), (topology.SEQUENCER_STATE, sync_id), (topology.MEDIATOR_STATE, f"{sync_id}/0"))
            if check.lookup(code, key) is None
        ]
        if missing:
            raise CantonError(
                errors.TOPOLOGY_MISSING_MAPPING,
                f"The genesis state of {sync_id} lacks fully authorized {', '.join(missing)}: collect the owners' signatures first.",
            )
        if node.member_id not in check.sequencers():
            raise CantonError(
                errors.TOPOLOGY_MISSING_MAPPING,
                f"The following members are missing certain topology mappings: {node.member_id}: {topology.SEQUENCER_STATE}",
            )
        sync = self.synchronizers.get(sync_id)
        if sync is not None:
            node.onboard(sync)
            return sync_id
        sync = Synchronizer(self, sync_id, sync_id.split("::", 1)[0], static.to_dict())
        self.synchronizers[sync_id] = sync
        node.join(sync)
        sync.add_genesis(genesis)
        sync.last_timestamp = max(sync.last_timestamp, self.clock.now())
        log.info("%s founded synchronizer %s from its genesis state", node.name, sync_id)
        return sync_id

    def assign_mediator(self, node: MediatorNode, synchronizer_id: str, sequencers: Sequence[str]) -> None:
        """(runtime thread) Connect a mediator to a synchronizer whose mediator group names it, through
        the given sequencers (Canton's mediator setup.assign)."""
        node.require_running()
        node.require_active()
        sync = self.synchronizers.get(synchronizer_id)
        if sync is None:
            raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"Synchronizer {synchronizer_id} is not served by a sequencer of this console.")
        if node.synchronizer is not None:
            if node.synchronizer.id != synchronizer_id:
                raise CantonError(errors.INVALID_ARGUMENT, f"Mediator {node.name} is already assigned to synchronizer {node.synchronizer.id}.")
            return
        if node.member_id not in sync.topology.mediators():
            raise CantonError(
                errors.TOPOLOGY_MISSING_MAPPING,
                f"The following members are missing certain topology mappings: {node.member_id}: {topology.MEDIATOR_STATE}",
            )
        unknown = [name for name in sequencers if name not in sync.sequencer_nodes]
        if unknown:
            raise CantonError(errors.INVALID_ARGUMENT, f"Not sequencers of {synchronizer_id}: {', '.join(unknown)}")
        node.join(sync, list(sequencers) or None)

    def bootstrap_local(self, name: str = "local") -> str:
        """Canton's ``bootstrap.local``: a synchronizer of every running sequencer and active
        mediator of this console, owned by all the sequencers (each one's signature needed), every
        mediator needed to confirm."""

        def available(nodes: list[Any], kind: str) -> list[Any]:
            found = [n for n in nodes if n.running and not n.passive and n.uid is not None]
            if not found:
                raise CantonError(errors.INVALID_ARGUMENT, f"No {kind}s available to bootstrap a local synchronizer.")
            done = next((n for n in found if n.synchronizer is not None), None)
            if done is not None:
                raise CantonError(errors.INVALID_ARGUMENT, f"{kind} {done.member_id} has already been initialized")
            return list({n.member_id: n for n in found}.values())

        sequencers = self.call(available, list(self.sequencers.values()), "sequencer")
        mediators = self.call(available, list(self.mediators.values()), "mediator")
        return self.bootstrap_synchronizer(name, sequencers, mediators, sequencers, len(sequencers), None, len(mediators))

    # ---- waiting ---------------------------------------------------------------------------
    def wait_until(self, predicate, timeout: float, poll: float = 0.001) -> bool:
        """Poll ``predicate`` on the runtime thread until it holds or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        delay = poll
        while True:
            if self.call(predicate):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.01)

    def is_idle(self) -> bool:
        """No submissions waiting to be sequenced and no topology change pending its effective time."""
        for sync in self.synchronizers.values():
            if sync._pending or sync._flush_posted:
                return False
            if sync.topology.latest_valid_from() > sync.now():
                return False
        return True
