"""Topology state: a log of signed topology transactions with serials, authorized by namespaces.

The mappings and transactions are values (:mod:`canton_console.values.topology`); this module keeps
the state built from them: heads, serials, proposals and the authorization rules.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import attrs

from canton_console.values import messages
from canton_console.values.messages import Envelope, SubmissionRequest
from canton_console.values.topology import (
    CAN_SIGN_ALL_BUT_NSD,
    DECENTRALIZED_NAMESPACE,
    MEDIATOR_STATE,
    NAMESPACE_DELEGATION,
    OWNER_TO_KEY,
    PARTICIPANT_PERMISSION,
    PARTY_HOSTING_LIMITS,
    PARTY_TO_KEY,
    PARTY_TO_PARTICIPANT,
    REMOVE,
    REPLACE,
    SEQUENCER_STATE,
    SYNCHRONIZER_PARAMETERS,
    TRUST_CERTIFICATE,
    VETTED_PACKAGES,
    Mapping,
    SignedTopologyTransaction,
    StoredTransaction,
    TopologyTransaction,
    can_sign,
    key_fingerprint,
    protocol_keys,
    signing_keys,
)


class TopologyState:
    """The topology of one synchronizer, built from its transaction log."""

    def __init__(self, synchronizer_id: str):
        self.synchronizer_id = synchronizer_id
        self._history: dict[tuple[str, str], list[StoredTransaction]] = {}
        self.proposals: dict[tuple[str, str, int, str], StoredTransaction] = {}
        self.log: list[StoredTransaction] = []
        self.listeners: list = []
        # fingerprint -> raw public key of every key a stored mapping carried
        self._keys: dict[str, bytes] = {}

    # ---- queries -------------------------------------------------------------------------
    def _current(self, code: str, key: str, at: int | None) -> StoredTransaction | None:
        history = self._history.get((code, key))
        if not history:
            return None
        if at is None:
            return history[-1]
        for stored in reversed(history):
            if stored.valid_from <= at:
                return stored
        return None

    def lookup(self, code: str, key: str, at: int | None = None) -> Mapping | None:
        stored = self._current(code, key, at)
        if stored is None or stored.operation == REMOVE:
            return None
        return stored.mapping

    def serial_of(self, code: str, key: str) -> int:
        stored = self._current(code, key, None)
        return stored.serial if stored else 0

    def mappings(self, code: str, at: int | None = None) -> list[Mapping]:
        result = []
        for (c, key) in self._history:
            if c == code:
                mapping = self.lookup(c, key, at)
                if mapping is not None:
                    result.append(mapping)
        return result

    def head_transactions(self, code: str | None = None, removals: bool = False) -> list[StoredTransaction]:
        """The latest transaction of each mapping: replacements, and with ``removals`` removals too."""
        result = []
        for (c, _key), history in self._history.items():
            if code is None or c == code:
                if removals or history[-1].operation == REPLACE:
                    result.append(history[-1])
        return result

    def all_transactions(self, code: str | None = None) -> list[StoredTransaction]:
        return [s for s in self.log if code is None or s.mapping.code == code]

    def latest_valid_from(self) -> int:
        return max((s.valid_from for s in self.log), default=0)

    # Convenience views --------------------------------------------------------------------
    def parameters(self, at: int | None = None) -> dict[str, Any] | None:
        m = self.lookup(SYNCHRONIZER_PARAMETERS, self.synchronizer_id, at)
        return m.data["parameters"] if m else None

    def sequencer_state(self, at: int | None = None) -> dict[str, Any] | None:
        m = self.lookup(SEQUENCER_STATE, self.synchronizer_id, at)
        return m.data if m else None

    def mediator_state(self, group: int = 0, at: int | None = None) -> dict[str, Any] | None:
        m = self.lookup(MEDIATOR_STATE, f"{self.synchronizer_id}/{group}", at)
        return m.data if m else None

    def participants(self, at: int | None = None) -> list[str]:
        return [m.data["participant"] for m in self.mappings(TRUST_CERTIFICATE, at)]

    def sequencers(self, at: int | None = None) -> list[str]:
        state = self.sequencer_state(at)
        return list(state["active"]) + list(state["observers"]) if state else []

    def mediators(self, at: int | None = None) -> list[str]:
        state = self.mediator_state(0, at)
        return list(state["active"]) + list(state["observers"]) if state else []

    def known_members(self, at: int | None = None) -> list[str]:
        return self.participants(at) + self.mediators(at) + self.sequencers(at)

    def hosting(self, party: str, at: int | None = None) -> tuple[int, list[tuple[str, str]]]:
        """Threshold and hosting participants of a party; a participant's admin party is hosted by it."""
        m = self.lookup(PARTY_TO_PARTICIPANT, party, at)
        if m is not None:
            return m.data["threshold"], [tuple(p) for p in m.data["participants"]]
        admin = "PAR::" + party
        if admin in self.participants(at):
            return 1, [(admin, "Submission")]
        return 1, []

    def parties(self, at: int | None = None) -> list[Mapping]:
        return self.mappings(PARTY_TO_PARTICIPANT, at)

    def public_key(self, member_or_namespace: str) -> bytes | None:
        """The key a member signs protocol messages with (its owner-to-key mapping's first key for
        that), or a namespace's root key."""
        m = self.lookup(OWNER_TO_KEY, member_or_namespace)
        if m is not None:
            keys = protocol_keys(m)
            return bytes.fromhex(keys[0]) if keys else None
        root = self.lookup(NAMESPACE_DELEGATION, f"{member_or_namespace}/{member_or_namespace}")
        return bytes.fromhex(root.data["public_key"]) if root else None

    # ---- authorization -------------------------------------------------------------------
    def key_bytes(self, fingerprint: str) -> bytes | None:
        """A public key some mapping of this store carried (delegations, owner and party keys)."""
        return self._keys.get(fingerprint)

    def _index_keys(self, mapping: Mapping) -> None:
        for key_hex in mapping_keys(mapping):
            self._keys.setdefault(key_fingerprint(key_hex), bytes.fromhex(key_hex))

    def authorized_keys(self, namespace: str, code: str) -> set[str]:
        """Fingerprints of the keys that may sign mappings ``code`` for a plain namespace: its root key
        and the keys it delegated to with a restriction that allows ``code``."""
        keys = {namespace}
        prefix = namespace + "/"
        for (c, key), history in self._history.items():
            if c == NAMESPACE_DELEGATION and key.startswith(prefix) and history[-1].operation == REPLACE:
                data = history[-1].mapping.data
                if can_sign(data.get("restriction", CAN_SIGN_ALL_BUT_NSD), code):
                    keys.add(key_fingerprint(data["public_key"]))
        return keys

    def _previous(self, mapping: Mapping) -> StoredTransaction | None:
        return self._current(mapping.code, mapping.key, None)

    def required_auth(self, tx: TopologyTransaction) -> list[tuple[list[str], list[str]]]:
        """What authorizes ``tx``, as Canton's mappings require it: alternatives of (namespaces, extra
        keys); one alternative must be met in full. A decentralized namespace among the namespaces
        needs its threshold of owners."""
        mapping = tx.mapping
        code, data = mapping.code, mapping.data
        previous = self._previous(mapping)
        prev = previous.mapping if previous is not None and previous.operation == REPLACE else None
        if code in (SYNCHRONIZER_PARAMETERS, SEQUENCER_STATE, MEDIATOR_STATE, PARTICIPANT_PERMISSION, PARTY_HOSTING_LIMITS):
            return [([_namespace_of(data["synchronizer_id"])], [])]
        if code == DECENTRALIZED_NAMESPACE:
            # Creating one needs every owner; changing it needs the current definition's threshold
            # plus each newly added owner.
            current = self.lookup(DECENTRALIZED_NAMESPACE, data["namespace"])
            if current is None:
                return [(list(dict.fromkeys(data["owners"])), [])]
            added = [o for o in data["owners"] if o not in current.data["owners"]]
            return [(list(dict.fromkeys([data["namespace"], *added])), [])]
        if code == NAMESPACE_DELEGATION:
            return [([data["namespace"]], [])]
        if code in (OWNER_TO_KEY, PARTY_TO_KEY):
            owner = data["member"] if code == OWNER_TO_KEY else data["party"]
            before = set(prev.data["public_keys"]) if prev is not None else set()
            # New signing keys prove that their owner holds them by signing too (encryption keys cannot).
            new_keys = [key_fingerprint(k) for k in signing_keys(tx.mapping) if k not in before] if tx.operation == REPLACE else []
            return [([_namespace_of(owner)], new_keys)]
        if code in (TRUST_CERTIFICATE, VETTED_PACKAGES):
            return [([_namespace_of(data["participant"])], [])]
        if code == PARTY_TO_PARTICIPANT:
            party_ns = _namespace_of(data["party"])
            now = [p for p, _ in data["participants"]]
            if prev is None:
                return [(list(dict.fromkeys([party_ns, *map(_namespace_of, now)])), [])]
            hosts_before = [p for p, _ in prev.data["participants"]]
            added = [p for p in now if p not in hosts_before]
            removed = [p for p in hosts_before if p not in now]
            if tx.operation == REPLACE and prev.data["threshold"] == data["threshold"] and not added and len(removed) == 1:
                # A participant may stop hosting a party on its own.
                return [([party_ns], []), ([_namespace_of(removed[0])], [])]
            if tx.operation == REMOVE:
                return [([party_ns], [])]
            return [(list(dict.fromkeys([party_ns, *map(_namespace_of, added)])), [])]
        raise ValueError(f"unknown topology mapping {code}")

    def required_namespaces(self, mapping: Mapping) -> list[str]:
        """The namespaces that authorize a replacement of ``mapping`` (first alternative)."""
        return self.required_auth(TopologyTransaction(REPLACE, self.serial_of(mapping.code, mapping.key) + 1, mapping))[0][0]

    def _namespace_requirement(self, namespace: str) -> tuple[int, list[str]]:
        dnd = self.lookup(DECENTRALIZED_NAMESPACE, namespace)
        if dnd is not None:
            return dnd.data["threshold"], list(dnd.data["owners"])
        return 1, [namespace]

    def valid_signers(self, signed: SignedTopologyTransaction) -> set[str]:
        """The fingerprints whose signatures on ``signed`` verify with a known key (or a key the
        transaction itself introduces)."""
        own = {key_fingerprint(k): bytes.fromhex(k) for k in mapping_keys(signed.transaction.mapping)}
        valid = set()
        for fp, sig in signed.signatures.items():
            key = self._keys.get(fp) or own.get(fp)
            if key is not None and signature_verifies(key, sig, signed.transaction):
                valid.add(fp)
        return valid

    def _namespace_met(self, namespace: str, code: str, signers: set[str]) -> tuple[int, int]:
        """(signatures that count, signatures needed) for one namespace, decentralized or not."""
        threshold, owners = self._namespace_requirement(namespace)
        have = sum(1 for owner in owners if signers & self.authorized_keys(owner, code))
        return have, threshold

    def _unmet(self, tx: TopologyTransaction, signers: set[str]) -> list[str] | None:
        """None when ``signers`` authorize ``tx``; else what the first alternative still lacks."""
        first: list[str] | None = None
        for namespaces, extra_keys in self.required_auth(tx):
            lacking = []
            for namespace in namespaces:
                have, need = self._namespace_met(namespace, tx.mapping.code, signers)
                if have < need:
                    lacking.append(f"{namespace} ({have}/{need} signatures)" if need > 1 else namespace)
            lacking += [f"key {k}" for k in extra_keys if k not in signers]
            if not lacking:
                return None
            if first is None:
                first = lacking
        return first or []

    def is_authorized(self, signed: SignedTopologyTransaction) -> bool:
        return self._unmet(signed.transaction, self.valid_signers(signed)) is None

    def missing_signers(self, signed: SignedTopologyTransaction) -> list[str]:
        return self._unmet(signed.transaction, self.valid_signers(signed)) or []

    def signing_candidates(self, tx: TopologyTransaction) -> set[str]:
        """Fingerprints of every key whose signature would count towards authorizing ``tx``."""
        result: set[str] = set()
        for namespaces, extra_keys in self.required_auth(tx):
            for namespace in namespaces:
                for owner in self._namespace_requirement(namespace)[1]:
                    result |= self.authorized_keys(owner, tx.mapping.code)
            result |= set(extra_keys)
        return result

    # ---- applying ------------------------------------------------------------------------
    def add(self, signed: SignedTopologyTransaction, sequenced: int, delay: int) -> StoredTransaction | None:
        """Add a sequenced transaction: effective when authorized, else merged into the proposals.
        None when it is rejected: a serial that skips one, or a removal of nothing."""
        tx = signed.transaction
        current = self.serial_of(tx.mapping.code, tx.mapping.key)
        if tx.serial > current + 1 or (tx.operation == REMOVE and self.lookup(tx.mapping.code, tx.mapping.key) is None and tx.serial > current):
            return None
        pkey = (tx.mapping.code, tx.mapping.key, tx.serial, tx.hash)
        pending = self.proposals.get(pkey)
        if pending is not None:
            merged = dict(pending.signed.signatures)
            merged.update(signed.signatures)
            signed = SignedTopologyTransaction(tx, merged)
        if tx.serial <= self.serial_of(tx.mapping.code, tx.mapping.key):
            # Already superseded: a late duplicate. Nothing changes.
            return StoredTransaction(signed, sequenced, sequenced + delay, is_proposal=True)
        if not self.is_authorized(signed):
            stored = StoredTransaction(SignedTopologyTransaction(tx, signed.signatures, True), sequenced, sequenced, is_proposal=True)
            self.proposals[pkey] = stored
            self.log.append(stored)
            return stored
        stored = StoredTransaction(SignedTopologyTransaction(tx, signed.signatures), sequenced, sequenced + delay)
        self.append_effective(stored)
        return stored

    def append_effective(self, stored: StoredTransaction) -> None:
        """Make ``stored`` (an authorized transaction, sequenced after every one held) the current one
        of its mapping: the previous one ends where it begins, proposals at serials now taken go.
        ``add`` does this once it has judged a transaction; a copy of a remote synchronizer's
        topology does it with what the sequencer judged."""
        tx = stored.signed.transaction
        self.proposals.pop((tx.mapping.code, tx.mapping.key, tx.serial, tx.hash), None)
        history = self._history.setdefault((tx.mapping.code, tx.mapping.key), [])
        if history and history[-1].valid_until is None:
            prev = history[-1]
            history[-1] = attrs.evolve(prev, valid_until=stored.valid_from)
            self.log[self.log.index(prev)] = history[-1]
        history.append(stored)
        self.log.append(stored)
        self._index_keys(tx.mapping)
        for k in [k for k in self.proposals if k[:2] == (tx.mapping.code, tx.mapping.key) and k[2] <= tx.serial]:
            del self.proposals[k]
        for listener in self.listeners:
            listener(stored)

    def restore(self, stored: StoredTransaction) -> None:
        """Re-load a stored transaction at start-up, exactly as it was recorded."""
        tx = stored.signed.transaction
        if stored.is_proposal:
            self.proposals[(tx.mapping.code, tx.mapping.key, tx.serial, tx.hash)] = stored
        else:
            self._history.setdefault((tx.mapping.code, tx.mapping.key), []).append(stored)
            self._index_keys(tx.mapping)
        self.log.append(stored)

    def drop_superseded_proposals(self) -> None:
        for k in [k for k in self.proposals if k[2] <= self.serial_of(k[0], k[1])]:
            del self.proposals[k]



