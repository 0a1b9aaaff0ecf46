"""``participant.parties`` and ``participant.ledger_api.parties`` against the real runtime."""

from __future__ import annotations

from tests.conftest import step_ok


def _failed(session, source: str) -> str:
    out = session.step(source)
    assert out.failed, out.output
    return out.output


def test_enable_list_hosted_find_disable(default_session):
    s = default_session
    alice = step_ok(s, 'val alice = participant1.parties.enable("alice")')
    assert str(alice).startswith("alice::")
    # every participant of the console sees the party once enable returns (synchronizeParticipants)
    for p in ("participant1", "participant2", "participant3"):
        rows = step_ok(s, f'{p}.parties.list("alice")')
        assert [str(r.party) for r in rows] == [str(alice)]
    (row,) = step_ok(s, 'participant1.parties.list("alice")')
    (hosting,) = row.participants
    assert str(hosting.participant) == str(step_ok(s, "participant1.id"))
    (perm,) = hosting.synchronizers
    assert str(perm.permission) == "Submission"
    assert str(perm.synchronizerId) == str(step_ok(s, 'participant1.synchronizers.id_of("da")'))
    out = s.step('participant1.parties.list("alice")').output
    assert "ListPartiesResult(\n    party = alice::" in out and "permission = Submission" in out
    # filters: the participant filter, a party filter with a namespace, the synchronizer, limit
    assert step_ok(s, 'participant2.parties.list("alice", filterParticipant = participant2.id.filterString)') == []
    assert len(step_ok(s, 'participant2.parties.list("alice", filterParticipant = participant1.id.filterString)')) == 1
    assert len(step_ok(s, "participant1.parties.list(alice.filterString)")) == 1
    assert step_ok(s, 'participant1.parties.list("alice::1221")') == []
    assert len(step_ok(s, 'participant1.parties.list("alice", synchronizerIds = Set(participant1.synchronizers.id_of("da")))')) == 1
    assert len(step_ok(s, "participant1.parties.list(limit = PositiveInt.tryCreate(2))")) == 2
    assert step_ok(s, 'participant2.parties.hosted("alice")') == []
    hosted = {str(r.party).split("::")[0] for r in step_ok(s, "participant1.parties.hosted()")}
    assert hosted == {"alice", "participant1"}
    assert step_ok(s, 'participant1.parties.find("alice")') == alice
    # enabling again changes nothing and says so
    assert "TOPOLOGY_MAPPING_ALREADY_EXISTS" in _failed(s, 'participant1.parties.enable("alice")')
    step_ok(s, "participant1.parties.disable(alice)")
    assert step_ok(s, 'participant1.parties.list("alice")') == []
    assert "Cannot remove permission for participants that are not permissioned" in _failed(s, "participant1.parties.disable(alice)")


def test_enable_arguments(default_session):
    s = default_session
    # waitForSynchronizer by alias, no other participants to wait for
    bob = step_ok(s, 'participant2.parties.enable("bob", waitForSynchronizer = SynchronizerChoice.Only(Seq("da")), synchronizeParticipants = Seq())')
    assert str(bob).startswith("bob::")
    out = _failed(s, 'participant2.parties.enable("carol", waitForSynchronizer = SynchronizerChoice.Only(Seq("nowhere")))')
    assert "Unknown: nowhere for participant2" in out
    assert step_ok(s, 'participant2.parties.list("carol")') == []
    # synchronizer (the later releases' argument): the party is enabled on that synchronizer only
    step_ok(s, 'participant3.parties.enable("frank", synchronizer = "da")')
    assert len(step_ok(s, 'participant1.parties.list("frank")')) == 1
    assert "Unknown: elsewhere for participant3" in _failed(s, 'participant3.parties.enable("gina", synchronizer = "elsewhere")')
    assert step_ok(s, 'participant1.parties.list("gina")') == []
    # a proposal other participants must still authorize: nothing to wait for with Only(Seq())
    dave = step_ok(s, 'participant1.parties.enable("dave", threshold = PositiveInt.tryCreate(2), participants = Seq(participant1, participant2), '
                   'mustFullyAuthorize = false, waitForSynchronizer = SynchronizerChoice.Only(Seq()), synchronizeParticipants = Seq())')
    assert str(dave).startswith("dave::")
    assert step_ok(s, 'participant1.parties.list("dave")') == []
    # a party of several participants needs their authorization: with mustFullyAuthorize it fails
    out = _failed(s, 'participant1.parties.enable("erin", participants = Seq(participant1, participant2))')
    assert "TOPOLOGY_UNAUTHORIZED_TRANSACTION" in out
    assert step_ok(s, 'participant1.parties.list("erin")') == []


