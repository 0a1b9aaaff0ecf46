"""The Ledger API from the console: ``ledger_api_utils.create/exercise`` build commands,
``participant.ledger_api.commands.submit`` runs them through sequencer and mediator, and
``ledger_api.state`` reads the ledger end and the active contracts."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import (
    Arg,
    ArgumentError,
    CallContext,
    CommandFailure,
    Group,
    NodeGroup,
    Unsupported,
    command,
    render_canton_error,
    subgroup,
    top_level,
)
from canton_console.console.references import ParticipantReference
from canton_console.pretty import Apply, Infix, Literal, klass, param, to_tree
from canton_console.values import ledger
from canton_console.values.errors import CantonError
from canton_console.values.ids import PartyId, SynchronizerId
from canton_console.values.scala import ScalaMap, TypedVector, Vector


def _plain(value: Any) -> Any:
    """Command arguments as stored: party ids and numbers as text/ints."""
    if isinstance(value, PartyId):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__int__") and not isinstance(value, (bool, float, str)):
        return int(value)
    return value


def _command_arguments(what: str, arguments: Any) -> dict:
    if not isinstance(arguments, dict):
        raise ArgumentError(f"ledger_api_utils.{what}: arguments must be a map of field names to values, got {type(arguments).__name__}")
    return _plain(arguments)


@top_level("ledger_api_utils", "Ledger Api Utils", "Utilities to build Ledger API commands (create, exercise)")
class LedgerApiUtils(Group):
    """Utilities to build Ledger API commands (create, exercise)"""

    scala_name = "ConsoleMacros$ledger_api_utils$"

    @command(needs_running=False)
    def create(
        self,
        package_id: Annotated[str, a.Text("a package id (or, alone with the arguments, a template id such as \"Iou:Iou\")", allow_empty=False)],
        module: Any = None,
        template: Any = None,
        arguments: Any = None,
    ) -> ledger.CreateCommand:
        """Build create command

        create(packageId, module, template, arguments), e.g. create(pkg, "Iou", "Iou", Map("issuer" -> alice,
        "owner" -> bob, "amount" -> 100)); the package id, module and template are resolved when the
        command is submitted (PACKAGE_NOT_FOUND for an unknown package). This console also takes
        create("Iou:Iou", arguments) for its built-in templates."""
        if template is None and arguments is None and module is not None:
            t = ledger.template(package_id)
            plain = _command_arguments("create", module)
            t.check_arguments(plain)
            return ledger.CreateCommand(t.id, plain)
        if not isinstance(module, str) or not isinstance(template, str):
            raise ArgumentError("ledger_api_utils.create(packageId: String, module: String, template: String, arguments: Map[String, Any]): module and template must be strings")
        return ledger.CreateCommand(f"{module}:{template}", _command_arguments("create", arguments), package_id)

    @command(needs_running=False)
    def exercise(
        self,
        package_id: Annotated[str, a.Text("a package id, a template id or a choice", allow_empty=False)],
        module: Any = None,
        template: Any = None,
        choice: Any = None,
        arguments: Any = None,
        contract_id: Any = None,
    ) -> ledger.ExerciseCommand:
        """Build exercise command

        exercise(packageId, module, template, choice, arguments, contractId), or
        exercise(choice, arguments, event) for a created event (e.g. of acs.of_party(...).event or a
        transaction's created event). This console also takes exercise("Iou:Iou", "Transfer",
        Map("newOwner" -> bob), contractId) for its built-in templates."""
        if isinstance(module, dict) and isinstance(template, CreatedEvent) and choice is None:
            event = template
            return ledger.ExerciseCommand(event.templateId.moduleEntity, event.contractId, package_id, _command_arguments("exercise", module), event.templateId.packageId)
        if isinstance(module, str) and isinstance(template, dict) and isinstance(choice, str) and arguments is None:
            t = ledger.template(package_id)
            if module not in t.choices:
                raise CommandFailure(f"INVALID_ARGUMENT(8,0): Template {t.id} has no choice {module}; choices: {', '.join(t.choices)}")
            return ledger.ExerciseCommand(t.id, choice, module, _command_arguments("exercise", template))
        if not all(isinstance(x, str) for x in (module, template, choice, contract_id)):
            raise ArgumentError(
                "ledger_api_utils.exercise(packageId: String, module: String, template: String, choice: String, arguments: Map[String, Any], contractId: String): "
                "module, template, choice and contractId must be strings"
            )
        return ledger.ExerciseCommand(f"{module}:{template}", contract_id, choice, _command_arguments("exercise", arguments), package_id)


# ---- Ledger API values (Canton's scalapb Ledger API classes and the console's wrappers) ----


@attrs.frozen
class Identifier:
    """A template id (Ledger API ``Identifier``)."""

    packageId: str
    moduleName: str
    entityName: str

    canton_type = "Identifier"

    @classmethod
    def of(cls, template_id: str) -> "Identifier":
        module, entity = ledger.template(template_id).id.rsplit(":", 1)
        return cls(ledger.package_of_template(template_id).id, module, entity)

    @property
    def moduleEntity(self) -> str:
        return f"{self.moduleName}:{self.entityName}"

    def __str__(self) -> str:
        return f"{self.packageId}:{self.moduleName}:{self.entityName}"

    def __pretty__(self):
        return klass("Identifier", param("packageId", self.packageId), param("moduleName", self.moduleName), param("entityName", self.entityName))


def _args_tree(arguments: dict) -> Any:
    return Apply("Record", tuple(Infix(Literal(k), "=", to_tree(v)) for k, v in arguments.items()))


@attrs.frozen
class CreatedEvent:
    offset: int
    nodeId: int
    contractId: str
    templateId: Identifier
    createArguments: dict = attrs.field(eq=False, hash=False)
    signatories: tuple = ()
    observers: tuple = ()
    witnessParties: tuple = ()

    canton_type = "CreatedEvent"

    @property
    def arguments(self) -> ScalaMap:
        """WrappedCreatedEvent's arguments: the create arguments as a ``Map[String, Any]``."""
        return ScalaMap(self.createArguments.items())

    @property
    def contract_id(self) -> str:
        return self.contractId

    @property
    def packageName(self) -> str:
        return ledger.package_of_template(self.templateId.moduleEntity).name

    def __pretty__(self):
        return klass(
            "CreatedEvent",
            param("offset", self.offset),
            param("nodeId", self.nodeId),
            param("contractId", self.contractId),
            param("templateId", self.templateId),
            param("createArguments", _args_tree(self.createArguments)),
            param("witnessParties", Vector(*self.witnessParties)),
            param("signatories", Vector(*self.signatories)),
            param("observers", Vector(*self.observers)),
            param("packageName", self.packageName),
        )


