"""``<node>.topology.owner_to_key_mappings``: the public keys of synchronizer members (Canton's
OwnerToKeyMapping). In the default topology the sequencer and the mediator have one each; a
participant's key is known through its namespace (its root namespace delegation)."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    ForceArg,
    ForceFlags,
    KeyFingerprintArg,
    SignedByArg,
    SynchronizeArg,
    TopologyResult,
    register_item,
)
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
    uid_matches,
)
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError
from canton_console.values.ids import Member
from canton_console.values.keys import EncryptionPublicKey, KeyPurpose, SigningPublicKey, mapping_public_keys
from canton_console.values.scala import TypedVector, Vector

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
    keys: Vector = attrs.field(converter=lambda keys: TypedVector("PublicKey", *keys), hash=False)

    canton_type = "OwnerToKeyMapping"

    @classmethod
    def of(cls, mapping: t.Mapping) -> OwnerToKeyMapping:
        return cls(Member.parse(mapping.data["member"]), mapping_public_keys(mapping))

    def copy(self, member: Any = None, keys: Any = None) -> OwnerToKeyMapping:
        return OwnerToKeyMapping(self.member if member is None else member, tuple(self.keys if keys is None else keys))

    def to_mapping(self) -> t.Mapping:
        return t.owner_to_key(
            str(Member.parse(str(self.member))),
            [k.key for k in self.keys],
            [getattr(k, "usage", ()) for k in self.keys],
            encryption={k.key for k in self.keys if isinstance(k, EncryptionPublicKey)},
        )

    def __pretty__(self) -> Tree:
        return klass(
            "OwnerToKeyMapping",
            param("member", self.member),
            param("keys", Apply("Vector", tuple(to_tree(k) for k in self.keys))),
        )


register_item(t.OWNER_TO_KEY, OwnerToKeyMapping.of)


class KeyPurposeArg(Arg):
    expects = "a KeyPurpose (KeyPurpose.Signing or KeyPurpose.Encryption)"

    def convert(self, value: Any, ctx: CallContext) -> KeyPurpose:
        if isinstance(value, KeyPurpose):
            return value
        if isinstance(value, str) and value in KeyPurpose.__members__:
            return KeyPurpose[value]
        raise ctx.wrong_type(self.expects, value)


class OwnerToKeyMappingArg(Arg):
    expects = "an OwnerToKeyMapping (e.g. an item of owner_to_key_mappings.list, or its copy(...))"

    def convert(self, value: Any, ctx: CallContext) -> OwnerToKeyMapping:
        if isinstance(value, OwnerToKeyMapping):
            if not value.keys:
                raise ctx.bad_value("An owner to key mapping needs at least one key")
            return value
        raise ctx.wrong_type(self.expects, value)


class PublicKeyArg(Arg):
    expects = "a SigningPublicKey"

    def convert(self, value: Any, ctx: CallContext) -> SigningPublicKey:
        if isinstance(value, SigningPublicKey):
            return value
        raise ctx.wrong_type(self.expects, value)


class KeyPairsArg(Arg):
    expects = "a Seq of (fingerprint, KeyPurpose) pairs"

    def convert(self, value: Any, ctx: CallContext) -> list[tuple[Any, Any]]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        return list(value)


def _illegal(message: str) -> CommandFailure:
    return CommandFailure(f"java.lang.IllegalArgumentException: {message}")


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
            self, store, t.OWNER_TO_KEY, proposals, filter_signing_key, ListOwnerToKeyMappingResult, OwnerToKeyMapping.of, keep,
            time_query=time_query,
        )

    # ---- changing --------------------------------------------------------------------------------
    def _node_keys(self, purpose: KeyPurpose = KeyPurpose.Signing) -> builtins.list[Any]:
        """The public keys of one purpose this node holds (its key vault)."""
        return [m.publicKey for m in self._admin.keys.list_private("", "", {purpose.value}, set())]

    def _held_key(self, fingerprint: str, purpose: KeyPurpose) -> Any:
        found = [k for k in self._node_keys(purpose) if str(k.id).startswith(fingerprint)]
        if not found:
            raise _illegal("The specified key is unknown to the key owner")
        return found[0]

    def _update(
        self,
        keys: builtins.list[tuple[str, KeyPurpose]],
        key_owner: str,
        signed_by: builtins.list[str],
        synchronize: Any,
        add: bool,
        must_fully_authorize: bool,
        force: ForceFlags | None,
        name: str,
    ) -> None:
        public = [self._held_key(fp, purpose) for fp, purpose in keys]
        owner = Member.parse(key_owner)
        previous = [
            r
            for r in self.list(store=t.AUTHORIZED_STORE, filter_key_owner_uid=owner.filterString, filter_key_owner_type=str(owner.code))
            if str(r.item.member) == str(owner)
        ]
        head = self._admin.topology.head(t.AUTHORIZED_STORE, t.OWNER_TO_KEY, str(owner))
        serial = (head.serial + 1) if head is not None else 1
        operation = t.REPLACE
        if add:
            if previous:
                current = previous[0].item
                if set(current.keys) & set(public):
                    raise _illegal("requirement failed: The owner-to-key mapping already contains the specified keys to add")
                proposed = current.copy(keys=(*current.keys, *public))
            else:
                proposed = OwnerToKeyMapping(owner, tuple(public))
        else:
            if not previous:
                raise _illegal("No authorized owner-to-key mapping exists for specified key owner")
            current = previous[0].item
            if not all(k in current.keys for k in public):
                raise _illegal("requirement failed: The owner-to-key mapping does not contain the specified keys to remove")
            remaining = tuple(k for k in current.keys if k not in public)
            if remaining:
                proposed = current.copy(keys=remaining)
            else:
                if not force or not force.flags:
                    raise CantonError(errors.TOPOLOGY_REMOVING_LAST_KEY_MUST_BE_FORCED, "Topology transaction would remove the last key of the given entity")
                proposed, operation = current, t.REMOVE
        propose_change(
            self,
            t.AUTHORIZED_STORE,
            proposed.to_mapping(),
            f"{self.scala_name}.{name}",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
            operation=operation,
        )

    def _own_member(self) -> str:
        return self._admin.identity.member_id()

    @command
    def add_key(
        self,
        key: Annotated[str, KeyFingerprintArg()],
        purpose: Annotated[KeyPurpose, KeyPurposeArg()],
        key_owner: Annotated[str | None, a.MemberArg()] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Add a key to an owner to key mapping

        Adds the key (which the node must hold) to the owner's mapping in the node's authorized
        store, or creates the mapping; the new key signs the change too (proof of ownership)."""
        self._update([(key, purpose)], key_owner or self._own_member(), signed_by, synchronize, True, must_fully_authorize, None, "add_key")

    @command
    def add_keys(
        self,
        keys: Annotated[builtins.list[tuple[Any, Any]], KeyPairsArg()],
        key_owner: Annotated[str | None, a.MemberArg()] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Add a set of keys to an owner to key mapping

        As ``add_key``, for several (fingerprint, purpose) pairs."""
        if not keys:
            raise _illegal("At least one key is required")
        pairs = []
        for item in keys:
            if not isinstance(item, tuple) or len(item) != 2:
                raise CommandFailure(f"{self._path}.add_keys: expected (fingerprint, KeyPurpose) pairs, got {item!r}")
            ctx = CallContext(f"{self._path}.add_keys", "keys", self._env)
            pairs.append((KeyFingerprintArg().convert(item[0], ctx), KeyPurposeArg().convert(item[1], ctx)))
        self._update(pairs, key_owner or self._own_member(), signed_by, synchronize, True, must_fully_authorize, None, "add_keys")

    @command
    def remove_key(
        self,
        key: Annotated[str, KeyFingerprintArg()],
        purpose: Annotated[KeyPurpose, KeyPurposeArg()],
        key_owner: Annotated[str | None, a.MemberArg()] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        force: Annotated[ForceFlags | None, ForceArg()] = None,
    ) -> None:
        """Remove a key from an owner to key mapping

        Removes the key (which the node must hold) from the owner's mapping in the node's
        authorized store; removing the last key removes the mapping and must be forced."""
        self._update([(key, purpose)], key_owner or self._own_member(), signed_by, synchronize, False, must_fully_authorize, force, "remove_key")

    @command
    def rotate_key(
        self,
        member: Annotated[str, a.MemberArg()],
        current_key: Annotated[SigningPublicKey, PublicKeyArg()],
        new_key: Annotated[SigningPublicKey, PublicKeyArg()],
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Rotate the key for an owner to key mapping

        Adds ``newKey`` to the member's mapping, then removes ``currentKey``; both must be keys
        this node holds. From then on the node signs with the new key."""
        held = self._node_keys()
        if current_key not in held:
            raise _illegal("requirement failed: The current key must exist and pertain to this node")
        if new_key not in held:
            raise _illegal("requirement failed: The new key must exist and pertain to this node")
        self._update([(str(new_key.id), KeyPurpose.Signing)], member, [], synchronize, True, True, None, "rotate_key")
        self._update([(str(current_key.id), KeyPurpose.Signing)], member, [], synchronize, False, True, None, "rotate_key")

    @command
    def propose(
        self,
        proposed_mapping: Annotated[OwnerToKeyMapping, OwnerToKeyMappingArg()],
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        ops: Annotated[str, ChangeOpArg()] = t.REPLACE,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        force: NoForce = None,
    ) -> SignedTx:
        """Propose an owner to key mapping

        Proposes ``proposedMapping`` (``ops``: ``Replace`` or ``Remove``) in ``store``. New keys must
        sign it too (proof of ownership): a key this node does not hold leaves it a proposal, or
        fails with ``mustFullyAuthorize``."""
        return propose_change(
            self,
            store,
            proposed_mapping.to_mapping(),
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
            operation=ops,
        )
