"""``participant.ledger_api.users`` (with ``users.rights``) and
``participant.ledger_api.identity_provider_config``: the Ledger API's user management and identity
provider configurations, as Canton 3.3's console has them.

Like Canton's, these are testing commands (``FeatureFlag.Testing``): they run when the console
enables them, ``canton.features.enable-testing-commands = yes`` (the default configuration does, as
Canton's simple topology example does). Results render as Canton's console shows them
(``User(...)``, ``UserRights(...)``, ``UsersPage(...)``, ``IdentityProviderConfig(...)``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from canton_console.admin.records import IdentityProviderConfigRecord, LedgerApiUser, UserRight
from canton_console.console import args as a
from canton_console.console.commands.ledger_api import LedgerApiGroup
from canton_console.console.framework import Arg, ArgumentError, CallContext, NodeGroup, command, subgroup
from canton_console.values.ids import PartyId
from canton_console.values.refined import InvalidValue
from canton_console.values.scala import NONE, ScalaMap, Some, Vector
from canton_console.values.users import FieldMask, IdentityProviderConfig, IdentityProviderId, JwksUrl, User, UserRights, UsersPage

TESTING = "Testing"


class StringMap(Arg):
    """A ``Map[String, String]`` (e.g. annotations): a Scala ``Map("k" -> "v")`` or a Python dict."""

    expects = 'a Map of strings to strings, e.g. Map("k" -> "v")'

    def convert(self, value: Any, ctx: CallContext) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ctx.wrong_type(self.expects, value)
        return dict(value)


class FieldMaskArg(Arg):
    expects = 'a FieldMask, e.g. FieldMask(Seq("is_deactivated"))'

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        if not isinstance(value, FieldMask):
            raise ctx.wrong_type(self.expects, value)
        return list(value.paths)


class ModifyingNonModifiableUserPropertiesError(RuntimeError):
    """``users.update``'s modifier changed a property other than primaryParty, isDeactivated and
    annotations (Canton's exception of the same name)."""

    java_exception = "com.digitalasset.canton.admin.api.client.data.ModifyingNonModifiableUserPropertiesError"

    def __init__(self) -> None:
        super().__init__("MODIFYING_AN_UNMODIFIABLE_USER_PROPERTY_ERROR")


# A parameter Scala declares without a default after one with a default (``jwksUrl`` after
# ``isDeactivated = false``): required, but Python needs a default there.
_REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "<required>"})()


def _require(command: str, **values: Any) -> None:
    missing = [name for name, value in values.items() if value is _REQUIRED]
    if missing:
        raise ArgumentError(f"{command}: missing argument {', '.join(repr(m) for m in missing)}")


def _rights_of(act_as: Sequence[str], read_as: Sequence[str], execute_as: Sequence[str], participant_admin: bool, identity_provider_admin: bool,
               read_as_any_party: bool, execute_as_any_party: bool) -> list[UserRight]:
    """The Ledger API rights the console's arguments stand for, in Canton's order (``HasRights.getRights``)."""
    rights = [UserRight("CanActAs", p) for p in act_as]
    rights += [UserRight("CanReadAs", p) for p in read_as]
    rights += [UserRight("CanExecuteAs", p) for p in execute_as]
    flags = (
        (participant_admin, "ParticipantAdmin"),
        (identity_provider_admin, "IdentityProviderAdmin"),
        (read_as_any_party, "CanReadAsAnyParty"),
        (execute_as_any_party, "CanExecuteAsAnyParty"),
    )
    rights += [UserRight(kind) for flag, kind in flags if flag]
    return rights


def user_rights(rights: Sequence[UserRight]) -> UserRights:
    """Fold the Ledger API's list of rights as Canton's ``UserRights.fromProtoV0`` does."""

    def parties(kind: str) -> list[PartyId]:
        return [PartyId.parse(r.party) for r in rights if r.kind == kind and r.party is not None]

    kinds = {r.kind for r in rights}
    return UserRights(
        actAs=parties("CanActAs"),
        readAs=parties("CanReadAs"),
        executeAs=parties("CanExecuteAs"),
        readAsAnyParty="CanReadAsAnyParty" in kinds,
        executeAsAnyParty="CanExecuteAsAnyParty" in kinds,
        participantAdmin="ParticipantAdmin" in kinds,
        identityProviderAdmin="IdentityProviderAdmin" in kinds,
    )


def console_user(user: LedgerApiUser) -> User:
    """``User.fromLapiUser``: the console's view of a Ledger API user."""
    primary = Some(PartyId.parse(user.primary_party)) if user.primary_party else NONE
    return User(user.id, primary, user.is_deactivated, ScalaMap(user.annotations), user.identity_provider_id)


