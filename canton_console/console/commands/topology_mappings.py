"""Topology commands that change the synchronizer's signed topology state.

``propose_mapping`` is how every console command proposes a topology mapping: the node signs the
transaction with its own key (its namespace), broadcasts it through the synchronizer (sequenced,
charged like any submission of a participant or mediator, never for a sequencer) and, unless told not
to, waits until the synchronizer has it: effective (after the topology change delay) when the
signatures meet the namespaces' thresholds, or stored as a pending proposal otherwise; a later
identical proposal from another owner adds its signature.

Groups:

* ``<node>.topology.synchronizer_parameters`` (``SynchronizerParametersGroup``): the dynamic
  synchronizer parameters — ``get_dynamic_synchronizer_parameters``, ``latest``, ``list``,
  ``propose``, ``propose_update``, ``set_ledger_time_record_time_tolerance``,
  ``set_preparation_time_record_time_tolerance``;
* ``<node>.topology.party_to_participant_mappings`` (``PartyToParticipantGroup``): ``list`` and
  ``propose`` of party hosting.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_time import TimeQuery, stored_for
from canton_console.console.framework import Arg, ArgumentError, CallContext, CommandFailure, Group, NodeGroup, Unsupported, command, describe, subgroup
from canton_console.pretty import Apply, Infix, Literal, Tree, klass, param, seq_tree, to_tree
from canton_console.values import errors as rt_errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError
from canton_console.values.ids import Fingerprint, Member, Namespace, PartyId, SynchronizerId, fingerprint_problem, short_fingerprint
from canton_console.values.keys import SigningPublicKey
from canton_console.values.parameters import DynamicSynchronizerParameters, InvalidDynamicSynchronizerParameters
from canton_console.values.refined import InvalidValue, NonNegativeFiniteDuration, PositiveNumeric
from canton_console.values.scala import NONE, Option, TypedVector, Vector
from canton_console.values.timefmt import MICROS_PER_MINUTE, MICROS_PER_SECOND, canton_duration, instant

NO_SIGNING_KEY = "Could not find an appropriate signing key to issue the topology transaction"
ALREADY_EXISTS = "A matching topology mapping authorized with the same keys already exists in this state"


# ---- force flags, permissions ----------------------------------------------------------------


class ForceFlag(enum.Enum):
    """Canton's ``ForceFlag``s that the topology commands here know."""

    AlienMember = "AlienMember"
    LedgerTimeRecordTimeToleranceIncrease = "LedgerTimeRecordTimeToleranceIncrease"
    PreparationTimeRecordTimeToleranceIncrease = "PreparationTimeRecordTimeToleranceIncrease"
    AllowUnvalidatedSigningKeys = "AllowUnvalidatedSigningKeys"
    AllowOutOfBoundsValue = "AllowOutOfBoundsValue"
    AllowUnvettedDependencies = "AllowUnvettedDependencies"
    AllowUnvetPackage = "AllowUnvetPackage"
    AllowUnvetPackageWithActiveContracts = "AllowUnvetPackageWithActiveContracts"
    AllowUnknownPackage = "AllowUnknownPackage"
    DisablePartyWithActiveContracts = "DisablePartyWithActiveContracts"
    AllowInsufficientParticipantPermissionForSignatoryParty = "AllowInsufficientParticipantPermissionForSignatoryParty"
    AllowInsufficientSignatoryAssigningParticipantsForParty = "AllowInsufficientSignatoryAssigningParticipantsForParty"

    def __pretty__(self) -> Tree:
        return Literal(self.value)


class ForceFlags:
    """A set of force flags: ``ForceFlags(ForceFlag.AllowOutOfBoundsValue)``, ``ForceFlags.none``."""

    canton_type = "ForceFlags"
    none: ClassVar[ForceFlags]  # no flag
    all: ClassVar[ForceFlags]  # every flag

    def __init__(self, *flags: ForceFlag):
        for f in flags:
            if not isinstance(f, ForceFlag):
                raise ArgumentError(f"ForceFlags: expected ForceFlag values (e.g. ForceFlag.AllowOutOfBoundsValue), got {f!r}")
        self.flags = frozenset(flags)

    def __contains__(self, flag: ForceFlag) -> bool:
        return flag in self.flags

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ForceFlags) and self.flags == other.flags

    def __hash__(self) -> int:
        return hash(self.flags)

    def __pretty__(self) -> Tree:
        return Apply("ForceFlags", tuple(Literal(f.value) for f in sorted(self.flags, key=lambda f: f.value)))

    def __repr__(self) -> str:
        return "ForceFlags(" + ", ".join(sorted(f.value for f in self.flags)) + ")"


ForceFlags.none = ForceFlags()
ForceFlags.all = ForceFlags(*ForceFlag)


class ParticipantPermission(enum.Enum):
    """How a participant hosts a party: it may submit, only confirm, or only observe."""

    Submission = "Submission"
    Confirmation = "Confirmation"
    Observation = "Observation"

    def __pretty__(self) -> Tree:
        return Literal(self.value)

    def __str__(self) -> str:
        return self.value

    @property
    def canton_type(self) -> str:
        return f"ParticipantPermission.{self.value}.type"

    @property
    def showType(self) -> str:  # noqa: N802 - Canton's name
        """The name Canton's ``showType`` gives the case object (``Confirmation$``)."""
        return self.value + "$"

    @property
    def rank(self) -> int:
        """Submission > Confirmation > Observation, as Canton orders permissions."""
        return {"Observation": 1, "Confirmation": 2, "Submission": 3}[self.value]

    @property
    def canConfirm(self) -> bool:  # noqa: N802 - Canton's name
        return self.rank >= 2


class TopologyChangeOp(enum.Enum):
    """Canton's ``TopologyChangeOp``: a transaction replaces its mapping or removes it."""

    Replace = t.REPLACE
    Remove = t.REMOVE

    def __pretty__(self) -> Tree:
        return Literal(self.value)

    def __str__(self) -> str:
        return self.value

    @property
    def canton_type(self) -> str:
        return f"TopologyChangeOp.{self.value}.type"


