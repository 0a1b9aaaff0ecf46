"""``<node>.topology.namespace_delegations``: which keys may sign topology transactions for a
namespace (Canton's NamespaceDelegation mapping). Every node's root certificate is one: the
namespace's own key, delegated to itself, allowed to sign all mappings."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import BOUNDED, KeyFingerprintArg, SignedByArg, SynchronizeArg, TopologyResult, register_item
from canton_console.console.commands.topology_reads import (
    AnyProtocolVersion,
    CurrentOnly,
    HeadStateOnly,
    MappingCode,
    NoForce,
    ReadStoreArg,
    SignedTx,
    list_results,
    propose_change,
)
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import Namespace
from canton_console.values.keys import USAGE_ALL, SigningPublicKey
from canton_console.values.scala import Vector

CAN_SIGN_ALL = t.CAN_SIGN_ALL
CAN_SIGN_ALL_BUT_NSD = t.CAN_SIGN_ALL_BUT_NSD


# ---- delegation restrictions (Canton's DelegationRestriction, in scope as the docs write them) ------


@attrs.frozen
class DelegationRestriction:
    """Which mappings a delegated key may sign: ``CanSignAllMappings``,
    ``CanSignAllButNamespaceDelegations`` or ``CanSignSpecificMappings(code, ...)``."""

    name: str
    mappings: tuple[str, ...] = ()

    @property
    def canton_type(self) -> str:
        return "CanSignSpecificMappings" if self.mappings else f"DelegationRestriction.{self.name}.type"

    @property
    def value(self) -> str | list[str]:
        """The restriction as the runtime's mapping data keeps it."""
        return list(self.mappings) if self.mappings else self.name

    @classmethod
    def of(cls, value: str | list[str]) -> DelegationRestriction:
        if isinstance(value, str):
            return cls(value)
        return cls("CanSignSpecificMappings", tuple(sorted(value)))

    def canSign(self, code: Any) -> bool:  # noqa: N802 - Canton's name
        return t.can_sign(self.value, str(getattr(code, "value", code)))

    def __pretty__(self) -> Tree:
        if self.mappings:
            return Apply("CanSignSpecificMappings", (Apply("Set", tuple(Literal(MappingCode(c).name) for c in self.mappings)),))
        return Literal(self.name)

    def __str__(self) -> str:
        return self.name


CanSignAllMappings = DelegationRestriction(CAN_SIGN_ALL)
CanSignAllButNamespaceDelegations = DelegationRestriction(CAN_SIGN_ALL_BUT_NSD)


def CanSignSpecificMappings(*codes: Any) -> DelegationRestriction:  # noqa: N802 - Canton's name
    """``CanSignSpecificMappings(TopologyMapping.Code.PartyToParticipant, ...)``: at least one code."""
    from canton_console.console.framework import ArgumentError

    flat: list[Any] = []
    for c in codes:
        flat.extend(c if isinstance(c, (list, tuple, set, frozenset)) else [c])
    if not flat:
        raise ArgumentError("CanSignSpecificMappings: at least one TopologyMapping.Code is needed")
    names = []
    for c in flat:
        if isinstance(c, MappingCode):
            names.append(c.value)
        elif isinstance(c, str) and c in MappingCode.__members__:
            names.append(MappingCode[c].value)
        else:
            raise ArgumentError(f"CanSignSpecificMappings: expected TopologyMapping.Code values (e.g. TopologyMapping.Code.PartyToParticipant), got {c!r}")
    return DelegationRestriction("CanSignSpecificMappings", tuple(sorted(set(names))))


class RestrictionArg(Arg):
    expects = "a DelegationRestriction (CanSignAllMappings, CanSignAllButNamespaceDelegations or CanSignSpecificMappings(...))"

    def convert(self, value: Any, ctx: CallContext) -> DelegationRestriction:
        if isinstance(value, DelegationRestriction):
            return value
        if isinstance(value, str) and value in (CAN_SIGN_ALL, CAN_SIGN_ALL_BUT_NSD):
            return DelegationRestriction(value)
        raise ctx.wrong_type(self.expects, value)


class NamespaceArg(Arg):
    expects = "a namespace (e.g. participant1.namespace)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        return KeyFingerprintArg().convert(value, ctx)


class SigningKeyArg(Arg):
    expects = "a SigningPublicKey (e.g. an item's key from owner_to_key_mappings.list)"

    def convert(self, value: Any, ctx: CallContext) -> SigningPublicKey:
        if isinstance(value, SigningPublicKey):
            return value
        raise ctx.wrong_type(self.expects, value)


