"""Command completions as the Ledger API's command completion service reports them (Canton 3.3's
``com.daml.ledger.api.v2.Completion``): one per Ledger API submission of this participant that was
decided, accepted (with the transaction's update id and offset) or rejected (with the error, at an
offset of its own). ``CompletionRecord`` is what the participant stores and its admin service
returns; ``Completion`` and its parts render as the console prints the scalapb classes."""

from __future__ import annotations

import attrs

from canton_console.pretty import Literal, klass, param
from canton_console.values.errors import GRPC_CODE, CantonError, ErrorCategory, ErrorCode
from canton_console.values.scala import NONE, Option, Some, Vector

# google.rpc.Code numbers, by name (io.grpc.Status.Code)
GRPC_CODE_NUMBERS = {
    "OK": 0,
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


def status_of(error: CantonError | None) -> tuple[int, str]:
    """The google.rpc.Status (code number, message) a completion carries: OK for an accepted
    command, else the error's gRPC code and its ``CODE(cat,corr): cause`` text, as Canton's
    ``DamlError.rpcStatus`` gives them."""
    if error is None:
        return 0, ""
    name = GRPC_CODE.get(int(error.code.category)) or "UNKNOWN"
    return GRPC_CODE_NUMBERS[name], error.render()


@attrs.frozen
class CompletionRecord:
    """A stored completion: plain values (times in µs since the epoch, durations in µs)."""

    offset: int
    command_id: str
    user_id: str
    act_as: tuple[str, ...]
    submission_id: str
    update_id: str  # "" for a rejection
    status_code: int  # google.rpc.Code
    status_message: str
    synchronizer_id: str
    record_time: int
    deduplication_duration: int | None = None  # the deduplication period, as a duration ...
    deduplication_offset: int | None = None  # ... or as an offset (a DUPLICATE_COMMAND rejection)


@attrs.frozen
class LedgerConnectedSynchronizer:
    """A connected synchronizer as the state service reports it: alias, id and the party's
    permission there ("Submission", "Confirmation", "Observation"; "" when no party was asked)."""

    alias: str
    synchronizer_id: str
    permission: str = ""


# Canton's RequestValidationErrors.NegativeOffset and NonPositiveOffset
NEGATIVE_OFFSET = ErrorCode("NEGATIVE_OFFSET", ErrorCategory.InvalidIndependentOfSystemState)
NON_POSITIVE_OFFSET = ErrorCode("NON_POSITIVE_OFFSET", ErrorCategory.InvalidIndependentOfSystemState)
# RequestValidationErrors.NotFound.TemplateOrInterfaceIdsNotFound (an update format's unknown ids)
TEMPLATES_OR_INTERFACES_NOT_FOUND = ErrorCode("TEMPLATES_OR_INTERFACES_NOT_FOUND", ErrorCategory.InvalidGivenCurrentSystemStateResourceMissing)


# ---- the console's view: Canton's scalapb classes --------------------------------------------------


@attrs.frozen
class Status:
    """``google.rpc.Status``: the outcome of the command (code 0: accepted)."""

    code: int
    message: str

    canton_type = "Status"

    def __pretty__(self):
        # Canton's status also carries error details (ErrorInfo, RequestInfo): this ledger keeps none.
        return klass("Status", param("code", self.code), param("message", self.message))


@attrs.frozen
class Timestamp:
    """``google.protobuf.Timestamp``."""

    seconds: int
    nanos: int

    canton_type = "Timestamp"

    @classmethod
    def of_micros(cls, micros: int) -> Timestamp:
        return cls(micros // 1_000_000, (micros % 1_000_000) * 1000)

    def __pretty__(self):
        return klass("Timestamp", param("seconds", self.seconds), param("nanos", self.nanos))


@attrs.frozen
class Duration:
    """``google.protobuf.Duration``."""

    seconds: int
    nanos: int

    canton_type = "Duration"

    def __pretty__(self):
        return klass("Duration", param("seconds", self.seconds), param("nanos", self.nanos))


@attrs.frozen
class DeduplicationDuration:
    value: Duration

    canton_type = "DeduplicationDuration"

    def __pretty__(self):
        return klass("DeduplicationDuration", param("value", self.value))


@attrs.frozen
class DeduplicationOffset:
    value: int

    canton_type = "DeduplicationOffset"

    def __pretty__(self):
        return klass("DeduplicationOffset", param("value", self.value))


@attrs.frozen
class SynchronizerTime:
    """``SynchronizerTime``: the synchronizer and the record time of the completion."""

    synchronizerId: str
    recordTime: Option

    canton_type = "SynchronizerTime"

    def __pretty__(self):
        return klass("SynchronizerTime", param("synchronizerId", self.synchronizerId), param("recordTime", self.recordTime))


@attrs.frozen
class Completion:
    """A command completion (``com.daml.ledger.api.v2.Completion``) with its fields under Canton's
    names: ``commandId``, ``status`` (``Option[Status]``), ``updateId`` ("" for a rejection),
    ``userId``, ``actAs``, ``submissionId``, ``deduplicationPeriod``, ``traceContext``,
    ``offset`` and ``synchronizerTime``."""

    commandId: str
    status: Option
    updateId: str
    userId: str
    actAs: Vector
    submissionId: str
    deduplicationPeriod: object
    traceContext: Option
    offset: int
    synchronizerTime: Option

    canton_type = "Completion"

    def __pretty__(self):
        return klass(
            "Completion",
            param("commandId", self.commandId),
            param("status", self.status),
            param("updateId", self.updateId),
            param("userId", self.userId),
            param("actAs", self.actAs),
            param("submissionId", self.submissionId),
            param("deduplicationPeriod", self.deduplicationPeriod),
            param("traceContext", self.traceContext),
            param("offset", self.offset),
            param("synchronizerTime", self.synchronizerTime),
        )


class _Empty:
    """scalapb's ``DeduplicationPeriod.Empty`` (no period reported)."""

    canton_type = "Empty.type"

    def __pretty__(self):
        return Literal("Empty")


EMPTY_PERIOD = _Empty()


def completion(record: CompletionRecord) -> Completion:
    """The console's Completion for a stored record."""
    if record.deduplication_offset is not None:
        period: object = DeduplicationOffset(record.deduplication_offset)
    elif record.deduplication_duration is not None:
        micros = record.deduplication_duration
        period = DeduplicationDuration(Duration(micros // 1_000_000, (micros % 1_000_000) * 1000))
    else:
        period = EMPTY_PERIOD
    return Completion(
        record.command_id,
        Some(Status(record.status_code, record.status_message)),
        record.update_id,
        record.user_id,
        Vector(*record.act_as),
        record.submission_id,
        period,
        NONE,
        record.offset,
        Some(SynchronizerTime(record.synchronizer_id, Some(Timestamp.of_micros(record.record_time)))),
    )
