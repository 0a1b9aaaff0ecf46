"""Ledger API user management (issue 13, item 2): ``participant.ledger_api.users`` (with ``rights``)
and ``ledger_api.identity_provider_config`` as Canton 3.3 has them, kept in the participant's store;
Canton's errors for bad input, with nothing stored; submissions authorized as Canton does (the
console's admin token may do anything; a participant whose Ledger API authorizes by JWT holds a
named user to its rights); the commands are testing commands (``canton.features``)."""

from __future__ import annotations

import re

import pytest
from conftest import open_session, step_ok

from canton_console.admin.records import UserRight
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.users import User, UserRights

USERS = "participant1.ledger_api.users"
IDPS = "participant1.ledger_api.identity_provider_config"


def failed(session, source: str) -> str:
    outcome = session.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def user_ids(session, extra: str = "") -> list[str]:
    return list(step_ok(session, f"{USERS}.list({extra}).users.map(_.id)"))


@pytest.fixture(scope="module")
def s(module_session):
    step_ok(module_session, 'val alice = participant1.parties.enable("alice")')
    step_ok(module_session, 'val bob = participant1.parties.enable("bob")')
    return module_session


# ---- users ----------------------------------------------------------------------------------


def test_a_participant_starts_with_participant_admin_holding_the_participant_admin_right(s):
    assert "participant_admin" in user_ids(s)
    rights = step_ok(s, f'{USERS}.rights.list("participant_admin")')
    assert rights == UserRights([], [], [], participantAdmin=True)
    out = s.step(f'{USERS}.rights.list("participant_admin")').output
    assert "participantAdmin = true" in out and out.startswith("res")


def test_create_get_and_the_rights_of_a_user(s):
    created = step_ok(
        s, f'{USERS}.create(id = "u-create", actAs = Set(alice), primaryParty = Some(alice), readAs = Set(bob), annotations = Map("k" -> "v"))'
    )
    alice = step_ok(s, "alice")
    bob = step_ok(s, "bob")
    assert created == User("u-create", alice, False, {"k": "v"}, "")
    assert step_ok(s, f'{USERS}.get("u-create")') == created
    assert step_ok(s, f'{USERS}.rights.list("u-create")') == UserRights([alice], [bob], [])
    shown = s.step(f'{USERS}.get("u-create")').output
    assert re.search(r'User\(\n  id = "u-create",\n  primaryParty = Some\(value = alice::1220[0-9a-f]{8}\.\.\.\),\n  isDeactivated = false,', shown), shown
    assert 'annotations = Map("k" -> "v"),\n  identityProviderId = ""\n)' in shown


def test_grant_returns_the_new_rights_and_revoke_the_removed_ones(s):
    step_ok(s, f'{USERS}.create(id = "u-rights", actAs = Set(alice))')
    alice, bob = step_ok(s, "alice"), step_ok(s, "bob")
    granted = step_ok(s, f'{USERS}.rights.grant(id = "u-rights", actAs = Set(alice, bob), readAsAnyParty = true, executeAs = Set(bob))')
    assert granted == UserRights([bob], [], [bob], readAsAnyParty=True)  # alice: had it already
    revoked = step_ok(s, f'{USERS}.rights.revoke(id = "u-rights", actAs = Set(alice), participantAdmin = true)')
    assert revoked == UserRights([alice], [], [])  # participantAdmin: never had it
    assert step_ok(s, f'{USERS}.rights.list("u-rights")') == UserRights([bob], [], [bob], readAsAnyParty=True)


