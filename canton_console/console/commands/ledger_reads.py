"""More of the Ledger API's reads from the console, as Canton 3.3 has them:
``ledger_api.completions`` (list), ``ledger_api.state.connected_synchronizers``,
``ledger_api.updates.update_by_id`` / ``update_by_offset`` / ``by_offset``; and the
participant's ``health.count_in_flight`` and every node's ``health.set_log_level``.

The commands that belong to groups defined elsewhere (``state``, ``health``) are attached to those
groups here, so this area's commands live in one module."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import attrs

from canton_console import logs
from canton_console.console import args as a
from canton_console.console.commands.health import HealthGroup, ParticipantHealthGroup
from canton_console.console.commands.ledger_api import (
    DEFAULT_USER_ID,
    TESTING,
    CommandsGroup,
    LedgerApiGroup,
    StateGroup,
    Transaction,
    TransactionWrapper,
    UpdatesGroup,
    _flat_events,
    _timestamp,
    _tree,
    _tree_events,
)
from canton_console.console.commands.log_levels import Level, LevelArg
from canton_console.console.framework import Arg, CallContext, NodeGroup, Refused, command, subgroup
from canton_console.pretty import Literal, klass, param
from canton_console.values import completions as c
from canton_console.values import update_format as uf
from canton_console.values.scala import NONE, Option, Some, TypedVector, Vector

_INT = a.Int(-(2**31), "a whole number (an Int)", maximum=a.INT_MAX)
_LONG = a.Int(-(2**63), "an offset (a Long)")


def _attach(group: type) -> Callable[[Callable], Callable]:
    """Add a command to a group class defined in another module (the console lists a group's
    commands from its class, so it shows and runs like the group's own)."""

    def add(fn: Callable) -> Callable:
        setattr(group, fn.__name__, fn)
        return fn

    return add


# ---- ledger_api.completions ------------------------------------------------------------------------


class CompletionsGroup(NodeGroup):
    """Monitor progress of commands"""

    scala_name = "LedgerApiAdministration$ledger_api$completions$"

    @command(feature=TESTING)
    def list(
        self,
        party_id: Annotated[str, a.PartyArg()],
        at_least_num_completions: Annotated[int, _INT],
        begin_offset_exclusive: Annotated[int, _LONG],
        user_id: Annotated[str, a.Text("a user id")] = DEFAULT_USER_ID,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        filter: Annotated[Any, a.Function("a function Completion => Boolean")] = None,
    ) -> TypedVector:
        """Lists command completions following the specified offset

        The completions of userId's commands acting as partyId after beginOffsetExclusive, accepted
        and rejected, in offset order: returns once atLeastNumCompletions of them (that the filter
        accepts) have arrived, or with those that arrived when the timeout (the ledger command
        timeout unless given) elapses. A rejected command's completion has its own offset and a
        status with the error's gRPC code and message; an accepted one has the transaction's
        update id and offset. A negative offset fails with NEGATIVE_OFFSET, one after the ledger
        end with OFFSET_AFTER_LEDGER_END."""
        wait = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        deadline = time.monotonic() + wait / 1e6
        result: list[c.Completion] = []
        seen = begin_offset_exclusive
        while True:
            for record in self._admin.ledger.completions([party_id], user_id, seen):
                seen = record.offset
                shown = c.completion(record)
                # as Canton's stream: a completion counts while fewer than expected have arrived
                if len(result) < at_least_num_completions and (filter is None or filter(shown)):
                    result.append(shown)
            if (at_least_num_completions > 0 and len(result) >= at_least_num_completions) or time.monotonic() >= deadline:
                return TypedVector("Completion", *result)
            time.sleep(0.02)


subgroup(LedgerApiGroup, "completions")(CompletionsGroup)


# ---- ledger_api.state.connected_synchronizers -----------------------------------------------------


class ParticipantPermissionValue(str):
    """The Ledger API's ``ParticipantPermission`` enum value (``PARTICIPANT_PERMISSION_SUBMISSION`` ...)."""

    canton_type = "ParticipantPermission"

    def __pretty__(self):
        return Literal(str(self))


def _permission(topology_permission: str) -> ParticipantPermissionValue:
    name = topology_permission.upper() if topology_permission else "UNSPECIFIED"
    return ParticipantPermissionValue(f"PARTICIPANT_PERMISSION_{name}")


@attrs.frozen
class ConnectedSynchronizer:
    """``GetConnectedSynchronizersResponse.ConnectedSynchronizer``."""

    synchronizerAlias: str
    synchronizerId: str
    permission: ParticipantPermissionValue

    canton_type = "ConnectedSynchronizer"

    def __pretty__(self):
        return klass(
            "ConnectedSynchronizer",
            param("synchronizerAlias", self.synchronizerAlias),
            param("synchronizerId", self.synchronizerId),
            param("permission", self.permission),
        )


@attrs.frozen
class GetConnectedSynchronizersResponse:
    connectedSynchronizers: Vector

    canton_type = "GetConnectedSynchronizersResponse"

    def __pretty__(self):
        return klass("GetConnectedSynchronizersResponse", param("connectedSynchronizers", self.connectedSynchronizers))


@_attach(StateGroup)
@command(feature=TESTING)
def connected_synchronizers(
    self,
    party_id: Annotated[str | None, a.Optional(a.PartyArg())] = None,
) -> GetConnectedSynchronizersResponse:
    """Read the current connected synchronizers for a party

    The synchronizers this participant is connected to and ready to submit to; with a partyId,
    only those where this participant hosts the party, each with the party's permission there
    (PARTICIPANT_PERMISSION_UNSPECIFIED when no party is given)."""
    rows = self._admin.ledger.connected_synchronizers_of(party_id)
    return GetConnectedSynchronizersResponse(Vector(*[ConnectedSynchronizer(r.alias, r.synchronizer_id, _permission(r.permission)) for r in rows]))


# ---- ledger_api.updates.update_by_id / update_by_offset / by_offset ---------------------------------


def _selected(tx: Any, selection: Any) -> Transaction | None:
    """The transaction as the update format shows it: ACS delta (creates and archives, to their
    stakeholders) or ledger effects (every event, to its informees), each event to the parties
    whose filters select its template; None when no event is left."""
    candidates = _tree_events(tx, None) if selection.ledger_effects else _flat_events(tx, None)
    events = []
    for event in candidates:
        witnesses = tuple(p for p in event.witnessParties if selection.selects(p, str(event.templateId)))
        if witnesses:
            events.append(attrs.evolve(event, witnessParties=witnesses))
    if not events:
        return None
    when = _timestamp(tx.record_time)
    return Transaction(tx.update_id, tx.command_id, "", when, Vector(*events), tx.offset, tx.synchronizer_id, when)


class UpdateFormatArg(Arg):
    expects = (
        "an UpdateFormat, e.g. UpdateFormat(includeTransactions = Some(TransactionFormat(eventFormat = "
        "Some(EventFormat(filtersByParty = Map(alice.toProtoPrimitive -> Filters(Nil)))), transactionShape = TRANSACTION_SHAPE_ACS_DELTA)))"
    )

    def convert(self, value: Any, ctx: CallContext) -> uf.UpdateFormat:
        if not isinstance(value, uf.UpdateFormat):
            raise ctx.wrong_type(self.expects, value)
        return value


def _update(found: Any) -> Option:
    if found is None:
        return NONE
    tx, selection = found
    transaction = _selected(tx, selection)
    return NONE if transaction is None else Some(TransactionWrapper(transaction))


@_attach(UpdatesGroup)
@command(feature=TESTING)
def update_by_id(
    self,
    id: Annotated[str, a.Text("an update id")],
    update_format: Annotated[Any, UpdateFormatArg()],
) -> Option:
    """Get an update by its ID

    Get an update by its ID. Returns None if the update is not (yet) known at the participant or
    all the events of the update are filtered due to the update format. The update format says
    which transactions' events to show (includeTransactions: a TransactionFormat with an
    EventFormat of the parties' filters and the transaction shape); this ledger has neither
    reassignments nor topology events among its updates."""
    return _update(self._admin.ledger.update_by_id(id, update_format))


@_attach(UpdatesGroup)
@command(feature=TESTING)
def update_by_offset(
    self,
    offset: Annotated[int, _LONG],
    update_format: Annotated[Any, UpdateFormatArg()],
) -> Option:
    """Get an update by its offset

    Get an update by its offset. Returns None if the update is not (yet) known at the participant
    or all the events of the update are filtered due to the update format."""
    return _update(self._admin.ledger.update_by_offset(offset, update_format))


@_attach(UpdatesGroup)
@command(feature=TESTING)
def by_offset(
    self,
    parties: Annotated[Any, a.SeqOf(a.PartyArg())],
    offset: Annotated[int, _LONG],
) -> Option:
    """Get a transaction tree by its offset

    Get a transaction tree from the update stream by its offset. Returns None if the transaction
    is not (yet) known at the participant or has no event for the parties."""
    wanted = {str(p) for p in parties}
    every_event = uf.UpdateFormat(
        includeTransactions=uf.TransactionFormat(uf.EventFormat({p: uf.Filters() for p in sorted(wanted)}), uf.TRANSACTION_SHAPE_LEDGER_EFFECTS)
    )
    found = self._admin.ledger.update_by_offset(offset, every_event)
    if found is None:
        return NONE
    tree = _tree(found[0], wanted)
    return Some(tree) if len(tree.eventsById) else NONE


# ---- ledger_api.commands.submit_reassign and its parts: refused ------------------------------------

# Why: a participant of this console can be connected to several synchronizers and submit to any
# of them, but each contract stays on the synchronizer that created it: the runtime has no
# reassignment protocol (an unassignment on the source synchronizer, an assignment on the target),
# no unassigned (in-flight) contract state, and no reassignment updates in its update stream.
REASSIGNMENT_REFUSAL = (
    "contract reassignment (unassign on the source synchronizer, assign on the target) is not supported by "
    "canton-console: its participants keep each contract on the synchronizer that created it"
)


def _refuse_reassignment(self: Any, name: str) -> None:
    from canton_console.console.framework import CommandFailure

    raise CommandFailure(f"UNSUPPORTED_COMMAND: {self._path}.{name}: {REASSIGNMENT_REFUSAL}", f"{self.scala_name}.{name}")


# Every argument of the reassignment commands answers with the command's refusal, whatever its value.
_REFUSED_SUBMIT_REASSIGN = Refused(f"UNSUPPORTED_COMMAND: ledger_api.commands.submit_reassign: {REASSIGNMENT_REFUSAL}")
_REFUSED_SUBMIT_UNASSIGN = Refused(f"UNSUPPORTED_COMMAND: ledger_api.commands.submit_unassign: {REASSIGNMENT_REFUSAL}")
_REFUSED_SUBMIT_ASSIGN = Refused(f"UNSUPPORTED_COMMAND: ledger_api.commands.submit_assign: {REASSIGNMENT_REFUSAL}")
_REFUSED_SUBMIT_UNASSIGN_ASYNC = Refused(f"UNSUPPORTED_COMMAND: ledger_api.commands.submit_unassign_async: {REASSIGNMENT_REFUSAL}")
_REFUSED_SUBMIT_ASSIGN_ASYNC = Refused(f"UNSUPPORTED_COMMAND: ledger_api.commands.submit_assign_async: {REASSIGNMENT_REFUSAL}")


@_attach(CommandsGroup)
@command(feature=TESTING)
def submit_reassign(
    self,
    submitter: Annotated[Any, _REFUSED_SUBMIT_REASSIGN],
    contract_ids: Annotated[Any, _REFUSED_SUBMIT_REASSIGN],
    source: Annotated[Any, _REFUSED_SUBMIT_REASSIGN],
    target: Annotated[Any, _REFUSED_SUBMIT_REASSIGN],
    workflow_id: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = "",
    user_id: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = DEFAULT_USER_ID,
    submission_id: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = "",
    event_format: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = None,
    wait_for_participants: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = None,
    timeout: Annotated[Any, _REFUSED_SUBMIT_REASSIGN] = None,
) -> None:
    """Combines `submit_unassign` and `submit_assign` in a single macro

    Refused by this console: its participants keep each contract on the synchronizer that created
    it (no unassignment or assignment)."""
    _refuse_reassignment(self, "submit_reassign")


@_attach(CommandsGroup)
@command(feature=TESTING)
def submit_unassign(
    self,
    submitter: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN],
    contract_ids: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN],
    source: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN],
    target: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN],
    workflow_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = "",
    user_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = DEFAULT_USER_ID,
    submission_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = "",
    event_format: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = None,
    wait_for_participants: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = None,
    timeout: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN] = None,
) -> None:
    """Submit unassign command and wait for the resulting reassignment, returning the reassignment or failing otherwise

    Refused by this console: its participants keep each contract on the synchronizer that created it."""
    _refuse_reassignment(self, "submit_unassign")


