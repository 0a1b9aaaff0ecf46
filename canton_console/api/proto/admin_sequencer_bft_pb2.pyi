from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddPeerEndpointRequest(_message.Message):
    __slots__ = ("address", "port", "tls")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    address: str
    port: int
    tls: bool
    def __init__(self, address: _Optional[str] = ..., port: _Optional[int] = ..., tls: _Optional[bool] = ...) -> None: ...

class AddPeerEndpointResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class OrderingTopologyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrderingTopologyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PeerNetworkStatusRequest(_message.Message):
    __slots__ = ("endpoints",)
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    endpoints: _console_value_pb2.Value
    def __init__(self, endpoints: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PeerNetworkStatusResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RemovePeerEndpointRequest(_message.Message):
    __slots__ = ("address", "port", "tls")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    address: str
    port: int
    tls: bool
    def __init__(self, address: _Optional[str] = ..., port: _Optional[int] = ..., tls: _Optional[bool] = ...) -> None: ...

class RemovePeerEndpointResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