class OperationArg(Arg):
    """A ``TopologyChangeOp`` (``TopologyChangeOp.Replace`` or ``TopologyChangeOp.Remove``)."""

    expects = "a TopologyChangeOp (TopologyChangeOp.Replace or TopologyChangeOp.Remove)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, Option) and value.isDefined:
            value = value.get
        if isinstance(value, TopologyChangeOp):
            return value.value
        if isinstance(value, str) and value in (t.REPLACE, t.REMOVE):
            return value
        raise ctx.wrong_type(self.expects, value)


class ListOperationArg(OperationArg):
    """``operation`` of a list command: ``Some(op)`` (or ``op``) keeps that operation, ``None`` both."""

    expects = "Some(TopologyChangeOp.Replace), Some(TopologyChangeOp.Remove) or None"

    def convert(self, value: Any, ctx: CallContext) -> str | None:  # type: ignore[override]
        if value is None or value is NONE:
            return None
        return super().convert(value, ctx)


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


class SignedByArg(Arg):
    """``signedBy``: key fingerprints (a Seq, one, or ``Some``/``None``)."""

    expects = "key fingerprints (e.g. Seq(participant1.fingerprint))"

    def __init__(self) -> None:
        self.one = KeyFingerprintArg()

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        if value is None or value is NONE:
            return []
        if isinstance(value, Option):
            value = value.get
        if isinstance(value, (list, tuple, set, frozenset)):
            return list(dict.fromkeys(self.one.convert(v, ctx) for v in value))
        return [self.one.convert(value, ctx)]


class CantonIllegalState(InvalidValue):
    """Canton's console throwing ``IllegalStateException``."""

    java_exception = "java.lang.IllegalStateException"


class ForceArg(Arg):
    expects = "ForceFlags(...), a ForceFlag, or true/false"

    def convert(self, value: Any, ctx: CallContext) -> ForceFlags:
        if value is None or value is NONE:
            return ForceFlags.none
        if isinstance(value, ForceFlags):
            return value
        if isinstance(value, ForceFlag):
            return ForceFlags(value)
        if isinstance(value, bool):
            return ForceFlags.all if value else ForceFlags.none
        if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(f, ForceFlag) for f in value):
            return ForceFlags(*value)
        raise ctx.wrong_type(self.expects, value)


class PermissionArg(Arg):
    expects = "a ParticipantPermission (Submission, Confirmation or Observation)"

    def convert(self, value: Any, ctx: CallContext) -> ParticipantPermission:
        if isinstance(value, ParticipantPermission):
            return value
        if isinstance(value, str) and value in ParticipantPermission.__members__:
            return ParticipantPermission[value]
        raise ctx.wrong_type(self.expects, value)


class StoreArg(a.SynchronizerIdArg):
    """A topology store: ``TopologyStoreId.Authorized`` (the node's authorized store) or the store of
    a synchronizer (its id, ``Some(id)``, ``TopologyStoreId.Synchronizer(id)``)."""

    expects = "a topology store: TopologyStoreId.Authorized or a synchronizer id, e.g. sequencer1.synchronizer_id"

    def convert(self, value: Any, ctx: CallContext):
        if isinstance(value, Option) and value.isDefined:
            value = value.get
        store_id = getattr(value, "store_id", None)
        if isinstance(store_id, str):
            return store_id  # a temporary store
        if isinstance(value, str) and value.startswith(t.TEMPORARY_PREFIX):
            return value  # a temporary store's id, as a command passes it on
        name = value if isinstance(value, str) else getattr(value, "name", None)
        if name in (t.AUTHORIZED_STORE, "TopologyStoreId.Authorized"):
            return t.AUTHORIZED_STORE
        inner = getattr(value, "synchronizer_id", None) if not isinstance(value, (str, SynchronizerId, Option)) else None
        return super().convert(inner if inner is not None else value, ctx)


class SynchronizerStoreArg(StoreArg):
    """A synchronizer's topology store where Canton takes a synchronizer id, not any store."""

    expects = "a synchronizer id, e.g. sequencer1.synchronizer_id"

    def convert(self, value: Any, ctx: CallContext):
        store = super().convert(value, ctx)
        if store == t.AUTHORIZED_STORE:
            raise ctx.wrong_type(self.expects, value)
        return store


class _Bounded:
    """The default of ``synchronize``: wait up to the console's bounded timeout."""

    def __repr__(self) -> str:
        return "Some(console.bounded)"


BOUNDED = _Bounded()


class SynchronizeArg(Arg):
    """``synchronize``: how long to wait for the change; ``None`` does not wait."""

    expects = "a duration to wait (e.g. Some(30.seconds)) or None not to wait"

    def __init__(self):
        self.duration = a.Duration()

    def convert(self, value: Any, ctx: CallContext):
        if value is BOUNDED:
            return BOUNDED
        if value is None or value is NONE:
            return None
        if isinstance(value, Option):
            value = value.get
        return self.duration.convert(value, ctx)


def _synchronize_timeout(group: Group, synchronize: Any) -> int | None:
    """``synchronize``: BOUNDED (the default) waits the console's bounded timeout, None does not wait,
    a number of microseconds waits that long."""
    from canton_console.console.references import bounded_timeout

    if synchronize is BOUNDED:
        return bounded_timeout(group._env)
    if synchronize is None or synchronize is NONE:
        return None
    return synchronize


# ---- results ---------------------------------------------------------------------------------


def _instant_tree(micros: int | None) -> Tree:
    if micros is None:
        return Literal("None")
    return Literal(instant(micros))


