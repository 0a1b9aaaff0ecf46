"""Admin services of sequencers and mediators beyond setup: a mediator's pruning (with its schedule),
verdict inspection and synchronizer time; a sequencer's repair and BFT administration; the party
listing of any node (Canton's MediatorAdministrationService, MediatorInspectionService,
SynchronizerTimeService, SequencerAdministrationService.DisableMember,
SequencerBftAdministrationService and TopologyAggregationService.ListParties)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canton_console.runtime import mediator_pruning as mp
from canton_console.runtime import sequencer_admin as sa
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.services.participant import LocalPartyService
from canton_console.runtime.services.pruning_schedule import PruningScheduleStoreService
from canton_console.values.errors import ServiceStatusError
from canton_console.values.mediator_verdicts import StoredVerdict


class LocalMediatorPruningService(PruningScheduleStoreService):
    """Canton's MediatorAdministrationService: pruning and its schedule."""

    def prune(self, timestamp: int) -> None:
        self._call(mp.prune, self._node, timestamp)

    def locate_pruning_timestamp(self, index: int) -> int | None:
        return self._call(mp.locate_pruning_timestamp, self._node, index)

    def stored_verdict_count(self) -> int:
        return self._call(mp.stored_verdict_count, self._node)

    def scheduled_runs(self) -> int:
        """How many scheduled pruning runs started since the node started."""
        return self._node.pruning_scheduler.runs


class LocalMediatorInspectionService(LocalService):
    """Canton's MediatorInspectionService: the stored verdicts."""

    def verdicts(self, after: int, limit: int) -> list[StoredVerdict]:
        return self._call(mp.verdicts_after, self._node, after, limit)


class LocalSynchronizerTimeService(LocalService):
    """Canton's SynchronizerTimeService of a node that serves one synchronizer (a mediator)."""

    def fetch_time(self) -> int:
        def run() -> int:
            sync = self._node.synchronizer
            if sync is None:
                raise ServiceStatusError("FAILED_PRECONDITION", "Node is not initialized: it serves no synchronizer")
            return sync.now()

        return self._call(run)

    def observed_time(self) -> int:
        """The latest synchronizer time this node has seen (its last processed event)."""
        return self._call(lambda: self._node.last_seen)


class LocalSequencerRepairService(LocalService):
    """Canton's SequencerAdministrationService.DisableMember."""

    def disable_member(self, member: str) -> None:
        self._call(sa.disable_member, self._node, member)


class LocalSequencerBftService(LocalService):
    """Canton's SequencerBftAdministrationService (see :mod:`canton_console.runtime.sequencer_admin`
    for what it stands for in this process)."""

    def _bft(self, method: str, fn: Any, *args: Any) -> Any:
        def run() -> Any:
            sa.require_bft(self._node, method)
            return fn(self._node, *args)

        return self._call(run)

    def add_peer_endpoint(self, address: str, port: int, tls: bool) -> bool:
        return self._bft("AddPeerEndpoint", sa.add_peer_endpoint, sa.EndpointId(address, port, tls))

    def remove_peer_endpoint(self, address: str, port: int, tls: bool) -> bool:
        return self._bft("RemovePeerEndpoint", sa.remove_peer_endpoint, sa.EndpointId(address, port, tls))

    def peer_network_status(self, endpoints: Sequence[tuple[str, int, bool]] | None) -> list[sa.EndpointStatus]:
        wanted = None if endpoints is None else [sa.EndpointId(*e) for e in endpoints]
        return self._bft("GetPeerNetworkStatus", sa.network_status, wanted)

    def ordering_topology(self) -> tuple[int, list[str]]:
        return self._bft("GetOrderingTopology", sa.ordering_topology)


class _OwnSynchronizer:
    """A sequencer or mediator seen as the party listing sees a participant: its one synchronizer
    as its only connection (Canton lists parties from the synchronizer topology of any node)."""

    def __init__(self, node: Any):
        self._node = node

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)

    @property
    def connections(self) -> dict[str, Any]:
        sync = self._node.synchronizer
        return {} if sync is None else {sync.name: _Connection(sync.id)}


class _Connection:
    def __init__(self, synchronizer_id: str):
        self.synchronizer_id = synchronizer_id


class LocalNodePartyService(LocalPartyService):
    """``parties.list`` of a sequencer or mediator: the parties of the synchronizer it serves."""

    def __init__(self, env: Any, node: Any):
        super().__init__(env, _OwnSynchronizer(node))


class LocalSequencerSnapshotService(LocalService):
    """Canton's SequencerAdministrationService.Snapshot."""

    def snapshot(self, timestamp: int) -> sa.SnapshotState:
        return self._call(sa.snapshot, self._node, timestamp)
