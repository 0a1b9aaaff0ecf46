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
    command,
    render_canton_error,
    subgroup,
    top_level,
)
from canton_console.console.references import ParticipantReference
from canton_console.pretty import Apply, Infix, Literal, klass, param, to_tree
from canton_console.values import ledger
from canton_console.values.errors import CantonError
from canton_console.values.ids import PartyId
from canton_console.values.scala import ScalaMap, Vector


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


@top_level("ledger_api_utils", "Ledger Api Utils", "Utilities to build Ledger API commands (create, exercise)")
class LedgerApiUtils(Group):
    """Utilities to build Ledger API commands (create, exercise)"""

    scala_name = "ConsoleMacros$ledger_api_utils$"

    @command(needs_running=False)
    def create(self, template_id: Annotated[str, a.Text("a template id such as \"Iou:Iou\"", allow_empty=False)], arguments: Any) -> ledger.CreateCommand:
        """Build a create command: create("Iou:Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> 100))"""
        if not isinstance(arguments, dict):
            raise ArgumentError(f"ledger_api_utils.create: arguments must be a map of field names to values, got {type(arguments).__name__}")
        t = ledger.template(template_id)
        plain = _plain(arguments)
        t.check_arguments(plain)
        return ledger.CreateCommand(t.id, plain)

    @command(needs_running=False)
    def exercise(
        self,
        template_id: Annotated[str, a.Text("a template id", allow_empty=False)],
        choice: Annotated[str, a.Text("a choice name such as \"Transfer\"", allow_empty=False)],
        arguments: Any,
        contract_id: Annotated[str, a.Text("a contract id", allow_empty=False)],
    ) -> ledger.ExerciseCommand:
        """Build an exercise command: exercise("Iou:Iou", "Transfer", Map("newOwner" -> bob), contractId)"""
        if not isinstance(arguments, dict):
            raise ArgumentError(f"ledger_api_utils.exercise: arguments must be a map, got {type(arguments).__name__}")
        t = ledger.template(template_id)
        if choice not in t.choices:
            raise CommandFailure(f"INVALID_ARGUMENT(8,0): Template {t.id} has no choice {choice}; choices: {', '.join(t.choices)}")
        return ledger.ExerciseCommand(t.id, contract_id, choice, _plain(arguments))


@attrs.frozen
class TransactionView:
    """A committed transaction as ``submit`` returns it."""

    updateId: str
    offset: int
    synchronizerId: str
    commandId: str
    events: tuple

    canton_type = "Transaction"

    def __pretty__(self):
        return klass(
            "Transaction",
            param("updateId", self.updateId),
            param("commandId", self.commandId),
            param("offset", self.offset),
            param("events", Apply("Vector", tuple(_event_tree(e) for e in self.events))),
        )

    @property
    def created(self) -> Vector:
        """The contracts this transaction created"""
        return Vector(*[ActiveContract.of(e["created"]) for e in self.events if "created" in e])


def _event_tree(event: dict) -> Any:
    if "created" in event:
        c = event["created"]
        return klass("CreatedEvent", param("contractId", c["contract_id"]), param("templateId", c["template_id"]), param("arguments", _args_tree(c["arguments"])))
    x = event["exercised"]
    return klass("ExercisedEvent", param("contractId", x["contract_id"]), param("templateId", x["template_id"]), param("choice", x["choice"]), param("consuming", x["consuming"]))


def _args_tree(arguments: dict) -> Any:
    return Apply("Record", tuple(Infix(Literal(k), "=", to_tree(v)) for k, v in arguments.items()))


@attrs.frozen
class ActiveContract:
    contractId: str
    templateId: str
    arguments: dict = attrs.field(eq=False, hash=False)
    signatories: tuple = ()
    observers: tuple = ()

    canton_type = "WrappedContractEntry"

    @classmethod
    def of(cls, c: dict) -> "ActiveContract":
        return cls(c["contract_id"], c["template_id"], c["arguments"], tuple(c["signatories"]), tuple(c["observers"]))

    @property
    def contract_id(self) -> str:
        return self.contractId

    def __pretty__(self):
        return klass("ActiveContract", param("contractId", self.contractId), param("templateId", self.templateId), param("arguments", _args_tree(self.arguments)))


