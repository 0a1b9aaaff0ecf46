"""Canton's error codes and categories, and the exception the runtime raises with them.

A Canton error prints as ``CODE(category,corr8): cause``: the category's number and the first eight
characters of the correlation id (``0`` when there is none). The console adds its own framing around it.
"""

from __future__ import annotations

import enum

import attrs


class ErrorCategory(enum.IntEnum):
    """Canton's ErrorCategory numbers (base/error/ErrorCategory.scala)."""

    TransientServerFailure = 1
    ContentionOnSharedResources = 2
    DeadlineExceededRequestStateUnknown = 3
    SystemInternalAssumptionViolated = 4
    SecurityAlert = 5
    AuthInterceptorInvalidAuthenticationCredentials = 6
    InsufficientPermission = 7
    InvalidIndependentOfSystemState = 8
    InvalidGivenCurrentSystemStateOther = 9
    InvalidGivenCurrentSystemStateResourceExists = 10
    InvalidGivenCurrentSystemStateResourceMissing = 11
    InvalidGivenCurrentSystemStateSeekAfterEnd = 12
    BackgroundProcessDegradationWarning = 13
    InternalUnsupportedOperation = 14


GRPC_CODE = {
    1: "UNAVAILABLE",
    2: "ABORTED",
    3: "DEADLINE_EXCEEDED",
    4: "INTERNAL",
    5: "INVALID_ARGUMENT",
    6: "UNAUTHENTICATED",
    7: "PERMISSION_DENIED",
    8: "INVALID_ARGUMENT",
    9: "FAILED_PRECONDITION",
    10: "ALREADY_EXISTS",
    11: "NOT_FOUND",
    12: "OUT_OF_RANGE",
    13: "",
    14: "UNIMPLEMENTED",
}


@attrs.frozen
class ErrorCode:
    """One of Canton's error codes: its id and category."""

    id: str
    category: ErrorCategory


def _code(id: str, category: ErrorCategory) -> ErrorCode:
    return ErrorCode(id, category)


