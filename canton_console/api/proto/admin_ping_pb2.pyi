from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PingRequest(_message.Message):
    __slots__ = ("target", "timeout_micros", "synchronizer_id", "ping_id")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    PING_ID_FIELD_NUMBER: _ClassVar[int]
    target: str
    timeout_micros: int
    synchronizer_id: _console_value_pb2.Value
    ping_id: _console_value_pb2.Value
    def __init__(self, target: _Optional[str] = ..., timeout_micros: _Optional[int] = ..., synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., ping_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PingResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
