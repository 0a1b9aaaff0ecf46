from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClearScheduleRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClearScheduleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GetScheduleRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetScheduleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LocatePruningTimestampRequest(_message.Message):
    __slots__ = ("index",)
    INDEX_FIELD_NUMBER: _ClassVar[int]
    index: int
    def __init__(self, index: _Optional[int] = ...) -> None: ...

class LocatePruningTimestampResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PruneRequest(_message.Message):
    __slots__ = ("timestamp",)
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    timestamp: int
    def __init__(self, timestamp: _Optional[int] = ...) -> None: ...

class PruneResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetCronRequest(_message.Message):
    __slots__ = ("cron",)
    CRON_FIELD_NUMBER: _ClassVar[int]
    cron: str
    def __init__(self, cron: _Optional[str] = ...) -> None: ...

class SetCronResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetMaxDurationRequest(_message.Message):
    __slots__ = ("max_duration_micros",)
    MAX_DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
    max_duration_micros: int
    def __init__(self, max_duration_micros: _Optional[int] = ...) -> None: ...

class SetMaxDurationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetRetentionRequest(_message.Message):
    __slots__ = ("retention_micros",)
    RETENTION_MICROS_FIELD_NUMBER: _ClassVar[int]
    retention_micros: int
    def __init__(self, retention_micros: _Optional[int] = ...) -> None: ...

class SetRetentionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetScheduleRequest(_message.Message):
    __slots__ = ("cron", "max_duration_micros", "retention_micros")
    CRON_FIELD_NUMBER: _ClassVar[int]
    MAX_DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
    RETENTION_MICROS_FIELD_NUMBER: _ClassVar[int]
    cron: str
    max_duration_micros: int
    retention_micros: int
    def __init__(self, cron: _Optional[str] = ..., max_duration_micros: _Optional[int] = ..., retention_micros: _Optional[int] = ...) -> None: ...

class SetScheduleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class StoredEventCountRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StoredEventCountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
