"""``<node>.topology.party_to_key_mappings``: the keys that sign for an external party and how many
of them must (Canton's PartyToKeyMapping)."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import BOUNDED, KeyFingerprintArg, SynchronizeArg, TopologyResult, register_item
from canton_console.console.commands.topology_reads import (
    AnyProtocolVersion,
    ChangeOpArg,
    CurrentOnly,
    HeadStateOnly,
    NoForce,
    ReadStoreArg,
    SignedTx,
    list_results,
    propose_change,
)
from canton_console.console.framework import Arg, CallContext, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.ids import PartyId
from canton_console.values.keys import SigningPublicKey
from canton_console.values.refined import PositiveNumeric
from canton_console.values.scala import Vector


@attrs.frozen
class PartyToKeyMapping:
    """Canton's ``PartyToKeyMapping(party, threshold, signingKeys)``."""

    party: PartyId
    threshold: int
    signingKeys: Vector = attrs.field(converter=lambda keys: Vector(*keys), hash=False)

    canton_type = "PartyToKeyMapping"

    @classmethod
    def of(cls, mapping: t.Mapping) -> PartyToKeyMapping:
        data = mapping.data
        return cls(PartyId.parse(data["party"]), int(data["threshold"]), tuple(SigningPublicKey.of_raw_hex(k) for k in data["public_keys"]))

    @classmethod
    def tryCreate(cls, party: Any, threshold: Any, signingKeys: Any) -> PartyToKeyMapping:  # noqa: N802, N803 - Canton's names
        keys = tuple(signingKeys)
        if not all(isinstance(k, SigningPublicKey) for k in keys):
            raise ValueError("PartyToKeyMapping: signingKeys must be SigningPublicKey values")
        mapping = t.party_to_key(str(party), int(threshold), [k.key for k in keys])  # checks the threshold and keys
        return cls.of(mapping)

    def copy(self, party: Any = None, threshold: Any = None, signingKeys: Any = None) -> PartyToKeyMapping:  # noqa: N803
        return PartyToKeyMapping.tryCreate(
            self.party if party is None else party,
            self.threshold if threshold is None else threshold,
            self.signingKeys if signingKeys is None else signingKeys,
        )

    def to_mapping(self) -> t.Mapping:
        return t.party_to_key(str(self.party), self.threshold, [k.key for k in self.signingKeys])

    def __pretty__(self) -> Tree:
        return klass(
            "PartyToKeyMapping",
            param("party", self.party),
            param("threshold", PositiveNumeric(self.threshold)),
            param("signingKeys", Apply("Seq", tuple(to_tree(k) for k in self.signingKeys))),
        )


register_item(t.PARTY_TO_KEY, PartyToKeyMapping.of)


class ListPartyToKeyMappingResult(TopologyResult):
    canton_type = "ListPartyToKeyMappingResult"


class PartyToKeyMappingArg(Arg):
    expects = "a PartyToKeyMapping (e.g. PartyToKeyMapping.tryCreate(party, threshold, keys), or a listed item's copy(...))"

    def convert(self, value: Any, ctx: CallContext) -> PartyToKeyMapping:
        if isinstance(value, PartyToKeyMapping):
            return value
        raise ctx.wrong_type(self.expects, value)


@subgroup(TopologyGroup, "party_to_key_mappings")
class PartyToKeyMappingsGroup(NodeGroup):
    """Manage party to key mappings"""

    scala_name = "TopologyAdministrationGroup$party_to_key_mappings$"

    @command
    def list(
        self,
        store: Annotated[str, ReadStoreArg()],
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List party to key mapping transactions

        The party to key mappings of the topology store ``store``: which keys sign for a party and
        how many must. ``filterParty`` keeps the parties whose id starts with the text,
        ``filterSigningKey`` those with a signer's fingerprint starting with it."""
        return list_results(
            self,
            store,
            t.PARTY_TO_KEY,
            proposals,
            filter_signing_key,
            ListPartyToKeyMappingResult,
            PartyToKeyMapping.of,
            lambda item: str(item.party).startswith(filter_party),
            time_query=time_query,
        )

    @command
    def propose(
        self,
        proposed_mapping: Annotated[PartyToKeyMapping, PartyToKeyMappingArg()],
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        ops: Annotated[str, ChangeOpArg()] = t.REPLACE,
        signed_by: Annotated[str | None, a.Optional(KeyFingerprintArg())] = None,
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        force: NoForce = None,
    ) -> SignedTx:
        """Propose a party to key mapping

        Needs the party's namespace and, for each new key, that key's signature (proof of
        ownership): keys this node does not hold leave it a proposal, or fail with
        ``mustFullyAuthorize``."""
        return propose_change(
            self,
            store,
            proposed_mapping.to_mapping(),
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=[signed_by] if signed_by else [],
            synchronize=synchronize,
            operation=ops,
        )
