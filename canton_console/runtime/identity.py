"""Keys and fingerprints: the runtime's key pairs and how fingerprints are computed.

A fingerprint is ``1220`` (the multihash prefix of SHA-256) followed by the hex SHA-256 of the
public key's bytes. Signing keys are Ed25519 (Canton's key spec ``EC-Curve25519``, public key kept
raw: 32 bytes) or ECDSA on P-256 (``EC-P256``, public key as DER X.509 SubjectPublicKeyInfo,
signatures DER-encoded ECDSA-SHA256). Encryption keys are ECIES on P-256 (``EC-P256``), public key
as DER SubjectPublicKeyInfo. Private keys of Ed25519 are the raw 32-byte seed; all others are DER
PKCS #8. The id types built on fingerprints are values: ``canton_console.values.ids``.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from canton_console.values.ids import FINGERPRINT_PREFIX

ED25519 = "EC-Curve25519"
P256 = "EC-P256"
SIGNING_KEY_SPECS = (ED25519, P256)
ENCRYPTION_KEY_SPECS = (P256,)
# Canton's defaults (the JCE provider): Ed25519 signing keys, ECIES on P-256 for encryption.
DEFAULT_SIGNING_SPEC = ED25519
DEFAULT_ENCRYPTION_SPEC = P256


def fingerprint_of(public_key: bytes) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(public_key).hexdigest()


def _der_private(private: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return private.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())


def _der_public(public: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


class SigningKey:
    """A signing key pair (Ed25519 or ECDSA P-256); the cryptography import is deferred to keep
    start-up quick."""

    __slots__ = ("_private", "fingerprint", "private_bytes", "public_bytes", "spec")

    def __init__(self, private_bytes: bytes, spec: str = ED25519):
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_private_key

        self.spec = spec
        self.private_bytes = private_bytes
        if spec == ED25519:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            self._private: Any = Ed25519PrivateKey.from_private_bytes(private_bytes)
            self.public_bytes = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        elif spec == P256:
            self._private = load_der_private_key(private_bytes, None)
            self.public_bytes = _der_public(self._private.public_key())
        else:
            raise ValueError(f"unsupported signing key spec {spec}")
        self.fingerprint = fingerprint_of(self.public_bytes)

    @classmethod
    def generate(cls, spec: str = ED25519) -> SigningKey:
        if spec == ED25519:
            return cls(os.urandom(32))
        from cryptography.hazmat.primitives.asymmetric import ec

        return cls(_der_private(ec.generate_private_key(ec.SECP256R1())), P256)

    @classmethod
    def static_for(cls, name: str) -> SigningKey:
        """A key derived from a node name, for reproducible documentation runs (static identities)."""
        return cls(hashlib.sha256(b"canton-console static identity/" + name.encode()).digest())

    def sign(self, data: bytes) -> bytes:
        if self.spec == ED25519:
            return self._private.sign(data)
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return self._private.sign(data, ec.ECDSA(hashes.SHA256()))


class EncryptionKey:
    """An ECIES key pair on P-256 (Canton's ``EC-P256`` encryption key spec)."""

    __slots__ = ("fingerprint", "private_bytes", "public_bytes", "spec")

    def __init__(self, private_bytes: bytes, spec: str = P256):
        from cryptography.hazmat.primitives.serialization import load_der_private_key

        if spec != P256:
            raise ValueError(f"unsupported encryption key spec {spec}")
        self.spec = spec
        self.private_bytes = private_bytes
        self.public_bytes = _der_public(load_der_private_key(private_bytes, None).public_key())
        self.fingerprint = fingerprint_of(self.public_bytes)

    @classmethod
    def generate(cls, spec: str = P256) -> EncryptionKey:
        from cryptography.hazmat.primitives.asymmetric import ec

        return cls(_der_private(ec.generate_private_key(ec.SECP256R1())), spec)

    @classmethod
    def static_for(cls, name: str) -> EncryptionKey:
        """A key derived from a key name, for reproducible documentation runs (static identities)."""
        from cryptography.hazmat.primitives.asymmetric import ec

        seed = int.from_bytes(hashlib.sha256(b"canton-console static encryption key/" + name.encode()).digest(), "big")
        order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of P-256's base point
        return cls(_der_private(ec.derive_private_key(seed % (order - 1) + 1, ec.SECP256R1())), P256)


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        if len(public_key) == 32:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
            return True
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        key = load_der_public_key(public_key)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        return False


def decentralized_namespace(owner_fingerprints: list[str], threshold: int | None = None) -> str:
    """The namespace of a decentralized namespace as Canton computes it (see
    :func:`canton_console.values.topology.decentralized_namespace_of`); the threshold does not
    enter it (the parameter is accepted for callers that pass it)."""
    from canton_console.values.topology import decentralized_namespace_of

    return decentralized_namespace_of(owner_fingerprints)