@attrs.frozen
class ArchivedEvent:
    offset: int
    nodeId: int
    contractId: str
    templateId: Identifier
    witnessParties: tuple = ()

    canton_type = "ArchivedEvent"

    def __pretty__(self):
        return klass(
            "ArchivedEvent",
            param("offset", self.offset),
            param("nodeId", self.nodeId),
            param("contractId", self.contractId),
            param("templateId", self.templateId),
            param("witnessParties", Vector(*self.witnessParties)),
        )


@attrs.frozen
class ExercisedEvent:
    offset: int
    nodeId: int
    contractId: str
    templateId: Identifier
    choice: str
    actingParties: tuple
    consuming: bool
    witnessParties: tuple = ()

    canton_type = "ExercisedEvent"

    def __pretty__(self):
        return klass(
            "ExercisedEvent",
            param("offset", self.offset),
            param("nodeId", self.nodeId),
            param("contractId", self.contractId),
            param("templateId", self.templateId),
            param("choice", self.choice),
            param("actingParties", Vector(*self.actingParties)),
            param("consuming", self.consuming),
            param("witnessParties", Vector(*self.witnessParties)),
        )


def _tree_events(tx: Any, parties: set[str] | None) -> list[Any]:
    """A transaction's events as a tree shows them to ``parties`` (None: all the participant has)."""
    result: list[Any] = []
    for node_id, e in enumerate(tx.events):
        if "created" in e:
            c = e["created"]
            witnesses = [p for p in dict.fromkeys(c["signatories"] + c["observers"]) if parties is None or p in parties]
            if witnesses or parties is None:
                result.append(CreatedEvent(tx.offset, node_id, c["contract_id"], Identifier.of(c["template_id"]), c["arguments"], tuple(c["signatories"]), tuple(c["observers"]), tuple(witnesses)))
        else:
            x = e["exercised"]
            informees = list(dict.fromkeys(list(x.get("stakeholders", ())) + list(x["actors"])))
            witnesses = [p for p in informees if parties is None or p in parties]
            if witnesses or parties is None:
                result.append(ExercisedEvent(tx.offset, node_id, x["contract_id"], Identifier.of(x["template_id"]), x["choice"], tuple(x["actors"]), x["consuming"], tuple(witnesses)))
    return result


def _flat_events(tx: Any, parties: set[str] | None) -> list[Any]:
    """A transaction's events as a flat transaction shows them: creates and archives to stakeholders."""
    result: list[Any] = []
    for event in _tree_events(tx, parties):
        if isinstance(event, ExercisedEvent):
            if not event.consuming:
                continue
            x = tx.events[event.nodeId]["exercised"]
            stakeholders = [p for p in x.get("stakeholders", x["actors"]) if parties is None or p in parties]
            if stakeholders:
                result.append(ArchivedEvent(event.offset, event.nodeId, event.contractId, event.templateId, tuple(stakeholders)))
        else:
            stakeholders = [p for p in event.witnessParties if p in event.signatories or p in event.observers]
            if stakeholders:
                result.append(event)
    return result


def _timestamp(micros: int) -> Any:
    from canton_console.values.timefmt import instant

    return instant(micros)


