"""The tables of a node's store (SQLAlchemy 2 typed models).

One schema serves every node kind; a node only fills the tables it uses. Replicas of one node share
one store. Timestamps are integer microseconds since the epoch.
"""

from __future__ import annotations

import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint, literal_column
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The schema marker's version (cc_schema_meta): 1 was the layout before Alembic; 2: the schema is
# Alembic's revisions (store/migrations/), recorded in alembic_version. Changing a table here needs a
# revision there too (see store/migrations/__init__.py).
SCHEMA_VERSION = 2
APPLICATION = "canton-console"


class Base(DeclarativeBase):
    pass


class SchemaMeta(Base):
    __tablename__ = "cc_schema_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class NodeIdentity(Base):
    """The node's identity: one row. Replicas of a node share it."""

    __tablename__ = "cc_node_identity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    identifier: Mapped[str] = mapped_column(String(255))
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(80))


class CryptoKey(Base):
    """The node's key vault (Canton's crypto private and public stores): key pairs it generated or
    was given (``private_key`` set) and public keys it was given (``private_key`` NULL). ``usage`` is
    the comma-separated SigningKeyUsage identifiers of a signing key; ``id`` keeps the order."""

    __tablename__ = "cc_crypto_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(80), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    key_spec: Mapped[str] = mapped_column(String(32))
    usage: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class SynchronizerRecord(Base):
    """A synchronizer this sequencer or mediator serves (its id and static parameters)."""

    __tablename__ = "cc_synchronizers"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    static_parameters: Mapped[str] = mapped_column(Text)


class TopologyTransactionRow(Base):
    """A signed topology transaction as sequenced on a synchronizer (or still a proposal)."""

    __tablename__ = "cc_topology_transactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    synchronizer_id: Mapped[str] = mapped_column(String(255), index=True)
    mapping_code: Mapped[str] = mapped_column(String(64))
    mapping_key: Mapped[str] = mapped_column(String(512))
    serial: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(16))
    mapping: Mapped[str] = mapped_column(Text)
    signatures: Mapped[str] = mapped_column(Text)
    is_proposal: Mapped[bool] = mapped_column(Boolean)
    sequenced: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SequencedEventRow(Base):
    """One event of the synchronizer's total order, as this sequencer stores it."""

    __tablename__ = "cc_sequenced_events"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sender: Mapped[str] = mapped_column(String(512))
    message_id: Mapped[str] = mapped_column(String(128))
    batch: Mapped[bytes] = mapped_column(LargeBinary)
    recipients: Mapped[str] = mapped_column(Text)  # members the event is delivered to, comma separated
    cost: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class SequencerLowerBoundRow(Base):
    """How far this sequencer has been pruned: it serves no reads starting at or before this
    timestamp (Canton's sequencer lower bound, exclusive)."""

    __tablename__ = "cc_sequencer_lower_bound"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger)


class SequencerAcknowledgementRow(Base):
    """The latest timestamp a member acknowledged (it processed every event up to it) and when it was
    registered on the synchronizer, as the sequencers know them."""

    __tablename__ = "cc_sequencer_acknowledgements"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    member: Mapped[str] = mapped_column(String(512), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger)


class SequencerSubmissionRow(Base):
    """A submission a sequencer accepted and has not sequenced yet (sequencers sharing one database,
    ``sequencer.high-availability``): stored before the submitter hears that it was accepted, so
    a sequencer process that dies loses nothing it acknowledged; the process that orders takes it
    from here, sequences it and deletes it."""

    __tablename__ = "cc_sequencer_submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    synchronizer_id: Mapped[str] = mapped_column(String(255), index=True)
    sender: Mapped[str] = mapped_column(String(512))
    message_id: Mapped[str] = mapped_column(String(128))
    request: Mapped[bytes] = mapped_column(LargeBinary)  # the whole SubmissionRequest, encoded
    received_by: Mapped[str] = mapped_column(String(255))  # the process that accepted it (logs)


