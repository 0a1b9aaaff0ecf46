"""``bootstrap.synchronizer`` when some of its nodes run in other processes: Canton's bootstrap macro
(``ConsoleMacros.bootstrap``), step by step through the nodes' admin services only, as an operator
would run it by hand (see the decentralized founding ceremony): the owners collect the members'
identities in a temporary store, agree on the decentralized namespace, each signs the synchronizer's
parameters, sequencer state and mediator state; the signatures are merged into one genesis topology,
each sequencer is initialized with it and each mediator assigned to the synchronizer through the
sequencers.

Every node, local or remote, is reached through its ``NodeAdmin``: the same steps work for a node of
this console's process and for one of another process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

import attrs

from canton_console.admin.services import NodeAdmin
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.health import NodeStatusData
from canton_console.values.ids import short_fingerprint
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.static_parameters import PROTOCOL_VERSIONS, StaticSynchronizerParameters, default_static_parameters

log = logging.getLogger("canton_console.bootstrap")

S = TypeVar("S")

# The local path's (and Canton's) prefix of every refusal of bootstrap.synchronizer.
CANNOT = "The synchronizer cannot be bootstrapped: "


def _refused(reason: str) -> CantonError:
    return CantonError(errors.INVALID_ARGUMENT, CANNOT + reason)


@attrs.frozen
class _Node:
    name: str  # the console's name of the node
    admin: NodeAdmin
    remote: bool

    @property
    def kind(self) -> str:
        return self.admin.info.kind


def bootstrap_synchronizer(
    console: Any,
    name: str,
    sequencers: Sequence[str],
    mediators: Sequence[str],
    owners: Sequence[str],
    threshold: int,
    static_parameters: StaticSynchronizerParameters | None = None,
    mediator_threshold: int = 1,
) -> str:
    """Bootstrap synchronizer ``name`` (or find it bootstrapped) through the admin services of the
    nodes ``console`` (a ``ConsoleAdminWithRemotes``) knows: sequencers and mediators by console
    name, owners by member id (none: the sequencers). Returns the synchronizer id.

    As Canton's macro: when every sequencer and mediator is initialized for this synchronizer already,
    its id is returned and nothing changes; a node initialized for another synchronizer, or a passive
    one, is refused; otherwise the synchronizer's genesis topology is made and the nodes that are not
    initialized yet are initialized with it."""
    if not sequencers:
        raise _refused("at least one sequencer is needed")
    if not mediators:
        raise _refused("at least one mediator is needed")
    seq_nodes = [_node(console, n) for n in dict.fromkeys(sequencers)]
    med_nodes = [_node(console, n) for n in dict.fromkeys(mediators)]
    for node in [*seq_nodes, *med_nodes]:
        _require_running(node)
    members = {node.name: node.admin.identity.member_id() for node in [*seq_nodes, *med_nodes]}
    # Canton skips over HA sequencers: replicas of one sequencer are one sequencer.
    seq_nodes = list({members[n.name]: n for n in seq_nodes}.values())
    owner_ids = list(dict.fromkeys(owners)) or list(dict.fromkeys(members[n.name] for n in seq_nodes))
    owner_nodes = _owner_nodes(console, owner_ids, members, [*seq_nodes, *med_nodes])
    if not owner_nodes:
        raise _refused("at least one synchronizer owner is needed")
    if threshold < 1 or threshold > len(owner_nodes):
        raise _refused(f"the threshold {threshold} must be between 1 and the number of owners ({len(owner_nodes)})")
    owner_fps = [member.rsplit("::", 1)[-1] for member in owner_nodes]
    namespace = owner_fps[0] if len(owner_fps) == 1 else t.decentralized_namespace_of(owner_fps)
    sync_id = f"{name}::{namespace}"

    initialized = {node.name: _initialized_for(node, members[node.name], sync_id) for node in [*seq_nodes, *med_nodes]}
    if all(initialized.values()):
        log.info("Synchronizer %s has already been bootstrapped with ID %s", name, sync_id)
        return sync_id

    static = static_parameters if static_parameters is not None else default_static_parameters()
    mediator_members = list(dict.fromkeys(members[n.name] for n in med_nodes))
    _check_genesis_arguments(static, mediator_threshold, len(mediator_members))
    owners_list = list(owner_nodes.items())
    store_name = f"{name}-setup"
    created: list[tuple[_Node, str]] = []
    try:
        for _, owner in owners_list:
            created.append((owner, owner.admin.topology.create_temporary_store(store_name, static.protocolVersion.v)))
        store = created[0][1]
        identity = [tx for node in _distinct([*seq_nodes, *med_nodes, *owner_nodes.values()]) for tx in node.admin.topology.identity_transactions()]
        for _, owner in owners_list:
            owner.admin.topology.load(store, identity)
        founding = _decentralized_namespace(owners_list, owner_fps, namespace, threshold, store, identity) if len(owners_list) > 1 else []
        genesis_mappings = [
            t.synchronizer_parameters(sync_id, DynamicSynchronizerParameters().to_dict()),
            t.mediator_state(sync_id, 0, mediator_threshold, mediator_members, []),
            t.sequencer_state(sync_id, 1, [members[n.name] for n in seq_nodes], []),
        ]
        genesis = [owner.admin.topology.propose(store, mapping).signed for _, owner in owners_list for mapping in genesis_mappings]
        initial_state = _compact([*identity, *founding, *genesis])
        for node in seq_nodes:
            if not initialized[node.name]:
                _service(node, node.admin.sequencer_setup, "sequencer").assign_from_genesis_state(initial_state, static)
        for node in med_nodes:
            if not initialized[node.name]:
                _assign_mediator(console, node, sync_id, seq_nodes)
    finally:
        # Canton drops them once done; here also after a failure, so that the bootstrap can be tried
        # again (a temporary store of the same name would refuse it)
        for owner, created_store in created:
            try:
                owner.admin.topology.drop_temporary_store(created_store)
            except (CantonError, ServiceStatusError) as e:
                log.warning("Could not drop the temporary topology store %s of %s: %s", created_store, owner.name, e)
    log.info("Bootstrapped synchronizer %s with ID %s", name, sync_id)
    return sync_id


def _node(console: Any, name: str) -> _Node:
    admin = console.node(name)
    return _Node(name, admin, not admin.info.local)


def _service(node: _Node, service: S | None, kind: str) -> S:
    if service is None:
        raise _refused(f"{node.name} is not a {kind}")
    return service


def _distinct(nodes: list[_Node]) -> list[_Node]:
    return list({node.name: node for node in nodes}.values())


def _require_running(node: _Node) -> None:
    if node.admin.status.is_running():
        return
    if node.remote:
        # a remote node that does not answer: the error a client sees (UNAVAILABLE), as for any
        # other command on it
        node.admin.status.status()
    raise _refused(f"{node.admin.info.instance_type} '{node.name}' has not been started")


def _owner_nodes(console: Any, owner_ids: list[str], members: dict[str, str], named: list[_Node]) -> dict[str, _Node]:
    """One node per owner id (by member id; an active replica rather than a passive one), looked up
    among the named sequencers and mediators first, then among the console's other nodes."""
    found: dict[str, list[_Node]] = {member: [] for member in owner_ids}
    for node in named:
        if members[node.name] in found:
            found[members[node.name]].append(node)
    missing = [member for member, nodes in found.items() if not nodes]
    if missing:
        named_names = {node.name for node in named}
        for info in console.nodes():
            if info.name in named_names:
                continue
            node = _node(console, info.name)
            try:
                member = node.admin.identity.member_id_if_known()
            except (CantonError, ServiceStatusError):
                continue  # a remote node that is down is none of the owners that could be found
            if member in found:
                found[member].append(node)
    unknown = [member for member, nodes in found.items() if not nodes]
    if unknown:
        raise _refused(f"the synchronizer owner(s) {', '.join(unknown)} are not nodes of this console")
    return {member: _active_first(nodes) for member, nodes in found.items()}


