"""Keys, fingerprints and Canton's identifiers.

A node's namespace is the fingerprint of its Ed25519 root key: ``1220`` (the multihash prefix of
SHA-256) followed by the hex SHA-256 of the public key. Identifiers are ``name::fingerprint``;
members carry a type prefix (``PAR::``, ``MED::``, ``SEQ::``). Pretty output shortens fingerprints
to 12 characters and ``...``, as Canton does.
"""

from __future__ import annotations

import hashlib

import attrs

from canton_console.pretty import Literal

FINGERPRINT_PREFIX = "1220"
SHORT = 12


def fingerprint_of(public_key: bytes) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(public_key).hexdigest()


def short_fingerprint(fp: str) -> str:
    return fp[:SHORT] + "..."


class SigningKey:
    """An Ed25519 signing key; the cryptography import is deferred to keep start-up quick."""

    __slots__ = ("_private", "public_bytes", "fingerprint", "private_bytes")

    def __init__(self, private_bytes: bytes):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.private_bytes = private_bytes
        self._private = Ed25519PrivateKey.from_private_bytes(private_bytes)
        self.public_bytes = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.fingerprint = fingerprint_of(self.public_bytes)

    @classmethod
    def generate(cls) -> "SigningKey":
        import os

        return cls(os.urandom(32))

    @classmethod
    def static_for(cls, name: str) -> "SigningKey":
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


def decentralized_namespace(owner_fingerprints: list[str], threshold: int) -> str:
    """The namespace of several owners with a threshold (Canton's decentralized namespace)."""
    material = ",".join(sorted(owner_fingerprints)) + f"/{threshold}"
    return FINGERPRINT_PREFIX + hashlib.sha256(material.encode()).hexdigest()


@attrs.frozen(order=True)
class UniqueIdentifier:
    identifier: str
    namespace: str

    def __str__(self) -> str:
        return f"{self.identifier}::{self.namespace}"

    @property
    def short(self) -> str:
        return f"{self.identifier}::{short_fingerprint(self.namespace)}"

    @classmethod
    def parse(cls, text: str) -> "UniqueIdentifier":
        identifier, sep, namespace = text.rpartition("::")
        if not sep or not identifier or not namespace.startswith(FINGERPRINT_PREFIX):
            raise ValueError(f"'{text}' is not a unique identifier of the form name::1220<hex>")
        return cls(identifier, namespace)


@attrs.frozen(order=True)
class Member:
    """A synchronizer member: participant, mediator or sequencer."""

    code: str  # PAR, MED or SEQ
    uid: UniqueIdentifier

    def __str__(self) -> str:
        return f"{self.code}::{self.uid}"

    @property
    def identifier(self) -> str:
        return self.uid.identifier

    @property
    def fingerprint(self) -> str:
        return self.uid.namespace

    def __pretty__(self):
        return Literal(f"{self.code}::{self.uid.short}")

    @classmethod
    def parse(cls, text: str) -> "Member":
        code, sep, rest = text.partition("::")
        if not sep or code not in ("PAR", "MED", "SEQ"):
            raise ValueError(f"'{text}' is not a member id (PAR::…, MED::… or SEQ::…)")
        return cls(code, UniqueIdentifier.parse(rest))

    @property
    def kind(self) -> str:
        return {"PAR": "participant", "MED": "mediator", "SEQ": "sequencer"}[self.code]


def participant_id(uid: UniqueIdentifier) -> Member:
    return Member("PAR", uid)


def mediator_id(uid: UniqueIdentifier) -> Member:
    return Member("MED", uid)


def sequencer_id(uid: UniqueIdentifier) -> Member:
    return Member("SEQ", uid)


@attrs.frozen(order=True)
class _UidBased:
    """An id that is a unique identifier (``name::1220…``), shortened in pretty output."""

    uid: UniqueIdentifier

    def __str__(self) -> str:
        return str(self.uid)

    def __pretty__(self):
        return Literal(self.uid.short)

    @property
    def name(self) -> str:
        return self.uid.identifier

    @classmethod
    def parse(cls, text: str):
        return cls(UniqueIdentifier.parse(text))


@attrs.frozen(order=True)
class SynchronizerId(_UidBased):
    canton_type = "SynchronizerId"


@attrs.frozen(order=True)
class PartyId(_UidBased):
    canton_type = "PartyId"
