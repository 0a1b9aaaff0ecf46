from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HealthDumpRequest(_message.Message):
    __slots__ = ("output_file",)
    OUTPUT_FILE_FIELD_NUMBER: _ClassVar[int]
    output_file: str
    def __init__(self, output_file: _Optional[str] = ...) -> None: ...

class HealthDumpResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IsInitializedRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IsInitializedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IsRunningRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IsRunningResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LastErrorTraceRequest(_message.Message):
    __slots__ = ("trace_id",)
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    def __init__(self, trace_id: _Optional[str] = ...) -> None: ...

class LastErrorTraceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LastErrorsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LastErrorsResponse(_message.Message):
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
