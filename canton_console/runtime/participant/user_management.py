"""A participant's Ledger API user management and identity provider configurations, in its store.

As Canton's ``ApiUserManagementService`` over its ``PersistentUserManagementStore`` and
``ApiIdentityProviderConfigService`` over ``PersistentIdentityProviderConfigStore``: a request is
validated field by field first (INVALID_FIELD, MISSING_FIELD, INVALID_ARGUMENT), then checked
against the state (the identity provider exists, the parties of the rights are known to the
participant: UNKNOWN_RESOURCE), then applied in one store transaction (USER_NOT_FOUND,
USER_ALREADY_EXISTS, TOO_MANY_USER_RIGHTS, ...): a request that fails stores nothing.

A user belongs to one identity provider ("" is the default one); addressing it through another
fails with PERMISSION_DENIED, which Canton's Ledger API reports redacted (its details are logged
here, the client gets a bare PERMISSION_DENIED status).

Everything here runs on the runtime thread (through the participant's admin services).
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, delete, func, insert, select, update

from canton_console.admin.records import IdentityProviderConfigRecord, LedgerApiUser, LedgerApiUsersPage, UserRight
from canton_console.store import schema as s
from canton_console.values import errors
from canton_console.values.errors import CantonError, ErrorCode, ServiceStatusError
from canton_console.values.ids import lf_party_problem

log = logging.getLogger("canton_console.participant")

# Canton's defaults (UserManagementServiceConfig, IdentityProviderManagementConfig, ResourceAnnotationValidator).
MAX_USERS_PAGE_SIZE = 1000
MAX_RIGHTS_PER_USER = 1000
MAX_IDENTITY_PROVIDERS = 16
MAX_ANNOTATIONS_BYTES = 256 * 1024

# Ref.UserId: 1 to 128 characters, ASCII letters and digits and these symbols (Daml-LF's IdString).
USER_ID_PATTERN = r"[a-zA-Z0-9@^$.!`\-#+'~_|:]{1,128}"
_USER_ID = re.compile(USER_ID_PATTERN)
# Ref.LedgerString: identity provider ids (letters, digits and "._:-#/ ", at most 255).
_LEDGER_STRING_CHAR = re.compile(r"[a-zA-Z0-9._:\-#/ ]")
LEDGER_STRING_MAX = 255
# Annotation keys, as Kubernetes labels: an optional DNS-subdomain prefix and a name segment.
_NAME_PATTERN = "([a-zA-Z0-9]+[a-zA-Z0-9-]*)?[a-zA-Z0-9]+"
_KEY_SEGMENT = re.compile(r"^([a-zA-Z0-9]+[a-zA-Z0-9.\-_]*)?[a-zA-Z0-9]+$")
_DNS_SUBDOMAIN = re.compile("^(" + _NAME_PATTERN + "[.])*" + _NAME_PATTERN + "$")

RIGHT_KINDS = s.USER_RIGHT_KINDS
_KIND_NAMES = {number: name for name, number in RIGHT_KINDS.items()}
PARTY_RIGHTS = ("CanActAs", "CanReadAs", "CanExecuteAs")
IDP_UPDATE_PATHS = ("identity_provider_id", "is_deactivated", "jwks_url", "issuer", "audience")


# ---- errors ----------------------------------------------------------------------------------


def new_submission_id() -> str:
    """What Canton's Ledger API correlates a request's errors with (its submission id)."""
    return str(uuid.uuid4())


def api_error(code: ErrorCode, cause: str, correlation_id: str | None = None) -> Exception:
    """A Ledger API error as its client receives it: Canton's ``CODE(cat,corr): cause`` in a gRPC
    status; for the categories Canton redacts, only the status and where to inquire (the details
    are logged by the node)."""
    correlation_id = correlation_id or new_submission_id()
    error = CantonError(code, cause, correlation_id)
    if code.category in errors.REDACTED_CATEGORIES:
        trace_id = uuid.uuid4().hex
        log.warning("%s (correlation id %s, tid %s)", error.render(), correlation_id, trace_id)
        return ServiceStatusError(error.grpc_code, f"{errors.REDACTED_MESSAGE_PREFIX} {correlation_id} with tid {trace_id}")
    if code.id == "INVALID_ARGUMENT":
        # the Ledger API's own INVALID_ARGUMENT (RequestValidationErrors), not the console's
        return ServiceStatusError(error.grpc_code, error.render())
    return error


def invalid_field(field: str, message: str, corr: str | None) -> Exception:
    return api_error(errors.INVALID_FIELD, f"The submitted command has a field with invalid value: Invalid field {field}: {message}", corr)


def missing_field(field: str, corr: str | None) -> Exception:
    return api_error(errors.MISSING_FIELD, f"The submitted command is missing a mandatory field: {field}", corr)


def invalid_argument(reason: str, corr: str | None) -> Exception:
    return api_error(errors.INVALID_ARGUMENT, f"The submitted request has invalid arguments: {reason}", corr)


def permission_denied(reason: str, corr: str | None) -> Exception:
    return api_error(errors.PERMISSION_DENIED, f"The provided authorization token is not sufficient to authorize the intended command: {reason}", corr)


def user_not_found(operation: str, user_id: str, corr: str | None) -> Exception:
    return api_error(errors.USER_NOT_FOUND, f'{operation} failed for unknown user "{user_id}"', corr)


# ---- field validation (Canton's FieldValidator) ---------------------------------------------------


def user_id_problem(text: str) -> str | None:
    """Why ``text`` is not a Ref.UserId, in Daml-LF's words, or None."""
    if _USER_ID.fullmatch(text):
        return None
    return f'User ID "{text}" does not match regex "{USER_ID_PATTERN}"'


