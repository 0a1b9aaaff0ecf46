"""A participant's synchronizer connections and its own topology transactions (trust certificate,
party hosting)."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, insert

from canton_console.runtime import remote_synchronizer
from canton_console.runtime.metrics import HANDLER_DELAY, SEQUENCER_EVENTS, metrics_of
from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.records import Connection
from canton_console.runtime.remote_synchronizer import RemoteSynchronizer
from canton_console.runtime.synchronizer import Subscription, Synchronizer
from canton_console.runtime.topology import topology_broadcast
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, topology
from canton_console.values.errors import CantonError
from canton_console.values.messages import SequencedEvent
from canton_console.values.sequencing import is_url

log = logging.getLogger("canton_console.participant")


class SynchronizerConnections(ParticipantBase):
    """Mixed into ParticipantNode: registering, connecting, subscribing, hosting parties."""

    # ---- synchronizer connections --------------------------------------------------------
    def connect(self, alias: str, sequencers: list[Any], trust_threshold: int = 1, priority: int = 0) -> str:
        """Register and connect to the synchronizer the given sequencers serve; returns its id."""
        self.require_active()
        sync_id = self._synchronizer_served_by(sequencers, trust_threshold)
        existing = self.connections.get(alias)
        if existing is not None and existing.synchronizer_id not in (sync_id, ""):
            raise CantonError(
                errors.SYNC_SERVICE_ALREADY_ADDED,
                f"The synchronizer alias '{alias}' is already registered for synchronizer {existing.synchronizer_id}.",
            )
        self._check_not_registered_elsewhere(alias, sync_id)
        connection = Connection(alias, sync_id, [n.name for n in sequencers], trust_threshold, True, priority)
        if existing is not None:
            connection.manual_connect = existing.manual_connect
            # the registered config still describes the connection only if it reads through the same sequencers
            connection.config = existing.config if existing.sequencers == connection.sequencers else None
        self._persist_connection(connection)
        self.connections[alias] = connection
        self._join(self.env.synchronizers[sync_id], connection, sequencers)
        return sync_id

    def _synchronizer_served_by(self, sequencers: list[Any], trust_threshold: int) -> str:
        """The synchronizer the sequencers serve (all the same one, all initialized)."""
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
        return syncs.pop()

    def _check_not_registered_elsewhere(self, alias: str, sync_id: str) -> None:
        for other in self.connections.values():
            if other.alias != alias and other.synchronizer_id == sync_id:
                raise CantonError(
                    errors.SYNC_SERVICE_ALREADY_ADDED,
                    f"Synchronizer {sync_id} is already registered under the alias '{other.alias}'.",
                )

    def _join(self, sync: Synchronizer, connection: Connection, sequencers: list[Any]) -> None:
        """Onboard (first time) and subscribe."""
        member = self.member_id
        # (a remote synchronizer whose topology was never read cannot tell: the member joined before)
        if member not in sync.topology.participants() and getattr(sync, "synced", True):
            cert = self.sign(topology.TopologyTransaction(topology.REPLACE, 1, topology.trust_certificate(member, sync.id)))
            # What the participant's authorized store holds and the synchronizer does not (its identity
            # first), then its trust certificate. A new participant cannot send yet: the sequencer
            # submits its onboarding transactions.
            onboarding = self.transactions_to_dispatch(sync) + [cert]
            if isinstance(sync, RemoteSynchronizer):
                # the sequencer in the other process submits them (RegisterOnboardingTopologyTransactions)
                sync.register_onboarding(onboarding)
            else:
                sequencer = next(n for n in sequencers if n.running)
                sync.submit(topology_broadcast(sequencer.member_id, onboarding))
        self._subscribe(sync, connection)

    def _persist_connection(self, c: Connection) -> None:
        with self.open_storage.transaction() as conn:
            conn.execute(delete(s.SynchronizerConnectionRow).where(s.SynchronizerConnectionRow.alias == c.alias))
            conn.execute(
                insert(s.SynchronizerConnectionRow),
                [
                    {
                        "alias": c.alias,
                        "synchronizer_id": c.synchronizer_id,
                        "sequencers": json.dumps(c.sequencers),
                        "trust_threshold": c.trust_threshold,
                        "connected": c.connected,
                        "priority": c.priority,
                        "manual_connect": c.manual_connect,
                        "config": c.config,
                    }
                ],
            )

    def _subscribe(self, sync: Synchronizer, connection: Connection) -> None:
        sid = sync.id

        def deliver(events: list[SequencedEvent]) -> None:
            self._on_events(sid, events)
            if events:
                metrics = metrics_of(self)
                labels = {"synchronizer": connection.alias}
                metrics.inc(SEQUENCER_EVENTS, len(events), labels)
                # how far behind the synchronizer's clock the last event was handled, in ms (Canton's handler delay)
                metrics.gauge(HANDLER_DELAY, max(0, (sync.now() - events[-1].timestamp) // 1000), labels)

        def cursor() -> int:
            return self.last_seen.get(sid, 0)

        def acknowledged() -> int:
            from canton_console.runtime.participant.pruning import acknowledge_clean

            return acknowledge_clean(self, sid)  # what it durably processed, not what was delivered

        # registered with the sequencer client, as in Canton (a counter and a gauge at 0 until events come)
        metrics_of(self).inc(SEQUENCER_EVENTS, 0, {"synchronizer": connection.alias})
        metrics_of(self).inc(HANDLER_DELAY, 0, {"synchronizer": connection.alias})
        subscription = Subscription(
            self.member_id,
            connection.sequencers,
            deliver,
            cursor,
            connection.trust_threshold,
            acknowledged=acknowledged,
        )
        self.subscriptions[sync.id] = subscription
        if isinstance(sync, RemoteSynchronizer):
            sync.refusal_handlers[self.member_id] = self._on_send_refused
        sync.subscribe(subscription)

    def _on_send_refused(self, request: Any, error: CantonError) -> None:
        """A sequencer of another process refused a submission after it was sent (an in-process one
        refuses it in ``submit``): what waits on it fails with the sequencer's error."""
        failed = [sub for sub in self.submissions.values() if sub.request is request and not sub.future.done()]
        if not failed or not self.running:
            return
        try:
            self._forget_in_flight(failed)
        except StorageUnavailable:
            pass  # the rows expire at their deadline
        for sub in failed:
            self.submissions.pop(sub.root_hash, None)
            sub.future.set_exception(error)

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
        if connection.synchronizer_id and connection.sequencers and all(is_url(u) for u in connection.sequencers):
            # sequencers of another process: the subscription reaches them (and retries) on its own thread
            remote = remote_synchronizer.attach(self.env, connection.synchronizer_id, connection.sequencers)
            if self.subscriptions.get(remote.id) is not None and remote.subscribers.get(self.member_id) is self.subscriptions[remote.id]:
                return True
            connection.connected = True
            self._persist_connection(connection)
            self._join(remote, connection, [])
            return True
        nodes = [self.env.sequencers[n] for n in connection.sequencers if n in self.env.sequencers]
        if not connection.synchronizer_id:
            # Registered without a handshake: learn the synchronizer now.
            served = {n.synchronizer.id for n in nodes if n.synchronizer is not None}
            if len(served) != 1:
                return False
            sync_id = served.pop()
            expected = json.loads(connection.config).get("synchronizerId") if connection.config else None
            if expected is not None and expected != sync_id:
                raise CantonError(errors.SYNCHRONIZER_ID_MISMATCH, "The synchronizer reports a different synchronizer id than the participant is expecting")
            self._check_not_registered_elsewhere(alias, sync_id)
            connection.synchronizer_id = sync_id
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        if sync is None or not sync.running_sequencers():
            return False
        if self.subscriptions.get(sync.id) is not None and sync.subscribers.get(self.member_id) is self.subscriptions[sync.id]:
            return True  # connected already (reconnect is idempotent)
        if not any(n.running for n in nodes):
            return False
        connection.connected = True
        self._persist_connection(connection)
        self._join(sync, connection, nodes)
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

    # ---- synchronizer connection configs (register, modify, logout) ------------------------
    def register_connection(
        self,
        alias: str,
        sequencers: list[Any],
        trust_threshold: int,
        priority: int,
        manual_connect: bool,
        config: str,
        expected_id: str | None,
        handshake: bool,
    ) -> str:
        """Store a connection without connecting (Canton's RegisterSynchronizer). With ``handshake`` the
        sequencers must answer and serve ``expected_id`` (when given); without, the synchronizer is
        learnt at the first connect. Returns the synchronizer id ("" when not known yet)."""
        self.require_active()
        if alias in self.connections:
            raise CantonError(errors.SYNC_SERVICE_ALREADY_ADDED, f"The synchronizer with the given alias has already been added: {alias}")
        sync_id = ""
        if handshake or all(n.synchronizer is not None for n in sequencers):
            sync_id = self._synchronizer_served_by(sequencers, trust_threshold)
            if expected_id is not None and expected_id != sync_id:
                raise CantonError(errors.SYNCHRONIZER_ID_MISMATCH, "The synchronizer reports a different synchronizer id than the participant is expecting")
            self._check_not_registered_elsewhere(alias, sync_id)
        connection = Connection(alias, sync_id, [n.name for n in sequencers], trust_threshold, False, priority, manual_connect, config)
        self._persist_connection(connection)
        self.connections[alias] = connection
        return sync_id

    def modify_connection(
        self, alias: str, sequencers: list[Any], trust_threshold: int, priority: int, manual_connect: bool, config: str, expected_id: str | None
    ) -> None:
        """Replace a registered connection's settings (Canton's ModifySynchronizerConnection): used
        from the next (re)connect on; the sequencers must serve the registered synchronizer."""
        connection = self._connection(alias)
        if all(n.synchronizer is not None for n in sequencers):
            served = self._synchronizer_served_by(sequencers, trust_threshold)
            if (connection.synchronizer_id and served != connection.synchronizer_id) or (expected_id is not None and served != expected_id):
                raise CantonError(errors.SYNCHRONIZER_ID_MISMATCH, "The synchronizer reports a different synchronizer id than the participant is expecting")
        elif trust_threshold < 1 or trust_threshold > len(sequencers):
            raise CantonError(errors.INVALID_ARGUMENT, f"The sequencer trust threshold {trust_threshold} must be between 1 and the number of sequencers ({len(sequencers)}).")
        changed = Connection(
            alias, connection.synchronizer_id, [n.name for n in sequencers], trust_threshold, connection.connected, priority, manual_connect, config
        )
        self._persist_connection(changed)
        self.connections[alias] = changed

    def logout_connection(self, alias: str) -> None:
        """Close the connections to the synchronizer's sequencers; they reopen at once (the participant
        stays connected: a new subscription from where it stands)."""
        connection = self._connection(alias)
        sync = self.env.synchronizers.get(connection.synchronizer_id)
        subscription = self.subscriptions.get(connection.synchronizer_id)
        if sync is None or subscription is None:
            log.info("%s: nothing to do, as we are not connected to %s", self.name, alias)
            return
        sync.unsubscribe(self.member_id, subscription)
        self._subscribe(sync, connection)