def mapping_keys(mapping: Mapping) -> list[str]:
    """The public keys (raw hex) a mapping carries."""
    if mapping.code == NAMESPACE_DELEGATION:
        return [mapping.data["public_key"]]
    if mapping.code in (OWNER_TO_KEY, PARTY_TO_KEY):
        return list(mapping.data["public_keys"])
    return []


def _namespace_of(uid_or_member: str) -> str:
    return uid_or_member.rsplit("::", 1)[1]


def topology_broadcast(sender: str, transactions: list[SignedTopologyTransaction]) -> SubmissionRequest:
    body = {"type": "TopologyTransactionsBroadcast", "transactions": [t.to_dict() for t in transactions]}
    return SubmissionRequest(sender, str(uuid.uuid4()), (Envelope(messages.encode(body), (messages.ALL_MEMBERS,)),), kind="topology")


def topology_row(store_id: str, stored: StoredTransaction) -> dict[str, Any]:
    """A stored transaction as a row of ``cc_topology_transactions`` (``store_id``: a synchronizer id, or
    ``Authorized`` for a node's authorized store)."""
    tx = stored.signed.transaction
    return {
        "synchronizer_id": store_id,
        "mapping_code": tx.mapping.code,
        "mapping_key": tx.mapping.key,
        "serial": tx.serial,
        "operation": tx.operation,
        "mapping": json.dumps(tx.mapping.to_dict(), sort_keys=True),
        "signatures": json.dumps(stored.signed.signatures, sort_keys=True),
        "is_proposal": stored.is_proposal,
        "sequenced": stored.sequenced,
        "valid_from": stored.valid_from,
        "valid_until": stored.valid_until,
    }


