"""Public keys and key vault records as Canton's console shows them (``SigningPublicKey``,
``EncryptionPublicKey``, ``PublicKeyWithName``, ``PrivateKeyMetadata``, ``SigningKeyUsage`` ...).

Signing keys are Ed25519 (key spec ``EC-Curve25519``, kept raw) or ECDSA P-256 (``EC-P256``, a DER
X.509 SubjectPublicKeyInfo); encryption keys are ECIES on P-256 (``EC-P256``). A key's id is its
fingerprint: ``1220`` followed by the hex SHA-256 of the public key's bytes, as the runtime
computes namespaces. A node that initializes itself holds Canton's keys: ``<node>-namespace``,
``<node>-sequencer-auth``, ``<node>-signing`` (and a participant's ``<node>-encryption``); stores made
before that hold one identity key for every signing purpose (``SigningKeyUsage.All``).
"""

from __future__ import annotations

import enum
import hashlib
from typing import Any, ClassVar

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.ids import FINGERPRINT_PREFIX, Fingerprint
from canton_console.values.scala import Vector

# Canton's SigningKeyUsage identifiers, in SigningKeyUsage.All's order.
NAMESPACE, SEQUENCER_AUTH, PROTOCOL, PROOF_OF_OWNERSHIP = "namespace", "sequencer-auth", "signing", "proof-of-ownership"
USAGE_ALL = (NAMESPACE, SEQUENCER_AUTH, PROTOCOL, PROOF_OF_OWNERSHIP)
DER_SPKI = "DER-encoded X.509 SubjectPublicKeyInfo"


class KeyPurpose(enum.Enum):
    """Canton's ``KeyPurpose``: what a key is for (a public key's ``purpose``)."""

    Signing = "signing"
    Encryption = "encryption"

    canton_type = "KeyPurpose"

    def __pretty__(self) -> Tree:
        return Literal(self.value)


def canonical_usage(usage: Any) -> tuple[str, ...]:
    """Usage identifiers in SigningKeyUsage.All's order (how this console stores and shows them)."""
    wanted = set(usage)
    return tuple(u for u in USAGE_ALL if u in wanted)


def with_proof_of_ownership(usage: Any) -> tuple[str, ...]:
    """Canton's ``SigningKeyUsage.addProofOfOwnership``: a key that is not for namespaces only may
    sign itself to prove ownership."""
    base = canonical_usage(usage)
    if base in ((NAMESPACE,), (NAMESPACE, PROOF_OF_OWNERSHIP), (PROOF_OF_OWNERSHIP,)):
        return base
    return canonical_usage((*base, PROOF_OF_OWNERSHIP))


def usage_valid(usage: Any) -> bool:
    """Canton's ``SigningKeyUsage.isUsageValid``."""
    return canonical_usage(usage) not in ((PROOF_OF_OWNERSHIP,), (NAMESPACE, PROOF_OF_OWNERSHIP))


def public_key_spec(public_key: bytes) -> tuple[str, str]:
    """(key spec, Canton's key format name) of a public key's bytes: 32 raw bytes are Ed25519; else
    a DER SubjectPublicKeyInfo of an elliptic curve key. Canton 3.3's JCE provider keeps Ed25519
    public keys as DER SubjectPublicKeyInfo (their fingerprint hashes the raw key, as here); this
    console keeps the raw key and shows Canton's format."""
    if len(public_key) == 32:
        return "EC-Curve25519", DER_SPKI
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key = load_der_public_key(public_key)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EC-Curve25519", DER_SPKI
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        return "EC-P256", DER_SPKI
    raise ValueError("unsupported public key")


def _spec_and_format(key_hex: str) -> tuple[str, str]:
    return public_key_spec(bytes.fromhex(key_hex))


def _fingerprint(key_hex: str) -> Fingerprint:
    return Fingerprint(FINGERPRINT_PREFIX + hashlib.sha256(bytes.fromhex(key_hex)).hexdigest())


@attrs.frozen
class SigningKeyUsage:
    """One of Canton's ``SigningKeyUsage`` values; prints as its identifier."""

    identifier: str

    canton_type: ClassVar[str] = "SigningKeyUsage"

    def __pretty__(self) -> Tree:
        return Literal(self.identifier)

    def __str__(self) -> str:
        return self.identifier


