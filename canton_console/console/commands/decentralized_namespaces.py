"""``<node>.topology.decentralized_namespaces``: namespaces owned jointly by several namespaces with
a signing threshold (Canton's DecentralizedNamespaceDefinition mapping)."""

from __future__ import annotations

from typing import Annotated

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import TopologyResult
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, ReadStoreArg, list_results
from canton_console.console.framework import NodeGroup, command, subgroup
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

    def __pretty__(self) -> Tree:
        return klass(
            "DecentralizedNamespaceDefinition",
            param("namespace", self.namespace),
            param("threshold", self.threshold),
            param("owners", Apply("Set", tuple(to_tree(o) for o in sorted(self.owners)))),
        )


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
        )
