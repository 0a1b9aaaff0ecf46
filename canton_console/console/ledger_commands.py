"""The Ledger API from the console: ``ledger_api_utils.create/exercise`` build commands,
``participant.ledger_api.commands.submit`` runs them through sequencer and mediator, and
``ledger_api.state`` reads the ledger end and the active contracts."""

from __future__ import annotations

from typing import Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import (
    CommandFailure,
    Group,
    command,
    group,
    render_canton_error,
)
from canton_console.console.references import _RefGroupBase
from canton_console.console.scalalib import Vector
from canton_console.pretty import Apply, Infix, Literal, klass, param, to_tree
from canton_console.runtime import ledger
from canton_console.runtime.scheduler import wait_future
from canton_console.values.errors import CantonError
from canton_console.values.ids import PartyId


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


class LedgerApiUtils(Group):
    """Utilities to build Ledger API commands (create, exercise)"""

    scala_name = "ConsoleMacros$ledger_api_utils$"

    @command(needs_running=False)
    def create(self, template_id: a.Text("a template id such as \"Iou:Iou\"", allow_empty=False), arguments: Any) -> ledger.CreateCommand:
        """Build a create command: create("Iou:Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> 100))"""
        if not isinstance(arguments, dict):
            raise a.ArgumentError(f"ledger_api_utils.create: arguments must be a map of field names to values, got {type(arguments).__name__}")
        t = ledger.template(template_id)
        plain = _plain(arguments)
        t.check_arguments(plain)
        return ledger.CreateCommand(t.id, plain)

    @command(needs_running=False)
    def exercise(
        self,
        template_id: a.Text("a template id", allow_empty=False),
        choice: a.Text("a choice name such as \"Transfer\"", allow_empty=False),
        arguments: Any,
        contract_id: a.Text("a contract id", allow_empty=False),
    ) -> ledger.ExerciseCommand:
        """Build an exercise command: exercise("Iou:Iou", "Transfer", Map("newOwner" -> bob), contractId)"""
        if not isinstance(arguments, dict):
            raise a.ArgumentError(f"ledger_api_utils.exercise: arguments must be a map, got {type(arguments).__name__}")
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


class CommandsGroup(_RefGroupBase):
    """Submit commands"""

    scala_name = "LedgerApiAdministration$ledger_api$commands$"

    @command
    def submit(
        self,
        act_as: a.SeqOf(a.PartyArg()),
        commands: Any,
        command_id: a.Text("a command id string") = "",
        synchronizer_id: a.Optional(a.SynchronizerIdArg()) = None,
        user_id: a.Text("a user id") = "",
        submission_id: a.Text("a submission id") = "",
        deduplication_period: a.Optional(a.Duration()) = None,
        timeout: a.Optional(a.Duration(allow_zero=False)) = None,
    ) -> TransactionView:
        """Submit a command and wait for the resulting transaction

        act_as: the parties acting; commands: ledger_api_utils.create/exercise commands; commandId
        identifies the change for deduplication together with the user id and act-as parties: a
        change accepted within the deduplication period (7 days unless deduplicationPeriod says
        otherwise) is refused with DUPLICATE_COMMAND, one still in flight with
        SUBMISSION_ALREADY_IN_FLIGHT; after a rejection or a timeout, resubmitting is safe."""
        import uuid

        items = commands if isinstance(commands, (list, tuple)) else [commands]
        if not items or not all(isinstance(c, (ledger.CreateCommand, ledger.ExerciseCommand)) for c in items):
            raise a.ArgumentError("ledger_api.commands.submit: commands must be a Seq of ledger_api_utils.create(...) / exercise(...) commands")
        if not act_as:
            raise CommandFailure("INVALID_ARGUMENT(8,0): actAs must name at least one party")
        env = self._env
        node = self._node
        submit = getattr(node, "submit_command", None)
        cid = command_id or str(uuid.uuid4())
        if submit is not None:
            try:
                future = env.call(submit, items, list(act_as), cid, synchronizer_id, user_id, submission_id or None, deduplication_period)
            except CantonError as e:
                if not e.context:
                    raise
                context = ", ".join(f"{k} -> {v}" for k, v in e.context.items())
                raise CommandFailure(f"{render_canton_error(e, node)}\n  Context: Map({context})") from None
        else:
            future = env.call(lambda: node.submit(items, act_as=list(act_as), command_id=cid, synchronizer_id=synchronizer_id))
        wait_s = (timeout if timeout is not None else int(env.config.parameters.timeouts.ledger_command.total_seconds() * 1e6)) / 1e6
        try:
            tx = wait_future(future, wait_s)
        except TimeoutError:
            raise CommandFailure(
                f"Request failed for {node.name}.\n  GrpcClientGaveUp: DEADLINE_EXCEEDED/Timed out while awaiting the completion of command {cid}",
            ) from None
        return TransactionView(tx.update_id, tx.offset, tx.synchronizer_id, tx.command_id, tx.events)


class AcsGroup(_RefGroupBase):
    """Active contract service"""

    scala_name = "LedgerApiAdministration$ledger_api$state$acs$"

    @command
    def of_party(self, party: a.PartyArg(), filter_template: a.Optional(a.Text("a template id")) = None) -> Vector:
        """List the active contracts of a party"""
        contracts = self._env.call(self._node.active_contracts, party, filter_template)
        return Vector(*[ActiveContract(c.contract_id, c.template_id, c.arguments, c.signatories, c.observers) for c in contracts])

    @command
    def of_all(self) -> Vector:
        """List all active contracts this participant stores"""
        contracts = self._env.call(self._node.active_contracts, None, None)
        return Vector(*[ActiveContract(c.contract_id, c.template_id, c.arguments, c.signatories, c.observers) for c in contracts])


class StateGroup(_RefGroupBase):
    """Read the ledger state"""

    scala_name = "LedgerApiAdministration$ledger_api$state$"

    @command
    def end(self) -> int:
        """Read the current ledger end offset of this participant"""
        from canton_console.console.scalalib import ScalaLong

        return ScalaLong(self._env.call(lambda: self._node.ledger_end))  # Canton: Long

    @group("Active contract service")
    def acs(self) -> AcsGroup:
        return AcsGroup(self._ref, f"{self._path}.acs")


class LedgerApiGroup(_RefGroupBase):
    """Group of commands that access the ledger-api"""

    scala_name = "LedgerApiAdministration$ledger_api$"

    @group("Submit commands")
    def commands(self) -> CommandsGroup:
        return CommandsGroup(self._ref, f"{self._path}.commands")

    @group("Read the ledger state")
    def state(self) -> StateGroup:
        return StateGroup(self._ref, f"{self._path}.state")