def console_idp(config: IdentityProviderConfigRecord) -> IdentityProviderConfig:
    """``IdentityProviderConfigClient.fromProtoConfig``."""
    audience = Some(config.audience) if config.audience and config.audience.strip() else NONE
    return IdentityProviderConfig(IdentityProviderId(config.identity_provider_id), config.is_deactivated, JwksUrl(config.jwks_url), config.issuer, audience)


def _ledger_string(text: str) -> str:
    """``Ref.LedgerString.assertFromString``, as the console checks identity provider ids."""
    if not text:
        raise InvalidValue("Daml-LF Ledger String is empty")
    if len(text) > 255:
        raise InvalidValue("Daml-LF Ledger String is too long (max: 255)")
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-#/ ")
    for c in text:
        if c not in allowed:
            raise InvalidValue(f'non expected character 0x{ord(c):x} in Daml-LF Ledger String "{text}"')
    return text


def _jwks_url(text: str) -> str:
    """``JwksUrl.assertFromString``: Java's ``new URI(text).toURL`` must accept it."""
    from urllib.parse import urlsplit

    for i, c in enumerate(text):
        if c in ' "<>\\^`{|}' or ord(c) < 0x21:
            raise InvalidValue(f"Illegal character in path at index {i}: {text}")
    scheme = urlsplit(text).scheme.lower()
    if not scheme:
        raise InvalidValue("URI is not absolute")
    if scheme not in ("http", "https", "file", "ftp", "jar", "mailto"):
        raise InvalidValue(f"unknown protocol: {scheme}")
    return text


class UserRightsGroup(NodeGroup):
    """Manage Ledger Api User Rights"""

    scala_name = "LedgerApiAdministration$ledger_api$users$rights$"

    @command(feature=TESTING)
    def grant(
        self,
        id: Annotated[str, a.Text("a user id")],
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        participant_admin: Annotated[bool, a.Bool()] = False,
        identity_provider_admin: Annotated[bool, a.Bool()] = False,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
        read_as_any_party: Annotated[bool, a.Bool()] = False,
        execute_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        execute_as_any_party: Annotated[bool, a.Bool()] = False,
    ) -> UserRights:
        """Grant new rights to a user

        Users are used to dynamically managing the rights given to Daml applications.
        This function is used to grant new rights to an existing user.
        id: the id used to identify the given user
        actAs: the set of parties this user is allowed to act as
        readAs: the set of parties this user is allowed to read as
        participantAdmin: flag (default false) indicating if the user is allowed to use the admin commands of the Ledger Api
        identityProviderAdmin: flag (default false) indicating if the user is allowed to manage users and parties assigned to the same identity provider
        identityProviderId: identity provider id
        readAsAnyParty: flag (default false) indicating if the user is allowed to read as any party
        executeAs: the set of parties for whom this user is allowed to operate interactive submissions
        executeAsAnyParty: flag (default false) indicating if the user is allowed to operate interactive submissions as any party
        Returns the rights the user did not have before."""
        rights = _rights_of(act_as, read_as, execute_as, participant_admin, identity_provider_admin, read_as_any_party, execute_as_any_party)
        return user_rights(self._admin.users.grant(id, rights, identity_provider_id))

    @command(feature=TESTING)
    def revoke(
        self,
        id: Annotated[str, a.Text("a user id")],
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        participant_admin: Annotated[bool, a.Bool()] = False,
        identity_provider_admin: Annotated[bool, a.Bool()] = False,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
        read_as_any_party: Annotated[bool, a.Bool()] = False,
        execute_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        execute_as_any_party: Annotated[bool, a.Bool()] = False,
    ) -> UserRights:
        """Revoke user rights

        Use to revoke specific rights from a user.
        id: the id used to identify the given user
        actAs: the set of parties this user should not be allowed to act as
        readAs: the set of parties this user should not be allowed to read as
        participantAdmin: if set to true, the participant admin rights will be removed
        identityProviderAdmin: if set to true, the identity provider admin rights will be removed
        identityProviderId: identity provider id
        readAsAnyParty: flag (default false) indicating if the user is allowed to read as any party
        executeAs: the set of parties for whom this user is allowed to operate interactive submissions
        executeAsAnyParty: flag (default false) indicating if the user is allowed to operate interactive submissions as any party
        Returns the rights the user had and no longer has."""
        rights = _rights_of(act_as, read_as, execute_as, participant_admin, identity_provider_admin, read_as_any_party, execute_as_any_party)
        return user_rights(self._admin.users.revoke(id, rights, identity_provider_id))

    @command(feature=TESTING)
    def list(self, id: Annotated[str, a.Text("a user id")], identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "") -> UserRights:
        """List rights of a user

        Lists the rights of a user, or the rights of the current user.
        id: user id
        identityProviderId: identity provider id"""
        return user_rights(self._admin.users.rights(id, identity_provider_id))


