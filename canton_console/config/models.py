"""Frozen models of a Canton configuration, as read by :mod:`canton_console.config.loader`.

Field names are the snake_case forms of Canton's kebab-case HOCON keys (``admin-api`` →
``admin_api``). The models are plain values: the loader validates a file and builds them; code that
builds them directly gets the basic range checks below but not the cross-node checks (duplicate
names, ports used twice, shared storage) that only :func:`~canton_console.config.loader.load_config`
performs.

This module must stay cheap to import (no pyhocon, no SQLAlchemy).
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import attrs

STORAGE_TYPES = ("memory", "sqlite", "postgres")
CLOCK_TYPES = ("wall-clock", "sim-clock")
SEQUENCER_TYPES = ("BFT", "database", "reference")


def _port_range(low: int):
    def check(instance: object, attribute: attrs.Attribute, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 65535:
            raise ValueError(f"{attribute.name}: expected a port number between {low} and 65535, found {value!r}")

    return check


def _one_of(choices: tuple[str, ...]):
    def check(instance: object, attribute: attrs.Attribute, value: str) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name}: expected one of {', '.join(choices)}, found {value!r}")

    return check


@attrs.frozen(repr=False)
class StorageConfig:
    """``storage { type, file, config { properties { … } }, parameters { … } }`` of one node.

    ``memory`` keeps everything in process; ``sqlite`` (our stand-in for Canton's H2 file storage)
    uses ``file``, an absolute path once loaded; ``postgres`` reads Canton's JDBC data-source
    properties (``serverName``, ``portNumber``, ``databaseName``, ``user``, ``password``).
    """

    type: str = attrs.field(default="memory", validator=_one_of(STORAGE_TYPES))
    file: str | None = None
    server_name: str = "localhost"
    port_number: int = 5432
    database_name: str | None = None
    user: str | None = None
    password: str = attrs.field(default="", repr=False)
    fail_fast_on_startup: bool = True
    max_connections: int | None = None
    # Canton's storage.parameters.migrate-and-start: a store with pending migrations is migrated at
    # start (yes) or the node refuses to start until ``<node>.db.migrate`` ran (no, the default).
    migrate_and_start: bool = False

    def __repr__(self) -> str:
        # Only the fields that matter for this storage type; never the password.
        names = {"memory": (), "sqlite": ("file",), "postgres": ("server_name", "port_number", "database_name", "user")}
        parts = [f"type={self.type!r}"] + [f"{n}={getattr(self, n)!r}" for n in names.get(self.type, ())]
        if self.type == "postgres" and self.password:
            parts.append("password='***'")
        if not self.fail_fast_on_startup:
            parts.append("fail_fast_on_startup=False")
        if self.max_connections is not None:
            parts.append(f"max_connections={self.max_connections!r}")
        return f"StorageConfig({', '.join(parts)})"

    def url(self) -> str:
        """The SQLAlchemy URL of this storage.

        ``sqlite://`` (in-memory) for memory, ``sqlite:///<file>`` for sqlite,
        ``postgresql+psycopg://user[:password]@host:port/db`` for postgres (user and password
        percent-encoded; an empty password is left out so libpq can use PGPASSWORD or ~/.pgpass).
        """
        if self.type == "memory":
            return "sqlite://"
        if self.type == "sqlite":
            if not self.file:
                raise ValueError("sqlite storage without a file")
            return f"sqlite:///{self.file}"
        from urllib.parse import quote

        credentials = quote(self.user or "", safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        host = self.server_name
        if ":" in host and not host.startswith("["):  # IPv6 literal
            host = f"[{host}]"
        return f"postgresql+psycopg://{credentials}@{host}:{self.port_number}/{quote(self.database_name or '', safe='')}"

    def describe(self) -> str:
        """A short human description of where the data lives (for messages)."""
        if self.type == "memory":
            return "in-memory storage"
        if self.type == "sqlite":
            return f"sqlite file {self.file}"
        return f"postgres database {self.database_name!r} at {self.server_name}:{self.port_number}"


CLIENT_AUTH_TYPES = ("require", "optional", "none")


@attrs.frozen
class TlsClientCertificate:
    """``client-cert`` / ``admin-client { cert-chain-file, private-key-file }``: a client's certificate
    chain and its private key (PEM files, absolute paths once loaded)."""

    cert_chain_file: str
    private_key_file: str


@attrs.frozen
class ServerAuthRequirementConfig:
    """``client-auth { type = require | optional | none, admin-client { ... } }`` (Canton's
    ``ServerAuthRequirementConfig``): whether the server requires, requests or ignores client
    certificates. With ``require``, ``admin_client`` is the certificate the node's own admin clients use."""

    type: str = attrs.field(default="optional", validator=_one_of(CLIENT_AUTH_TYPES))
    admin_client: TlsClientCertificate | None = None