def _active_first(nodes: list[_Node]) -> _Node:
    if len(nodes) == 1:
        return nodes[0]
    for node in nodes:
        try:
            if node.admin.status.is_running() and node.admin.status.status().active:
                return node
        except (CantonError, ServiceStatusError):
            continue
    return nodes[0]


def _initialized_for(node: _Node, member: str, sync_id: str) -> bool:
    """Canton's check of a sequencer or mediator before a bootstrap: initialized for this
    synchronizer (True), not initialized (False), else refused."""
    status = node.admin.status.status()
    if not status.active:
        raise _refused(f"{_shown(member)} is currently not active")
    if not isinstance(status, NodeStatusData):
        return False
    if status.synchronizer_id != sync_id:
        # Canton's two messages differ by the final period
        end = "." if node.kind == "sequencer" else ""
        raise _refused(f"{_shown(member)} has already been initialized for synchronizer {_shown(status.synchronizer_id)} instead of {_shown(sync_id)}{end}")
    return True


def _shown(id_text: str | None) -> str:
    """An id as Canton's messages interpolate it (its pretty form: the fingerprint abbreviated)."""
    if id_text is None:
        return "None"
    head, sep, fingerprint = id_text.rpartition("::")
    return f"{head}{sep}{short_fingerprint(fingerprint)}" if sep else id_text


def _check_genesis_arguments(static: StaticSynchronizerParameters, mediator_threshold: int, mediators: int) -> None:
    """What must hold before a genesis topology is made (the local path's checks)."""
    if mediator_threshold < 1 or mediator_threshold > mediators:
        raise _refused(f"threshold ({mediator_threshold}) of mediator synchronizer state higher than number of mediators {mediators}")
    pv = static.protocolVersion
    if not pv.isStable:
        raise _refused(
            f"protocol version {pv} is not a stable protocol version; "
            f"canton-console runs the stable protocol version(s) {', '.join(map(str, PROTOCOL_VERSIONS.stable))} only"
        )


