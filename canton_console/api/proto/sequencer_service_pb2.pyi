from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Envelope(_message.Message):
    __slots__ = ("content", "recipients")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    recipients: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, content: _Optional[bytes] = ..., recipients: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmissionRequest(_message.Message):
    __slots__ = ("sender", "message_id", "envelopes", "kind", "max_sequencing_time", "aggregation_id", "aggregation_threshold")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ENVELOPES_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MAX_SEQUENCING_TIME_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    sender: str
    message_id: str
    envelopes: _containers.RepeatedCompositeFieldContainer[Envelope]
    kind: str
    max_sequencing_time: int
    aggregation_id: str
    aggregation_threshold: int
    def __init__(self, sender: _Optional[str] = ..., message_id: _Optional[str] = ..., envelopes: _Optional[_Iterable[_Union[Envelope, _Mapping]]] = ..., kind: _Optional[str] = ..., max_sequencing_time: _Optional[int] = ..., aggregation_id: _Optional[str] = ..., aggregation_threshold: _Optional[int] = ...) -> None: ...

class SendAsyncRequest(_message.Message):
    __slots__ = ("submission_request",)
    SUBMISSION_REQUEST_FIELD_NUMBER: _ClassVar[int]
    submission_request: SubmissionRequest
    def __init__(self, submission_request: _Optional[_Union[SubmissionRequest, _Mapping]] = ...) -> None: ...

class SendAsyncResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SendAsyncStreamResponse(_message.Message):
    __slots__ = ("failure", "taken")
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    TAKEN_FIELD_NUMBER: _ClassVar[int]
    failure: bytes
    taken: int
    def __init__(self, failure: _Optional[bytes] = ..., taken: _Optional[int] = ...) -> None: ...

class SubscriptionRequestV2(_message.Message):
    __slots__ = ("member", "timestamp")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    member: str
    timestamp: int
    def __init__(self, member: _Optional[str] = ..., timestamp: _Optional[int] = ...) -> None: ...

class TrafficState(_message.Message):
    __slots__ = ("extra_traffic_purchased", "extra_traffic_consumed", "base_traffic_remainder", "last_consumed_cost", "timestamp", "serial")
    EXTRA_TRAFFIC_PURCHASED_FIELD_NUMBER: _ClassVar[int]
    EXTRA_TRAFFIC_CONSUMED_FIELD_NUMBER: _ClassVar[int]
    BASE_TRAFFIC_REMAINDER_FIELD_NUMBER: _ClassVar[int]
    LAST_CONSUMED_COST_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SERIAL_FIELD_NUMBER: _ClassVar[int]
    extra_traffic_purchased: int
    extra_traffic_consumed: int
    base_traffic_remainder: int
    last_consumed_cost: int
    timestamp: int
    serial: int
    def __init__(self, extra_traffic_purchased: _Optional[int] = ..., extra_traffic_consumed: _Optional[int] = ..., base_traffic_remainder: _Optional[int] = ..., last_consumed_cost: _Optional[int] = ..., timestamp: _Optional[int] = ..., serial: _Optional[int] = ...) -> None: ...

class SequencedEvent(_message.Message):
    __slots__ = ("synchronizer_id", "timestamp", "sender", "message_id", "envelopes", "error", "traffic_receipt")
    SYNCHRONIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ENVELOPES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_RECEIPT_FIELD_NUMBER: _ClassVar[int]
    synchronizer_id: str
    timestamp: int
    sender: str
    message_id: str
    envelopes: _containers.RepeatedCompositeFieldContainer[Envelope]
    error: str
    traffic_receipt: TrafficState
    def __init__(self, synchronizer_id: _Optional[str] = ..., timestamp: _Optional[int] = ..., sender: _Optional[str] = ..., message_id: _Optional[str] = ..., envelopes: _Optional[_Iterable[_Union[Envelope, _Mapping]]] = ..., error: _Optional[str] = ..., traffic_receipt: _Optional[_Union[TrafficState, _Mapping]] = ...) -> None: ...

class StoredTopologyTransaction(_message.Message):
    __slots__ = ("transaction", "sequenced", "valid_from", "valid_until", "is_proposal")
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    SEQUENCED_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    IS_PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    transaction: bytes
    sequenced: int
    valid_from: int
    valid_until: int
    is_proposal: bool
    def __init__(self, transaction: _Optional[bytes] = ..., sequenced: _Optional[int] = ..., valid_from: _Optional[int] = ..., valid_until: _Optional[int] = ..., is_proposal: _Optional[bool] = ...) -> None: ...

class SubscriptionResponse(_message.Message):
    __slots__ = ("signed_sequenced_event", "topology_transactions", "topology_reset", "following_sequenced_events")
    SIGNED_SEQUENCED_EVENT_FIELD_NUMBER: _ClassVar[int]
    TOPOLOGY_TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    TOPOLOGY_RESET_FIELD_NUMBER: _ClassVar[int]
    FOLLOWING_SEQUENCED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    signed_sequenced_event: SequencedEvent
    topology_transactions: _containers.RepeatedCompositeFieldContainer[StoredTopologyTransaction]
    topology_reset: bool
    following_sequenced_events: _containers.RepeatedCompositeFieldContainer[SequencedEvent]
    def __init__(self, signed_sequenced_event: _Optional[_Union[SequencedEvent, _Mapping]] = ..., topology_transactions: _Optional[_Iterable[_Union[StoredTopologyTransaction, _Mapping]]] = ..., topology_reset: _Optional[bool] = ..., following_sequenced_events: _Optional[_Iterable[_Union[SequencedEvent, _Mapping]]] = ...) -> None: ...

class AcknowledgeRequest(_message.Message):
    __slots__ = ("member", "timestamp")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    member: str
    timestamp: int
    def __init__(self, member: _Optional[str] = ..., timestamp: _Optional[int] = ...) -> None: ...

class AcknowledgeSignedRequest(_message.Message):
    __slots__ = ("acknowledge_request",)
    ACKNOWLEDGE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    acknowledge_request: AcknowledgeRequest
    def __init__(self, acknowledge_request: _Optional[_Union[AcknowledgeRequest, _Mapping]] = ...) -> None: ...

class AcknowledgeSignedResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DownloadTopologyStateForInitRequest(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: str
    def __init__(self, member: _Optional[str] = ...) -> None: ...

class DownloadTopologyStateForInitResponse(_message.Message):
    __slots__ = ("topology_transactions",)
    TOPOLOGY_TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    topology_transactions: _containers.RepeatedCompositeFieldContainer[StoredTopologyTransaction]
    def __init__(self, topology_transactions: _Optional[_Iterable[_Union[StoredTopologyTransaction, _Mapping]]] = ...) -> None: ...

class GetTrafficStateForMemberRequest(_message.Message):
    __slots__ = ("member", "timestamp")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    member: str
    timestamp: int
    def __init__(self, member: _Optional[str] = ..., timestamp: _Optional[int] = ...) -> None: ...

class GetTrafficStateForMemberResponse(_message.Message):
    __slots__ = ("traffic_state",)
    TRAFFIC_STATE_FIELD_NUMBER: _ClassVar[int]
    traffic_state: TrafficState
    def __init__(self, traffic_state: _Optional[_Union[TrafficState, _Mapping]] = ...) -> None: ...
