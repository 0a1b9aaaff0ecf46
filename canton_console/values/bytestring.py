"""Protobuf's ``ByteString`` as Canton's console prints it: opaque bytes that commands hand to other
commands (onboarding states, topology snapshots), shown by size and a prefix of their contents."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from canton_console.pretty import Literal, Tree

PREVIEW = 40  # contents shown before "..."


class ByteString(bytes):
    canton_type: ClassVar[str] = "ByteString"

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:  # noqa: N802 - protobuf's name
        return not self

    def toByteArray(self) -> bytes:  # noqa: N802 - protobuf's name
        return bytes(self)

    def __pretty__(self) -> Tree:
        shown = bytes(self[:PREVIEW]).decode("latin-1")
        escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\{ord(c):03o}" for c in shown)
        more = "..." if len(self) > PREVIEW else ""
        # Java prints the object's identity hash there; a hash of the contents keeps transcripts stable
        ident = hashlib.sha256(self).hexdigest()[:8]
        return Literal(f'<ByteString@{ident} size={len(self)} contents="{escaped}{more}">')


class ByteStringCompanion:
    """``com.google.protobuf.ByteString``: ``copyFromUtf8(text)``, ``copyFrom(bytes)``, ``EMPTY``."""

    canton_type = "ByteString.type"

    EMPTY = ByteString(b"")

    def copyFromUtf8(self, text: str) -> ByteString:  # noqa: N802 - protobuf's name
        return ByteString(text.encode("utf-8"))

    def copyFrom(self, data: bytes | bytearray | list[int]) -> ByteString:  # noqa: N802 - protobuf's name
        return ByteString(bytes(data))

    def __repr__(self) -> str:
        return "ByteString"


BYTE_STRING = ByteStringCompanion()
