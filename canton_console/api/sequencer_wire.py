"""The sequencer's public API on the wire: our values to and from its protobuf messages (failures
cross as every API's do: :mod:`canton_console.api.failures`)."""

from __future__ import annotations

import json
from typing import Any

from canton_console.api.proto import sequencer_service_pb2 as pb
from canton_console.values import topology
from canton_console.values.messages import Envelope, SequencedEvent, SubmissionRequest
from canton_console.values.traffic import TrafficState


# ---- values ----------------------------------------------------------------------------------
def envelope_to_proto(e: Envelope) -> pb.Envelope:
    return pb.Envelope(content=e.payload, recipients=list(e.recipients))


def envelope_from_proto(p: pb.Envelope) -> Envelope:
    return Envelope(p.content, tuple(p.recipients))


def submission_to_proto(r: SubmissionRequest) -> pb.SubmissionRequest:
    msg = pb.SubmissionRequest(
        sender=r.sender,
        message_id=r.message_id,
        envelopes=[envelope_to_proto(e) for e in r.envelopes],
        kind=r.kind,
        aggregation_threshold=r.aggregation_threshold,
    )
    if r.max_sequencing_time is not None:
        msg.max_sequencing_time = r.max_sequencing_time
    if r.aggregation_id is not None:
        msg.aggregation_id = r.aggregation_id
    return msg


def submission_from_proto(p: pb.SubmissionRequest) -> SubmissionRequest:
    return SubmissionRequest(
        p.sender,
        p.message_id,
        tuple(envelope_from_proto(e) for e in p.envelopes),
        kind=p.kind or "send",
        max_sequencing_time=p.max_sequencing_time if p.HasField("max_sequencing_time") else None,
        aggregation_id=p.aggregation_id if p.HasField("aggregation_id") else None,
        aggregation_threshold=p.aggregation_threshold or 1,
    )


def submission_to_bytes(r: SubmissionRequest) -> bytes:
    """A submission as the public API carries it (also how sequencer processes sharing one order
    store the submissions they accepted)."""
    return submission_to_proto(r).SerializeToString()


def submission_from_bytes(data: bytes) -> SubmissionRequest:
    return submission_from_proto(pb.SubmissionRequest.FromString(data))


def traffic_to_proto(t: TrafficState) -> pb.TrafficState:
    msg = pb.TrafficState(
        extra_traffic_purchased=t.extraTrafficPurchased,
        extra_traffic_consumed=t.extraTrafficConsumed,
        base_traffic_remainder=t.baseTrafficRemainder,
        last_consumed_cost=t.lastConsumedCost,
        timestamp=t.timestamp,
    )
    if t.serial is not None:
        msg.serial = t.serial
    return msg


def traffic_from_proto(p: pb.TrafficState) -> TrafficState:
    return TrafficState(
        p.extra_traffic_purchased,
        p.extra_traffic_consumed,
        p.base_traffic_remainder,
        p.last_consumed_cost,
        p.timestamp,
        p.serial if p.HasField("serial") else None,
    )


def event_to_proto(e: SequencedEvent, receipt: TrafficState | None = None) -> pb.SequencedEvent:
    msg = pb.SequencedEvent(
        synchronizer_id=e.synchronizer_id,
        timestamp=e.timestamp,
        sender=e.sender,
        message_id=e.message_id,
        envelopes=[envelope_to_proto(x) for x in e.envelopes],
    )
    if e.error is not None:
        msg.error = e.error
    if receipt is not None:
        msg.traffic_receipt.CopyFrom(traffic_to_proto(receipt))
    return msg


def event_from_proto(p: pb.SequencedEvent) -> tuple[SequencedEvent, TrafficState | None]:
    event = SequencedEvent(
        p.synchronizer_id,
        p.timestamp,
        p.sender,
        p.message_id,
        tuple(envelope_from_proto(e) for e in p.envelopes),
        p.error if p.HasField("error") else None,
    )
    return event, (traffic_from_proto(p.traffic_receipt) if p.HasField("traffic_receipt") else None)


def signed_to_bytes(signed: topology.SignedTopologyTransaction) -> bytes:
    return json.dumps(signed.to_dict(), sort_keys=True, separators=(",", ":")).encode()


def signed_from_bytes(data: bytes) -> topology.SignedTopologyTransaction:
    return topology.SignedTopologyTransaction.from_dict(json.loads(data))


def stored_to_proto(s: topology.StoredTransaction) -> pb.StoredTopologyTransaction:
    msg = pb.StoredTopologyTransaction(
        transaction=signed_to_bytes(s.signed), sequenced=s.sequenced, valid_from=s.valid_from, is_proposal=s.is_proposal
    )
    if s.valid_until is not None:
        msg.valid_until = s.valid_until
    return msg


def stored_from_proto(p: pb.StoredTopologyTransaction) -> topology.StoredTransaction:
    signed = signed_from_bytes(p.transaction)
    return topology.StoredTransaction(
        topology.SignedTopologyTransaction(signed.transaction, signed.signatures, p.is_proposal),
        p.sequenced,
        p.valid_from,
        p.valid_until if p.HasField("valid_until") else None,
        p.is_proposal,
    )


def static_parameters_to_bytes(params: dict[str, Any]) -> bytes:
    return json.dumps(params, sort_keys=True, separators=(",", ":")).encode()


def static_parameters_from_bytes(data: bytes) -> dict[str, Any]:
    return json.loads(data)
