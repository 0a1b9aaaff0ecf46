"""Canton's identities as values (``com.digitalasset.canton.topology`` and ``crypto.Fingerprint``).

* ``Fingerprint``: the text of a key's fingerprint (``1220`` + hex SHA-256 for this console's keys).
* ``Namespace(fingerprint)``: the namespace a root key spans.
* ``UniqueIdentifier(identifier, namespace)``: ``identifier::fingerprint``.
* Identities over a unique identifier: ``PartyId``, ``SynchronizerId`` and the ``Member``s
  ``ParticipantId`` (``PAR::``), ``MediatorId`` (``MED::``) and ``SequencerId`` (``SEQ::``).
  (Canton 3.3 has no ``PhysicalSynchronizerId``.)

``str(x)`` is the full proto primitive (``PAR::participant1::1220<64 hex>``), the form the runtime
passes around; pretty output (``__pretty__``) shortens the fingerprint to 12 characters and ``...``
as Canton's pretty printer does. Values are equal only to values of the same type with the same text.

Construction validates, as Canton's ``create``/``tryCreate`` do: an identifier is a non-empty
Daml-LF party string (ASCII letters, digits and ``:-_ ``) of at most 185 characters without ``::``;
a fingerprint the same of at most 68 characters. A bad one raises :class:`InvalidIdentity`, a
``ValueError`` and ``CantonError(INVALID_ARGUMENT, ...)`` that the console shows as Canton's
``java.lang.IllegalArgumentException: <reason>``. ``fromProtoPrimitive`` returns an ``Either``
(``Left(reason)`` or ``Right(id)``) instead of raising.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

import attrs

from canton_console.pretty import Literal
from canton_console.values.either import Either, Left, Right
from canton_console.values.refined import InvalidValue

DELIMITER = "::"
FINGERPRINT_PREFIX = "1220"  # the multihash prefix of SHA-256, which starts this console's fingerprints
SHORT = 12  # characters of a fingerprint pretty output keeps
IDENTIFIER_MAX = 185  # Canton's String185
FINGERPRINT_MAX = 68  # Canton's String68
LF_PARTY_MAX = 255
_LF_PARTY_CHAR = re.compile(r"[A-Za-z0-9:\-_ ]")
_LF_PARTY = re.compile(r"[A-Za-z0-9:\-_ ]+")


class InvalidIdentity(InvalidValue):
    """An id text Canton would refuse: what ``tryCreate``/``tryFromProtoPrimitive`` throw as an
    ``IllegalArgumentException``, with Canton's reason."""


def short_fingerprint(fp: str) -> str:
    """A fingerprint as pretty output shows it (Canton's ``readableHash``): its first 12 characters
    and ``...``, or all of it when it is no longer."""
    return fp if len(fp) <= SHORT else fp[:SHORT] + "..."


def _limit(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n] + "..."


# ---- Canton's string rules -------------------------------------------------------------------


def lf_party_problem(text: str) -> str | None:
    """Why ``text`` is not a Daml-LF party string (``Ref.Party``), or None."""
    if not text:
        return "Daml-LF Party is empty"
    if len(text) > LF_PARTY_MAX:
        return f"Daml-LF Party is too long (max: {LF_PARTY_MAX})"
    if _LF_PARTY.fullmatch(text) is None:
        bad = next(c for c in text if not _LF_PARTY_CHAR.fullmatch(c))
        return f'non expected character 0x{ord(bad):x} in Daml-LF Party "{text}"'
    return None


def _valid_string_problem(text: str) -> str | None:
    """Canton's ``UniqueIdentifier.verifyValidString``: an LF party string without the delimiter."""
    if not isinstance(text, str):
        return f"expected a string, got {type(text).__name__} {text!r}"
    problem = lf_party_problem(text)
    if problem is None and DELIMITER in text:
        problem = f"String contains reserved delimiter `{DELIMITER}`."
    return problem


def _length_problem(text: str, max_length: int, name: str) -> str | None:
    if len(text) <= max_length:
        return None
    return (
        f"The given {name} has a maximum length of {max_length} but a {name} of length {len(text)} "
        f"('{_limit(text, max_length + 50)}.') was given"
    )


