from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SetTrafficBalanceRequest(_message.Message):
    __slots__ = ("member", "serial", "new_balance")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    SERIAL_FIELD_NUMBER: _ClassVar[int]
    NEW_BALANCE_FIELD_NUMBER: _ClassVar[int]
    member: str
    serial: int
    new_balance: int
    def __init__(self, member: _Optional[str] = ..., serial: _Optional[int] = ..., new_balance: _Optional[int] = ...) -> None: ...

class SetTrafficBalanceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SynchronizerIdRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SynchronizerIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class TrafficStatesRequest(_message.Message):
    __slots__ = ("members", "selector", "timestamp")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    members: _console_value_pb2.Value
    selector: str
    timestamp: _console_value_pb2.Value
    def __init__(self, members: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., selector: _Optional[str] = ..., timestamp: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class TrafficStatesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