class SigningKeyUsageCompanion:
    """``SigningKeyUsage``: its values and the sets Canton names (``ProtocolOnly`` ...)."""

    canton_type = "SigningKeyUsage"

    Namespace = SigningKeyUsage(NAMESPACE)
    SequencerAuthentication = SigningKeyUsage(SEQUENCER_AUTH)
    Protocol = SigningKeyUsage(PROTOCOL)

    def __init__(self) -> None:
        from canton_console.values.scala import ScalaSet

        def s(*ids: str) -> Any:
            return ScalaSet(*(SigningKeyUsage(i) for i in ids))

        self.All = s(*USAGE_ALL)
        self.NamespaceOnly = s(NAMESPACE)
        self.SequencerAuthenticationOnly = s(SEQUENCER_AUTH)
        self.ProtocolOnly = s(PROTOCOL)
        self.ProtocolWithProofOfOwnership = s(PROTOCOL, PROOF_OF_OWNERSHIP)
        self.NamespaceOrProofOfOwnership = s(NAMESPACE, PROOF_OF_OWNERSHIP)

    def __pretty__(self) -> Tree:
        return Literal("SigningKeyUsage")


@attrs.frozen
class KeySpec:
    """A ``SigningKeySpec`` or ``EncryptionKeySpec`` value; prints as its name (``EC-P256``)."""

    name: str
    kind: str  # "SigningKeySpec" or "EncryptionKeySpec"

    @property
    def canton_type(self) -> str:
        return self.kind

    def __pretty__(self) -> Tree:
        return Literal(self.name)

    def __str__(self) -> str:
        return self.name


class SigningKeySpecCompanion:
    canton_type = "SigningKeySpec"
    EcCurve25519 = KeySpec("EC-Curve25519", "SigningKeySpec")
    EcP256 = KeySpec("EC-P256", "SigningKeySpec")
    EcP384 = KeySpec("EC-P384", "SigningKeySpec")
    EcSecp256k1 = KeySpec("EC-Secp256k1", "SigningKeySpec")

    def __pretty__(self) -> Tree:
        return Literal("SigningKeySpec")


class EncryptionKeySpecCompanion:
    canton_type = "EncryptionKeySpec"
    EcP256 = KeySpec("EC-P256", "EncryptionKeySpec")
    Rsa2048 = KeySpec("RSA-2048", "EncryptionKeySpec")

    def __pretty__(self) -> Tree:
        return Literal("EncryptionKeySpec")


@attrs.frozen
class SigningPublicKey:
    """A signing public key: ``id`` (its fingerprint), ``format``, ``keySpec``, ``usage``; ``key``
    is the key's bytes in hex (raw for Ed25519, DER SubjectPublicKeyInfo for EC-P256)."""

    canton_type: ClassVar[str] = "SigningPublicKey"

    key: str
    format: str = DER_SPKI
    keySpec: str = "EC-Curve25519"
    usage: tuple[str, ...] = USAGE_ALL

    @classmethod
    def of_raw_hex(cls, public_key_hex: str, usage: Any = USAGE_ALL) -> SigningPublicKey:
        spec, fmt = _spec_and_format(public_key_hex)
        return cls(public_key_hex, fmt, spec, canonical_usage(usage))

    @property
    def id(self) -> Fingerprint:
        return _fingerprint(self.key)

    @property
    def fingerprint(self) -> Fingerprint:
        return self.id

    @property
    def isSigning(self) -> bool:
        return True

    @property
    def purpose(self) -> KeyPurpose:
        return KeyPurpose.Signing

    def __pretty__(self) -> Tree:
        return klass(
            "SigningPublicKey",
            param("id", self.id),
            param("format", Literal(self.format)),
            param("keySpec", Literal(self.keySpec)),
            param("usage", Apply("Set", tuple(Literal(u) for u in self.usage))),
        )


@attrs.frozen
class EncryptionPublicKey:
    """An encryption public key (ECIES on P-256): ``id``, ``format``, ``keySpec``."""

    canton_type: ClassVar[str] = "EncryptionPublicKey"

    key: str
    format: str = DER_SPKI
    keySpec: str = "EC-P256"

    @property
    def id(self) -> Fingerprint:
        return _fingerprint(self.key)

    @property
    def fingerprint(self) -> Fingerprint:
        return self.id

    @property
    def isSigning(self) -> bool:
        return False

    @property
    def purpose(self) -> KeyPurpose:
        return KeyPurpose.Encryption

    def __pretty__(self) -> Tree:
        return klass("EncryptionPublicKey", param("id", self.id), param("format", Literal(self.format)), param("keySpec", Literal(self.keySpec)))


