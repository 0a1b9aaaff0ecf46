"""The Ledger API's update format (``com.daml.ledger.api.v2.transaction_filter``), which
``ledger_api.updates.update_by_id`` / ``update_by_offset`` take, as the console builds it:

    UpdateFormat(includeTransactions = Some(TransactionFormat(
      eventFormat = Some(EventFormat(filtersByParty = Map(alice.toProtoPrimitive -> Filters(Seq())))),
      transactionShape = TransactionShape.TRANSACTION_SHAPE_ACS_DELTA)))

Each class takes its fields by name or position with scalapb's defaults; ``resolve_update_format``
checks one as Canton's FormatValidator does and reduces it to what selects a transaction's events."""

from __future__ import annotations

from typing import Any

import attrs

from canton_console.pretty import Literal, klass, param
from canton_console.values.ids import PartyId
from canton_console.values.scala import NONE, Option, ScalaMap, Seq


def _opt(value: Any) -> Option:
    if isinstance(value, Option):
        return value
    return NONE if value is None else Option(value, True)


def _party_key(key: Any) -> str:
    return str(key) if isinstance(key, PartyId) else key


def _filters_map(value: Any) -> ScalaMap:
    if not isinstance(value, dict):
        raise TypeError(f"filtersByParty must be a Map of parties to Filters, got {value!r}")
    return ScalaMap((_party_key(k), v) for k, v in value.items())


class TransactionShape(str):
    """``TransactionShape``: ``TRANSACTION_SHAPE_ACS_DELTA`` (creates and archives, to their
    stakeholders) or ``TRANSACTION_SHAPE_LEDGER_EFFECTS`` (every event, to its informees)."""

    canton_type = "TransactionShape"

    def __pretty__(self):
        return Literal(str(self))


TRANSACTION_SHAPE_UNSPECIFIED = TransactionShape("TRANSACTION_SHAPE_UNSPECIFIED")
TRANSACTION_SHAPE_ACS_DELTA = TransactionShape("TRANSACTION_SHAPE_ACS_DELTA")
TRANSACTION_SHAPE_LEDGER_EFFECTS = TransactionShape("TRANSACTION_SHAPE_LEDGER_EFFECTS")


class TransactionShapeCompanion:
    """``TransactionShape``'s companion: its values by name."""

    canton_type = "TransactionShape.type"
    TRANSACTION_SHAPE_UNSPECIFIED = TRANSACTION_SHAPE_UNSPECIFIED
    TRANSACTION_SHAPE_ACS_DELTA = TRANSACTION_SHAPE_ACS_DELTA
    TRANSACTION_SHAPE_LEDGER_EFFECTS = TRANSACTION_SHAPE_LEDGER_EFFECTS


@attrs.frozen
class WildcardFilter:
    includeCreatedEventBlob: bool = False

    canton_type = "WildcardFilter"

    def __pretty__(self):
        return klass("WildcardFilter", param("includeCreatedEventBlob", self.includeCreatedEventBlob))


@attrs.frozen
class TemplateFilter:
    """A filter on one template (``templateId``: ``Some(Identifier(packageId, moduleName, entityName))``)."""

    templateId: Option = attrs.field(default=NONE, converter=_opt)
    includeCreatedEventBlob: bool = False

    canton_type = "TemplateFilter"

    def __pretty__(self):
        return klass("TemplateFilter", param("templateId", self.templateId), param("includeCreatedEventBlob", self.includeCreatedEventBlob))


@attrs.frozen
class InterfaceFilter:
    interfaceId: Option = attrs.field(default=NONE, converter=_opt)
    includeInterfaceView: bool = False
    includeCreatedEventBlob: bool = False

    canton_type = "InterfaceFilter"


@attrs.frozen
class _IdentifierFilterCase:
    """One case of ``CumulativeFilter.IdentifierFilter`` (scalapb's oneof): its name and value."""

    case: str
    value: Any

    def __pretty__(self):
        return klass(self.case, param("value", self.value))


class IdentifierFilter:
    """``CumulativeFilter.IdentifierFilter``: ``WildcardFilter(...)``, ``TemplateFilter(...)``,
    ``InterfaceFilter(...)`` or ``Empty``."""

    Empty = _IdentifierFilterCase("Empty", None)

    @staticmethod
    def WildcardFilter(value: Any) -> _IdentifierFilterCase:  # noqa: N802 - scalapb's name
        return _IdentifierFilterCase("WildcardFilter", value)

    @staticmethod
    def TemplateFilter(value: Any) -> _IdentifierFilterCase:  # noqa: N802 - scalapb's name
        return _IdentifierFilterCase("TemplateFilter", value)

    @staticmethod
    def InterfaceFilter(value: Any) -> _IdentifierFilterCase:  # noqa: N802 - scalapb's name
        return _IdentifierFilterCase("InterfaceFilter", value)


@attrs.frozen
class CumulativeFilter:
    identifierFilter: Any = IdentifierFilter.Empty

    canton_type = "CumulativeFilter"
    IdentifierFilter = IdentifierFilter

    def __pretty__(self):
        return klass("CumulativeFilter", param("identifierFilter", self.identifierFilter))


@attrs.frozen
class Filters:
    """A party's filters: ``Filters(Seq())`` (or ``Filters(Nil)``) selects every template."""

    cumulative: Seq = attrs.field(default=Seq(), converter=lambda v: Seq(*v))

    canton_type = "Filters"

    def __pretty__(self):
        return klass("Filters", param("cumulative", self.cumulative))


@attrs.frozen
class EventFormat:
    filtersByParty: ScalaMap = attrs.field(factory=ScalaMap, converter=_filters_map)
    filtersForAnyParty: Option = attrs.field(default=NONE, converter=_opt)
    verbose: bool = False

    canton_type = "EventFormat"

    def __pretty__(self):
        return klass("EventFormat", param("filtersByParty", self.filtersByParty), param("filtersForAnyParty", self.filtersForAnyParty), param("verbose", self.verbose))


@attrs.frozen
class TransactionFormat:
    eventFormat: Option = attrs.field(default=NONE, converter=_opt)
    transactionShape: TransactionShape = TRANSACTION_SHAPE_UNSPECIFIED

    canton_type = "TransactionFormat"

    def __pretty__(self):
        return klass("TransactionFormat", param("eventFormat", self.eventFormat), param("transactionShape", self.transactionShape))


@attrs.frozen
class ParticipantAuthorizationTopologyFormat:
    parties: Seq = attrs.field(default=Seq(), converter=lambda v: Seq(*[_party_key(p) for p in v]))

    canton_type = "ParticipantAuthorizationTopologyFormat"


@attrs.frozen
class TopologyFormat:
    includeParticipantAuthorizationEvents: Option = attrs.field(default=NONE, converter=_opt)

    canton_type = "TopologyFormat"


@attrs.frozen
class UpdateFormat:
    includeTransactions: Option = attrs.field(default=NONE, converter=_opt)
    includeReassignments: Option = attrs.field(default=NONE, converter=_opt)
    includeTopologyEvents: Option = attrs.field(default=NONE, converter=_opt)

    canton_type = "UpdateFormat"

    def __pretty__(self):
        return klass(
            "UpdateFormat",
            param("includeTransactions", self.includeTransactions),
            param("includeReassignments", self.includeReassignments),
            param("includeTopologyEvents", self.includeTopologyEvents),
        )


# ---- what selects a transaction's events -------------------------------------------------------------


@attrs.frozen
class PartyTemplates:
    """The templates one party's filters select: None for every template."""

    templates: frozenset[str] | None


@attrs.frozen
class TransactionSelection:
    """A validated transaction format: the shape, the templates each party's filters select, and
    those selected for any party (None: no filter for any party)."""

    ledger_effects: bool
    by_party: tuple[tuple[str, PartyTemplates], ...]
    any_party: PartyTemplates | None
    verbose: bool
    interfaces: tuple[str, ...] = ()  # the interface ids the filters name

    def selects(self, party: str, template_id: str) -> bool:
        """Whether the event of ``template_id`` (``pkg:Module:Entity``) is shown to ``party``."""
        for p, wanted in self.by_party:
            if p == party and (wanted.templates is None or template_id in wanted.templates):
                return True
        return self.any_party is not None and (self.any_party.templates is None or template_id in self.any_party.templates)


class FormatProblem(Exception):
    """A format Canton's FormatValidator refuses: ``kind`` is ``missing`` (``detail``: the field)
    or ``invalid`` (``detail``: why)."""

    def __init__(self, kind: str, detail: str):
        self.kind = kind
        self.detail = detail
        super().__init__(detail)


def _templates(filters: Any, interfaces: list[str]) -> PartyTemplates:
    """The templates a party's filters select; the interface ids they name go to ``interfaces``."""
    if not isinstance(filters, Filters):
        raise FormatProblem("invalid", f"a Filters value was expected, got {filters!r}")
    templates: set[str] = set()
    wildcard = not filters.cumulative  # no cumulative filter: every template
    for item in filters.cumulative:
        case = item.identifierFilter if isinstance(item, CumulativeFilter) else None
        if case is None or case.case == "Empty" or case.case == "WildcardFilter":
            wildcard = True
        elif case.case == "TemplateFilter":
            template_id = case.value.templateId if isinstance(case.value, TemplateFilter) else NONE
            if not template_id.isDefined:
                raise FormatProblem("missing", "template_id")
            templates.add(str(template_id.get))
        else:
            interface_id = case.value.interfaceId if isinstance(case.value, InterfaceFilter) else NONE
            if not interface_id.isDefined:
                raise FormatProblem("missing", "interface_id")
            interfaces.append(str(interface_id.get))
    return PartyTemplates(None if wildcard else frozenset(templates))


def unknown_identifiers(selection: TransactionSelection, known_template: Any) -> str | None:
    """Canton's checkUnknownIdentifiers: the cause of TEMPLATES_OR_INTERFACES_NOT_FOUND for the
    template ids no package has and the interface ids (the built-in packages define no interface),
    or None."""
    wanted = [t for _, p in selection.by_party for t in sorted(p.templates or ())]
    if selection.any_party is not None:
        wanted.extend(sorted(selection.any_party.templates or ()))
    templates = [t for t in dict.fromkeys(wanted) if not known_template(t)]
    interfaces = list(dict.fromkeys(selection.interfaces))
    text = (f"Templates do not exist: [{', '.join(templates)}]. " if templates else "") + (
        f"Interfaces do not exist: [{', '.join(interfaces)}]. " if interfaces else ""
    )
    return text.strip() or None


def resolve_transaction_format(update_format: Any, is_party: Any) -> TransactionSelection | None:
    """Canton's FormatValidator over an UpdateFormat's transaction part: None when the format asks
    for no transactions; FormatProblem for what Canton refuses. ``is_party(text)`` says whether a
    text is a well-formed party."""
    if not isinstance(update_format, UpdateFormat):
        raise FormatProblem("invalid", f"an UpdateFormat was expected, got {update_format!r}")
    if not update_format.includeTransactions.isDefined:
        return None
    tx_format = update_format.includeTransactions.get
    if not isinstance(tx_format, TransactionFormat):
        raise FormatProblem("invalid", f"includeTransactions must be a TransactionFormat, got {tx_format!r}")
    if tx_format.transactionShape == TRANSACTION_SHAPE_UNSPECIFIED:
        raise FormatProblem("missing", "transaction_shape")
    if tx_format.transactionShape not in (TRANSACTION_SHAPE_ACS_DELTA, TRANSACTION_SHAPE_LEDGER_EFFECTS):
        raise FormatProblem("invalid", f"transaction_shape is defined with invalid value {tx_format.transactionShape}")
    if not tx_format.eventFormat.isDefined:
        raise FormatProblem("missing", "event_format")
    event_format = tx_format.eventFormat.get
    if not isinstance(event_format, EventFormat):
        raise FormatProblem("invalid", f"eventFormat must be an EventFormat, got {event_format!r}")
    if not event_format.filtersByParty and not event_format.filtersForAnyParty.isDefined:
        raise FormatProblem("invalid", "filtersByParty and filtersForAnyParty cannot be empty simultaneously")
    by_party = []
    interfaces: list[str] = []
    for party, filters in event_format.filtersByParty.items():
        problem = is_party(party)
        if problem:
            raise FormatProblem("invalid", problem)
        by_party.append((party, _templates(filters, interfaces)))
    any_party = _templates(event_format.filtersForAnyParty.get, interfaces) if event_format.filtersForAnyParty.isDefined else None
    return TransactionSelection(
        tx_format.transactionShape == TRANSACTION_SHAPE_LEDGER_EFFECTS, tuple(by_party), any_party, bool(event_format.verbose), tuple(interfaces)
    )

