"""``participant1.replication`` / ``mediator1.replication``: manage the replicas of a node.

Replicas are the nodes of the configuration that share one storage with ``replication.enabled``;
one is active, the others passive (see :mod:`canton_console.runtime.replication`). ``health.active``
and ``health.status`` (``Active: true/false``) tell which is which.
"""

from __future__ import annotations

import time

from canton_console.console.framework import CommandFailure, command
from canton_console.console.references import _RefGroupBase


class ReplicationGroup(_RefGroupBase):
    """Manage replication of this node"""

    scala_name = "ReplicatedNodeAdministration$replication$"

    @command
    def set_passive(self) -> None:
        """Set the replica to passive

        Triggers a graceful fail-over from this active replica to another, passive one: this replica
        leaves its synchronizers and gives up the replication lock; a passive replica takes it at its
        next check (within its replication check period), reconnects and goes on from the same ledger
        offset. The command completes once another replica became active, or had the chance to. If no
        other replica of the node is running, this one stays active."""
        env = self._env
        node = self._node
        if not node.replicated:
            raise CommandFailure(
                f"Replication is not enabled for {node.instance_type.lower()} '{node.name}': replicas share one sqlite or "
                "postgres storage and set replication.enabled = true",
                f"{self.scala_name}.set_passive",
            )
        handed_over = env.call(node.set_passive)
        if not handed_over:
            return None
        others = env.replicas_of(node)
        period = node.config.replication.check_period.total_seconds()
        deadline = time.monotonic() + 2 * period + 1.0
        while time.monotonic() < deadline:
            if any(n.active for n in others):
                return None
            time.sleep(0.01)
        return None


def replication_group(ref) -> ReplicationGroup:
    return ReplicationGroup(ref, f"{ref._path}.replication")