@_attach(CommandsGroup)
@command(feature=TESTING)
def submit_assign(
    self,
    submitter: Annotated[Any, _REFUSED_SUBMIT_ASSIGN],
    unassign_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN],
    source: Annotated[Any, _REFUSED_SUBMIT_ASSIGN],
    target: Annotated[Any, _REFUSED_SUBMIT_ASSIGN],
    workflow_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = "",
    user_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = DEFAULT_USER_ID,
    submission_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = "",
    event_format: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = None,
    wait_for_participants: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = None,
    timeout: Annotated[Any, _REFUSED_SUBMIT_ASSIGN] = None,
) -> None:
    """Submit assign command and wait for the resulting reassignment, returning the reassignment or failing otherwise

    Refused by this console: its participants keep each contract on the synchronizer that created it."""
    _refuse_reassignment(self, "submit_assign")


@_attach(CommandsGroup)
@command(feature=TESTING)
def submit_unassign_async(
    self,
    submitter: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC],
    contract_ids: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC],
    source: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC],
    target: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC],
    workflow_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC] = "",
    user_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC] = DEFAULT_USER_ID,
    command_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC] = "",
    submission_id: Annotated[Any, _REFUSED_SUBMIT_UNASSIGN_ASYNC] = "",
) -> None:
    """Submit unassign command asynchronously

    Refused by this console: its participants keep each contract on the synchronizer that created it."""
    _refuse_reassignment(self, "submit_unassign_async")