def identifier_problem(text: str) -> str | None:
    """Why ``text`` cannot be the identifier part of a unique identifier (Canton's String185), or None."""
    return _valid_string_problem(text) or _length_problem(text, IDENTIFIER_MAX, "string")


def fingerprint_problem(text: str) -> str | None:
    """Why ``text`` cannot be a fingerprint (Canton's String68 in the LF party alphabet), or None."""
    return _valid_string_problem(text) or _length_problem(text, FINGERPRINT_MAX, "Fingerprint")


def _field(field_name: str, reason: str) -> str:
    """Canton's ``ValueConversionError(field, error)`` text."""
    return f"Unable to convert field `{field_name}`: {reason}" if field_name else reason


def _parsing(type_name: str) -> str:
    """The Scala type of a ``fromProtoPrimitive`` result, as the console echoes it."""
    return f"ParsingResult[{type_name}]"


def _raise(result: Either) -> Any:
    if result.isLeft:
        raise InvalidIdentity(result.value)
    return result.value


# ---- Fingerprint and Namespace ----------------------------------------------------------------


@functools.total_ordering
@attrs.frozen(eq=True, order=False, repr=False)
class Fingerprint:
    """A key's fingerprint, Canton's ``Fingerprint``: ``unwrap``/``toProtoPrimitive`` give the text."""

    canton_type: ClassVar[str] = "Fingerprint"

    unwrap: str

    def __attrs_post_init__(self) -> None:
        problem = fingerprint_problem(self.unwrap)
        if problem is not None:
            raise InvalidIdentity(f"Invalid fingerprint {self.unwrap}: {problem}")

    @property
    def toProtoPrimitive(self) -> str:
        return self.unwrap

    @property
    def toLengthLimitedString(self) -> str:
        return self.unwrap

    @classmethod
    def fromProtoPrimitive(cls, text: str) -> Either:
        problem = fingerprint_problem(text)
        if problem is not None:
            return Left(problem, scala_type=_parsing("Fingerprint"))
        return Right(cls(text), scala_type=_parsing("Fingerprint"))

    @classmethod
    def fromString(cls, text: str) -> Either:
        return cls.fromProtoPrimitive(text)

    @classmethod
    def tryFromString(cls, text: str) -> Fingerprint:
        return cls(text)

    tryCreate = tryFromString

    def __str__(self) -> str:
        return self.unwrap

    def __repr__(self) -> str:
        return f"Fingerprint({self.unwrap!r})"

    def __pretty__(self) -> Literal:
        return Literal(short_fingerprint(self.unwrap))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self.unwrap < other.unwrap


def _fingerprint(value: object) -> Fingerprint:
    if isinstance(value, Fingerprint):
        return value
    if isinstance(value, Namespace):
        return value.fingerprint
    if isinstance(value, str):
        return Fingerprint(value)
    raise InvalidIdentity(f"expected a fingerprint, got {type(value).__name__} {value!r}")


@functools.total_ordering
@attrs.frozen(eq=True, order=False, repr=False)
class Namespace:
    """The namespace a key's fingerprint spans (``Namespace(fingerprint)``); built from a
    ``Fingerprint`` or its text."""

    canton_type: ClassVar[str] = "Namespace"

    fingerprint: Fingerprint = attrs.field(converter=_fingerprint)

    @property
    def unwrap(self) -> str:
        return self.fingerprint.unwrap

    @property
    def toProtoPrimitive(self) -> str:
        return self.fingerprint.unwrap

    @property
    def toLengthLimitedString(self) -> str:
        return self.fingerprint.unwrap

    @property
    def filterString(self) -> str:
        return self.fingerprint.unwrap

    def __str__(self) -> str:
        return self.fingerprint.unwrap

    def __repr__(self) -> str:
        return f"Namespace({self.fingerprint.unwrap!r})"

    def __pretty__(self) -> Literal:
        return self.fingerprint.__pretty__()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Namespace):
            return NotImplemented
        return self.unwrap < other.unwrap


