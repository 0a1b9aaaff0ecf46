"""Keys and fingerprints: the runtime's signing keys and how fingerprints are computed.

A node's namespace is the fingerprint of its Ed25519 root key: ``1220`` (the multihash prefix of
SHA-256) followed by the hex SHA-256 of the public key. The id types built on fingerprints
(``UniqueIdentifier``, ``ParticipantId``, ``PartyId`` ...) are values: ``canton_console.values.ids``.
"""

from __future__ import annotations

import hashlib

from canton_console.values.ids import FINGERPRINT_PREFIX


def fingerprint_of(public_key: bytes) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(public_key).hexdigest()


class SigningKey:
    """An Ed25519 signing key; the cryptography import is deferred to keep start-up quick."""

    __slots__ = ("_private", "fingerprint", "private_bytes", "public_bytes")

    def __init__(self, private_bytes: bytes):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.private_bytes = private_bytes
        self._private = Ed25519PrivateKey.from_private_bytes(private_bytes)
        self.public_bytes = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.fingerprint = fingerprint_of(self.public_bytes)

    @classmethod
    def generate(cls) -> SigningKey:
        import os

        return cls(os.urandom(32))

    @classmethod
    def static_for(cls, name: str) -> SigningKey:
        """A key derived from a node name, for reproducible documentation runs (static identities)."""
        return cls(hashlib.sha256(b"canton-console static identity/" + name.encode()).digest())

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
        return True
    except (InvalidSignature, ValueError):
        return False


def decentralized_namespace(owner_fingerprints: list[str], threshold: int | None = None) -> str:
    """The namespace of a decentralized namespace as Canton computes it (see
    :func:`canton_console.values.topology.decentralized_namespace_of`); the threshold does not
    enter it (the parameter is accepted for callers that pass it)."""
    from canton_console.values.topology import decentralized_namespace_of

    return decentralized_namespace_of(owner_fingerprints)
