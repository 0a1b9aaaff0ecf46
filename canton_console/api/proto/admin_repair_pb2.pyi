from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportAcsRequest(_message.Message):
    __slots__ = ("parties", "synchronizer_id", "ledger_offset", "renames")
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_OFFSET_FIELD_NUMBER: _ClassVar[int]
    RENAMES_FIELD_NUMBER: _ClassVar[int]
    parties: _console_value_pb2.Value
    synchronizer_id: _console_value_pb2.Value
    ledger_offset: int
    renames: _console_value_pb2.Value
    def __init__(self, parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_id: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., ledger_offset: _Optional[int] = ..., renames: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ExportAcsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ExportAcsAtTimestampRequest(_message.Message):
    __slots__ = ("parties", "synchronizer_id", "effective_time")
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    parties: _console_value_pb2.Value
    synchronizer_id: str
    effective_time: int
    def __init__(self, parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_id: _Optional[str] = ..., effective_time: _Optional[int] = ...) -> None: ...

class ExportAcsAtTimestampResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HighestOffsetByTimestampRequest(_message.Message):
    __slots__ = ("synchronizer_id", "timestamp", "force")
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    timestamp: int
    force: bool
    def __init__(self, synchronizer_id: _Optional[str] = ..., timestamp: _Optional[int] = ..., force: _Optional[bool] = ...) -> None: ...

class HighestOffsetByTimestampResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class HostingChangeOffsetsRequest(_message.Message):
    __slots__ = ("party", "participant", "synchronizer_id", "kind", "begin_exclusive")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BEGIN_EXCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    party: str
    participant: str
    synchronizer_id: str
    kind: str
    begin_exclusive: int
    def __init__(self, party: _Optional[str] = ..., participant: _Optional[str] = ..., synchronizer_id: _Optional[str] = ..., kind: _Optional[str] = ..., begin_exclusive: _Optional[int] = ...) -> None: ...

class HostingChangeOffsetsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ImportAcsRequest(_message.Message):
    __slots__ = ("data", "workflow_id_prefix", "contract_id_import_mode")
    DATA_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_PREFIX_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_IMPORT_MODE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    workflow_id_prefix: str
    contract_id_import_mode: str
    def __init__(self, data: _Optional[bytes] = ..., workflow_id_prefix: _Optional[str] = ..., contract_id_import_mode: _Optional[str] = ...) -> None: ...

class ImportAcsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class PurgeRequest(_message.Message):
    __slots__ = ("synchronizer_alias", "contract_ids", "ignore_already_purged")
    SYNCHRONIZER_ALIAS_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_IDS_FIELD_NUMBER: _ClassVar[int]
    IGNORE_ALREADY_PURGED_FIELD_NUMBER: _ClassVar[int]
    synchronizer_alias: str
    contract_ids: _console_value_pb2.Value
    ignore_already_purged: bool
    def __init__(self, synchronizer_alias: _Optional[str] = ..., contract_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., ignore_already_purged: _Optional[bool] = ...) -> None: ...

class PurgeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