class UsersGroup(NodeGroup):
    """Manage Ledger Api Users"""

    scala_name = "LedgerApiAdministration$ledger_api$users$"

    @command(feature=TESTING)
    def create(
        self,
        id: Annotated[str, a.Text("a user id")],
        act_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        primary_party: Annotated[str | None, a.Optional(a.PartyArg())] = None,
        read_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        participant_admin: Annotated[bool, a.Bool()] = False,
        identity_provider_admin: Annotated[bool, a.Bool()] = False,
        is_deactivated: Annotated[bool, a.Bool()] = False,
        annotations: Annotated[dict[str, str], StringMap()] = {},  # noqa: B006 - never mutated; Scala's Map.empty
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
        read_as_any_party: Annotated[bool, a.Bool()] = False,
        execute_as: Annotated[list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        execute_as_any_party: Annotated[bool, a.Bool()] = False,
    ) -> User:
        """Create a user with the given id

        Users are used to dynamically managing the rights given to Daml users.
        They allow us to link a stable local identifier (of an application) with a set of parties.
        id: the id used to identify the given user
        actAs: the set of parties this user is allowed to act as
        primaryParty: the optional party that should be linked to this user by default
        readAs: the set of parties this user is allowed to read as
        participantAdmin: flag (default false) indicating if the user is allowed to use the admin commands of the Ledger Api
        identityProviderAdmin: flag (default false) indicating if the user is allowed to manage users and parties assigned to the same identity provider
        isDeactivated: flag (default false) indicating if the user is active
        annotations: the set of key-value pairs linked to this user
        identityProviderId: identity provider id
        readAsAnyParty: flag (default false) indicating if the user is allowed to read as any party
        executeAs: the set of parties for whom this user is allowed to operate interactive submissions
        executeAsAnyParty: flag (default false) indicating if the user is allowed to operate interactive submissions as any party"""
        rights = _rights_of(act_as, read_as, execute_as, participant_admin, identity_provider_admin, read_as_any_party, execute_as_any_party)
        created = self._admin.users.create(id, primary_party, is_deactivated, tuple(annotations.items()), identity_provider_id, rights)
        return console_user(created)

    @command(feature=TESTING)
    def update(
        self,
        id: Annotated[str, a.Text("a user id")],
        modifier: Annotated[Any, a.Function("a function User => User, e.g. user => user.copy(isDeactivated = true)")],
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
    ) -> User:
        """Update a user

        Currently you can update the annotations, active status and primary party.
        You cannot update other user attributes.
        id: id of the user to be updated
        modifier: a function for modifying the user; e.g: `user => { user.copy(isActive = false, primaryParty = None, annotations = user.annotations.updated("a", "b").removed("c")) }`
        identityProviderId: identity provider id"""
        raw = self._admin.users.get(id, identity_provider_id)
        source = console_user(raw)
        modified = modifier(source)
        if not isinstance(modified, User):
            raise ArgumentError(f"{self._path}.update: the modifier must return a User (e.g. user => user.copy(isDeactivated = true)), got {modified!r}")
        reverted = modified.copy(primaryParty=source.primaryParty, isDeactivated=source.isDeactivated, annotations=source.annotations)
        if reverted != source:
            raise ModifyingNonModifiableUserPropertiesError()
        deletions = {k: "" for k in source.annotations if k not in modified.annotations}
        annotations = tuple({**modified.annotations, **deletions}.items())
        primary = str(modified.primaryParty.get) if modified.primaryParty.isDefined else None
        updated = self._admin.users.update(id, primary, modified.isDeactivated, annotations, raw.resource_version, identity_provider_id)
        return console_user(updated)

    @command(feature=TESTING)
    def get(self, id: Annotated[str, a.Text("a user id")], identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "") -> User:
        """Get the user data of the user with the given id

        Fetch the data associated with the given user id failing if there is no such user.
        You will get the user's primary party, active status and annotations.
        If you need the user rights, use rights.list instead.
        id: user id
        identityProviderId: identity provider id"""
        return console_user(self._admin.users.get(id, identity_provider_id))

    @command(feature=TESTING)
    def delete(self, id: Annotated[str, a.Text("a user id")], identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "") -> None:
        """Delete a user

        Delete a user by id.
        id: user id
        identityProviderId: identity provider id"""
        self._admin.users.delete(id, identity_provider_id)

    @command(feature=TESTING)
    def list(
        self,
        filter_user: Annotated[str, a.Text("a user id prefix")] = "",
        page_token: Annotated[str, a.Text("a page token from a previous page")] = "",
        page_size: Annotated[int, a.Int(-(2**31), "a whole number (an Int)", maximum=a.INT_MAX)] = 100,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")] = "",
    ) -> UsersPage:
        """List users

        List users of this participant node
        filterUser: filter results using the given filter string
        pageToken: used for pagination (the result contains a page token if there are further pages)
        pageSize: default page size before the filter is applied
        identityProviderId: identity provider id"""
        page = self._admin.users.list(page_token, page_size, identity_provider_id)
        users = [console_user(u) for u in page.users if u.id.startswith(filter_user)]
        return UsersPage(Vector(*users), page.next_page_token)

    @command(feature=TESTING)
    def update_idp(
        self,
        id: Annotated[str, a.Text("a user id")],
        source_identity_provider_id: Annotated[str, a.Text("an identity provider id")],
        target_identity_provider_id: Annotated[str, a.Text("an identity provider id")],
    ) -> None:
        """Update user's identity provider id

        Updates user's identity provider id.
        id: the id used to identify the given user
        sourceIdentityProviderId: source identity provider id
        targetIdentityProviderId: target identity provider id"""
        self._admin.users.update_idp(id, source_identity_provider_id, target_identity_provider_id)


class IdentityProviderConfigGroup(NodeGroup):
    """Identity Provider Configuration Management"""

    scala_name = "LedgerApiAdministration$ledger_api$identity_provider_config$"

    @command(feature=TESTING)
    def create(
        self,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")],
        is_deactivated: Annotated[bool, a.Bool()] = False,
        jwks_url: Annotated[str, a.Text("the URL of the provider's JSON Web Key Set")] = _REQUIRED,
        issuer: Annotated[str, a.Text("the issuer of the provider's tokens")] = _REQUIRED,
        audience: Annotated[str | None, a.Optional(a.Text("an audience"))] = _REQUIRED,
    ) -> IdentityProviderConfig:
        """Create a new identity provider configuration

        Create an identity provider configuration. The request will fail if the maximum allowed number of separate configurations is reached."""
        _require(f"{self._path}.create", jwksUrl=jwks_url, issuer=issuer, audience=audience)
        _ledger_string(identity_provider_id)
        _jwks_url(jwks_url)
        return console_idp(self._admin.identity_providers.create(identity_provider_id, is_deactivated, jwks_url, issuer, audience))

    @command(feature=TESTING)
    def update(
        self,
        identity_provider_id: Annotated[str, a.Text("an identity provider id")],
        is_deactivated: Annotated[bool, a.Bool()] = False,
        jwks_url: Annotated[str, a.Text("the URL of the provider's JSON Web Key Set")] = _REQUIRED,
        issuer: Annotated[str, a.Text("the issuer of the provider's tokens")] = _REQUIRED,
        audience: Annotated[str | None, a.Optional(a.Text("an audience"))] = _REQUIRED,
        update_mask: Annotated[list[str], FieldMaskArg()] = _REQUIRED,
    ) -> IdentityProviderConfig:
        """Update an identity provider

        Update identity provider"""
        _require(f"{self._path}.update", jwksUrl=jwks_url, issuer=issuer, audience=audience, updateMask=update_mask)
        _ledger_string(identity_provider_id)
        config = self._admin.identity_providers.update(identity_provider_id, is_deactivated, jwks_url, issuer, audience, update_mask)
        return console_idp(config)

    @command(feature=TESTING)
    def delete(self, identity_provider_id: Annotated[str, a.Text("an identity provider id")]) -> None:
        """Delete an identity provider configuration

        Delete an existing identity provider configuration"""
        self._admin.identity_providers.delete(_ledger_string(identity_provider_id))

    @command(feature=TESTING)
    def get(self, identity_provider_id: Annotated[str, a.Text("an identity provider id")]) -> IdentityProviderConfig:
        """Get an identity provider configuration

        Get identity provider configuration by id"""
        return console_idp(self._admin.identity_providers.get(_ledger_string(identity_provider_id)))

    @command(feature=TESTING)
    def list(self) -> Vector:
        """List identity provider configurations

        List all existing identity provider configurations"""
        return Vector(*[console_idp(c) for c in self._admin.identity_providers.list()])


subgroup(LedgerApiGroup, "users")(UsersGroup)
subgroup(UsersGroup, "rights")(UserRightsGroup)
subgroup(LedgerApiGroup, "identity_provider_config")(IdentityProviderConfigGroup)

__all__ = ["IdentityProviderConfigGroup", "UserRightsGroup", "UsersGroup"]
