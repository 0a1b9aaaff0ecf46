"""A node's topology manager: reading its topology stores, signing and sending topology
transactions, and Canton's checks before it does (serials, signing keys, authorization)."""

from __future__ import annotations

import builtins
from typing import Any

from canton_console.admin.records import ProposedTransaction, SequencerStateResult
from canton_console.runtime import authorized_store
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.topology import TopologyState, topology_broadcast
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.static_parameters import STABLE
from canton_console.values.timefmt import instant

NO_SIGNING_KEY = "Could not find an appropriate signing key to issue the topology transaction"
ALREADY_EXISTS = "A matching topology mapping authorized with the same keys already exists in this state"


class LocalTopologyService(LocalService):
    passive_refusal = "admin"

    # ---- stores (runtime thread) -----------------------------------------------------------
    def _known_stores(self) -> list[str]:
        node, synchronizers = self._node, self._env.synchronizers
        if node.kind == "participant":
            synced = list(dict.fromkeys(c.synchronizer_id for c in node.connections.values() if c.synchronizer_id in synchronizers))
        else:
            synced = [node.synchronizer.id] if node.synchronizer is not None else []
        return [t.AUTHORIZED_STORE, *synced, *(t.TEMPORARY_PREFIX + name for name in node.temporary_stores)]

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

    def _state(self, store: str) -> TopologyState:
        if store.startswith(t.TEMPORARY_PREFIX):
            temporary = self._node.temporary_stores.get(store[len(t.TEMPORARY_PREFIX) :])
            if temporary is None:
                raise CantonError(errors.TOPOLOGY_STORE_NOT_FOUND, f"Topology store 'Temporary({store[len(t.TEMPORARY_PREFIX):]})' is not known.")
            return temporary
        if store == t.AUTHORIZED_STORE:
            state = self._node.authorized_store
            if state is None:
                raise ServiceStatusError(
                    "UNIMPLEMENTED", "Method not found: com.digitalasset.canton.topology.admin.v30.TopologyManagerReadService (the node has no identity yet)"
                )
            return state
        return self._store(store).topology

    # ---- reading ---------------------------------------------------------------------------
    def stores(self) -> list[str]:
        return self._call(self._known_stores)

    def require_store(self, store: str) -> None:
        self._call(self._state, store)

    def list(self, store: str, code: str | None, proposals: bool = False, removals: bool = False) -> list[t.StoredTransaction]:
        def run() -> list[t.StoredTransaction]:
            topo = self._state(store)
            if proposals:
                return [
                    p for (c, key, serial, _h), p in topo.proposals.items() if (code is None or c == code) and serial > topo.serial_of(c, key)
                ]
            return list(topo.head_transactions(code, removals))

        return self._call(run)

    # ``list`` above is a method (Canton's name), so the annotations below spell the type builtins.list.

    def history(self, store: str, code: str | None) -> builtins.list[t.StoredTransaction]:
        return self._call(lambda: list(self._state(store).all_transactions(code)))

    def serial_of(self, store: str, code: str, key: str) -> int:
        return self._call(lambda: self._state(store).serial_of(code, key))

    def head(self, store: str, code: str, key: str) -> t.StoredTransaction | None:
        return self._call(lambda: self._state(store)._current(code, key, None))

    def create_temporary_store(self, name: str, protocol_version: int) -> str:
        def run() -> str:
            if protocol_version not in STABLE:
                raise CantonError(errors.INVALID_ARGUMENT, f"Protocol version {protocol_version} is not supported by this node")
            stores = self._node.temporary_stores
            if name in stores:
                raise CantonError(errors.TOPOLOGY_TEMPORARY_STORE_ALREADY_EXISTS, f"Cannot create topology store with id Temporary({name}), because it already exists.")
            stores[name] = TopologyState(t.TEMPORARY_PREFIX + name)
            return t.TEMPORARY_PREFIX + name

        return self._call(run)

    def drop_temporary_store(self, store: str) -> None:
        def run() -> None:
            name = store[len(t.TEMPORARY_PREFIX) :] if store.startswith(t.TEMPORARY_PREFIX) else None
            if name is None or self._node.temporary_stores.pop(name, None) is None:
                raise CantonError(errors.TOPOLOGY_STORE_NOT_FOUND, f"Topology store '{f'Temporary({name})' if name else store}' is not known.")

        self._call(run)

    def identity_transactions(self) -> builtins.list[t.SignedTopologyTransaction]:
        return self._call(lambda: authorized_store.identity_transactions(self._node))

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
        store: str,
        mapping: t.Mapping,
        serial: int | None = None,
        must_fully_authorize: bool = False,
        signed_by: str | builtins.list[str] | None = None,
        operation: str = t.REPLACE,
    ) -> ProposedTransaction:
        return self._call(self._propose, store, mapping, serial, must_fully_authorize, signed_by, operation)

    def _check_signer(self, signed_by: Any) -> builtins.list[Any]:
        """The keys ``signedBy`` names (one fingerprint or several), each one the node must hold."""
        if signed_by is None:
            return []
        vault = self._node.vault
        keys = []
        for fingerprint in [signed_by] if isinstance(signed_by, str) else list(signed_by):
            key = vault.signing_key(fingerprint) if vault is not None else None
            if key is None:
                raise CantonError(errors.TOPOLOGY_SECRET_KEY_NOT_IN_STORE, f"Secret key with given fingerprint {fingerprint} could not be found")
            keys.append(key)
        return keys

    def _signing_keys(self, topo: TopologyState, tx: t.TopologyTransaction, chosen: builtins.list[Any]) -> builtins.list[Any]:
        """The keys to sign ``tx`` with: the chosen ones, else every key the node holds whose
        signature counts towards authorizing it (its namespace key or a delegated key, and the new
        keys of an owner-to-key mapping, which prove ownership by signing too)."""
        vault = self._node.vault
        candidates = topo.signing_candidates(tx)
        if chosen:
            keys = list(chosen)
            # keys a mapping introduces sign it too (Canton's proof of ownership)
            for _namespaces, extra in topo.required_auth(tx):
                keys += [k for k in (vault.signing_key(fp) for fp in extra) if k is not None and k not in keys]
            return keys
        held = [vault.signing_key(fp) for fp in sorted(candidates)] if vault is not None else []
        keys = [k for k in held if k is not None]
        if not keys:
            raise CantonError(errors.TOPOLOGY_NO_APPROPRIATE_SIGNING_KEY_IN_STORE, NO_SIGNING_KEY)
        return keys

    def _propose(
        self, store: str, mapping: t.Mapping, serial: int | None, must_fully_authorize: bool, signed_by: str | builtins.list[str] | None, operation: str
    ) -> ProposedTransaction:
        topo = self._state(store)
        chosen = self._check_signer(signed_by)
        expected = topo.serial_of(mapping.code, mapping.key) + 1
        if serial is not None and serial != expected:
            raise CantonError(
                errors.TOPOLOGY_SERIAL_MISMATCH,
                f"The given serial {serial} did not match the expected serial {expected}.",
            )
        head = topo.lookup(mapping.code, mapping.key)
        if operation == t.REPLACE and head is not None and head == mapping:
            raise CantonError(errors.TOPOLOGY_MAPPING_ALREADY_EXISTS, ALREADY_EXISTS)
        if operation == t.REMOVE and head is None:
            raise CantonError(
                errors.TOPOLOGY_NO_CORRESPONDING_ACTIVE_TX_TO_REVOKE,
                "There is no active topology transaction matching the mapping of the revocation request",
            )
        tx = t.TopologyTransaction(operation, expected, mapping)
        return self._sign_and_add(store, topo, tx, {}, must_fully_authorize, chosen)

    def _sign_and_add(
        self, store: str, topo: TopologyState, tx: t.TopologyTransaction, signatures: dict[str, str], must_fully_authorize: bool, chosen: Any = ()
    ) -> ProposedTransaction:
        node = self._node
        keys = self._signing_keys(topo, tx, list(chosen))
        pending = topo.proposals.get((tx.mapping.code, tx.mapping.key, tx.serial, tx.hash))
        merged = dict(pending.signed.signatures) if pending is not None else {}
        merged.update(signatures)
        signed = authorized_store.sign(node, tx, merged, keys)
        authorized = topo.is_authorized(signed)
        if must_fully_authorize and not authorized:
            raise CantonError(errors.TOPOLOGY_UNAUTHORIZED_TRANSACTION, "Topology transaction is not properly authorized: Not authorized")
        self._add(store, [signed])
        return ProposedTransaction(signed, not authorized)

    def _add(self, store: str, signed: builtins.list[t.SignedTopologyTransaction]) -> None:
        """(runtime thread) Store transactions in the authorized store (a participant sends them on to
        its synchronizers) or send them to a synchronizer."""
        node = self._node
        if store.startswith(t.TEMPORARY_PREFIX):
            # in memory only, and sent nowhere
            state = self._state(store)
            now = self._env.clock.now()
            for tx in signed:
                state.add(tx, now, 0)
            return
        if store != t.AUTHORIZED_STORE:
            self._store(store).submit(topology_broadcast(node.member_id, signed))
            return
        state = self._state(store)
        authorized_store.add(node, state, signed)
        if node.kind != "participant":
            sync = getattr(node, "synchronizer", None)
            if sync is not None and any(tx.transaction.mapping.code == t.OWNER_TO_KEY for tx in signed):
                # Canton's topology dispatcher: the node's own keys reach its synchronizer
                sync.submit(topology_broadcast(node.member_id, [tx for tx in signed if tx.transaction.mapping.code == t.OWNER_TO_KEY]))
            return
        if node.kind == "participant":
            for sync_id in self._known_stores()[1:]:
                connection = next((c for c in node.connections.values() if c.synchronizer_id == sync_id), None)
                if connection is not None and connection.connected:
                    self._env.synchronizers[sync_id].submit(topology_broadcast(node.member_id, signed))

    def authorize(self, store: str, transaction_hash: str, must_fully_authorize: bool = False, signed_by: str | builtins.list[str] | None = None) -> ProposedTransaction:
        def run() -> ProposedTransaction:
            topo = self._state(store)
            chosen = self._check_signer(signed_by)
            for (code, key, serial, tx_hash), pending in topo.proposals.items():
                if tx_hash == transaction_hash and serial > topo.serial_of(code, key):
                    return self._sign_and_add(store, topo, pending.signed.transaction, dict(pending.signed.signatures), must_fully_authorize, chosen)
            raise CantonError(
                errors.TOPOLOGY_TRANSACTION_NOT_FOUND,
                f"Topology transaction with hash {transaction_hash} does not exist or is not active or is not an active proposal at {instant(self._env.clock.now())}",
            )

        return self._call(run)

    def sign(self, transactions: builtins.list[t.SignedTopologyTransaction], signed_by: str | builtins.list[str] | None = None) -> builtins.list[t.SignedTopologyTransaction]:
        def run() -> builtins.list[t.SignedTopologyTransaction]:
            chosen = self._check_signer(signed_by)
            return [authorized_store.sign(self._node, s.transaction, dict(s.signatures), chosen or None) for s in transactions]

        return self._call(run)

    def load(self, store: str, transactions: builtins.list[t.SignedTopologyTransaction]) -> None:
        def run() -> None:
            self._state(store)
            self._add(store, transactions)

        self._call(run)

    def sequenced_state(self, store: str, transaction: t.TopologyTransaction) -> str | None:
        return self._env.call(self._sequenced_state, store, transaction)

    def _sequenced_state(self, store: str, tx: t.TopologyTransaction) -> str | None:
        """``effective`` once the transaction is in force, ``proposal`` once it is stored as a pending
        proposal, ``superseded`` when its serial was taken by another transaction, else None."""
        if store == t.AUTHORIZED_STORE or store.startswith(t.TEMPORARY_PREFIX):
            topo = self._state(store)
            now = self._env.clock.now()
        else:
            sync = self._env.synchronizers[store]
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
