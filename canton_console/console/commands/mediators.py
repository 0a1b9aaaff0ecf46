"""``<node>.topology.mediators``: the mediator groups of a synchronizer (Canton's
MediatorSynchronizerState): each group's threshold, active and observing mediators."""

from __future__ import annotations

from typing import Annotated

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import SynchronizerStoreArg, TopologyResult
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, list_results, uid_matches
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.refined import NonNegativeNumeric, PositiveNumeric
from canton_console.values.scala import Vector


@attrs.frozen
class MediatorSynchronizerState:
    """Canton's ``MediatorSynchronizerState(synchronizerId, group, threshold, active, observers)``."""

    synchronizerId: SynchronizerId
    group: NonNegativeNumeric
    threshold: PositiveNumeric
    active: tuple[Member, ...]
    observers: tuple[Member, ...]

    canton_type = "MediatorSynchronizerState"

    @classmethod
    def of(cls, mapping: t.Mapping) -> MediatorSynchronizerState:
        data = mapping.data
        return cls(
            SynchronizerId.parse(data["synchronizer_id"]),
            NonNegativeNumeric(int(data["group"])),
            PositiveNumeric(int(data["threshold"])),
            tuple(Member.parse(m) for m in data["active"]),
            tuple(Member.parse(m) for m in data["observers"]),
        )

    @property
    def allMediatorsInGroup(self) -> tuple[Member, ...]:
        return self.active + self.observers

    def __pretty__(self) -> Tree:
        # inside the record Canton prints the refined numbers bare
        return klass(
            "MediatorSynchronizerState",
            param("synchronizerId", self.synchronizerId),
            param("group", int(self.group.value)),
            param("threshold", int(self.threshold.value)),
            param("active", Apply("Vector", tuple(to_tree(m) for m in self.active))),
            param("observers", Apply("Vector", tuple(to_tree(m) for m in self.observers))),
        )


class ListMediatorSynchronizerStateResult(TopologyResult):
    canton_type = "ListMediatorSynchronizerStateResult"


@subgroup(TopologyGroup, "mediators")
class MediatorsTopologyGroup(NodeGroup):
    """Inspect mediator synchronizer state"""

    scala_name = "TopologyAdministrationGroup$mediators$"

    @command
    def list(
        self,
        synchronizer_id: Annotated[str | None, a.Optional(SynchronizerStoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_synchronizer: Annotated[str, a.Text("a synchronizer id prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: AnyProtocolVersion = None,
        group: Annotated[int | None, a.Optional(a.Int(0, "a mediator group index (a NonNegativeInt)"))] = None,
    ) -> Vector:
        """List mediator synchronizer topology state

        synchronizerId: the optional target synchronizer
        proposals: if true then proposals are shown, otherwise actual validated state

        The mediator groups of the node's synchronizer stores (or of ``synchronizerId``): each
        group's threshold, active and observing mediators. ``group`` keeps one group,
        ``filterSynchronizer`` those of synchronizers whose id starts with the text."""
        return list_results(
            self,
            synchronizer_id,
            t.MEDIATOR_STATE,
            proposals,
            filter_signing_key,
            ListMediatorSynchronizerStateResult,
            MediatorSynchronizerState.of,
            lambda item: (group is None or int(item.group.value) == group) and uid_matches(str(item.synchronizerId), filter_synchronizer),
        )