@attrs.frozen
class TlsServerConfig:
    """``tls { cert-chain-file, private-key-file, trust-collection-file, client-auth }`` of a served API
    (Canton's ``TlsServerConfig``; client auth defaults to ``optional`` as there). The trust collection
    holds the certificates (CAs) of the clients the server accepts."""

    cert_chain_file: str
    private_key_file: str
    trust_collection_file: str | None = None
    client_auth: ServerAuthRequirementConfig = ServerAuthRequirementConfig()


@attrs.frozen
class TlsClientConfig:
    """``tls { trust-collection-file, client-cert { ... }, enabled }`` of a client endpoint (Canton's
    ``TlsClientConfig``): the certificates the client trusts (the system's when absent) and its own
    certificate for servers that require one."""

    trust_collection_file: str | None = None
    client_cert: TlsClientCertificate | None = None
    enabled: bool = True


@attrs.frozen
class ApiConfig:
    """An API endpoint a node serves: ``admin-api``, ``ledger-api``, ``http-ledger-api``, ``public-api``."""

    address: str = "127.0.0.1"
    port: int = attrs.field(kw_only=True, validator=_port_range(1))
    tls: TlsServerConfig | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"


@attrs.frozen
class HealthServerConfig:
    """``monitoring.http-health-server { address, port }``; port 0 means "pick a free port"."""

    address: str = "localhost"
    port: int = attrs.field(kw_only=True, validator=_port_range(0))


@attrs.frozen
class GrpcHealthServerConfig:
    """``monitoring.grpc-health-server { address, port, parallelism }`` (Canton's
    GrpcHealthServerConfig); port 0 means "pick a free port". ``parallelism`` is the number of
    threads answering health calls (Canton's default: 4)."""

    address: str = "localhost"
    port: int = attrs.field(kw_only=True, validator=_port_range(0))
    parallelism: int = 4


@attrs.frozen
class MonitoringConfig:
    http_health_server: HealthServerConfig | None = None
    grpc_health_server: GrpcHealthServerConfig | None = None


METRICS_REPORTER_TYPES = ("prometheus", "csv", "logging")


@attrs.frozen
class MetricsFilterConfig:
    """One entry of a reporter's ``filters``: a metric is reported when its name starts with
    ``starts_with``, contains ``contains`` and ends with ``ends_with`` (empty matches all)."""

    starts_with: str = ""
    contains: str = ""
    ends_with: str = ""

    def matches(self, name: str) -> bool:
        return name.startswith(self.starts_with) and self.contains in name and name.endswith(self.ends_with)


@attrs.frozen
class PrometheusReporterConfig:
    """``canton.monitoring.metrics.reporters = [{ type = prometheus, address, port, filters }]``
    (Canton's defaults: localhost, 9464); port 0 means "pick a free port". With filters, a metric
    is reported when any filter matches it."""

    address: str = "localhost"
    port: int = attrs.field(default=9464, validator=_port_range(0))
    filters: tuple[MetricsFilterConfig, ...] = ()

    def reports(self, name: str) -> bool:
        return not self.filters or any(f.matches(name) for f in self.filters)


@attrs.frozen
class MetricsConfig:
    """``canton.monitoring.metrics``: the reporters that expose the nodes' metrics."""

    reporters: tuple[PrometheusReporterConfig, ...] = ()


@attrs.frozen
class CantonMonitoringConfig:
    """``canton.monitoring`` (the parts canton-console reads: ``metrics``)."""

    metrics: MetricsConfig = MetricsConfig()


@attrs.frozen
class ReplicationConfig:
    """``replication { enabled, check-period }`` of a participant or mediator.

    ``check_period`` is how often a passive replica tries to become active (Canton's
    ``passiveCheckPeriod``, 15 seconds by default).
    """

    enabled: bool = False
    check_period: timedelta = timedelta(seconds=15)


AUTH_SERVICE_TYPES = ("wildcard", "unsafe-jwt-hmac-256", "jwt-rs-256-crt", "jwt-es-256-crt", "jwt-es-512-crt", "jwt-jwks")


