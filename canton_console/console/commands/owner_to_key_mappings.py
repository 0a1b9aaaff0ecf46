"""``<node>.topology.owner_to_key_mappings``: the public keys of synchronizer members (Canton's
OwnerToKeyMapping). In the default topology the sequencer and the mediator have one each; a
participant's key is known through its namespace (its root namespace delegation)."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import TopologyResult
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, ReadStoreArg, list_results, uid_matches
from canton_console.console.framework import Arg, CallContext, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.ids import Member
from canton_console.values.keys import SigningPublicKey
from canton_console.values.scala import Vector

MEMBER_CODES = ("PAR", "MED", "SEQ")


class MemberCodeArg(Arg):
    """A member's three-letter code: ``MemberCode``, ``"PAR"``/``"MED"``/``"SEQ"``, or a member's ``code``."""

    expects = 'a member code ("PAR", "MED" or "SEQ", e.g. participant1.id.code)'

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, Member):
            value = value.code
        if isinstance(value, str) and str(value) in MEMBER_CODES:
            return str(value)
        if isinstance(value, str):
            raise ctx.bad_value(f"Unknown three letter type {value}")
        raise ctx.wrong_type(self.expects, value)


@attrs.frozen
class OwnerToKeyMapping:
    """Canton's ``OwnerToKeyMapping(member, keys)``."""

    member: Member
    keys: tuple[SigningPublicKey, ...]

    canton_type = "OwnerToKeyMapping"

    @classmethod
    def of(cls, mapping: t.Mapping) -> OwnerToKeyMapping:
        data = mapping.data
        keys = data.get("public_keys") or [data["public_key"]]
        return cls(Member.parse(data["member"]), tuple(SigningPublicKey.of_raw_hex(k) for k in keys))

    def __pretty__(self) -> Tree:
        return klass(
            "OwnerToKeyMapping",
            param("member", self.member),
            param("keys", Apply("Vector", tuple(to_tree(k) for k in self.keys))),
        )


class ListOwnerToKeyMappingResult(TopologyResult):
    canton_type = "ListOwnerToKeyMappingResult"


@subgroup(TopologyGroup, "owner_to_key_mappings")
class OwnerToKeyMappingsGroup(NodeGroup):
    """Manage owner to key mappings"""

    scala_name = "TopologyAdministrationGroup$owner_to_key_mappings$"

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(ReadStoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_key_owner_type: Annotated[str | None, a.Optional(MemberCodeArg())] = None,
        filter_key_owner_uid: Annotated[str, a.Text("a member uid prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List owner to key mapping transactions

        The owner to key mappings of the node's synchronizer stores (or of ``store``): which public
        keys a member uses. ``filterKeyOwnerType`` keeps one kind of member (``"MED"``,
        ``participant1.id.code``), ``filterKeyOwnerUid`` those whose uid starts with the text
        (``mediator1.id.filterString``), ``filterSigningKey`` those with a signer's fingerprint
        starting with it."""
        def keep(item: OwnerToKeyMapping) -> bool:
            uid = item.member.filterString
            if filter_key_owner_type is not None and str(item.member.code) != filter_key_owner_type:
                return False
            # Canton: the store's uid filter, then the member's filterString (its uid) as a prefix
            return uid_matches(uid, filter_key_owner_uid) and uid.startswith(filter_key_owner_uid)

        return list_results(
            self, store, t.OWNER_TO_KEY, proposals, filter_signing_key, ListOwnerToKeyMappingResult, OwnerToKeyMapping.of, keep
        )
