"""Topology state: a log of signed topology transactions with serials, authorized by namespaces.

A mapping has a code (Canton's mapping name), a unique key and its data. A transaction replaces (or
removes) the mapping at the next serial. It is effective once the namespaces it needs have signed
it with their threshold; until then it is a proposal, and identical proposals collect signatures.
Changes become effective ``topology change delay`` after their sequencing time.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

import attrs

from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.runtime.messages import encode

# Mapping codes, as Canton names them.
NAMESPACE_DELEGATION = "NamespaceDelegation"
DECENTRALIZED_NAMESPACE = "DecentralizedNamespaceDefinition"
OWNER_TO_KEY = "OwnerToKeyMapping"
SYNCHRONIZER_PARAMETERS = "SynchronizerParametersState"
SEQUENCER_STATE = "SequencerSynchronizerState"
MEDIATOR_STATE = "MediatorSynchronizerState"
TRUST_CERTIFICATE = "SynchronizerTrustCertificate"
PARTY_TO_PARTICIPANT = "PartyToParticipant"

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


def namespace_delegation(namespace: str, public_key_hex: str) -> Mapping:
    return Mapping(NAMESPACE_DELEGATION, namespace, {"namespace": namespace, "public_key": public_key_hex})


def decentralized_namespace_definition(namespace: str, threshold: int, owners: list[str]) -> Mapping:
    return Mapping(
        DECENTRALIZED_NAMESPACE, namespace, {"namespace": namespace, "threshold": threshold, "owners": sorted(owners)}
    )


def owner_to_key(member: str, public_key_hex: str) -> Mapping:
    return Mapping(OWNER_TO_KEY, member, {"member": member, "public_key": public_key_hex})


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
    def check_serial(self, tx: TopologyTransaction) -> None:
        current = self.serial_of(tx.mapping.code, tx.mapping.key)
        if tx.serial != current + 1:
            raise CantonError(
                errors.TOPOLOGY_SERIAL_MISMATCH,
                f"The given serial {tx.serial} does not match the expected serial {current + 1}",
            )

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
