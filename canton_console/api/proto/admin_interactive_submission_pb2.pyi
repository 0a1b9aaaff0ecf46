from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecuteRequest(_message.Message):
    __slots__ = ("prepared", "signatures", "submission_id", "user_id", "deduplication_period_micros", "hashing_scheme_version")
    PREPARED_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DEDUPLICATION_PERIOD_MICROS_FIELD_NUMBER: _ClassVar[int]
    HASHING_SCHEME_VERSION_FIELD_NUMBER: _ClassVar[int]
    prepared: _console_value_pb2.Value
    signatures: _console_value_pb2.Value
    submission_id: str
    user_id: str
    deduplication_period_micros: _console_value_pb2.Value
    hashing_scheme_version: str
    def __init__(self, prepared: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., signatures: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., submission_id: _Optional[str] = ..., user_id: _Optional[str] = ..., deduplication_period_micros: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., hashing_scheme_version: _Optional[str] = ...) -> None: ...

class ExecuteResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PrepareRequest(_message.Message):
    __slots__ = ("act_as", "commands", "synchronizer_id", "command_id", "read_as", "user_id")
    ACT_AS_FIELD_NUMBER: _ClassVar[int]
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    READ_AS_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    act_as: _console_value_pb2.Value
    commands: _console_value_pb2.Value
    synchronizer_id: _console_value_pb2.Value
    command_id: str
    read_as: _console_value_pb2.Value
    user_id: str
    def __init__(self, act_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., commands: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., command_id: _Optional[str] = ..., read_as: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., user_id: _Optional[str] = ...) -> None: ...

class PrepareResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