C = ErrorCategory
# Node lifecycle and console
NODE_NOT_STARTED = _code("NODE_NOT_STARTED", C.InvalidGivenCurrentSystemStateOther)
NODE_IS_PASSIVE_REPLICA = _code("NODE_IS_PASSIVE_REPLICA", C.TransientServerFailure)
CONSOLE_COMMAND_TIMED_OUT = _code("CONSOLE_COMMAND_TIMED_OUT", C.SystemInternalAssumptionViolated)
CONSOLE_COMMAND_INTERNAL_ERROR = _code("CONSOLE_COMMAND_INTERNAL_ERROR", C.SystemInternalAssumptionViolated)
INVALID_ARGUMENT = _code("INVALID_ARGUMENT", C.InvalidIndependentOfSystemState)
# Configuration and storage
CONFIG_VALIDATION_FAILED = _code("CONFIG_VALIDATION_FAILED", C.InvalidIndependentOfSystemState)
STORAGE_INCOMPATIBLE = _code("STORAGE_INCOMPATIBLE", C.InvalidGivenCurrentSystemStateOther)
DB_CONNECTION_LOST = _code("DB_CONNECTION_LOST", C.BackgroundProcessDegradationWarning)
# The store's files: damaged, not writable, held by another process, or at a path that cannot be used.
DB_STORAGE_CORRUPT = _code("DB_STORAGE_CORRUPT", C.SystemInternalAssumptionViolated)
DB_STORAGE_READ_ONLY = _code("DB_STORAGE_READ_ONLY", C.InvalidGivenCurrentSystemStateOther)
DB_STORAGE_IN_USE = _code("DB_STORAGE_IN_USE", C.InvalidGivenCurrentSystemStateOther)
DB_STORAGE_PATH_UNUSABLE = _code("DB_STORAGE_PATH_UNUSABLE", C.InvalidGivenCurrentSystemStateOther)
DB_STORAGE_FULL = _code("DB_STORAGE_FULL", C.BackgroundProcessDegradationWarning)
# Synchronizer connectivity
SYNC_SERVICE_UNKNOWN_SYNCHRONIZER = _code("SYNC_SERVICE_UNKNOWN_SYNCHRONIZER", C.InvalidGivenCurrentSystemStateResourceMissing)
SYNC_SERVICE_ALREADY_ADDED = _code("SYNC_SERVICE_ALREADY_ADDED", C.InvalidGivenCurrentSystemStateResourceExists)
SYNC_SERVICE_BAD_CONNECTIVITY = _code("SYNC_SERVICE_BAD_CONNECTIVITY", C.InvalidGivenCurrentSystemStateOther)
SYNC_SERVICE_PASSIVE_REPLICA = _code("SYNC_SERVICE_PASSIVE_REPLICA", C.TransientServerFailure)
# Topology
TOPOLOGY_MAPPING_ALREADY_EXISTS = _code("TOPOLOGY_MAPPING_ALREADY_EXISTS", C.InvalidGivenCurrentSystemStateResourceExists)
TOPOLOGY_UNAUTHORIZED_TRANSACTION = _code("TOPOLOGY_UNAUTHORIZED_TRANSACTION", C.InsufficientPermission)
TOPOLOGY_SERIAL_MISMATCH = _code("TOPOLOGY_SERIAL_MISMATCH", C.InvalidGivenCurrentSystemStateOther)
TOPOLOGY_VALUE_OUT_OF_BOUNDS = _code("TOPOLOGY_VALUE_OUT_OF_BOUNDS", C.InvalidGivenCurrentSystemStateOther)
TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE = _code(
    "TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE", C.InvalidGivenCurrentSystemStateOther
)
INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS = _code("INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS", C.InvalidIndependentOfSystemState)
TOPOLOGY_UNKNOWN_MEMBERS = _code("TOPOLOGY_UNKNOWN_MEMBERS", C.InvalidGivenCurrentSystemStateResourceMissing)
# Traffic
SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT = _code("SEQUENCER_NOT_ENOUGH_TRAFFIC_CREDIT", C.InvalidGivenCurrentSystemStateOther)
TRAFFIC_CONTROL_DISABLED = _code("TRAFFIC_CONTROL_DISABLED", C.InvalidGivenCurrentSystemStateResourceMissing)
TRAFFIC_CONTROL_SERIAL_TOO_LOW = _code("TRAFFIC_CONTROL_SERIAL_TOO_LOW", C.InvalidGivenCurrentSystemStateResourceMissing)
TRAFFIC_CONTROL_STATE_NOT_FOUND = _code("TRAFFIC_CONTROL_STATE_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
REQUESTED_TIMESTAMP_IN_THE_FUTURE = _code("REQUESTED_TIMESTAMP_IN_THE_FUTURE", C.InvalidGivenCurrentSystemStateSeekAfterEnd)
# Ledger API
DUPLICATE_COMMAND = _code("DUPLICATE_COMMAND", C.InvalidGivenCurrentSystemStateResourceExists)
SUBMISSION_ALREADY_IN_FLIGHT = _code("SUBMISSION_ALREADY_IN_FLIGHT", C.ContentionOnSharedResources)
INVALID_DEDUPLICATION_PERIOD = _code("INVALID_DEDUPLICATION_PERIOD", C.InvalidIndependentOfSystemState)
CONTRACT_NOT_FOUND = _code("CONTRACT_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
PARTY_NOT_KNOWN_ON_LEDGER = _code("PARTY_NOT_KNOWN_ON_LEDGER", C.InvalidIndependentOfSystemState)
MEDIATOR_SAYS_TX_TIMED_OUT = _code("MEDIATOR_SAYS_TX_TIMED_OUT", C.ContentionOnSharedResources)
LOCAL_VERDICT_LOCKED_CONTRACTS = _code("LOCAL_VERDICT_LOCKED_CONTRACTS", C.ContentionOnSharedResources)
NOT_CONNECTED_TO_ANY_SYNCHRONIZER = _code("NOT_CONNECTED_TO_ANY_SYNCHRONIZER", C.InvalidGivenCurrentSystemStateOther)
# Ledger API user and identity provider management (UserManagementServiceErrors.scala,
# IdentityProviderConfigServiceErrors.scala), request validation (RequestValidationErrors.scala) and
# authorization (AuthorizationChecksErrors.scala). Ledger API errors whose category Canton redacts
# (4 to 7) reach a client as a bare gRPC status: see ``REDACTED_CATEGORIES``.
USER_NOT_FOUND = _code("USER_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
USER_ALREADY_EXISTS = _code("USER_ALREADY_EXISTS", C.InvalidGivenCurrentSystemStateResourceExists)
TOO_MANY_USER_RIGHTS = _code("TOO_MANY_USER_RIGHTS", C.InvalidGivenCurrentSystemStateOther)
INVALID_USER_UPDATE_REQUEST = _code("INVALID_USER_UPDATE_REQUEST", C.InvalidIndependentOfSystemState)
CONCURRENT_USER_UPDATE_DETECTED = _code("CONCURRENT_USER_UPDATE_DETECTED", C.ContentionOnSharedResources)
MAX_USER_ANNOTATIONS_SIZE_EXCEEDED = _code("MAX_USER_ANNOTATIONS_SIZE_EXCEEDED", C.InvalidGivenCurrentSystemStateOther)
IDP_CONFIG_NOT_FOUND = _code("IDP_CONFIG_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
IDP_CONFIG_ALREADY_EXISTS = _code("IDP_CONFIG_ALREADY_EXISTS", C.InvalidGivenCurrentSystemStateResourceExists)
IDP_CONFIG_ISSUER_ALREADY_EXISTS = _code("IDP_CONFIG_ISSUER_ALREADY_EXISTS", C.InvalidGivenCurrentSystemStateResourceExists)
TOO_MANY_IDENTITY_PROVIDER_CONFIGS = _code("TOO_MANY_IDENTITY_PROVIDER_CONFIGS", C.InvalidGivenCurrentSystemStateOther)
INVALID_IDENTITY_PROVIDER_UPDATE_REQUEST = _code("INVALID_IDENTITY_PROVIDER_UPDATE_REQUEST", C.InvalidIndependentOfSystemState)
INVALID_FIELD = _code("INVALID_FIELD", C.InvalidIndependentOfSystemState)
MISSING_FIELD = _code("MISSING_FIELD", C.InvalidIndependentOfSystemState)
UNKNOWN_RESOURCE = _code("UNKNOWN_RESOURCE", C.InvalidGivenCurrentSystemStateResourceMissing)
PERMISSION_DENIED = _code("PERMISSION_DENIED", C.InsufficientPermission)
UNAUTHENTICATED = _code("UNAUTHENTICATED", C.AuthInterceptorInvalidAuthenticationCredentials)
INVALID_TOKEN = _code("INVALID_TOKEN", C.InvalidIndependentOfSystemState)
LEDGER_API_INTERNAL_ERROR = _code("LEDGER_API_INTERNAL_ERROR", C.SystemInternalAssumptionViolated)
# Categories whose details Canton keeps from the client (ErrorCategory.redactDetails): the client
# gets the gRPC status and BaseError.RedactedMessage; the node logs the error itself.
REDACTED_CATEGORIES = frozenset({C.SystemInternalAssumptionViolated, C.SecurityAlert, C.AuthInterceptorInvalidAuthenticationCredentials, C.InsufficientPermission})
REDACTED_MESSAGE_PREFIX = "An error occurred. Please contact the operator and inquire about the request"
# Canton's topology manager errors (TopologyManagerError.scala).
TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE = _code("TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE", C.InvalidGivenCurrentSystemStateResourceMissing)
TOPOLOGY_SECRET_KEY_NOT_IN_STORE = _code("TOPOLOGY_SECRET_KEY_NOT_IN_STORE", C.InvalidGivenCurrentSystemStateOther)
TOPOLOGY_NO_CORRESPONDING_ACTIVE_TX_TO_REVOKE = _code("TOPOLOGY_NO_CORRESPONDING_ACTIVE_TX_TO_REVOKE", C.InvalidGivenCurrentSystemStateOther)
TOPOLOGY_TRANSACTION_NOT_FOUND = _code("TOPOLOGY_TRANSACTION_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
TOPOLOGY_MISSING_MAPPING = _code("TOPOLOGY_MISSING_MAPPING", C.InvalidGivenCurrentSystemStateResourceMissing)
TOPOLOGY_TEMPORARY_STORE_ALREADY_EXISTS = _code("TOPOLOGY_TEMPORARY_STORE_ALREADY_EXISTS", C.InvalidGivenCurrentSystemStateResourceExists)
TOPOLOGY_STORE_NOT_FOUND = _code("TOPOLOGY_STORE_NOT_FOUND", C.InvalidGivenCurrentSystemStateResourceMissing)
TOPOLOGY_INVALID_SYNCHRONIZER = _code("TOPOLOGY_INVALID_SYNCHRONIZER", C.InvalidIndependentOfSystemState)
TOPOLOGY_REMOVING_LAST_KEY_MUST_BE_FORCED = _code("TOPOLOGY_REMOVING_LAST_KEY_MUST_BE_FORCED", C.InvalidGivenCurrentSystemStateOther)
SIGNING_KEY_GENERATION_ERROR = _code("SIGNING_KEY_GENERATION_ERROR", C.InvalidIndependentOfSystemState)
ENCRYPTION_KEY_GENERATION_ERROR = _code("ENCRYPTION_KEY_GENERATION_ERROR", C.InvalidIndependentOfSystemState)
PROTO_DESERIALIZATION_FAILURE = _code("PROTO_DESERIALIZATION_FAILURE", C.InvalidIndependentOfSystemState)


class CantonError(Exception):
    """A failure with a Canton error code. ``str()`` gives Canton's ``CODE(cat,corr8): cause``."""

    def __init__(self, code: ErrorCode, cause: str, correlation_id: str | None = None, **context: object):
        self.code = code
        self.cause = cause
        self.correlation_id = correlation_id
        self.context = context
        super().__init__(self.render())

    def render(self) -> str:
        corr = (self.correlation_id or "0")[:8]
        return f"{self.code.id}({int(self.code.category)},{corr}): {self.cause}"

    @property
    def grpc_code(self) -> str:
        return GRPC_CODE[int(self.code.category)]


class RuntimeFailure(Exception):
    """A failure without an error code: Canton prints such causes as plain text (ping timeouts, …)."""


class ServiceStatusError(Exception):
    """A request refused at the API level before any node logic ran: a gRPC status (``UNIMPLEMENTED``,
    ``UNAVAILABLE``, ...) and its description, as a gRPC client reports it."""

    def __init__(self, status: str, description: str):
        self.status = status
        self.description = description
        super().__init__(f"{status}/{description}")


# Sequencer and mediator administration (node-admin)
SEQUENCER_SUBMISSION_REQUEST_REFUSED = _code("SEQUENCER_SUBMISSION_REQUEST_REFUSED", C.InvalidGivenCurrentSystemStateOther)
CANNOT_DISABLE_LOCAL_SEQUENCER_MEMBER = _code("CANNOT_DISABLE_LOCAL_SEQUENCER_MEMBER", C.InvalidIndependentOfSystemState)


# Participant operations (synchronizer connection configs, resource limits, the vault without a KMS)
SYNCHRONIZER_ID_MISMATCH = _code("SYNCHRONIZER_ID_MISMATCH", C.InvalidGivenCurrentSystemStateOther)
PARTICIPANT_BACKPRESSURE = _code("PARTICIPANT_BACKPRESSURE", C.ContentionOnSharedResources)
NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR = _code("NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR", C.InternalUnsupportedOperation)


class PendingDatabaseMigration(RuntimeFailure):
    """A node's store has migrations pending and the node may not apply them at start (Canton's
    PendingDatabaseMigration: ``storage.parameters.migrate-and-start = no``)."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node

    def operator_message(self) -> str:
        """Canton's: what failed, and the command that fixes it."""
        name = self.node or "<node>"
        return f"failed to initialize {name}: {self} Please run `{name}.db.migrate` to apply pending migrations"