@attrs.frozen(repr=False)
class AuthServiceConfig:
    """One entry of a participant's ``ledger-api.auth-services`` (Canton's ``AuthServiceConfig``).

    ``wildcard`` authorizes every request (Canton's default when the list is empty); the JWT types
    make the Ledger API authorize a request by its token: a user token's claims are the user's
    rights. ``key`` is the type's key material as written (``secret``, ``certificate`` or ``url``).
    """

    type: str = attrs.field(validator=_one_of(AUTH_SERVICE_TYPES))
    key: str | None = None
    target_audience: str | None = None
    target_scope: str | None = None
    privileged: bool = False

    @property
    def is_jwt(self) -> bool:
        return self.type != "wildcard"

    def __repr__(self) -> str:  # the key material stays out of logs and dumps
        shown = "" if self.key is None else ", key=****"
        return f"AuthServiceConfig(type={self.type!r}{shown})"


@attrs.frozen
class InitConfig:
    """``<node>.init``: ``identity.type = manual`` makes the node wait for ``topology.init_id``;
    ``generate-topology-transactions-and-keys = false`` leaves its keys and identity transactions
    to the operator too."""

    manual_identity: bool = False
    generate_topology: bool = True


@attrs.frozen
class ParticipantConfig:
    kind: ClassVar[str] = "participant"

    name: str
    storage: StorageConfig
    admin_api: ApiConfig
    ledger_api: ApiConfig
    http_ledger_api: ApiConfig | None = None
    init: InitConfig = InitConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    replication: ReplicationConfig = ReplicationConfig()
    # ``ledger-api.auth-services``: empty means Canton's default, every request authorized (wildcard)
    ledger_api_auth_services: tuple[AuthServiceConfig, ...] = ()

    @property
    def ledger_api_uses_jwt(self) -> bool:
        """The Ledger API authorizes requests by their JWT (an auth service other than wildcard)."""
        return any(a.is_jwt for a in self.ledger_api_auth_services)


@attrs.frozen
class SequencerHighAvailabilityConfig:
    """``sequencer.high-availability`` of a database sequencer (Canton's
    ``SequencerHighAvailabilityConfig``): sequencer processes on one PostgreSQL database share the
    synchronizer's total order. The process that orders beats a heartbeat every
    ``offline_duration / 8`` (at least every ``keep_alive_interval``); every
    ``online_check_interval`` a process looks for work of the others even without a notification,
    and one that does not order checks whether the heartbeat of the one that does is older than
    ``offline_duration`` (then it cuts that stalled process off and takes over)."""

    enabled: bool = False
    total_node_count: int = 10
    keep_alive_interval: timedelta = timedelta(milliseconds=50)
    online_check_interval: timedelta = timedelta(seconds=5)
    offline_duration: timedelta = timedelta(seconds=8)


@attrs.frozen
class SequencerConfig:
    kind: ClassVar[str] = "sequencer"

    name: str
    storage: StorageConfig
    admin_api: ApiConfig
    public_api: ApiConfig
    sequencer_type: str = attrs.field(default="BFT", validator=_one_of(SEQUENCER_TYPES))
    init: InitConfig = InitConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    # BFT ``sequencer.config.initial-network``: where this sequencer serves its peers (external
    # address and port) and the peer endpoints it starts with (address, port, tls)
    bft_server_endpoint: tuple[str, int] | None = None
    bft_peer_endpoints: tuple[tuple[str, int, bool], ...] = ()
    # database sequencers: ``sequencer.high-availability`` (None when not configured)
    high_availability: SequencerHighAvailabilityConfig | None = None

    @property
    def high_availability_enabled(self) -> bool:
        return self.high_availability is not None and self.high_availability.enabled


@attrs.frozen
class MediatorConfig:
    kind: ClassVar[str] = "mediator"

    name: str
    storage: StorageConfig
    admin_api: ApiConfig
    init: InitConfig = InitConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    replication: ReplicationConfig = ReplicationConfig()


NodeConfig = ParticipantConfig | SequencerConfig | MediatorConfig


@attrs.frozen
class ClientConfig:
    """Where a console reaches an API of a remote node: ``{ address, port, tls }`` (Canton's
    ``FullClientConfig``; a remote sequencer's ``public-api`` is its ``SequencerApiClientConfig``,
    whose TLS has no client certificate)."""

    address: str = "127.0.0.1"
    port: int = attrs.field(kw_only=True, validator=_port_range(1))
    tls: TlsClientConfig | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls is not None and self.tls.enabled else 'http'}://{self.endpoint}"


@attrs.frozen
class RemoteParticipantConfig:
    """``canton.remote-participants.<name> { admin-api, ledger-api }``: a participant of another process."""

    kind: ClassVar[str] = "participant"

    name: str
    admin_api: ClientConfig
    ledger_api: ClientConfig


