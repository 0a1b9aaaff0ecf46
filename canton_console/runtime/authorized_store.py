"""A node's authorized topology store (Canton's ``TopologyStoreId.Authorized``): the topology
transactions its own topology manager authorized, kept in the node's own database beside the
synchronizer stores. It starts with the node's identity: the root certificate of its namespace and
its owner-to-key mapping. A participant sends what it holds to each synchronizer it connects to and
what is added later to the synchronizers it is connected to (Canton's topology dispatcher)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from canton_console.runtime.identity import EncryptionKey, SigningKey
from canton_console.runtime.topology import TopologyState, stored_from_row, topology_row
from canton_console.store import schema as s
from canton_console.values import topology as t
from canton_console.values.errors import RuntimeFailure, ServiceStatusError
from canton_console.values.ids import fingerprint_problem, identifier_problem
from canton_console.values.ledger import BUILTIN_PACKAGES


def load_authorized_store(node: Any) -> TopologyState:
    """(runtime thread) The authorized store of a node whose identity is loaded, with the identity
    transactions added on the first start of a node that initialized itself."""
    state = TopologyState(t.AUTHORIZED_STORE)
    table = s.TopologyTransactionRow
    with node.open_storage.read() as conn:
        rows = conn.execute(select(table.__table__).where(table.synchronizer_id == t.AUTHORIZED_STORE).order_by(table.id)).mappings()
        for row in rows:
            state.restore(stored_from_row(row))
    state.drop_superseded_proposals()
    if not node.manual_identity:
        node.authorized_store = state
        # Made only while the node has no owner-to-key mapping yet: making it creates keys named after
        # the node, and a replica started on a store another replica initialized must add nothing.
        identity = generated_identity(node) if state.lookup(t.OWNER_TO_KEY, node.member_id) is None else []
        identity += generated_vetting(node)
        missing = [tx for tx in identity if state.serial_of(tx.transaction.mapping.code, tx.transaction.mapping.key) == 0]
        if missing:
            add(node, state, missing)
    return state


def generated_identity(node: Any) -> list[t.SignedTopologyTransaction]:
    """The root certificate and owner-to-key mapping a node that initializes itself starts with, as
    Canton's auto-init makes them: the namespace key certifies itself, and the mapping holds a
    sequencer-authentication and a protocol signing key (each signing it too) and a participant's
    encryption key. The keys are made
    once and kept in the vault, and Ed25519 signatures are deterministic, so the transactions are
    the same on every start."""
    namespace = node.known_uid.namespace.unwrap
    root = node.vault.signing_key(namespace)
    assert root is not None, "a node that initialized itself holds its namespace key"
    nsd = t.namespace_delegation(namespace, root.public_bytes.hex(), t.CAN_SIGN_ALL)
    return [sign(node, t.TopologyTransaction(t.REPLACE, 1, nsd), keys=[root]), owner_to_key_transaction(node, 1, [root])]


def owner_to_key_transaction(node: Any, serial: int, authorizers: list[Any]) -> t.SignedTopologyTransaction:
    """The node's owner-to-key mapping of its own keys (made now where missing): a
    sequencer-authentication and a protocol signing key (and a participant's encryption key),
    signed by ``authorizers`` and by each signing key it maps."""
    vault = node.vault
    static = node.env.static_identities

    def signing(name: str, usage: str) -> Any:
        for entry in vault.private_entries():
            if entry.name == name and entry.purpose == "signing":
                return entry.private
        if static:
            return vault.add_signing(SigningKey.static_for(name), name, (usage,)).private
        return vault.generate_signing(name, (usage,), None).private

    keys = [signing(f"{node.name}-sequencer-auth", "sequencer-auth"), signing(f"{node.name}-signing", "signing")]
    encryption = []
    if node.kind == "participant":
        name = f"{node.name}-encryption"
        entry = next((e for e in vault.private_entries() if e.name == name and e.purpose == "encryption"), None)
        if entry is None:
            entry = vault.add_encryption(EncryptionKey.static_for(name), name) if static else vault.generate_encryption(name, None)
        encryption = [entry.public_bytes.hex()]
    mapping = t.owner_to_key(
        node.member_id,
        [k.public_bytes.hex() for k in keys] + encryption,
        usages=[vault.get(k.fingerprint).usage for k in keys] + [() for _ in encryption],
        encryption=encryption,
    )
    return sign(node, t.TopologyTransaction(t.REPLACE, serial, mapping), keys=[*authorizers, *keys])


def generated_vetting(node: Any) -> list[t.SignedTopologyTransaction]:
    """A participant vets the packages it has, the built-in ones, as Canton's participant vets the
    packages it uploads at start (AdminWorkflows): every one without time bounds."""
    if node.kind != "participant":
        return []
    packages = [{"package_id": p.id, "valid_from": None, "valid_until": None} for p in BUILTIN_PACKAGES]
    return [sign(node, t.TopologyTransaction(t.REPLACE, 1, t.vetted_packages(node.member_id, packages)))]


def identity_transactions(node: Any) -> list[t.SignedTopologyTransaction]:
    """The node's identity as its authorized store holds it: the delegations of its namespace (the
    root certificate first) and its owner-to-key mapping."""
    state = node.authorized_store
    if state is None:
        raise RuntimeFailure("Node is not initialized and therefore does not have an Id assigned yet.")
    namespace = node.known_uid.namespace.unwrap
    delegations = [
        st for st in state.head_transactions(t.NAMESPACE_DELEGATION) if not st.is_proposal and st.mapping.data["namespace"] == namespace
    ]
    delegations.sort(key=lambda st: st.mapping.key != f"{namespace}/{namespace}")
    out = [st.signed for st in delegations]
    otk = state._current(t.OWNER_TO_KEY, node.member_id, None)
    if otk is not None and otk.operation == t.REPLACE:
        out.append(otk.signed)
    return out


def sign(node: Any, tx: t.TopologyTransaction, signatures: dict[str, str] | None = None, keys: list[Any] | None = None) -> t.SignedTopologyTransaction:
    """Sign ``tx`` with ``keys`` (default: the node's namespace key), keeping ``signatures``."""
    merged = dict(signatures or {})
    for key in keys if keys is not None else [node.namespace_key]:
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


# ---- manual initialization (Canton's InitId and the stage after it) -------------------------------


def _refused(message: str) -> ServiceStatusError:
    return ServiceStatusError("FAILED_PRECONDITION", message)


def check_init_id(node: Any, identifier: str, namespace: str, delegations: list[t.SignedTopologyTransaction]) -> str:
    """Canton's ``validateTransactionsAndComputeUid``: the namespace of the new identity, or why not."""
    check = TopologyState("Temporary(init)")
    for tx in delegations:
        if tx.transaction.operation != t.REPLACE:
            raise ServiceStatusError("INVALID_ARGUMENT", "Topology transaction is not a replace but a remove")
        if tx.transaction.mapping.code != t.NAMESPACE_DELEGATION:
            raise _refused(f"Expected only namespace delegations, found {tx.transaction.mapping.code}")
        stored = check.add(tx, 0, 0)
        if stored is None or stored.is_proposal:
            raise _refused(f"Topology transaction is not properly authorized: {tx.transaction.mapping.key}")
    found = list(dict.fromkeys(tx.transaction.mapping.data["namespace"] for tx in delegations))
    if len(found) > 1:
        raise _refused(f"Expected only one namespace in the certificates, found {len(found)}")
    if namespace and found:
        if namespace != found[0]:
            raise _refused(f"Provided namespace '{namespace}' does not match the certificate {found[0]} '")
        target = found[0]
    elif namespace:
        problem = fingerprint_problem(namespace)
        if problem is not None:
            raise _refused(problem)
        target = namespace
    elif found:
        target = found[0]
    else:
        raise _refused("No namespace or certificate provided")
    problem = identifier_problem(identifier)
    if problem is not None:
        raise _refused(problem)
    possible = [t.key_fingerprint(tx.transaction.mapping.data["public_key"]) for tx in delegations] + [target]
    if not any(node.vault.holds(fp) for fp in possible):
        raise _refused("No signing key found locally for the provided namespace. The certificates are for: " + ", ".join(possible))
    return target


def auto_complete(node: Any) -> None:
    """(runtime thread) Canton's ``GenerateOrAwaitNodeTopologyTx`` stage: the root certificate when
    the node holds the root key and has no delegation yet, a sequencer-authentication and a
    protocol signing key (and an encryption key for a participant), and the owner-to-key mapping
    of the signing keys."""
    state = node.authorized_store
    vault = node.vault
    namespace = node.known_uid.namespace.unwrap
    has_delegation = any(m.data["namespace"] == namespace for m in state.mappings(t.NAMESPACE_DELEGATION))
    if not has_delegation:
        root = vault.signing_key(namespace)
        if root is None:
            return
        nsd = t.namespace_delegation(namespace, root.public_bytes.hex(), t.CAN_SIGN_ALL)
        add(node, state, [sign(node, t.TopologyTransaction(t.REPLACE, 1, nsd), keys=[root])])
    if state.lookup(t.OWNER_TO_KEY, node.member_id) is not None:
        return

    add(node, state, [owner_to_key_transaction(node, state.serial_of(t.OWNER_TO_KEY, node.member_id) + 1, [node.namespace_key])])
