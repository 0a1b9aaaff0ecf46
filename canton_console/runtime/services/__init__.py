"""The admin services of the nodes in this process (see :mod:`canton_console.admin`).

``LocalConsoleAdmin(environment)`` is what a console drives when the nodes run in its own process:
each node's services are made here, by node kind, from :data:`SERVICES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from canton_console.admin.records import NodeInfo
from canton_console.admin.services import UNBOUNDED_MICROS
from canton_console.runtime.services.commitments import LocalCommitmentsService
from canton_console.runtime.services.dars import LocalPackageService
from canton_console.runtime.services.external_parties import LocalExternalPartyService, LocalInteractiveSubmissionService
from canton_console.runtime.services.keys import LocalKeyService
from canton_console.runtime.services.node import (
    LocalIdentityService,
    LocalLifecycleService,
    LocalNodeConfigService,
    LocalReplicationService,
    LocalStatusService,
)
from canton_console.runtime.services.node_admin import (
    LocalMediatorInspectionService,
    LocalMediatorPruningService,
    LocalNodePartyService,
    LocalSequencerBftService,
    LocalSequencerRepairService,
    LocalSequencerSnapshotService,
    LocalSynchronizerTimeService,
)
from canton_console.runtime.services.participant import (
    LocalConnectivityService,
    LocalIdentityProviderConfigService,
    LocalLedgerService,
    LocalParticipantTrafficService,
    LocalPartyService,
    LocalPingService,
    LocalUserManagementService,
    sequencer_named_by,
)
from canton_console.runtime.services.participant_ops import (
    LocalConnectionConfigService,
    LocalDbService,
    LocalMetricsService,
    LocalResourceService,
    LocalVaultKmsService,
)
from canton_console.runtime.services.participant_pruning import LocalParticipantPruningService
from canton_console.runtime.services.repair import LocalParticipantRepairService
from canton_console.runtime.services.sequencer import (
    LocalMediatorSequencerConnectionService,
    LocalMediatorSetupService,
    LocalSequencerConnectService,
    LocalSequencerPruningService,
    LocalSequencerSetupService,
    LocalSequencerTrafficService,
)
from canton_console.runtime.services.topology import LocalTopologyService
from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.values.static_parameters import StaticSynchronizerParameters

ALL_KINDS = ("participant", "sequencer", "mediator")

# service attribute -> node kind -> the class serving it
SERVICES: dict[str, dict[str, Callable[[Any, Any], Any]]] = {
    "status": dict.fromkeys(ALL_KINDS, LocalStatusService),
    "node_config": dict.fromkeys(ALL_KINDS, LocalNodeConfigService),
    "identity": dict.fromkeys(ALL_KINDS, LocalIdentityService),
    "lifecycle": dict.fromkeys(ALL_KINDS, LocalLifecycleService),
    "topology": dict.fromkeys(ALL_KINDS, LocalTopologyService),
    "keys": dict.fromkeys(ALL_KINDS, LocalKeyService),
    "replication": {"participant": LocalReplicationService, "mediator": LocalReplicationService},
    "ping": {"participant": LocalPingService},
    "connectivity": {"participant": LocalConnectivityService},
    "parties": {"participant": LocalPartyService},
    "ledger": {"participant": LocalLedgerService},
    "users": {"participant": LocalUserManagementService},
    "identity_providers": {"participant": LocalIdentityProviderConfigService},
    "traffic": {"participant": LocalParticipantTrafficService, "sequencer": LocalSequencerTrafficService},
    "sequencer_connect": {"sequencer": LocalSequencerConnectService},
    "sequencer_setup": {"sequencer": LocalSequencerSetupService},
    "sequencer_pruning": {"sequencer": LocalSequencerPruningService},
    "sequencer_connection": {"mediator": LocalMediatorSequencerConnectionService},
    "mediator_setup": {"mediator": LocalMediatorSetupService},
    "packages": {"participant": LocalPackageService},
    "external_parties": {"participant": LocalExternalPartyService},
    "interactive_submission": {"participant": LocalInteractiveSubmissionService},
    "participant_pruning": {"participant": LocalParticipantPruningService},
    "repair": {"participant": LocalParticipantRepairService},
    "mediator_pruning": {"mediator": LocalMediatorPruningService},
    "mediator_inspection": {"mediator": LocalMediatorInspectionService},
    "synchronizer_time": {"mediator": LocalSynchronizerTimeService},
    "sequencer_repair": {"sequencer": LocalSequencerRepairService},
    "sequencer_bft": {"sequencer": LocalSequencerBftService},
    "node_parties": {"sequencer": LocalNodePartyService, "mediator": LocalNodePartyService},
    "sequencer_snapshot": {"sequencer": LocalSequencerSnapshotService},
    "connection_configs": {"participant": LocalConnectionConfigService},
    "resources": {"participant": LocalResourceService},
    "db": dict.fromkeys(ALL_KINDS, LocalDbService),
    "metrics": dict.fromkeys(ALL_KINDS, LocalMetricsService),
    "vault_kms": dict.fromkeys(ALL_KINDS, LocalVaultKmsService),
    "commitments": {"participant": LocalCommitmentsService},
}


class LocalNodeAdmin:
    """One node's services, made once."""

    def __init__(self, env: Any, node: Any):
        self.info = NodeInfo(node.name, node.kind)
        for name, by_kind in SERVICES.items():
            factory = by_kind.get(node.kind)
            setattr(self, name, factory(env, node) if factory is not None else None)