PublicKey = SigningPublicKey | EncryptionPublicKey


@attrs.frozen
class KeyName:
    unwrap: str

    canton_type: ClassVar[str] = "KeyName"

    def __pretty__(self) -> Tree:
        return Apply("KeyName", (Literal(self.unwrap),))

    def __str__(self) -> str:
        return self.unwrap


def _some_name(name: str | None) -> Any:
    from canton_console.values.scala import NONE, Some

    return Some(KeyName(name)) if name else NONE


@attrs.frozen
class PublicKeyWithName:
    """Canton's ``SigningPublicKeyWithName`` / ``EncryptionPublicKeyWithName``."""

    publicKey: Any
    key_name: str | None = None

    canton_type: ClassVar[str] = "PublicKeyWithName"

    @property
    def name(self) -> Any:
        return _some_name(self.key_name)

    def __pretty__(self) -> Tree:
        prefix = "SigningPublicKeyWithName" if isinstance(self.publicKey, SigningPublicKey) else "EncryptionPublicKeyWithName"
        name = Apply("Some", (KeyName(self.key_name).__pretty__(),)) if self.key_name else Literal("None")
        return klass(prefix, param("publicKey", self.publicKey), param("name", name))


@attrs.frozen
class PrivateKeyMetadata:
    """Canton's ``PrivateKeyMetadata``: a key pair in the vault (no wrapper key, no KMS here)."""

    publicKeyWithName: PublicKeyWithName

    canton_type: ClassVar[str] = "com.digitalasset.canton.crypto.admin.grpc.PrivateKeyMetadata"

    @property
    def id(self) -> Fingerprint:
        return self.publicKey.id

    @property
    def publicKey(self) -> Any:
        return self.publicKeyWithName.publicKey

    @property
    def name(self) -> Any:
        return self.publicKeyWithName.name

    @property
    def purpose(self) -> Any:
        return self.publicKey.purpose

    @property
    def encrypted(self) -> bool:
        return False

    @property
    def wrapperKeyId(self) -> Any:
        from canton_console.values.scala import NONE

        return NONE

    kmsKeyId = wrapperKeyId

    def __pretty__(self) -> Tree:
        return klass(
            "PrivateKeyMetadata",
            param("publicKeyWithName", self.publicKeyWithName),
            param("wrapperKeyId", Literal("None")),
            param("kmsKeyId", Literal("None")),
        )


@attrs.frozen
class ListKeyOwnersResult:
    """Canton's ``ListKeyOwnersResult(store, owner, signingKeys, encryptionKeys)``."""

    store: Any
    owner: Any
    signingKeys: tuple[Any, ...]
    encryptionKeys: tuple[Any, ...]

    canton_type: ClassVar[str] = "ListKeyOwnersResult"

    def keys(self, purpose: Any) -> Vector:
        return Vector(*(self.signingKeys if str(getattr(purpose, "value", purpose)) == "signing" else self.encryptionKeys))

    def __pretty__(self) -> Tree:
        return klass(
            "ListKeyOwnersResult",
            param("store", self.store),
            param("owner", self.owner),
            param("signingKeys", Vector(*self.signingKeys)),
            param("encryptionKeys", Vector(*self.encryptionKeys)),
        )


__all__ = [
    "USAGE_ALL",
    "EncryptionPublicKey",
    "KeyName",
    "PrivateKeyMetadata",
    "PublicKeyWithName",
    "SigningKeyUsage",
    "SigningPublicKey",
]


def mapping_public_keys(mapping: Any) -> tuple[SigningPublicKey | EncryptionPublicKey, ...]:
    """The public keys an owner-to-key mapping carries, each as its kind of key, in order."""
    usage = mapping.data.get("usage", {})
    encryption = set(mapping.data.get("encryption", ()))
    keys = mapping.data.get("public_keys") or [mapping.data["public_key"]]
    return tuple(EncryptionPublicKey(k) if k in encryption else SigningPublicKey.of_raw_hex(k, usage.get(k, USAGE_ALL)) for k in keys)