@attrs.frozen
class BaseResult:
    """Where and when a topology transaction is (Canton's ``BaseResult``, a plain case class)."""

    storeId: str
    validFrom: int
    validUntil: int | None
    sequenced: int
    operation: str
    transactionHash: str
    serial: int
    signedBy: Vector = attrs.field(converter=lambda fps: Vector(*fps))

    canton_type = "BaseResult"

    def __pretty__(self) -> Tree:
        return klass(
            "BaseResult",
            param(
                "storeId",
                Literal(self.storeId)
                if self.storeId == t.AUTHORIZED_STORE
                else klass("Temporary", param("name", Literal(self.storeId[len(t.TEMPORARY_PREFIX) :])))
                if self.storeId.startswith(t.TEMPORARY_PREFIX)
                else Apply("Synchronizer", (SynchronizerId.parse(self.storeId).__pretty__(),)),
            ),
            param("validFrom", _instant_tree(self.validFrom)),
            param(
                "validUntil",
                Literal("None") if self.validUntil is None else Apply("Some", (Infix(Literal("value"), "=", _instant_tree(self.validUntil)),)),
            ),
            param("sequenced", _instant_tree(self.sequenced)),
            param("operation", Literal(self.operation)),
            param("transactionHash", Apply("TxHash", (Infix(Literal("hash"), "=", Literal("SHA-256:" + self.transactionHash[:12] + "...")),))),
            param("serial", PositiveNumeric(self.serial)),
            param("signedBy", Apply("Vector", tuple(Literal(short_fingerprint(f)) for f in self.signedBy))),
        )

    @classmethod
    def of(cls, synchronizer_id: str, stored: t.StoredTransaction) -> "BaseResult":
        tx = stored.signed.transaction
        return cls(
            synchronizer_id,
            stored.valid_from,
            stored.valid_until,
            stored.sequenced,
            tx.operation,
            tx.hash,
            tx.serial,
            tuple(sorted(stored.signed.signatures)),
        )


@attrs.frozen
class TopologyResult:
    """A topology store's entry as a list command returns it (Canton's ``TopologyResult[M]``): where
    and when (``context``) and the mapping (``item``). Each mapping's result names its Canton class."""

    context: BaseResult
    item: Any

    canton_type: ClassVar[str] = "TopologyResult"

    def __pretty__(self) -> Tree:
        return klass(self.canton_type, param("context", self.context), param("item", self.item))


class InternalDynamicSynchronizerParameters:
    """The synchronizer's own (internal) parameter record, as ``list(...)`` returns it in ``item``.

    It renders like the console record except that the ACS commitment catch-up parameters keep
    their camelCase labels; fields read through to the console record."""

    canton_type = "DynamicSynchronizerParameters"

    def __init__(self, params: DynamicSynchronizerParameters):
        self.params = params

    def __getattr__(self, name: str) -> Any:
        return getattr(self.params, name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, InternalDynamicSynchronizerParameters):
            return self.params == other.params
        if isinstance(other, DynamicSynchronizerParameters):
            return self.params == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.params)

    @property
    def toConsole(self) -> DynamicSynchronizerParameters:
        return self.params

    def __pretty__(self) -> Tree:
        tree = self.params.__pretty__()
        acs = self.params.acsCommitmentsCatchUp
        children: list[Tree] = []
        for child in tree.children:
            if isinstance(child, Infix) and child.lhs == Literal("ACS commitment catchup") and acs is not None:
                child = param(
                    "ACS commitment catchup",
                    klass(
                        "AcsCommitmentsCatchUpParameters",
                        param("catchUpIntervalSkip", acs.catchUpIntervalSkip),
                        param("nrIntervalsToTriggerCatchUp", acs.nrIntervalsToTriggerCatchUp),
                    ),
                )
            children.append(child)
        return Apply(tree.prefix, tuple(children))


class ListSynchronizerParametersStateResult(TopologyResult):
    canton_type = "ListSynchronizerParametersStateResult"


@attrs.frozen
class HostingParticipant:
    participantId: Member
    permission: ParticipantPermission

    def __pretty__(self) -> Tree:
        return klass("HostingParticipant", param("participantId", self.participantId), param("permission", self.permission))


@attrs.frozen
class PartyToParticipant:
    """The ``PartyToParticipant`` mapping: a party, its threshold and hosting participants."""

    partyId: PartyId
    threshold: int
    participants: tuple[HostingParticipant, ...]

    canton_type = "PartyToParticipant"

    def __pretty__(self) -> Tree:
        return klass(
            "PartyToParticipant",
            param("partyId", self.partyId),
            param("threshold", self.threshold),
            param("participants", seq_tree(list(self.participants))),
        )

    @classmethod
    def of(cls, mapping: t.Mapping) -> "PartyToParticipant":
        data = mapping.data
        return cls(
            PartyId.parse(data["party"]),
            data["threshold"],
            tuple(HostingParticipant(Member.parse(p), ParticipantPermission(perm)) for p, perm in data["participants"]),
        )


class ListPartyToParticipantResult(TopologyResult):
    canton_type = "ListPartyToParticipantResult"


# The console value (with Canton's rendering) of each mapping code whose value lives in the module of
# its command group: each such module registers its value with ``register_item``.
_ITEMS: dict[str, Callable[[t.Mapping], Any]] = {}


def register_item(code: str, item_of: Callable[[t.Mapping], Any]) -> None:
    """The console value (with Canton's rendering) of mappings of ``code``."""
    _ITEMS[code] = item_of


def mapping_item(mapping: t.Mapping) -> Any:
    """A mapping's registered console value, or None."""
    item_of = _ITEMS.get(mapping.code)
    return item_of(mapping) if item_of is not None else None


def mapping_tree(mapping: t.Mapping) -> Tree:
    """How a mapping renders inside a signed transaction."""
    code, data = mapping.code, mapping.data
    if code == t.SYNCHRONIZER_PARAMETERS:
        return klass(
            "SynchronizerParametersState",
            param("synchronizerId", SynchronizerId.parse(data["synchronizer_id"])),
            param("parameters", InternalDynamicSynchronizerParameters(DynamicSynchronizerParameters.from_dict(data["parameters"]))),
        )
    if code == t.PARTY_TO_PARTICIPANT:
        return to_tree(PartyToParticipant.of(mapping))
    if code == t.SEQUENCER_STATE:
        return klass(
            "SequencerSynchronizerState",
            param("synchronizerId", SynchronizerId.parse(data["synchronizer_id"])),
            param("threshold", data["threshold"]),
            param("active", seq_tree([Member.parse(m) for m in data["active"]])),
            param("observers", seq_tree([Member.parse(m) for m in data["observers"]])) if data["observers"] else None,
        )
    item = mapping_item(mapping)
    if item is not None:
        return to_tree(item)
    return Apply(code, tuple(param(k, v) for k, v in data.items()))


