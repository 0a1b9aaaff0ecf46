from canton_console.api.proto import console_value_pb2 as _console_value_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssignFromGenesisStateRequest(_message.Message):
    __slots__ = ("genesis", "static")
    GENESIS_FIELD_NUMBER: _ClassVar[int]
    STATIC_FIELD_NUMBER: _ClassVar[int]
    genesis: _console_value_pb2.Value
    static: _console_value_pb2.Value
    def __init__(self, genesis: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ..., static: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class AssignFromGenesisStateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class AssignFromOnboardingStateRequest(_message.Message):
    __slots__ = ("onboarding_state",)
    ONBOARDING_STATE_FIELD_NUMBER: _ClassVar[int]
    onboarding_state: bytes
    def __init__(self, onboarding_state: _Optional[bytes] = ...) -> None: ...

class AssignFromOnboardingStateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...

class OnboardingStateForSequencerRequest(_message.Message):
    __slots__ = ("sequencer_id",)
    SEQUENCER_ID_FIELD_NUMBER: _ClassVar[int]
    sequencer_id: str
    def __init__(self, sequencer_id: _Optional[str] = ...) -> None: ...

class OnboardingStateForSequencerResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _console_value_pb2.Value
    def __init__(self, result: _Optional[_Union[_console_value_pb2.Value, _Mapping]] = ...) -> None: ...