@_attach(CommandsGroup)
@command(feature=TESTING)
def submit_assign_async(
    self,
    submitter: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC],
    unassign_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC],
    source: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC],
    target: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC],
    workflow_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC] = "",
    user_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC] = DEFAULT_USER_ID,
    command_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC] = "",
    submission_id: Annotated[Any, _REFUSED_SUBMIT_ASSIGN_ASYNC] = "",
) -> None:
    """Submit assign command asynchronously

    Refused by this console: its participants keep each contract on the synchronizer that created it."""
    _refuse_reassignment(self, "submit_assign_async")


# ---- health.count_in_flight and health.set_log_level ----------------------------------------------


@attrs.frozen
class InFlightCount:
    """Canton's ``InFlightCount``: pending command submissions and transactions on a synchronizer."""

    pendingSubmissions: int
    pendingTransactions: int

    canton_type = "InFlightCount"

    @property
    def exists(self) -> bool:
        return self.pendingSubmissions > 0 or self.pendingTransactions > 0

    def __pretty__(self):
        return klass("InFlightCount", param("pending submissions", self.pendingSubmissions), param("pending transactions", self.pendingTransactions))


@_attach(ParticipantHealthGroup)
@command
def count_in_flight(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias, e.g. \"da\"", allow_empty=False)]) -> InFlightCount:
    """Counts pending command submissions and transactions on a synchronizer.

    The current number of this participant's command submissions on the synchronizer that are
    not decided yet, and of the transactions it validated there and awaits the verdict of. The
    two counts are not synchronized with each other and are an indication only; both zero
    reassures that nothing is in flight (e.g. before repair operations)."""
    synchronizer_id = self._admin.connectivity.synchronizer_id_of(synchronizer_alias)
    submissions, transactions = self._admin.connectivity.count_in_flight(synchronizer_id)
    return InFlightCount(submissions, transactions)


