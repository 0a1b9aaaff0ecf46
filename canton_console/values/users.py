"""The Ledger API's users, user rights and identity provider configurations as Canton's console
returns them (``admin.api.client.data.User``, ``UserRights``, ``UsersPage``;
``ledger.api.IdentityProviderConfig``), and the protobuf ``FieldMask`` that
``identity_provider_config.update`` takes. They render as Canton's case classes do in the console:
``User(id = "alice", primaryParty = Some(value = alice::1220...), ...)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from canton_console.pretty import Apply, klass, param, to_tree
from canton_console.values.ids import PartyId
from canton_console.values.scala import NONE, Option, ScalaMap, ScalaSet, Seq, Some, Vector


def _party(value: Any) -> PartyId:
    if isinstance(value, PartyId):
        return value
    if isinstance(value, str):
        return PartyId.parse(value)
    raise TypeError(f"expected a party id, got {value!r}")


def _optional_party(value: Any) -> Option:
    """``primaryParty`` as Canton's ``Option[PartyId]``: an Option, a party, its text or None."""
    if isinstance(value, Option):
        return Some(_party(value.get)) if value.isDefined else NONE
    return NONE if value is None else Some(_party(value))


def _annotations(value: Any) -> ScalaMap:
    if not isinstance(value, dict):
        raise TypeError(f"annotations must be a Map of strings to strings, got {value!r}")
    return ScalaMap((str(k), str(v)) for k, v in value.items())


def _parties(value: Iterable[Any]) -> ScalaSet:
    return ScalaSet(*[_party(p) for p in value])


@attrs.frozen(eq=True)
class User:
    """A Ledger API user as the console shows it; ``copy(...)`` makes a changed copy, as
    ``users.update``'s modifier does (``user => user.copy(isDeactivated = true)``)."""

    id: str
    primaryParty: Option = attrs.field(converter=_optional_party)
    isDeactivated: bool
    annotations: ScalaMap = attrs.field(converter=_annotations, hash=False)
    identityProviderId: str

    canton_type = "User"

    def copy(self, **changes: Any) -> "User":
        """A copy with the given fields changed (Scala's case class ``copy``)."""
        unknown = [k for k in changes if k not in attrs.fields_dict(User)]
        if unknown:
            raise TypeError(f"User.copy: unknown field {', '.join(unknown)}; fields are {', '.join(attrs.fields_dict(User))}")
        return attrs.evolve(self, **changes)

    def __pretty__(self):
        return klass(
            "User",
            param("id", self.id),
            param("primaryParty", self.primaryParty),
            param("isDeactivated", self.isDeactivated),
            param("annotations", self.annotations),
            param("identityProviderId", self.identityProviderId),
        )


@attrs.frozen
class UserRights:
    """The rights of a user (or the rights a grant or revoke changed), folded as Canton folds the
    Ledger API's list of rights."""

    actAs: ScalaSet = attrs.field(converter=_parties, eq=False, hash=False)
    readAs: ScalaSet = attrs.field(converter=_parties, eq=False, hash=False)
    executeAs: ScalaSet = attrs.field(converter=_parties, eq=False, hash=False)
    readAsAnyParty: bool = False
    executeAsAnyParty: bool = False
    participantAdmin: bool = False
    identityProviderAdmin: bool = False

    canton_type = "UserRights"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UserRights):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in attrs.fields(UserRights))

    def __hash__(self) -> int:
        return hash((frozenset(map(str, self.actAs)), frozenset(map(str, self.readAs)), self.participantAdmin))

    def __pretty__(self):
        return klass(
            "UserRights",
            param("actAs", self.actAs),
            param("readAs", self.readAs),
            param("executeAs", self.executeAs),
            param("readAsAnyParty", self.readAsAnyParty),
            param("executeAsAnyParty", self.executeAsAnyParty),
            param("participantAdmin", self.participantAdmin),
            param("identityProviderAdmin", self.identityProviderAdmin),
        )


@attrs.frozen
class UsersPage:
    """A page of ``users.list``: the users and the token of the next page (empty on the last)."""

    users: Vector = attrs.field(eq=False, hash=False)
    nextPageToken: str

    canton_type = "UsersPage"

    def __pretty__(self):
        return klass("UsersPage", param("users", self.users), param("nextPageToken", self.nextPageToken))


@attrs.frozen
class IdentityProviderId:
    """``IdentityProviderId.Id``: the id of a non-default identity provider."""

    value: str

    canton_type = "Id"

    def __str__(self) -> str:
        return self.value

    def __pretty__(self):
        return klass("Id", param("value", self.value))


@attrs.frozen
class JwksUrl:
    """The URL of an identity provider's JSON Web Key Set."""

    value: str

    canton_type = "JwksUrl"

    def __str__(self) -> str:
        return self.value

    def __pretty__(self):
        return klass("JwksUrl", param("value", self.value))


@attrs.frozen
class IdentityProviderConfig:
    """An identity provider configuration (Canton's ``ledger.api.IdentityProviderConfig``)."""

    identityProviderId: IdentityProviderId
    isDeactivated: bool
    jwksUrl: JwksUrl
    issuer: str
    audience: Option

    canton_type = "IdentityProviderConfig"

    def __pretty__(self):
        return klass(
            "IdentityProviderConfig",
            param("identityProviderId", self.identityProviderId),
            param("isDeactivated", self.isDeactivated),
            param("jwksUrl", self.jwksUrl),
            param("issuer", self.issuer),
            param("audience", self.audience),
        )


class FieldMask:
    """Protobuf's ``FieldMask``: the field paths an update changes, e.g. ``FieldMask(Seq("is_deactivated"))``."""

    canton_type = "FieldMask"

    def __init__(self, paths: Any = ()):
        if isinstance(paths, str) or not isinstance(paths, (list, tuple)):
            raise TypeError(f"FieldMask(paths): expected a Seq of field paths such as Seq(\"is_deactivated\"), got {paths!r}")
        if not all(isinstance(p, str) for p in paths):
            raise TypeError(f"FieldMask(paths): the paths must be strings, got {list(paths)!r}")
        self.paths = Seq(*paths)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldMask) and list(self.paths) == list(other.paths)

    def __hash__(self) -> int:
        return hash(tuple(self.paths))

    def __repr__(self) -> str:
        return f"FieldMask({list(self.paths)!r})"

    def __pretty__(self):
        return Apply("FieldMask", (param("paths", Apply("Vector", tuple(to_tree(p) for p in self.paths))),))
