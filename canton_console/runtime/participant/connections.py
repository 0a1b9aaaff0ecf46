"""A participant's synchronizer connections and its own topology transactions (trust certificate,
party hosting)."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, insert

from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.records import Connection
from canton_console.runtime.synchronizer import Subscription, Synchronizer
from canton_console.runtime.topology import topology_broadcast
from canton_console.store import schema as s
from canton_console.values import errors, topology
from canton_console.values.errors import CantonError
from canton_console.values.messages import SequencedEvent

log = logging.getLogger("canton_console.participant")


class SynchronizerConnections(ParticipantBase):
    """Mixed into ParticipantNode: registering, connecting, subscribing, hosting parties."""

    # ---- synchronizer connections --------------------------------------------------------
    def connect(self, alias: str, sequencers: list[Any], trust_threshold: int = 1, priority: int = 0) -> str:
        """Register and connect to the synchronizer the given sequencers serve; returns its id."""
        self.require_active()
        syncs = {n.synchronizer.id for n in sequencers if n.synchronizer is not None}
        uninitialized = [n for n in sequencers if n.synchronizer is None]
        if not syncs or uninitialized:
            names = ", ".join(n.name for n in uninitialized or sequencers)
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                f"The sequencer {names} is not initialized: bootstrap its synchronizer first "
                "(bootstrap.synchronizer(...) or bootstrap.local()).",
            )
        if len(syncs) > 1:
            raise CantonError(
                errors.SYNC_SERVICE_BAD_CONNECTIVITY,
                "The provided sequencer connections are inconsistent: they serve different synchronizers " + ", ".join(sorted(syncs)),
            )
        if trust_threshold < 1 or trust_threshold > len(sequencers):
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"The sequencer trust threshold {trust_threshold} must be between 1 and the number of sequencers ({len(sequencers)}).",
            )
        sync_id = syncs.pop()
        existing = self.connections.get(alias)
        if existing is not None and existing.synchronizer_id != sync_id:
            raise CantonError(
                errors.SYNC_SERVICE_ALREADY_ADDED,
                f"The synchronizer alias '{alias}' is already registered for synchronizer {existing.synchronizer_id}.",
            )
        for other in self.connections.values():
            if other.alias != alias and other.synchronizer_id == sync_id:
                raise CantonError(
                    errors.SYNC_SERVICE_ALREADY_ADDED,
                    f"Synchronizer {sync_id} is already registered under the alias '{other.alias}'.",
                )
        sync = self.env.synchronizers[sync_id]
        connection = Connection(alias, sync_id, [n.name for n in sequencers], trust_threshold, True, priority)
        self._persist_connection(connection)
        self.connections[alias] = connection
        member = self.member_id
        if member not in sync.topology.participants():
            cert = self.sign(topology.TopologyTransaction(topology.REPLACE, 1, topology.trust_certificate(member, sync_id)))
            # What the participant's authorized store holds and the synchronizer does not (its identity
            # first), then its trust certificate. A new participant cannot send yet: the sequencer
            # submits its onboarding transactions.
            onboarding = self.transactions_to_dispatch(sync) + [cert]
            sequencer = next(n for n in sequencers if n.running)
            sync.submit(topology_broadcast(sequencer.member_id, onboarding))
        self._subscribe(sync, connection)
        return sync_id

    def _persist_connection(self, c: Connection) -> None:
        with self.open_storage.transaction() as conn:
            conn.execute(delete(s.SynchronizerConnectionRow).where(s.SynchronizerConnectionRow.alias == c.alias))
            conn.execute(
                insert(s.SynchronizerConnectionRow),
                [{"alias": c.alias, "synchronizer_id": c.synchronizer_id, "sequencers": json.dumps(c.sequencers), "trust_threshold": c.trust_threshold, "connected": c.connected, "priority": c.priority}],
            )

    def _subscribe(self, sync: Synchronizer, connection: Connection) -> None:
        sid = sync.id

        def deliver(events: list[SequencedEvent]) -> None:
            self._on_events(sid, events)

        def cursor() -> int:
            return self.last_seen.get(sid, 0)

        def acknowledged() -> int:
            from canton_console.runtime.participant.pruning import acknowledge_clean

            return acknowledge_clean(self, sid)  # what it durably processed, not what was delivered

        subscription = Subscription(
            self.member_id,
            connection.sequencers,
            deliver,
            cursor,
            connection.trust_threshold,
            acknowledged=acknowledged,
        )
        self.subscriptions[sync.id] = subscription
        sync.subscribe(subscription)

    def disconnect(self, alias: str) -> None:
        connection = self._connection(alias)
        connection.connected = False
        self._persist_connection(connection)
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        subscription = self.subscriptions.pop(connection.synchronizer_id, None)
        if sync is not None and subscription is not None:
            sync.unsubscribe(self.member_id, subscription)

    def reconnect(self, alias: str) -> bool:
        connection = self._connection(alias)
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        if sync is None or not sync.running_sequencers():
            return False
        connection.connected = True
        self._persist_connection(connection)
        self._subscribe(sync, connection)
        return True

    def _connection(self, alias: str) -> Connection:
        self.require_active()
        connection = self.connections.get(alias)
        if connection is None:
            raise CantonError(errors.SYNC_SERVICE_UNKNOWN_SYNCHRONIZER, f"The synchronizer with alias {alias} is unknown.")
        return connection

    def connected_synchronizers(self) -> list[tuple[Connection, Synchronizer, bool]]:
        """Connected synchronizers with a health flag (healthy when enough sequencers of ours run)."""
        self.require_running()
        if self.passive:
            return []  # a passive replica stays off the synchronizers
        result = []
        for c in self.connections.values():
            sync = self.env.synchronizers.get(c.synchronizer_id)
            if c.connected and sync is not None:
                sub = self.subscriptions.get(sync.id)
                healthy = (
                    sub is not None
                    and sync.subscribers.get(self.member_id) is sub
                    and sync.reachable_sequencer(sub) is not None
                    and self.member_id in sync.topology.participants(sync.now())
                )
                result.append((c, sync, healthy))
        return result

    def is_connected(self, synchronizer_id: str) -> bool:
        return any(sync.id == synchronizer_id for _, sync, _ in self.connected_synchronizers())

    # ---- topology ------------------------------------------------------------------------
    def transactions_to_dispatch(self, sync: Synchronizer) -> list[topology.SignedTopologyTransaction]:
        """The effective transactions of the authorized store that ``sync`` does not have yet, in the
        order they were authorized (Canton's topology dispatcher)."""
        store = self.authorized_store
        assert store is not None, "a running participant has loaded its authorized store"
        heads = {id(st) for st in store.head_transactions(removals=True)}
        return [
            st.signed
            for st in store.log
            if id(st) in heads and not st.is_proposal and sync.topology.serial_of(st.mapping.code, st.mapping.key) < st.serial
        ]

    def sign(self, tx: topology.TopologyTransaction) -> topology.SignedTopologyTransaction:
        key = self.namespace_key
        return topology.SignedTopologyTransaction(tx, {key.fingerprint: key.sign(tx.bytes_to_sign()).hex()})