class SequencerWriterRow(Base):
    """The epoch of the sequencer process that orders (sequencers sharing one database): each process
    that takes the writer lock increments it, and every flush's store transaction checks that it
    still holds its epoch (a fence against a writer that lost its lock without noticing). The
    writer's heartbeat (database clock) tells the others when it is stalled."""

    __tablename__ = "cc_sequencer_writer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # one row: 1
    epoch: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(255))  # the process that holds the epoch (logs)
    heartbeat: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PruningScheduleRow(Base):
    """A node's automatic pruning schedule (one row): cron, max duration and retention (seconds)."""

    __tablename__ = "cc_pruning_schedule"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cron: Mapped[str] = mapped_column(String(255))
    max_duration: Mapped[int] = mapped_column(BigInteger)
    retention: Mapped[int] = mapped_column(BigInteger)
    # a participant's schedule: prune only internal state (``set_participant_schedule``)
    prune_internally_only: Mapped[bool] = mapped_column(Boolean, default=False)


class MediatorSequencerConnectionRow(Base):
    """The sequencer connections a mediator uses (one row, JSON), set at assignment or by
    ``sequencer_connection.set``."""

    __tablename__ = "cc_mediator_sequencer_connections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connections: Mapped[str] = mapped_column(Text)


class TrafficConsumedRow(Base):
    __tablename__ = "cc_traffic_consumed"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    member: Mapped[str] = mapped_column(String(512), primary_key=True)
    sequencing_timestamp: Mapped[int] = mapped_column(BigInteger)
    extra_traffic_consumed: Mapped[int] = mapped_column(BigInteger)
    base_traffic_remainder: Mapped[int] = mapped_column(BigInteger)
    last_consumed_cost: Mapped[int] = mapped_column(BigInteger)
    # Everything the member was ever charged (base and extra traffic): the sum of the costs of its
    # sequenced events, kept in the same transaction as the events (a crash-consistency check).
    total_consumed: Mapped[int] = mapped_column(BigInteger, default=0)


class TrafficPurchasedRow(Base):
    __tablename__ = "cc_traffic_purchased"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    member: Mapped[str] = mapped_column(String(512), primary_key=True)
    serial: Mapped[int] = mapped_column(Integer, primary_key=True)
    extra_traffic_purchased: Mapped[int] = mapped_column(BigInteger)
    sequencing_timestamp: Mapped[int] = mapped_column(BigInteger)


class TopUpSubmissionRow(Base):
    """A sequencer's signed top-up waiting for the sequencer threshold (aggregation)."""

    __tablename__ = "cc_topup_submissions"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    member: Mapped[str] = mapped_column(String(512), primary_key=True)
    serial: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    max_sequencing_time: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sequencer: Mapped[str] = mapped_column(String(512), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    sequenced: Mapped[int] = mapped_column(BigInteger)


class SynchronizerConnectionRow(Base):
    """A participant's registered synchronizer connection."""

    __tablename__ = "cc_synchronizer_connections"
    alias: Mapped[str] = mapped_column(String(255), primary_key=True)
    synchronizer_id: Mapped[str] = mapped_column(String(255))
    sequencers: Mapped[str] = mapped_column(Text)  # JSON list of sequencer names
    trust_threshold: Mapped[int] = mapped_column(Integer)
    connected: Mapped[bool] = mapped_column(Boolean)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    manual_connect: Mapped[bool | None] = mapped_column(Boolean, default=False, nullable=True)
    config: Mapped[str | None] = mapped_column(Text, nullable=True)  # SynchronizerConnectionConfig as JSON


class MemberCursorRow(Base):
    """How far a member has processed a synchronizer's events (its clean replay point)."""

    __tablename__ = "cc_member_cursors"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger)


class ContractRow(Base):
    __tablename__ = "cc_contracts"
    contract_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    synchronizer_id: Mapped[str] = mapped_column(String(255))
    template_id: Mapped[str] = mapped_column(String(255))
    arguments: Mapped[str] = mapped_column(Text)
    signatories: Mapped[str] = mapped_column(Text)
    observers: Mapped[str] = mapped_column(Text)
    created_offset: Mapped[int] = mapped_column(BigInteger)
    archived_offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)