def test_update_changes_primary_party_activity_and_annotations_only(s):
    step_ok(s, f'{USERS}.create(id = "u-update", primaryParty = Some(alice), annotations = Map("k1" -> "v1", "k2" -> "v2", "k3" -> "v3"))')
    updated = step_ok(
        s,
        f'{USERS}.update(id = "u-update", modifier = user => user.copy(primaryParty = Some(bob), isDeactivated = true, '
        'annotations = user.annotations.updated("k2", "v2a").updated("k4", "v4").removed("k3").removed("k5")))',
    )
    assert updated == User("u-update", step_ok(s, "bob"), True, {"k1": "v1", "k2": "v2a", "k4": "v4"}, "")
    assert step_ok(s, f'{USERS}.get("u-update")') == updated
    out = failed(s, f'{USERS}.update(id = "u-update", _.copy(id = "another"))')
    assert out.startswith(
        "com.digitalasset.canton.admin.api.client.data.ModifyingNonModifiableUserPropertiesError: MODIFYING_AN_UNMODIFIABLE_USER_PROPERTY_ERROR"
    )
    assert "u-update" in user_ids(s) and "another" not in user_ids(s)
    out = failed(s, f'{USERS}.update(id = "u-unknown", _.copy(primaryParty = None))')
    assert 'USER_NOT_FOUND(11,' in out and 'getting user failed for unknown user "u-unknown"' in out


def test_a_stale_resource_version_is_a_concurrent_update(s):
    admin = s.admin.node("participant1").users
    user = admin.create("u-version", None, False, (), "", ())
    assert user.resource_version == "0"
    assert admin.update("u-version", None, True, (), "0").resource_version == "1"
    with pytest.raises(CantonError) as e:
        admin.update("u-version", None, False, (), "0")
    assert e.value.code.id == "CONCURRENT_USER_UPDATE_DETECTED"
    assert admin.get("u-version").is_deactivated


def test_delete_removes_the_user_and_its_rights(s):
    step_ok(s, f'{USERS}.create(id = "u-delete", actAs = Set(alice))')
    step_ok(s, f'{USERS}.delete("u-delete")')
    assert "u-delete" not in user_ids(s)
    for command in (f'{USERS}.delete("u-delete")', f'{USERS}.rights.list("u-delete")', f'{USERS}.get("u-delete")'):
        out = failed(s, command)
        assert "GrpcRequestRefusedByServer: NOT_FOUND/USER_NOT_FOUND(11," in out and 'unknown user "u-delete"' in out


def test_list_pages_by_id_and_filters_by_prefix(s):
    for i in range(3):
        step_ok(s, f'{USERS}.create(id = "page-{i}")')
    everyone = user_ids(s)
    assert everyone == sorted(everyone)
    first = step_ok(s, f"{USERS}.list(pageSize = 2)")
    assert [u.id for u in first.users] == everyone[:2] and first.nextPageToken
    second = step_ok(s, f'{USERS}.list(pageToken = "{first.nextPageToken}", pageSize = 2)')
    assert [u.id for u in second.users] == everyone[2:4]
    assert user_ids(s, 'filterUser = "page-"') == ["page-0", "page-1", "page-2"]
    out = failed(s, f'{USERS}.list(pageToken = "not a token")')
    assert "GrpcClientError: INVALID_ARGUMENT/INVALID_ARGUMENT(8," in out and "The submitted request has invalid arguments: Invalid page token" in out
    out = failed(s, f"{USERS}.list(pageSize = -1)")
    assert "Max page size must be non-negative" in out