@attrs.frozen
class RemoteSequencerConfig:
    """``canton.remote-sequencers.<name> { admin-api, public-api }``: a sequencer of another process;
    participants this console connects to it use its ``public-api``."""

    kind: ClassVar[str] = "sequencer"

    name: str
    admin_api: ClientConfig
    public_api: ClientConfig


@attrs.frozen
class RemoteMediatorConfig:
    """``canton.remote-mediators.<name> { admin-api }``: a mediator of another process."""

    kind: ClassVar[str] = "mediator"

    name: str
    admin_api: ClientConfig


RemoteNodeConfig = RemoteParticipantConfig | RemoteSequencerConfig | RemoteMediatorConfig


@attrs.frozen
class ConsoleTimeouts:
    """``canton.parameters.timeouts.console``; ``unbounded = None`` stands for Canton's ``Inf``."""

    bounded: timedelta = timedelta(seconds=60)
    unbounded: timedelta | None = None
    ledger_command: timedelta = timedelta(seconds=60)
    ping: timedelta = timedelta(seconds=30)


@attrs.frozen
class Parameters:
    """``canton.parameters``.

    ``static_identities`` is our extension: node keys are derived from node names so that documented
    transcripts show the same ids on every run.
    """

    clock_type: str = attrs.field(default="wall-clock", validator=_one_of(CLOCK_TYPES))
    timeouts: ConsoleTimeouts = ConsoleTimeouts()
    manual_start: bool = False
    static_identities: bool = False
    non_standard_config: bool = False
    # ``retention-period-defaults``: what ``pruning.prune()`` keeps on sequencers and mediators
    retention_period_defaults: RetentionPeriodDefaults = attrs.Factory(lambda: RetentionPeriodDefaults())
    # Our extension: an interactive console serves its nodes' admin APIs only when asked (a daemon
    # always serves them; ``run`` and transcript checks never do)
    serve_admin_apis: bool = False


@attrs.frozen
class RetentionPeriodDefaults:
    """``canton.parameters.retention-period-defaults`` (Canton's defaults: 7 days each)."""

    sequencer: timedelta = timedelta(days=7)
    mediator: timedelta = timedelta(days=7)


@attrs.frozen
class FeaturesConfig:
    """``canton.features``: the console command sets enabled besides the stable one (Canton's
    ``FeatureFlag``: ``enable-testing-commands``, ``enable-preview-commands``, ``enable-repair-commands``)."""

    enable_testing_commands: bool = False
    enable_preview_commands: bool = False
    enable_repair_commands: bool = False

    def flags(self) -> frozenset[str]:
        """The enabled flags by Canton's names: ``Stable`` always, ``Testing``, ``Preview``, ``Repair``."""
        enabled = {"Stable"}
        if self.enable_testing_commands:
            enabled.add("Testing")
        if self.enable_preview_commands:
            enabled.add("Preview")
        if self.enable_repair_commands:
            enabled.add("Repair")
        return frozenset(enabled)


@attrs.frozen
class CantonConfig:
    """The whole ``canton { … }`` block. Each dict keeps the order in which the nodes appear in the files."""

    participants: dict[str, ParticipantConfig] = attrs.Factory(dict)
    sequencers: dict[str, SequencerConfig] = attrs.Factory(dict)
    mediators: dict[str, MediatorConfig] = attrs.Factory(dict)
    parameters: Parameters = Parameters()
    features: FeaturesConfig = FeaturesConfig()
    monitoring: CantonMonitoringConfig = CantonMonitoringConfig()
    # Nodes of other processes this console drives through their admin APIs
    remote_participants: dict[str, RemoteParticipantConfig] = attrs.Factory(dict)
    remote_sequencers: dict[str, RemoteSequencerConfig] = attrs.Factory(dict)
    remote_mediators: dict[str, RemoteMediatorConfig] = attrs.Factory(dict)

    def remote_nodes(self) -> dict[str, RemoteNodeConfig]:
        """The remote nodes by name: participants, then sequencers, then mediators."""
        return {**self.remote_participants, **self.remote_sequencers, **self.remote_mediators}

    def nodes(self) -> dict[str, NodeConfig]:
        """All nodes by name: participants, then sequencers, then mediators."""
        return {**self.participants, **self.sequencers, **self.mediators}

    def node_names(self) -> tuple[str, ...]:
        """All node names: participants, then sequencers, then mediators, each in file order."""
        return (*self.participants, *self.sequencers, *self.mediators)

    def node(self, name: str) -> NodeConfig:
        """The node called ``name``; ``KeyError`` when there is none."""
        for group in (self.participants, self.sequencers, self.mediators):
            if name in group:
                return group[name]
        raise KeyError(name)