class LedgerUpdateRow(Base):
    """A transaction as this participant's ledger API reports it, at its own offset."""

    __tablename__ = "cc_ledger_updates"
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), unique=True)
    synchronizer_id: Mapped[str] = mapped_column(String(255))
    record_time: Mapped[int] = mapped_column(BigInteger)
    command_id: Mapped[str] = mapped_column(String(255))
    submitter: Mapped[str] = mapped_column(Text)
    events: Mapped[str] = mapped_column(Text)


class CommandDeduplicationRow(Base):
    """Ledger API command deduplication, per change id (a hash of user id, act-as parties and
    command id): the submission in flight, or the last accepted one.

    ``in-flight``: ``record_time`` is when it was submitted and ``deadline`` when it is certainly
    decided (its max sequencing time plus the decision timeout), so that a row left by a crashed
    or failed-over replica stops blocking resubmissions then. ``accepted``: ``record_time`` is the
    transaction's record time and ``offset`` its ledger offset."""

    __tablename__ = "cc_command_dedup"
    change_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # in-flight | accepted
    offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    record_time: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    change: Mapped[str | None] = mapped_column(Text, nullable=True)  # user id, act-as and command id, readable
    root_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)  # of the request in flight


class MediatorVerdictRow(Base):
    __tablename__ = "cc_mediator_verdicts"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[int] = mapped_column(BigInteger)
    # What it takes to send the verdict again after a crash (the verdict may not have been sequenced).
    root_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    recipients: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of participants
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    sent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # its receipt came back: sequenced
    # What ``inspection.verdicts`` reports of the request (JSON lists/maps; NULL for older rows)
    submitting_parties: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitting_participant: Mapped[str | None] = mapped_column(String(512), nullable=True)
    informees: Mapped[str | None] = mapped_column(Text, nullable=True)
    mediator_group: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReplicaLeaseRow(Base):
    """Who is the active replica of this node (SQLite; PostgreSQL uses an advisory lock)."""

    __tablename__ = "cc_replica_lease"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[int] = mapped_column(BigInteger)


class LedgerApiUserRow(Base):
    """A Ledger API user of this participant (Canton's ``lapi_users``). ``identity_provider_id`` is
    None for the default identity provider; ``resource_version`` grows with every update."""

    __tablename__ = "cc_lapi_users"
    internal_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128), unique=True)
    primary_party: Mapped[str | None] = mapped_column(String(512), nullable=True)
    identity_provider_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    resource_version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)


class LedgerApiUserRightRow(Base):
    """A right of a Ledger API user (Canton's ``lapi_user_rights``): ``user_right`` is the kind
    (USER_RIGHT_KINDS), ``for_party`` the party of the party-bound kinds."""

    __tablename__ = "cc_lapi_user_rights"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_internal_id: Mapped[int] = mapped_column(Integer, index=True)
    user_right: Mapped[int] = mapped_column(Integer)
    for_party: Mapped[str | None] = mapped_column(String(512), nullable=True)
    granted_at: Mapped[int] = mapped_column(BigInteger)


