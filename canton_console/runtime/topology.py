"""Topology state: a log of signed topology transactions with serials, authorized by namespaces.

The mappings and transactions are values (:mod:`canton_console.values.topology`); this module keeps
the state built from them: heads, serials, proposals and the authorization rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import attrs

from canton_console.values import messages
from canton_console.values.messages import Envelope, SubmissionRequest
from canton_console.values.topology import (
    DECENTRALIZED_NAMESPACE,
    MEDIATOR_STATE,
    NAMESPACE_DELEGATION,
    OWNER_TO_KEY,
    PARTY_TO_PARTICIPANT,
    REMOVE,
    REPLACE,
    SEQUENCER_STATE,
    SYNCHRONIZER_PARAMETERS,
    TRUST_CERTIFICATE,
    Mapping,
    SignedTopologyTransaction,
    StoredTransaction,
)


class TopologyState:
    """The topology of one synchronizer, built from its transaction log."""

    def __init__(self, synchronizer_id: str):
        self.synchronizer_id = synchronizer_id
        self._history: dict[tuple[str, str], list[StoredTransaction]] = {}
        self.proposals: dict[tuple[str, str, int, str], StoredTransaction] = {}
        self.log: list[StoredTransaction] = []
        self.listeners: list = []

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

    def head_transactions(self, code: str | None = None) -> list[StoredTransaction]:
        result = []
        for (c, _key), history in self._history.items():
            if code is None or c == code:
                if history[-1].operation == REPLACE:
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
        m = self.lookup(OWNER_TO_KEY, member_or_namespace) or self.lookup(NAMESPACE_DELEGATION, member_or_namespace)
        return bytes.fromhex(m.data["public_key"]) if m else None

    # ---- authorization -------------------------------------------------------------------
    def _namespace_requirement(self, namespace: str) -> tuple[int, list[str]]:
        dnd = self.lookup(DECENTRALIZED_NAMESPACE, namespace)
        if dnd is not None:
            return dnd.data["threshold"], list(dnd.data["owners"])
        return 1, [namespace]

    def required_namespaces(self, mapping: Mapping) -> list[str]:
        code, data = mapping.code, mapping.data
        if code in (SYNCHRONIZER_PARAMETERS, SEQUENCER_STATE, MEDIATOR_STATE):
            return [_namespace_of(self.synchronizer_id)]
        if code == DECENTRALIZED_NAMESPACE:
            # Canton: creating one needs every owner; changing it needs the current definition's
            # threshold plus each newly added owner.
            current = self.lookup(DECENTRALIZED_NAMESPACE, data["namespace"])
            if current is None:
                return list(dict.fromkeys(data["owners"]))
            added = [o for o in data["owners"] if o not in current.data["owners"]]
            return list(dict.fromkeys([data["namespace"], *added]))
        if code == NAMESPACE_DELEGATION:
            return [data["namespace"]]
        if code == OWNER_TO_KEY:
            return [_namespace_of(data["member"])]
        if code == TRUST_CERTIFICATE:
            return [_namespace_of(data["participant"])]
        if code == PARTY_TO_PARTICIPANT:
            return list(dict.fromkeys([_namespace_of(data["party"])] + [_namespace_of(p) for p, _ in data["participants"]]))
        raise ValueError(f"unknown topology mapping {code}")

    def is_authorized(self, signed: SignedTopologyTransaction) -> bool:
        from canton_console.runtime.identity import verify

        tx_bytes = signed.transaction.bytes_to_sign()
        valid_signers = set()
        for fp, sig in signed.signatures.items():
            key = self.public_key(fp)
            if key is None and signed.transaction.mapping.code == NAMESPACE_DELEGATION:
                key = bytes.fromhex(signed.transaction.mapping.data["public_key"])
            if key is not None and verify(key, bytes.fromhex(sig), tx_bytes):
                valid_signers.add(fp)
        for namespace in self.required_namespaces(signed.transaction.mapping):
            threshold, owners = self._namespace_requirement(namespace)
            if len(valid_signers & set(owners)) < threshold:
                return False
        return True

    def missing_signers(self, signed: SignedTopologyTransaction) -> list[str]:
        missing = []
        for namespace in self.required_namespaces(signed.transaction.mapping):
            threshold, owners = self._namespace_requirement(namespace)
            have = len(set(signed.signatures) & set(owners))
            if have < threshold:
                missing.append(f"{namespace} ({have}/{threshold} signatures)")
        return missing

    # ---- applying ------------------------------------------------------------------------
    def add(self, signed: SignedTopologyTransaction, sequenced: int, delay: int) -> StoredTransaction:
        """Add a sequenced transaction: effective when authorized, else merged into the proposals."""
        tx = signed.transaction
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
        self.proposals.pop(pkey, None)
        stored = StoredTransaction(SignedTopologyTransaction(tx, signed.signatures), sequenced, sequenced + delay)
        history = self._history.setdefault((tx.mapping.code, tx.mapping.key), [])
        if history:
            prev = history[-1]
            history[-1] = attrs.evolve(prev, valid_until=stored.valid_from)
            self.log[self.log.index(prev)] = history[-1]
        history.append(stored)
        self.log.append(stored)
        # Drop proposals at serials that are now taken.
        for k in [k for k in self.proposals if k[:2] == (tx.mapping.code, tx.mapping.key) and k[2] <= tx.serial]:
            del self.proposals[k]
        for listener in self.listeners:
            listener(stored)
        return stored

    def restore(self, stored: StoredTransaction) -> None:
        """Re-load a stored transaction at start-up, exactly as it was recorded."""
        tx = stored.signed.transaction
        if stored.is_proposal:
            self.proposals[(tx.mapping.code, tx.mapping.key, tx.serial, tx.hash)] = stored
        else:
            self._history.setdefault((tx.mapping.code, tx.mapping.key), []).append(stored)
        self.log.append(stored)

    def drop_superseded_proposals(self) -> None:
        for k in [k for k in self.proposals if k[2] <= self.serial_of(k[0], k[1])]:
            del self.proposals[k]

    def signers_needed(self, mapping: Mapping) -> Iterable[str]:
        for namespace in self.required_namespaces(mapping):
            yield from self._namespace_requirement(namespace)[1]


def _namespace_of(uid_or_member: str) -> str:
    return uid_or_member.rsplit("::", 1)[1]


def topology_broadcast(sender: str, transactions: list[SignedTopologyTransaction]) -> SubmissionRequest:
    body = {"type": "TopologyTransactionsBroadcast", "transactions": [t.to_dict() for t in transactions]}
    return SubmissionRequest(sender, str(uuid.uuid4()), (Envelope(messages.encode(body), (messages.ALL_MEMBERS,)),), kind="topology")
