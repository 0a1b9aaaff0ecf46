"""A sequencer's repair and BFT administration: disabling members (Canton's
``SequencerAdministrationService.DisableMember``), the BFT ordering's peer endpoints and ordering
topology (Canton's ``SequencerBftAdministrationService``).

The sequencers of one synchronizer of this process share one ordering (see
:mod:`canton_console.runtime.synchronizer`): there is no peer-to-peer network between them. What is
real here: the peer endpoints a sequencer knows are stored (persisted) per sequencer, from its
``sequencer.config.initial-network.peer-endpoints`` and ``bft.add_peer_endpoint``; an endpoint's
status says whether a running sequencer of this process serves that address on the same
synchronizer (then ``Authenticated`` with its id). The ordering topology is the synchronizer's
active sequencers; its epoch counts the changes of that set (our ordering has no blocks)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import delete, insert, select

from canton_console.store import schema as s
from canton_console.values import errors, topology
from canton_console.values.errors import CantonError, ServiceStatusError

if TYPE_CHECKING:
    from canton_console.runtime.sequencer import SequencerNode

log = logging.getLogger("canton_console.sequencer")


# ---- disabled members ---------------------------------------------------------------------------
def load_disabled(node: SequencerNode) -> set[str]:
    with node.open_storage.read() as conn:
        return set(conn.execute(select(s.SequencerDisabledMemberRow.member)).scalars())


def disabled_members(node: Any) -> set[str]:
    """The members ``node`` disabled (read from its store once, then kept)."""
    cached = node.__dict__.get("_disabled_members")
    if cached is None:
        if node.storage is None or node.halted:
            return set()  # read once its store is back
        cached = load_disabled(node)
        node.__dict__["_disabled_members"] = cached
    return cached


def is_disabled(node: Any, member: str) -> bool:
    return node is not None and member in disabled_members(node)


def disable_member(node: SequencerNode, member: str) -> None:
    """Disable ``member`` at this sequencer: it can no longer read or send through it, and its
    acknowledgements no longer hold back pruning. A member the sequencer never registered is
    left alone (Canton logs a warning)."""
    sync = node._initialized_synchronizer()
    if member == node.member_id:
        raise CantonError(errors.CANNOT_DISABLE_LOCAL_SEQUENCER_MEMBER, f"Sequencer {member} cannot disable its local sequencer subscription")
    log.info("Disabling member at the sequencer: %s", member)
    if member not in sync.registrations():
        log.warning("disableMember called for member %s that is not registered", member)
        return
    with node.open_storage.transaction() as conn:
        rows = s.SequencerDisabledMemberRow
        conn.execute(delete(rows).where(rows.synchronizer_id == sync.id, rows.member == member))
        conn.execute(insert(rows), [{"synchronizer_id": sync.id, "member": member}])
    disabled_members(node).add(member)
    subscription = sync.subscribers.get(member)
    if subscription is not None and sync.reachable_sequencer(subscription) is node:
        sync.catch_up(subscription)  # its reads stop here


# ---- BFT peer endpoints -------------------------------------------------------------------------
@attrs.frozen(order=True)
class EndpointId:
    """A peer endpoint's identity (Canton's ``P2PEndpoint.Id``)."""

    address: str
    port: int
    tls: bool


@attrs.frozen
class EndpointStatus:
    """One endpoint's health: ``UnknownEndpoint``, ``Unauthenticated`` or ``Authenticated``
    (``sequencer_id`` set), with an optional description."""

    endpoint: EndpointId
    status: str
    sequencer_id: str | None = None
    description: str | None = None


def require_bft(node: SequencerNode, method: str) -> None:
    """Canton registers the BFT admin service only on BFT sequencers."""
    if node.config.sequencer_type != "BFT":
        raise ServiceStatusError("UNIMPLEMENTED", f"Method not found: com.digitalasset.canton.sequencer.admin.v30.SequencerBftAdministrationService/{method}")


def seed_configured_endpoints(node: SequencerNode) -> None:
    """Store the peer endpoints of ``sequencer.config.initial-network`` the first time the node starts
    (Canton stores them once; later changes go through the admin commands)."""
    configured = getattr(node.config, "bft_peer_endpoints", ())
    if not configured:
        return
    with node.open_storage.transaction() as conn:
        seeded = conn.execute(select(s.SchemaMeta.value).where(s.SchemaMeta.key == "bft_peer_endpoints_seeded")).scalar()
        if seeded:
            return
        for address, port, tls in configured:
            rows = s.BftPeerEndpointRow
            conn.execute(delete(rows).where(rows.address == address, rows.port == port))
            conn.execute(insert(rows), [{"address": address, "port": port, "tls": tls}])
        conn.execute(insert(s.SchemaMeta), [{"key": "bft_peer_endpoints_seeded", "value": "1"}])


def peer_endpoints(node: SequencerNode) -> list[EndpointId]:
    with node.open_storage.read() as conn:
        rows = conn.execute(select(s.BftPeerEndpointRow.__table__)).mappings().all()
    return sorted(EndpointId(r["address"], r["port"], bool(r["tls"])) for r in rows)


def add_peer_endpoint(node: SequencerNode, endpoint: EndpointId) -> bool:
    """Add an endpoint; False when it is known already (Canton: ``added = false``)."""
    if any(e.address == endpoint.address and e.port == endpoint.port for e in peer_endpoints(node)):
        return False
    with node.open_storage.transaction() as conn:
        conn.execute(insert(s.BftPeerEndpointRow), [{"address": endpoint.address, "port": endpoint.port, "tls": endpoint.tls}])
    log.info("BFT sequencer admin service: adding endpoint %s:%s to the network.", endpoint.address, endpoint.port)
    return True


def remove_peer_endpoint(node: SequencerNode, endpoint: EndpointId) -> bool:
    """Remove an endpoint; False when it was not known."""
    rows = s.BftPeerEndpointRow
    with node.open_storage.transaction() as conn:
        removed = conn.execute(delete(rows).where(rows.address == endpoint.address, rows.port == endpoint.port, rows.tls == endpoint.tls)).rowcount
    return bool(removed)


def p2p_endpoint_of(other: Any) -> tuple[str, int]:
    """Where a sequencer of this process listens for its BFT peers: its configured server endpoint's
    external address and port, else its public API."""
    server = getattr(other.config, "bft_server_endpoint", None)
    if server is not None:
        return server
    api = other.config.public_api
    return api.address, api.port


LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "0.0.0.0")


def _serves(other: Any, endpoint: EndpointId) -> bool:
    address, port = p2p_endpoint_of(other)
    same_host = endpoint.address == address or (endpoint.address in LOCAL_ADDRESSES and address in LOCAL_ADDRESSES)
    return same_host and endpoint.port == port


def endpoint_status(node: SequencerNode, endpoint: EndpointId) -> EndpointStatus:
    known = any(e.address == endpoint.address and e.port == endpoint.port and e.tls == endpoint.tls for e in peer_endpoints(node))
    if not known:
        return EndpointStatus(endpoint, "UnknownEndpoint")
    sync = node.synchronizer
    for other in node.env.sequencers.values():
        if other is node or not _serves(other, endpoint):
            continue
        if other.running and not other.killed and sync is not None and other.synchronizer is sync and other.uid is not None:
            return EndpointStatus(endpoint, "Authenticated", other.member_id)
        return EndpointStatus(endpoint, "Unauthenticated", description=f"sequencer {other.name} of this process serves it but is not a running peer on this synchronizer")
    return EndpointStatus(endpoint, "Unauthenticated", description="no sequencer of this process serves this endpoint")


def network_status(node: SequencerNode, endpoints: list[EndpointId] | None) -> list[EndpointStatus]:
    wanted = peer_endpoints(node) if endpoints is None else endpoints
    return [endpoint_status(node, e) for e in wanted]


def ordering_topology(node: SequencerNode) -> tuple[int, list[str]]:
    """The current epoch (how many times the active sequencer set changed since genesis) and the
    synchronizer's active sequencers, sorted."""
    sync = node._initialized_synchronizer()
    now = sync.now()
    versions = [
        stored
        for stored in sync.topology.all_transactions(topology.SEQUENCER_STATE)
        if not stored.is_proposal and stored.valid_from <= now
    ]
    epoch, previous = 0, None
    for stored in sorted(versions, key=lambda st: st.valid_from):
        active = tuple(sorted(stored.mapping.data["active"])) if stored.operation == topology.REPLACE else ()
        if previous is not None and active != previous:
            epoch += 1
        previous = active
    state = sync.topology.sequencer_state(now)
    return epoch, sorted(state["active"]) if state else []


