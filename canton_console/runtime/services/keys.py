"""A node's VaultService (Canton's ``keys.secret`` / ``keys.public``), its key owner aggregation
(``keys.public.list_owners``) and its identity initialization (``topology.init_id``)."""

from __future__ import annotations

import builtins
from typing import Any

from canton_console.runtime.services.base import LocalService
from canton_console.runtime.vault import export_public
from canton_console.values import topology as t
from canton_console.values.errors import ServiceStatusError
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.keys import (
    EncryptionPublicKey,
    ListKeyOwnersResult,
    PrivateKeyMetadata,
    PublicKeyWithName,
    SigningPublicKey,
    canonical_usage,
    mapping_public_keys,
    usage_valid,
)

RELEVANT = ("namespace", "sequencer-auth", "signing")


def _matches(entry: Any, fingerprint: str, name: str, purposes: builtins.set[str], usages: builtins.set[str]) -> bool:
    if fingerprint and entry.fingerprint != fingerprint:
        return False
    if name not in (entry.name or ""):
        return False
    if purposes and entry.purpose not in purposes:
        return False
    # Canton's matchesRelevantUsages: some usage in common, proof-of-ownership aside
    return not (usages and entry.purpose == "signing" and not set(entry.usage) & (usages - {"proof-of-ownership"}))


class LocalKeyService(LocalService):
    passive_refusal = "ledger"

    def _vault(self) -> Any:
        vault = self._node.vault
        assert vault is not None, "a running node has loaded its keys"
        return vault

    @staticmethod
    def _check_filters(purposes: builtins.set[str], usages: builtins.set[str]) -> None:
        if "encryption" in purposes and usages:
            raise ServiceStatusError("INVALID_ARGUMENT", "PROTO_DESERIALIZATION_FAILURE(8,0): Deserialization of protobuf message failed: Cannot specify a usage when listing encryption keys")

    # ---- secret keys ------------------------------------------------------------------------
    def list_private(self, fingerprint: str, name: str, purposes: builtins.set[str], usages: builtins.set[str]) -> builtins.list[PrivateKeyMetadata]:
        def run() -> list[PrivateKeyMetadata]:
            self._check_filters(purposes, usages)
            return [
                PrivateKeyMetadata(PublicKeyWithName(e.public_key, e.name))
                for e in self._vault().private_entries()
                if _matches(e, fingerprint, name, purposes, usages)
            ]

        return self._call(run)

    def generate_signing_key(self, name: str, usage: builtins.list[str], spec: str | None) -> SigningPublicKey:
        def run() -> SigningPublicKey:
            if not usage_valid(usage):
                raise ServiceStatusError("INVALID_ARGUMENT", f"Invalid usage Set({', '.join(canonical_usage(usage))})")
            key = self._vault().generate_signing(name, canonical_usage(usage), spec).public_key
            assert isinstance(key, SigningPublicKey)
            return key

        return self._call(run)

    def generate_encryption_key(self, name: str, spec: str | None) -> EncryptionPublicKey:
        def run() -> EncryptionPublicKey:
            key = self._vault().generate_encryption(name, spec).public_key
            assert isinstance(key, EncryptionPublicKey)
            return key

        return self._call(run)

    def delete(self, fingerprint: str) -> None:
        self._call(lambda: self._vault().delete(fingerprint))

    def export_pair(self, fingerprint: str) -> bytes:
        return self._call(lambda: self._vault().export_pair(fingerprint))

    def import_pair(self, data: bytes, name: str | None) -> None:
        self._call(lambda: self._vault().import_pair(data, name))

    # ---- public keys ------------------------------------------------------------------------
    def list_public(self, fingerprint: str, context: str, purposes: builtins.set[str], usages: builtins.set[str]) -> builtins.list[PublicKeyWithName]:
        def run() -> list[PublicKeyWithName]:
            self._check_filters(purposes, usages)
            return [PublicKeyWithName(e.public_key, e.name) for e in self._vault().entries.values() if _matches(e, fingerprint, context, purposes, usages)]

        return self._call(run)

    def export_public(self, fingerprint: str) -> bytes | None:
        def run() -> bytes | None:
            entry = self._vault().get(fingerprint)
            return export_public(entry) if entry is not None else None

        return self._call(run)

    def import_public(self, data: bytes, name: str | None) -> str:
        return self._call(lambda: self._vault().import_public(data, name).fingerprint)

    def list_owners(self, filter_uid: str, filter_code: str | None, synchronizer_ids: builtins.set[str], limit: int) -> builtins.list[ListKeyOwnersResult]:
        """Canton's ListKeyOwners: the members with keys in the topology of the synchronizers this
        node knows (their owner-to-key mappings)."""

        def run() -> list[ListKeyOwnersResult]:
            node, env = self._node, self._env
            if node.kind == "participant":
                known = list(dict.fromkeys(c.synchronizer_id for c in node.connections.values() if c.synchronizer_id in env.synchronizers))
            else:
                known = [node.synchronizer.id] if node.synchronizer is not None else []
            out: list[ListKeyOwnersResult] = []
            for sync_id in known:
                if synchronizer_ids and sync_id not in synchronizer_ids:
                    continue
                topo = env.synchronizers[sync_id].topology
                for mapping in topo.mappings(t.OWNER_TO_KEY):
                    member = Member.parse(mapping.data["member"])
                    if filter_code is not None and str(member.code) != filter_code:
                        continue
                    if not member.filterString.startswith(filter_uid):
                        continue
                    keys = mapping_public_keys(mapping)
                    signing = tuple(k for k in keys if isinstance(k, SigningPublicKey))
                    encryption = tuple(k for k in keys if isinstance(k, EncryptionPublicKey))
                    out.append(ListKeyOwnersResult(SynchronizerId.parse(sync_id), member, signing, encryption))
            return out[:limit]

        return self._call(run)

    # ---- identity initialization ------------------------------------------------------------
    def init_id(self, identifier: str, namespace: str, delegations: builtins.list[t.SignedTopologyTransaction]) -> None:
        self._call(self._node.init_id, identifier, namespace, delegations)

    def ready_for_id(self) -> bool:
        """Canton's ``wait_for_ready_for_id``: the node runs and waits for its id (or has one)."""
        return self._env.call(lambda: self._node.running and self._node.vault is not None)
