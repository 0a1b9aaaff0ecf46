"""``<node>.topology.stores``: the topology stores a node keeps. This console's nodes keep the
store of each synchronizer they belong to (a participant: each it connected to); Canton's
``Authorized`` store (a node's own topology, pushed to its synchronizers) and temporary stores are
not kept here, so they are not listed."""

from __future__ import annotations

from typing import ClassVar

import attrs

from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, to_tree
from canton_console.values.ids import SynchronizerId
from canton_console.values.scala import Vector


@attrs.frozen
class SynchronizerStoreId:
    """Canton's ``TopologyStoreId.Synchronizer(id)``: a synchronizer's topology store. Any command's
    ``store`` argument takes it."""

    canton_type: ClassVar[str] = "TopologyStoreId"

    id: SynchronizerId

    @property
    def synchronizer_id(self) -> SynchronizerId:
        return self.id

    def __pretty__(self) -> Tree:
        return Apply("Synchronizer", (to_tree(self.id),))


@subgroup(TopologyGroup, "stores")
class TopologyStoresGroup(NodeGroup):
    """Inspect topology stores"""

    scala_name = "TopologyAdministrationGroup$stores$"

    @command
    def list(self) -> Vector:
        """List available topology stores

        The synchronizer stores this node keeps (this console keeps no ``Authorized`` store)."""
        return Vector(*[SynchronizerStoreId(SynchronizerId.parse(s)) for s in self._admin.topology.stores()])
