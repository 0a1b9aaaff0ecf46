from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListPartiesRequest(_message.Message):
    __slots__ = ("synchronizer_ids", "filter_party", "filter_participant", "as_of", "limit")
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_PARTY_FIELD_NUMBER: _ClassVar[int]
    FILTER_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    synchronizer_ids: _console_value_pb2.Value
    filter_party: str
    filter_participant: str
    as_of: _console_value_pb2.Value
    limit: int
    def __init__(self, synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., filter_party: _Optional[str] = ..., filter_participant: _Optional[str] = ..., as_of: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPartiesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