@attrs.frozen
class Transaction:
    """A flat transaction (Ledger API ``Transaction``): creates and archives."""

    updateId: str
    commandId: str
    workflowId: str
    effectiveAt: str
    events: Vector
    offset: int
    synchronizerId: str
    recordTime: str

    canton_type = "Transaction"

    @property
    def created(self) -> Vector:
        return Vector(*[e for e in self.events if isinstance(e, CreatedEvent)])

    def __pretty__(self):
        return klass(
            "Transaction",
            param("updateId", self.updateId),
            param("commandId", self.commandId),
            param("workflowId", self.workflowId),
            param("effectiveAt", self.effectiveAt),
            param("events", self.events),
            param("offset", self.offset),
            param("synchronizerId", self.synchronizerId),
            param("recordTime", self.recordTime),
        )


@attrs.frozen
class TransactionTree:
    """A transaction tree (Ledger API ``TransactionTree``): every event by its node id."""

    updateId: str
    commandId: str
    workflowId: str
    effectiveAt: str
    offset: int
    eventsById: ScalaMap
    synchronizerId: str
    recordTime: str

    canton_type = "TransactionTree"

    @property
    def events(self) -> Vector:
        return Vector(*self.eventsById.values())

    @property
    def created(self) -> Vector:
        """The contracts this transaction created"""
        return Vector(*[e for e in self.eventsById.values() if isinstance(e, CreatedEvent)])

    def __pretty__(self):
        return klass(
            "TransactionTree",
            param("updateId", self.updateId),
            param("commandId", self.commandId),
            param("workflowId", self.workflowId),
            param("effectiveAt", self.effectiveAt),
            param("offset", self.offset),
            param("eventsById", self.eventsById),
            param("synchronizerId", self.synchronizerId),
            param("recordTime", self.recordTime),
        )


def _flat(tx: Any, parties: set[str] | None) -> Transaction:
    t = _timestamp(tx.record_time)
    return Transaction(tx.update_id, tx.command_id, "", t, Vector(*_flat_events(tx, parties)), tx.offset, tx.synchronizer_id, t)


def _tree(tx: Any, parties: set[str] | None) -> TransactionTree:
    t = _timestamp(tx.record_time)
    events = ScalaMap((e.nodeId, e) for e in _tree_events(tx, parties))
    return TransactionTree(tx.update_id, tx.command_id, "", t, tx.offset, events, tx.synchronizer_id, t)


@attrs.frozen
class TransactionWrapper:
    transaction: Transaction

    canton_type = "TransactionWrapper"

    @property
    def updateId(self) -> str:
        return self.transaction.updateId

    @property
    def synchronizerId(self) -> str:
        return self.transaction.synchronizerId

    @property
    def createEvents(self) -> Vector:
        return self.transaction.created

    def __pretty__(self):
        return klass("TransactionWrapper", param("transaction", self.transaction))


@attrs.frozen
class TransactionTreeWrapper:
    transactionTree: TransactionTree

    canton_type = "TransactionTreeWrapper"

    @property
    def updateId(self) -> str:
        return self.transactionTree.updateId

    def __pretty__(self):
        return klass("TransactionTreeWrapper", param("transactionTree", self.transactionTree))


@attrs.frozen
class ActiveContract:
    """Ledger API ``ActiveContract``: a created event, its synchronizer and reassignment counter."""

    createdEvent: CreatedEvent
    synchronizerId: str
    reassignmentCounter: int = 0

    canton_type = "ActiveContract"

    def __pretty__(self):
        return klass(
            "ActiveContract",
            param("createdEvent", self.createdEvent),
            param("synchronizerId", self.synchronizerId),
            param("reassignmentCounter", self.reassignmentCounter),
        )


@attrs.frozen
class WrappedContractEntry:
    """Canton's ``WrappedContractEntry``: an active contract entry with contractId, templateId and
    arguments at hand."""

    entry: ActiveContract

    canton_type = "WrappedContractEntry"

    @property
    def event(self) -> CreatedEvent:
        return self.entry.createdEvent

    @property
    def contractId(self) -> str:
        return self.event.contractId

    @property
    def contract_id(self) -> str:
        return self.contractId

    @property
    def templateId(self) -> Identifier:
        return self.event.templateId

    @property
    def arguments(self) -> ScalaMap:
        """The create arguments as Canton's ``Map[String, Any]`` (``entry.arguments("amount")``)."""
        return ScalaMap(self.event.createArguments.items())

    @property
    def synchronizerId(self) -> Any:
        from canton_console.values.scala import Some

        return Some(SynchronizerId.parse(self.entry.synchronizerId))

    @property
    def reassignmentCounter(self) -> int:
        return self.entry.reassignmentCounter

    def __pretty__(self):
        return klass("WrappedContractEntry", param("entry", klass("ActiveContract", param("value", self.entry))))


def _entry(e: ledger.ContractEntry, parties: set[str] | None) -> WrappedContractEntry:
    c = e.contract
    witnesses = tuple(p for p in c.stakeholders if parties is None or p in parties)
    event = CreatedEvent(e.created_offset, 0, c.contract_id, Identifier.of(c.template_id), c.arguments, c.signatories, c.observers, witnesses)
    return WrappedContractEntry(ActiveContract(event, e.synchronizer_id))