# The user id of the console's Ledger API requests when the command names none (Canton's
# LedgerApiCommands.defaultUserId; a console configured with a user token would use its user).
DEFAULT_USER_ID = "CantonConsole"


class CommandsGroup(NodeGroup):
    """Submit commands"""

    scala_name = "LedgerApiAdministration$ledger_api$commands$"

    @command
    def submit(
        self,
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())],
        commands: Any,
        command_id: Annotated[str, a.Text("a command id string")] = "",
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        user_id: Annotated[str | None, a.Optional(a.Text("a user id"))] = None,
        submission_id: Annotated[str, a.Text("a submission id")] = "",
        deduplication_period: Annotated[int | None, a.Optional(a.Duration())] = None,
        timeout: Annotated[int | None, a.Optional(a.Duration(allow_zero=False))] = None,
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
    ) -> TransactionView:
        """Submit a command and wait for the resulting transaction

        act_as: the parties acting; commands: ledger_api_utils.create/exercise commands; commandId
        identifies the change for deduplication together with the user id and act-as parties: a
        change accepted within the deduplication period (7 days unless deduplicationPeriod says
        otherwise) is refused with DUPLICATE_COMMAND, one still in flight with
        SUBMISSION_ALREADY_IN_FLIGHT; after a rejection or a timeout, resubmitting is safe.
        userId: the Ledger API user submitting (CantonConsole unless given); readAs: parties whose
        data the submission may read. As in Canton, the console sends its requests with the
        participant's admin token, which may act and read as any party; where the participant's
        ledger API authorizes by JWT (ledger-api.auth-services), a submission naming a userId is
        sent as that user instead, and refused with PERMISSION_DENIED unless the user's rights
        cover actAs (CanActAs) and readAs (CanReadAs, CanActAs or CanReadAsAnyParty)."""
        import uuid

        items = commands if isinstance(commands, (list, tuple)) else [commands]
        if not items or not all(isinstance(c, (ledger.CreateCommand, ledger.ExerciseCommand)) for c in items):
            raise ArgumentError("ledger_api.commands.submit: commands must be a Seq of ledger_api_utils.create(...) / exercise(...) commands")
        if not act_as:
            raise CommandFailure("INVALID_ARGUMENT(8,0): actAs must name at least one party")
        cid = command_id or str(uuid.uuid4())
        wait = timeout if timeout is not None else self._env.timeout_micros("ledger_command")
        try:
            tx = self._admin.ledger.submit(
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
        return TransactionView(tx.update_id, tx.offset, tx.synchronizer_id, tx.command_id, tx.events)


class AcsGroup(NodeGroup):
    """Active contract service"""

    scala_name = "LedgerApiAdministration$ledger_api$state$acs$"

    @command
    def of_party(self, party: Annotated[str, a.PartyArg()], filter_template: Annotated[str | None, a.Optional(a.Text("a template id"))] = None) -> Vector:
        """List the active contracts of a party"""
        contracts = self._admin.ledger.active_contracts(party, filter_template)
        return Vector(*[ActiveContract(c.contract_id, c.template_id, c.arguments, c.signatories, c.observers) for c in contracts])

    @command
    def of_all(self) -> Vector:
        """List all active contracts this participant stores"""
        contracts = self._admin.ledger.active_contracts(None, None)
        return Vector(*[ActiveContract(c.contract_id, c.template_id, c.arguments, c.signatories, c.observers) for c in contracts])


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


class PartyDetailsSeq(Vector):
    """Canton's ``Seq[PartyDetails]`` (also when empty)."""

    @property
    def canton_type(self) -> str:
        return "Seq[PartyDetails]"


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
        return PartyDetailsSeq(*[_party_details(r) for r in self._run(lambda: self._admin.ledger.list_known_parties(identity_provider_id))])

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