def stored_from_row(row: Any) -> StoredTransaction:
    signed = SignedTopologyTransaction.from_dict(
        {"op": row["operation"], "serial": row["serial"], "mapping": json.loads(row["mapping"]), "signatures": json.loads(row["signatures"])}
    )
    return StoredTransaction(signed, row["sequenced"], row["valid_from"], row["valid_until"], row["is_proposal"])


def signature_verifies(public_key: bytes, stored: str, tx: TopologyTransaction) -> bool:
    """Whether a stored signature of ``tx`` verifies with ``public_key``: over the transaction's
    bytes, over its hash (``hash:...``, a signature made outside the nodes), or (a multi-transaction
    signature, ``multi:...``) over the combined hash of transactions that include it (Canton's
    MultiTransactionSignature)."""
    from canton_console.runtime.identity import verify
    from canton_console.values.topology import HASH_SIGNATURE_PREFIX, MULTI_SIGNATURE_PREFIX, combined_hash, multihash_of

    try:
        if stored.startswith(HASH_SIGNATURE_PREFIX):
            return verify(public_key, bytes.fromhex(stored[len(HASH_SIGNATURE_PREFIX) :]), multihash_of(tx.hash))
        if stored.startswith(MULTI_SIGNATURE_PREFIX):
            hashes_text, _, signature_hex = stored[len(MULTI_SIGNATURE_PREFIX) :].partition(":")
            hashes = hashes_text.split(",")
            return tx.hash in hashes and verify(public_key, bytes.fromhex(signature_hex), combined_hash(hashes))
        return verify(public_key, bytes.fromhex(stored), tx.bytes_to_sign())
    except ValueError:
        return False