class LedgerApiUserAnnotationRow(Base):
    """An annotation of a Ledger API user (Canton's ``lapi_user_annotations``)."""

    __tablename__ = "cc_lapi_user_annotations"
    __table_args__ = (UniqueConstraint("user_internal_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_internal_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(512))
    val: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class IdentityProviderConfigRow(Base):
    """A Ledger API identity provider configuration (Canton's ``lapi_identity_provider_config``)."""

    __tablename__ = "cc_lapi_identity_provider_configs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity_provider_id: Mapped[str] = mapped_column(String(255), unique=True)
    issuer: Mapped[str] = mapped_column(Text)
    jwks_url: Mapped[str] = mapped_column(Text)
    is_deactivated: Mapped[bool] = mapped_column(Boolean)
    audience: Mapped[str | None] = mapped_column(Text, nullable=True)


class LedgerApiPartyRecordRow(Base):
    """The participant-local record of a party (Canton's ``lapi_party_records``): its identity
    provider (None: the default) and annotations (a JSON object); ``resource_version`` grows with
    every update."""

    __tablename__ = "cc_lapi_party_records"
    party: Mapped[str] = mapped_column(String(512), primary_key=True)
    identity_provider_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    annotations: Mapped[str] = mapped_column(Text, default="{}")
    resource_version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)


# The kinds of user rights as Canton's user management store numbers them.
USER_RIGHT_KINDS = {
    "ParticipantAdmin": 1,
    "CanActAs": 2,
    "CanReadAs": 3,
    "IdentityProviderAdmin": 4,
    "CanReadAsAnyParty": 5,
    "CanExecuteAs": 6,
    "CanExecuteAsAnyParty": 7,
}
# Every participant starts with the user ``participant_admin``, holding the ParticipantAdmin right:
# migration 0001 makes it with the users table (store/migrations/versions/0001_tables.py).


Index("cc_ledger_updates_by_command", LedgerUpdateRow.command_id)


class DarRow(Base):
    """A DAR uploaded to a participant (Canton's ``par_dars``): its bytes and descriptor, keyed by
    its main package id."""

    __tablename__ = "cc_dars"
    main_package_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[int] = mapped_column(BigInteger)


class DamlPackageRow(Base):
    """A Daml-LF package a participant holds (Canton's ``par_daml_packages``): its archive and what
    the package service shows of it (``modules`` and ``templates``: JSON lists)."""

    __tablename__ = "cc_daml_packages"
    package_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    language_version: Mapped[str] = mapped_column(String(32))
    modules: Mapped[str] = mapped_column(Text)
    templates: Mapped[str] = mapped_column(Text)
    is_utility_package: Mapped[bool] = mapped_column(Boolean)
    package_size: Mapped[int] = mapped_column(BigInteger)
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[int] = mapped_column(BigInteger)


class DarPackageRow(Base):
    """Which packages a DAR contains (Canton's ``par_dar_packages``)."""

    __tablename__ = "cc_dar_packages"
    main_package_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    package_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class ParticipantPruningRow(Base):
    """How far a participant has been pruned (one row): the Ledger API's pruning offset (reads
    starting at or below it are refused) and the offset its internal state is pruned up to."""

    __tablename__ = "cc_participant_pruning"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned_up_to: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    internally_pruned_up_to: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class LedgerCompletionRow(Base):
    """A command completion of a Ledger API submission of this participant (Canton's
    ``lapi_command_completions``): an accepted one at its transaction's offset, a rejected one
    (mediator or participant verdict, timeout, deduplication, deliver error) at an offset of its
    own. ``request_key`` identifies the decided request, so a replay records it once."""

    __tablename__ = "cc_lapi_completions"
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_key: Mapped[str] = mapped_column(String(128), unique=True)
    command_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    act_as: Mapped[str] = mapped_column(Text)  # a JSON list of parties
    submission_id: Mapped[str] = mapped_column(String(255))
    update_id: Mapped[str] = mapped_column(String(128))
    status_code: Mapped[int] = mapped_column(Integer)
    status_message: Mapped[str] = mapped_column(Text)
    synchronizer_id: Mapped[str] = mapped_column(String(255))
    record_time: Mapped[int] = mapped_column(BigInteger)
    deduplication_duration: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deduplication_offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RepairUpdateRow(Base):
    """A ledger update a participant's repair service wrote (Canton's repair updates): an ACS
    import or ``repair.add`` (``import``), or ``repair.purge`` (``purge``)."""

    __tablename__ = "cc_repair_updates"
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    workflow_id: Mapped[str] = mapped_column(String(255))


class SequencerDisabledMemberRow(Base):
    """A member this sequencer disabled (``repair.disable_member``): it can no longer read from or
    send through this sequencer, and no longer holds back its pruning. Local to the sequencer."""

    __tablename__ = "cc_sequencer_disabled_members"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    member: Mapped[str] = mapped_column(String(512), primary_key=True)


class BftPeerEndpointRow(Base):
    """A peer endpoint of a BFT sequencer's ordering network (configured or ``bft.add_peer_endpoint``)."""

    __tablename__ = "cc_bft_peer_endpoints"
    address: Mapped[str] = mapped_column(String(255), primary_key=True)
    port: Mapped[int] = mapped_column(Integer, primary_key=True)
    tls: Mapped[bool] = mapped_column(Boolean)


class ResourceLimitsRow(Base):
    """A participant's resource limits (Canton's ResourceLimits); no row: the defaults."""

    __tablename__ = "cc_resource_limits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    max_inflight_validation_requests: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_submission_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_submission_burst_factor: Mapped[float] = mapped_column(Float)


# ---- ACS commitments (runtime/participant/commitments.py) ---------------------------------------


class AcsCommitmentComputedRow(Base):
    """A commitment this participant computed (and sent) for a period and counter-participant.
    ``state`` is Canton's CommitmentPeriodState of the period: 5 outstanding (no counter-commitment
    compared yet), 2 matched, 3 mismatched."""

    __tablename__ = "cc_acs_commitments_computed"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    counter_participant: Mapped[str] = mapped_column(String(255), primary_key=True)
    to_inclusive: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    from_exclusive: Mapped[int] = mapped_column(BigInteger)
    commitment: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the additive commitment
    state: Mapped[int] = mapped_column(Integer)


class AcsCommitmentReceivedRow(Base):
    """A signed commitment a counter-participant sent us; ``buffered`` while our own commitment for
    its period is not computed yet."""

    __tablename__ = "cc_acs_commitments_received"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    sender: Mapped[str] = mapped_column(String(255), primary_key=True)
    to_inclusive: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    from_exclusive: Mapped[int] = mapped_column(BigInteger)
    commitment: Mapped[str] = mapped_column(String(64))
    signed_by: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(Text)
    sequenced_at: Mapped[int] = mapped_column(BigInteger)
    buffered: Mapped[bool] = mapped_column(Boolean)


class AcsCommitmentProgressRow(Base):
    """The end of the last period this participant computed and sent, per synchronizer."""

    __tablename__ = "cc_acs_commitments_progress"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_computed_and_sent: Mapped[int] = mapped_column(BigInteger)


class AcsNoWaitCounterParticipantRow(Base):
    """A counter-participant whose commitments this participant does not wait for on a synchronizer."""

    __tablename__ = "cc_acs_no_wait"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    counter_participant: Mapped[str] = mapped_column(String(255), primary_key=True)


class AcsSlowCounterParticipantConfigRow(Base):
    """The slow counter-participant configuration of one synchronizer (JSON lists of participant ids)."""

    __tablename__ = "cc_acs_slow_config"
    synchronizer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    distinguished: Mapped[str] = mapped_column(Text)
    threshold_distinguished: Mapped[int] = mapped_column(BigInteger)
    threshold_default: Mapped[int] = mapped_column(BigInteger)
    individual_metrics: Mapped[str] = mapped_column(Text)


# ---- indexes of what a node reads when it starts (issue 16): a start reads only what it needs, not
# its history. Made by migration 0017 (store/migrations/versions).
# The participant's last record time per synchronizer (replay protection): a max per synchronizer.
# Keyed by an expression equal to the synchronizer id (``synchronizer_id || ''``) that only that read
# names, so that no other query's plan changes: a plain (synchronizer_id, record_time) index would be
# chosen for ``synchronizer_id = ? AND record_time <= ?`` (the ACS commitment's offset bound), which
# the primary key answers at once, and make it a scan of every update of the synchronizer.
LEDGER_SYNCHRONIZER_KEY = LedgerUpdateRow.synchronizer_id.concat(literal_column("''"))
Index("cc_ledger_updates_by_synchronizer_record_time", LEDGER_SYNCHRONIZER_KEY, LedgerUpdateRow.record_time)
# The mediator's requests decided after its clean replay point, and the verdicts it may send again.
Index("cc_mediator_verdicts_by_request", MediatorVerdictRow.request_id)
# The mediator's verdicts whose receipt never came back (``sent`` false, or NULL in older rows).
Index("cc_mediator_verdicts_by_sent", MediatorVerdictRow.sent, MediatorVerdictRow.request_id)
