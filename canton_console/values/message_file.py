"""Messages in files, as ``utils.write_to_file`` and ``utils.read_*_from_file`` keep them.

Canton writes protobuf messages length-delimited (``writeDelimitedTo``: a varint length, then the
message). This console's messages are its own values (the Ledger API's Completion, Transaction,
UpdateFormat ...), so a record holds the value's own encoding: JSON naming the message type and
its fields, recursively. Only the message types given to :class:`MessageCodec` are written and
read back; anything else is refused by name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs

from canton_console.values.bytestring import ByteString
from canton_console.values.scala import Option, ScalaLong, ScalaMap, ScalaSet, Seq, TypedVector, Vector


class NotAMessage(TypeError):
    """A value this console cannot write as a message."""


class MalformedMessages(ValueError):
    """File contents that are not messages this console wrote (protobuf's InvalidProtocolBufferException)."""


TRUNCATED = (
    "While parsing a protocol message, the input ended unexpectedly in the middle of a field.  This could mean either "
    "that the input has been truncated or that an embedded message misreported its own length."
)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def split_delimited(data: bytes) -> list[bytes]:
    """The length-delimited records of ``data`` (protobuf's ``parseDelimitedFrom``, repeated)."""
    records, i = [], 0
    while i < len(data):
        length, shift = 0, 0
        while True:
            if i >= len(data):
                raise MalformedMessages(TRUNCATED)
            byte = data[i]
            i += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
            if shift > 63:
                raise MalformedMessages("CodedInputStream encountered a malformed varint.")
        if i + length > len(data):
            raise MalformedMessages(TRUNCATED)
        records.append(data[i : i + length])
        i += length
    return records


@attrs.frozen
class MessageCodec:
    """Encodes and decodes the messages of the given types (by their Canton names) and the named
    constants (singletons such as scalapb's ``Empty``)."""

    types: tuple[tuple[str, type], ...]
    constants: tuple[tuple[str, Any], ...] = ()
    strings: tuple[tuple[str, type], ...] = ()  # str subclasses (enum values)

    def _name_of(self, value: Any) -> str | None:
        for name, cls in self.types:
            if type(value) is cls:
                return name
        return None

    def is_message(self, value: Any) -> bool:
        return self._name_of(value) is not None

    # ---- encoding -------------------------------------------------------------------------------
    def _enc(self, value: Any) -> Any:
        for name, const in self.constants:
            if value is const:
                return {"$": name}
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, ScalaLong):
            return {"$": "Long", "v": int(value)}
        if isinstance(value, str):
            for name, cls in self.strings:
                if type(value) is cls:
                    return {"$": name, "v": str(value)}
            raise NotAMessage(f"a {type(value).__name__} (text of a kind this console does not write)")
        if isinstance(value, ByteString):
            return {"$": "ByteString", "v": bytes(value).hex()}
        if isinstance(value, Option):
            return {"$": "Option", "v": [self._enc(value.get)] if value.isDefined else []}
        if isinstance(value, dict):
            kind = "Map" if isinstance(value, ScalaMap) else "dict"
            return {"$": kind, "v": [[self._enc(k), self._enc(v)] for k, v in value.items()]}
        if isinstance(value, TypedVector):
            return {"$": "TypedVector", "t": value.element_type, "v": [self._enc(v) for v in value]}
        for kind, cls in (("Vector", Vector), ("Set", ScalaSet), ("Seq", Seq), ("tuple", tuple), ("list", list)):
            if isinstance(value, cls):
                return {"$": kind, "v": [self._enc(v) for v in value]}
        message_name = self._name_of(value)
        if message_name is None or not attrs.has(type(value)):
            raise NotAMessage(f"a {getattr(value, 'canton_type', type(value).__name__)}")
        return {"$": message_name, "f": {f.name: self._enc(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.init}}

    def encode(self, messages: Iterable[Any]) -> bytes:
        """The delimited records of ``messages`` (NotAMessage for a value of another type)."""
        out = bytearray()
        for message in messages:
            if not self.is_message(message):
                raise NotAMessage(f"a {getattr(message, 'canton_type', type(message).__name__)}")
            payload = json.dumps(self._enc(message), separators=(",", ":")).encode()
            out += _varint(len(payload)) + payload
        return bytes(out)

    # ---- decoding -------------------------------------------------------------------------------
    def _dec(self, data: Any) -> Any:
        if not isinstance(data, dict):
            if isinstance(data, list):
                raise MalformedMessages("Protocol message had an unexpected list.")
            return data
        kind = data.get("$")
        items: Any = data.get("v")
        for name, const in self.constants:
            if kind == name:
                return const
        for name, cls in self.strings:
            if kind == name:
                return cls(items)
        if kind == "Long":
            return ScalaLong(items)
        if kind == "ByteString":
            return ByteString(bytes.fromhex(items))
        if kind == "Option":
            return Option(self._dec(items[0]), True) if items else Option()
        if kind in ("Map", "dict"):
            pairs = [(self._dec(k), self._dec(v)) for k, v in items]
            return ScalaMap(pairs) if kind == "Map" else dict(pairs)
        if kind == "TypedVector":
            return TypedVector(data["t"], *[self._dec(v) for v in items])
        sequences = {"Vector": Vector, "Set": ScalaSet, "Seq": Seq}
        if kind in sequences:
            return sequences[kind](*[self._dec(v) for v in items])
        if kind in ("tuple", "list"):
            decoded = [self._dec(v) for v in items]
            return tuple(decoded) if kind == "tuple" else decoded
        for name, cls in self.types:
            if kind == name:
                try:
                    return cls(**{k: self._dec(v) for k, v in data.get("f", {}).items()})
                except TypeError as e:
                    raise MalformedMessages(f"Protocol message of type {name} is malformed: {e}") from None
        raise MalformedMessages(f"Protocol message of an unknown type: {kind!r}")

    def decode(self, data: bytes) -> list[Any]:
        """The messages of delimited records (MalformedMessages for anything else)."""
        result = []
        for record in split_delimited(data):
            try:
                parsed = json.loads(record.decode())
            except (UnicodeDecodeError, ValueError):
                raise MalformedMessages("Protocol message contained an invalid tag (zero).") from None
            try:
                result.append(self._dec(parsed))
            except (KeyError, TypeError, ValueError, IndexError) as e:
                if isinstance(e, MalformedMessages):
                    raise
                raise MalformedMessages(f"Protocol message is malformed: {e}") from None
        return result