def ledger_string_problem(text: str) -> str | None:
    """Why ``text`` is not a Ref.LedgerString (an identity provider id), or None."""
    if not text:
        return "Daml-LF Ledger String is empty"
    if len(text) > LEDGER_STRING_MAX:
        return f"Daml-LF Ledger String is too long (max: {LEDGER_STRING_MAX})"
    for c in text:
        if ord(c) > 0x7F or not _LEDGER_STRING_CHAR.fullmatch(c):
            return f'non expected character 0x{ord(c):x} in Daml-LF Ledger String "{text}"'
    return None


def jwks_url_problem(text: str) -> str | None:
    """Why ``text`` is not a URL Java's ``new URI(text).toURL`` accepts, in Java's words, or None."""
    for i, c in enumerate(text):
        if c in ' "<>\\^`{|}' or ord(c) < 0x21:
            where = "path" if urlsplit(text[:i]).scheme or ":" not in text[:i] else "authority"
            return f"Illegal character in {where} at index {i}: {text}"
    parts = urlsplit(text)
    if not parts.scheme:
        return "URI is not absolute"
    if parts.scheme.lower() not in ("http", "https", "file", "ftp", "jar", "mailto"):
        return f"unknown protocol: {parts.scheme.lower()}"
    return None


def require_user_id(text: str, field: str, corr: str | None) -> str:
    if not text:
        raise missing_field(field, corr)
    problem = user_id_problem(text)
    if problem:
        raise invalid_field(field, problem, corr)
    return text


def optional_idp_id(text: str, field: str, corr: str | None) -> str | None:
    """An identity provider id of a request: None for the default one ("")."""
    if not text:
        return None
    problem = ledger_string_problem(text)
    if problem:
        raise invalid_field(field, problem, corr)
    return text


def require_idp_id(text: str, field: str, corr: str | None) -> str:
    if not text:
        raise missing_field(field, corr)
    problem = ledger_string_problem(text)
    if problem:
        raise invalid_field(field, problem, corr)
    return text


def require_party(text: str, corr: str | None) -> str:
    problem = lf_party_problem(text)
    if problem:
        raise invalid_argument(problem, corr)
    return text


