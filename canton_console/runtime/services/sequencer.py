"""A sequencer's admin services: the synchronizer it serves, its static parameters and its traffic control."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from canton_console.runtime import remote_synchronizer
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.services.participant import sequencer_named_by
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.pruning import PruningSchedule, SequencerMemberStatus, SequencerPruningStatus, Timestamp
from canton_console.values.refined import NonNegativeFiniteDuration
from canton_console.values.sequencing import GrpcSequencerConnection, SequencerConnections, SubmissionRequestAmplification, is_url
from canton_console.values.static_parameters import StaticSynchronizerParameters
from canton_console.values.traffic import TrafficState


class LocalSequencerTrafficService(LocalService):
    def synchronizer_id(self) -> str:
        return self._call(lambda: self._node.synchronizer_id)

    def traffic_states(self, members: Sequence[str] | None, selector: str, timestamp: int | None = None) -> list[tuple[str, TrafficState]]:
        def run() -> list[tuple[str, TrafficState]]:
            sync = self._env.synchronizers[self._node.synchronizer_id]  # fails as Canton does when not initialized
            return list(sync.traffic.states(None if members is None else list(members), selector, timestamp))

        return self._call(run)

    def set_traffic_balance(self, member: str, serial: int, new_balance: int) -> None:
        self._call(self._node.set_traffic_balance, member, serial, new_balance)


class LocalSequencerConnectService(LocalService):
    def public_endpoint(self) -> str:
        api = self._node.config.public_api
        return f"{api.address}:{api.port}"

    def synchronizer_id(self) -> str:
        return self._call(lambda: self._node.synchronizer_id)

    def static_parameters(self) -> StaticSynchronizerParameters:
        def run() -> StaticSynchronizerParameters:
            sync = self._env.synchronizers[self._node.synchronizer_id]  # fails as Canton does when not initialized
            return StaticSynchronizerParameters.from_dict(sync.static_parameters)

        return self._call(run)


log = logging.getLogger("canton_console.sequencer")

ONBOARDING_FORMAT = "canton-console/sequencer-onboarding-state/1"


class LocalSequencerSetupService(LocalService):
    """Canton's SequencerInitializationService and the onboarding state a sequencer hands out."""

    def onboarding_state_for_sequencer(self, sequencer_id: str) -> bytes:
        def run() -> bytes:
            node = self._node
            sync = self._env.synchronizers[node.synchronizer_id]  # fails as Canton does when not initialized
            state = sync.topology.sequencer_state()
            if state is None or sequencer_id not in [*state["active"], *state["observers"]]:
                raise CantonError(
                    errors.TOPOLOGY_MISSING_MAPPING,
                    f"The following members are missing certain topology mappings: {sequencer_id}: {t.SEQUENCER_STATE}",
                )
            body = {
                "format": ONBOARDING_FORMAT,
                "synchronizer_id": sync.id,
                "synchronizer_name": sync.name,
                "static_parameters": sync.static_parameters,
                "sequencer_id": sequencer_id,
                "timestamp": sync.last_timestamp,
                "topology": [stored.signed.to_dict() for stored in sync.topology.log if not stored.is_proposal],
            }
            return json.dumps(body, sort_keys=True).encode()

        return self._call(run)

    def assign_from_genesis_state(self, genesis: list[t.SignedTopologyTransaction], static: StaticSynchronizerParameters) -> None:
        self._call(self._env.assign_sequencer_from_genesis, self._node, genesis, static)

    def assign_from_onboarding_state(self, onboarding_state: bytes) -> None:
        def run() -> None:
            node = self._node
            state = parse_onboarding_state(onboarding_state)
            if node.synchronizer is not None:
                log.info("Received a request to initialize an already initialized sequencer. Skipping initialization!")
                return
            if state["sequencer_id"] != node.member_id:
                raise CantonError(
                    errors.INVALID_ARGUMENT,
                    f"The onboarding state is for sequencer {state['sequencer_id']}, not for {node.member_id}.",
                )
            sync = self._env.synchronizers.get(state["synchronizer_id"])
            if sync is None:
                raise CantonError(
                    errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER,
                    f"No running sequencer of synchronizer {state['synchronizer_id']} is reachable from {node.name}: "
                    "start the sequencer the onboarding state came from.",
                )
            node.onboard(sync)

        self._call(run)


def parse_onboarding_state(data: bytes) -> dict:
    try:
        body = json.loads(bytes(data).decode())
    except (ValueError, UnicodeDecodeError, TypeError):
        body = None
    if not isinstance(body, dict) or body.get("format") != ONBOARDING_FORMAT:
        raise CantonError(errors.INVALID_ARGUMENT, "Unable to parse the onboarding state: it is not a sequencer onboarding state of this console.")
    return body


