"""What members send each other through the sequencer: submissions, envelopes and sequenced events.

Payloads are the real serialized bytes of the protocol messages (canonical JSON: sorted keys, no
spaces). Traffic costs are computed from exactly these sizes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any

import attrs
import orjson

# Group recipients, as Canton names them.
MEDIATOR_GROUP_0 = "MediatorGroupRecipient(0)"
ALL_MEMBERS = "AllMembersOfSynchronizer"
SEQUENCERS = "SequencersOfSynchronizer"
GROUPS = frozenset({MEDIATOR_GROUP_0, ALL_MEMBERS, SEQUENCERS})


def _recipients(recipients: Iterable[str]) -> tuple[str, ...]:
    return tuple(recipients)


def _envelopes(envelopes: Iterable[Envelope]) -> tuple[Envelope, ...]:
    return tuple(envelopes)


def encode(message: dict[str, Any]) -> bytes:
    """The canonical bytes of a message: compact JSON with sorted keys, ASCII only.

    Written by orjson, a tenth of the standard encoder's cost (every payload is encoded at least
    once and signed); its bytes are those of ``json.dumps(message, sort_keys=True, separators=(",",
    ":"))`` for strings, ints, lists, dicts, booleans and null. Floats are written in their shortest
    round-trip form (``1e16``, ``0.00001``), NaN and infinities as null. Where orjson cannot write a
    message exactly the standard encoder does: non-ASCII text (orjson leaves it unescaped), ints
    beyond 64 bits and non-string keys (orjson refuses them)."""
    try:
        out = orjson.dumps(message, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _standard_encode(message)
    return out if out.isascii() else _standard_encode(message)


def _standard_encode(message: Any) -> bytes:
    return json.dumps(message, sort_keys=True, separators=(",", ":")).encode()


_decode_text = json.JSONDecoder().decode


def decode(payload: bytes) -> dict[str, Any]:
    """The message of a payload, read by orjson where it can. An int beyond 64 bits would come back as
    a float: no message holds one (Daml ints are 64-bit; hashes and commitments travel as hex)."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        pass  # what orjson refuses and the standard decoder reads: lone surrogates, NaN
    if payload[:1] == b"{":
        # ``encode``'s output (ASCII): no need to detect the encoding, as json.loads does for bytes
        return _decode_text(payload.decode("utf-8", "surrogatepass"))
    return json.loads(payload)


@attrs.frozen
class Envelope:
    """A payload and who it is for: member ids (``PAR::…``) and group names."""

    payload: bytes
    recipients: tuple[str, ...] = attrs.field(converter=_recipients)

    @property
    def message(self) -> dict[str, Any]:
        return decode(self.payload)

    @property
    def type(self) -> str:
        return self.message["type"]


@attrs.frozen
class SubmissionRequest:
    sender: str
    message_id: str
    envelopes: tuple[Envelope, ...] = attrs.field(converter=_envelopes)
    kind: str = "send"  # confirmation-request | confirmation-response | verdict | topology | top-up
    max_sequencing_time: int | None = None
    # Top-ups: the identical message from ``threshold`` sequencers is delivered once (AggregationRule).
    aggregation_id: str | None = None
    aggregation_threshold: int = 1


# Without slots: attrs then builds a frozen instance by filling its __dict__, about a third faster
# than setting each slot, and every sequenced event makes one or two of these (short-lived) objects.
@attrs.frozen(slots=False)
class SequencedEvent:
    """An event of the total order as one member receives it: only its envelopes."""

    synchronizer_id: str
    timestamp: int
    sender: str
    message_id: str
    envelopes: tuple[Envelope, ...]
    error: str | None = None  # a DeliverError for the sender (e.g. not enough traffic)

    def messages(self) -> list[dict[str, Any]]:
        return [e.message for e in self.envelopes]


# recipients -> their JSON list's items; recipient lists repeat (a group, the same counterparties)
_RECIPIENTS_JSON: dict[tuple[str, ...], str] = {}


def encode_batch(envelopes: tuple[Envelope, ...]) -> bytes:
    # Byte for byte ``encode({"envelopes": [[payload text, recipients], ...]})``, built directly:
    # every sequenced event is encoded so, and the generic encoder costs several times this.
    if len(envelopes) == 1:  # most events
        e = envelopes[0]
        return f'{{"envelopes":[[{_json_string(e.payload.decode())},[{_recipients_json(e.recipients)}]]]}}'.encode()
    parts = [f"[{_json_string(e.payload.decode())},[{_recipients_json(e.recipients)}]]" for e in envelopes]
    return ('{"envelopes":[' + ",".join(parts) + "]}").encode()


def _recipients_json(recipients: tuple[str, ...]) -> str:
    """The items of the recipients' JSON list, kept: recipient lists repeat (a group, the same counterparties)."""
    text = _RECIPIENTS_JSON.get(recipients)
    if text is None:
        if len(_RECIPIENTS_JSON) >= 4096:  # only a cache
            _RECIPIENTS_JSON.clear()
        text = _RECIPIENTS_JSON[recipients] = ",".join(_json_string(r) for r in recipients)
    return text


def decode_batch(blob: bytes) -> tuple[Envelope, ...]:
    data = decode(blob)
    return tuple(Envelope(p.encode(), tuple(r)) for p, r in data["envelopes"])
