from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActiveContractsRequest(_message.Message):
    __slots__ = ("party", "template_id")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    party: _console_value_pb2.Value
    template_id: _console_value_pb2.Value
    def __init__(self, party: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., template_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ActiveContractsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class AllocatePartyRequest(_message.Message):
    __slots__ = ("party_hint", "annotations", "identity_provider_id", "timeout_micros")
    PARTY_HINT_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    party_hint: str
    annotations: _console_value_pb2.Value
    identity_provider_id: str
    timeout_micros: int
    def __init__(self, party_hint: _Optional[str] = ..., annotations: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., identity_provider_id: _Optional[str] = ..., timeout_micros: _Optional[int] = ...) -> None: ...

class AllocatePartyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class CompletionsRequest(_message.Message):
    __slots__ = ("parties", "user_id", "begin_exclusive")
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    BEGIN_EXCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    parties: _console_value_pb2.Value
    user_id: str
    begin_exclusive: int
    def __init__(self, parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., user_id: _Optional[str] = ..., begin_exclusive: _Optional[int] = ...) -> None: ...

class CompletionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ConnectedSynchronizersOfRequest(_message.Message):
    __slots__ = ("party",)
    PARTY_FIELD_NUMBER: _ClassVar[int]
    party: _console_value_pb2.Value
    def __init__(self, party: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ConnectedSynchronizersOfResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ContractEntriesRequest(_message.Message):
    __slots__ = ("parties", "active_at")
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_AT_FIELD_NUMBER: _ClassVar[int]
    parties: _console_value_pb2.Value
    active_at: _console_value_pb2.Value
    def __init__(self, parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., active_at: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ContractEntriesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GetPartiesRequest(_message.Message):
    __slots__ = ("parties", "identity_provider_id")
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    parties: _console_value_pb2.Value
    identity_provider_id: str
    def __init__(self, parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., identity_provider_id: _Optional[str] = ...) -> None: ...

class GetPartiesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LedgerEndRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LedgerEndResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListKnownPartiesRequest(_message.Message):
    __slots__ = ("identity_provider_id",)
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    identity_provider_id: str
    def __init__(self, identity_provider_id: _Optional[str] = ...) -> None: ...

class ListKnownPartiesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SubmitRequest(_message.Message):
    __slots__ = ("commands", "act_as", "command_id", "synchronizer_id", "user_id", "submission_id", "deduplication_period_micros", "timeout_micros", "read_as", "as_user")
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    ACT_AS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DEDUPLICATION_PERIOD_MICROS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    READ_AS_FIELD_NUMBER: _ClassVar[int]
    AS_USER_FIELD_NUMBER: _ClassVar[int]
    commands: _console_value_pb2.Value
    act_as: _console_value_pb2.Value
    command_id: str
    synchronizer_id: _console_value_pb2.Value
    user_id: str
    submission_id: _console_value_pb2.Value
    deduplication_period_micros: _console_value_pb2.Value
    timeout_micros: int
    read_as: _console_value_pb2.Value
    as_user: bool
    def __init__(self, commands: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., act_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., command_id: _Optional[str] = ..., synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., user_id: _Optional[str] = ..., submission_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., deduplication_period_micros: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., timeout_micros: _Optional[int] = ..., read_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., as_user: _Optional[bool] = ...) -> None: ...

class SubmitResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SubmitAsyncRequest(_message.Message):
    __slots__ = ("commands", "act_as", "command_id", "synchronizer_id", "user_id", "submission_id", "deduplication_period_micros", "read_as", "as_user")
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    ACT_AS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DEDUPLICATION_PERIOD_MICROS_FIELD_NUMBER: _ClassVar[int]
    READ_AS_FIELD_NUMBER: _ClassVar[int]
    AS_USER_FIELD_NUMBER: _ClassVar[int]
    commands: _console_value_pb2.Value
    act_as: _console_value_pb2.Value
    command_id: str
    synchronizer_id: _console_value_pb2.Value
    user_id: str
    submission_id: _console_value_pb2.Value
    deduplication_period_micros: _console_value_pb2.Value
    read_as: _console_value_pb2.Value
    as_user: bool
    def __init__(self, commands: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., act_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., command_id: _Optional[str] = ..., synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., user_id: _Optional[str] = ..., submission_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., deduplication_period_micros: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., read_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., as_user: _Optional[bool] = ...) -> None: ...

class SubmitAsyncResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class TransactionsRequest(_message.Message):
    __slots__ = ("begin_exclusive", "end_inclusive", "stream")
    BEGIN_EXCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    END_INCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    begin_exclusive: int
    end_inclusive: _console_value_pb2.Value
    stream: _console_value_pb2.Value
    def __init__(self, begin_exclusive: _Optional[int] = ..., end_inclusive: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., stream: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class TransactionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdateByIdRequest(_message.Message):
    __slots__ = ("update_id", "update_format")
    UPDATE_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    update_id: str
    update_format: _console_value_pb2.Value
    def __init__(self, update_id: _Optional[str] = ..., update_format: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdateByIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdateByOffsetRequest(_message.Message):
    __slots__ = ("offset", "update_format")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    offset: int
    update_format: _console_value_pb2.Value
    def __init__(self, offset: _Optional[int] = ..., update_format: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdateByOffsetResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdatePartyRequest(_message.Message):
    __slots__ = ("party", "annotations", "resource_version", "identity_provider_id")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    party: str
    annotations: _console_value_pb2.Value
    resource_version: str
    identity_provider_id: str
    def __init__(self, party: _Optional[str] = ..., annotations: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., resource_version: _Optional[str] = ..., identity_provider_id: _Optional[str] = ...) -> None: ...

class UpdatePartyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UpdatePartyIdpRequest(_message.Message):
    __slots__ = ("party", "source_identity_provider_id", "target_identity_provider_id")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    party: str
    source_identity_provider_id: str
    target_identity_provider_id: str
    def __init__(self, party: _Optional[str] = ..., source_identity_provider_id: _Optional[str] = ..., target_identity_provider_id: _Optional[str] = ...) -> None: ...

class UpdatePartyIdpResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