def _decentralized_namespace(
    owners: list[tuple[str, _Node]], owner_fps: list[str], namespace: str, threshold: int, store: str, identity: list[t.SignedTopologyTransaction]
) -> list[t.SignedTopologyTransaction]:
    """Canton's ``bootstrap.decentralized_namespace`` in the temporary store: each owner proposes
    (and so signs) the definition, the signatures are merged, and every owner stores the fully
    signed definition."""
    mapping = t.decentralized_namespace_definition(namespace, threshold, owner_fps)
    proposed = [owner.admin.topology.propose(store, mapping).signed for _, owner in owners]
    if len({tx.transaction.hash for tx in proposed}) != 1:
        raise _refused("Proposed or previously existing transactions disagree on the founding of the synchronizer's decentralized namespace")
    definition = _compact(proposed)
    for _, owner in owners:
        owner.admin.topology.load(store, [*identity, *definition])
    return definition


def _compact(transactions: list[t.SignedTopologyTransaction]) -> list[t.SignedTopologyTransaction]:
    """Canton's ``SignedTopologyTransactions.compact`` of the replacements: one transaction per hash,
    in first-seen order, with the signatures of all its copies, none a proposal."""
    merged: dict[str, t.SignedTopologyTransaction] = {}
    for tx in transactions:
        if tx.transaction.operation != t.REPLACE:
            continue
        key = tx.transaction.hash
        before = merged.get(key)
        signatures = {**(before.signatures if before is not None else {}), **tx.signatures}
        merged[key] = t.SignedTopologyTransaction(tx.transaction, signatures)
    return list(merged.values())


def _assign_mediator(console: Any, mediator: _Node, sync_id: str, sequencers: list[_Node]) -> None:
    """Assign a mediator to the synchronizer, connected to all its sequencers. A mediator reaches a
    sequencer of its own process by the sequencer's name there, one of another process by its public
    API URL; which process a remote node runs in is not known to this console, so a remote mediator
    is given the names first and, when its process has no such sequencers, the URLs."""
    names = [_own_name(s) for s in sequencers]
    urls = [_public_url(console, s) for s in sequencers]
    all_local = not mediator.remote and not any(s.remote for s in sequencers)
    attempts: list[list[str]] = []
    if all_local or (mediator.remote and all(s.remote for s in sequencers)):
        attempts.append(names)
    if not all_local and all(url is not None for url in urls):
        attempts.append([url for url in urls if url is not None])
    if not attempts:
        missing = ", ".join(s.name for s, url in zip(sequencers, urls, strict=True) if url is None)
        raise _refused(f"mediator '{mediator.name}' cannot reach {missing}: no public API is configured for it in this console")
    for i, connections in enumerate(attempts):
        try:
            _service(mediator, mediator.admin.mediator_setup, "mediator").assign(sync_id, connections)
            return
        except CantonError as e:
            # the mediator's process does not have these sequencers: try their URLs next
            if i == len(attempts) - 1 or e.code not in (errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, errors.INVALID_ARGUMENT):
                raise
            log.debug("mediator %s: %s; connecting by URL instead", mediator.name, e)


def _own_name(node: _Node) -> str:
    """The node's name in its own process (a remote node's process may call it otherwise)."""
    describe = getattr(node.admin, "describe", None)
    if node.remote and describe is not None:
        return str(describe()[0])
    return node.name


def _public_url(console: Any, sequencer: _Node) -> str | None:
    if sequencer.remote:
        urls = console.public_urls(sequencer.name)
        return urls[0] if urls else None
    endpoint = sequencer.admin.sequencer_connect.public_endpoint() if sequencer.admin.sequencer_connect is not None else None
    return f"http://{endpoint}" if endpoint else None


def bootstrap_local(console: Any, name: str = "local") -> str:
    """Canton's ``bootstrap.local`` over the console's nodes, local and remote: a synchronizer of every
    running, active sequencer and mediator that has its identity (one per id), owned by all the
    sequencers (each one's signature needed), every mediator needed to confirm."""
    sequencers = _available(console, "sequencer")
    mediators = _available(console, "mediator")
    return bootstrap_synchronizer(console, name, sequencers, mediators, [], len(sequencers), None, len(mediators))


def _available(console: Any, kind: str) -> list[str]:
    found: dict[str, tuple[_Node, bool]] = {}
    for info in console.nodes():
        if info.kind != kind:
            continue
        node = _node(console, info.name)
        try:
            if not node.admin.status.is_running():
                continue
            status = node.admin.status.status()
            member = node.admin.identity.member_id_if_known()
        except (CantonError, ServiceStatusError):
            continue  # a remote node that is down is not available
        if status.active and member is not None:
            found.setdefault(member, (node, isinstance(status, NodeStatusData)))
    if not found:
        raise CantonError(errors.INVALID_ARGUMENT, f"No {kind}s available to bootstrap a local synchronizer.")
    done = next((member for member, (_, initialized) in found.items() if initialized), None)
    if done is not None:
        raise CantonError(errors.INVALID_ARGUMENT, f"{kind} {done} has already been initialized")
    return [node.name for node, _ in found.values()]
