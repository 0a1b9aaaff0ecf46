"""``<node>.topology.namespace_delegations``: which keys may sign topology transactions for a
namespace (Canton's NamespaceDelegation mapping). Every node's root certificate is one: the
namespace's own key, delegated to itself, allowed to sign all mappings."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import TopologyResult
from canton_console.console.commands.topology_reads import (
    AnyProtocolVersion,
    CurrentOnly,
    HeadStateOnly,
    KeyFingerprintArg,
    ReadStoreArg,
    list_results,
)
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Literal, Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import Namespace
from canton_console.values.keys import SigningPublicKey
from canton_console.values.scala import Vector

CAN_SIGN_ALL = "CanSignAllMappings"
CAN_SIGN_ALL_BUT_NSD = "CanSignAllButNamespaceDelegations"


@attrs.frozen
class NamespaceDelegation:
    """Canton's ``NamespaceDelegation(namespace, target, restriction)``."""

    namespace: Namespace
    target: SigningPublicKey
    restriction: str

    canton_type = "NamespaceDelegation"

    @classmethod
    def of(cls, mapping: t.Mapping) -> NamespaceDelegation:
        data = mapping.data
        target = SigningPublicKey.of_raw_hex(data["public_key"])
        namespace = Namespace(data["namespace"])
        # the mapping carries no restriction: a root certificate signs everything, a delegation
        # without one is what Canton reads it as (CanSignAllButNamespaceDelegations)
        default = CAN_SIGN_ALL if str(target.id) == str(namespace) else CAN_SIGN_ALL_BUT_NSD
        return cls(namespace, target, data.get("restriction", default))

    @property
    def isRootDelegation(self) -> bool:
        """A root certificate: the namespace's own key, allowed to sign namespace delegations."""
        return self.restriction == CAN_SIGN_ALL and str(self.target.id) == str(self.namespace)

    def canSign(self, code: Any) -> bool:
        if self.restriction == CAN_SIGN_ALL:
            return True
        return str(getattr(code, "name", code)) != t.NAMESPACE_DELEGATION

    def __pretty__(self) -> Tree:
        return klass(
            "NamespaceDelegation",
            param("namespace", self.namespace),
            param("target", self.target),
            param("restriction", Literal(self.restriction)),
        )


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
        )