# ---- sequencer snapshot -------------------------------------------------------------------------
@attrs.frozen
class SnapshotState:
    """What Canton's ``SequencerSnapshot`` holds, as this sequencer can give it."""

    last_ts: int
    block_height: int
    previous_timestamps: tuple[tuple[str, int | None], ...]
    status: tuple[int, int, list[tuple[str, int, int | None, bool]]]
    pending_topups: tuple[tuple[str, int, int, int, tuple[str, ...]], ...]  # member, serial, amount, max sequencing time, senders
    purchased: tuple[Any, ...]
    consumed: tuple[Any, ...]


def snapshot(node: SequencerNode, timestamp: int) -> SnapshotState:
    """The sequencer's state at its last event at or before ``timestamp``. This process keeps only
    the latest traffic and acknowledgement states, so earlier points than the last sequenced event
    are refused by name."""
    sync = node._initialized_synchronizer()
    events = s.SequencedEventRow
    with node.open_storage.read() as conn:
        last = conn.execute(select(events.timestamp).where(events.synchronizer_id == sync.id).order_by(events.timestamp.desc()).limit(1)).scalar()
        if last is not None and timestamp < last:
            from canton_console.values.timefmt import instant

            raise ServiceStatusError(
                "FAILED_PRECONDITION",
                f"canton-console keeps only the sequencer's latest traffic and acknowledgement state: a snapshot is available "
                f"from the last sequenced event on ({instant(last)}), not at {instant(timestamp)}",
            )
        last_ts = last if last is not None else (node.lower_bound or 0)
        rows = conn.execute(select(events.timestamp, events.sender, events.recipients).where(events.synchronizer_id == sync.id, events.timestamp <= last_ts)).all()
        topups = conn.execute(select(s.TopUpSubmissionRow.__table__).where(s.TopUpSubmissionRow.synchronizer_id == sync.id)).mappings().all()
    latest: dict[str, int] = {}
    for ts, sender, recipients in rows:
        for member in {sender, *(recipients.split(",") if recipients else ())}:
            latest[member] = max(latest.get(member, ts), ts)
    registered = sync.registrations()
    previous = tuple(sorted((m, latest.get(m)) for m, at in registered.items() if at <= last_ts))
    from canton_console.runtime.synchronizer import topup_aggregation_id

    pending: dict[str, tuple[str, int, int, int, list[str]]] = {}
    for row in topups:
        agg = topup_aggregation_id(row["member"], row["serial"], row["amount"], row["max_sequencing_time"])
        if agg in sync.aggregations_done or row["sequenced"] > last_ts or row["max_sequencing_time"] < last_ts:
            continue
        entry = pending.setdefault(agg, (row["member"], row["serial"], row["amount"], row["max_sequencing_time"], []))
        entry[4].append(row["sequencer"])
    traffic = sync.traffic
    purchased = tuple(p for p in (traffic.purchased_at(m, last_ts + 1) for m in sorted(traffic.purchased)) if p is not None)
    consumed = tuple(traffic.consumed[m] for m in sorted(traffic.consumed) if traffic.consumed[m].sequencing_timestamp <= last_ts)
    return SnapshotState(
        last_ts,
        max(0, len(rows) - 1),
        previous,
        node.pruning_status(),
        tuple((m, serial, amount, mst, tuple(sorted(senders))) for m, serial, amount, mst, senders in pending.values()),
        purchased,
        consumed,
    )
