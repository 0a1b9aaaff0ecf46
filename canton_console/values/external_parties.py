"""What crosses the seam for external parties: a signature made outside the nodes, and a
transaction prepared for external signing (Canton 3.3's interactive submission), with its hash."""

from __future__ import annotations

import hashlib
from typing import Any

import attrs

from canton_console.values.messages import encode


@attrs.frozen
class ExternalSignature:
    """A signature made outside the nodes: who signed (a key's fingerprint) and the signature bytes."""

    signed_by: str
    signature: bytes


# The one hashing scheme of Canton 3.3's protocol version 33.
HASHING_SCHEME_VERSION = "HASHING_SCHEME_VERSION_V2"


@attrs.frozen
class PreparedSubmission:
    """A transaction prepared for external signing: the commands as interpreted (with the seed that
    makes the interpretation reproducible, its nodes encoded) and what the submission is. The hash
    the parties sign covers all of it."""

    act_as: tuple[str, ...]
    read_as: tuple[str, ...]
    commands: tuple[Any, ...]
    synchronizer_id: str
    command_id: str
    user_id: str
    seed: str
    nodes: bytes

    def hash(self) -> bytes:
        """The transaction's hash (SHA-256, the 32 bytes the parties sign)."""
        body = {
            "hashing_scheme_version": HASHING_SCHEME_VERSION,
            "act_as": list(self.act_as),
            "read_as": list(self.read_as),
            "commands": [{"kind": type(c).__name__, **attrs.asdict(c)} for c in self.commands],
            "synchronizer_id": self.synchronizer_id,
            "command_id": self.command_id,
            "user_id": self.user_id,
            "seed": self.seed,
            "nodes": self.nodes.decode(),
        }
        return hashlib.sha256(encode(body)).digest()