def test_bad_input_gets_cantons_errors_and_stores_nothing(s):
    before = user_ids(s)
    out = failed(s, f'{USERS}.create(id = "bad id")')
    assert "GrpcClientError: INVALID_ARGUMENT/INVALID_FIELD(8," in out, out
    assert 'Invalid field id: User ID "bad id" does not match regex "[a-zA-Z0-9@^$.!`\\-#+\'~_|:]{1,128}"' in out, out
    out = failed(s, f'{USERS}.create(id = "")')
    assert "MISSING_FIELD(8," in out and "The submitted command is missing a mandatory field: id" in out
    out = failed(s, f'{USERS}.create(id = "{"x" * 129}")')
    assert "INVALID_FIELD(8," in out
    # a party the participant does not know, in a right: nothing is created
    unknown = 'PartyId.tryFromProtoPrimitive("mallory::1220' + "ab" * 32 + '")'
    out = failed(s, f'{USERS}.create(id = "u-mallory", actAs = Set({unknown}))')
    assert "GrpcRequestRefusedByServer: NOT_FOUND/UNKNOWN_RESOURCE(11," in out
    assert "The submitted request refers to a non-existing PARTIES: Provided parties have not been found in identity_provider_id=``: [mallory::1220abab" in out
    # annotations with a bad key, an empty value
    out = failed(s, f'{USERS}.create(id = "u-annotated", annotations = Map("bad key!" -> "v"))')
    assert "INVALID_ARGUMENT/INVALID_ARGUMENT(8," in out and "Key name segment 'bad key!' has invalid syntax" in out
    out = failed(s, f'{USERS}.create(id = "u-annotated", annotations = Map("k" -> ""))')
    assert "The value of an annotation is empty for key: 'k'" in out
    # an identity provider that does not exist
    out = failed(s, f'{USERS}.create(id = "u-idp", identityProviderId = "no-such-idp")')
    assert "Provided identity_provider_id Id(no-such-idp) has not been found." in out
    assert user_ids(s) == before
    # a duplicate: refused, the original unchanged
    step_ok(s, f'{USERS}.create(id = "u-dup", primaryParty = Some(alice))')
    out = failed(s, f'{USERS}.create(id = "u-dup", Set(bob))')
    assert 'GrpcRequestRefusedAlreadyExists: ALREADY_EXISTS/USER_ALREADY_EXISTS(10,' in out and 'creating user failed, as user "u-dup" already exists' in out
    assert step_ok(s, f'{USERS}.rights.list("u-dup")') == UserRights([], [], [])
    # granting an unknown party to an existing user changes nothing
    failed(s, f'{USERS}.rights.grant("u-dup", readAs = Set({unknown}), participantAdmin = true)')
    assert step_ok(s, f'{USERS}.rights.list("u-dup")') == UserRights([], [], [])


# ---- identity providers -------------------------------------------------------------------------


def test_identity_provider_configs_and_their_users(s):
    created = step_ok(s, f'{IDPS}.create("idp-a", jwksUrl = "https://jwks:900", issuer = "issuer-a", audience = Some("aud"))')
    shown = s.step(f'{IDPS}.get("idp-a")').output
    assert 'identityProviderId = Id(value = "idp-a"),' in shown and 'jwksUrl = JwksUrl(value = "https://jwks:900"),' in shown
    assert 'audience = Some(value = "aud")' in shown
    assert [c.identityProviderId.value for c in step_ok(s, f"{IDPS}.list()")] == ["idp-a"]
    # errors: a duplicate id or issuer, a malformed URL (refused by the console), an unknown id
    out = failed(s, f'{IDPS}.create("idp-a", jwksUrl = "https://x", issuer = "other", audience = None)')
    assert 'IDP_CONFIG_ALREADY_EXISTS(10,' in out and 'creating identity provider config failed, as identity provider "idp-a" already exists' in out
    out = failed(s, f'{IDPS}.create("idp-b", jwksUrl = "https://x", issuer = "issuer-a", audience = None)')
    assert 'IDP_CONFIG_ISSUER_ALREADY_EXISTS(10,' in out and 'as identity provider with issuer "issuer-a" already exists' in out
    assert "URI is not absolute" in failed(s, f'{IDPS}.create("idp-b", jwksUrl = "jwks", issuer = "issuer-b", audience = None)')
    assert "non expected character 0x21" in failed(s, f'{IDPS}.create("idp!", jwksUrl = "https://x", issuer = "issuer-b", audience = None)')
    out = failed(s, f'{IDPS}.get("idp-none")')
    assert 'IDP_CONFIG_NOT_FOUND(11,' in out and 'getting identity provider config failed for unknown identity provider id="idp-none"' in out
    assert [c.identityProviderId.value for c in step_ok(s, f"{IDPS}.list()")] == ["idp-a"]
    # update through the mask
    updated = step_ok(
        s, f'{IDPS}.update("idp-a", isDeactivated = true, jwksUrl = "https://jwks:901", issuer = "", audience = None, updateMask = FieldMask(Seq("is_deactivated", "jwks_url", "audience")))'
    )
    assert (updated.isDeactivated, updated.jwksUrl.value, updated.issuer, updated.audience.isDefined) == (True, "https://jwks:901", "issuer-a", False)
    assert created.isDeactivated is False
    out = failed(s, f'{IDPS}.update("idp-a", false, "", "", None, FieldMask(Seq("colour")))')
    assert "INVALID_IDENTITY_PROVIDER_UPDATE_REQUEST(8," in out and "The update path: 'colour' points to an unknown field." in out
    # users of the identity provider are addressed through it
    step_ok(s, f'{USERS}.create(id = "u-idp-a", actAs = Set(alice), identityProviderId = "idp-a")')
    assert step_ok(s, f'{USERS}.get(id = "u-idp-a", identityProviderId = "idp-a")').identityProviderId == "idp-a"
    assert user_ids(s, 'identityProviderId = "idp-a"') == ["u-idp-a"]
    assert "u-idp-a" not in user_ids(s)
    out = failed(s, f'{USERS}.get("u-idp-a")')  # through the default identity provider: redacted, as Canton does
    assert re.search(
        r"GrpcRequestRefusedByServer: PERMISSION_DENIED/An error occurred\. Please contact the operator and inquire about the request [0-9a-f-]{36} with tid [0-9a-f]{32}",
        out,
    ), out
    # deleting an identity provider that still has users fails; moved away, it can go
    out = failed(s, f'{IDPS}.delete("idp-a")')
    assert "GrpcServerError: INTERNAL/An error occurred." in out
    step_ok(s, f'{USERS}.update_idp("u-idp-a", sourceIdentityProviderId = "idp-a", targetIdentityProviderId = "")')
    assert step_ok(s, f'{USERS}.get("u-idp-a")').identityProviderId == ""
    step_ok(s, f'{IDPS}.delete("idp-a")')
    assert list(step_ok(s, f"{IDPS}.list()")) == []
    out = failed(s, f'{IDPS}.delete("idp-a")')
    assert 'deleting identity provider config failed for unknown identity provider id="idp-a"' in out