def test_enable_bad_input_stores_nothing(default_session):
    s = default_session
    assert "non expected character 0x24" in _failed(s, 'participant1.parties.enable("al$ce")')
    assert "expects" in _failed(s, "participant1.parties.enable(42)")
    out = _failed(s, 'participant1.parties.enable("x", namespace = participant2.id.namespace)')
    assert "TOPOLOGY_UNAUTHORIZED_TRANSACTION" in out
    assert "No party matching nobody" in _failed(s, 'participant1.parties.find("nobody")')
    step_ok(s, 'participant1.parties.enable("multi1")')
    step_ok(s, 'participant1.parties.enable("multi2")')
    assert "Multiple parties match multi" in _failed(s, 'participant1.parties.find("multi")')
    assert "UNSUPPORTED_ARGUMENT" in _failed(s, "participant1.parties.disable(participant1.parties.find(\"multi1\"), forceFlags = ForceFlags(ForceFlag.AlienMember))")
    assert step_ok(s, 'participant1.parties.list("x")') == []


def test_ledger_api_parties(default_session):
    s = default_session
    details = step_ok(s, 'participant1.ledger_api.parties.allocate("bob", annotations = Map("k1" -> "v1", "k2" -> "v2"))')
    assert details.isLocal and dict(details.annotations) == {"k1": "v1", "k2": "v2"} and details.identityProviderId == ""
    out = s.step('participant1.ledger_api.parties.allocate("bob2")').output
    assert "PartyDetails(\n  party = bob2::" in out and "isLocal = true" in out
    bob = details.party
    # the party is hosted through the topology: parties.list shows it
    assert len(step_ok(s, 'participant1.parties.list("bob")')) == 2
    known = {str(d.party): d for d in step_ok(s, "participant2.ledger_api.parties.list()")}
    assert str(bob) in known and not known[str(bob)].isLocal
    s.step(f'val bob = PartyId.tryFromProtoPrimitive("{bob}")')
    updated = step_ok(s, 'participant1.ledger_api.parties.update(bob, modifier = _.copy(annotations = Map("foo" -> "bar")))')
    assert dict(updated.annotations) == {"foo": "bar"}
    got = step_ok(s, "participant1.ledger_api.parties.get(Seq(bob))")
    assert dict(got(bob).annotations) == {"foo": "bar"}
    # only the annotations may change
    assert "MODIFYING_AN_UNMODIFIABLE_PARTY_DETAILS_PROPERTY_ERROR" in _failed(s, "participant1.ledger_api.parties.update(bob, _.copy(isLocal = false))")
    # identity providers
    step_ok(s, 'participant1.ledger_api.identity_provider_config.create("idp1", jwksUrl = "https://jwks:900", issuer = "issuer1", audience = None)')
    step_ok(s, 'participant1.ledger_api.parties.update_idp(bob, sourceIdentityProviderId = "", targetIdentityProviderId = "idp1")')
    assert [str(d.party) for d in step_ok(s, 'participant1.ledger_api.parties.list("idp1")')] == [str(bob)]
    assert "PARTY_NOT_FOUND" in _failed(s, 'participant1.ledger_api.parties.update_idp(bob, sourceIdentityProviderId = "", targetIdentityProviderId = "idp1")')
    idp_party = step_ok(s, 'participant1.ledger_api.parties.allocate("carol", identityProviderId = "idp1")')
    assert idp_party.identityProviderId == "idp1"
    # bad input: nothing is stored
    assert "ALREADY_EXISTS/Party already exists" in _failed(s, 'participant1.ledger_api.parties.allocate("bob")')
    assert "has not been found" in _failed(s, 'participant1.ledger_api.parties.allocate("dave", identityProviderId = "nope")')
    assert "INVALID_FIELD" in _failed(s, 'participant1.ledger_api.parties.allocate("d$ve")')
    assert step_ok(s, 'participant1.parties.list("d")') == []
