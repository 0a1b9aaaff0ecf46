from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IdentityProviderConfigCreateRequest(_message.Message):
    __slots__ = ("identity_provider_id", "is_deactivated", "jwks_url", "issuer", "audience")
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEACTIVATED_FIELD_NUMBER: _ClassVar[int]
    JWKS_URL_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    identity_provider_id: str
    is_deactivated: bool
    jwks_url: str
    issuer: str
    audience: _console_value_pb2.Value
    def __init__(self, identity_provider_id: _Optional[str] = ..., is_deactivated: _Optional[bool] = ..., jwks_url: _Optional[str] = ..., issuer: _Optional[str] = ..., audience: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigCreateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigDeleteRequest(_message.Message):
    __slots__ = ("identity_provider_id",)
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    identity_provider_id: str
    def __init__(self, identity_provider_id: _Optional[str] = ...) -> None: ...

class IdentityProviderConfigDeleteResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigGetRequest(_message.Message):
    __slots__ = ("identity_provider_id",)
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    identity_provider_id: str
    def __init__(self, identity_provider_id: _Optional[str] = ...) -> None: ...

class IdentityProviderConfigGetResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigListRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IdentityProviderConfigListResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigUpdateRequest(_message.Message):
    __slots__ = ("identity_provider_id", "is_deactivated", "jwks_url", "issuer", "audience", "update_mask")
    IDENTITY_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEACTIVATED_FIELD_NUMBER: _ClassVar[int]
    JWKS_URL_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    identity_provider_id: str
    is_deactivated: bool
    jwks_url: str
    issuer: str
    audience: _console_value_pb2.Value
    update_mask: _console_value_pb2.Value
    def __init__(self, identity_provider_id: _Optional[str] = ..., is_deactivated: _Optional[bool] = ..., jwks_url: _Optional[str] = ..., issuer: _Optional[str] = ..., audience: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., update_mask: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityProviderConfigUpdateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