@attrs.frozen
class SignedTopologyTransaction:
    """What a ``propose`` returns: the transaction this node signed (its signature only; the
    synchronizer merges it with other owners' signatures of the same transaction)."""

    signed: t.SignedTopologyTransaction
    is_proposal: bool

    @property
    def canton_type(self) -> str:
        return f"SignedTopologyTransaction[TopologyChangeOp, {self.signed.transaction.mapping.code}]"

    @property
    def transaction(self) -> t.TopologyTransaction:
        return self.signed.transaction

    @property
    def mapping(self) -> t.Mapping:
        return self.signed.transaction.mapping

    @property
    def serial(self) -> PositiveNumeric:
        return PositiveNumeric(self.signed.transaction.serial)

    @property
    def hash(self) -> str:
        return self.signed.transaction.hash

    @property
    def isProposal(self) -> bool:
        return self.is_proposal

    def __pretty__(self) -> Tree:
        tx = self.signed.transaction
        return klass(
            "SignedTopologyTransaction",
            klass("TopologyTransaction", mapping_tree(tx.mapping), param("serial", tx.serial), param("operation", Literal(tx.operation))),
            param("signatures", seq_tree([Literal(short_fingerprint(f)) for f in sorted(self.signed.signatures)])),
            param("proposal", True) if self.is_proposal else None,
        )


# ---- proposing -------------------------------------------------------------------------------


def propose_mapping(
    group: Group,
    synchronizer_id: str,
    mapping: t.Mapping,
    command_name: str,
    *,
    serial: int | None = None,
    must_fully_authorize: bool = False,
    signed_by: str | builtins.list[str] | None = None,
    synchronize: Any = BOUNDED,
    operation: str = t.REPLACE,
) -> SignedTopologyTransaction:
    """Propose ``mapping`` in a topology store (``synchronizer_id``: a synchronizer id or the
    authorized store), signed by the group's node.

    Fails with Canton's topology manager errors (serial mismatch, mapping already exists, no
    appropriate signing key, missing authorizations with ``must_fully_authorize``, store not known).
    ``synchronize``: BOUNDED waits up to the console's bounded timeout, None returns at once, a number
    of microseconds waits that long; the wait ends when the transaction is effective or, lacking
    other owners' signatures, stored as a proposal."""
    from canton_console.console.references import wait_until

    topology = group._admin.topology
    proposed = topology.propose(synchronizer_id, mapping, serial, must_fully_authorize, signed_by, operation)
    signed, proposal = proposed.signed, proposed.is_proposal
    timeout = _synchronize_timeout(group, synchronize)
    tx = signed.transaction
    if timeout is not None:
        outcome: dict[str, str | None] = {}

        def done() -> bool:
            outcome["state"] = topology.sequenced_state(synchronizer_id, tx)
            return outcome["state"] is not None

        wait_until(group._env, done, timeout, f"the {mapping.code} transaction with serial {tx.serial} is sequenced", command_name)
        proposal = outcome.get("state") == "proposal"
    return SignedTopologyTransaction(signed, proposal)


def read_results(
    group: NodeGroup,
    stores: builtins.list[str],
    code: str,
    proposals: bool,
    operation: str | None,
    filter_signing_key: str,
    result: Callable[[BaseResult, Any], Any],
    item_of: Callable[[t.Mapping], Any],
    keep: Callable[[Any], bool] = lambda item: True,
    time_query: TimeQuery | None = None,
) -> Vector:
    """A list command's results over ``stores``: the head ``code`` transactions (or what
    ``time_query`` selects) with the given ``operation`` (None: replacements and removals), or the
    pending proposals; signed by a key starting with ``filter_signing_key``; kept by ``keep`` (the
    command's own filters on the item)."""
    topology = group._admin.topology
    for store in stores:
        topology.require_store(store)
    out = []
    for store in stores:
        for stored in stored_for(topology, store, code, proposals, operation != t.REPLACE, time_query):
            if operation is not None and stored.operation != operation:
                continue
            if filter_signing_key and not any(f.startswith(filter_signing_key) for f in stored.signed.signatures):
                continue
            item = item_of(stored.mapping)
            if keep(item):
                out.append(result(BaseResult.of(store, stored), item))
    return TypedVector(getattr(result, "canton_type", "TopologyResult"), *out)


# ---- synchronizer parameters -----------------------------------------------------------------


class ParametersArg(Arg):
    expects = "a DynamicSynchronizerParameters (e.g. the result of get_dynamic_synchronizer_parameters, updated)"

    def convert(self, value: Any, ctx: CallContext) -> DynamicSynchronizerParameters:
        if isinstance(value, InternalDynamicSynchronizerParameters):
            return value.params
        if isinstance(value, DynamicSynchronizerParameters):
            return value
        raise ctx.wrong_type(self.expects, value)


class FingerprintArg(Arg):
    expects = "a key fingerprint (1220...)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        value = getattr(value, "fingerprint", value)
        if isinstance(value, str) and value.startswith("1220"):
            return value
        raise ctx.wrong_type(self.expects, value)


