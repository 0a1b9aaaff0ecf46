"""``<node>.topology``: the topology manager's groups that are not about one mapping (sequencers of a
synchronizer, waiting for topology changes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import attrs

from canton_console.console import args as a
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.console.references import NodeReference, bounded_timeout, wait_until
from canton_console.pretty import klass, param, seq_tree
from canton_console.values import topology as t
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.scala import Vector


@subgroup(NodeReference, "topology")
class TopologyGroup(NodeGroup):
    """Topology management related commands"""

    scala_name = "TopologyAdministrationGroup"


@attrs.frozen
class SequencerSynchronizerStateResult:
    synchronizer_id: str
    threshold: int
    active: tuple
    observers: tuple
    serial: int

    canton_type = "ListSequencerSynchronizerStateResult"

    def __pretty__(self):
        return klass(
            "SequencerSynchronizerState",
            param("synchronizerId", SynchronizerId.parse(self.synchronizer_id)),
            param("threshold", self.threshold),
            param("active", seq_tree([Member.parse(m) for m in self.active])),
            param("observers", seq_tree([Member.parse(m) for m in self.observers])) if self.observers else None,
        )


@subgroup(TopologyGroup, "sequencers")
class SequencersTopologyGroup(NodeGroup):
    """Inspect and manage the sequencers of a synchronizer"""

    scala_name = "TopologyAdministrationGroup$sequencers$"

    @command
    def list(self, synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None) -> Vector:
        """List the sequencer synchronizer states (threshold, active and observing sequencers)"""
        return Vector(
            *[SequencerSynchronizerStateResult(s.synchronizer_id, s.threshold, s.active, s.observers, s.serial) for s in self._admin.topology.sequencer_states(synchronizer_id)]
        )

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        threshold: Annotated[int, a.POSITIVE_INT],
        active: Annotated[Sequence[str], a.SeqOf(a.MemberArg(("sequencer",)))],
        passive: Annotated[Sequence[str], a.SeqOf(a.MemberArg(("sequencer",)))] = (),
    ) -> None:
        """Propose the sequencers of a synchronizer and the threshold of sequencers that must agree (e.g. on top-ups)"""
        from canton_console.console.commands.topology_mappings import propose_mapping

        mapping = t.sequencer_state(synchronizer_id, threshold, list(active), list(passive or []))
        propose_mapping(self, synchronizer_id, mapping, f"{self.scala_name}.propose")


@subgroup(TopologyGroup, "synchronisation")
class SynchronisationGroup(NodeGroup):
    """Wait for topology changes to be effective"""

    scala_name = "TopologyAdministrationGroup$synchronisation$"

    @command(needs_running=False)
    def is_idle(self) -> bool:
        """Whether this node has no pending topology changes"""
        return self._env.is_idle()

    @command(needs_running=False)
    def await_idle(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> None:
        """Wait until all pending topology changes are effective"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.await_idle")