def _shorten(text: str) -> str:
    return text[:50] + "..." if len(text) > 53 else text


def annotations_size(annotations: Iterable[tuple[str, str]]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in annotations)


def annotations_problem(annotations: Sequence[tuple[str, str]], allow_empty_values: bool, field: str) -> str | None:
    """Canton's ResourceAnnotationValidator on a request's annotations, or None."""
    if annotations_size((k, v) for k, v in annotations if v) > MAX_ANNOTATIONS_BYTES:
        return f"annotations from field '{field}' are larger than the limit of {MAX_ANNOTATIONS_BYTES // 1024}kb"
    for key, _ in annotations:
        parts = key.split("/")
        if len(parts) > 2:
            return f"Key '{_shorten(key)}' contains more than one forward slash ('/') character"
        if len(parts) == 2:
            prefix = parts[0]
            if len(prefix) > 253:
                return f"Key prefix segment '{_shorten(prefix)}' exceeds maximum length of 253 characters"
            if not _DNS_SUBDOMAIN.match(prefix):
                return f"Key prefix segment '{_shorten(prefix)}' has invalid syntax"
        name = parts[-1]
        if len(name) > 63:
            return f"Key name segment '{_shorten(name)}' exceeds maximum length of 63 characters"
        if not _KEY_SEGMENT.match(name):
            return f"Key name segment '{_shorten(name)}' has invalid syntax"
    if not allow_empty_values:
        for key, value in annotations:
            if not value:
                return f"The value of an annotation is empty for key: '{_shorten(key)}'"
    return None


def validate_rights(rights: Sequence[UserRight], corr: str | None) -> list[UserRight]:
    """The distinct rights of a request, in order; a party of a party-bound right must be an LF party."""
    distinct: list[UserRight] = []
    for right in rights:
        if right.kind not in RIGHT_KINDS:
            raise invalid_argument("unknown kind of right - check that the Ledger API version of the server is recent enough", corr)
        if right.kind in PARTY_RIGHTS:
            require_party(right.party or "", corr)
            right = UserRight(right.kind, right.party)
        else:
            right = UserRight(right.kind, None)
        if right not in distinct:
            distinct.append(right)
    return distinct


# ---- encoding ------------------------------------------------------------------------------


def encode_page_token(user_id: str) -> str:
    """Canton's page token: URL-safe base64 of a ``ListUsersPageTokenPayload`` holding the last
    user id of the page (protobuf field 1, a string)."""
    data = user_id.encode()
    length = len(data)
    varint = bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    return base64.urlsafe_b64encode(b"\x0a" + bytes(varint) + data).decode()


def decode_page_token(token: str, corr: str | None) -> str | None:
    """The user id a page token continues after (None for the first page); INVALID_ARGUMENT when
    it is not one of ours."""
    if not token:
        return None
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if not data or data[0] != 0x0A:
            raise ValueError(token)
        length, shift, i = 0, 0, 1
        while True:
            byte = data[i]
            length |= (byte & 0x7F) << shift
            shift += 7
            i += 1
            if not byte & 0x80:
                break
        text = data[i : i + length].decode()
        if i + length != len(data) or user_id_problem(text):
            raise ValueError(token)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise invalid_argument("Invalid page token", corr) from None
    return text


def _idp_text(idp: str | None) -> str:
    """An identity provider id as Canton's ``IdentityProviderId`` prints: ``Default`` or ``Id(x)``."""
    return "Default" if idp is None else f"Id({idp})"


# ---- the store -----------------------------------------------------------------------------

U = cast(Table, s.LedgerApiUserRow.__table__)
R = cast(Table, s.LedgerApiUserRightRow.__table__)
A = cast(Table, s.LedgerApiUserAnnotationRow.__table__)
I = cast(Table, s.IdentityProviderConfigRow.__table__)  # noqa: E741 - the table of identity provider configs


def _user(conn: Any, row: Any) -> LedgerApiUser:
    annotations = conn.execute(select(A.c.name, A.c.val).where(A.c.user_internal_id == row["internal_id"]).order_by(A.c.id)).all()
    return LedgerApiUser(
        row["user_id"],
        row["primary_party"],
        bool(row["is_deactivated"]),
        tuple((k, v) for k, v in annotations),
        row["identity_provider_id"] or "",
        str(row["resource_version"]),
    )


def _rights(conn: Any, internal_id: int) -> list[UserRight]:
    rows = conn.execute(select(R.c.user_right, R.c.for_party).where(R.c.user_internal_id == internal_id).order_by(R.c.id)).all()
    return [UserRight(_KIND_NAMES[kind], party) for kind, party in rows]


def _find(conn: Any, user_id: str) -> Any:
    return conn.execute(select(U).where(U.c.user_id == user_id)).mappings().first()


def _with_user(conn: Any, user_id: str, idp: str | None, operation: str, corr: str) -> Any:
    """The user's row when it belongs to ``idp``; else USER_NOT_FOUND or (another identity
    provider's user) PERMISSION_DENIED."""
    row = _find(conn, user_id)
    if row is None:
        raise user_not_found(operation, user_id, corr)
    if row["identity_provider_id"] != idp:
        raise permission_denied(f"User {user_id} belongs to another Identity Provider", corr)
    return row


def _right_exists(conn: Any, internal_id: int, right: UserRight) -> bool:
    party = R.c.for_party.is_(None) if right.party is None else R.c.for_party == right.party
    query = select(R.c.id).where(R.c.user_internal_id == internal_id, R.c.user_right == RIGHT_KINDS[right.kind], party)
    return conn.execute(query).first() is not None


def _add_right(conn: Any, internal_id: int, right: UserRight, now: int) -> None:
    conn.execute(insert(R).values(user_internal_id=internal_id, user_right=RIGHT_KINDS[right.kind], for_party=right.party, granted_at=now))


def _count_rights(conn: Any, internal_id: int) -> int:
    return conn.execute(select(func.count()).select_from(R).where(R.c.user_internal_id == internal_id)).scalar() or 0


def _rights_text(rights: Sequence[UserRight]) -> str:
    return ", ".join(r.kind if r.party is None else f"{r.kind}({r.party})" for r in rights)


class UserManagement:
    """The Ledger API's user management and identity provider config services of one participant."""

    def __init__(self, node: Any):
        self.node = node

    @property
    def _storage(self) -> Any:
        return self.node.open_storage

    def _now(self) -> int:
        return self.node.env.clock.now()

    # ---- checks against the state --------------------------------------------------------------
    def _idp_exists_or_error(self, conn: Any, idp: str | None, corr: str) -> None:
        if idp is None:
            return
        if conn.execute(select(I.c.id).where(I.c.identity_provider_id == idp)).first() is None:
            raise invalid_argument(f"Provided identity_provider_id {_idp_text(idp)} has not been found.", corr)

    def known_parties(self) -> set[str]:
        """The parties this participant knows of: every party (and participant admin party) in the
        topology of the synchronizers it is registered with."""
        known: set[str] = set()
        for connection in self.node.connections.values():
            sync = self.node.env.synchronizers.get(connection.synchronizer_id)
            if sync is None:
                continue
            now = sync.now()
            known.update(m.data["party"] for m in sync.topology.parties(now))
            known.update(p.split("::", 1)[1] for p in sync.topology.participants(now))
        return known

    def _verify_parties_exist(self, rights: Sequence[UserRight], idp: str | None, corr: str) -> None:
        parties = [r.party for r in rights if r.kind in ("CanActAs", "CanReadAs") and r.party is not None]
        if not parties:
            return
        known = self.known_parties()
        unknown = list(dict.fromkeys(p for p in parties if p not in known))
        if unknown:
            raise api_error(
                errors.UNKNOWN_RESOURCE,
                "The submitted request refers to a non-existing PARTIES: Provided parties have not been found in "
                f"identity_provider_id=`{idp or ''}`: [{','.join(unknown)}].",
                corr,
            )

    # ---- users ----------------------------------------------------------------------------------
    def create(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        identity_provider_id: str,
        rights: Sequence[UserRight],
    ) -> LedgerApiUser:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "id", corr)
        annotations = [(str(k), str(v)) for k, v in annotations]
        problem = annotations_problem(annotations, allow_empty_values=False, field="user.metadata.annotations")
        if problem:
            raise invalid_argument(problem, corr)
        if primary_party:
            require_party(primary_party, corr)
        wanted = validate_rights(rights, corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        now = self._now()
        with self._storage.transaction() as conn:
            self._idp_exists_or_error(conn, idp, corr)
            self._verify_parties_exist(wanted, idp, corr)
            existing = _find(conn, user_id)
            if existing is not None:
                if existing["identity_provider_id"] != idp:
                    raise permission_denied(f"User {user_id} belongs to another Identity Provider", corr)
                raise api_error(errors.USER_ALREADY_EXISTS, f'creating user failed, as user "{user_id}" already exists', corr)
            if annotations_size(annotations) > MAX_ANNOTATIONS_BYTES:
                raise api_error(errors.MAX_USER_ANNOTATIONS_SIZE_EXCEEDED, f"Maximum annotations size for user '{user_id}' has been exceeded", corr)
            result = conn.execute(
                insert(U).values(
                    user_id=user_id, primary_party=primary_party or None, identity_provider_id=idp, is_deactivated=bool(is_deactivated), resource_version=0, created_at=now
                )
            )
            internal_id = result.inserted_primary_key[0]
            for key, value in dict(annotations).items():
                conn.execute(insert(A).values(user_internal_id=internal_id, name=key, val=value, updated_at=now))
            for right in wanted:
                _add_right(conn, internal_id, right, now)
            if _count_rights(conn, internal_id) > MAX_RIGHTS_PER_USER:
                raise api_error(errors.TOO_MANY_USER_RIGHTS, f'creating user failed, as user "{user_id}" would have too many rights.', corr)
            created = _user(conn, _find(conn, user_id))
        log.info("%s: created new user %s with %s", self.node.name, user_id, f"{len(wanted)} rights: {_rights_text(wanted)}" if wanted else "no rights")
        return created

    def get(self, user_id: str, identity_provider_id: str = "") -> LedgerApiUser:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.read() as conn:
            return _user(conn, _with_user(conn, user_id, idp, "getting user", corr))

    def update(
        self,
        user_id: str,
        primary_party: str | None,
        is_deactivated: bool,
        annotations: Sequence[tuple[str, str]],
        resource_version: str,
        identity_provider_id: str = "",
    ) -> LedgerApiUser:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user.id", corr)
        if primary_party:
            require_party(primary_party, corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        expected_version: int | None = None
        if resource_version:
            try:
                expected_version = int(resource_version)
            except ValueError:
                raise invalid_field("user.metadata.resource_version", "Invalid resource version number", corr) from None
        annotations = [(str(k), str(v)) for k, v in annotations]
        problem = annotations_problem(annotations, allow_empty_values=True, field="user.metadata.annotations")
        if problem:
            raise invalid_argument(problem, corr)
        now = self._now()
        with self._storage.transaction() as conn:
            self._idp_exists_or_error(conn, idp, corr)
            row = _with_user(conn, user_id, idp, "updating user", corr)
            internal_id = row["internal_id"]
            if expected_version is not None and row["resource_version"] != expected_version:
                raise api_error(
                    errors.CONCURRENT_USER_UPDATE_DETECTED, f"Update operation for user '{user_id}' failed due to a concurrent update to the same user", corr
                )
            existing = dict(conn.execute(select(A.c.name, A.c.val).where(A.c.user_internal_id == internal_id).order_by(A.c.id)).all())
            merged = {**existing, **dict(annotations)}
            merged = {k: v for k, v in merged.items() if v != ""}
            if annotations_size(merged.items()) > MAX_ANNOTATIONS_BYTES:
                raise api_error(errors.MAX_USER_ANNOTATIONS_SIZE_EXCEEDED, f"Maximum annotations size for user '{user_id}' has been exceeded", corr)
            conn.execute(delete(A).where(A.c.user_internal_id == internal_id))
            for key, value in merged.items():
                conn.execute(insert(A).values(user_internal_id=internal_id, name=key, val=value, updated_at=now))
            conn.execute(
                update(U)
                .where(U.c.internal_id == internal_id)
                .values(resource_version=row["resource_version"] + 1, is_deactivated=bool(is_deactivated), primary_party=primary_party or None)
            )
            updated = _user(conn, _find(conn, user_id))
        log.info("%s: updated user %s", self.node.name, user_id)
        return updated

    def delete(self, user_id: str, identity_provider_id: str = "") -> None:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.transaction() as conn:
            row = _with_user(conn, user_id, idp, "deleting user", corr)
            conn.execute(delete(R).where(R.c.user_internal_id == row["internal_id"]))
            conn.execute(delete(A).where(A.c.user_internal_id == row["internal_id"]))
            conn.execute(delete(U).where(U.c.internal_id == row["internal_id"]))
        log.info("%s: deleted user %s", self.node.name, user_id)

    def list_users(self, page_token: str = "", page_size: int = 0, identity_provider_id: str = "") -> LedgerApiUsersPage:
        corr = new_submission_id()
        after = decode_page_token(page_token, corr)
        if page_size < 0:
            raise invalid_argument("Max page size must be non-negative", corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        size = MAX_USERS_PAGE_SIZE if page_size == 0 else min(page_size, MAX_USERS_PAGE_SIZE)
        query = select(U).where(U.c.identity_provider_id.is_(None) if idp is None else U.c.identity_provider_id == idp)
        if after is not None:
            query = query.where(U.c.user_id > after)
        with self._storage.read() as conn:
            rows = conn.execute(query.order_by(U.c.user_id).limit(size)).mappings().all()
            users = tuple(_user(conn, row) for row in rows)
        token = "" if len(users) < size else encode_page_token(users[-1].id)
        return LedgerApiUsersPage(users, token)

    def update_idp(self, user_id: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        source = optional_idp_id(source_identity_provider_id, "source_identity_provider_id", corr)
        target = optional_idp_id(target_identity_provider_id, "target_identity_provider_id", corr)
        with self._storage.transaction() as conn:
            self._idp_exists_or_error(conn, source, corr)
            self._idp_exists_or_error(conn, target, corr)
            row = _with_user(conn, user_id, source, "update user identity provider", corr)
            conn.execute(update(U).where(U.c.internal_id == row["internal_id"]).values(identity_provider_id=target))
        log.info("%s: updated user %s idp from %s to %s.", self.node.name, user_id, _idp_text(source), _idp_text(target))

    def grant(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> list[UserRight]:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        wanted = validate_rights(rights, corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        now = self._now()
        with self._storage.transaction() as conn:
            self._verify_parties_exist(wanted, idp, corr)
            row = _with_user(conn, user_id, idp, "grant user rights", corr)
            added = [r for r in wanted if not _right_exists(conn, row["internal_id"], r)]
            for right in added:
                _add_right(conn, row["internal_id"], right, now)
            if _count_rights(conn, row["internal_id"]) > MAX_RIGHTS_PER_USER:
                raise api_error(errors.TOO_MANY_USER_RIGHTS, f'grant user rights failed, as user "{user_id}" would have too many rights.', corr)
        log.info("%s: granted %d user rights to user %s: %s", self.node.name, len(added), user_id, _rights_text(added))
        return added

    def revoke(self, user_id: str, rights: Sequence[UserRight], identity_provider_id: str = "") -> list[UserRight]:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        wanted = validate_rights(rights, corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.transaction() as conn:
            self._verify_parties_exist(wanted, idp, corr)
            row = _with_user(conn, user_id, idp, "revoke user rights", corr)
            removed = [r for r in wanted if _right_exists(conn, row["internal_id"], r)]
            for right in removed:
                party = R.c.for_party.is_(None) if right.party is None else R.c.for_party == right.party
                conn.execute(delete(R).where(R.c.user_internal_id == row["internal_id"], R.c.user_right == RIGHT_KINDS[right.kind], party))
        log.info("%s: revoked %d user rights from user %s: %s", self.node.name, len(removed), user_id, _rights_text(removed))
        return removed

    def rights(self, user_id: str, identity_provider_id: str = "") -> list[UserRight]:
        corr = new_submission_id()
        user_id = require_user_id(user_id, "user_id", corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.read() as conn:
            row = _with_user(conn, user_id, idp, "list user rights", corr)
            return _rights(conn, row["internal_id"])

    def user_and_rights(self, user_id: str) -> tuple[LedgerApiUser, list[UserRight]] | None:
        """A user of the default identity provider and its rights, for authorization; None when
        there is no such user."""
        with self._storage.read() as conn:
            row = _find(conn, user_id)
            if row is None:
                return None
            return _user(conn, row), _rights(conn, row["internal_id"])

    # ---- identity provider configs ------------------------------------------------------------
    def create_idp(self, identity_provider_id: str, is_deactivated: bool, jwks_url: str, issuer: str, audience: str | None) -> IdentityProviderConfigRecord:
        corr = new_submission_id()
        idp = require_idp_id(identity_provider_id, "identity_provider_id", corr)
        self._require_jwks_url(jwks_url, corr)
        if not issuer:
            raise missing_field("issuer", corr)
        operation = "creating identity provider config"
        with self._storage.transaction() as conn:
            if conn.execute(select(I.c.id).where(I.c.identity_provider_id == idp)).first() is not None:
                raise api_error(errors.IDP_CONFIG_ALREADY_EXISTS, f'{operation} failed, as identity provider "{idp}" already exists', corr)
            self._issuer_free(conn, issuer, idp, operation, corr)
            conn.execute(insert(I).values(identity_provider_id=idp, issuer=issuer, jwks_url=jwks_url, is_deactivated=bool(is_deactivated), audience=audience or None))
            if (conn.execute(select(func.count()).select_from(I)).scalar() or 0) > MAX_IDENTITY_PROVIDERS:
                raise api_error(errors.TOO_MANY_IDENTITY_PROVIDER_CONFIGS, f"{operation} failed.", corr)
            created = self._idp(conn, idp)
        log.info("%s: created new identity provider configuration: %s", self.node.name, created)
        return created

    def update_idp_config(
        self, identity_provider_id: str, is_deactivated: bool, jwks_url: str, issuer: str, audience: str | None, update_mask: Sequence[str]
    ) -> IdentityProviderConfigRecord:
        corr = new_submission_id()
        idp = require_idp_id(identity_provider_id, "identity_provider_id", corr)
        if jwks_url:
            self._require_jwks_url(jwks_url, corr)
        paths = self._update_paths(idp, update_mask, corr)
        operation = "updating identity provider config"
        with self._storage.transaction() as conn:
            if conn.execute(select(I.c.id).where(I.c.identity_provider_id == idp)).first() is None:
                raise api_error(errors.IDP_CONFIG_NOT_FOUND, f'{operation} failed for unknown identity provider id="{idp}"', corr)
            changes: dict[str, Any] = {}
            if "is_deactivated" in paths:
                changes["is_deactivated"] = bool(is_deactivated)
            if "issuer" in paths and issuer:
                self._issuer_free(conn, issuer, idp, operation, corr)
                changes["issuer"] = issuer
            if "jwks_url" in paths and jwks_url:
                changes["jwks_url"] = jwks_url
            if "audience" in paths:
                changes["audience"] = audience or None
            if changes:
                conn.execute(update(I).where(I.c.identity_provider_id == idp).values(**changes))
            updated = self._idp(conn, idp)
        log.info("%s: updated identity provider configuration %s", self.node.name, idp)
        return updated

    def get_idp(self, identity_provider_id: str) -> IdentityProviderConfigRecord:
        corr = new_submission_id()
        idp = require_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.read() as conn:
            if conn.execute(select(I.c.id).where(I.c.identity_provider_id == idp)).first() is None:
                raise api_error(errors.IDP_CONFIG_NOT_FOUND, f'getting identity provider config failed for unknown identity provider id="{idp}"', corr)
            return self._idp(conn, idp)

    def list_idps(self) -> list[IdentityProviderConfigRecord]:
        with self._storage.read() as conn:
            rows = conn.execute(select(I).order_by(I.c.id)).mappings().all()
        return [_idp_record(row) for row in rows]

    def delete_idp(self, identity_provider_id: str) -> None:
        corr = new_submission_id()
        idp = require_idp_id(identity_provider_id, "identity_provider_id", corr)
        with self._storage.transaction() as conn:
            if conn.execute(select(I.c.id).where(I.c.identity_provider_id == idp)).first() is None:
                raise api_error(errors.IDP_CONFIG_NOT_FOUND, f'deleting identity provider config failed for unknown identity provider id="{idp}"', corr)
            users = conn.execute(select(func.count()).select_from(U).where(U.c.identity_provider_id == idp)).scalar() or 0
            if users:
                # Canton's store keeps the users' reference (a foreign key): the deletion fails as an
                # internal error of the Ledger API, which its client sees redacted.
                raise api_error(
                    errors.LEDGER_API_INTERNAL_ERROR,
                    f"deleting identity provider config failed: {users} user(s) are assigned to identity provider {idp} "
                    "(a reference to lapi_identity_provider_config); move them to another identity provider first (users.update_idp)",
                    corr,
                )
            conn.execute(delete(I).where(I.c.identity_provider_id == idp))
        log.info("%s: deleted identity provider configuration with id %s", self.node.name, idp)

    def _require_jwks_url(self, jwks_url: str, corr: str) -> None:
        if not jwks_url:
            raise missing_field("jwks_url", corr)
        problem = jwks_url_problem(jwks_url)
        if problem:
            raise invalid_field("jwks_url", f"Malformed URL: {problem}", corr)

    def _update_paths(self, idp: str, update_mask: Sequence[str], corr: str) -> set[str]:
        def refused(reason: str) -> Exception:
            return api_error(
                errors.INVALID_IDENTITY_PROVIDER_UPDATE_REQUEST, f"Update operation for identity provider config '{idp}' failed due to: {reason}", corr
            )

        if not update_mask:
            raise refused("The update mask contains no entries")
        seen: set[str] = set()
        for path in update_mask:
            if path not in IDP_UPDATE_PATHS:
                raise refused(f"The update path: '{_shorten(path)}' points to an unknown field.")
            if path in seen:
                raise refused(f"The update path: '{_shorten(path)}' is duplicated.")
            seen.add(path)
        return seen

    def _issuer_free(self, conn: Any, issuer: str, idp: str, operation: str, corr: str) -> None:
        other = conn.execute(select(I.c.id).where(I.c.issuer == issuer, I.c.identity_provider_id != idp)).first()
        if other is not None:
            raise api_error(errors.IDP_CONFIG_ISSUER_ALREADY_EXISTS, f'{operation} failed, as identity provider with issuer "{issuer}" already exists', corr)

    def _idp(self, conn: Any, idp: str) -> IdentityProviderConfigRecord:
        return _idp_record(conn.execute(select(I).where(I.c.identity_provider_id == idp)).mappings().one())


def _idp_record(row: Any) -> IdentityProviderConfigRecord:
    return IdentityProviderConfigRecord(row["identity_provider_id"], bool(row["is_deactivated"]), row["jwks_url"], row["issuer"], row["audience"] or None)
