"""A participant's admin services: ping, synchronizer connectivity, parties, the Ledger API and
its own traffic view."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from canton_console.admin.records import (
    ConnectedSynchronizer,
    EnabledParty,
    IdentityProviderConfigRecord,
    LedgerApiUser,
    LedgerApiUsersPage,
    LedgerTransaction,
    PartyHosting,
    PingOutcome,
    RegisteredSynchronizer,
    UserRight,
)
from canton_console.runtime.scheduler import wait_future
from canton_console.runtime.services.base import LocalService
from canton_console.values import errors
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.ledger import Contract
from canton_console.values.traffic import TrafficState


class LocalPingService(LocalService):
    passive_refusal = None  # a passive replica's ping service is not running: refused below

    def ping(self, target: str, timeout_micros: int, synchronizer_id: str | None = None, ping_id: str | None = None) -> PingOutcome:
        node = self._node
        if node.running and node.passive:
            raise ServiceStatusError("UNIMPLEMENTED", "Method not found: com.digitalasset.canton.admin.participant.v30.PingService/Ping")
        state = self._call(node.start_ping, target, synchronizer_id, ping_id)
        try:
            elapsed = wait_future(state.future, timeout_micros / 1e6)
        except TimeoutError:
            return PingOutcome(None, self._env.call(node.ping_failure, state.id))
        except CantonError as e:
            self._env.call(node.ping_failure, state.id)
            return PingOutcome(None, e.render())
        except KeyboardInterrupt:
            self._env.call(node.ping_failure, state.id)
            raise
        return PingOutcome(max(1, round(elapsed * 1000)) * 1000)


def sequencer_named_by(env: Any, connection: str) -> Any:
    """The sequencer of this process a connection names: its node name or its public API URL."""
    if connection in env.sequencers:
        return env.sequencers[connection]
    url = urlparse(connection)
    for seq in env.sequencers.values():
        api = seq.config.public_api
        if url.port == api.port and url.hostname in ("localhost", "127.0.0.1", api.address, "0.0.0.0"):
            return seq
    return None


class LocalConnectivityService(LocalService):
    passive_refusal = "admin"

    def connect(self, alias: str, sequencers: Sequence[str], trust_threshold: int = 1, priority: int = 0) -> str:
        nodes = []
        for connection in sequencers:
            seq = sequencer_named_by(self._env, connection)
            if seq is None:
                raise ServiceStatusError(
                    "UNAVAILABLE",
                    f"No sequencer of this console listens on {connection}. Is the server running? Did you configure the server "
                    "address as 0.0.0.0? Are you using the right TLS settings? (details logged as DEBUG)",
                )
            if not seq.running:
                raise CantonError(errors.SYNC_SERVICE_BAD_CONNECTIVITY, f"The sequencer {seq.name} is not running.")
            nodes.append(seq)
        return self._call(self._node.connect, alias, nodes, trust_threshold, priority)

    def is_onboarded(self, synchronizer_id: str) -> bool:
        def run() -> bool:
            sync = self._env.synchronizers.get(synchronizer_id)
            return sync is not None and self._node.member_id in sync.topology.participants(sync.now()) and self._env.is_idle()

        return self._call(run)

    def list_connected(self) -> list[ConnectedSynchronizer]:
        rows = self._call(self._node.connected_synchronizers)
        return [ConnectedSynchronizer(c.alias, s.id, healthy) for c, s, healthy in rows]

    def list_registered(self) -> list[RegisteredSynchronizer]:
        return self._call(lambda: [RegisteredSynchronizer(c.alias, c.synchronizer_id, c.connected) for c in self._node.connections.values()])

    def resolve(self, alias_or_id: str) -> str | None:
        def run() -> str | None:
            for c in self._node.connections.values():
                if alias_or_id in (c.alias, c.synchronizer_id):
                    return c.synchronizer_id
            return None

        return self._call(run)

    def is_connected(self, synchronizer_id: str) -> bool:
        return self._call(self._node.is_connected, synchronizer_id)

    def disconnect(self, alias: str) -> None:
        self._call(self._node.disconnect, alias)

    def reconnect(self, alias: str) -> bool:
        return self._call(self._node.reconnect, alias)

    def synchronizer_id_of(self, alias: str) -> str:
        def run() -> str:
            c = self._node.connections.get(alias)
            if c is None:
                raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {alias} is unknown.")
            return c.synchronizer_id

        return self._call(run)


class LocalPartyService(LocalService):
    passive_refusal = "admin"

    def enable(self, name: str, synchronizer_alias: str | None = None) -> EnabledParty:
        node = self._node

        def run() -> EnabledParty:
            connected = node.connected_synchronizers()
            if synchronizer_alias is not None:
                connected = [r for r in connected if r[0].alias == synchronizer_alias]
                if not connected:
                    raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {synchronizer_alias} is unknown.")
            if not connected:
                raise CantonError(errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER, "This participant is not connected to any synchronizer; connect it first.")
            sync_ids = [s.id for _, s, _ in connected]
            party, _targets = node.enable_party(name, sync_ids)
            return EnabledParty(party, tuple(sync_ids))

        return self._call(run)

    def is_hosted(self, party: str, synchronizer_ids: Sequence[str]) -> bool:
        node = self._node

        def run() -> bool:
            for sync_id in synchronizer_ids:
                sync = self._env.synchronizers[sync_id]
                if not any(p == node.member_id for p, _ in sync.topology.hosting(party, sync.now())[1]):
                    return False
            return self._env.is_idle()

        return self._call(run)

    def list(self, filter_party: str = "", only_hosted_here: bool = False) -> list[PartyHosting]:
        node = self._node

        def run() -> list[PartyHosting]:
            results: dict[str, set[tuple[str, str]]] = {}
            for _, sync, _ in node.connected_synchronizers():
                now = sync.now()
                names = [m.data["party"] for m in sync.topology.parties(now)]
                names += [p.split("::", 1)[1] for p in sync.topology.participants(now)]
                for party in names:
                    for pid, permission in sync.topology.hosting(party, now)[1]:
                        if only_hosted_here and pid != node.member_id:
                            continue
                        results.setdefault(party, set()).add((pid, permission))
            return [PartyHosting(party, tuple(sorted(results[party]))) for party in sorted(results) if not filter_party or filter_party in party]

        return self._call(run)


class LocalLedgerService(LocalService):
    passive_refusal = "ledger"

    def submit(
        self,
        commands: Sequence[Any],
        act_as: Sequence[str],
        command_id: str,
        synchronizer_id: str | None,
        user_id: str,
        submission_id: str | None,
        deduplication_period_micros: int | None,
        timeout_micros: int,
        read_as: Sequence[str] = (),
        as_user: bool = False,
    ) -> LedgerTransaction:
        node = self._node

        def authorize() -> str:
            from canton_console.runtime.participant import authorization
            from canton_console.runtime.participant.user_management import invalid_field, user_id_problem

            claims = authorization.request_claims(node, user_id, as_user)
            authorized_user = authorization.authorize_submission(claims, user_id, list(act_as), list(read_as), submission_id)
            problem = user_id_problem(authorized_user)
            if problem:
                raise invalid_field("user_id", problem, submission_id)
            return authorized_user

        user_id = self._call(authorize)
        future = self._call(node.submit_command, list(commands), list(act_as), command_id, synchronizer_id, user_id, submission_id, deduplication_period_micros)
        try:
            tx = wait_future(future, timeout_micros / 1e6)
        except TimeoutError:
            raise ServiceStatusError("DEADLINE_EXCEEDED", f"Timed out while awaiting the completion of command {command_id}") from None
        return LedgerTransaction(tx.update_id, tx.offset, tx.synchronizer_id, tx.command_id, tx.events)

    def active_contracts(self, party: str | None = None, template_id: str | None = None) -> list[Contract]:
        return self._call(self._node.active_contracts, party, template_id)

    def ledger_end(self) -> int:
        return self._call(lambda: self._node.ledger_end)


class LocalParticipantTrafficService(LocalService):
    passive_refusal = "admin"

    def traffic_state(self, synchronizer_id: str) -> TrafficState:
        node = self._node

        def run() -> TrafficState:
            if synchronizer_id is None or not node.is_connected(synchronizer_id):
                raise CantonError(errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER, f"This participant is not connected to synchronizer {synchronizer_id}")
            sync = self._env.synchronizers[synchronizer_id]
            receipt = node.traffic_receipts.get(synchronizer_id)
            return sync.traffic.member_view(node.member_id, receipt, node.last_seen.get(synchronizer_id, 0))

        return self._call(run)


class LocalUserManagementService(LocalService):
    """The Ledger API's user management service of a participant (see ``user_management``)."""

    passive_refusal = "ledger"

    def _store(self) -> Any:
        from canton_console.runtime.participant.user_management import UserManagement

        return UserManagement(self._node)

    def create(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        identity_provider_id: str,
        rights: Sequence[UserRight],
    ) -> LedgerApiUser:
        return self._call(lambda: self._store().create(user_id, primary_party, is_deactivated, list(annotations), identity_provider_id, list(rights)))

    def get(self, user_id: str, identity_provider_id: str = "") -> LedgerApiUser:
        return self._call(lambda: self._store().get(user_id, identity_provider_id))

    def update(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        resource_version: str,
        identity_provider_id: str = "",
    ) -> LedgerApiUser:
        return self._call(lambda: self._store().update(user_id, primary_party, is_deactivated, list(annotations), resource_version, identity_provider_id))

    def delete(self, user_id: str, identity_provider_id: str = "") -> None:
        self._call(lambda: self._store().delete(user_id, identity_provider_id))

    def list(self, page_token: str = "", page_size: int = 0, identity_provider_id: str = "") -> LedgerApiUsersPage:
        return self._call(lambda: self._store().list_users(page_token, page_size, identity_provider_id))

    def update_idp(self, user_id: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None:
        self._call(lambda: self._store().update_idp(user_id, source_identity_provider_id, target_identity_provider_id))

    def grant(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> builtins.list[UserRight]:
        return self._call(lambda: self._store().grant(user_id, list(rights), identity_provider_id))

    def revoke(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> builtins.list[UserRight]:
        return self._call(lambda: self._store().revoke(user_id, list(rights), identity_provider_id))

    def rights(self, user_id: str, identity_provider_id: str = "") -> builtins.list[UserRight]:
        return self._call(lambda: self._store().rights(user_id, identity_provider_id))


class LocalIdentityProviderConfigService(LocalService):
    """The Ledger API's identity provider config service of a participant."""

    passive_refusal = "ledger"

    def _store(self) -> Any:
        from canton_console.runtime.participant.user_management import UserManagement

        return UserManagement(self._node)

    def create(self, identity_provider_id: str, is_deactivated: bool, jwks_url: str, issuer: str, audience: str | None) -> IdentityProviderConfigRecord:
        return self._call(lambda: self._store().create_idp(identity_provider_id, is_deactivated, jwks_url, issuer, audience))

    def update(
        self,
        identity_provider_id: str,
        is_deactivated: bool,
        jwks_url: str,
        issuer: str,
        audience: str | None,
        update_mask: Sequence[str],
    ) -> IdentityProviderConfigRecord:
        return self._call(lambda: self._store().update_idp_config(identity_provider_id, is_deactivated, jwks_url, issuer, audience, list(update_mask)))

    def get(self, identity_provider_id: str) -> IdentityProviderConfigRecord:
        return self._call(lambda: self._store().get_idp(identity_provider_id))

    def list(self) -> builtins.list[IdentityProviderConfigRecord]:
        return self._call(lambda: self._store().list_idps())

    def delete(self, identity_provider_id: str) -> None:
        self._call(lambda: self._store().delete_idp(identity_provider_id))