class LocalConsoleAdmin:
    """The nodes of one runtime environment, as a console sees them."""

    def __init__(self, env: Any):
        self._env = env
        self._nodes = {node.name: LocalNodeAdmin(env, node) for node in env.nodes()}
        # console.enable_features / disable_features change these; canton.features sets them first
        self._features: set[str] = set(env.config.features.flags())

    def nodes(self) -> list[NodeInfo]:
        return [admin.info for admin in self._nodes.values()]

    def node(self, name: str) -> LocalNodeAdmin:
        return self._nodes[name]

    def start(self, names: Sequence[str]) -> None:
        self._env.start([self._env.node(n) for n in names])

    def stop(self, names: Sequence[str]) -> None:
        self._env.stop([self._env.node(n) for n in names])

    def is_idle(self) -> bool:
        return self._env.call(self._env.is_idle)

    def bootstrap_synchronizer(
        self,
        name: str,
        sequencers: Sequence[str],
        mediators: Sequence[str],
        owners: Sequence[str],
        threshold: int,
        static_parameters: StaticSynchronizerParameters | None = None,
        mediator_threshold: int = 1,
    ) -> str:
        env = self._env
        for node_name in [*sequencers, *mediators]:
            node = env.node(node_name)
            if not node.running:
                raise CantonError(
                    errors.INVALID_ARGUMENT,
                    f"The synchronizer cannot be bootstrapped: {node.instance_type} '{node.name}' has not been started",
                )
        owner_ids = list(owners)
        if not owner_ids:
            # Canton: no owners given means the sequencers own the synchronizer
            owner_ids = [n.member_id for n in map(env.node, sequencers) if n.running and n.uid is not None]
        owner_nodes = [n for n in env.nodes() if n.running and n.uid is not None and n.member_id in owner_ids]
        return env.bootstrap_synchronizer(
            name, [env.node(n) for n in sequencers], [env.node(n) for n in mediators], owner_nodes, threshold, static_parameters, mediator_threshold
        )

    def bootstrap_local(self, name: str) -> str:
        return self._env.bootstrap_local(name)

    def sequencer_for_url(self, url: str) -> str | None:
        seq = sequencer_named_by(self._env, url)
        return None if seq is None else seq.name

    # ---- clock -----------------------------------------------------------------------------
    def now(self) -> int:
        return self._env.clock.now()

    def clock_is_simulated(self) -> bool:
        return self._env.clock.is_simulated

    def advance_clock(self, micros: int) -> None:
        self._env.call(self._env.clock.advance, micros)

    def advance_clock_to(self, micros: int) -> None:
        self._env.call(self._env.clock.advance_to, micros)

    def reset_clock(self) -> None:
        self._env.call(self._env.clock.reset)

    # ---- console timeouts --------------------------------------------------------------------
    def timeout_micros(self, which: str) -> int:
        """A console timeout in µs; an unbounded one (``Inf``) is a very long wait."""
        value = getattr(self._env.config.parameters.timeouts, which)
        return UNBOUNDED_MICROS if value is None else int(value.total_seconds() * 1e6)

    def set_bounded_timeout(self, micros: int) -> None:
        import datetime as dt

        import attrs

        config = self._env.config
        p = config.parameters
        self._env.config = attrs.evolve(config, parameters=attrs.evolve(p, timeouts=attrs.evolve(p.timeouts, bounded=dt.timedelta(microseconds=micros))))

    # ---- console feature flags ----------------------------------------------------------------
    def feature_flags(self) -> frozenset[str]:
        return frozenset(self._features | {"Stable"})

    def set_feature(self, flag: str, enabled: bool) -> None:
        if enabled:
            self._features.add(flag)
        else:
            self._features.discard(flag)

    # ---- pruning defaults (canton.parameters.retention-period-defaults) -------------------------
    def retention_period_default(self, kind: str) -> int:
        """What ``pruning.prune()`` keeps on a ``sequencer`` or ``mediator``, in µs."""
        return int(getattr(self._env.config.parameters.retention_period_defaults, kind).total_seconds() * 1_000_000)
