from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AllocateExternalRequest(_message.Message):
    __slots__ = ("synchronizer_id", "transactions", "multi_signatures", "timeout_micros")
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    MULTI_SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MICROS_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    transactions: _console_value_pb2.Value
    multi_signatures: _console_value_pb2.Value
    timeout_micros: int
    def __init__(self, synchronizer_id: _Optional[str] = ..., transactions: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., multi_signatures: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., timeout_micros: _Optional[int] = ...) -> None: ...

class AllocateExternalResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateTopologyRequest(_message.Message):
    __slots__ = ("synchronizer_id", "party_hint", "public_key_hex", "local_participant_observation_only", "other_confirming_participants", "confirmation_threshold", "observing_participants")
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_HINT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_HEX_FIELD_NUMBER: _ClassVar[int]
    LOCAL_PARTICIPANT_OBSERVATION_ONLY_FIELD_NUMBER: _ClassVar[int]
    OTHER_CONFIRMING_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    OBSERVING_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    party_hint: str
    public_key_hex: str
    local_participant_observation_only: bool
    other_confirming_participants: _console_value_pb2.Value
    confirmation_threshold: int
    observing_participants: _console_value_pb2.Value
    def __init__(self, synchronizer_id: _Optional[str] = ..., party_hint: _Optional[str] = ..., public_key_hex: _Optional[str] = ..., local_participant_observation_only: _Optional[bool] = ..., other_confirming_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., confirmation_threshold: _Optional[int] = ..., observing_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class GenerateTopologyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