@subgroup(TopologyGroup, "synchronizer_parameters")
class SynchronizerParametersGroup(NodeGroup):
    """Inspect and manage the dynamic synchronizer parameters"""

    scala_name = "TopologyAdministrationGroup$synchronizer_parameters$"

    # ---- reading -------------------------------------------------------------------------
    def _stores(self, store: str | None) -> list[str]:
        topology = self._admin.topology
        if store is not None:
            topology.require_store(store)
            return [store]
        return topology.stores()

    def _list(self, store: str | None, proposals: bool, filter_synchronizer: str, filter_signing_key: str) -> Vector:
        results: list[ListSynchronizerParametersStateResult] = []
        for sync_id in self._stores(store):
            if filter_synchronizer and filter_synchronizer not in sync_id:
                continue
            for stored in self._admin.topology.list(sync_id, t.SYNCHRONIZER_PARAMETERS, proposals):
                if stored.mapping.key != sync_id:
                    continue
                if filter_signing_key and not any(filter_signing_key in f for f in stored.signed.signatures):
                    continue
                params = DynamicSynchronizerParameters.from_dict(stored.mapping.data["parameters"])
                results.append(ListSynchronizerParametersStateResult(BaseResult.of(sync_id, stored), InternalDynamicSynchronizerParameters(params)))
        return Vector(*results)

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))] = None,
        operation: Annotated[Any, Unsupported("only current (Replace) mappings are listed", accept=("Replace", "Some(Replace)"))] = None,
        filter_synchronizer: Annotated[str, a.Text("a synchronizer id filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
    ) -> Vector:
        """List dynamic synchronizer parameters

        The synchronizer parameters state of the node's synchronizer stores (or of ``store``): the
        current one, or with proposals = true the pending proposals that still lack the synchronizer
        owners' threshold of signatures."""
        return self._list(store, proposals, filter_synchronizer, filter_signing_key)

    @command
    def latest(
        self,
        store: Annotated[str, StoreArg()],
        filter_synchronizer: Annotated[str, a.Text("a synchronizer id filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
    ) -> DynamicSynchronizerParameters:
        """Get the latest dynamic synchronizer parameters"""
        found = self._list(store, False, filter_synchronizer, filter_signing_key)
        if not found:
            raise CommandFailure("No latest dynamic synchronizer parameters found.")
        return found[0].item.params

    @command
    def get_dynamic_synchronizer_parameters(self, synchronizer_id: Annotated[str, a.SynchronizerIdArg()]) -> DynamicSynchronizerParameters:
        """Get the configured dynamic synchronizer parameters"""
        found = self._list(synchronizer_id, False, "", "")
        if len(found) != 1:
            raise CommandFailure(f"Expected exactly one set of dynamic synchronizer parameters for {synchronizer_id}, found {len(found)}")
        return found[0].item.params

    def _current(self, synchronizer_id: str) -> tuple[DynamicSynchronizerParameters, int]:
        return self._admin.topology.synchronizer_parameters(synchronizer_id)

    # ---- changing ------------------------------------------------------------------------
    def _check(self, old: DynamicSynchronizerParameters, new: DynamicSynchronizerParameters, force: ForceFlags) -> None:
        """The topology manager's checks on a parameter change (skipped with the force flags)."""
        if ForceFlag.AllowOutOfBoundsValue not in force:
            # only values that change are checked: a value forced out of bounds earlier stays
            low, high = 1 * MICROS_PER_SECOND, 5 * MICROS_PER_MINUTE
            for label, field in (
                ("confirmation response timeout", "confirmationResponseTimeout"),
                ("mediator reaction timeout", "mediatorReactionTimeout"),
            ):
                value = getattr(new, field)
                if value != getattr(old, field) and not low <= value <= high:
                    raise CantonError(
                        rt_errors.TOPOLOGY_VALUE_OUT_OF_BOUNDS,
                        f"Parameter `{label}` needs to be between {canton_duration(low)} and {canton_duration(high)}; "
                        f"found: {canton_duration(value)}",
                    )
        if (
            new.preparationTimeRecordTimeTolerance > old.preparationTimeRecordTimeTolerance
            and ForceFlag.PreparationTimeRecordTimeToleranceIncrease not in force
        ):
            raise CantonError(
                rt_errors.TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE,
                "The parameter preparationTimeRecordTimeTolerance can currently not be increased to "
                f"{canton_duration(new.preparationTimeRecordTimeTolerance)}.",
            )

    def _propose(
        self,
        synchronizer_id: str,
        parameters: DynamicSynchronizerParameters,
        command_name: str,
        must_fully_authorize: bool,
        signed_by: str | None,
        serial: int | None,
        synchronize: Any,
        force: ForceFlags,
    ) -> SignedTopologyTransaction:
        old, _serial = self._current(synchronizer_id)
        self._check(old, parameters, force)
        mapping = t.synchronizer_parameters(synchronizer_id, parameters.to_dict())
        return propose_mapping(
            self,
            synchronizer_id,
            mapping,
            command_name,
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        parameters: Annotated[DynamicSynchronizerParameters, ParametersArg()],
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[str | None, a.Optional(FingerprintArg())] = None,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        force: Annotated[ForceFlags | None, ForceArg()] = None,
    ) -> SignedTopologyTransaction:
        """Propose changes to dynamic synchronizer parameters

        A SynchronizerParametersState topology transaction with the next serial (or ``serial``),
        signed by this node. On a synchronizer with several owners it takes effect once the owners'
        threshold proposed the same parameters, after the topology change delay."""
        if store is not None and store != synchronizer_id:
            raise CantonError(rt_errors.TOPOLOGY_INVALID_SYNCHRONIZER, f"Invalid synchronizer {synchronizer_id}")
        return self._propose(
            synchronizer_id, parameters, f"{self.scala_name}.propose", must_fully_authorize, signed_by, serial, synchronize, force or ForceFlags.none
        )

    def _update(
        self,
        synchronizer_id: str,
        update: Callable[[DynamicSynchronizerParameters], Any],
        command_name: str,
        must_fully_authorize: bool = False,
        signed_by: str | None = None,
        synchronize: Any = BOUNDED,
        force: ForceFlags | None = None,
    ) -> None:
        old, serial = self._current(synchronizer_id)
        try:
            new = update(old)
        except InvalidDynamicSynchronizerParameters as e:
            # thrown by the record's constructor in the console itself, not by the node
            raise CommandFailure(e.render()) from None
        except InvalidValue as e:
            raise CommandFailure(e.render()) from None
        if isinstance(new, InternalDynamicSynchronizerParameters):
            new = new.params
        if not isinstance(new, DynamicSynchronizerParameters):
            raise ArgumentError(
                f"{self._path}.{command_name.rsplit('.', 1)[-1]}: the update function must return a DynamicSynchronizerParameters "
                f"(e.g. lambda p: p.update(...)), it returned {describe(new)}"
            )
        if new == old:
            return None
        self._propose(synchronizer_id, new, command_name, must_fully_authorize, signed_by, serial + 1, synchronize, force or ForceFlags.none)
        return None

    @command
    def propose_update(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        update: Annotated[Callable[..., Any], a.Function("a function from the current parameters to the new ones, e.g. lambda p: p.update(...)")],
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[str | None, a.Optional(FingerprintArg())] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        force: Annotated[ForceFlags | None, ForceArg()] = None,
    ) -> None:
        """Propose an update to dynamic synchronizer parameters

        Reads the current parameters, applies ``update`` (in Scala: ``_.update(trafficControl =
        Some(...))``) and proposes the result with the next serial; does nothing when the update
        changes nothing."""
        self._update(synchronizer_id, update, f"{self.scala_name}.propose_update", must_fully_authorize, signed_by, synchronize, force)

    @command
    def set_ledger_time_record_time_tolerance(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        new_ledger_time_record_time_tolerance: Annotated[int, a.Duration()],
    ) -> None:
        """Update the ledger time record time tolerance in the dynamic synchronizer parameters"""
        value = NonNegativeFiniteDuration(new_ledger_time_record_time_tolerance)
        self._update(
            synchronizer_id,
            lambda p: p.update(ledgerTimeRecordTimeTolerance=value),
            f"{self.scala_name}.set_ledger_time_record_time_tolerance",
        )

    @command
    def set_preparation_time_record_time_tolerance(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        new_preparation_time_record_time_tolerance: Annotated[int, a.Duration()],
        force: Annotated[bool, a.Bool()] = False,
    ) -> None:
        """Update the preparation time record time tolerance in the dynamic synchronizer parameters

        Without force an increase is made securely: it fails if the mediator deduplication timeout
        is less than twice the new value, and otherwise waits until no request accepted under an
        earlier, incompatible tolerance can still be deduplicated. With force the change is made at
        once."""
        new = new_preparation_time_record_time_tolerance
        name = f"{self.scala_name}.set_preparation_time_record_time_tolerance"
        value = NonNegativeFiniteDuration(new)
        if force:
            self._update(
                synchronizer_id,
                lambda p: p.update(preparationTimeRecordTimeTolerance=value),
                name,
                force=ForceFlags(ForceFlag.PreparationTimeRecordTimeToleranceIncrease),
            )
            return None
        old, _serial = self._current(synchronizer_id)
        if old.mediatorDeduplicationTimeout < 2 * new:
            raise CantonError(
                rt_errors.TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE,
                f"Unable to increase preparationTimeRecordTimeTolerance to {canton_duration(new)}, because it must not be "
                f"more than half of mediatorDeduplicationTimeout ({canton_duration(old.mediatorDeduplicationTimeout)}).",
            )
        if new <= old.preparationTimeRecordTimeTolerance:
            self._update(synchronizer_id, lambda p: p.update(preparationTimeRecordTimeTolerance=value), name)
            return None
        safe_from = self._secure_change_point(synchronizer_id, new)
        env = self._env
        if env.now() < safe_from:
            from canton_console.console.references import bounded_timeout, wait_until

            if env.clock_is_simulated() or safe_from - env.now() > bounded_timeout(env):
                raise CantonError(
                    rt_errors.TOPOLOGY_INCREASE_OF_PREPARATION_TIME_TOLERANCE,
                    f"The parameter preparationTimeRecordTimeTolerance can currently not be increased to {canton_duration(new)}.",
                )
            wait_until(env, lambda: env.now() >= safe_from, bounded_timeout(env), "the increase is secure", name)
        self._update(
            synchronizer_id,
            lambda p: p.update(preparationTimeRecordTimeTolerance=value),
            name,
            force=ForceFlags(ForceFlag.PreparationTimeRecordTimeToleranceIncrease),
        )
        return None

    def _secure_change_point(self, synchronizer_id: str, new: int) -> int:
        """When raising the preparation tolerance to ``new`` becomes secure: a mediator deduplication
        timeout after the last parameter state under which ``old + new`` exceeded the deduplication
        timeout stopped being valid."""
        topology = self._admin.topology
        current, _serial = topology.synchronizer_parameters(synchronizer_id)
        now = topology.now()
        last_incompatible = None
        for stored in topology.history(synchronizer_id, t.SYNCHRONIZER_PARAMETERS):
            if stored.is_proposal or stored.mapping.key != synchronizer_id:
                continue
            p = DynamicSynchronizerParameters.from_dict(stored.mapping.data["parameters"])
            if not p.compatibleWithNewPreparationTimeRecordTimeTolerance(new):
                until = stored.valid_until if stored.valid_until is not None else now
                last_incompatible = until if last_incompatible is None else max(last_incompatible, until)
        if last_incompatible is None:
            return 0
        return last_incompatible + current.mediatorDeduplicationTimeout


# ---- party to participant ----------------------------------------------------------------------


@attrs.frozen
class ListMultiHostingProposal:
    """A pending hosting proposal as one hosting participant sees it (Canton's
    ``ListMultiHostingProposal``): the transaction hash to authorize, the party, this participant's
    permission, the other participants with theirs, and the threshold."""

    txHash: str
    party: PartyId
    permission: ParticipantPermission
    otherParticipants: tuple[HostingParticipant, ...]
    threshold: PositiveNumeric

    canton_type = "com.digitalasset.canton.admin.api.client.data.topology.ListMultiHostingProposal"

    def __pretty__(self) -> Tree:
        others = [Infix(to_tree(h.participantId), "->", Literal(h.permission.showType)) for h in self.otherParticipants]
        return klass(
            "ListMultiHostingProposal",
            param("txHash", Literal("SHA-256:" + self.txHash[:12] + "...")),
            param("party", self.party),
            param("permission", Literal(self.permission.showType)),
            param("others", others[0] if len(others) == 1 else Apply("Map", tuple(others))),
            param("threshold", int(self.threshold.value)),
        )


def _hosting_text(participants: builtins.list[tuple[str, str]]) -> str:
    """Canton's ``Seq[HostingParticipant]`` as its error messages print it."""
    return "List(" + ", ".join(f"HostingParticipant({Member.parse(p)},{perm})" for p, perm in participants) + ")"


def check_party_to_participant(party: str, threshold: int, participants: builtins.list[tuple[str, str]]) -> None:
    """Canton's ``PartyToParticipant.create`` checks: one permission per participant, and a threshold
    the confirming participants can meet (unless every participant only observes)."""
    seen: dict[str, builtins.list[tuple[str, str]]] = {}
    for p, perm in participants:
        seen.setdefault(p, []).append((p, perm))
    duplicates = [v for v in seen.values() if len(v) > 1]
    if duplicates:
        raise InvalidValue("Participants may only be assigned one permission: List(" + ", ".join(_hosting_text(d) for d in duplicates) + ")")
    confirming = sum(1 for _p, perm in participants if ParticipantPermission(perm).canConfirm)
    if confirming and threshold > confirming:
        raise InvalidValue(
            f"Party {PartyId.parse(party)} cannot meet threshold of {threshold} confirming participants with participants {_hosting_text(participants)}"
        )


class HostingArg(Arg):
    """``Seq((participant1, ParticipantPermission.Submission), ...)``: (participant id, permission) pairs."""

    expects = "a Seq of (participant, ParticipantPermission) pairs, e.g. Seq((participant1, ParticipantPermission.Submission))"

    def __init__(self) -> None:
        self.member = a.MemberArg(("participant",))
        self.permission = PermissionArg()

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[tuple[str, str]]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (builtins.list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        result: builtins.list[tuple[str, str]] = []
        for item in value:
            if not isinstance(item, tuple) or len(item) != 2:
                raise ctx.wrong_type(self.expects, item)
            result.append((self.member.convert(item[0], ctx), self.permission.convert(item[1], ctx).value))
        return result


def uid_filter(uid: str, filter_text: str) -> bool:
    from canton_console.console.commands.topology_reads import uid_matches

    return uid_matches(uid, filter_text)


PTP_FORCE = "the party hosting checks these flags override (active contracts, signatory permissions) are not made by canton-console"


@subgroup(TopologyGroup, "party_to_participant_mappings")
class PartyToParticipantGroup(NodeGroup):
    """Manage party to participant mappings"""

    scala_name = "TopologyAdministrationGroup$party_to_participant_mappings$"

    # ---- reading -------------------------------------------------------------------------
    def _list(
        self, stores: builtins.list[str], proposals: bool, operation: str | None, filter_party: str, filter_participant: str, filter_signing_key: str
    ) -> Vector:
        def keep(item: PartyToParticipant) -> bool:
            party = str(item.partyId)
            if filter_party and not (party.startswith(filter_party) and uid_filter(party, filter_party)):
                return False
            return not filter_participant or any(filter_participant in str(h.participantId) for h in item.participants)

        return read_results(
            self, stores, t.PARTY_TO_PARTICIPANT, proposals, operation, filter_signing_key, ListPartyToParticipantResult, PartyToParticipant.of, keep
        )

    @command
    def list(
        self,
        synchronizer_id: Annotated[str, SynchronizerStoreArg()],
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))] = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: Annotated[Any, Unsupported("results are in the synchronizer's protocol version")] = None,
    ) -> Vector:
        """List party to participant mapping transactions from synchronizer store

        List the party to participant mapping transactions present in the stores. Party to participant mappings
        are topology transactions used to allocate a party to certain participants. The same party can be allocated
        on several participants with different privileges.

        synchronizerId: Synchronizer to be considered
        proposals: Whether to query proposals instead of authorized transactions.
        operation: Optionally, what type of operation the transaction should have.
        filterParty: Filter for parties starting with the given filter string.
        filterParticipant: If non-empty, returns only parties that are hosted on this participant.
        filterSigningKey: Filter for transactions that are authorized with a key that starts with the given filter string."""
        return self._list([synchronizer_id], proposals, operation, filter_party, filter_participant, filter_signing_key)

    @command
    def list_from_authorized(
        self,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))] = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: Annotated[Any, Unsupported("results are in the synchronizer's protocol version")] = None,
    ) -> Vector:
        """List party to participant mapping transactions from the authorized store

        The party to participant mappings of the node's authorized store (see ``list`` for the filters)."""
        return self._list([t.AUTHORIZED_STORE], proposals, operation, filter_party, filter_participant, filter_signing_key)

    @command
    def list_from_all(
        self,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))] = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: Annotated[Any, Unsupported("results are in the synchronizer's protocol version")] = None,
    ) -> Vector:
        """List party to participant mapping transactions from all stores

        The party to participant mappings of every store of the node: its authorized store and each
        synchronizer store (see ``list`` for the filters)."""
        return self._list(self._admin.topology.stores(), proposals, operation, filter_party, filter_participant, filter_signing_key)

    @command
    def list_hosting_proposals(
        self,
        synchronizer_id: Annotated[str, SynchronizerStoreArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
    ) -> Vector:
        """List multi-hosted party proposals

        Multi-hosted parties require all involved actors to sign the topology transaction. Topology
        transactions without sufficient signatures are called proposals. They are distributed the same
        way as fully authorized topology transactions, and signatures are aggregated until the
        transaction is fully authorized. This lists the pending hosting proposals that name
        ``participantId``, as seen on the synchronizer."""
        out = []
        for r in self._list([synchronizer_id], True, t.REPLACE, "", participant_id, ""):
            mine = [h for h in r.item.participants if str(h.participantId) == participant_id]
            if mine:
                others = tuple(h for h in r.item.participants if str(h.participantId) != participant_id)
                out.append(ListMultiHostingProposal(r.context.transactionHash, r.item.partyId, mine[0].permission, others, PositiveNumeric(r.item.threshold)))
        return Vector(*out)

    @command
    def is_known(
        self,
        synchronizer_id: Annotated[str, SynchronizerStoreArg()],
        party: Annotated[str, a.PartyArg()],
        hosting_participants: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("participant",)))],
        permission: Annotated[ParticipantPermission | None, a.Optional(PermissionArg())] = None,
        threshold: Annotated[int | None, a.Optional(a.POSITIVE_INT)] = None,
    ) -> bool:
        """Check whether the node knows the party hosted on the participants

        True when the synchronizer's current mapping of ``party`` hosts it on every one of
        ``hostingParticipants``, with ``permission`` and ``threshold`` when they are given."""
        found: dict[str, tuple[int, ParticipantPermission]] = {}
        for r in self._list([synchronizer_id], False, t.REPLACE, party, "", ""):
            for h in r.item.participants:
                found[str(h.participantId)] = (r.item.threshold, h.permission)
        for participant in hosting_participants:
            entry = found.get(participant)
            if entry is None or (threshold is not None and entry[0] != threshold) or (permission is not None and entry[1] != permission):
                return False
        return True

    @command
    def are_known(
        self,
        synchronizer_id: Annotated[str, SynchronizerStoreArg()],
        parties: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())],
        hosting_participants: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("participant",)))],
    ) -> bool:
        """Check whether the node knows the parties hosted on the participants

        True when every one of ``parties`` is hosted on every one of ``hostingParticipants`` on the
        synchronizer."""
        hosts = {str(r.item.partyId): {str(h.participantId) for h in r.item.participants} for r in self._list([synchronizer_id], False, t.REPLACE, "", "", "")}
        return all(set(hosting_participants) <= hosts.get(party, set()) for party in parties)

    # ---- changing ------------------------------------------------------------------------
    @command
    def propose(
        self,
        party: Annotated[str, a.PartyArg()],
        new_participants: Annotated[builtins.list[tuple[str, str]], HostingArg()],  # builtins: ``list`` is a command here
        threshold: Annotated[int, a.POSITIVE_INT32] = 1,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        operation: Annotated[str, OperationArg()] = t.REPLACE,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        store: Annotated[str, StoreArg()] = t.AUTHORIZED_STORE,
        force_flags: Annotated[Any, Unsupported(PTP_FORCE, accept=("ForceFlags()", "ForceFlags.none"))] = None,
    ) -> SignedTopologyTransaction:
        """Replace party to participant mapping

        Replace the association of a party to hosting participants.
        party: The unique identifier of the party whose set of participant permissions to modify.
        newParticipants: The unique identifier of the participants to host the party. Each participant entry specifies
                         the participant's permissions (submission, confirmation, observation).
        threshold: The threshold is `1` for regular parties and larger than `1` for "consortium parties". The threshold
                   indicates how many participant confirmations are needed in order to confirm a Daml transaction on
                   behalf the party.
        signedBy: Refers to the optional fingerprint of the authorizing key.
        serial: The expected serial this topology transaction should have. Serials must be contiguous and start at 1.
                If None, the serial will be automatically selected by the node.
        operation: TopologyChangeOp.Replace (the default) or TopologyChangeOp.Remove with the current mapping's values.
        synchronize: Synchronize timeout can be used to ensure that the state has been propagated into the node
        mustFullyAuthorize: When set to true, this node's signature and those the proposal already has must fully
                            authorize the transaction, else the request fails.
        store: "Authorized" (the default): stored in the node's authorized store and sent on to its synchronizers;
               a synchronizer id: submitted to that synchronizer directly."""
        check_party_to_participant(party, threshold, new_participants)
        mapping = t.party_to_participant(party, threshold, new_participants)
        return propose_mapping(
            self,
            store,
            mapping,
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
            operation=operation,
        )

    @command
    def propose_delta(
        self,
        party: Annotated[str, a.PartyArg()],
        adds: Annotated[builtins.list[tuple[str, str]], HostingArg()] = (),  # type: ignore[assignment]
        removes: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("participant",)))] = (),  # type: ignore[assignment]
        signed_by: Annotated[str | None, a.Optional(FingerprintArg())] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        store: Annotated[str, StoreArg()] = t.AUTHORIZED_STORE,
        force_flags: Annotated[Any, Unsupported(PTP_FORCE, accept=("ForceFlags()", "ForceFlags.none"))] = None,
    ) -> SignedTopologyTransaction:
        """Change party to participant mapping

        Change the association of a party to hosting participants.
        party: The unique identifier of the party whose set of participants or permission to modify.
        adds: The unique identifiers of the participants to host the party each specifying the participant's permissions
              (submission, confirmation, observation). If the participant already hosts the specified party, update the
              participant's permissions.
        removes: The unique identifiers of the participants that should no longer host the party.
        The threshold stays; removing the last participant removes the mapping (a Remove transaction)."""
        name = f"{self.scala_name}.propose_delta"
        current = [r for r in self._list([store], False, None, party, "", "") if str(r.item.partyId) == party]
        if len(current) > 1:
            raise InvalidValue(f"Found more than one result: {builtins.list(current)}")
        existing: dict[str, str] = {}
        threshold, serial = 1, 1
        if current:
            head = current[0]
            serial, threshold = int(head.context.serial) + 1, head.item.threshold
            if head.context.operation == t.REPLACE:
                existing = {str(h.participantId): h.permission.value for h in head.item.participants}
        updated = self._compute(existing, builtins.list(adds), builtins.list(removes))
        if updated:
            participants, operation = builtins.list(updated.items()), t.REPLACE
        else:
            participants, operation = builtins.list(existing.items()), t.REMOVE
        check_party_to_participant(party, threshold, participants)
        mapping = t.party_to_participant(party, threshold, participants)
        return propose_mapping(
            self, store, mapping, name, serial=serial, must_fully_authorize=must_fully_authorize, signed_by=signed_by, synchronize=synchronize, operation=operation
        )

    @staticmethod
    def _compute(existing: dict[str, str], adds: builtins.list[tuple[str, str]], removes: builtins.list[str]) -> dict[str, str]:
        """Canton's ``PartyToParticipantComputations.computeNewPermissions``."""
        both = [p for p, _ in adds if p in removes]
        if both:
            raise InvalidValue(
                "Permissions for the following participant were found in adds and removes: List(" + ", ".join(str(Member.parse(p)) for p in both) + ")"
            )
        unknown = sorted({p for p in removes if p not in existing})
        if unknown:
            raise InvalidValue(
                "Cannot remove permission for participants that are not permissioned: Set(" + ", ".join(str(Member.parse(p)) for p in unknown) + ")"
            )
        updated = {p: perm for p, perm in existing.items() if p not in removes}
        for p, perm in adds:
            updated[p] = perm
        return updated


__all__ = [
    "BaseResult",
    "ForceFlag",
    "ForceFlags",
    "InternalDynamicSynchronizerParameters",
    "ListMultiHostingProposal",
    "ListPartyToParticipantResult",
    "ListSynchronizerParametersStateResult",
    "ParticipantPermission",
    "PartyToParticipantGroup",
    "SignedTopologyTransaction",
    "SynchronizerParametersGroup",
    "TopologyChangeOp",
    "propose_mapping",
]
