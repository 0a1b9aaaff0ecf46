"""Canton's admin ping: a Ping contract created for the target's admin party, answered by it."""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import Future

from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.records import PING_NOT_CREATED, PING_NOT_RESPONDED, PingState
from canton_console.values import errors, ledger
from canton_console.values.errors import CantonError

log = logging.getLogger("canton_console.participant")


class PingWorkflow(ParticipantBase):
    """Mixed into ParticipantNode: start_ping, ping_failure."""

    # ---- ping ----------------------------------------------------------------------------
    def start_ping(self, target: str, synchronizer_id: str | None = None, ping_id: str | None = None) -> PingState:
        """Create a Ping contract for ``target``'s admin party; the state's future gets the elapsed
        seconds once the responder archived it. Failures to submit fail the future at once."""
        self.require_active()
        ping_id = ping_id or str(uuid.uuid4())
        if ping_id in self.pings:
            raise CantonError(errors.INVALID_ARGUMENT, f"Duplicate ping request {ping_id}")
        state = PingState(ping_id, target, time.monotonic(), Future())
        self.pings[ping_id] = state
        if self.halted:
            # The database is down: the ping goes out once it is back (or times out meanwhile).
            self._defer(lambda: self._launch_ping(state, synchronizer_id), state.future)
            return state
        self._launch_ping(state, synchronizer_id)
        return state

    def _launch_ping(self, state: PingState, synchronizer_id: str | None) -> None:
        if self.pings.get(state.id) is not state or state.future.done():
            return  # given up meanwhile
        ping_id, target = state.id, state.target
        connected = [(sync, healthy) for _, sync, healthy in self.connected_synchronizers() if target in sync.topology.participants(sync.now())]
        if synchronizer_id is not None:
            connected = [(sync, healthy) for sync, healthy in connected if sync.id == synchronizer_id]
        # A synchronizer whose sequencers are down does not hold up pings over the others.
        candidates = [sync for sync, healthy in connected if healthy] or [sync for sync, _ in connected]
        if not candidates:
            return  # nothing can carry it: it times out, as in Canton
        responder = target.split("::", 1)[1]
        try:
            future = self.submit(
                [ledger.CreateCommand(ledger.PING.id, {"id": ping_id, "initiator": self.admin_party, "responder": responder})],
                act_as=[self.admin_party],
                command_id=f"ping-{ping_id}",
                synchronizer_id=candidates[0].id,
            )
        except CantonError as e:
            state.future.set_exception(e)
            self.pings.pop(ping_id, None)
            return

        def on_created(f: Future) -> None:
            if f.exception() is not None and not state.future.done():
                state.failure = PING_NOT_CREATED

        future.add_done_callback(on_created)

    def ping_failure(self, ping_id: str) -> str:
        state = self.pings.pop(ping_id, None)
        if state is None:
            return PING_NOT_CREATED
        if state.failure and state.failure != PING_NOT_CREATED:
            return state.failure
        return PING_NOT_RESPONDED if state.created else PING_NOT_CREATED