class LocalMediatorSetupService(LocalService):
    """Canton's MediatorInitializationService."""

    def assign(self, synchronizer_id: str, sequencers: list[str]) -> None:
        """Serve the synchronizer through ``sequencers``: names (or public API URLs) of sequencers of
        this process, or the public API URLs of sequencers of another process."""
        env = self._env
        local = [sequencer_named_by(env, c) for c in sequencers]
        if sequencers and all(node is None and is_url(c) for node, c in zip(local, sequencers, strict=True)):
            self._assign_remote(synchronizer_id, list(sequencers))
            return
        names = [node.name if node is not None else c for node, c in zip(local, sequencers, strict=True)]
        self._call(env.assign_mediator, self._node, synchronizer_id, names)

    def _assign_remote(self, synchronizer_id: str, urls: list[str]) -> None:
        """A handshake with the sequencers (on the caller's thread, within the bounded timeout), then
        the mediator subscribes through them."""
        env = self._env
        name = synchronizer_id.split("::", 1)[0]
        info = remote_synchronizer.handshake(urls, name, env.config.parameters.timeouts.bounded.total_seconds())
        if info.synchronizer_id != synchronizer_id:
            raise CantonError(
                errors.SYNCHRONIZER_ID_MISMATCH,
                f"The sequencers at {', '.join(urls)} serve synchronizer {info.synchronizer_id}, not {synchronizer_id}",
            )

        def run() -> None:
            node = self._node
            node.require_running()
            node.require_active()
            if node.synchronizer is not None:
                if node.synchronizer.id != synchronizer_id:
                    raise CantonError(errors.INVALID_ARGUMENT, f"Mediator {node.name} is already assigned to synchronizer {node.synchronizer.id}.")
                return
            sync = remote_synchronizer.attach(env, synchronizer_id, urls, info)
            if node.member_id not in sync.topology.mediators():
                raise CantonError(
                    errors.TOPOLOGY_MISSING_MAPPING,
                    f"The following members are missing certain topology mappings: {node.member_id}: {t.MEDIATOR_STATE}",
                )
            node.join(sync, urls if isinstance(sync, remote_synchronizer.RemoteSynchronizer) else None)

        self._call(run)


class LocalSequencerPruningService(LocalService):
    """Canton's SequencerPruningAdministrationService (and the pruning status of its
    SequencerAdministrationService)."""

    def status(self) -> SequencerPruningStatus:
        def run() -> SequencerPruningStatus:
            lower, now, members = self._node.pruning_status()
            return SequencerPruningStatus(
                Timestamp(lower),
                Timestamp(now),
                tuple(SequencerMemberStatus(m, Timestamp(reg), None if ack is None else Timestamp(ack), enabled) for m, reg, ack, enabled in members),
            )

        return self._call(run)

    def prune(self, timestamp: int) -> str:
        return self._call(self._node.prune, timestamp)

    def locate_pruning_timestamp(self, index: int) -> int | None:
        def run() -> int | None:
            if self._node.config.sequencer_type != "database":
                # Canton 3.3's block sequencers (BFT, reference) do not locate pruning timestamps
                raise ServiceStatusError("UNIMPLEMENTED", "This sequencer does not support pruning")
            return self._node.locate_pruning_timestamp(index)

        return self._call(run)

    # Canton 3.3's sequencers have no pruning scheduler (it comes with the enterprise edition): the
    # schedule requests are refused
    def _no_scheduler(self) -> None:
        def run() -> None:
            raise ServiceStatusError("UNIMPLEMENTED", "This sequencer does not support scheduled pruning")

        self._call(run)

    def set_schedule(self, cron: str, max_duration_micros: int, retention_micros: int) -> None:
        self._no_scheduler()

    def clear_schedule(self) -> None:
        self._no_scheduler()

    def set_cron(self, cron: str) -> None:
        self._no_scheduler()

    def set_max_duration(self, max_duration_micros: int) -> None:
        self._no_scheduler()

    def set_retention(self, retention_micros: int) -> None:
        self._no_scheduler()

    def get_schedule(self) -> PruningSchedule | None:
        self._no_scheduler()
        return None

    def stored_event_count(self) -> int:
        return self._call(self._node.stored_event_count)


def _connections_value(data: dict) -> SequencerConnections:
    amplification = data.get("amplification", {"factor": 1, "patience": 0})
    return SequencerConnections(
        tuple(GrpcSequencerConnection(tuple(c["endpoints"]), c["alias"], c.get("transport_security", False)) for c in data["connections"]),
        data.get("threshold", 1),
        SubmissionRequestAmplification(amplification["factor"], NonNegativeFiniteDuration(amplification["patience"])),
    )


class LocalMediatorSequencerConnectionService(LocalService):
    """Canton's SequencerConnectionService of a mediator: the sequencers it reads through."""

    def get(self) -> SequencerConnections | None:
        def run() -> SequencerConnections | None:
            data = self._node.sequencer_connections()
            return None if data is None else _connections_value(data)

        return self._call(run)

    def set(self, connections: SequencerConnections, sequencers: Sequence[str]) -> None:
        """Read through ``sequencers`` (the names of the connections' sequencers, in order)."""

        def run() -> None:
            sync = self._node.synchronizer
            if sync is None:
                raise ServiceStatusError("FAILED_PRECONDITION", "Initialize node before attempting to change sequencer connection")
            names = list(sequencers)
            if isinstance(sync, remote_synchronizer.RemoteSynchronizer):
                # sequencers of another process: reached (and stored, for restarts) by their URLs
                names = [c.urls[0] if c.urls else name for name, c in zip(sequencers, connections.connections, strict=True)]
                remote_synchronizer.attach(self._env, sync.id, [n for n in names if is_url(n)])
            data = {
                "connections": [
                    {"sequencer": name, "alias": c.sequencerAlias, "endpoints": list(c.endpoints), "transport_security": c.transportSecurity}
                    for name, c in zip(names, connections.connections, strict=True)
                ],
                "threshold": connections.sequencerTrustThreshold,
                "amplification": {
                    "factor": connections.submissionRequestAmplification.factor,
                    "patience": connections.submissionRequestAmplification.patience.micros,
                },
            }
            self._node.set_sequencer_connections(data)

        self._call(run)

    def logout(self) -> None:
        def run() -> None:
            if self._node.synchronizer is None:
                raise ServiceStatusError("FAILED_PRECONDITION", "Initialize node before attempting to change sequencer connection")
            self._node.logout()

        self._call(run)