def test_an_identity_provider_argument_that_scala_requires_is_required(s):
    out = failed(s, f'{IDPS}.create("idp-c", jwksUrl = "https://x", issuer = "i")')
    assert "missing argument 'audience'" in out


# ---- the Ledger API's authorization of submissions --------------------------------------------------

IOU = (
    'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", '
    'Map("issuer" -> alice, "owner" -> alice, "amount" -> 1))){extra}).commandId'
)


def test_without_jwt_authorization_the_console_may_submit_as_any_user(s):
    """Canton's default (no auth services): every request has every claim, whatever its user."""
    step_ok(s, f'{USERS}.create(id = "u-no-rights")')
    step_ok(s, IOU.format(extra=', userId = "u-no-rights"'))
    step_ok(s, IOU.format(extra=', userId = "nobody-at-all"'))
    step_ok(s, IOU.format(extra=""))  # the console's own user, CantonConsole
    out = failed(s, IOU.format(extra=', userId = ""'))
    assert "GrpcClientError: INVALID_ARGUMENT/INVALID_TOKEN(8," in out
    assert "The submitted request is missing a user-id: Cannot default user_id field because claims do not specify an user-id." in out
    out = failed(s, IOU.format(extra=', userId = "no spaces"'))
    assert "INVALID_FIELD(8," in out and "Invalid field user_id: User ID \"no spaces\" does not match regex" in out


JWT_CONFIG = """
canton {
  features.enable-testing-commands = yes
  parameters.timeouts.console.ledger-command = 20s
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 5202 }
  participants.participant1 {
    storage { type = sqlite, file = "participant1.db" }
    admin-api.port = 5012
    ledger-api { port = 5011, auth-services = [{ type = unsafe-jwt-hmac-256, secret = "not-safe-for-production" }] }
  }
}
"""

REDACTED = re.compile(
    r"GrpcRequestRefusedByServer: PERMISSION_DENIED/An error occurred\. Please contact the operator and inquire about the request [0-9a-f-]{36} with tid [0-9a-f]{32}\n"
)