@attrs.frozen
class NamespaceDelegation:
    """Canton's ``NamespaceDelegation(namespace, target, restriction)``."""

    namespace: Namespace
    target: SigningPublicKey
    restriction: DelegationRestriction

    canton_type = "NamespaceDelegation"

    @classmethod
    def of(cls, mapping: t.Mapping) -> NamespaceDelegation:
        data = mapping.data
        target = SigningPublicKey.of_raw_hex(data["public_key"], tuple(data["usage"]) if "usage" in data else USAGE_ALL)
        namespace = Namespace(data["namespace"])
        # the mapping carries no restriction: a root certificate signs everything, a delegation
        # without one is what Canton reads it as (CanSignAllButNamespaceDelegations)
        default = CAN_SIGN_ALL if str(target.id) == str(namespace) else CAN_SIGN_ALL_BUT_NSD
        return cls(namespace, target, DelegationRestriction.of(data.get("restriction", default)))

    @property
    def isRootDelegation(self) -> bool:
        """A root certificate: the namespace's own key, allowed to sign namespace delegations."""
        return self.restriction.canSign(t.NAMESPACE_DELEGATION) and str(self.target.id) == str(self.namespace)

    def canSign(self, code: Any) -> bool:  # noqa: N802 - Canton's name
        return self.restriction.canSign(code)

    def __pretty__(self) -> Tree:
        return klass(
            "NamespaceDelegation",
            param("namespace", self.namespace),
            param("target", self.target),
            param("restriction", self.restriction),
        )


register_item(t.NAMESPACE_DELEGATION, NamespaceDelegation.of)


class ListNamespaceDelegationResult(TopologyResult):
    canton_type = "ListNamespaceDelegationResult"


@subgroup(TopologyGroup, "namespace_delegations")
class NamespaceDelegationsGroup(NodeGroup):
    """Manage namespace delegations"""

    scala_name = "TopologyAdministrationGroup$namespace_delegations$"

    @command
    def list(
        self,
        store: Annotated[str, ReadStoreArg()],
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_namespace: Annotated[str, a.Text("a namespace prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        filter_target_key: Annotated[str | None, a.Optional(KeyFingerprintArg())] = None,
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List namespace delegation transactions

        The namespace delegations of the topology store ``store`` (a synchronizer's id): each node's
        root certificate, and delegations of a namespace to further keys. ``filterNamespace`` and
        ``filterSigningKey`` keep those whose namespace / some signer's fingerprint starts with the
        text; ``filterTargetKey`` those delegating to the key with that fingerprint."""
        return list_results(
            self,
            store,
            t.NAMESPACE_DELEGATION,
            proposals,
            filter_signing_key,
            ListNamespaceDelegationResult,
            NamespaceDelegation.of,
            lambda item: str(item.namespace).startswith(filter_namespace) and (filter_target_key is None or str(item.target.id) == filter_target_key),
            time_query=time_query,
        )

    @command
    def propose_delegation(
        self,
        namespace: Annotated[str, NamespaceArg()],
        target_key: Annotated[SigningPublicKey, SigningKeyArg()],
        delegation_restriction: Annotated[DelegationRestriction, RestrictionArg()],
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        force_flags: NoForce = None,
    ) -> SignedTx:
        """Propose a new namespace delegation that is restricted to certain topology mapping types

        A namespace delegation lets the owner of a namespace delegate signing topology transactions
        for it to another signing key. ``delegationRestriction``: ``CanSignAllMappings``,
        ``CanSignAllButNamespaceDelegations`` or ``CanSignSpecificMappings(TopologyMapping.Code*)``.
        ``store``: ``Authorized`` (stored by the node and sent on to its synchronizers) or a
        synchronizer's store (submitted to it directly). ``mustFullyAuthorize``: fail unless this
        node's signature (with those the proposal has) authorizes it. ``serial``: the serial expected
        (contiguous from 1); None lets the node choose."""
        if not delegation_restriction.canSign(t.NAMESPACE_DELEGATION) and str(target_key.id) == namespace:
            raise CommandFailure(f"Root certificate for {namespace} needs to be be able to sign other NamespaceDelegations")
        mapping = t.namespace_delegation(namespace, target_key.key, delegation_restriction.value, tuple(target_key.usage))
        return propose_change(
            self,
            store,
            mapping,
            f"{self.scala_name}.propose_delegation",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )

    @command
    def propose_revocation(
        self,
        namespace: Annotated[str, NamespaceArg()],
        target_key: Annotated[SigningPublicKey, SigningKeyArg()],
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        force_changes: NoForce = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> SignedTx:
        """Revoke an existing namespace delegation

        Removes the delegation of ``namespace`` to ``targetKey`` found in ``store``: the key may no
        longer sign for the namespace. Arguments as for ``propose_delegation``."""
        found = [
            s
            for s in self._admin.topology.list(store, t.NAMESPACE_DELEGATION)
            if s.mapping.data["namespace"] == namespace and t.key_fingerprint(s.mapping.data["public_key"]) == str(target_key.id)
        ]
        if not found:
            raise CommandFailure(f"java.lang.IllegalArgumentException: Namespace delegation from namespace {namespace} to key {target_key.id} not found.")
        return propose_change(
            self,
            store,
            found[0].mapping,
            f"{self.scala_name}.propose_revocation",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
            operation=t.REMOVE,
        )
