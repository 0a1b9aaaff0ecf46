"""A node's key vault (Canton's crypto private and public stores), kept in the node's database.

Entries are key pairs the node generated or was given, and public keys it was given. Signing keys
carry their usage (Canton's SigningKeyUsage identifiers). All methods run on the runtime thread.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
from sqlalchemy import delete, insert, select

from canton_console.runtime.identity import ENCRYPTION_KEY_SPECS, SIGNING_KEY_SPECS, EncryptionKey, SigningKey, fingerprint_of
from canton_console.store import schema as s
from canton_console.values import errors
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.keys import NAMESPACE, USAGE_ALL, EncryptionPublicKey, SigningPublicKey, canonical_usage, public_key_spec, with_proof_of_ownership

SIGNING, ENCRYPTION = "signing", "encryption"
PAIR_MAGIC = b"canton-console key pair v1\n"


@attrs.frozen
class VaultEntry:
    fingerprint: str
    purpose: str
    spec: str
    usage: tuple[str, ...]
    name: str | None
    public_bytes: bytes
    private: SigningKey | EncryptionKey | None = attrs.field(eq=False, default=None)

    @property
    def public_key(self) -> SigningPublicKey | EncryptionPublicKey:
        if self.purpose == SIGNING:
            return SigningPublicKey.of_raw_hex(self.public_bytes.hex(), self.usage)
        return EncryptionPublicKey(self.public_bytes.hex())

    def row(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "purpose": self.purpose,
            "key_spec": self.spec,
            "usage": ",".join(self.usage),
            "name": self.name,
            "public_key": self.public_bytes,
            "private_key": self.private.private_bytes if self.private is not None else None,
        }


def _entry(row: Any) -> VaultEntry:
    private: SigningKey | EncryptionKey | None = None
    if row["private_key"] is not None:
        private = SigningKey(row["private_key"], row["key_spec"]) if row["purpose"] == SIGNING else EncryptionKey(row["private_key"], row["key_spec"])
    usage = tuple(u for u in row["usage"].split(",") if u)
    return VaultEntry(row["fingerprint"], row["purpose"], row["key_spec"], usage, row["name"], row["public_key"], private)


class KeyVault:
    """The keys of one node, in the order they were added."""

    def __init__(self, node: Any):
        self.node = node
        self.entries: dict[str, VaultEntry] = {}

    def load(self) -> None:
        with self.node.open_storage.read() as conn:
            rows = conn.execute(select(s.CryptoKey.__table__).order_by(s.CryptoKey.id)).mappings().all()
        self.entries = {row["fingerprint"]: _entry(row) for row in rows}

    def _store(self, entry: VaultEntry) -> VaultEntry:
        with self.node.open_storage.transaction() as conn:
            conn.execute(insert(s.CryptoKey), [entry.row()])
        self.entries[entry.fingerprint] = entry
        return entry

    # ---- reading ----------------------------------------------------------------------------
    def get(self, fingerprint: str) -> VaultEntry | None:
        return self.entries.get(fingerprint)

    def private_entries(self) -> list[VaultEntry]:
        return [e for e in self.entries.values() if e.private is not None]

    def signing_key(self, fingerprint: str) -> SigningKey | None:
        entry = self.entries.get(fingerprint)
        return entry.private if entry is not None and isinstance(entry.private, SigningKey) else None

    def holds(self, fingerprint: str) -> bool:
        return self.signing_key(fingerprint) is not None

    # ---- adding -----------------------------------------------------------------------------
    def add_signing(self, key: SigningKey, name: str | None, usage: Any) -> VaultEntry:
        existing = self.entries.get(key.fingerprint)
        if existing is not None:
            return existing
        entry = VaultEntry(key.fingerprint, SIGNING, key.spec, with_proof_of_ownership(usage), name or None, key.public_bytes, key)
        return self._store(entry)

    def generate_signing(self, name: str, usage: Any, spec: str | None) -> VaultEntry:
        spec = spec or "EC-Curve25519"
        if spec not in SIGNING_KEY_SPECS:
            raise CantonError(
                errors.SIGNING_KEY_GENERATION_ERROR,
                f"Unable to create signing key: canton-console generates {' and '.join(SIGNING_KEY_SPECS)} signing keys only, not {spec}",
            )
        return self.add_signing(SigningKey.generate(spec), name, usage)

    def generate_encryption(self, name: str, spec: str | None) -> VaultEntry:
        spec = spec or "EC-P256"
        if spec not in ENCRYPTION_KEY_SPECS:
            raise CantonError(
                errors.ENCRYPTION_KEY_GENERATION_ERROR,
                f"Unable to create encryption key: canton-console generates {' and '.join(ENCRYPTION_KEY_SPECS)} encryption keys only, not {spec}",
            )
        return self.add_encryption(EncryptionKey.generate(spec), name)

    def add_encryption(self, key: EncryptionKey, name: str | None) -> VaultEntry:
        existing = self.entries.get(key.fingerprint)
        if existing is not None:
            return existing
        return self._store(VaultEntry(key.fingerprint, ENCRYPTION, key.spec, (), name or None, key.public_bytes, key))

    def delete(self, fingerprint: str) -> None:
        """Canton deletes the key pair (private and public key); an unknown fingerprint deletes nothing."""
        if fingerprint not in self.entries:
            return
        with self.node.open_storage.transaction() as conn:
            conn.execute(delete(s.CryptoKey).where(s.CryptoKey.fingerprint == fingerprint))
        del self.entries[fingerprint]

    # ---- export and import ------------------------------------------------------------------
    def export_pair(self, fingerprint: str) -> bytes:
        entry = self.entries.get(fingerprint)
        if entry is None or entry.private is None:
            raise ServiceStatusError("FAILED_PRECONDITION", f"Error retrieving private key [{fingerprint}] no private key found for [{fingerprint}]")
        body = {"purpose": entry.purpose, "spec": entry.spec, "usage": list(entry.usage), "private": entry.private.private_bytes.hex()}
        return PAIR_MAGIC + json.dumps(body, sort_keys=True).encode()

    def import_pair(self, data: bytes, name: str | None) -> VaultEntry:
        try:
            if not data.startswith(PAIR_MAGIC):
                raise ValueError("not a key pair")
            body = json.loads(data[len(PAIR_MAGIC) :])
            private = bytes.fromhex(body["private"])
            if body["purpose"] == SIGNING:
                key: SigningKey | EncryptionKey = SigningKey(private, body["spec"])
            else:
                key = EncryptionKey(private, body["spec"])
        except (ValueError, KeyError, TypeError) as e:
            raise CantonError(errors.PROTO_DESERIALIZATION_FAILURE, f"Failed to parse crypto key pair: {e}") from None
        existing = self.entries.get(key.fingerprint)
        if existing is not None:
            if existing.private is not None:
                return existing
            with self.node.open_storage.transaction() as conn:
                conn.execute(delete(s.CryptoKey).where(s.CryptoKey.fingerprint == key.fingerprint))
            del self.entries[key.fingerprint]
        if isinstance(key, SigningKey):
            usage = canonical_usage(body.get("usage") or USAGE_ALL)
            return self._store(VaultEntry(key.fingerprint, SIGNING, key.spec, usage, name or None, key.public_bytes, key))
        return self._store(VaultEntry(key.fingerprint, ENCRYPTION, key.spec, (), name or None, key.public_bytes, key))

    def import_public(self, data: bytes, name: str | None) -> VaultEntry:
        """A public key: its bytes as ``keys.public.download`` gives them."""
        try:
            if not data.startswith(b"{"):
                raise ValueError("not a public key")
            body = json.loads(data)
            public = bytes.fromhex(body["key"])
            spec, _fmt = public_key_spec(public)
            purpose = body["purpose"]
            if purpose not in (SIGNING, ENCRYPTION):
                raise ValueError(f"unknown key purpose {purpose}")
        except (ValueError, KeyError, TypeError) as e:
            raise CantonError(errors.PROTO_DESERIALIZATION_FAILURE, f"Failed to parse public key: {e}") from None
        fingerprint = fingerprint_of(public)
        existing = self.entries.get(fingerprint)
        if existing is not None:
            return existing
        usage = canonical_usage(body.get("usage") or USAGE_ALL) if purpose == SIGNING else ()
        return self._store(VaultEntry(fingerprint, purpose, spec, usage, name or None, public, None))


def export_public(entry: VaultEntry) -> bytes:
    body: dict[str, Any] = {"purpose": entry.purpose, "key": entry.public_bytes.hex()}
    if entry.purpose == SIGNING:
        body["usage"] = list(entry.usage)
    return json.dumps(body, sort_keys=True).encode()


def identity_key_entry(node_name: str, key: SigningKey) -> VaultEntry:
    """The namespace key a node generates for its identity when it initializes itself (Canton's
    ``<node>-namespace``, SigningKeyUsage.NamespaceOnly)."""
    return VaultEntry(key.fingerprint, SIGNING, key.spec, with_proof_of_ownership((NAMESPACE,)), f"{node_name}-namespace", key.public_bytes, key)
