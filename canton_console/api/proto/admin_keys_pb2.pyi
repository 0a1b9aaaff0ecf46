from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeleteRequest(_message.Message):
    __slots__ = ("fingerprint",)
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    fingerprint: str
    def __init__(self, fingerprint: _Optional[str] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ExportPairRequest(_message.Message):
    __slots__ = ("fingerprint",)
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    fingerprint: str
    def __init__(self, fingerprint: _Optional[str] = ...) -> None: ...

class ExportPairResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ExportPublicRequest(_message.Message):
    __slots__ = ("fingerprint",)
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    fingerprint: str
    def __init__(self, fingerprint: _Optional[str] = ...) -> None: ...

class ExportPublicResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateEncryptionKeyRequest(_message.Message):
    __slots__ = ("name", "spec")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    name: str
    spec: _console_value_pb2.Value
    def __init__(self, name: _Optional[str] = ..., spec: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateEncryptionKeyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateSigningKeyRequest(_message.Message):
    __slots__ = ("name", "usage", "spec")
    NAME_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    name: str
    usage: _console_value_pb2.Value
    spec: _console_value_pb2.Value
    def __init__(self, name: _Optional[str] = ..., usage: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., spec: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateSigningKeyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ImportPairRequest(_message.Message):
    __slots__ = ("data", "name")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    name: _console_value_pb2.Value
    def __init__(self, data: _Optional[bytes] = ..., name: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ImportPairResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ImportPublicRequest(_message.Message):
    __slots__ = ("data", "name")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    name: _console_value_pb2.Value
    def __init__(self, data: _Optional[bytes] = ..., name: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ImportPublicResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class InitIdRequest(_message.Message):
    __slots__ = ("identifier", "namespace", "delegations")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    DELEGATIONS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    namespace: str
    delegations: _console_value_pb2.Value
    def __init__(self, identifier: _Optional[str] = ..., namespace: _Optional[str] = ..., delegations: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class InitIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListOwnersRequest(_message.Message):
    __slots__ = ("filter_uid", "filter_code", "synchronizer_ids", "limit")
    FILTER_UID_FIELD_NUMBER: _ClassVar[int]
    FILTER_CODE_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filter_uid: str
    filter_code: _console_value_pb2.Value
    synchronizer_ids: _console_value_pb2.Value
    limit: int
    def __init__(self, filter_uid: _Optional[str] = ..., filter_code: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListOwnersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPrivateRequest(_message.Message):
    __slots__ = ("fingerprint", "name", "purposes", "usages")
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    USAGES_FIELD_NUMBER: _ClassVar[int]
    fingerprint: str
    name: str
    purposes: _console_value_pb2.Value
    usages: _console_value_pb2.Value
    def __init__(self, fingerprint: _Optional[str] = ..., name: _Optional[str] = ..., purposes: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., usages: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPrivateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPublicRequest(_message.Message):
    __slots__ = ("fingerprint", "context", "purposes", "usages")
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    USAGES_FIELD_NUMBER: _ClassVar[int]
    fingerprint: str
    context: str
    purposes: _console_value_pb2.Value
    usages: _console_value_pb2.Value
    def __init__(self, fingerprint: _Optional[str] = ..., context: _Optional[str] = ..., purposes: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., usages: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPublicResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ReadyForIdRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReadyForIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