# The user id of the console's Ledger API requests when the command names none (Canton's
# LedgerApiCommands.defaultUserId; a console configured with a user token would use its user).
DEFAULT_USER_ID = "CantonConsole"

_WORKFLOW_ID = Unsupported("this console's ledger does not record workflow ids")
_MIN_LEDGER_TIME = Unsupported("the ledger time of a submission is the participant's clock")
_DISCLOSED = Unsupported("explicit contract disclosure is not supported")
_PACKAGE_PREFERENCE = Unsupported("the built-in packages have one version each")


class CommandsGroup(NodeGroup):
    """Submit commands"""

    scala_name = "LedgerApiAdministration$ledger_api$commands$"

    def _commands(self, name: str, commands: Any) -> list:
        items = commands if isinstance(commands, (list, tuple)) else [commands]
        if not items or not all(isinstance(c, (ledger.CreateCommand, ledger.ExerciseCommand)) for c in items):
            raise ArgumentError(f"ledger_api.commands.{name}: commands must be a Seq of ledger_api_utils.create(...) / exercise(...) commands")
        return list(items)

    def _submit(self, name: str, act_as, commands, synchronizer_id, command_id, opt_timeout, deduplication_period, submission_id, read_as, user_id) -> Any:
        import uuid

        items = self._commands(name, commands)
        if not act_as:
            raise CommandFailure("INVALID_ARGUMENT(8,0): actAs must name at least one party")
        cid = command_id or str(uuid.uuid4())
        wait = opt_timeout if opt_timeout is not None else self._env.timeout_micros("ledger_command")
        try:
            return self._admin.ledger.submit(
                items,
                list(act_as),
                cid,
                synchronizer_id,
                DEFAULT_USER_ID if user_id is None else user_id,
                submission_id or None,
                deduplication_period,
                wait,
                read_as=list(read_as),
                as_user=user_id is not None,
            )
        except CantonError as e:
            if not e.context:
                raise
            context = ", ".join(f"{k} -> {v}" for k, v in e.context.items())
            raise CommandFailure(f"{render_canton_error(e, self._node_name)}\n  Context: Map({context})") from None

    @command
    def submit(
        self,
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())],
        commands: Any,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        workflow_id: Annotated[str, _WORKFLOW_ID] = "",
        command_id: Annotated[str, a.Text("a command id string")] = "",
        opt_timeout: Annotated[int | None, a.Optional(a.Duration(allow_zero=False))] = None,
        deduplication_period: Annotated[int | None, a.Optional(a.Duration())] = None,
        submission_id: Annotated[str, a.Text("a submission id")] = "",
        min_ledger_time_abs: Annotated[Any, _MIN_LEDGER_TIME] = None,
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        disclosed_contracts: Annotated[Any, _DISCLOSED] = None,
        user_id: Annotated[str | None, a.Optional(a.Text("a user id"))] = None,
        user_package_selection_preference: Annotated[Any, _PACKAGE_PREFERENCE] = None,
    ) -> TransactionTree:
        """Submit command and wait for the resulting transaction, returning the transaction tree or failing otherwise

        actAs: the parties acting; commands: ledger_api_utils.create/exercise commands; commandId
        identifies the change for deduplication together with the user id and act-as parties: a
        change accepted within the deduplication period (7 days unless deduplicationPeriod says
        otherwise) is refused with DUPLICATE_COMMAND, one still in flight with
        SUBMISSION_ALREADY_IN_FLIGHT; after a rejection or a timeout, resubmitting is safe.
        optTimeout: how long to wait for the transaction (the ledger command timeout unless given).
        userId: the Ledger API user submitting (CantonConsole unless given); readAs: parties whose
        data the submission may read. As in Canton, the console sends its requests with the
        participant's admin token, which may act and read as any party; where the participant's
        ledger API authorizes by JWT (ledger-api.auth-services), a submission naming a userId is
        sent as that user instead, and refused with PERMISSION_DENIED unless the user's rights
        cover actAs (CanActAs) and readAs (CanReadAs, CanActAs or CanReadAsAnyParty).
        workflowId, minLedgerTimeAbs, disclosedContracts and userPackageSelectionPreference are
        refused unless left at their defaults."""
        tx = self._submit("submit", act_as, commands, synchronizer_id, command_id, opt_timeout, deduplication_period, submission_id, read_as, user_id)
        return _tree(tx, set(act_as) | set(read_as))

    @command
    def submit_flat(
        self,
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())],
        commands: Any,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        workflow_id: Annotated[str, _WORKFLOW_ID] = "",
        command_id: Annotated[str, a.Text("a command id string")] = "",
        opt_timeout: Annotated[int | None, a.Optional(a.Duration(allow_zero=False))] = None,
        deduplication_period: Annotated[int | None, a.Optional(a.Duration())] = None,
        submission_id: Annotated[str, a.Text("a submission id")] = "",
        min_ledger_time_abs: Annotated[Any, _MIN_LEDGER_TIME] = None,
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        disclosed_contracts: Annotated[Any, _DISCLOSED] = None,
        user_id: Annotated[str | None, a.Optional(a.Text("a user id"))] = None,
        user_package_selection_preference: Annotated[Any, _PACKAGE_PREFERENCE] = None,
    ) -> Transaction:
        """Submit command and wait for the resulting transaction, returning the flattened transaction or failing otherwise

        As submit, but returns the flat transaction: the contracts created and archived, shown to
        their stakeholders among actAs and readAs."""
        tx = self._submit("submit_flat", act_as, commands, synchronizer_id, command_id, opt_timeout, deduplication_period, submission_id, read_as, user_id)
        return _flat(tx, set(act_as) | set(read_as))

    @command
    def submit_async(
        self,
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())],
        commands: Any,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        workflow_id: Annotated[str, _WORKFLOW_ID] = "",
        command_id: Annotated[str, a.Text("a command id string")] = "",
        deduplication_period: Annotated[int | None, a.Optional(a.Duration())] = None,
        submission_id: Annotated[str, a.Text("a submission id")] = "",
        min_ledger_time_abs: Annotated[Any, _MIN_LEDGER_TIME] = None,
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        disclosed_contracts: Annotated[Any, _DISCLOSED] = None,
        user_id: Annotated[str | None, a.Optional(a.Text("a user id"))] = None,
        user_package_selection_preference: Annotated[Any, _PACKAGE_PREFERENCE] = None,
    ) -> None:
        """Submit command asynchronously

        Sends the command and returns once it is interpreted and on its way; its outcome shows in
        the ledger (updates, the active contracts). Failures of interpretation and deduplication
        are raised."""
        import uuid

        items = self._commands("submit_async", commands)
        if not act_as:
            raise CommandFailure("INVALID_ARGUMENT(8,0): actAs must name at least one party")
        self._admin.ledger.submit_async(
            items,
            list(act_as),
            command_id or str(uuid.uuid4()),
            synchronizer_id,
            DEFAULT_USER_ID if user_id is None else user_id,
            submission_id or None,
            deduplication_period,
            read_as=list(read_as),
            as_user=user_id is not None,
        )


