"""``participant1.replication`` / ``mediator1.replication``: manage the replicas of a node.

Replicas are the nodes of the configuration that share one storage with ``replication.enabled``;
one is active, the others passive (see :mod:`canton_console.runtime.replication`). ``health.active``
and ``health.status`` (``Active: true/false``) tell which is which.
"""

from __future__ import annotations

from canton_console.console.framework import CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import MediatorReference, ParticipantReference


class ReplicationGroup(NodeGroup):
    """Manage replication of this node"""

    scala_name = "ReplicatedNodeAdministration$replication$"

    @command
    def set_passive(self) -> None:
        """Set the replica to passive

        Triggers a graceful fail-over from this active replica to another, passive one: this replica
        leaves its synchronizers and gives up the replication lock; a passive replica takes it (one
        of this console's process at once, one of another process at its next check, within its
        replication check period), reconnects and goes on from the same ledger offset. The command
        completes once another replica became active, or had the chance to: this replica leaves the
        lock to the others for two check periods, as Canton's command waits, and takes it back
        afterwards if none took it. If no other replica of the node is running, this one stays
        active."""
        replication = self._admin.replication
        if not replication.is_replicated():
            info = self._admin.info
            raise CommandFailure(
                f"Replication is not enabled for {info.kind} '{info.name}': replicas share one sqlite or "
                "postgres storage and set replication.enabled = true",
                f"{self.scala_name}.set_passive",
            )
        replication.set_passive()


subgroup(ParticipantReference, "replication", "Manage participant replication")(ReplicationGroup)
subgroup(MediatorReference, "replication", "Manage mediator replication")(ReplicationGroup)