def _namespace(value: object) -> Namespace:
    return value if isinstance(value, Namespace) else Namespace(_fingerprint(value))


# ---- UniqueIdentifier -------------------------------------------------------------------------


@functools.total_ordering
@attrs.frozen(eq=True, order=False, repr=False)
class UniqueIdentifier:
    """``identifier::fingerprint``, Canton's ``UniqueIdentifier``. ``UniqueIdentifier(id, ns)`` takes
    the namespace as a ``Namespace``, a ``Fingerprint`` or the fingerprint's text."""

    canton_type: ClassVar[str] = "UniqueIdentifier"
    delimiter: ClassVar[str] = DELIMITER

    identifier: str
    namespace: Namespace = attrs.field(converter=_namespace)

    def __attrs_post_init__(self) -> None:
        problem = identifier_problem(self.identifier)
        if problem is not None:
            raise InvalidIdentity(f"Invalid identifier `{_limit(str(self.identifier), 200)}`: {problem}")

    # --- Canton's members ------------------------------------------------------------------------
    @property
    def toProtoPrimitive(self) -> str:
        return f"{self.identifier}{DELIMITER}{self.namespace.unwrap}"

    toLengthLimitedString = toProtoPrimitive

    @property
    def fingerprint(self) -> Fingerprint:
        return self.namespace.fingerprint

    def tryChangeId(self, id: str) -> UniqueIdentifier:
        return UniqueIdentifier.tryCreate(id, self.namespace)

    def matchesFilters(self, idFilter: str, nsFilterO: object = None) -> bool:
        # a String, Some(String) or None (duck-typed: values/ does not know the console's Option)
        ns_filter: Any = nsFilterO.getOrElse(None) if hasattr(nsFilterO, "getOrElse") else nsFilterO
        if ns_filter is not None:
            return self.identifier == idFilter and self.namespace.unwrap.startswith(ns_filter)
        return self.identifier.startswith(idFilter)

    # --- companion ---------------------------------------------------------------------------------
    @classmethod
    def create(cls, id: str, namespace: object) -> Either:
        """``Right(uid)`` or ``Left(reason)``; ``namespace`` a Namespace, Fingerprint or fingerprint text."""
        try:
            ns = _namespace(namespace)
        except InvalidIdentity as e:
            return Left(e.message)
        problem = identifier_problem(id)
        if problem is not None:
            return Left(problem)
        return Right(cls(id, ns))

    @classmethod
    def tryCreate(cls, id: str, namespace: object) -> UniqueIdentifier:
        return _raise(cls.create(id, namespace))

    @classmethod
    def fromProtoPrimitive_(cls, text: str) -> Either:
        """Canton's parser of ``identifier::fingerprint``: ``Right(uid)`` or ``Left(reason)``."""
        if not isinstance(text, str):
            return Left(f"expected a unique identifier text, got {type(text).__name__} {text!r}")
        pos = text.find(DELIMITER)
        if pos > 0:
            ident, fp = text[:pos], text[pos + len(DELIMITER) :]
            problem = identifier_problem(ident)
            if problem is not None:
                return Left(f"Identifier decoding of `{_limit(text, 200)}` failed with: {problem}")
            problem = fingerprint_problem(fp)
            if problem is not None:
                return Left(f"Fingerprint decoding of `{_limit(text, 200)}` failed with: {problem}")
            return Right(cls(ident, Namespace(Fingerprint(fp))))
        if pos == 0:
            return Left(f"Invalid unique identifier `{text}` with empty identifier.")
        if not text:
            return Left("Empty string is not a valid unique identifier.")
        return Left(f"Invalid unique identifier `{text}` with missing namespace.")

    @classmethod
    def fromProtoPrimitive(cls, uid: str, fieldName: str = "") -> Either:
        return cls.fromProtoPrimitive_(uid).leftMap(lambda e: _field(fieldName, e)).typed(_parsing("UniqueIdentifier"))

    @classmethod
    def tryFromProtoPrimitive(cls, text: str) -> UniqueIdentifier:
        return _raise(cls.fromProtoPrimitive_(text))

    @staticmethod
    def splitFilter(filter: str) -> tuple[str, Any]:
        from canton_console.values.scala import NONE, Some

        items = filter.split(DELIMITER)
        return (items[0], Some(items[1]) if len(items) > 1 else NONE)

    # --- this console's names ----------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> UniqueIdentifier:
        """The unique identifier a text names; ``InvalidIdentity`` (a ValueError) with the reason."""
        return cls.tryFromProtoPrimitive(text)

    @property
    def short(self) -> str:
        """``identifier::122078b471db...``: the pretty form."""
        return f"{self.identifier}{DELIMITER}{short_fingerprint(self.namespace.unwrap)}"

    def __str__(self) -> str:
        return self.toProtoPrimitive

    def __repr__(self) -> str:
        return f"UniqueIdentifier({self.toProtoPrimitive!r})"

    def __pretty__(self) -> Literal:
        return Literal(self.short)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, UniqueIdentifier):
            return NotImplemented
        return self.toProtoPrimitive < other.toProtoPrimitive