def _template_filter(templates: Any) -> set[str]:
    """Template ids (``Identifier``, ``pkg:Module:Entity`` or ``Module:Entity``) as Module:Entity."""
    result = set()
    for t in templates:
        if isinstance(t, (Identifier, CreatedEvent)):
            t = t if isinstance(t, Identifier) else t.templateId
            if ledger.package_by_id(t.packageId) is None:
                raise CantonError(ledger.PACKAGE_NOT_FOUND, f"Could not find package {t.packageId}")
            result.add(t.moduleEntity)
        elif isinstance(t, str):
            parts = t.split(":")
            if len(parts) == 3:
                probe = ledger.CreateCommand(f"{parts[1]}:{parts[2]}", {}, parts[0])
                result.add(ledger.command_template(probe).id)
            else:
                result.add(ledger.template(t).id)
        else:
            raise ArgumentError(f"filterTemplates: expected template ids, got {t!r}")
    return result


_LIMIT = a.Int(1, "a positive whole number (e.g. 10 or PositiveInt.tryCreate(10))", maximum=a.INT_MAX)
_INCLUDE_BLOB = Unsupported("created event blobs (explicit disclosure) are not supported")


class AcsGroup(NodeGroup):
    """Read active contracts"""

    scala_name = "LedgerApiAdministration$ledger_api$state$acs$"

    def _entries(self, parties: list[str] | None, limit: int, filter_templates: Any, active_at: int | None, result_filter: Any) -> Vector:
        wanted = _template_filter(filter_templates or ())
        entries = self._admin.ledger.contract_entries(parties, active_at)
        result = []
        for e in entries:
            if wanted and e.contract.template_id not in wanted:
                continue
            wrapped = _entry(e, None if parties is None else set(parties))
            if result_filter is not None and not result_filter(wrapped):
                continue
            result.append(wrapped)
            if len(result) >= limit:
                break
        return TypedVector("WrappedContractEntry", *result)

    @command
    def of_party(
        self,
        party: Annotated[str, a.PartyArg()],
        limit: Annotated[int, _LIMIT] = 1000,
        verbose: Annotated[bool, a.Bool()] = True,
        filter_templates: Annotated[Any, a.SeqOf(a.Text("a template id"))] = (),
        active_at_offset_o: Annotated[int | None, a.Optional(a.Int(0, "a non-negative offset"))] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        include_created_event_blob: Annotated[Any, _INCLUDE_BLOB] = None,
        result_filter: Annotated[Any, a.Function("a function WrappedContractEntry => Boolean")] = None,
    ) -> Vector:
        """List the set of active contract entries of a given party

        party: for which party you want to load the acs; limit: at most this many entries;
        verbose: whether the events carry field labels (this console's always do);
        filterTemplates: template ids to filter for (empty: every template); activeAtOffsetO: the
        offset of the snapshot, at most the ledger end (OFFSET_AFTER_LEDGER_END otherwise), the
        ledger end unless given; timeout: the maximum wait (the store answers at once);
        resultFilter: a filter of the entries, applied before the limit."""
        del verbose, timeout  # the console's events always carry labels; the store answers at once
        return self._entries([party], limit, filter_templates, active_at_offset_o, result_filter)

    @command
    def active_contracts_of_party(
        self,
        party: Annotated[str, a.PartyArg()],
        limit: Annotated[int, _LIMIT] = 1000,
        verbose: Annotated[bool, a.Bool()] = True,
        filter_templates: Annotated[Any, a.SeqOf(a.Text("a template id"))] = (),
        active_at_offset_o: Annotated[int | None, a.Optional(a.Int(0, "a non-negative offset"))] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        include_created_event_blob: Annotated[Any, _INCLUDE_BLOB] = None,
    ) -> Vector:
        """List the set of active contracts of a given party

        As of_party, returning the Ledger API's ActiveContract values."""
        del verbose, timeout
        return TypedVector("ActiveContract", *[w.entry for w in self._entries([party], limit, filter_templates, active_at_offset_o, None)])

    @command
    def of_all(
        self,
        limit: Annotated[int, _LIMIT] = 1000,
        verbose: Annotated[bool, a.Bool()] = True,
        filter_templates: Annotated[Any, a.SeqOf(a.Text("a template id"))] = (),
        active_at_offset_o: Annotated[int | None, a.Optional(a.Int(0, "a non-negative offset"))] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
        include_created_event_blob: Annotated[Any, _INCLUDE_BLOB] = None,
        result_filter: Annotated[Any, a.Function("a function WrappedContractEntry => Boolean")] = None,
    ) -> Vector:
        """List the set of active contracts for all parties hosted on this participant

        Arguments as of_party; identityProviderId: only the parties of this identity provider."""
        del verbose, timeout
        local = [r.party for r in self._admin.ledger.list_known_parties(identity_provider_id) if r.is_local]
        if not local:
            return TypedVector("WrappedContractEntry")
        return self._entries(local, limit, filter_templates, active_at_offset_o, result_filter)

    @command
    def await_active_contract(
        self,
        party: Annotated[str, a.PartyArg()],
        contract_id: Annotated[str, a.Text("a contract id", allow_empty=False)],
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> None:
        """Wait until the party sees the given contract in the active contract service

        Throws an exception if the contract is not found to be active within the given timeout."""
        wait = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        if not _retry_until(wait, lambda: any(e.contract.contract_id == contract_id for e in self._admin.ledger.contract_entries([party], None))):
            raise CommandFailure(f"Condition never became true within {_seconds(wait)}")

    @command
    def find_generic(
        self,
        party_id: Annotated[str, a.PartyArg()],
        filter: Annotated[Any, a.Function("a function WrappedContractEntry => Boolean")],
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> WrappedContractEntry:
        """Generic search for contracts

        Returns the first active contract entry of the party the filter accepts; waits until one
        appears or fails once the timeout elapses."""
        wait = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        found: list[WrappedContractEntry] = []

        def scan() -> bool:
            for e in self._admin.ledger.contract_entries([party_id], None):
                wrapped = _entry(e, {party_id})
                if filter(wrapped):
                    found.append(wrapped)
                    return True
            return False

        if not _retry_until(wait, scan):
            raise CommandFailure(f"Failed to find contract for {PartyId.parse(party_id)}.")
        return found[0]


def _retry_until(timeout_micros: int, condition: Any) -> bool:
    import time

    deadline = time.monotonic() + timeout_micros / 1e6
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _seconds(micros: int) -> str:
    from canton_console.values.timefmt import round_for_humans

    return round_for_humans(micros)


class UpdatesGroup(NodeGroup):
    """Read from update stream"""

    scala_name = "LedgerApiAdministration$ledger_api$updates$"

    def _collect(self, element: str, party_ids: Any, complete_after: int, begin: int, end: int | None, timeout: int | None, result_filter: Any, make: Any) -> Vector:
        parties = {str(p) for p in party_ids}
        wait = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        result: list[Any] = []
        seen = begin
        # the stream as Canton names it in PARTICIPANT_PRUNED_DATA_ACCESSED (checked when it starts)
        stream: str | None = "Updates" if element == "UpdateWrapper" else "Transactions"

        def poll() -> bool:
            nonlocal seen, stream
            txs, stream = self._admin.ledger.transactions(seen, end, stream), None
            for tx in txs:
                seen = tx.offset
                update = make(tx, parties)
                if update is not None and (result_filter is None or result_filter(update)):
                    result.append(update)
                    if len(result) >= complete_after:
                        return True
            return end is not None  # a bounded stream completes at its end

        _retry_until(wait, poll)
        return TypedVector(element, *result[:complete_after])

    @command
    def flat(
        self,
        party_ids: Annotated[Any, a.SeqOf(a.PartyArg())],
        complete_after: Annotated[int, _LIMIT],
        begin_offset_exclusive: Annotated[int, a.Int(0, "a non-negative offset")] = 0,
        end_offset_inclusive: Annotated[int | None, a.Optional(a.Int(0, "a non-negative offset"))] = None,
        verbose: Annotated[bool, a.Bool()] = True,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        result_filter: Annotated[Any, a.Function("a function UpdateWrapper => Boolean")] = None,
        synchronizer_filter: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
    ) -> Vector:
        """Get flat updates

        Collects the flat transactions of partyIds after beginOffsetExclusive (up to
        endOffsetInclusive, if given) until completeAfter have been received or the timeout has
        elapsed. A transaction with no create or archive for the parties is left out."""
        del verbose

        def make(tx: Any, parties: set[str]) -> Any:
            if synchronizer_filter is not None and tx.synchronizer_id != synchronizer_filter:
                return None
            flat_tx = _flat(tx, parties)
            return TransactionWrapper(flat_tx) if len(flat_tx.events) else None

        return self._collect("UpdateWrapper", party_ids, complete_after, begin_offset_exclusive, end_offset_inclusive, timeout, result_filter, make)

    @command
    def trees(
        self,
        party_ids: Annotated[Any, a.SeqOf(a.PartyArg())],
        complete_after: Annotated[int, _LIMIT],
        begin_offset_exclusive: Annotated[int, a.Int(0, "a non-negative offset")] = 0,
        end_offset_inclusive: Annotated[int | None, a.Optional(a.Int(0, "a non-negative offset"))] = None,
        verbose: Annotated[bool, a.Bool()] = True,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        result_filter: Annotated[Any, a.Function("a function UpdateTreeWrapper => Boolean")] = None,
    ) -> Vector:
        """Get update trees

        Collects the transaction trees of partyIds after beginOffsetExclusive (up to
        endOffsetInclusive, if given) until completeAfter have been received or the timeout has
        elapsed."""
        del verbose

        def make(tx: Any, parties: set[str]) -> Any:
            tree = _tree(tx, parties)
            return TransactionTreeWrapper(tree) if len(tree.eventsById) else None

        return self._collect("UpdateTreeWrapper", party_ids, complete_after, begin_offset_exclusive, end_offset_inclusive, timeout, result_filter, make)

    @command
    def by_id(self, parties: Annotated[Any, a.SeqOf(a.PartyArg())], id: Annotated[str, a.Text("an update id")]) -> Any:
        """Get a (tree) transaction by its ID

        None if the transaction is not (yet) known at the participant or has no event for the parties."""
        from canton_console.values.scala import NONE, Some

        wanted = {str(p) for p in parties}
        for tx in self._admin.ledger.transactions(0, None):
            if tx.update_id == id:
                tree = _tree(tx, wanted)
                return Some(tree) if len(tree.eventsById) else NONE
        return NONE


class StateGroup(NodeGroup):
    """Read the ledger state"""

    scala_name = "LedgerApiAdministration$ledger_api$state$"

    @command
    def end(self) -> int:
        """Read the current ledger end offset of this participant"""
        from canton_console.values.scala import ScalaLong

        return ScalaLong(self._admin.ledger.ledger_end())  # Canton: Long



TESTING = "Testing"


def _annotations(value: Any) -> ScalaMap:
    if not isinstance(value, dict):
        raise TypeError(f"annotations must be a Map of strings to strings, got {value!r}")
    return ScalaMap((str(k), str(v)) for k, v in value.items())


@attrs.frozen
class PartyDetails:
    """A party as the Ledger API's party management service returns it (Canton's
    ``admin.api.client.data.parties.PartyDetails``); ``copy(...)`` makes a changed copy, as
    ``parties.update``'s modifier does (``_.copy(annotations = Map("k" -> "v"))``)."""

    party: PartyId
    isLocal: bool
    annotations: ScalaMap = attrs.field(converter=_annotations, hash=False)
    identityProviderId: str

    canton_type = "PartyDetails"

    def copy(self, **changes: Any) -> "PartyDetails":
        unknown = [k for k in changes if k not in attrs.fields_dict(PartyDetails)]
        if unknown:
            raise TypeError(f"PartyDetails.copy: unknown field {', '.join(unknown)}; fields are {', '.join(attrs.fields_dict(PartyDetails))}")
        return attrs.evolve(self, **changes)

    def __pretty__(self):
        return klass(
            "PartyDetails",
            param("party", self.party),
            param("isLocal", self.isLocal),
            param("annotations", self.annotations),
            param("identityProviderId", self.identityProviderId),
        )


def _party_details(record: Any) -> PartyDetails:
    return PartyDetails(PartyId.parse(record.party), record.is_local, dict(record.annotations), record.identity_provider_id)


class ModifyingNonModifiablePartyDetailsPropertiesError(RuntimeError):
    """``parties.update``'s modifier changed a property other than the annotations."""

    java_exception = "com.digitalasset.canton.admin.api.client.data.parties.ModifyingNonModifiablePartyDetailsPropertiesError"

    def __init__(self) -> None:
        super().__init__("MODIFYING_AN_UNMODIFIABLE_PARTY_DETAILS_PROPERTY_ERROR")


class StringMapArg(Arg):
    expects = 'a Map of strings to strings, e.g. Map("k" -> "v")'

    def convert(self, value: Any, ctx: CallContext) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ctx.wrong_type(self.expects, value)
        return dict(value)


class PartiesGroup(NodeGroup):
    """Manage parties through the Ledger API"""

    scala_name = "LedgerApiAdministration$ledger_api$parties$"

    def _run(self, fn: Any) -> Any:
        try:
            return fn()
        except CantonError as e:
            raise CommandFailure(render_canton_error(e, self._node_name)) from None

    @command(feature=TESTING)
    def allocate(
        self,
        party: Annotated[str, a.Text("a party name hint such as \"alice\"")],
        annotations: Annotated[dict, StringMapArg()] = {},  # noqa: B006 - never mutated
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
    ) -> PartyDetails:
        """Allocate a new party

        Allocates a new party on the ledger, hosted by this participant in its namespace.
        party: a hint for generating the party identifier; annotations: key-value pairs associated
        with this party and stored locally on this Ledger API server; identityProviderId: identity
        provider id."""
        timeout = self._env.timeout_micros("ledger_command")
        record = self._run(lambda: self._admin.ledger.allocate_party(party, builtins_list(annotations.items()), identity_provider_id, timeout))
        return _party_details(record)

    @command(feature=TESTING)
    def list(self, identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "") -> Vector:
        """List parties known by the Ledger API server

        identityProviderId: only the parties of this identity provider ("" every party)."""
        return TypedVector("PartyDetails", *[_party_details(r) for r in self._run(lambda: self._admin.ledger.list_known_parties(identity_provider_id))])

    @command(feature=TESTING)
    def get(
        self,
        parties: Annotated[Any, a.SeqOf(a.PartyArg())],
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
        fail_on_not_found: Annotated[bool, a.Bool()] = True,
    ) -> ScalaMap:
        """Get party details for known parties

        Get party details for parties known by the Ledger API server for the given identity provider."""
        found = self._run(lambda: self._admin.ledger.get_parties(parties, identity_provider_id))
        if fail_on_not_found and len(found) != len(set(parties)):
            missing = [p for p in parties if p not in {r.party for r in found}]
            raise CommandFailure(f"PARTY_NOT_FOUND(11,0): Party not found: {', '.join(missing)}")
        return ScalaMap((PartyId.parse(r.party), _party_details(r)) for r in found)

    @command(feature=TESTING)
    def update(
        self,
        party: Annotated[str, a.PartyArg()],
        modifier: Annotated[Any, a.Function("a function PartyDetails => PartyDetails, e.g. _.copy(annotations = Map(\"k\" -> \"v\"))")],
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
    ) -> PartyDetails:
        """Update participant-local party details

        Currently you can update only the annotations. You cannot update other party attributes.
        party: party to be updated; modifier: a function to modify the party details, e.g.:
        `partyDetails => { partyDetails.copy(annotations = partyDetails.annotations.updated("a", "b").removed("c")) }`;
        identityProviderId: identity provider id"""
        found = self._run(lambda: self._admin.ledger.get_parties([party], identity_provider_id))
        if not found:
            raise CommandFailure(f"PARTY_NOT_FOUND: {PartyId.parse(party).uid.short}")
        source = _party_details(found[0])
        modified = modifier(source)
        if not isinstance(modified, PartyDetails):
            raise ArgumentError(f"{self._path}.update: the modifier must return a PartyDetails (e.g. _.copy(annotations = Map(\"k\" -> \"v\"))), got {modified!r}")
        if modified.copy(annotations=source.annotations) != source:
            raise ModifyingNonModifiablePartyDetailsPropertiesError()
        # Canton's makeAnnotationsUpdate: the changed and new keys, and the removed ones with ""
        update = {k: v for k, v in modified.annotations.items() if source.annotations.get(k) != v}
        update.update({k: "" for k in source.annotations if k not in modified.annotations})
        record = self._run(lambda: self._admin.ledger.update_party(party, builtins_list(update.items()), found[0].resource_version, identity_provider_id))
        return _party_details(record)

    @command(feature=TESTING)
    def update_idp(
        self,
        party: Annotated[str, a.PartyArg()],
        source_identity_provider_id: Annotated[str, a.Text("the party's identity provider id")],
        target_identity_provider_id: Annotated[str, a.Text("the new identity provider id")],
    ) -> None:
        """Update party's identity provider id"""
        self._run(lambda: self._admin.ledger.update_party_idp(party, source_identity_provider_id, target_identity_provider_id))


builtins_list = list


class LedgerApiGroup(NodeGroup):
    """Group of commands that access the ledger-api"""

    scala_name = "LedgerApiAdministration$ledger_api$"


subgroup(ParticipantReference, "ledger_api")(LedgerApiGroup)
subgroup(LedgerApiGroup, "commands")(CommandsGroup)
subgroup(LedgerApiGroup, "state")(StateGroup)
subgroup(StateGroup, "acs")(AcsGroup)
subgroup(LedgerApiGroup, "parties")(PartiesGroup)
subgroup(LedgerApiGroup, "updates")(UpdatesGroup)
