"""The participant node: connects to synchronizers, hosts parties, submits and validates
transactions through sequencer and mediator, keeps its contracts and ledger, and runs Canton's
admin ping.

Database outages (see node.py): a participant whose store fails halts, keeping only the work its
clients wait for (submissions in flight, pings, submissions and pings that arrived during the
outage); once the database is back it reloads connections, cursors and ledger end, catches up from
its clean cursor (replay protection skips what it had committed) and runs what waited.

Command deduplication (``submit_command``, the Ledger API): a change id (user id, act-as parties,
command id) accepted within the deduplication period is refused with ``DUPLICATE_COMMAND``, one in
flight with ``SUBMISSION_ALREADY_IN_FLIGHT``. The state is in the store (``cc_command_dedup``), so it
holds across restarts and replica fail-over. Every confirmation request carries a max sequencing
time (ledger time plus the ledger time record time tolerance): a request not sequenced by then never
will be, so a submission is decided for good by its max sequencing time plus the decision timeout,
and after a rejection or timeout a resubmission is safe."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future
from typing import Any

from sqlalchemy import func, select

from canton_console.runtime import remote_synchronizer
from canton_console.runtime.participant import completions
from canton_console.runtime.participant.commitments import AcsCommitmentInspection
from canton_console.runtime.participant.connections import SynchronizerConnections
from canton_console.runtime.participant.ledger_store import LedgerReads, _chain
from canton_console.runtime.participant.ping import PingWorkflow
from canton_console.runtime.participant.protocol import ProtocolProcessing
from canton_console.runtime.participant.records import Connection, PendingTransaction, PingState, Submission
from canton_console.runtime.participant.submission import CommandSubmission
from canton_console.runtime.startup_reads import last_record_times, seen_through
from canton_console.runtime.synchronizer import Subscription
from canton_console.store import schema as s
from canton_console.values import errors, health
from canton_console.values.errors import CantonError
from canton_console.values.sequencing import is_url

log = logging.getLogger("canton_console.participant")


class ParticipantNode(SynchronizerConnections, ProtocolProcessing, CommandSubmission, LedgerReads, PingWorkflow, AcsCommitmentInspection):
    kind = "participant"
    code = "PAR"
    instance_type = "Participant"

    def __init__(self, env, name, config):
        super().__init__(env, name, config)
        self._reset_state()

    def _reset_state(self, keep_work: bool = False) -> None:
        """Forget the processing state; ``keep_work``: keep what clients wait for (database outage)."""
        self.connections: dict[str, Connection] = {}
        self.last_seen: dict[str, int] = {}
        self.pending: dict[tuple[str, int], PendingTransaction] = {}
        self.locks: set[str] = set()
        self.ledger_end = 0
        self.replay_until: dict[str, int] = {}
        self.subscriptions: dict[str, Subscription] = {}
        if not keep_work:
            self.submissions: dict[str, Submission] = {}
            self.pings: dict[str, PingState] = {}
            self.traffic_receipts: dict[str, Any] = {}
            self.transaction_listeners: list = []
            # change id -> submission id of the Ledger API submissions in flight here
            self.in_flight: dict[str, str] = {}
            # Work that arrived while the database was down: (run, the future its client waits on)
            self._deferred: list[tuple[Any, Future]] = []

    # ---- lifecycle -----------------------------------------------------------------------
    def _on_start(self, recovering: bool = False) -> None:
        self._reset_state(keep_work=recovering)
        with self.open_storage.read() as conn:
            for row in conn.execute(select(s.SynchronizerConnectionRow.__table__)).mappings():
                self.connections[row["alias"]] = Connection(
                    row["alias"], row["synchronizer_id"], json.loads(row["sequencers"]), row["trust_threshold"], row["connected"], row["priority"],
                    bool(row["manual_connect"]), row["config"],
                )
            for row in conn.execute(select(s.MemberCursorRow.__table__)).mappings():
                self.last_seen[row["synchronizer_id"]] = row["timestamp"]
            self.ledger_end = conn.execute(select(func.max(s.LedgerUpdateRow.offset))).scalar() or 0
            self.ledger_end = max(self.ledger_end, completions.last_offset(conn))  # rejections have offsets too
            # A request sequenced after the latest committed verdict cannot have been committed, so only
            # events up to it may be replays of work done before a restart.
            self.replay_until = last_record_times(conn)
        for connection in list(self.connections.values()):
            if self.halted:
                return  # the database went away again while catching up
            if connection.manual_connect:
                connection.connected = False  # Canton: a manual connection is not reconnected at start
            elif connection.connected:
                sync = self.env.synchronizers.get(connection.synchronizer_id)
                if sync is None and connection.synchronizer_id and connection.sequencers and all(is_url(u) for u in connection.sequencers):
                    # sequencers of another process: read from them again (the stream connects on its own thread)
                    sync = remote_synchronizer.attach(self.env, connection.synchronizer_id, connection.sequencers)
                if sync is not None:
                    self._subscribe(sync, connection)
        if recovering:
            for sync_id in list(self.subscriptions):
                self._expire_unsequenced(sync_id)
            self._run_deferred()
        from canton_console.runtime.participant.pruning import start_schedule

        start_schedule(self)  # scheduled pruning, when a schedule is stored
        if not self.halted:
            self._start_commitments()

    def _leave_synchronizers(self) -> None:
        """Unsubscribe from every synchronizer and cancel the timers of pending transactions."""
        for sync_id, subscription in list(self.subscriptions.items()):
            sync = self.env.synchronizers.get(sync_id)
            if sync is not None:
                sync.unsubscribe(self.member_id, subscription)
        self.subscriptions.clear()
        for pending in self.pending.values():
            if pending.timer is not None:
                pending.timer.cancel()

    def _on_halt(self) -> None:
        """The database is down: stop processing; keep what clients wait for."""
        self._leave_synchronizers()
        self._stop_commitments()
        self.pending.clear()
        self.locks.clear()

    def _on_recover(self) -> None:
        self._on_start(recovering=True)

    def _defer(self, run, future: Future | None = None) -> Future:
        """Run ``run`` (which returns a future, or None when it completes ``future`` itself) once the
        database is back; the returned future completes with it."""
        proxy = future if future is not None else Future()

        def go() -> None:
            try:
                inner = run()
            except BaseException as e:  # noqa: BLE001 - handed to the waiting client
                if not proxy.done():
                    proxy.set_exception(e)
                return
            if inner is not None and inner is not proxy:
                _chain(inner, proxy)

        self._deferred.append((go, proxy))
        return proxy

    def _run_deferred(self) -> None:
        while self._deferred and not self.halted and self.running and not self.passive:
            go, _future = self._deferred.pop(0)
            go()

    def _on_stop(self) -> None:
        self._note_seen_through()
        self._leave_synchronizers()
        self._stop_commitments()
        stopped = CantonError(errors.NODE_NOT_STARTED, f"Participant '{self.name}' was stopped")
        for sub in self.submissions.values():
            if not sub.future.done():
                sub.future.set_exception(stopped)
        self.submissions.clear()
        self.in_flight.clear()
        for _go, future in self._deferred:
            if not future.done():
                future.set_exception(stopped)
        self._deferred.clear()
        for ping in self.pings.values():
            ping.failure = "Aborting ping due to shutdown"

    def _note_seen_through(self) -> None:
        """(stopping cleanly) Take how far each live subscription has seen its synchronizer as the
        last event seen, where no request is in progress: leaving the synchronizer stores it as the
        clean point (acknowledgement), so that the next start does not read again the events since
        the last one that concerned this participant."""
        for sync_id, subscription in self.subscriptions.items():
            sync = self.env.synchronizers.get(sync_id)
            if sync is None:
                continue
            pending = any(sid == sync_id for sid, _ts in self.pending)
            seen = seen_through(sync, self.member_id, subscription, pending)
            if seen is not None and seen > self.last_seen.get(sync_id, 0):
                self.last_seen[sync_id] = seen

    def _drop_state(self) -> None:
        self._reset_state()

    @property
    def admin_party(self) -> str:
        return str(self.uid)


    # ---- health --------------------------------------------------------------------------
    def components(self) -> list[health.ComponentHealth]:
        connected = self.connected_synchronizers() if self.running else []
        names = ["connected-synchronizer", "sync-ephemeral-state", "sequencer-client", "acs-commitment-processor"]
        if not connected:
            return [self.storage_health()] + [health.not_initialized(n) for n in names]
        healthy = any(h for _, _, h in connected)
        comps = [self.storage_health()]
        for n in names:
            comps.append(health.ok(n) if healthy or n == "acs-commitment-processor" else health.failed(n, "Disconnected from synchronizer"))
        return comps

    def ports(self) -> list[tuple[str, int]]:
        ports = [("ledger", self.config.ledger_api.port), ("admin", self.config.admin_api.port)]
        if self.config.http_ledger_api is not None:
            ports.append(("json", self.config.http_ledger_api.port))
        return ports

