from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BufferedRequest(_message.Message):
    __slots__ = ("alias", "end_at_or_before")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    END_AT_OR_BEFORE_FIELD_NUMBER: _ClassVar[int]
    alias: str
    end_at_or_before: int
    def __init__(self, alias: _Optional[str] = ..., end_at_or_before: _Optional[int] = ...) -> None: ...

class BufferedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ComputedRequest(_message.Message):
    __slots__ = ("alias", "start", "end", "counter_participant")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    alias: str
    start: int
    end: int
    counter_participant: _console_value_pb2.Value
    def __init__(self, alias: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., counter_participant: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ComputedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class InspectCommitmentContractsRequest(_message.Message):
    __slots__ = ("contracts", "timestamp", "expected_synchronizer_id", "download_payload")
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    contracts: _console_value_pb2.Value
    timestamp: int
    expected_synchronizer_id: str
    download_payload: bool
    def __init__(self, contracts: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., timestamp: _Optional[int] = ..., expected_synchronizer_id: _Optional[str] = ..., download_payload: _Optional[bool] = ...) -> None: ...

class InspectCommitmentContractsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class IntervalsBehindRequest(_message.Message):
    __slots__ = ("counter_participants", "synchronizer_ids", "threshold")
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    counter_participants: _console_value_pb2.Value
    synchronizer_ids: _console_value_pb2.Value
    threshold: int
    def __init__(self, counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., threshold: _Optional[int] = ...) -> None: ...

class IntervalsBehindResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LastComputedAndSentRequest(_message.Message):
    __slots__ = ("alias",)
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: str
    def __init__(self, alias: _Optional[str] = ...) -> None: ...

class LastComputedAndSentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LookupReceivedRequest(_message.Message):
    __slots__ = ("ranges", "counter_participants", "states", "verbose")
    RANGES_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_FIELD_NUMBER: _ClassVar[int]
    ranges: _console_value_pb2.Value
    counter_participants: _console_value_pb2.Value
    states: _console_value_pb2.Value
    verbose: bool
    def __init__(self, ranges: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., states: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., verbose: _Optional[bool] = ...) -> None: ...

class LookupReceivedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class LookupSentRequest(_message.Message):
    __slots__ = ("ranges", "counter_participants", "states", "verbose")
    RANGES_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_FIELD_NUMBER: _ClassVar[int]
    ranges: _console_value_pb2.Value
    counter_participants: _console_value_pb2.Value
    states: _console_value_pb2.Value
    verbose: bool
    def __init__(self, ranges: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., states: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., verbose: _Optional[bool] = ...) -> None: ...

class LookupSentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class OpenCommitmentRequest(_message.Message):
    __slots__ = ("commitment", "synchronizer_id", "timestamp", "counter_participant")
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    commitment: str
    synchronizer_id: str
    timestamp: int
    counter_participant: str
    def __init__(self, commitment: _Optional[str] = ..., synchronizer_id: _Optional[str] = ..., timestamp: _Optional[int] = ..., counter_participant: _Optional[str] = ...) -> None: ...

class OpenCommitmentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class OutstandingRequest(_message.Message):
    __slots__ = ("alias", "start", "end", "counter_participant")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    alias: str
    start: int
    end: int
    counter_participant: _console_value_pb2.Value
    def __init__(self, alias: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., counter_participant: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class OutstandingResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ReceivedRequest(_message.Message):
    __slots__ = ("alias", "start", "end", "counter_participant")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    alias: str
    start: int
    end: int
    counter_participant: _console_value_pb2.Value
    def __init__(self, alias: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., counter_participant: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ReceivedResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ReinitializeRequest(_message.Message):
    __slots__ = ("synchronizer_ids", "counter_participants", "parties")
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    synchronizer_ids: _console_value_pb2.Value
    counter_participants: _console_value_pb2.Value
    parties: _console_value_pb2.Value
    def __init__(self, synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., parties: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class ReinitializeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetSlowConfigsRequest(_message.Message):
    __slots__ = ("configs",)
    CONFIGS_FIELD_NUMBER: _ClassVar[int]
    configs: _console_value_pb2.Value
    def __init__(self, configs: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetSlowConfigsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SetWaitRequest(_message.Message):
    __slots__ = ("counter_participants", "synchronizer_ids", "wait")
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    counter_participants: _console_value_pb2.Value
    synchronizer_ids: _console_value_pb2.Value
    wait: bool
    def __init__(self, counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., wait: _Optional[bool] = ...) -> None: ...

class SetWaitResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SlowConfigsRequest(_message.Message):
    __slots__ = ("synchronizer_ids",)
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    synchronizer_ids: _console_value_pb2.Value
    def __init__(self, synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class SlowConfigsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class WaitConfigRequest(_message.Message):
    __slots__ = ("synchronizer_ids", "counter_participants")
    SYNCHRONIZER_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNTER_PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    synchronizer_ids: _console_value_pb2.Value
    counter_participants: _console_value_pb2.Value
    def __init__(self, synchronizer_ids: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., counter_participants: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class WaitConfigResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