@_attach(HealthGroup)
@command
def set_log_level(self, level: Annotated[Any, LevelArg()]) -> None:
    """Change the log level of the process

    Sets the level of Canton's loggers (com.digitalasset.canton) in this process, which runs the
    node: TRACE, DEBUG, INFO, WARN, ERROR or OFF."""
    if level is None:
        from canton_console.console.framework import ArgumentError

        raise ArgumentError(f"{self._path}.set_log_level: level must be a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF), not null")
    logs.set_level(logs.CANTON_ROOT, level)


# ---- Canton's names for this area's values --------------------------------------------------------


class LevelCompanion:
    """logback's ``Level`` (``ch.qos.logback.classic.Level``, imported in Canton's console):
    ``Level.DEBUG`` ..., as ``health.set_log_level`` and ``logging.set_level`` take them."""

    canton_type = "Level.type"

    def __getattr__(self, name: str) -> Level:
        if name in logs.LEVELS or name == "ALL":
            return Level("TRACE" if name == "ALL" else name)
        raise AttributeError(f"Level has no level {name}; levels are {', '.join(logs.LEVELS)}")

    def toLevel(self, name: str) -> Level:  # noqa: N802 - logback's name
        """The level named ``name`` (any case); DEBUG for an unknown name, as logback does."""
        upper = str(name).upper()
        return Level(upper if upper in logs.LEVELS else "DEBUG")


_TRANSACTION_FILTER = "com.daml.ledger.api.v2.transaction_filter"


def canton_names() -> dict[str, Any]:
    """Fully qualified names of this area's values, for the console's name table."""
    from canton_console.console.commands.ledger_api import Identifier

    names: dict[str, Any] = {
        f"{_TRANSACTION_FILTER}.{cls.__name__}": cls
        for cls in (
            uf.UpdateFormat,
            uf.TransactionFormat,
            uf.EventFormat,
            uf.Filters,
            uf.CumulativeFilter,
            uf.WildcardFilter,
            uf.TemplateFilter,
            uf.InterfaceFilter,
            uf.TopologyFormat,
            uf.ParticipantAuthorizationTopologyFormat,
        )
    }
    names[f"{_TRANSACTION_FILTER}.TransactionShape"] = uf.TransactionShapeCompanion()
    for shape in (uf.TRANSACTION_SHAPE_UNSPECIFIED, uf.TRANSACTION_SHAPE_ACS_DELTA, uf.TRANSACTION_SHAPE_LEDGER_EFFECTS):
        names[f"{_TRANSACTION_FILTER}.TransactionShape.{shape}"] = shape
    names["com.daml.ledger.api.v2.value.Identifier"] = Identifier
    names["ch.qos.logback.classic.Level"] = LevelCompanion()
    return names
