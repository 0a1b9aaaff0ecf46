"""``<node>.topology.decentralized_namespaces``: namespaces owned jointly by several namespaces with
a signing threshold (Canton's DecentralizedNamespaceDefinition mapping)."""

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
    ReadStoreArg,
    SignedTx,
    list_results,
    propose_change,
)
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.ids import Namespace
from canton_console.values.scala import Vector


@attrs.frozen
class DecentralizedNamespaceDefinition:
    """Canton's ``DecentralizedNamespaceDefinition(namespace, threshold, owners)``."""

    namespace: Namespace
    threshold: int
    owners: frozenset[Namespace]

    canton_type = "DecentralizedNamespaceDefinition"

    @classmethod
    def of(cls, mapping: t.Mapping) -> DecentralizedNamespaceDefinition:
        data = mapping.data
        return cls(Namespace(data["namespace"]), int(data["threshold"]), frozenset(Namespace(o) for o in data["owners"]))

    @classmethod
    def create(cls, decentralized_namespace: Any, threshold: int, owners: Any) -> DecentralizedNamespaceDefinition:
        """Canton's ``DecentralizedNamespaceDefinition.tryCreate``: a threshold of at most the owners."""
        namespaces = frozenset(Namespace(KeyFingerprintArg().convert(o, _ctx("owners"))) for o in owners)
        namespace = Namespace(KeyFingerprintArg().convert(decentralized_namespace, _ctx("decentralizedNamespace")))
        if not namespaces:
            raise CommandFailure("Proposed decentralized namespace needs at least one owner")
        if not isinstance(threshold, int) or threshold < 1 or len(namespaces) < threshold:
            raise CommandFailure(f"Invalid threshold ({threshold}) for {namespace} with {len(namespaces)} owners")
        return cls(namespace, int(threshold), namespaces)

    tryCreate = create

    @staticmethod
    def computeNamespace(owners: Any) -> Namespace:  # noqa: N802 - Canton's name
        """The namespace of a decentralized namespace founded by ``owners`` (Canton's derivation)."""
        return Namespace(t.decentralized_namespace_of([KeyFingerprintArg().convert(o, _ctx("owners")) for o in owners]))

    def copy(self, namespace: Any = None, threshold: int | None = None, owners: Any = None) -> DecentralizedNamespaceDefinition:
        return DecentralizedNamespaceDefinition.create(
            self.namespace if namespace is None else namespace,
            self.threshold if threshold is None else threshold,
            self.owners if owners is None else owners,
        )

    def to_mapping(self) -> t.Mapping:
        return t.decentralized_namespace_definition(self.namespace.unwrap, self.threshold, [o.unwrap for o in self.owners])

    def __pretty__(self) -> Tree:
        return klass(
            "DecentralizedNamespaceDefinition",
            param("namespace", self.namespace),
            param("threshold", self.threshold),
            param("owners", Apply("Set", tuple(to_tree(o) for o in sorted(self.owners)))),
        )


def _ctx(param_name: str) -> CallContext:
    return CallContext("DecentralizedNamespaceDefinition", param_name, None)


register_item(t.DECENTRALIZED_NAMESPACE, DecentralizedNamespaceDefinition.of)


class DefinitionArg(Arg):
    expects = "a DecentralizedNamespaceDefinition (e.g. an item of decentralized_namespaces.list, or its copy(...))"

    def convert(self, value: Any, ctx: CallContext) -> DecentralizedNamespaceDefinition:
        if isinstance(value, DecentralizedNamespaceDefinition):
            return value
        raise ctx.wrong_type(self.expects, value)


class NamespaceSetArg(Arg):
    expects = "a Set of namespaces (e.g. Set(participant1.namespace, participant2.namespace))"

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects, value)
        return sorted({KeyFingerprintArg().convert(v, ctx) for v in value})


class ListDecentralizedNamespaceDefinitionResult(TopologyResult):
    canton_type = "ListDecentralizedNamespaceDefinitionResult"


@subgroup(TopologyGroup, "decentralized_namespaces")
class DecentralizedNamespacesGroup(NodeGroup):
    """Manage decentralized namespaces"""

    scala_name = "TopologyAdministrationGroup$decentralized_namespaces$"

    @command
    def list(
        self,
        store: Annotated[str, ReadStoreArg()],
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_namespace: Annotated[str, a.Text("a namespace prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List decentralized namespace definitions

        The decentralized namespace definitions of the topology store ``store`` (a synchronizer's
        id): each namespace with its owners and the threshold of owner signatures it needs.
        ``filterNamespace`` and ``filterSigningKey`` keep those whose namespace / some signer's
        fingerprint starts with the text."""
        return list_results(
            self,
            store,
            t.DECENTRALIZED_NAMESPACE,
            proposals,
            filter_signing_key,
            ListDecentralizedNamespaceDefinitionResult,
            DecentralizedNamespaceDefinition.of,
            lambda item: str(item.namespace).startswith(filter_namespace),
            time_query=time_query,
        )

    @command
    def propose_new(
        self,
        owners: Annotated[builtins.list[str], NamespaceSetArg()],
        threshold: Annotated[int, a.POSITIVE_INT],
        store: Annotated[str, ReadStoreArg()],
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> SignedTx:
        """Propose the creation of a new decentralized namespace

        ``owners``: the namespaces of the founding members, from which the decentralized
        namespace's name is computed; ``threshold``: the number of owner signatures that authorize
        transactions of the namespace. Creating it needs every owner's signature: each owner
        proposes the same definition. ``store``: ``Authorized`` (stored by the node and sent on to
        its synchronizers) or a synchronizer's store. ``mustFullyAuthorize``: fail unless the
        signatures collected with this node's authorize it. ``serial``: the serial expected."""
        if not owners:
            raise CommandFailure("Proposed decentralized namespace needs at least one owner")
        definition = DecentralizedNamespaceDefinition.create(DecentralizedNamespaceDefinition.computeNamespace(owners), threshold, owners)
        return self._propose(definition, store, must_fully_authorize, signed_by, serial, synchronize, "propose_new")

    @command
    def propose(
        self,
        decentralized_namespace: Annotated[DecentralizedNamespaceDefinition, DefinitionArg()],
        store: Annotated[str, ReadStoreArg()],
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> SignedTx:
        """Propose changes to a decentralized namespace

        ``decentralizedNamespace``: the definition to propose (e.g. the current one's ``copy`` with
        another threshold or owners). A change needs the current threshold of owners and every newly
        added owner. Other arguments as for ``propose_new``."""
        return self._propose(decentralized_namespace, store, must_fully_authorize, signed_by, serial, synchronize, "propose")

    def _propose(
        self, definition: DecentralizedNamespaceDefinition, store: str, must_fully_authorize: bool, signed_by: builtins.list[str], serial: int | None, synchronize: Any, name: str
    ) -> SignedTx:
        return propose_change(
            self,
            store,
            definition.to_mapping(),
            f"{self.scala_name}.{name}",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )
