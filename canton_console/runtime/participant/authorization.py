"""Ledger API authorization of a participant, after Canton's ``AuthInterceptor``,
``UserBasedAuthInterceptor`` and ``Authorizer``.

A request's claims come from its token. With no ``ledger-api.auth-services`` configured (Canton's
default) or a ``wildcard`` one, every request has every claim (``AuthServiceWildcard``); so has a
request with the participant's admin token, which is what Canton's console sends for its local
participants. With a JWT auth service, a user's token is resolved against user management: the
user must exist (in the default identity provider) and be active, and its claims are its rights
(``ParticipantAdmin`` -> admin, ``CanActAs(p)``, ``CanReadAs(p)``, ...).

A command submission then requires: the request's user id to match the token's user (an empty one
is defaulted from it), ``actAs`` claims for every acting party and ``readAs`` claims for every
reading party. A refusal is PERMISSION_DENIED, which the client receives redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from canton_console.runtime.participant.user_management import UserManagement, api_error, permission_denied, user_id_problem
from canton_console.values import errors

# Claims (Canton's Claim ADT), as tuples: ("public",), ("admin",), ("idp_admin",),
# ("act_as_any",), ("read_as_any",), ("execute_as_any",), ("act_as", p), ("read_as", p), ("execute_as", p).
PUBLIC = ("public",)
ADMIN = ("admin",)
ACT_AS_ANY = ("act_as_any",)
READ_AS_ANY = ("read_as_any",)

_RIGHT_CLAIMS = {
    "ParticipantAdmin": lambda p: ADMIN,
    "IdentityProviderAdmin": lambda p: ("idp_admin",),
    "CanActAs": lambda p: ("act_as", p),
    "CanReadAs": lambda p: ("read_as", p),
    "CanExecuteAs": lambda p: ("execute_as", p),
    "CanReadAsAnyParty": lambda p: READ_AS_ANY,
    "CanExecuteAsAnyParty": lambda p: ("execute_as_any",),
}


@attrs.frozen
class Claims:
    """What a request may do (Canton's ``ClaimSet.Claims``); ``user_id`` is set when the claims were
    resolved from a user."""

    claims: frozenset[tuple[str, ...]]
    user_id: str | None = None

    def can_act_as(self, party: str) -> bool:
        return ACT_AS_ANY in self.claims or ("act_as", party) in self.claims

    def can_read_as(self, party: str) -> bool:
        return bool({ACT_AS_ANY, READ_AS_ANY, ("act_as", party), ("read_as", party)} & self.claims)


WILDCARD = Claims(frozenset({PUBLIC, ADMIN, ACT_AS_ANY}))


def request_claims(node: Any, user_id: str, as_user: bool) -> Claims:
    """The claims of a console request: the admin token's (every claim) unless ``as_user`` and the
    participant's Ledger API authorizes by JWT, then the claims of the user ``user_id``."""
    if not as_user or not node.config.ledger_api_uses_jwt:
        return WILDCARD
    return claims_of_user(node, user_id)


def claims_of_user(node: Any, user_id: str) -> Claims:
    """Canton's UserBasedAuthInterceptor: an active user of the default identity provider, and its rights."""
    problem = user_id_problem(user_id)
    if problem:
        raise api_error(errors.INVALID_TOKEN, f"The submitted request is missing a user-id: token {problem}")
    found = UserManagement(node).user_and_rights(user_id)
    if found is None or found[0].identity_provider_id:
        why = f"UserNotFound({user_id})" if found is None else f"PermissionDenied({user_id})"
        raise permission_denied(f"Could not resolve is_deactivated status for user '{user_id}' and identity_provider_id 'Default' due to '{why}'", None)
    user, rights = found
    if user.is_deactivated:
        raise permission_denied(f"User {user_id} is deactivated", None)
    return Claims(frozenset({PUBLIC, *(_RIGHT_CLAIMS[r.kind](r.party) for r in rights)}), user_id)


def authorize_submission(claims: Claims, user_id: str, act_as: Sequence[str], read_as: Sequence[str], correlation_id: str | None) -> str:
    """Canton's ``RequiredClaims.submissionClaims``: the user id (defaulted from the claims when
    empty), then ``actAs`` for every acting and ``readAs`` for every reading party. Returns the
    request's user id."""
    if not user_id:
        if not claims.user_id:
            raise api_error(
                errors.INVALID_TOKEN,
                "The submitted request is missing a user-id: Cannot default user_id field because claims do not specify an user-id. "
                "Is authentication turned on?",
                correlation_id,
            )
        user_id = claims.user_id
    if claims.user_id is not None and claims.user_id != user_id:
        raise permission_denied(f"Claims are only valid for userId '{claims.user_id}', actual userId is '{user_id}'", correlation_id)
    for party in act_as:
        if not claims.can_act_as(party):
            raise permission_denied(f"Claims do not authorize to act as party '{party}'", correlation_id)
    for party in read_as:
        if not claims.can_read_as(party):
            raise permission_denied(f"Claims do not authorize to read data for party '{party}'", correlation_id)
    return user_id
