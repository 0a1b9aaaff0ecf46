"""A node's topology manager: reading its topology stores, signing and sending topology
transactions, and Canton's checks before it does (serials, signing keys, authorization)."""

from __future__ import annotations

import builtins
from typing import Any

from canton_console.admin.records import ProposedTransaction, SequencerStateResult
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.topology import topology_broadcast
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError
from canton_console.values.parameters import DynamicSynchronizerParameters

NO_SIGNING_KEY = "Could not find an appropriate signing key to issue the topology transaction"
ALREADY_EXISTS = "A matching topology mapping authorized with the same keys already exists in this state"


def _serial_text(serial: int | None) -> str:
    return "None" if serial is None else f"Some({serial})"


class LocalTopologyService(LocalService):
    passive_refusal = "admin"

    # ---- stores (runtime thread) -----------------------------------------------------------
    def _known_stores(self) -> list[str]:
        node, synchronizers = self._node, self._env.synchronizers
        if node.kind == "participant":
            return list(dict.fromkeys(c.synchronizer_id for c in node.connections.values() if c.synchronizer_id in synchronizers))
        return [node.synchronizer.id] if node.synchronizer is not None else []

    def _store(self, synchronizer_id: str) -> Any:
        """The synchronizer ``synchronizer_id`` whose topology this node keeps, or Canton's error."""
        node = self._node
        sync = self._env.synchronizers.get(synchronizer_id)
        if node.kind == "participant":
            knows = any(c.synchronizer_id == synchronizer_id for c in node.connections.values())
        else:
            knows = node.synchronizer is not None and node.synchronizer.id == synchronizer_id
        if sync is None or not knows:
            raise CantonError(errors.TOPOLOGY_STORE_NOT_FOUND, f"Topology store for synchronizer {synchronizer_id} is not known.")
        return sync

    # ---- reading ---------------------------------------------------------------------------
    def stores(self) -> list[str]:
        return self._call(self._known_stores)

    def require_store(self, synchronizer_id: str) -> None:
        self._call(self._store, synchronizer_id)

    def list(self, synchronizer_id: str, code: str, proposals: bool = False) -> list[t.StoredTransaction]:
        def run() -> list[t.StoredTransaction]:
            topo = self._store(synchronizer_id).topology
            if proposals:
                return [p for (c, key, serial, _h), p in topo.proposals.items() if c == code and serial > topo.serial_of(c, key)]
            return list(topo.head_transactions(code))

        return self._call(run)

    # ``list`` above is a method (Canton's name), so the annotations below spell the type builtins.list.

    def history(self, synchronizer_id: str, code: str) -> builtins.list[t.StoredTransaction]:
        return self._call(lambda: list(self._store(synchronizer_id).topology.all_transactions(code)))

    def serial_of(self, synchronizer_id: str, code: str, key: str) -> int:
        return self._call(lambda: self._store(synchronizer_id).topology.serial_of(code, key))

    def synchronizer_parameters(self, synchronizer_id: str) -> tuple[DynamicSynchronizerParameters, int]:
        def run() -> tuple[DynamicSynchronizerParameters, int]:
            sync = self._store(synchronizer_id)
            return sync.parameters(), sync.topology.serial_of(t.SYNCHRONIZER_PARAMETERS, synchronizer_id)

        return self._call(run)

    def sequencer_states(self, synchronizer_id: str | None = None) -> builtins.list[SequencerStateResult]:
        def run() -> list[SequencerStateResult]:
            out = []
            for sync in self._env.synchronizers.values():
                if synchronizer_id is not None and sync.id != synchronizer_id:
                    continue
                state = sync.topology.sequencer_state()
                if state:
                    serial = sync.topology.serial_of(t.SEQUENCER_STATE, sync.id)
                    out.append(SequencerStateResult(sync.id, state["threshold"], tuple(state["active"]), tuple(state["observers"]), serial))
            return out

        return self._call(run)

    def is_idle(self) -> bool:
        return self._env.call(self._env.is_idle)

    def now(self) -> int:
        return self._env.clock.now()

    # ---- writing ---------------------------------------------------------------------------
    def propose(
        self,
        synchronizer_id: str,
        mapping: t.Mapping,
        serial: int | None = None,
        must_fully_authorize: bool = False,
        signed_by: str | None = None,
    ) -> ProposedTransaction:
        return self._call(self._propose, synchronizer_id, mapping, serial, must_fully_authorize, signed_by)

    def _propose(
        self, synchronizer_id: str, mapping: t.Mapping, serial: int | None, must_fully_authorize: bool, signed_by: str | None
    ) -> ProposedTransaction:
        node = self._node
        sync = self._store(synchronizer_id)
        topo = sync.topology
        namespace = node.uid.namespace.unwrap
        if signed_by is not None and signed_by != namespace:
            raise CantonError(errors.TOPOLOGY_SECRET_KEY_NOT_IN_STORE, "Secret key with given fingerprint could not be found")
        expected = topo.serial_of(mapping.code, mapping.key) + 1
        if serial is not None and serial != expected:
            raise CantonError(
                errors.TOPOLOGY_SERIAL_MISMATCH,
                f"The provided serial {_serial_text(serial)} did not match the expected serial {_serial_text(expected)}.",
            )
        head = topo.lookup(mapping.code, mapping.key)
        if head is not None and head == mapping:
            raise CantonError(errors.TOPOLOGY_MAPPING_ALREADY_EXISTS, ALREADY_EXISTS)
        if namespace not in set(topo.signers_needed(mapping)):
            raise CantonError(errors.TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE, NO_SIGNING_KEY)
        tx = t.TopologyTransaction(t.REPLACE, expected, mapping)
        signed = t.SignedTopologyTransaction(tx, {namespace: node.key.sign(tx.bytes_to_sign()).hex()})
        pending = topo.proposals.get((mapping.code, mapping.key, expected, tx.hash))
        merged = dict(pending.signed.signatures) if pending is not None else {}
        merged.update(signed.signatures)
        authorized = topo.is_authorized(t.SignedTopologyTransaction(tx, merged))
        if must_fully_authorize and not authorized:
            missing = ", ".join(topo.missing_signers(t.SignedTopologyTransaction(tx, merged)))
            raise CantonError(errors.TOPOLOGY_UNAUTHORIZED_TRANSACTION, f"Topology transaction is missing authorizations by namespaces={missing}")
        sync.submit(topology_broadcast(node.member_id, [signed]))
        return ProposedTransaction(signed, not authorized)

    def sequenced_state(self, synchronizer_id: str, transaction: t.TopologyTransaction) -> str | None:
        return self._env.call(self._sequenced_state, synchronizer_id, transaction)

    def _sequenced_state(self, synchronizer_id: str, tx: t.TopologyTransaction) -> str | None:
        """``effective`` once the transaction is in force, ``proposal`` once it is stored as a pending
        proposal, ``superseded`` when its serial was taken by another transaction, else None."""
        sync = self._env.synchronizers[synchronizer_id]
        topo = sync.topology
        # The synchronizer's time: under a sim clock, events at one instant are sequenced in 1µs steps past it.
        now = max(self._env.clock.now(), sync.last_timestamp)
        code, key, serial = tx.mapping.code, tx.mapping.key, tx.serial
        tx_hash = None
        for stored in reversed(topo.log):
            stx = stored.signed.transaction
            if stx.serial != serial or stx.mapping.code != code or stx.mapping.key != key:
                continue
            if tx_hash is None:
                tx_hash = tx.hash
            if stx.hash != tx_hash:
                continue
            if stored.is_proposal:
                return "superseded" if topo.serial_of(code, key) >= serial else "proposal"
            return "effective" if stored.valid_from <= now else None
        if topo.serial_of(code, key) >= serial:
            return "superseded"
        return None