def _uid(value: object) -> UniqueIdentifier:
    if isinstance(value, UniqueIdentifier):
        return value
    if isinstance(value, Identity):
        return value.uid
    raise InvalidIdentity(f"expected a UniqueIdentifier, got {type(value).__name__} {value!r}")


# ---- identities -------------------------------------------------------------------------------


@functools.total_ordering
@attrs.frozen(eq=True, order=False, repr=False)
class Identity:
    """An identity over a unique identifier (Canton's ``Identity``): ``uid``, ``namespace``,
    ``fingerprint``, ``identifier``, ``toProtoPrimitive`` and ``filterString``."""

    canton_type: ClassVar[str] = "Identity"

    uid: UniqueIdentifier = attrs.field(converter=_uid)

    @property
    def namespace(self) -> Namespace:
        return self.uid.namespace

    @property
    def fingerprint(self) -> Fingerprint:
        return self.uid.namespace.fingerprint

    @property
    def identifier(self) -> str:
        return self.uid.identifier

    @property
    def toProtoPrimitive(self) -> str:
        return self.uid.toProtoPrimitive

    @property
    def filterString(self) -> str:
        """The text console filters match (the unique identifier's)."""
        return self.uid.toProtoPrimitive

    @classmethod
    def apply(cls, *args: object):
        """Scala's explicit ``PartyId.apply(uid)``: the same as ``PartyId(uid)``."""
        return cls(*args)

    @classmethod
    def fromProtoPrimitive(cls, text: str, fieldName: str = "") -> Either:
        return UniqueIdentifier.fromProtoPrimitive_(text).map(cls).leftMap(lambda e: _field(fieldName, e)).typed(_parsing(cls.canton_type))

    @classmethod
    def tryFromProtoPrimitive(cls, text: str):
        return cls(UniqueIdentifier.tryFromProtoPrimitive(text))

    @classmethod
    def parse(cls, text: str):
        """The id a text names; ``InvalidIdentity`` (a ValueError) with the reason."""
        return cls.tryFromProtoPrimitive(text)

    @property
    def name(self) -> str:
        return self.uid.identifier

    def __str__(self) -> str:
        return self.toProtoPrimitive

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.toProtoPrimitive!r})"

    def __pretty__(self) -> Literal:
        return Literal(self.uid.short)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return self.toProtoPrimitive < other.toProtoPrimitive


