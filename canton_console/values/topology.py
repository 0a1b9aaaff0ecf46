"""Topology mappings and transactions as values: what a topology manager signs, what a store keeps.

A mapping has a code (Canton's mapping name), a unique key and its data. A transaction replaces (or
removes) the mapping at the next serial. It is effective once the namespaces it needs have signed
it with their threshold; until then it is a proposal, and identical proposals collect signatures.
Changes become effective ``topology change delay`` after their sequencing time.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from typing import Any

import attrs

from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.values.ids import FINGERPRINT_PREFIX
from canton_console.values.messages import encode

# Mapping codes, as Canton names them.
NAMESPACE_DELEGATION = "NamespaceDelegation"
DECENTRALIZED_NAMESPACE = "DecentralizedNamespaceDefinition"
OWNER_TO_KEY = "OwnerToKeyMapping"
SYNCHRONIZER_PARAMETERS = "SynchronizerParametersState"
SEQUENCER_STATE = "SequencerSynchronizerState"
MEDIATOR_STATE = "MediatorSynchronizerState"
TRUST_CERTIFICATE = "SynchronizerTrustCertificate"
PARTY_TO_PARTICIPANT = "PartyToParticipant"
PARTY_TO_KEY = "PartyToKeyMapping"
PARTICIPANT_PERMISSION = "ParticipantSynchronizerPermission"
PARTY_HOSTING_LIMITS = "PartyHostingLimits"
VETTED_PACKAGES = "VettedPackages"

# Every mapping code this console knows, in Canton's order of TopologyMapping.Code.
CODES = (
    NAMESPACE_DELEGATION,
    DECENTRALIZED_NAMESPACE,
    OWNER_TO_KEY,
    PARTY_TO_KEY,
    TRUST_CERTIFICATE,
    PARTICIPANT_PERMISSION,
    PARTY_HOSTING_LIMITS,
    VETTED_PACKAGES,
    PARTY_TO_PARTICIPANT,
    SYNCHRONIZER_PARAMETERS,
    MEDIATOR_STATE,
    SEQUENCER_STATE,
)

# Namespace delegation restrictions (Canton's DelegationRestriction); a restriction to specific
# mappings is a list of codes.
CAN_SIGN_ALL = "CanSignAllMappings"
CAN_SIGN_ALL_BUT_NSD = "CanSignAllButNamespaceDelegations"

# The authorized store of a node (Canton's TopologyStoreId.Authorized), beside one store per synchronizer.
AUTHORIZED_STORE = "Authorized"
# A temporary store (in memory, for a founding ceremony): this prefix and its name.
TEMPORARY_PREFIX = "temporary/"

REPLACE = "Replace"
REMOVE = "Remove"


@attrs.frozen
class Mapping:
    code: str
    key: str
    data: dict[str, Any] = attrs.field(eq=False, hash=False)
    # Canonical bytes of the data; equality and hashing go through them.
    canonical: bytes = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "canonical", encode(self.data))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and (self.code, self.key, self.canonical) == (
            other.code,
            other.key,
            other.canonical,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.key, self.canonical))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "key": self.key, "data": self.data}

    @property
    def uniqueKey(self) -> MappingHash:  # noqa: N802 - Canton's name
        """What identifies the mapping whatever its data (Canton's ``MappingHash``): its code and key."""
        return MappingHash(hashlib.sha256(f"{self.code}/{self.key}".encode()).hexdigest())


@attrs.frozen
class MappingHash:
    """Canton's ``MappingHash``: the hash of a mapping's unique key (hex SHA-256)."""

    hash: str

    canton_type = "MappingHash"

    def __pretty__(self) -> Any:
        from canton_console.pretty import Apply, Literal

        return Apply("MappingHash", (Literal("SHA-256:" + self.hash[:12] + "..."),))


@functools.lru_cache(maxsize=4096)  # the same few keys, looked up for every signature a node makes
def key_fingerprint(public_key_hex: str) -> str:
    """The fingerprint of a raw public key (hex): ``1220`` and the hex SHA-256 of the key."""
    return FINGERPRINT_PREFIX + hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()


def decentralized_namespace_of(owner_fingerprints: list[str]) -> str:
    """The namespace of a decentralized namespace, as Canton computes it
    (``DecentralizedNamespaceDefinition.computeNamespace``): a SHA-256 hash with purpose 37 over the
    owners' namespace fingerprints, sorted, each with its length prefix; as a multihash (``1220...``)."""
    digest = hashlib.sha256(struct.pack(">i", 37))
    for fingerprint in sorted(set(owner_fingerprints)):
        data = fingerprint.encode()
        digest.update(struct.pack(">i", len(data)))
        digest.update(data)
    return FINGERPRINT_PREFIX + digest.hexdigest()


def can_sign(restriction: str | list[str], code: str) -> bool:
    """Whether a delegation with ``restriction`` lets its key sign mappings of ``code``."""
    if restriction == CAN_SIGN_ALL:
        return True
    if restriction == CAN_SIGN_ALL_BUT_NSD:
        return code != NAMESPACE_DELEGATION
    return code in restriction


def namespace_delegation(
    namespace: str, public_key_hex: str, restriction: str | list[str] | None = None, usage: tuple[str, ...] | None = None
) -> Mapping:
    """Delegate signing for ``namespace`` to a key; its unique key is the namespace and the target
    key's fingerprint, so a namespace has one delegation per key. The root certificate (the
    namespace's own key) signs everything. ``usage``: the target key's usages, as its public key
    carries them (None: a key for every usage)."""
    target = key_fingerprint(public_key_hex)
    if restriction is None:
        restriction = CAN_SIGN_ALL if target == namespace else CAN_SIGN_ALL_BUT_NSD
    if not isinstance(restriction, str):
        restriction = sorted(set(restriction))
    data: dict[str, Any] = {"namespace": namespace, "public_key": public_key_hex, "restriction": restriction}
    if usage is not None:
        data["usage"] = list(usage)
    return Mapping(NAMESPACE_DELEGATION, f"{namespace}/{target}", data)


def decentralized_namespace_definition(namespace: str, threshold: int, owners: list[str]) -> Mapping:
    return Mapping(
        DECENTRALIZED_NAMESPACE, namespace, {"namespace": namespace, "threshold": threshold, "owners": sorted(owners)}
    )


def owner_to_key(member: str, public_keys_hex: str | list[str], usages: list[Any] | None = None, encryption: Any = ()) -> Mapping:
    """The keys of a member (raw hex), in order; the first signing key for protocol messages is the
    one it signs them with. ``usages`` (one usage tuple per key) is kept only when some signing key
    is not for every purpose, so that the mappings of single-key nodes stay as they were;
    ``encryption`` names the keys that are encryption keys (the others are signing keys)."""
    keys = [public_keys_hex] if isinstance(public_keys_hex, str) else list(dict.fromkeys(public_keys_hex))
    if not keys:
        raise CantonError(errors.INVALID_ARGUMENT, "An owner to key mapping needs at least one key")
    data: dict[str, Any] = {"member": member, "public_keys": keys}
    if usages is not None:
        by_key = dict(zip(public_keys_hex if isinstance(public_keys_hex, list) else [public_keys_hex], usages, strict=False))
        kept = {k: list(by_key[k]) for k in keys if k in by_key and k not in encryption and tuple(by_key[k]) != KEY_USAGE_ALL}
        if kept:
            data["usage"] = kept
    if any(k in encryption for k in keys):
        data["encryption"] = [k for k in keys if k in encryption]
    return Mapping(OWNER_TO_KEY, member, data)


# SigningKeyUsage.All's identifiers (the usage of a key whose mapping says nothing).
KEY_USAGE_ALL = ("namespace", "sequencer-auth", "signing", "proof-of-ownership")


def protocol_keys(mapping: Mapping) -> list[str]:
    """The keys (raw hex) of an owner-to-key mapping that may sign protocol messages, in order (a key
    the mapping gives no usage may do everything)."""
    usage = mapping.data.get("usage", {})
    return [k for k in signing_keys(mapping) if "signing" in usage.get(k, KEY_USAGE_ALL)]


def signing_keys(mapping: Mapping) -> list[str]:
    """The signing keys (raw hex) of an owner-to-key or party-to-key mapping, in order."""
    encryption = set(mapping.data.get("encryption", ()))
    return [k for k in mapping.data["public_keys"] if k not in encryption]


def is_encryption_key(mapping: Mapping, key_hex: str) -> bool:
    return key_hex in mapping.data.get("encryption", ())


def party_to_key(party: str, threshold: int, public_keys_hex: list[str]) -> Mapping:
    """The keys that sign submissions of an external party, with the number needed."""
    keys = list(dict.fromkeys(public_keys_hex))
    if not keys:
        raise CantonError(errors.INVALID_ARGUMENT, "A party to key mapping needs at least one signing key")
    if threshold < 1 or threshold > len(keys):
        raise CantonError(errors.INVALID_ARGUMENT, f"Invalid threshold ({threshold}) for {len(keys)} signing keys")
    return Mapping(PARTY_TO_KEY, party, {"party": party, "threshold": threshold, "public_keys": keys})


def participant_permission(
    synchronizer_id: str, participant: str, permission: str, limits: dict[str, Any] | None = None, login_after: int | None = None
) -> Mapping:
    """A synchronizer's permission for a participant (Submission, Confirmation or Observation)."""
    return Mapping(
        PARTICIPANT_PERMISSION,
        f"{participant}/{synchronizer_id}",
        {"synchronizer_id": synchronizer_id, "participant": participant, "permission": permission, "limits": limits, "login_after": login_after},
    )


def party_hosting_limits(synchronizer_id: str, party: str) -> Mapping:
    return Mapping(PARTY_HOSTING_LIMITS, f"{party}/{synchronizer_id}", {"synchronizer_id": synchronizer_id, "party": party})


def vetted_packages(participant: str, packages: list[dict[str, Any]]) -> Mapping:
    """``packages`` holds ``{"package_id", "valid_from", "valid_until"}`` (µs or None)."""
    return Mapping(VETTED_PACKAGES, participant, {"participant": participant, "packages": [dict(p) for p in packages]})


def synchronizer_parameters(synchronizer_id: str, parameters: dict[str, Any]) -> Mapping:
    return Mapping(SYNCHRONIZER_PARAMETERS, synchronizer_id, {"synchronizer_id": synchronizer_id, "parameters": parameters})


def sequencer_state(synchronizer_id: str, threshold: int, active: list[str], observers: list[str]) -> Mapping:
    if threshold > len(active):
        raise CantonError(
            errors.INVALID_ARGUMENT,
            f"threshold ({threshold}) of sequencer synchronizer state higher than number of active sequencers {len(active)}",
        )
    both = sorted(set(active) & set(observers))
    if both:
        raise CantonError(
            errors.INVALID_ARGUMENT,
            "the following sequencers were defined both as active and observer: " + ", ".join(both),
        )
    return Mapping(
        SEQUENCER_STATE,
        synchronizer_id,
        {"synchronizer_id": synchronizer_id, "threshold": threshold, "active": list(dict.fromkeys(active)), "observers": list(dict.fromkeys(observers))},
    )


def mediator_state(synchronizer_id: str, group: int, threshold: int, active: list[str], observers: list[str]) -> Mapping:
    return Mapping(
        MEDIATOR_STATE,
        f"{synchronizer_id}/{group}",
        {"synchronizer_id": synchronizer_id, "group": group, "threshold": threshold, "active": active, "observers": observers},
    )


def trust_certificate(participant: str, synchronizer_id: str) -> Mapping:
    return Mapping(TRUST_CERTIFICATE, f"{participant}/{synchronizer_id}", {"participant": participant, "synchronizer_id": synchronizer_id})


def party_to_participant(party: str, threshold: int, participants: list[tuple[str, str]]) -> Mapping:
    """``participants`` holds (participant id, permission) with permission Submission, Confirmation or Observation."""
    return Mapping(
        PARTY_TO_PARTICIPANT,
        party,
        {"party": party, "threshold": threshold, "participants": [list(p) for p in participants]},
    )


@attrs.frozen
class TopologyTransaction:
    operation: str
    serial: int
    mapping: Mapping

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.bytes_to_sign()).hexdigest()

    def bytes_to_sign(self) -> bytes:
        return encode({"op": self.operation, "serial": self.serial, "mapping": self.mapping.to_dict()})


