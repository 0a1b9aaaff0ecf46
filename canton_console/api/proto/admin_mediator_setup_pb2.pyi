from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssignRequest(_message.Message):
    __slots__ = ("synchronizer_id", "sequencers")
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCERS_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    sequencers: _console_value_pb2.Value
    def __init__(self, synchronizer_id: _Optional[str] = ..., sequencers: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class AssignResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