@attrs.frozen(eq=True, order=False, repr=False)
class PartyId(Identity):
    """A party: ``Alice::1220…``. ``PartyId(uid)``, ``PartyId.tryCreate("Alice", namespace)``."""

    canton_type: ClassVar[str] = "PartyId"

    @property
    def toLf(self) -> str:
        """The Ledger API's party string (``LfPartyId``)."""
        return self.uid.toProtoPrimitive

    @classmethod
    def tryCreate(cls, identifier: str, namespace: object) -> PartyId:
        return cls(UniqueIdentifier.tryCreate(identifier, namespace))

    @classmethod
    def fromLfParty(cls, lf_party: str) -> Either:
        return UniqueIdentifier.fromProtoPrimitive_(lf_party).map(cls)

    @classmethod
    def tryFromLfParty(cls, lf_party: str) -> PartyId:
        return _raise(cls.fromLfParty(lf_party))

    @classmethod
    def fromProtoPrimitive(cls, text: str, fieldName: str = "") -> Either:
        problem = lf_party_problem(text) if isinstance(text, str) else f"expected a party text, got {text!r}"
        result = Left(problem) if problem else cls.fromLfParty(text)
        return result.leftMap(lambda e: _field(fieldName, e)).typed(_parsing("PartyId"))


@attrs.frozen(eq=True, order=False, repr=False)
class SynchronizerId(Identity):
    """A synchronizer: ``da::1220…``."""

    canton_type: ClassVar[str] = "SynchronizerId"

    @property
    def unwrap(self) -> UniqueIdentifier:
        return self.uid

    @property
    def toLengthLimitedString(self) -> str:
        return self.uid.toProtoPrimitive

    @classmethod
    def fromString(cls, text: str) -> Either:
        return UniqueIdentifier.fromProtoPrimitive_(text).map(cls)

    @classmethod
    def tryFromString(cls, text: str) -> SynchronizerId:
        return cls.tryFromProtoPrimitive(text)


class MemberCode(str):
    """A member's three-letter code (``PAR``, ``MED``, ``SEQ``): text, with Canton's accessors."""

    @property
    def threeLetterId(self) -> str:
        return str(self)

    @property
    def toProtoPrimitive(self) -> str:
        return str(self)


@attrs.frozen(eq=True, order=False, repr=False)
class Member(Identity):
    """A synchronizer member (Canton's ``Member``): ``ParticipantId``, ``MediatorId`` or
    ``SequencerId``, whose text carries the type: ``PAR::participant1::1220…``.
    ``Member.tryFromProtoPrimitive(text)`` gives the right one."""

    canton_type: ClassVar[str] = "Member"
    code: ClassVar[MemberCode]
    description: ClassVar[str]

    @property
    def toProtoPrimitive(self) -> str:
        return f"{self.code}{DELIMITER}{self.uid.toProtoPrimitive}"

    toLengthLimitedString = toProtoPrimitive

    @property
    def member(self) -> Member:
        return self

    @property
    def kind(self) -> str:
        """``participant``, ``mediator`` or ``sequencer`` (Canton's ``description``)."""
        return self.description

    def __pretty__(self) -> Literal:
        return Literal(f"{self.code}{DELIMITER}{self.uid.short}")

    @staticmethod
    def of(code: str, uid: UniqueIdentifier) -> Member:
        """The member of a three-letter code and a unique identifier."""
        try:
            return MEMBER_TYPES[code](uid)
        except KeyError:
            raise InvalidIdentity(f"Unknown three letter type {code}") from None

    @classmethod
    def fromProtoPrimitive_(cls, text: str) -> Either:
        """Canton's ``Member.fromProtoPrimitive_``: ``Right(member)`` of the code's type, or ``Left(reason)``."""
        if not isinstance(text, str):
            return Left(f"expected a member id text, got {type(text).__name__} {text!r}")
        if len(text) <= 3 + 2 * len(DELIMITER):
            return Left(f"Invalid member `{text}`, expecting <three-letter-code>::id::fingerprint.")
        if text[3 : 3 + len(DELIMITER)] != DELIMITER:
            return Left(f"Expected delimiter {DELIMITER} after three letter code of `{text}`")
        code = text[:3]
        if code not in MEMBER_TYPES:
            return Left(f"Unknown three letter type {code}")
        return UniqueIdentifier.fromProtoPrimitive_(text[3 + len(DELIMITER) :]).map(MEMBER_TYPES[code])

    @classmethod
    def fromProtoPrimitive(cls, text: str, fieldName: str = "") -> Either:
        result = Member.fromProtoPrimitive_(text).leftMap(lambda e: _field(fieldName, e))
        if result.isRight and not isinstance(result.value, cls):
            result = Left(_field(fieldName, f"Value {result.value.__pretty__().text} is not of type `{cls.canton_type}`"))
        return result.typed(_parsing(cls.canton_type))

    @classmethod
    def tryFromProtoPrimitive(cls, text: str):
        return _raise(cls.fromProtoPrimitive(text))

    @classmethod
    def parse(cls, text: str):
        """The member a ``PAR::…``/``MED::…``/``SEQ::…`` text names; ``InvalidIdentity`` (a ValueError) otherwise."""
        result = cls.fromProtoPrimitive(text)
        if result.isLeft:
            raise InvalidIdentity(f"'{text}' is not a member id (PAR::…, MED::… or SEQ::…): {result.value}")
        return result.value


@attrs.frozen(eq=True, order=False, repr=False, init=False)
class ParticipantId(Member):
    """A participant: ``PAR::participant1::1220…``. ``ParticipantId(uid)``,
    ``ParticipantId("name", namespace)``, or ``ParticipantId("name")`` (namespace ``default``, as
    Canton's testing constructor)."""

    canton_type: ClassVar[str] = "ParticipantId"
    code: ClassVar[MemberCode] = MemberCode("PAR")
    description: ClassVar[str] = "participant"

    def __init__(self, uid: object, namespace: object = None):
        if isinstance(uid, str):
            uid = UniqueIdentifier.tryCreate(uid, "default" if namespace is None else namespace)
        elif namespace is not None:
            raise InvalidIdentity("ParticipantId(identifier, namespace) needs the identifier as text")
        self.__attrs_init__(uid)

    @property
    def adminParty(self) -> PartyId:
        """The participant's admin party: the party with the participant's unique identifier."""
        return PartyId(self.uid)

    @property
    def toLf(self) -> str:
        """The Ledger API's participant id (the unique identifier's text)."""
        return self.uid.toProtoPrimitive


@attrs.frozen(eq=True, order=False, repr=False)
class MediatorId(Member):
    """A mediator: ``MED::mediator1::1220…``."""

    canton_type: ClassVar[str] = "MediatorId"
    code: ClassVar[MemberCode] = MemberCode("MED")
    description: ClassVar[str] = "mediator"

    @classmethod
    def tryCreate(cls, identifier: str, namespace: object) -> MediatorId:
        return cls(UniqueIdentifier.tryCreate(identifier, namespace))


@attrs.frozen(eq=True, order=False, repr=False)
class SequencerId(Member):
    """A sequencer: ``SEQ::sequencer1::1220…``."""

    canton_type: ClassVar[str] = "SequencerId"
    code: ClassVar[MemberCode] = MemberCode("SEQ")
    description: ClassVar[str] = "sequencer"

    @classmethod
    def tryCreate(cls, identifier: str, namespace: object) -> SequencerId:
        return cls(UniqueIdentifier.tryCreate(identifier, namespace))


MEMBER_TYPES: dict[str, type[Member]] = {"PAR": ParticipantId, "MED": MediatorId, "SEQ": SequencerId}


# ---- compatibility helpers --------------------------------------------------------------------


def participant_id(uid: UniqueIdentifier) -> ParticipantId:
    return ParticipantId(uid)


def mediator_id(uid: UniqueIdentifier) -> MediatorId:
    return MediatorId(uid)


def sequencer_id(uid: UniqueIdentifier) -> SequencerId:
    return SequencerId(uid)


__all__ = [
    "DELIMITER",
    "FINGERPRINT_PREFIX",
    "MEMBER_TYPES",
    "Fingerprint",
    "Identity",
    "InvalidIdentity",
    "MediatorId",
    "Member",
    "MemberCode",
    "Namespace",
    "ParticipantId",
    "PartyId",
    "SequencerId",
    "SynchronizerId",
    "UniqueIdentifier",
    "mediator_id",
    "participant_id",
    "sequencer_id",
    "short_fingerprint",
]
