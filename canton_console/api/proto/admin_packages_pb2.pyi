from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DarRequest(_message.Message):
    __slots__ = ("main_package_id",)
    MAIN_PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    main_package_id: str
    def __init__(self, main_package_id: _Optional[str] = ...) -> None: ...

class DarResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class DarContentsRequest(_message.Message):
    __slots__ = ("main_package_id",)
    MAIN_PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    main_package_id: str
    def __init__(self, main_package_id: _Optional[str] = ...) -> None: ...

class DarContentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HasPackageRequest(_message.Message):
    __slots__ = ("package_id",)
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    def __init__(self, package_id: _Optional[str] = ...) -> None: ...

class HasPackageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListDarsRequest(_message.Message):
    __slots__ = ("filter_name", "limit")
    FILTER_NAME_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filter_name: str
    limit: _console_value_pb2.Value
    def __init__(self, filter_name: _Optional[str] = ..., limit: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListDarsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPackagesRequest(_message.Message):
    __slots__ = ("filter_name", "limit")
    FILTER_NAME_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filter_name: str
    limit: _console_value_pb2.Value
    def __init__(self, filter_name: _Optional[str] = ..., limit: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListPackagesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PackageContentsRequest(_message.Message):
    __slots__ = ("package_id",)
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    def __init__(self, package_id: _Optional[str] = ...) -> None: ...

class PackageContentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PackageReferencesRequest(_message.Message):
    __slots__ = ("package_id",)
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    def __init__(self, package_id: _Optional[str] = ...) -> None: ...

class PackageReferencesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RemoveDarRequest(_message.Message):
    __slots__ = ("main_package_id",)
    MAIN_PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    main_package_id: str
    def __init__(self, main_package_id: _Optional[str] = ...) -> None: ...

class RemoveDarResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RemovePackageRequest(_message.Message):
    __slots__ = ("package_id", "force")
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    force: bool
    def __init__(self, package_id: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class RemovePackageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UnvetDarRequest(_message.Message):
    __slots__ = ("main_package_id",)
    MAIN_PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    main_package_id: str
    def __init__(self, main_package_id: _Optional[str] = ...) -> None: ...

class UnvetDarResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class UploadRequest(_message.Message):
    __slots__ = ("uploads", "vet_all_packages", "synchronize_vetting", "timeout_micros")
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    VET_ALL_PACKAGES_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZE_VETTING_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    uploads: _console_value_pb2.Value
    vet_all_packages: bool
    synchronize_vetting: bool
    timeout_micros: int
    def __init__(self, uploads: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., vet_all_packages: _Optional[bool] = ..., synchronize_vetting: _Optional[bool] = ..., timeout_micros: _Optional[int] = ...) -> None: ...

class UploadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ValidateRequest(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class ValidateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class VetDarRequest(_message.Message):
    __slots__ = ("main_package_id", "synchronize", "timeout_micros")
    MAIN_PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZE_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    main_package_id: str
    synchronize: bool
    timeout_micros: int
    def __init__(self, main_package_id: _Optional[str] = ..., synchronize: _Optional[bool] = ..., timeout_micros: _Optional[int] = ...) -> None: ...

class VetDarResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class WaitVettingObservedRequest(_message.Message):
    __slots__ = ("timeout_micros",)
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    timeout_micros: int
    def __init__(self, timeout_micros: _Optional[int] = ...) -> None: ...

class WaitVettingObservedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
