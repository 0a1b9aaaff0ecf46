"""``<node>.topology.party_hosting_limits``: Canton's PartyHostingLimits mapping (a synchronizer's
limits on the hosting of one party), authorized by the synchronizer's owners. In Canton 3.3 the
mapping carries no limit any more (``maxNumHostingParticipants`` was removed): it names the party."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    ListOperationArg,
    SignedByArg,
    SignedTopologyTransaction,
    StoreArg,
    SynchronizeArg,
    TopologyResult,
    propose_mapping,
    read_results,
    register_item,
)
from canton_console.console.commands.topology_reads import AnyProtocolVersion, HeadStateOnly, uid_matches
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import PartyId, SynchronizerId
from canton_console.values.scala import Vector


@attrs.frozen
class PartyHostingLimits:
    """Canton's ``PartyHostingLimits(synchronizerId, partyId)``."""

    synchronizerId: SynchronizerId
    partyId: PartyId

    canton_type = "PartyHostingLimits"

    @classmethod
    def of(cls, mapping: t.Mapping) -> PartyHostingLimits:
        return cls(SynchronizerId.parse(mapping.data["synchronizer_id"]), PartyId.parse(mapping.data["party"]))

    def __pretty__(self) -> Tree:
        return klass("PartyHostingLimits", param("synchronizerId", self.synchronizerId), param("partyId", self.partyId))


register_item(t.PARTY_HOSTING_LIMITS, PartyHostingLimits.of)


class ListPartyHostingLimitsResult(TopologyResult):
    canton_type = "ListPartyHostingLimitsResult"


@subgroup(TopologyGroup, "party_hosting_limits")
class PartyHostingLimitsGroup(NodeGroup):
    """Manage party hosting limits"""

    scala_name = "TopologyAdministrationGroup$party_hosting_limits$"

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_uid: Annotated[str, a.Text("a party uid filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List the party hosting limits

        The PartyHostingLimits mappings of the node's stores (or of ``store``); ``filterUid`` keeps
        those whose party uid matches it."""
        stores = [store] if store is not None else self._admin.topology.stores()
        return read_results(
            self,
            stores,
            t.PARTY_HOSTING_LIMITS,
            proposals,
            operation,
            filter_signing_key,
            ListPartyHostingLimitsResult,
            PartyHostingLimits.of,
            lambda item: uid_matches(str(item.partyId), filter_uid),
            time_query=time_query,
        )

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        party_id: Annotated[str, a.PartyArg()],
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> SignedTopologyTransaction:
        """Propose party hosting limits for a party on a synchronizer

        A PartyHostingLimits transaction, signed by this node, in the synchronizer's store (or
        ``store``); it needs the synchronizer owners' authorization."""
        mapping = t.party_hosting_limits(synchronizer_id, party_id)
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )
