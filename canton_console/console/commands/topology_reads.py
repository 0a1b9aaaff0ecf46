"""What the topology mapping groups share (no group of its own): which stores a ``list`` reads,
Canton's read-service filters (prefix matches, as Canton's ``GrpcTopologyManagerReadService``
applies them), a transaction's mapping as the console offers it, Canton's names for mapping codes and
change operations (``TopologyMapping.Code``, ``TopologyChangeOp``), and ``propose_change``, which
proposes a replacement or a removal in any store and waits for it per ``synchronize``."""

from __future__ import annotations

import builtins
import enum
from collections.abc import Callable
from typing import Annotated, Any

from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    BaseResult,
    SignedTopologyTransaction,
    StoreArg,
    TopologyResult,
    mapping_item,
    mapping_tree,
    propose_mapping,
)
from canton_console.console.commands.topology_time import TimeQuery, TimeQueryParam, stored_for
from canton_console.console.framework import Arg, CallContext, Group, NodeGroup, Unsupported
from canton_console.pretty import Literal, Tree
from canton_console.values import topology as t
from canton_console.values.scala import TypedVector, Vector

# Canton's read-service arguments this console does not implement, shared by the list commands.
HeadStateOnly = TimeQueryParam  # Canton's timeQuery: TimeQuery.HeadState (default), Snapshot or Range
CurrentOnly = Annotated[Any, Unsupported("only current (Replace) mappings are listed", accept=("Replace", "Some(Replace)"))]
AnyProtocolVersion = Annotated[Any, Unsupported("results are in the synchronizer's protocol version")]
# Force flags of changes this console's topology manager makes no check for that a flag could skip.
NoForce = Annotated[Any, Unsupported("no check of this change can be forced", accept=("ForceFlags()", "false"))]
# Loading: the transactions of other members are loaded as they are, which Canton permits with
# ForceFlag.AlienMember; that flag is accepted, others are refused.
LoadForce = Annotated[
    Any, Unsupported("no check of loading can be forced but AlienMember", accept=("ForceFlags()", "false", "AlienMember", "ForceFlags(AlienMember)"))
]


class ReadStoreArg(StoreArg):
    """A topology store to read: ``TopologyStoreId.Authorized`` or a synchronizer's store."""


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
    time_query: TimeQuery | None = None,
) -> Vector:
    """A list command's results: the ``code`` mappings of the stores read (``stores_to_read``) now
    (or as ``time_query`` selects), or their pending proposals, signed by ``filterSigningKey`` and
    kept by ``keep`` (the command's own filters on the item), each as ``result(context, item)``."""
    out = []
    for sync_id in stores_to_read(group, store):
        for stored in stored_for(group._admin.topology, sync_id, code, proposals, False, time_query):
            if not signed_by(stored, filter_signing_key):
                continue
            item = item_of(stored.mapping)
            if keep(item):
                out.append(result(BaseResult.of(sync_id, stored), item))
    return TypedVector(getattr(result, "canton_type", "TopologyResult"), *out)


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


# ---- Canton's names for mapping codes and change operations ----------------------------------------


class MappingCode(enum.Enum):
    """Canton's ``TopologyMapping.Code``: ``TopologyMapping.Code.NamespaceDelegation`` ..."""

    NamespaceDelegation = t.NAMESPACE_DELEGATION
    DecentralizedNamespaceDefinition = t.DECENTRALIZED_NAMESPACE
    OwnerToKeyMapping = t.OWNER_TO_KEY
    PartyToKeyMapping = t.PARTY_TO_KEY
    SynchronizerTrustCertificate = t.TRUST_CERTIFICATE
    ParticipantSynchronizerPermission = t.PARTICIPANT_PERMISSION
    PartyHostingLimits = t.PARTY_HOSTING_LIMITS
    VettedPackages = t.VETTED_PACKAGES
    PartyToParticipant = t.PARTY_TO_PARTICIPANT
    SynchronizerParametersState = t.SYNCHRONIZER_PARAMETERS
    MediatorSynchronizerState = t.MEDIATOR_STATE
    SequencerSynchronizerState = t.SEQUENCER_STATE

    @property
    def canton_type(self) -> str:
        return f"TopologyMapping.Code.{self.name}.type"

    def __pretty__(self) -> Tree:
        return Literal(self.name)

    def __str__(self) -> str:
        return self.name


class TopologyMappingCompanion:
    """``TopologyMapping`` as the console has it in scope: ``TopologyMapping.Code.X``."""

    canton_type = "TopologyMapping.type"
    Code = MappingCode

    def __pretty__(self) -> Tree:
        return Literal("TopologyMapping")


TopologyMapping = TopologyMappingCompanion()


class TopologyChangeOp(enum.Enum):
    """Canton's ``TopologyChangeOp``: a transaction replaces its mapping or removes it."""

    Replace = t.REPLACE
    Remove = t.REMOVE

    @property
    def canton_type(self) -> str:
        return f"TopologyChangeOp.{self.name}.type"

    def __pretty__(self) -> Tree:
        return Literal(self.name)

    def __str__(self) -> str:
        return self.name


class MappingCodeArg(Arg):
    expects = "a topology mapping code, e.g. TopologyMapping.Code.NamespaceDelegation"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, MappingCode):
            return value.value
        if isinstance(value, str) and value in MappingCode.__members__:
            return MappingCode[value].value
        raise ctx.wrong_type(self.expects, value)


class MappingCodesArg(Arg):
    """``Seq[TopologyMapping.Code]``."""

    expects = "a Seq of topology mapping codes, e.g. Seq(TopologyMapping.Code.NamespaceDelegation)"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects, value)
        return [MappingCodeArg().convert(v, ctx) for v in value]


class ChangeOpArg(Arg):
    """A ``TopologyChangeOp`` (``Replace``/``Remove``, as is or in ``Some``)."""

    expects = "a TopologyChangeOp (TopologyChangeOp.Replace or TopologyChangeOp.Remove)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        from canton_console.values.scala import Option

        if isinstance(value, Option) and value.isDefined:
            value = value.get
        if isinstance(value, TopologyChangeOp):
            return value.value
        if isinstance(value, str) and value in TopologyChangeOp.__members__:
            return value
        raise ctx.wrong_type(self.expects, value)


class OptionalChangeOpArg(ChangeOpArg):
    """``Option[TopologyChangeOp]``: ``None`` for both operations."""

    def convert(self, value: Any, ctx: CallContext) -> str | None:  # type: ignore[override]
        from canton_console.values.scala import NONE

        if value is None or value is NONE:
            return None
        return super().convert(value, ctx)


class MappingView:
    """A transaction's mapping as Canton's console offers it: ``code`` and the fields of its
    console value (``namespace``, ``owners`` ...), rendered as that value."""

    def __init__(self, mapping: t.Mapping):
        self._mapping = mapping
        self._item = mapping_item(mapping)

    @property
    def code(self) -> str:
        return self._mapping.code

    @property
    def canton_type(self) -> str:
        return self._mapping.code

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._item is not None and hasattr(self._item, name):
            return getattr(self._item, name)
        return getattr(self._mapping, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MappingView) and other._mapping == self._mapping

    def __hash__(self) -> int:
        return hash(self._mapping)

    def __pretty__(self) -> Tree:
        return mapping_tree(self._mapping)


class SignedTx(SignedTopologyTransaction):
    """A signed topology transaction as the console returns it: its ``mapping`` with the fields of
    its console value; ``writeToFile`` stores it for ``transactions.load_single_from_file``."""

    @property
    def mapping(self) -> Any:
        """The mapping as the console shows it (``.code``, and its own fields: ``.namespace``, ...)."""
        return MappingView(self.signed.transaction.mapping)

    def writeToFile(self, file: str) -> None:  # noqa: N802 - Canton's name
        from canton_console.console.commands.topology_transactions import _write, encode_signed

        _write(file, encode_signed([self.signed], single=True))


class GenericSignedTx(SignedTx):
    """A signed transaction whose mapping type the command does not fix: Canton declares it
    ``SignedTopologyTransaction[TopologyChangeOp, TopologyMapping]``."""

    @property
    def canton_type(self) -> str:
        return "SignedTopologyTransaction[TopologyChangeOp, TopologyMapping]"


# ---- proposing ---------------------------------------------------------------------------------------


def propose_change(
    group: Group,
    store: str,
    mapping: t.Mapping,
    command_name: str,
    *,
    serial: int | None = None,
    must_fully_authorize: bool = False,
    signed_by: builtins.list[str] | None = None,
    synchronize: Any = BOUNDED,
    operation: str = t.REPLACE,
) -> SignedTx:
    """Propose ``mapping`` (a replacement or, with ``operation = Remove``, its removal) in ``store``,
    signed by the group's node, and wait per ``synchronize`` until the store has it (effective, or
    stored as a proposal lacking signatures): ``propose_mapping``, its result rendered as the
    transaction's mapping renders."""
    proposed = propose_mapping(
        group,
        store,
        mapping,
        command_name,
        serial=serial,
        must_fully_authorize=must_fully_authorize,
        signed_by=signed_by,
        synchronize=synchronize,
        operation=operation,
    )
    return SignedTx(proposed.signed, proposed.is_proposal)
