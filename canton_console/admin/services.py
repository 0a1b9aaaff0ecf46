"""The admin service interfaces, one per node kind and concern, after Canton's admin gRPC services.

Arguments and results are plain values: ids as their proto primitive strings (``PAR::name::1220…``),
durations and times in microseconds, records from :mod:`canton_console.admin.records` and
:mod:`canton_console.values`. A method that waits (a ping, a submission) blocks its caller, never
the node. Failures are :class:`~canton_console.values.errors.CantonError`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Protocol

from canton_console.admin.records import (
    ConnectedSynchronizer,
    IdentityProviderConfigRecord,
    LedgerApiUser,
    LedgerApiUsersPage,
    LedgerTransaction,
    ListedParty,
    NodeInfo,
    PartyDetailsRecord,
    PingOutcome,
    ProposedTransaction,
    RegisteredSynchronizer,
    SequencerStateResult,
    UserRight,
)
from canton_console.values.completions import CompletionRecord, LedgerConnectedSynchronizer
from canton_console.values.dars import DarContents, DarDescription, PackageContents, PackageDescription
from canton_console.values.health import NodeStatusData, NotInitializedData
from canton_console.values.keys import EncryptionPublicKey, ListKeyOwnersResult, PrivateKeyMetadata, PublicKeyWithName, SigningPublicKey
from canton_console.values.ledger import Contract, ContractEntry, CreateCommand, ExerciseCommand
from canton_console.values.node_config import NodeConfigValue
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.pruning import ParticipantPruningSchedule, PruningSchedule, SequencerPruningStatus
from canton_console.values.sequencing import SequencerConnections
from canton_console.values.static_parameters import StaticSynchronizerParameters
from canton_console.values.topology import Mapping, SignedTopologyTransaction, StoredTransaction, TopologyTransaction
from canton_console.values.traffic import TrafficState
from canton_console.values.update_format import TransactionSelection, UpdateFormat

# ---- every node ------------------------------------------------------------------------------


# A console timeout configured as Inf: 100 years (a wait that never times out).
UNBOUNDED_MICROS = 100 * 365 * 24 * 3600 * 1_000_000

class StatusService(Protocol):
    """Canton's StatusService: is the node up, initialized, active, and how are its components."""

    def is_running(self) -> bool: ...

    def is_initialized(self) -> bool: ...

    def status(self) -> NodeStatusData | NotInitializedData:
        """The node's status; fails with NODE_NOT_STARTED when it is not running."""
        ...

    def last_errors(self) -> dict[str, str]:
        """The process's last errors logged, trace id -> log line (Canton's GetLastErrors); fails
        with FAILED_PRECONDITION when the last-errors buffer is off."""
        ...

    def last_error_trace(self, trace_id: str) -> builtins.list[str]:
        """The log lines of one trace id of the last errors (Canton's GetLastErrorTrace); fails with
        FAILED_PRECONDITION when the trace id is not among them."""
        ...

    def health_dump(self, output_file: str) -> None:
        """Write a health dump zip of this process to ``output_file`` (Canton's HealthDump)."""
        ...


class NodeConfigService(Protocol):
    """The node's configuration, read-only, secrets masked."""

    def config(self) -> NodeConfigValue: ...


class IdentityService(Protocol):
    """Canton's IdentityInitializationService: the node's identity."""

    def member_id(self) -> str:
        """``PAR::name::1220…`` (or MED, SEQ); fails when the node has no identity yet."""
        ...

    def member_id_if_known(self) -> str | None:
        """The member id when the node's identity is known, also while it is stopped; else None."""
        ...

class KeyService(Protocol):
    """Canton's VaultService (a node's keys), its key-owner aggregation and its identity
    initialization service (``InitId``). Purposes are ``signing``/``encryption``; usages are
    SigningKeyUsage identifiers (``namespace``, ``sequencer-auth``, ``signing``)."""

    def list_private(self, fingerprint: str, name: str, purposes: set[str], usages: set[str]) -> list[PrivateKeyMetadata]: ...

    def generate_signing_key(self, name: str, usage: list[str], spec: str | None) -> SigningPublicKey: ...

    def generate_encryption_key(self, name: str, spec: str | None) -> EncryptionPublicKey: ...

    def delete(self, fingerprint: str) -> None: ...

    def export_pair(self, fingerprint: str) -> bytes: ...

    def import_pair(self, data: bytes, name: str | None) -> None: ...

    def list_public(self, fingerprint: str, context: str, purposes: set[str], usages: set[str]) -> list[PublicKeyWithName]: ...

    def export_public(self, fingerprint: str) -> bytes | None: ...

    def import_public(self, data: bytes, name: str | None) -> str: ...

    def list_owners(self, filter_uid: str, filter_code: str | None, synchronizer_ids: set[str], limit: int) -> list[ListKeyOwnersResult]: ...

    def init_id(self, identifier: str, namespace: str, delegations: list[SignedTopologyTransaction]) -> None: ...

    def ready_for_id(self) -> bool: ...


