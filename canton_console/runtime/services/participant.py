"""A participant's admin services: ping, synchronizer connectivity, parties, the Ledger API and
its own traffic view."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from canton_console.admin.records import (
    ConnectedSynchronizer,
    IdentityProviderConfigRecord,
    LedgerApiUser,
    LedgerApiUsersPage,
    LedgerTransaction,
    ListedParty,
    PartyDetailsRecord,
    PingOutcome,
    RegisteredSynchronizer,
    UserRight,
)
from canton_console.runtime import remote_synchronizer
from canton_console.runtime.remote_synchronizer import RemoteSequencer
from canton_console.runtime.scheduler import wait_future
from canton_console.runtime.services.base import LocalService
from canton_console.values import errors, ledger
from canton_console.values import topology as t
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.ledger import Contract
from canton_console.values.sequencing import is_url
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
    try:
        url = urlparse(connection)
        port = url.port
    except ValueError:  # not a URL the console let through: no sequencer of ours listens there
        return None
    for seq in env.sequencers.values():
        api = seq.config.public_api
        if port == api.port and url.hostname in ("localhost", "127.0.0.1", api.address, "0.0.0.0"):
            return seq
    return None


class LocalConnectivityService(LocalService):
    passive_refusal = "admin"

    def connect(self, alias: str, sequencers: Sequence[str], trust_threshold: int = 1, priority: int = 0) -> str:
        if sequencers and all(sequencer_named_by(self._env, c) is None and is_url(c) for c in sequencers):
            return self._connect_remote(alias, list(sequencers), trust_threshold, priority)
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

    def _connect_remote(self, alias: str, urls: list[str], trust_threshold: int, priority: int) -> str:
        """Connect to sequencers of another process by their public API URLs: a handshake (here, on
        the caller's thread, within the console's bounded timeout), then the participant subscribes."""
        info = remote_synchronizer.handshake(urls, alias, self._env.config.parameters.timeouts.bounded.total_seconds(), trust_threshold)

        def run() -> str:
            sync = remote_synchronizer.attach(self._env, info.synchronizer_id, urls, info)
            nodes = [RemoteSequencer(url, info.sequencer_member, sync) for url in urls]
            return self._node.connect(alias, nodes, trust_threshold, priority)

        return self._call(run)

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

    def count_in_flight(self, synchronizer_id: str) -> tuple[int, int]:
        from canton_console.runtime.services import ledger_reads

        return self._call(ledger_reads.count_in_flight, self._node, synchronizer_id)


def _split_filter(text: str) -> tuple[str, str | None]:
    """Canton's ``UniqueIdentifier.splitFilter``: an identifier prefix, and a namespace prefix after ``::``."""
    items = text.split("::")
    return items[0], (items[1] if len(items) > 1 else None)


def _matches(uid: str, filter_: tuple[str, str | None]) -> bool:
    """``UniqueIdentifier.matchesFilters``: with a namespace filter the identifier must be equal and
    the namespace start with it; else the identifier must start with the prefix."""
    identifier, _, namespace = uid.partition("::")
    prefix, ns = filter_
    if ns is not None:
        return identifier == prefix and namespace.startswith(ns)
    return identifier.startswith(prefix)


class LocalPartyService(LocalService):
    passive_refusal = "admin"

    def list_parties(
        self,
        synchronizer_ids: Sequence[str] = (),
        filter_party: str = "",
        filter_participant: str = "",
        as_of: int | None = None,
        limit: int = 1000,
    ) -> list[ListedParty]:
        node = self._node

        def run() -> list[ListedParty]:
            party_filter, participant_filter = _split_filter(filter_party), _split_filter(filter_participant)
            snapshots = []
            for connection in node.connections.values():
                sync = self._env.synchronizers.get(connection.synchronizer_id)
                if sync is None or (synchronizer_ids and sync.id not in synchronizer_ids):
                    continue
                # as of a time, exclusive (Canton's asOfExclusive); else the synchronizer's current snapshot
                snapshots.append((sync.id, sync.topology, sync.now() if as_of is None else as_of - 1))
            found: set[str] = set()
            for _sync_id, topo, at in snapshots:
                for m in topo.parties(at):
                    hosts = [p for p, _ in m.data["participants"]]
                    if _matches(m.data["party"], party_filter) and (
                        not filter_participant or any(_matches(p.split("::", 1)[1], participant_filter) for p in hosts)
                    ):
                        found.add(m.data["party"])
                for participant in topo.participants(at):
                    uid = participant.split("::", 1)[1]
                    if _matches(uid, party_filter) and _matches(uid, participant_filter):
                        found.add(uid)
                if len(found) >= limit:
                    break
            results = []
            for party in sorted(found)[:limit]:
                by_participant: dict[str, list[tuple[str, str]]] = {}
                for sync_id, topo, at in snapshots:
                    for participant, permission in topo.hosting(party, at)[1]:
                        if participant in topo.participants(at):
                            by_participant.setdefault(participant, []).append((sync_id, permission))
                results.append(ListedParty(party, tuple((p, tuple(perms)) for p, perms in sorted(by_participant.items()))))
            return results

        return self._call(run)


class LocalLedgerService(LocalService):
    passive_refusal = "ledger"

    def _authorize_submission(self, user_id: str, act_as: Sequence[str], read_as: Sequence[str], submission_id: str | None, as_user: bool) -> str:
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

        return self._call(authorize)

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
        user_id = self._authorize_submission(user_id, act_as, read_as, submission_id, as_user)
        future = self._call(self._node.submit_command, list(commands), list(act_as), command_id, synchronizer_id, user_id, submission_id, deduplication_period_micros)
        try:
            tx = wait_future(future, timeout_micros / 1e6)
        except TimeoutError:
            raise ServiceStatusError("DEADLINE_EXCEEDED", f"Timed out while awaiting the completion of command {command_id}") from None
        return LedgerTransaction(tx.update_id, tx.offset, tx.synchronizer_id, tx.command_id, tx.events, tx.record_time, tuple(act_as))

    def active_contracts(self, party: str | None = None, template_id: str | None = None) -> list[Contract]:
        return self._call(self._node.active_contracts, party, template_id)

    def submit_async(
        self,
        commands: Sequence[Any],
        act_as: Sequence[str],
        command_id: str,
        synchronizer_id: str | None,
        user_id: str,
        submission_id: str | None,
        deduplication_period_micros: int | None,
        read_as: Sequence[str] = (),
        as_user: bool = False,
    ) -> None:
        user_id = self._authorize_submission(user_id, act_as, read_as, submission_id, as_user)
        self._call(self._node.submit_command, list(commands), list(act_as), command_id, synchronizer_id, user_id, submission_id, deduplication_period_micros)

    def contract_entries(self, parties: Sequence[str] | None, active_at: int | None) -> builtins.list[ledger.ContractEntry]:
        node = self._node

        def read() -> builtins.list[ledger.ContractEntry]:
            end = node.ledger_end
            if active_at is not None:
                ledger.check_offset("active_at_offset", active_at, end)
                from canton_console.runtime.participant.pruning import check_snapshot_not_pruned

                check_snapshot_not_pruned(node, active_at)
            return node.contract_entries(None if parties is None else list(parties), end if active_at is None else active_at)

        return self._call(read)

    def transactions(self, begin_exclusive: int, end_inclusive: int | None, stream: str | None = None) -> builtins.list[LedgerTransaction]:
        """``stream`` (``Updates``, ``Transactions``): a Ledger API stream, refused when it starts at
        or below the pruning offset."""
        node = self._node

        def read() -> builtins.list[LedgerTransaction]:
            end = node.ledger_end
            ledger.check_offset("Begin", begin_exclusive, end)
            if end_inclusive is not None:
                ledger.check_offset("End", end_inclusive, end)
            last = end if end_inclusive is None else end_inclusive
            if stream is not None:
                from canton_console.runtime.participant.pruning import check_not_pruned

                check_not_pruned(node, begin_exclusive, last, stream)
            return [
                LedgerTransaction(t.update_id, t.offset, t.synchronizer_id, t.command_id, t.events, t.record_time, t.act_as)
                for t in node.transactions(begin_exclusive)
                if t.offset <= last
            ]

        return self._call(read)

    def ledger_end(self) -> int:
        return self._call(lambda: self._node.ledger_end)

    # ---- party management -------------------------------------------------------------------
    def _parties(self) -> Any:
        from canton_console.runtime.participant.party_management import PartyManagement

        return PartyManagement(self._node)

    def allocate_party(self, party_hint: str, annotations: Sequence[tuple[str, str]], identity_provider_id: str, timeout_micros: int) -> PartyDetailsRecord:
        import time

        from canton_console.runtime.services.topology import LocalTopologyService

        topology = LocalTopologyService(self._env, self._node)

        def propose(mapping: Any) -> None:
            topology._propose(t.AUTHORIZED_STORE, mapping, None, False, None, t.REPLACE)

        party, synchronizers = self._call(lambda: self._parties().allocate(party_hint, list(annotations), identity_provider_id, propose))
        deadline = time.monotonic() + timeout_micros / 1e6
        while not self._call(lambda: self._parties().is_known(party, synchronizers)) and time.monotonic() < deadline:
            time.sleep(0.005)
        return self._call(lambda: self._parties().get([party])[0])

    def list_known_parties(self, identity_provider_id: str = "") -> builtins.list[PartyDetailsRecord]:
        return self._call(lambda: self._parties().list_known(identity_provider_id))

    def get_parties(self, parties: Sequence[str], identity_provider_id: str = "") -> builtins.list[PartyDetailsRecord]:
        return self._call(lambda: self._parties().get(list(parties), identity_provider_id))

    def update_party(self, party: str, annotations: Sequence[tuple[str, str]], resource_version: str, identity_provider_id: str = "") -> PartyDetailsRecord:
        return self._call(lambda: self._parties().update(party, list(annotations), resource_version, identity_provider_id))

    def update_party_idp(self, party: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None:
        self._call(lambda: self._parties().update_idp(party, source_identity_provider_id, target_identity_provider_id))

    # ---- command completions and connected synchronizers (ledger_reads.py) ----------------------
    def completions(self, parties: Sequence[str], user_id: str, begin_exclusive: int) -> builtins.list[Any]:
        from canton_console.runtime.services import ledger_reads

        return self._call(ledger_reads.completions, self._node, list(parties), user_id, begin_exclusive)

    def connected_synchronizers_of(self, party: str | None) -> builtins.list[Any]:
        from canton_console.runtime.services import ledger_reads

        return self._call(ledger_reads.connected_synchronizers, self._node, party)

    def update_by_id(self, update_id: str, update_format: Any) -> Any:
        from canton_console.runtime.services import ledger_reads

        return self._call(ledger_reads.update_by_id, self._node, update_id, update_format)

    def update_by_offset(self, offset: int, update_format: Any) -> Any:
        from canton_console.runtime.services import ledger_reads

        return self._call(ledger_reads.update_by_offset, self._node, offset, update_format)


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
