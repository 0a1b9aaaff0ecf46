from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetWrapperKeyIdRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetWrapperKeyIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RegisterKmsEncryptionKeyRequest(_message.Message):
    __slots__ = ("kms_key_id", "name")
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kms_key_id: str
    name: str
    def __init__(self, kms_key_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RegisterKmsEncryptionKeyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RegisterKmsSigningKeyRequest(_message.Message):
    __slots__ = ("kms_key_id", "usage", "name")
    KMS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kms_key_id: str
    usage: _console_value_pb2.Value
    name: str
    def __init__(self, kms_key_id: _Optional[str] = ..., usage: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., name: _Optional[str] = ...) -> None: ...

class RegisterKmsSigningKeyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RotateWrapperKeyRequest(_message.Message):
    __slots__ = ("new_wrapper_key_id",)
    NEW_WRAPPER_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    new_wrapper_key_id: str
    def __init__(self, new_wrapper_key_id: _Optional[str] = ...) -> None: ...

class RotateWrapperKeyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
