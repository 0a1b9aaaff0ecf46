"""What the read side of the topology mapping groups shares (no group of its own): which stores a
``list`` reads, and Canton's read-service filters (prefix matches, as Canton's
``GrpcTopologyManagerReadService`` applies them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from canton_console.console.commands.topology_mappings import BaseResult, StoreArg, TopologyResult
from canton_console.console.framework import Arg, CallContext, NodeGroup, Unsupported
from canton_console.values import topology as t
from canton_console.values.ids import Fingerprint, Namespace, fingerprint_problem
from canton_console.values.keys import SigningPublicKey
from canton_console.values.scala import Vector

# Canton's read-service arguments this console does not implement, shared by the list commands.
HeadStateOnly = Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))]
CurrentOnly = Annotated[Any, Unsupported("only current (Replace) mappings are listed", accept=("Replace", "Some(Replace)"))]
AnyProtocolVersion = Annotated[Any, Unsupported("results are in the synchronizer's protocol version")]


class ReadStoreArg(StoreArg):
    """A topology store to read: ``TopologyStoreId.Authorized`` or a synchronizer's store."""


class KeyFingerprintArg(Arg):
    """A key's fingerprint: a ``Fingerprint``, its text, a ``Namespace`` or a key (its ``id``)."""

    expects = "a key fingerprint (a Fingerprint, e.g. participant1.id.fingerprint, or its 1220... text)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, SigningPublicKey):
            value = value.id
        if isinstance(value, (Fingerprint, Namespace)):
            return value.unwrap
        if isinstance(value, str):
            problem = fingerprint_problem(value)
            if problem is not None:
                raise ctx.bad_value(f"Invalid fingerprint {value}: {problem}")
            return value
        raise ctx.wrong_type(self.expects, value)


def stores_to_read(group: NodeGroup, store: str | None) -> list[str]:
    """``store`` if given (TOPOLOGY_STORE_NOT_FOUND when the node does not keep it), else every
    store the node keeps (its authorized store first)."""
    topology = group._admin.topology
    if store is not None:
        topology.require_store(store)
        return [store]
    return topology.stores()


def list_results(
    group: NodeGroup,
    store: str | None,
    code: str,
    proposals: bool,
    filter_signing_key: str,
    result: type[TopologyResult],
    item_of: Callable[[t.Mapping], Any],
    keep: Callable[[Any], bool] = lambda item: True,
) -> Vector:
    """A list command's results: the ``code`` mappings of the stores read (``stores_to_read``), or
    their pending proposals, signed by ``filterSigningKey`` and kept by ``keep`` (the command's own
    filters on the item), each as ``result(context, item)``."""
    out = []
    for sync_id in stores_to_read(group, store):
        for stored in group._admin.topology.list(sync_id, code, proposals):
            if not signed_by(stored, filter_signing_key):
                continue
            item = item_of(stored.mapping)
            if keep(item):
                out.append(result(BaseResult.of(sync_id, stored), item))
    return Vector(*out)


def signed_by(stored: t.StoredTransaction, prefix: str) -> bool:
    """Canton's ``filterSigningKey``: some signature's key fingerprint starts with it ("" keeps all)."""
    return not prefix or any(f.startswith(prefix) for f in stored.signed.signatures)


def uid_matches(uid: str, filter_text: str) -> bool:
    """Canton's uid filter (``UniqueIdentifier.splitFilter``): ``identifier-prefix[::namespace-prefix]``."""
    if not filter_text:
        return True
    identifier, _, namespace = uid.partition("::")
    want_id, sep, want_ns = filter_text.partition("::")
    return identifier.startswith(want_id) and (not sep or namespace.startswith(want_ns))
