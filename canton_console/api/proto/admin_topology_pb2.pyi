from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuthorizeRequest(_message.Message):
    __slots__ = ("store", "transaction_hash", "must_fully_authorize", "signed_by")
    STORE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_HASH_FIELD_NUMBER: _ClassVar[int]
    MUST_FULLY_AUTHORIZE_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    store: str
    transaction_hash: str
    must_fully_authorize: bool
    signed_by: _console_value_pb2.Value
    def __init__(self, store: _Optional[str] = ..., transaction_hash: _Optional[str] = ..., must_fully_authorize: _Optional[bool] = ..., signed_by: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class AuthorizeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class CreateTemporaryStoreRequest(_message.Message):
    __slots__ = ("name", "protocol_version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    protocol_version: int
    def __init__(self, name: _Optional[str] = ..., protocol_version: _Optional[int] = ...) -> None: ...

class CreateTemporaryStoreResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class DropTemporaryStoreRequest(_message.Message):
    __slots__ = ("store",)
    STORE_FIELD_NUMBER: _ClassVar[int]
    store: str
    def __init__(self, store: _Optional[str] = ...) -> None: ...

class DropTemporaryStoreResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HeadRequest(_message.Message):
    __slots__ = ("store", "code", "key")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    store: str
    code: str
    key: str
    def __init__(self, store: _Optional[str] = ..., code: _Optional[str] = ..., key: _Optional[str] = ...) -> None: ...

class HeadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HistoryRequest(_message.Message):
    __slots__ = ("store", "code")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    store: str
    code: _console_value_pb2.Value
    def __init__(self, store: _Optional[str] = ..., code: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HistoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IdentityTransactionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IdentityTransactionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IsIdleRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IsIdleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ListRequest(_message.Message):
    __slots__ = ("store", "code", "proposals", "removals")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    REMOVALS_FIELD_NUMBER: _ClassVar[int]
    store: str
    code: _console_value_pb2.Value
    proposals: bool
    removals: bool
    def __init__(self, store: _Optional[str] = ..., code: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., proposals: _Optional[bool] = ..., removals: _Optional[bool] = ...) -> None: ...

class ListResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LoadRequest(_message.Message):
    __slots__ = ("store", "transactions")
    STORE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    store: str
    transactions: _console_value_pb2.Value
    def __init__(self, store: _Optional[str] = ..., transactions: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LoadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class NowRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NowResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ProposeRequest(_message.Message):
    __slots__ = ("store", "mapping", "serial", "must_fully_authorize", "signed_by", "operation")
    STORE_FIELD_NUMBER: _ClassVar[int]
    MAPPING_FIELD_NUMBER: _ClassVar[int]
    SERIAL_FIELD_NUMBER: _ClassVar[int]
    MUST_FULLY_AUTHORIZE_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    store: str
    mapping: _console_value_pb2.Value
    serial: _console_value_pb2.Value
    must_fully_authorize: bool
    signed_by: _console_value_pb2.Value
    operation: str
    def __init__(self, store: _Optional[str] = ..., mapping: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., serial: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., must_fully_authorize: _Optional[bool] = ..., signed_by: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., operation: _Optional[str] = ...) -> None: ...

class ProposeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class RequireStoreRequest(_message.Message):
    __slots__ = ("store",)
    STORE_FIELD_NUMBER: _ClassVar[int]
    store: str
    def __init__(self, store: _Optional[str] = ...) -> None: ...

class RequireStoreResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SequencedStateRequest(_message.Message):
    __slots__ = ("store", "transaction")
    STORE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    store: str
    transaction: _console_value_pb2.Value
    def __init__(self, store: _Optional[str] = ..., transaction: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SequencedStateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SequencerStatesRequest(_message.Message):
    __slots__ = ("synchronizer_id",)
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: _console_value_pb2.Value
    def __init__(self, synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SequencerStatesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SerialOfRequest(_message.Message):
    __slots__ = ("store", "code", "key")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    store: str
    code: str
    key: str
    def __init__(self, store: _Optional[str] = ..., code: _Optional[str] = ..., key: _Optional[str] = ...) -> None: ...

class SerialOfResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SignRequest(_message.Message):
    __slots__ = ("transactions", "signed_by")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    transactions: _console_value_pb2.Value
    signed_by: _console_value_pb2.Value
    def __init__(self, transactions: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., signed_by: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SignResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class StoresRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StoresResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SynchronizerParametersRequest(_message.Message):
    __slots__ = ("synchronizer_id",)
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    def __init__(self, synchronizer_id: _Optional[str] = ...) -> None: ...

class SynchronizerParametersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
