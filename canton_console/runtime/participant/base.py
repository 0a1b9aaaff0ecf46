"""What the parts of a participant share: the node, its processing state, and the operations one
part calls on another (declared here so that each part reads on its own)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from canton_console.runtime.node import Node

if TYPE_CHECKING:
    from canton_console.runtime.participant.records import Connection, PendingTransaction, PingState, Submission, Transaction
    from canton_console.runtime.synchronizer import Subscription, Synchronizer
    from canton_console.values import ledger
    from canton_console.values.messages import SequencedEvent


class ParticipantBase(Node):
    """The participant's state; set by ``ParticipantNode._reset_state``."""

    connections: dict[str, Connection]
    last_seen: dict[str, int]
    pending: dict[tuple[str, int], PendingTransaction]
    locks: set[str]
    ledger_end: int
    replay_until: dict[str, int]
    subscriptions: dict[str, Subscription]
    submissions: dict[str, Submission]
    pings: dict[str, PingState]
    traffic_receipts: dict[str, Any]
    transaction_listeners: list[Any]
    in_flight: dict[str, str]
    _deferred: list[tuple[Any, Future]]

    if TYPE_CHECKING:
        # Operations of one part that another calls.
        @property
        def admin_party(self) -> str: ...

        def _defer(self, run: Any, future: Future | None = None) -> Future: ...

        def _on_events(self, sync_id: str, events: list[SequencedEvent]) -> None: ...

        def _forget_in_flight(self, subs: list[Submission], conn: Any = None) -> None: ...

        def _watch_sequencing(self, sub: Submission) -> None: ...

        def connected_synchronizers(self) -> list[tuple[Connection, Synchronizer, bool]]: ...

        def submit(
            self,
            commands: list[Any],
            act_as: list[str],
            command_id: str,
            synchronizer_id: str | None = None,
            change_id: str | None = None,
            submission_id: str | None = None,
        ) -> Future: ...

        def lookup_contract(self, contract_id: str) -> ledger.Contract | None: ...

        def transactions(self, after: int = 0) -> list[Transaction]: ...

        def _on_acs_commitment(self, sync_id: str, event: SequencedEvent, msg: dict[str, Any]) -> None: ...

        def _after_events_for_commitments(self) -> None: ...