def test_with_jwt_authorization_a_named_user_is_held_to_its_rights(tmp_path, caplog):
    s = open_session(JWT_CONFIG, tmp_path, bootstrap=True)
    try:
        step_ok(s, 'val alice = participant1.parties.enable("alice")')
        step_ok(s, 'val bob = participant1.parties.enable("bob")')
        step_ok(s, f'{USERS}.create("alice-app", actAs = Set(alice))')
        step_ok(s, f'{USERS}.create("bob-app", actAs = Set(bob), readAs = Set(alice))')
        before = len(s.env.call(s.env.participants["participant1"].transactions))
        step_ok(s, IOU.format(extra=', userId = "alice-app"'))
        for user, reason in (
            ("bob-app", "Claims do not authorize to act as party 'alice::"),
            ("nobody", "Could not resolve is_deactivated status for user 'nobody' and identity_provider_id 'Default' due to 'UserNotFound(nobody)'"),
        ):
            caplog.clear()
            out = failed(s, IOU.format(extra=f', userId = "{user}"'))
            assert REDACTED.search(out), out
            logged = [r.getMessage() for r in caplog.records if "PERMISSION_DENIED(7," in r.getMessage()]
            assert any(reason in m for m in logged), logged  # the details stay in the participant's log
        out = failed(s, IOU.format(extra=', userId = "alice-app", readAs = Seq(bob)'))
        assert REDACTED.search(out)
        step_ok(s, f'{USERS}.rights.grant("alice-app", readAs = Set(bob))')
        step_ok(s, IOU.format(extra=', userId = "alice-app", readAs = Seq(bob)'))
        step_ok(s, f'{USERS}.update("alice-app", _.copy(isDeactivated = true))')
        assert REDACTED.search(failed(s, IOU.format(extra=', userId = "alice-app"')))
        step_ok(s, IOU.format(extra=""))  # the console's own requests carry the admin token
        after = len(s.env.call(s.env.participants["participant1"].transactions))
        assert after - before == 3  # the refused submissions left nothing on the ledger
    finally:
        s.close()


# ---- persistence and the feature flag -----------------------------------------------------------------


def test_users_and_identity_providers_survive_a_restart(default_session):
    s = default_session
    step_ok(s, 'val alice = participant1.parties.enable("alice")')
    step_ok(s, f'{IDPS}.create("idp-kept", jwksUrl = "https://jwks.example.com", issuer = "kept", audience = None)')
    step_ok(s, f'{USERS}.create(id = "kept", actAs = Set(alice), annotations = Map("a" -> "b"), identityProviderId = "idp-kept")')
    step_ok(s, f'{USERS}.delete("participant_admin")')
    user = step_ok(s, f'{USERS}.get("kept", "idp-kept")')
    step_ok(s, "participant1.stop()")
    step_ok(s, "participant1.start()")
    assert step_ok(s, f'{USERS}.get("kept", "idp-kept")') == user
    assert step_ok(s, f'{USERS}.rights.list("kept", "idp-kept")') == UserRights([step_ok(s, "alice")], [], [])
    assert step_ok(s, f'{IDPS}.get("idp-kept").issuer') == "kept"
    assert "participant_admin" not in user_ids(s)  # deleted, and not created again at the restart


def test_the_commands_are_testing_commands(tmp_path):
    config = "canton { participants.participant1 { storage.type = memory, admin-api.port = 5012, ledger-api.port = 5011 } }"
    s = open_session(config, tmp_path)
    try:
        for command in (f"{USERS}.list()", f'{USERS}.create("x")', f"{IDPS}.list()", f'{USERS}.rights.list("participant_admin")'):
            out = failed(s, command)
            assert out.startswith(
                "ERROR c.d.c.c.CantonConsoleEnvironment - The command is currently disabled. You need to enable it explicitly by setting "
                "`canton.features.enable-testing-commands = yes` in your Canton configuration file (`.conf`)\n"
            ), out
        s.admin.set_feature("Testing", True)
        assert "participant_admin" in user_ids(s)
    finally:
        s.close()


def test_the_service_refuses_a_right_of_an_unknown_kind(s):
    with pytest.raises(ServiceStatusError) as e:
        s.admin.node("participant1").users.grant("participant_admin", [UserRight("CanFly")])
    assert e.value.status == "INVALID_ARGUMENT" and "unknown kind of right" in e.value.description
