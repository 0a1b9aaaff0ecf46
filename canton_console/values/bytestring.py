"""Protobuf's ``ByteString`` as Canton's console prints it: opaque bytes that commands hand to other
commands (onboarding states, topology snapshots), shown by size and a prefix of their contents."""

from __future__ import annotations

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
        return Literal(f'<ByteString@{id(self) & 0xFFFFFFFF:x} size={len(self)} contents="{escaped}{more}">')
