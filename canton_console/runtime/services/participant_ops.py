"""Participant operations' admin services: synchronizer connection configs (register, modify,
logout), resource limits, a node's database migrations, and its metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canton_console.runtime.participant.resources import resources_of
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.services.participant import sequencer_named_by
from canton_console.values import errors
from canton_console.values.errors import CantonError, RuntimeFailure, ServiceStatusError
from canton_console.values.resource_limits import ResourceLimits
from canton_console.values.sequencing import GrpcSequencerConnection, SequencerConnections
from canton_console.values.synchronizer_connection import SynchronizerConnectionConfig


class LocalConnectionConfigService(LocalService):
    """Canton's SynchronizerConnectivityService: RegisterSynchronizer, ModifySynchronizerConnection,
    ListRegisteredSynchronizers (with their configs), Logout."""

    passive_refusal = "admin"

    def _sequencers(self, connections: SequencerConnections) -> list[Any]:
        nodes = []
        for connection in connections.connections:
            seq = next((s for s in (sequencer_named_by(self._env, url) for url in connection.urls) if s is not None), None)
            if seq is None:
                raise ServiceStatusError(
                    "UNAVAILABLE",
                    f"No sequencer of this console listens on {', '.join(connection.urls)}. Is the server running? Did you configure the server "
                    "address as 0.0.0.0? Are you using the right TLS settings? (details logged as DEBUG)",
                )
            nodes.append(seq)
        if connections.submissionRequestAmplification.amplifies:
            raise CantonError(errors.INVALID_ARGUMENT, "submission request amplification is not supported by canton-console: a submission goes to one sequencer")
        return nodes

    def register(self, config: SynchronizerConnectionConfig, perform_handshake: bool) -> str:
        nodes = self._sequencers(config.sequencerConnections)
        if perform_handshake:
            down = [n.name for n in nodes if not n.running]
            if down:
                raise CantonError(errors.SYNC_SERVICE_BAD_CONNECTIVITY, f"The sequencer {', '.join(down)} is not running.")
        expected = None if config.synchronizerId is None else str(config.synchronizerId)
        return self._call(
            self._node.register_connection,
            config.synchronizerAlias,
            nodes,
            config.sequencerConnections.sequencerTrustThreshold,
            config.priority,
            config.manualConnect,
            config.to_json(),
            expected,
            perform_handshake,
        )

    def connect(self, config: SynchronizerConnectionConfig) -> bool:
        """Register (with a handshake), then connect (Canton's ConnectSynchronizer: also a manualConnect
        config, which only keeps the connection out of automatic reconnects)."""
        self.register(config, True)
        return self._call(self._node.reconnect, config.synchronizerAlias)

    def modify(self, config: SynchronizerConnectionConfig) -> None:
        nodes = self._sequencers(config.sequencerConnections)
        expected = None if config.synchronizerId is None else str(config.synchronizerId)
        self._call(
            self._node.modify_connection,
            config.synchronizerAlias,
            nodes,
            config.sequencerConnections.sequencerTrustThreshold,
            config.priority,
            config.manualConnect,
            config.to_json(),
            expected,
        )

    def list_registered(self) -> list[tuple[SynchronizerConnectionConfig, bool]]:
        def run() -> list[tuple[SynchronizerConnectionConfig, bool]]:
            connected = {sync.id for _, sync, _ in self._node.connected_synchronizers()}
            return [(self._config_of(c), c.synchronizer_id in connected) for c in self._node.connections.values()]

        return self._call(run)

    def _config_of(self, c: Any) -> SynchronizerConnectionConfig:
        """The stored config; for the connect macros' connections, the one Canton's macros build
        (each sequencer's public API under the sequencer's name)."""
        if c.config is not None:
            return SynchronizerConnectionConfig.from_json(c.config)
        connections = []
        for name in c.sequencers:
            seq = self._env.sequencers.get(name)
            api = seq.config.public_api if seq is not None else None
            endpoint = f"{api.address}:{api.port}" if api is not None else name
            connections.append(GrpcSequencerConnection((endpoint,), name))
        return SynchronizerConnectionConfig(c.alias, SequencerConnections(tuple(connections), c.trust_threshold), c.manual_connect, None, c.priority)

    def logout(self, alias: str) -> None:
        self._call(self._node.logout_connection, alias)


class LocalResourceService(LocalService):
    """Canton's ResourceManagementService: SetResourceLimits / GetResourceLimits."""

    passive_refusal = "admin"

    def set_limits(self, limits: ResourceLimits) -> None:
        self._call(lambda: resources_of(self._node).write_limits(limits))

    def limits(self) -> ResourceLimits:
        return self._call(lambda: resources_of(self._node).limits)


class LocalDbService(LocalService):
    """A node's database migrations (Canton's ``db.migrate`` / ``db.repair_migration``): on a stopped node."""

    def _stopped(self) -> Any:
        from canton_console.runtime.node import storage_spec

        if self._node.running:
            raise RuntimeFailure(f"node is already running: {self._node.name}")
        return storage_spec(self._node.config)

    def migrate(self) -> int:
        from canton_console.store.migrate import migrate

        def run() -> int:
            spec = self._stopped()
            try:
                return migrate(spec).applied
            except CantonError as e:
                raise RuntimeFailure(f"failed to migrate database of {self._node.name}: {e.cause}") from None

        return self._env.call(run)

    def repair_migration(self) -> str:
        from canton_console.store.migrate import repair

        def run() -> str:
            spec = self._stopped()
            try:
                return repair(spec)
            except CantonError as e:
                raise RuntimeFailure(f"failed to repair the database migration of {self._node.name}: {e.cause}") from None

        return self._env.call(run)


class LocalMetricsService(LocalService):
    """The node's metrics as Canton's on-demand metrics reader gives them (name, attributes, value)."""

    passive_refusal = None

    def read(self) -> Sequence[Any]:
        from canton_console.runtime.metrics import metrics_of

        return self._env.call(lambda: metrics_of(self._node).snapshot())


class LocalVaultKmsService(LocalService):
    """The vault's KMS commands (Canton's VaultService RegisterKms*Key, RotateWrapperKey,
    GetWrapperKeyId). canton-console's nodes keep their keys in their own store, never in a KMS nor
    an encrypted private store, so each is refused with Canton's error for such a node."""

    passive_refusal = None

    def _refuse_without_kms(self) -> Any:
        def run() -> Any:
            raise CantonError(errors.NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR, "Node is not running an encrypted private store")

        return self._call(run)

    def register_kms_signing_key(self, kms_key_id: str, usage: Sequence[Any], name: str) -> Any:
        return self._refuse_without_kms()

    def register_kms_encryption_key(self, kms_key_id: str, name: str) -> Any:
        return self._refuse_without_kms()

    def rotate_wrapper_key(self, new_wrapper_key_id: str) -> None:
        self._refuse_without_kms()

    def get_wrapper_key_id(self) -> str:
        return self._refuse_without_kms()
