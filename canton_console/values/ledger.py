"""A small built-in contract model: templates with signatories, observers and choices, and the
interpretation of Ledger API commands into a transaction of creates and exercises.

Two templates are built in: Canton's admin workflow ``Canton.Internal.Ping:Ping`` and an IOU
(``Iou:Iou`` with issuer, owner and amount, and a ``Transfer`` choice), so parties do real work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import attrs

from canton_console.values import errors
from canton_console.values.errors import CantonError


@attrs.frozen
class Choice:
    name: str
    consuming: bool
    controllers: Callable[[dict, dict], list[str]]
    # Effect: the contracts the choice creates, as (template id, arguments).
    effect: Callable[[dict, dict], list[tuple[str, dict]]]


@attrs.frozen
class Template:
    id: str
    fields: tuple[str, ...]
    signatories: Callable[[dict], list[str]]
    observers: Callable[[dict], list[str]]
    choices: dict[str, Choice]

    def check_arguments(self, arguments: dict[str, Any]) -> None:
        missing = [f for f in self.fields if f not in arguments]
        extra = [f for f in arguments if f not in self.fields]
        if missing or extra:
            raise CantonError(
                errors.INVALID_ARGUMENT,
                f"Template {self.id} takes the fields {', '.join(self.fields)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(extra)}" if extra else ""),
            )


def _iou_transfer_effect(args: dict, choice_args: dict) -> list[tuple[str, dict]]:
    new_owner = choice_args.get("newOwner")
    if not isinstance(new_owner, str) or "::" not in new_owner:
        raise CantonError(errors.INVALID_ARGUMENT, "Transfer needs newOwner, a party id")
    return [("Iou:Iou", {"issuer": args["issuer"], "owner": new_owner, "amount": args["amount"]})]


PING = Template(
    id="Canton.Internal.Ping:Ping",
    fields=("id", "initiator", "responder"),
    signatories=lambda a: [a["initiator"]],
    observers=lambda a: [a["responder"]],
    choices={
        "Respond": Choice("Respond", True, lambda a, c: [a["responder"]], lambda a, c: []),
        "AbortPing": Choice("AbortPing", True, lambda a, c: [a["initiator"]], lambda a, c: []),
    },
)

IOU = Template(
    id="Iou:Iou",
    fields=("issuer", "owner", "amount"),
    signatories=lambda a: [a["issuer"]],
    observers=lambda a: [a["owner"]],
    choices={
        "Transfer": Choice("Transfer", True, lambda a, c: [a["owner"]], _iou_transfer_effect),
        "Archive": Choice("Archive", True, lambda a, c: [a["issuer"]], lambda a, c: []),
    },
)

TEMPLATES = {t.id: t for t in (PING, IOU)}
TEMPLATE_ALIASES = {"Ping": PING.id, "Iou": IOU.id, "Iou:Iou": IOU.id, PING.id: PING.id}


def template(template_id: str) -> Template:
    resolved = TEMPLATE_ALIASES.get(template_id, template_id)
    if resolved not in TEMPLATES:
        raise CantonError(
            errors.INVALID_ARGUMENT,
            f"Unknown template '{template_id}'; the built-in templates are {', '.join(sorted(TEMPLATES))}",
        )
    return TEMPLATES[resolved]


@attrs.frozen
class CreateCommand:
    """``template_id``: ``Module:Entity``; ``package_id``: the package it names (Canton's
    ``ledger_api_utils.create(packageId, module, template, arguments)``), None when the template
    was named alone (this console's ``create("Iou:Iou", arguments)``)."""

    template_id: str
    arguments: dict[str, Any]
    package_id: str | None = None


@attrs.frozen
class ExerciseCommand:
    template_id: str
    contract_id: str
    choice: str
    argument: dict[str, Any]
    package_id: str | None = None


# Canton's RequestValidationErrors.NotFound.Package and CommandExecutionErrors.Preprocessing.
PACKAGE_NOT_FOUND = errors.ErrorCode("PACKAGE_NOT_FOUND", errors.ErrorCategory.InvalidGivenCurrentSystemStateResourceMissing)
COMMAND_PREPROCESSING_FAILED = errors.ErrorCode("COMMAND_PREPROCESSING_FAILED", errors.ErrorCategory.InvalidIndependentOfSystemState)
OFFSET_AFTER_LEDGER_END = errors.ErrorCode("OFFSET_AFTER_LEDGER_END", errors.ErrorCategory.InvalidGivenCurrentSystemStateSeekAfterEnd)
WRONGLY_TYPED_CONTRACT = errors.ErrorCode("WRONGLY_TYPED_CONTRACT", errors.ErrorCategory.InvalidGivenCurrentSystemStateOther)


def command_template(command: CreateCommand | ExerciseCommand) -> Template:
    """The template a command names, as the participant's command interpretation resolves it: an
    unknown package fails with PACKAGE_NOT_FOUND, a module or template the package does not have
    with COMMAND_PREPROCESSING_FAILED."""
    if command.package_id is None:
        return template(command.template_id)
    package = package_by_id(command.package_id)
    if package is None:
        raise CantonError(PACKAGE_NOT_FOUND, f"Couldn't find package {command.package_id} while looking for template {command.package_id}:{command.template_id}")
    if command.template_id not in package.templates:
        raise CantonError(COMMAND_PREPROCESSING_FAILED, f"unknown template {command.package_id}:{command.template_id}")
    return TEMPLATES[command.template_id]


def check_offset(offset_type: str, offset: int, ledger_end: int) -> None:
    """Canton's ParticipantOffsetValidator.offsetIsBeforeEnd."""
    if offset > ledger_end:
        raise CantonError(OFFSET_AFTER_LEDGER_END, f"{offset_type} offset ({offset}) is after ledger end ({ledger_end})")


def package_of_template(template_id: str) -> Package:
    """The built-in package that holds a template."""
    resolved = template(template_id).id
    return next(p for p in BUILTIN_PACKAGES if resolved in p.templates)


@attrs.frozen
class ContractEntry:
    """An active contract with where and when it became active (the ACS service's view)."""

    contract: Contract
    synchronizer_id: str
    created_offset: int


@attrs.frozen
class Contract:
    contract_id: str
    template_id: str
    arguments: dict[str, Any]
    signatories: tuple[str, ...]
    observers: tuple[str, ...]

    @property
    def stakeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.signatories + self.observers))


def contract_id_for(seed: str, index: int) -> str:
    return "00" + hashlib.sha256(f"{seed}/{index}".encode()).hexdigest()


def new_contract(template_id: str, arguments: dict[str, Any], seed: str, index: int) -> Contract:
    t = template(template_id)
    t.check_arguments(arguments)
    return Contract(contract_id_for(seed, index), t.id, dict(arguments), tuple(t.signatories(arguments)), tuple(t.observers(arguments)))


def contract_to_dict(c: Contract) -> dict[str, Any]:
    return {
        "contract_id": c.contract_id,
        "template_id": c.template_id,
        "arguments": c.arguments,
        "signatories": list(c.signatories),
        "observers": list(c.observers),
    }


def confirming_parties(nodes: list[dict[str, Any]], submitting_admin_party: str | None) -> list[str]:
    """The parties whose participants must confirm a transaction, in first-seen order: Canton 3.3's
    rule (``TransactionViewDecompositionFactory``) is the signatories of every node, the actors of
    every exercise and the submitting participant's admin party. Observers are plain informees:
    they see the transaction but do not confirm it."""
    parties: dict[str, None] = {}
    if submitting_admin_party:
        parties[submitting_admin_party] = None
    for node in nodes:
        if node["kind"] == "create":
            parties.update(dict.fromkeys(node["contract"]["signatories"]))
        else:
            # Views stored before exercise nodes carried their signatories have the stakeholders only.
            parties.update(dict.fromkeys(node.get("signatories", node["stakeholders"])))
            parties.update(dict.fromkeys(node["actors"]))
    return list(parties)




# ---- packages --------------------------------------------------------------------------------


@attrs.frozen
class Package:
    """A Daml package as this console has them: built in, with the templates above. Its id stands in
    for Daml's package id (a hash of the package; here of its name, version and templates)."""

    name: str
    version: str
    templates: tuple[str, ...]

    @property
    def id(self) -> str:
        return hashlib.sha256(f"canton-console package {self.name} {self.version}: {', '.join(self.templates)}".encode()).hexdigest()


# Canton's AdminWorkflows package holds the Ping template; the IOU sits in a package of its own.
BUILTIN_PACKAGES: tuple[Package, ...] = (
    Package("AdminWorkflows", "3.3.0", ("Canton.Internal.Ping:Ping",)),
    Package("iou", "0.0.1", ("Iou:Iou",)),
)


def package_by_id(package_id: str) -> Package | None:
    return next((p for p in BUILTIN_PACKAGES if p.id == package_id), None)