class LifecycleService(Protocol):
    """Starting and stopping a node this console runs (a remote node refuses)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def kill(self) -> None: ...


class TopologyService(Protocol):
    """Canton's TopologyManagerReadService and TopologyManagerWriteService for one node.

    A ``store`` is ``Authorized`` (the node's authorized store) or a synchronizer id (the node's
    store of that synchronizer's topology)."""

    def stores(self) -> list[str]:
        """The stores of this node: ``Authorized``, one per synchronizer it keeps the topology of, and
        its temporary stores (``temporary/<name>``)."""
        ...

    def create_temporary_store(self, name: str, protocol_version: int) -> str:
        """A new, empty temporary store (in memory) for transactions of a protocol version; its store id."""
        ...

    def drop_temporary_store(self, store: str) -> None: ...

    def require_store(self, store: str) -> None:
        """Fails with TOPOLOGY_STORE_NOT_FOUND unless the node keeps the store."""
        ...

    def list(self, store: str, code: str | None, proposals: bool = False, removals: bool = False) -> list[StoredTransaction]:
        """The head transactions of one mapping code (every code: None) in a store, with removals if
        asked; or the pending proposals."""
        ...

    # ``list`` above is a method (Canton's name), so the annotations below spell the type builtins.list.

    def history(self, store: str, code: str | None) -> builtins.list[StoredTransaction]:
        """Every stored transaction of one mapping code (every code: None), oldest first."""
        ...

    def serial_of(self, store: str, code: str, key: str) -> int: ...

    def head(self, store: str, code: str, key: str) -> StoredTransaction | None:
        """The latest transaction (replace or remove) of one mapping."""
        ...

    def propose(
        self,
        store: str,
        mapping: Mapping,
        serial: int | None = None,
        must_fully_authorize: bool = False,
        signed_by: str | builtins.list[str] | None = None,
        operation: str = "Replace",
    ) -> ProposedTransaction:
        """Sign ``mapping`` at the next serial with the node's key and add it to the store: stored in the
        authorized store (and sent on by a participant to its synchronizers), or sent to a synchronizer."""
        ...

    def authorize(self, store: str, transaction_hash: str, must_fully_authorize: bool = False, signed_by: str | builtins.list[str] | None = None) -> ProposedTransaction:
        """Add this node's signature to the proposal with the hash in the store."""
        ...

    def sign(self, transactions: builtins.list[SignedTopologyTransaction], signed_by: str | builtins.list[str] | None = None) -> builtins.list[SignedTopologyTransaction]:
        """The transactions with this node's signature added (nothing is stored)."""
        ...

    def load(self, store: str, transactions: builtins.list[SignedTopologyTransaction]) -> None:
        """Add signed transactions as they are to a store (a synchronizer's: sent to it)."""
        ...

    def identity_transactions(self) -> builtins.list[SignedTopologyTransaction]:
        """The node's root certificate and owner-to-key mapping, from its authorized store."""
        ...

    def sequenced_state(self, store: str, transaction: TopologyTransaction) -> str | None:
        """``effective``, ``proposal`` or ``superseded`` once the transaction was stored, else None."""
        ...

    def is_idle(self) -> bool:
        """No submission waits to be sequenced and no topology change waits for its effective time."""
        ...

    def synchronizer_parameters(self, synchronizer_id: str) -> tuple[DynamicSynchronizerParameters, int]:
        """The dynamic synchronizer parameters in force, and their serial."""
        ...

    def sequencer_states(self, synchronizer_id: str | None = None) -> builtins.list[SequencerStateResult]: ...

    def now(self) -> int:
        """The node's clock, in microseconds since the epoch."""
        ...


# ---- participant -----------------------------------------------------------------------------


class PingService(Protocol):
    """Canton's PingService."""

    def ping(self, target: str, timeout_micros: int, synchronizer_id: str | None = None, ping_id: str | None = None) -> PingOutcome: ...


class ConnectivityService(Protocol):
    """Canton's SynchronizerConnectivityService."""

    def connect(self, alias: str, sequencers: Sequence[str], trust_threshold: int = 1, priority: int = 0) -> str:
        """Register and connect; ``sequencers`` are sequencer names or public API URLs. Returns the synchronizer id."""
        ...

    def is_onboarded(self, synchronizer_id: str) -> bool:
        """The participant is in the synchronizer's topology and nothing is pending."""
        ...

    def list_connected(self) -> list[ConnectedSynchronizer]: ...

    def list_registered(self) -> list[RegisteredSynchronizer]: ...

    def resolve(self, alias_or_id: str) -> str | None:
        """The synchronizer id of a registered alias or id, else None."""
        ...

    def is_connected(self, synchronizer_id: str) -> bool: ...

    def disconnect(self, alias: str) -> None: ...

    def reconnect(self, alias: str) -> bool: ...

    def synchronizer_id_of(self, alias: str) -> str: ...

    def count_in_flight(self, synchronizer_id: str) -> tuple[int, int]:
        """(pending submissions, pending transactions) of the participant on the synchronizer."""
        ...


class PartyService(Protocol):
    """Canton's TopologyAggregationService (ListParties), which the console's ``parties`` commands
    read; parties are enabled and disabled through the topology service."""

    def list_parties(
        self,
        synchronizer_ids: Sequence[str] = (),
        filter_party: str = "",
        filter_participant: str = "",
        as_of: int | None = None,
        limit: int = 1000,
    ) -> list[ListedParty]:
        """The parties the synchronizers' topology (all the participant's synchronizers unless
        ``synchronizer_ids``) knows: party-to-participant mappings and participants' admin parties,
        matched by Canton's filters (``name`` prefix, or ``name::namespace-prefix``), at most
        ``limit`` parties, as of a time (exclusive; None: now); each with all its hosting participants."""
        ...


class LedgerService(Protocol):
    """The Ledger API's command submission and state services."""

    def submit(
        self,
        commands: Sequence[CreateCommand | ExerciseCommand],
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
        """Authorize, then submit and wait. The console's requests carry the participant's admin
        token (every claim), as Canton's console does; ``as_user``: the request carries the token
        of the user ``user_id`` instead, which a participant whose ledger API authorizes by JWT
        (``ledger-api.auth-services``) resolves to the user's rights (PERMISSION_DENIED when they
        do not cover ``act_as`` and ``read_as``)."""
        ...

    def active_contracts(self, party: str | None = None, template_id: str | None = None) -> list[Contract]: ...

    def submit_async(
        self,
        commands: Sequence[CreateCommand | ExerciseCommand],
        act_as: Sequence[str],
        command_id: str,
        synchronizer_id: str | None,
        user_id: str,
        submission_id: str | None,
        deduplication_period_micros: int | None,
        read_as: Sequence[str] = (),
        as_user: bool = False,
    ) -> None:
        """As ``submit``, but returns once the command is interpreted and sent (the Ledger API's
        CommandSubmissionService): failures of interpretation and deduplication are raised, the
        outcome of the transaction is not awaited."""
        ...

    def contract_entries(self, parties: Sequence[str] | None, active_at: int | None) -> builtins.list[ContractEntry]:
        """The contracts active at offset ``active_at`` (None: the ledger end) with a stakeholder
        among ``parties`` (None: any). An offset beyond the ledger end fails with
        OFFSET_AFTER_LEDGER_END."""
        ...

    def transactions(self, begin_exclusive: int, end_inclusive: int | None, stream: str | None = None) -> builtins.list[LedgerTransaction]:
        """The committed transactions at offsets after ``begin_exclusive`` up to ``end_inclusive``
        (None: the ledger end), in offset order. ``stream`` (``Updates``, ``Transactions``): a Ledger
        API stream, refused (PARTICIPANT_PRUNED_DATA_ACCESSED) when it starts below the pruning offset."""
        ...

    # ---- party management (the Ledger API's PartyManagementService) ----
    def allocate_party(self, party_hint: str, annotations: Sequence[tuple[str, str]], identity_provider_id: str, timeout_micros: int) -> PartyDetailsRecord:
        """Host a new party ``hint::<participant namespace>`` here (a PartyToParticipant mapping
        through the node's topology manager) with a local record of ``annotations`` and identity
        provider; returns once the connected synchronizers know it (or after ``timeout_micros``)."""
        ...

    def list_known_parties(self, identity_provider_id: str = "") -> builtins.list[PartyDetailsRecord]:
        """Every party of the participant's synchronizers' topology (of one identity provider, if given)."""
        ...

    def get_parties(self, parties: Sequence[str], identity_provider_id: str = "") -> builtins.list[PartyDetailsRecord]:
        """The details of those of ``parties`` the participant knows."""
        ...

    def update_party(self, party: str, annotations: Sequence[tuple[str, str]], resource_version: str, identity_provider_id: str = "") -> PartyDetailsRecord:
        """Merge ``annotations`` into the party's local record (an empty value removes the key); a
        ``resource_version`` other than the record's fails with CONCURRENT_PARTY_DETAILS_UPDATE_DETECTED."""
        ...

    def update_party_idp(self, party: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None: ...

    def ledger_end(self) -> int: ...

    # ---- the command completion service and the state service's connected synchronizers ----
    def completions(self, parties: Sequence[str], user_id: str, begin_exclusive: int) -> builtins.list[CompletionRecord]:
        """The completions of ``user_id``'s submissions acting as one of ``parties`` after
        ``begin_exclusive`` up to the ledger end (act-as narrowed to ``parties``). A negative
        offset fails with NEGATIVE_OFFSET, one after the ledger end with OFFSET_AFTER_LEDGER_END,
        an empty or malformed user id with MISSING_FIELD / INVALID_FIELD."""
        ...

    def connected_synchronizers_of(self, party: str | None) -> builtins.list[LedgerConnectedSynchronizer]:
        """The healthy connected synchronizers; with a party, those where it is hosted here, each
        with its permission."""
        ...

    def update_by_id(self, update_id: str, update_format: UpdateFormat) -> tuple[LedgerTransaction, TransactionSelection] | None:
        """The transaction with that update id and what of it the format selects; None when there
        is none (or the format asks for no transactions). Fails as Canton's update service
        validates the request (MISSING_FIELD, INVALID_ARGUMENT, TEMPLATES_OR_INTERFACES_NOT_FOUND)."""
        ...

    def update_by_offset(self, offset: int, update_format: UpdateFormat) -> tuple[LedgerTransaction, TransactionSelection] | None:
        """As update_by_id, by offset (NON_POSITIVE_OFFSET unless positive)."""
        ...


class UserManagementService(Protocol):
    """The Ledger API's UserManagementService: users, their rights, annotations and identity
    provider. ``identity_provider_id`` "" is the default identity provider. Failures are Canton's
    (USER_NOT_FOUND, USER_ALREADY_EXISTS, INVALID_FIELD, UNKNOWN_RESOURCE, ...); nothing is stored
    by a request that fails."""

    def create(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        identity_provider_id: str,
        rights: Sequence[UserRight],
    ) -> LedgerApiUser: ...

    def get(self, user_id: str, identity_provider_id: str = "") -> LedgerApiUser: ...

    def update(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        resource_version: str,
        identity_provider_id: str = "",
    ) -> LedgerApiUser:
        """Set primary party and deactivation; merge ``annotations`` (an empty value removes the
        key). A ``resource_version`` other than the user's fails with CONCURRENT_USER_UPDATE_DETECTED."""
        ...

    def delete(self, user_id: str, identity_provider_id: str = "") -> None: ...

    def list(self, page_token: str = "", page_size: int = 0, identity_provider_id: str = "") -> LedgerApiUsersPage: ...

    def update_idp(self, user_id: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None: ...

    def grant(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> builtins.list[UserRight]:
        """Grant rights; returns the rights the user did not have yet."""
        ...

    def revoke(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> builtins.list[UserRight]:
        """Revoke rights; returns the rights the user had."""
        ...

    def rights(self, user_id: str, identity_provider_id: str = "") -> builtins.list[UserRight]: ...


class IdentityProviderConfigService(Protocol):
    """The Ledger API's IdentityProviderConfigService."""

    def create(self, identity_provider_id: str, is_deactivated: bool, jwks_url: str, issuer: str, audience: str | None) -> IdentityProviderConfigRecord: ...

    def update(
        self,
        identity_provider_id: str,
        is_deactivated: bool,
        jwks_url: str,
        issuer: str,
        audience: str | None,
        update_mask: Sequence[str],
    ) -> IdentityProviderConfigRecord:
        """Change the fields the update mask names (``is_deactivated``, ``jwks_url``, ``issuer``, ``audience``)."""
        ...

    def get(self, identity_provider_id: str) -> IdentityProviderConfigRecord: ...

    def list(self) -> builtins.list[IdentityProviderConfigRecord]: ...

    def delete(self, identity_provider_id: str) -> None: ...


class ParticipantTrafficService(Protocol):
    """The participant's view of its own traffic."""

    def traffic_state(self, synchronizer_id: str) -> TrafficState: ...


# ---- sequencer -------------------------------------------------------------------------------


class SequencerTrafficService(Protocol):
    """Canton's SequencerAdministrationService, traffic part."""

    def synchronizer_id(self) -> str:
        """The synchronizer this sequencer serves; fails when it is not initialized."""
        ...

    def traffic_states(self, members: Sequence[str] | None, selector: str, timestamp: int | None = None) -> list[tuple[str, TrafficState]]: ...

    def set_traffic_balance(self, member: str, serial: int, new_balance: int) -> None: ...


class SequencerConnectService(Protocol):
    """Canton's SequencerConnectService (the sequencer's public API): what a member learns of the
    synchronizer before it connects."""

    def synchronizer_id(self) -> str:
        """The synchronizer this sequencer serves; fails when it is not initialized."""
        ...

    def static_parameters(self) -> StaticSynchronizerParameters:
        """The synchronizer's static parameters; fails when the sequencer is not initialized."""
        ...

    def public_endpoint(self) -> str:
        """Where the sequencer's public API listens (``host:port``)."""
        ...


# ---- replicated nodes ------------------------------------------------------------------------


class ReplicationService(Protocol):
    """Canton's EnterpriseParticipantReplicationService / mediator replication."""

    def is_replicated(self) -> bool: ...

    def set_passive(self) -> None:
        """Hand over to another replica; returns once one became active, or had the chance to (two
        check periods, after which this replica takes the lock back if none took it)."""
        ...


# ---- the whole -------------------------------------------------------------------------------


class SequencerSetupService(Protocol):
    """Canton's SequencerInitializationService, and the onboarding state an initialized sequencer
    gives out for a new one."""

    def onboarding_state_for_sequencer(self, sequencer_id: str) -> bytes:
        """What a new sequencer needs to join: fails with TOPOLOGY_MISSING_MAPPING until the
        synchronizer's sequencer state names it."""
        ...

    def assign_from_onboarding_state(self, onboarding_state: bytes) -> None:
        """Join the synchronizer of the onboarding state (nothing happens if already initialized)."""
        ...

    def assign_from_genesis_state(self, genesis: list[SignedTopologyTransaction], static: StaticSynchronizerParameters) -> None:
        """Found the synchronizer of a fully authorized genesis topology (or join it, when another
        sequencer founded it with the same genesis)."""
        ...


class MediatorSetupService(Protocol):
    """Canton's MediatorInitializationService."""

    def assign(self, synchronizer_id: str, sequencers: list[str]) -> None:
        """Serve the synchronizer whose mediator group names this mediator, through these sequencers."""
        ...


class SequencerPruningService(Protocol):
    """Canton's SequencerPruningAdministrationService."""

    def status(self) -> SequencerPruningStatus:
        """The lower bound of what the sequencer serves, its now, its members' acknowledgements."""
        ...

    def prune(self, timestamp: int) -> str:
        """Remove the events before ``timestamp`` (FAILED_PRECONDITION when a member still needs them)."""
        ...

    def locate_pruning_timestamp(self, index: int) -> int | None:
        """The timestamp of the index-th oldest event held (UNIMPLEMENTED on block sequencers)."""
        ...

    # Scheduled pruning: refused with UNIMPLEMENTED, as Canton 3.3's sequencers do
    def set_schedule(self, cron: str, max_duration_micros: int, retention_micros: int) -> None: ...

    def clear_schedule(self) -> None: ...

    def set_cron(self, cron: str) -> None: ...

    def set_max_duration(self, max_duration_micros: int) -> None: ...

    def set_retention(self, retention_micros: int) -> None: ...

    def get_schedule(self) -> PruningSchedule | None: ...

    def stored_event_count(self) -> int:
        """How many events the sequencer's store holds."""
        ...


class SequencerConnectionService(Protocol):
    """Canton's SequencerConnectionService (of a mediator): the sequencers it reads through."""

    def get(self) -> SequencerConnections | None:
        """The connections; None while the node serves no synchronizer."""
        ...

    def set(self, connections: SequencerConnections, sequencers: Sequence[str]) -> None:
        """Read through other sequencers (``sequencers``: their names, one per connection), persisted."""
        ...

    def logout(self) -> None:
        """Close the connections to the sequencers (they reopen at once)."""
        ...


class CommitmentsService(Protocol):
    """A participant's ACS commitments (Canton's ParticipantInspectionService commitment calls,
    the pruning service's wait configuration, the repair service's reinitialization). Results are
    the values of :mod:`canton_console.values.commitments`; synchronizers by id unless an alias is named."""

    def received(self, alias: str, start: int, end: int, counter_participant: str | None) -> builtins.list[Any]: ...

    def computed(self, alias: str, start: int, end: int, counter_participant: str | None) -> builtins.list[tuple[Any, Any, Any]]: ...

    def outstanding(self, alias: str, start: int, end: int, counter_participant: str | None) -> builtins.list[tuple[Any, Any, int]]: ...

    def buffered(self, alias: str, end_at_or_before: int) -> builtins.list[Any]: ...

    def last_computed_and_sent(self, alias: str) -> int | None: ...

    def lookup_received(self, ranges: Sequence[tuple[str, tuple[int, int] | None]], counter_participants: Sequence[str], states: Sequence[str], verbose: bool) -> dict[str, builtins.list[Any]]: ...

    def lookup_sent(self, ranges: Sequence[tuple[str, tuple[int, int] | None]], counter_participants: Sequence[str], states: Sequence[str], verbose: bool) -> dict[str, builtins.list[Any]]: ...

    def set_wait(self, counter_participants: Sequence[str], synchronizer_ids: Sequence[str], wait: bool) -> None: ...

    def wait_config(self, synchronizer_ids: Sequence[str], counter_participants: Sequence[str]) -> tuple[builtins.list[Any], builtins.list[Any]]: ...

    def set_slow_configs(self, configs: Sequence[Any]) -> None: ...

    def slow_configs(self, synchronizer_ids: Sequence[str]) -> builtins.list[Any]: ...

    def intervals_behind(self, counter_participants: Sequence[str], synchronizer_ids: Sequence[str], threshold: int) -> builtins.list[Any]: ...

    def reinitialize(self, synchronizer_ids: Sequence[str], counter_participants: Sequence[str], parties: Sequence[str]) -> builtins.list[Any]: ...

    def open_commitment(self, commitment: str, synchronizer_id: str, timestamp: int, counter_participant: str) -> builtins.list[Any]: ...

    def inspect_commitment_contracts(self, contracts: Sequence[str], timestamp: int, expected_synchronizer_id: str, download_payload: bool) -> None:
        """Refused with UNIMPLEMENTED (no reassignment history)."""
        ...


class NodeAdmin(Protocol):
    """One node's admin API: its services, by concern. A service a node kind lacks is None."""

    info: NodeInfo
    status: StatusService
    node_config: NodeConfigService
    identity: IdentityService
    lifecycle: LifecycleService
    topology: TopologyService
    keys: KeyService
    ping: PingService | None
    connectivity: ConnectivityService | None
    parties: PartyService | None
    ledger: LedgerService | None
    users: UserManagementService | None
    identity_providers: IdentityProviderConfigService | None
    traffic: Any  # ParticipantTrafficService on a participant, SequencerTrafficService on a sequencer
    replication: ReplicationService | None
    sequencer_connect: SequencerConnectService | None
    sequencer_setup: SequencerSetupService | None
    mediator_setup: MediatorSetupService | None
    sequencer_pruning: SequencerPruningService | None
    sequencer_connection: SequencerConnectionService | None
    packages: PackageService | None
    external_parties: ExternalPartyService | None
    interactive_submission: InteractiveSubmissionService | None
    participant_pruning: ParticipantPruningService | None
    repair: ParticipantRepairService | None
    mediator_pruning: MediatorPruningService | None
    mediator_inspection: MediatorInspectionService | None
    synchronizer_time: SynchronizerTimeService | None
    sequencer_repair: SequencerRepairService | None
    sequencer_bft: SequencerBftService | None
    node_parties: PartyService | None  # parties.list of a sequencer or mediator
    sequencer_snapshot: SequencerSnapshotService | None
    connection_configs: ConnectionConfigService | None
    resources: ResourceService | None
    db: DbService
    metrics: MetricsService
    vault_kms: VaultKmsService
    commitments: CommitmentsService | None


class ConsoleAdmin(Protocol):
    """What the console needs of the set of nodes it drives."""

    def nodes(self) -> list[NodeInfo]: ...

    def node(self, name: str) -> NodeAdmin: ...

    def start(self, names: Sequence[str]) -> None:
        """Start nodes in Canton's order: sequencers, mediators, participants."""
        ...

    def stop(self, names: Sequence[str]) -> None:
        """Stop nodes in Canton's order: participants, mediators, sequencers."""
        ...

    def is_idle(self) -> bool: ...

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
        """Bootstrap (or find) a synchronizer; sequencers and mediators by node name, owners by member id
        (none: the sequencers). The static parameters default to ``defaultsWithoutKMS(ProtocolVersion.forSynchronizer)``;
        ``mediator_threshold`` is mediator group 0's threshold."""
        ...

    def bootstrap_local(self, name: str) -> str: ...

    def sequencer_for_url(self, url: str) -> str | None:
        """The name of the sequencer whose public API is at ``url``, if this console knows one."""
        ...

    # clock
    def now(self) -> int: ...

    def clock_is_simulated(self) -> bool: ...

    def advance_clock(self, micros: int) -> None: ...

    def advance_clock_to(self, micros: int) -> None: ...

    def reset_clock(self) -> None: ...

    # console timeouts (canton.parameters.timeouts.console)
    def timeout_micros(self, which: str) -> int:
        """``bounded``, ``ping`` or ``ledger_command``; one configured as ``Inf`` is UNBOUNDED_MICROS."""
        ...

    def set_bounded_timeout(self, micros: int) -> None: ...

    # console feature flags (canton.features; Canton's FeatureFlag names: Stable, Preview, Repair, Testing)
    def feature_flags(self) -> frozenset[str]: ...

    def set_feature(self, flag: str, enabled: bool) -> None: ...

    def retention_period_default(self, kind: str) -> int:
        """``canton.parameters.retention-period-defaults.<kind>`` (``sequencer`` or ``mediator``), in µs."""
        ...


# ---- a participant's DARs and packages --------------------------------------------------------


class PackageService(Protocol):
    """Canton's PackageService (admin API) and the Ledger API's package management: the DARs and
    Daml-LF packages a participant holds (see ``runtime.participant.package_management``)."""

    def list_packages(self, filter_name: str = "", limit: int | None = None) -> builtins.list[PackageDescription]: ...

    def package_contents(self, package_id: str) -> PackageContents:
        """Fails with PACKAGE_CONTENT_NOT_FOUND for a package the node does not have."""
        ...

    def package_references(self, package_id: str) -> builtins.list[DarDescription]: ...

    def remove_package(self, package_id: str, force: bool) -> None:
        """Fails with PACKAGE_OR_DAR_REMOVAL_ERROR when the package is vetted, in use or built in."""
        ...

    def has_package(self, package_id: str) -> bool: ...

    def upload(
        self, uploads: Sequence[tuple[bytes, str | None, str | None]], vet_all_packages: bool, synchronize_vetting: bool, timeout_micros: int
    ) -> builtins.list[str]:
        """Store DARs (bytes, description, expected main package id), all or none, vet their packages
        (``vet_all_packages``) and wait until the synchronizers show it (``synchronize_vetting``);
        the main package ids. A DAR that does not parse fails with DAR_PARSE_ERROR."""
        ...

    def validate(self, data: bytes) -> str:
        """The upload checks without storing anything; the main package id."""
        ...

    def list_dars(self, filter_name: str = "", limit: int | None = None) -> builtins.list[DarDescription]: ...

    def dar(self, main_package_id: str) -> tuple[DarDescription, bytes | None]:
        """A DAR's description and bytes (None for a built-in one); DAR_NOT_FOUND when unknown."""
        ...

    def dar_contents(self, main_package_id: str) -> DarContents: ...

    def remove_dar(self, main_package_id: str) -> None: ...

    def vet_dar(self, main_package_id: str, synchronize: bool, timeout_micros: int) -> None: ...

    def unvet_dar(self, main_package_id: str) -> None: ...

    def wait_vetting_observed(self, timeout_micros: int) -> None:
        """Until every connected synchronizer shows the participant's vetted packages."""
        ...


class ExternalPartyService(Protocol):
    """The Ledger API's external party endpoints (Canton 3.3's GenerateExternalPartyTopology and
    AllocateExternalParty)."""

    def generate_topology(
        self,
        synchronizer_id: str,
        party_hint: str,
        public_key_hex: str,
        local_participant_observation_only: bool,
        other_confirming_participants: Sequence[str],
        confirmation_threshold: int,
        observing_participants: Sequence[str],
    ) -> Any:
        """The onboarding transactions of ``party_hint::<fingerprint of the key>`` hosted here (a
        GeneratedExternalParty); INVALID_ARGUMENT for an unknown synchronizer or a bad argument."""
        ...

    def allocate_external(self, synchronizer_id: str, transactions: Sequence[tuple[Any, Sequence[Any]]], multi_signatures: Sequence[Any], timeout_micros: int) -> str:
        """Check the onboarding transactions and their signatures (ExternalSignature), sign the
        hosting and add them through the topology manager; the party id. Refused requests store nothing."""
        ...


class InteractiveSubmissionService(Protocol):
    """The Ledger API's interactive submission service: prepare a transaction for external signing,
    execute it with the acting parties' signatures over its hash."""

    def prepare(self, act_as: Sequence[str], commands: Sequence[Any], synchronizer_id: str | None, command_id: str, read_as: Sequence[str], user_id: str) -> Any:
        """Interpret ``commands`` (not submitted); a PreparedSubmission whose ``hash()`` the parties sign."""
        ...

    def execute(
        self,
        prepared: Any,
        signatures: dict[str, builtins.list[Any]],
        submission_id: str,
        user_id: str,
        deduplication_period_micros: int | None,
        hashing_scheme_version: str = "HASHING_SCHEME_VERSION_V2",
    ) -> None:
        """Check every acting party's signatures (ExternalSignature) over the prepared hash against
        its party-to-key mapping (FAILED_TO_EXECUTE_TRANSACTION otherwise), then submit; returns
        once the transaction is sent."""
        ...


# ---- sequencer and mediator administration (node-admin) -------------------------------------------
class PruningScheduleService(Protocol):
    """Canton's PruningScheduler API of a node (durations in whole seconds)."""

    def set_schedule(self, cron: str, max_duration_seconds: int, retention_seconds: int) -> None: ...

    def clear_schedule(self) -> None: ...

    def set_cron(self, cron: str) -> None: ...

    def set_max_duration(self, max_duration_seconds: int) -> None: ...

    def set_retention(self, retention_seconds: int) -> None: ...

    def get_schedule(self) -> PruningSchedule | None: ...


class ParticipantPruningService(PruningScheduleService, Protocol):
    """Canton's participant PruningService (and the Ledger API's ParticipantPruningService), with the
    participant's own schedule (``pruneInternallyOnly``)."""

    def prune(self, prune_up_to: int) -> None:
        """Prune the ledger up to the offset inclusively (UNSAFE_TO_PRUNE, OFFSET_OUT_OF_RANGE)."""
        ...

    def prune_internally(self, prune_up_to: int) -> None:
        """Prune only internal state up to the offset inclusively."""
        ...

    def find_safe_offset(self, before_or_at: int) -> int | None:
        """The highest offset published at or before the time that is safe to prune, if any."""
        ...

    def offset_by_time(self, up_to_inclusive: int) -> int | None:
        """The largest offset published at or before the time, if any."""
        ...

    def set_schedule(self, cron: str, max_duration_seconds: int, retention_seconds: int, prune_internally_only: bool | None = None) -> None:
        """``prune_internally_only`` None: Canton's ``set_schedule``; given: ``set_participant_schedule``."""
        ...

    def get_participant_schedule(self) -> ParticipantPruningSchedule | None: ...


class ParticipantRepairService(Protocol):
    """A participant's repair service and the ACS parts of its party management service (Canton's
    ParticipantRepairService, PartyManagementService): ACS export and import, purging contracts,
    and the ledger offsets of party hosting changes."""

    def export_acs(self, parties: Sequence[str], synchronizer_id: str | None, ledger_offset: int, renames: dict[str, str]) -> bytes:
        """The ACS snapshot (this console's gzip format) of the parties' contracts active at the offset."""
        ...

    def export_acs_at_timestamp(self, parties: Sequence[str], synchronizer_id: str, effective_time: int) -> bytes: ...

    def highest_offset_by_timestamp(self, synchronizer_id: str, timestamp: int, force: bool) -> int: ...

    def hosting_change_offsets(self, party: str, participant: str, synchronizer_id: str, kind: str, begin_exclusive: int = 0) -> list[tuple[int, int]]:
        """(ledger offset, effective time) of the observed changes of ``kind`` (added, revoked)."""
        ...

    def import_acs(self, data: bytes, workflow_id_prefix: str, contract_id_import_mode: str) -> dict[str, str]:
        """Add a snapshot's contracts (the participant disconnected); the recomputed contract ids."""
        ...

    def purge(self, synchronizer_alias: str, contract_ids: Sequence[str], ignore_already_purged: bool) -> None: ...

class MediatorPruningService(PruningScheduleService, Protocol):
    """Canton's MediatorAdministrationService."""

    def prune(self, timestamp: int) -> None:
        """Remove finalized requests up to and including ``timestamp`` (refused beyond the safe point)."""
        ...

    def locate_pruning_timestamp(self, index: int) -> int | None: ...

    def stored_verdict_count(self) -> int: ...

    def scheduled_runs(self) -> int: ...


class MediatorInspectionService(Protocol):
    """Canton's MediatorInspectionService."""

    def verdicts(self, after: int, limit: int) -> list[Any]:
        """Stored verdicts of requests after ``after`` (exclusive), by finalization time (``StoredVerdict``)."""
        ...


class SynchronizerTimeService(Protocol):
    def fetch_time(self) -> int: ...

    def observed_time(self) -> int: ...


class SequencerRepairService(Protocol):
    def disable_member(self, member: str) -> None: ...


class SequencerBftService(Protocol):
    """Canton's SequencerBftAdministrationService (UNIMPLEMENTED on non-BFT sequencers)."""

    def add_peer_endpoint(self, address: str, port: int, tls: bool) -> bool: ...

    def remove_peer_endpoint(self, address: str, port: int, tls: bool) -> bool: ...

    def peer_network_status(self, endpoints: Sequence[tuple[str, int, bool]] | None) -> list[Any]: ...

    def ordering_topology(self) -> tuple[int, list[str]]: ...


class SequencerSnapshotService(Protocol):
    def snapshot(self, timestamp: int) -> Any:
        """The sequencer's state at its last event at or before ``timestamp`` (``SnapshotState``)."""
        ...


# ---- participant operations ------------------------------------------------------------------


class ConnectionConfigService(Protocol):
    """Canton's SynchronizerConnectivityService with SynchronizerConnectionConfigs: register (with or
    without a handshake), connect, modify, list with the configs, logout."""

    def register(self, config: Any, perform_handshake: bool) -> str: ...

    def connect(self, config: Any) -> bool: ...

    def modify(self, config: Any) -> None: ...

    def list_registered(self) -> list[tuple[Any, bool]]: ...

    def logout(self, alias: str) -> None: ...


class ResourceService(Protocol):
    """Canton's ResourceManagementService."""

    def set_limits(self, limits: Any) -> None: ...

    def limits(self) -> Any: ...


class DbService(Protocol):
    """A stopped node's database migrations."""

    def migrate(self) -> int: ...

    def repair_migration(self) -> str: ...


class MetricsService(Protocol):
    """The node's metrics (name, kind, attributes, values)."""

    def read(self) -> Sequence[Any]: ...


class VaultKmsService(Protocol):
    """The vault's KMS commands."""

    def register_kms_signing_key(self, kms_key_id: str, usage: Sequence[Any], name: str) -> Any: ...

    def register_kms_encryption_key(self, kms_key_id: str, name: str) -> Any: ...

    def rotate_wrapper_key(self, new_wrapper_key_id: str) -> None: ...

    def get_wrapper_key_id(self) -> str: ...
