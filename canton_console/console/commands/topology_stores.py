"""``<node>.topology.stores``: the topology stores a node keeps: its authorized store (its own
topology manager's; a participant pushes it to its synchronizers), the store of each synchronizer it
belongs to (a participant: each it connected to), and temporary stores (in memory, for a founding
ceremony)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.framework import Arg, CallContext, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Literal, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.ids import SynchronizerId
from canton_console.values.scala import Vector
from canton_console.values.static_parameters import PROTOCOL_VERSIONS, ProtocolVersion


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


@attrs.frozen
class TemporaryStoreId:
    """Canton's ``TopologyStoreId.Temporary(name)``: a node's in-memory store for a founding ceremony."""

    canton_type: ClassVar[str] = "TopologyStoreId.Temporary"

    name: str

    @property
    def store_id(self) -> str:
        return t.TEMPORARY_PREFIX + self.name

    def __pretty__(self) -> Tree:
        return klass("Temporary", param("name", Literal(self.name)))


class TemporaryCompanion:
    """``TopologyStoreId.Temporary``: ``tryCreate(name)``."""

    canton_type = "TopologyStoreId.Temporary.type"

    def tryCreate(self, name: str) -> TemporaryStoreId:  # noqa: N802 - Canton's name
        return TemporaryStoreId(name)

    def __call__(self, name: str) -> TemporaryStoreId:
        return TemporaryStoreId(name)


class TopologyStoreIdCompanion:
    """``TopologyStoreId`` as the docs write it: ``TopologyStoreId.Synchronizer(id)`` and
    ``TopologyStoreId.Authorized``."""

    canton_type = "TopologyStoreId.type"
    Authorized = AuthorizedStoreId()
    Temporary = TemporaryCompanion()

    @staticmethod
    def Synchronizer(synchronizer_id: Any) -> SynchronizerStoreId:  # noqa: N802 - Canton's name
        if not isinstance(synchronizer_id, SynchronizerId):
            synchronizer_id = SynchronizerId.parse(str(getattr(synchronizer_id, "synchronizer_id", synchronizer_id)))
        return SynchronizerStoreId(synchronizer_id)

    def __pretty__(self) -> Tree:
        return Literal("TopologyStoreId")


TopologyStoreId = TopologyStoreIdCompanion()


def store_id_value(store: str) -> Any:
    """The console value of a store id the topology service gives."""
    if store == t.AUTHORIZED_STORE:
        return TopologyStoreId.Authorized
    if store.startswith(t.TEMPORARY_PREFIX):
        return TemporaryStoreId(store[len(t.TEMPORARY_PREFIX) :])
    return SynchronizerStoreId(SynchronizerId.parse(store))


class TemporaryStoreArg(Arg):
    expects = "a temporary store id (what create_temporary_topology_store returned)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, TemporaryStoreId):
            return value.store_id
        raise ctx.wrong_type(self.expects, value)


class ProtocolVersionArg(Arg):
    """A protocol version this console runs: a ``ProtocolVersion`` (e.g. ``ProtocolVersion.latest``)."""

    expects = "a ProtocolVersion, e.g. ProtocolVersion.latest"

    def convert(self, value: Any, ctx: CallContext) -> ProtocolVersion:
        if not isinstance(value, ProtocolVersion):
            raise ctx.wrong_type(self.expects, value)
        if not value.isStable:
            raise ctx.bad_value(f"protocol version {value} is not a stable protocol version; this console's stores hold protocol version {PROTOCOL_VERSIONS.latest} transactions")
        return value


@subgroup(TopologyGroup, "stores")
class TopologyStoresGroup(NodeGroup):
    """Inspect topology stores"""

    scala_name = "TopologyAdministrationGroup$stores$"

    @command
    def list(self) -> Vector:
        """List available topology stores

        The node's authorized store, the store of each synchronizer whose topology it keeps, and its
        temporary stores."""
        return Vector(*[store_id_value(s) for s in self._admin.topology.stores()])

    @command
    def create_temporary_topology_store(
        self,
        name: Annotated[str, a.Text("a store name", allow_empty=False, max_length=185)],
        protocol_version: Annotated[ProtocolVersion, ProtocolVersionArg()],
    ) -> TemporaryStoreId:
        """Creates a temporary topology store.

        A temporary topology store is useful for orchestrating the synchronizer founding ceremony or
        importing a topology snapshot for later inspection. It is not persisted: its transactions
        live in memory only, and a restart of the node loses them. It is connected to no
        synchronizer: nothing in it is sent anywhere. ``protocolVersion`` must be one this console
        runs (its transactions are of that version)."""
        return store_id_value(self._admin.topology.create_temporary_store(name, protocol_version.toProtoPrimitive))

    @command
    def drop_temporary_topology_store(self, temporary_store_id: Annotated[str, TemporaryStoreArg()]) -> None:
        """This command drops a temporary topology store and all transactions contained in it.

        Dropping a temporary topology store is not reversible. The authorized store and the
        synchronizer stores cannot be dropped with this command."""
        self._admin.topology.drop_temporary_store(temporary_store_id)
