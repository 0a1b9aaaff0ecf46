"""What every in-process admin service shares: its node, the runtime thread, and the refusals a
node gives before it serves a request (not started, passive replica)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from canton_console.values import errors
from canton_console.values.errors import CantonError

T = TypeVar("T")


class LocalService:
    """An admin service of one node in this process.

    ``passive_refusal`` says how a passive replica answers: ``"admin"`` with the sync service's
    error (participant admin services), ``"ledger"`` with NODE_IS_PASSIVE_REPLICA (the Ledger API and
    the other nodes' services), None when a passive replica serves the request (status, replication).
    """

    passive_refusal: str | None = "ledger"

    def __init__(self, env: Any, node: Any):
        self._env = env
        self._node = node

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the runtime thread, after the service's refusals."""
        return self._env.call(self._guarded, fn, *args)

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        self._refuse()
        return fn(*args)

    def _refuse(self) -> None:
        node = self._node
        if not node.running:
            raise CantonError(errors.NODE_NOT_STARTED, f"Instance {node.instance_type} '{node.name}' has not been started. ")
        if node.passive and self.passive_refusal is not None:
            if self.passive_refusal == "admin" and node.kind == "participant":
                raise CantonError(errors.SYNC_SERVICE_PASSIVE_REPLICA, "Cannot process submitted command. This participant is the passive replica.")
            raise node.passive_error()


def not_started(node: Any) -> CantonError:
    return CantonError(errors.NODE_NOT_STARTED, f"Instance {node.instance_type} '{node.name}' has not been started. ")
