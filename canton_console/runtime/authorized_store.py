"""A node's authorized topology store (Canton's ``TopologyStoreId.Authorized``): the topology
transactions its own topology manager authorized, kept in the node's own database beside the
synchronizer stores. It starts with the node's identity: the root certificate of its namespace and
its owner-to-key mapping. A participant sends what it holds to each synchronizer it connects to and
what is added later to the synchronizers it is connected to (Canton's topology dispatcher)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from canton_console.runtime.topology import TopologyState, stored_from_row, topology_row
from canton_console.store import schema as s
from canton_console.values import topology as t


def load_authorized_store(node: Any) -> TopologyState:
    """(runtime thread) The authorized store of a node whose identity is loaded, with the identity
    transactions added on the node's first start."""
    state = TopologyState(t.AUTHORIZED_STORE)
    table = s.TopologyTransactionRow
    with node.open_storage.read() as conn:
        rows = conn.execute(select(table.__table__).where(table.synchronizer_id == t.AUTHORIZED_STORE).order_by(table.id)).mappings()
        for row in rows:
            state.restore(stored_from_row(row))
    state.drop_superseded_proposals()
    identity = identity_transactions(node)
    missing = [tx for tx in identity if state.serial_of(tx.transaction.mapping.code, tx.transaction.mapping.key) == 0]
    if missing:
        add(node, state, missing)
    return state


def identity_transactions(node: Any) -> list[t.SignedTopologyTransaction]:
    """The node's root certificate and owner-to-key mapping, signed with its key (Ed25519 signatures
    are deterministic: the same on every start)."""
    namespace = node.known_uid.namespace.unwrap
    key_hex = node.signing_key.public_bytes.hex()
    mappings = [t.namespace_delegation(namespace, key_hex), t.owner_to_key(node.member_id, key_hex)]
    return [sign(node, t.TopologyTransaction(t.REPLACE, 1, m)) for m in mappings]


def sign(node: Any, tx: t.TopologyTransaction, signatures: dict[str, str] | None = None) -> t.SignedTopologyTransaction:
    key = node.signing_key
    merged = dict(signatures or {})
    merged[key.fingerprint] = key.sign(tx.bytes_to_sign()).hex()
    return t.SignedTopologyTransaction(tx, merged)


def add(node: Any, state: TopologyState, transactions: list[t.SignedTopologyTransaction]) -> list[t.StoredTransaction]:
    """(runtime thread) Add transactions to the authorized store, effective at once when authorized
    (no topology change delay: no synchronizer orders them), and store them."""
    now = node.env.clock.now()
    stored = [st for st in (state.add(tx, now, 0) for tx in transactions) if st is not None]
    if stored:
        with node.open_storage.transaction() as conn:
            conn.execute(insert(s.TopologyTransactionRow), [topology_row(t.AUTHORIZED_STORE, st) for st in stored])
    return stored