@attrs.frozen
class SignedTopologyTransaction:
    transaction: TopologyTransaction
    signatures: dict[str, str] = attrs.field(eq=False, hash=False)  # signer fingerprint -> signature hex
    is_proposal: bool = False

    def to_dict(self) -> dict[str, Any]:
        tx = self.transaction
        return {
            "op": tx.operation,
            "serial": tx.serial,
            "mapping": tx.mapping.to_dict(),
            "signatures": self.signatures,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SignedTopologyTransaction":
        m = d["mapping"]
        tx = TopologyTransaction(d["op"], d["serial"], Mapping(m["code"], m["key"], m["data"]))
        return cls(tx, dict(d["signatures"]))


@attrs.frozen
class StoredTransaction:
    """A transaction as the synchronizer stores it: when it was sequenced and became valid."""

    signed: SignedTopologyTransaction
    sequenced: int
    valid_from: int
    valid_until: int | None = None
    is_proposal: bool = False

    @property
    def mapping(self) -> Mapping:
        return self.signed.transaction.mapping

    @property
    def serial(self) -> int:
        return self.signed.transaction.serial

    @property
    def operation(self) -> str:
        return self.signed.transaction.operation


# ---- signatures over several transactions (Canton's MultiTransactionSignature) -------------------

# Canton's HashPurpose.MultiTopologyTransaction
MULTI_TRANSACTION_HASH_PURPOSE = 55
# How a stored signature says it signed the combined hash of several transactions:
# ``multi:<hash>,<hash>,...:<signature hex>`` (a plain signature is its hex alone).
MULTI_SIGNATURE_PREFIX = "multi:"
# ... or the transaction's hash (its multihash bytes), as a key held outside the nodes signs it:
# ``hash:<signature hex>``.
HASH_SIGNATURE_PREFIX = "hash:"


def multihash_of(tx_hash_hex: str) -> bytes:
    """A transaction hash as Canton's ``Hash.getCryptographicEvidence``: the multihash prefix
    (SHA-256, 32 bytes) and the digest."""
    return bytes.fromhex(FINGERPRINT_PREFIX + tx_hash_hex)


def combined_hash(tx_hashes: Any) -> bytes:
    """Canton's ``MultiTransactionSignature.computeCombinedHash``, as its multihash bytes: a
    SHA-256 hash with purpose 55 over the number of transactions and their hashes, sorted, each
    with its length prefix."""
    hashes = sorted(set(tx_hashes))
    digest = hashlib.sha256(struct.pack(">i", MULTI_TRANSACTION_HASH_PURPOSE))
    digest.update(struct.pack(">i", len(hashes)))
    for tx_hash in hashes:
        evidence = multihash_of(tx_hash)
        digest.update(struct.pack(">i", len(evidence)))
        digest.update(evidence)
    return multihash_of(digest.hexdigest())


def multi_signature(tx_hashes: Any, signature: bytes) -> str:
    """A signature over the combined hash of ``tx_hashes``, as a transaction's signatures keep it."""
    return MULTI_SIGNATURE_PREFIX + ",".join(sorted(set(tx_hashes))) + ":" + signature.hex()

