"""``<node>.topology.stores``: the topology stores a node keeps. This console's nodes keep the
store of each synchronizer they belong to (a participant: each it connected to); Canton's
``Authorized`` store (a node's own topology, pushed to its synchronizers) and temporary stores are
not kept here, so they are not listed."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Apply, Literal, Tree, to_tree
from canton_console.values import topology as t
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


class AuthorizedStoreId:
    """Canton's ``TopologyStoreId.Authorized``: a node's own topology store, where its topology manager
    keeps what it authorized (a participant sends it on to its synchronizers)."""

    canton_type = "TopologyStoreId"
    name = "Authorized"

    def __pretty__(self) -> Tree:
        return Literal("Authorized")


class TopologyStoreIdCompanion:
    """``TopologyStoreId`` as the docs write it: ``TopologyStoreId.Synchronizer(id)`` and
    ``TopologyStoreId.Authorized``."""

    canton_type = "TopologyStoreId.type"
    Authorized = AuthorizedStoreId()

    @staticmethod
    def Synchronizer(synchronizer_id: Any) -> SynchronizerStoreId:  # noqa: N802 - Canton's name
        if not isinstance(synchronizer_id, SynchronizerId):
            synchronizer_id = SynchronizerId.parse(str(getattr(synchronizer_id, "synchronizer_id", synchronizer_id)))
        return SynchronizerStoreId(synchronizer_id)

    def __pretty__(self) -> Tree:
        return Literal("TopologyStoreId")


TopologyStoreId = TopologyStoreIdCompanion()


@subgroup(TopologyGroup, "stores")
class TopologyStoresGroup(NodeGroup):
    """Inspect topology stores"""

    scala_name = "TopologyAdministrationGroup$stores$"

    @command
    def list(self) -> Vector:
        """List available topology stores

        The node's authorized store and the store of each synchronizer whose topology it keeps."""
        return Vector(
            *[TopologyStoreId.Authorized if s == t.AUTHORIZED_STORE else SynchronizerStoreId(SynchronizerId.parse(s)) for s in self._admin.topology.stores()]
        )
