"""Offline party replication as Canton 3.3 does it: participant1 exports Alice's active contracts at
the offset where participant2 became a host of hers (``parties.find_party_max_activation_offset``,
``parties.export_acs``), participant2 imports them while disconnected (``repair.import_acs``) and,
reconnected, processes Alice's later transactions; ``repair.purge`` and the commands refused by
name. The ACS snapshot format and the hosting-change logic are tested directly."""

from __future__ import annotations

import gzip
import json
import time

import pytest
from conftest import step_ok

from canton_console.runtime.participant import repair as r
from canton_console.values import acs_snapshot as snap
from canton_console.values import ledger
from canton_console.values import topology as t

IOU_PKG = next(p for p in ledger.BUILTIN_PACKAGES if p.name == "iou").id
SYNC = "da::1220aa"


# ---- the snapshot format and the hosting changes, directly ----------------------------------------


def contract(cid: str, amount: int = 1, issuer: str = "Alice::1220", owner: str = "Bob::1220") -> ledger.Contract:
    return ledger.Contract(cid, "Iou:Iou", {"issuer": issuer, "owner": owner, "amount": amount}, (issuer,), (owner,))


def test_a_snapshot_round_trips_and_carries_each_contract_once():
    contracts = [snap.RepairContract(SYNC, contract("00a1", 5)), snap.RepairContract(SYNC, contract("00a2", 7))]
    data = snap.encode_snapshot(contracts)
    assert data[:2] == b"\x1f\x8b"  # gzip, as Canton's canton-acs-export.gz
    decoded = snap.decode_snapshot(data)
    assert [(c.synchronizer_id, c.contract) for c in decoded] == [(c.synchronizer_id, c.contract) for c in contracts]
    assert snap.invalid_contract_ids(decoded) == []
    assert snap.encode_snapshot(contracts) == data  # deterministic


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "Failed to decompress bytes"),
        (gzip.compress(b"canton-console topology transactions\n{}"), "not an ACS export of canton-console"),
        (gzip.compress(snap.ACS_SNAPSHOT_HEADER + b"{not json"), "the content is damaged"),
        (gzip.compress(snap.ACS_SNAPSHOT_HEADER + b'{"format": 9, "contracts": []}'), "unsupported format version 9"),
        (gzip.compress(snap.ACS_SNAPSHOT_HEADER + b'{"format": 1, "contracts": [{"contract": {}}]}'), "a contract is damaged"),
    ],
)
def test_bytes_that_are_not_a_snapshot_are_refused_with_the_reason(data, message):
    with pytest.raises(snap.SnapshotError, match=message):
        snap.decode_snapshot(data)


def test_validation_finds_a_contract_whose_payload_changed_after_the_export():
    raw = gzip.decompress(snap.encode_snapshot([snap.RepairContract(SYNC, contract("00a1", 5)), snap.RepairContract(SYNC, contract("00a2", 7))]))
    body = json.loads(raw[len(snap.ACS_SNAPSHOT_HEADER) :])
    body["contracts"][1]["contract"]["arguments"]["amount"] = 7000
    tampered = snap.decode_snapshot(gzip.compress(snap.ACS_SNAPSHOT_HEADER + json.dumps(body).encode()))
    assert snap.invalid_contract_ids(tampered) == ["00a2"]


def stored(participants: list[str] | None, valid_from: int) -> t.StoredTransaction:
    op = t.REMOVE if participants is None else t.REPLACE
    mapping = t.party_to_participant("Alice::1220", 1, [(p, "Submission") for p in participants or ["PAR::p1::1220"]])
    return t.StoredTransaction(t.SignedTopologyTransaction(t.TopologyTransaction(op, 1, mapping), {}), valid_from - 10, valid_from)


def test_hosting_changes_are_the_transactions_that_add_or_revoke_the_participant():
    history = [
        stored(["PAR::p1::1220"], 100),
        stored(["PAR::p1::1220", "PAR::p2::1220"], 200),  # p2 added
        stored(["PAR::p1::1220", "PAR::p2::1220"], 300),  # a permission change: no activation
        stored(["PAR::p1::1220"], 400),  # p2 revoked
        stored(None, 500),  # the mapping removed: p1 revoked
    ]
    assert [(c.kind, c.valid_from) for c in r.hosting_changes(history, "PAR::p2::1220")] == [("added", 200), ("revoked", 400)]
    assert [(c.kind, c.valid_from) for c in r.hosting_changes(history, "PAR::p1::1220")] == [("added", 100), ("revoked", 500)]


def test_the_offset_at_a_time_is_the_last_update_of_that_synchronizer_recorded_by_then():
    points = [r.LedgerPoint(1, SYNC, 10), r.LedgerPoint(2, "other::1220", 15), r.LedgerPoint(3, SYNC, 20)]
    assert r.offset_at(points, SYNC, 19) == 1
    assert r.offset_at(points, SYNC, 20) == 3
    assert r.offset_at(points, SYNC, 9) is None


# ---- the replication, end to end -----------------------------------------------------------------


def failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def create(s, issuer: str, owner: str, amount: int) -> str:
    tree = step_ok(
        s,
        f'participant1.ledger_api.commands.submit(Seq({issuer}), Seq(ledger_api_utils.create(pkg, "Iou", "Iou", '
        f'Map("issuer" -> {issuer}, "owner" -> {owner}, "amount" -> {amount}))))',
    )
    return tree.created[0].contractId


def acs(s, participant: str, party: str = "alice") -> dict[str, dict]:
    entries = step_ok(s, f"{participant}.ledger_api.state.acs.of_party({party})")
    ids = [e.contractId for e in entries]
    assert len(ids) == len(set(ids)), f"a contract is listed twice on {participant}: {ids}"
    return {e.contractId: dict(e.arguments) for e in entries}


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replicated(module_session, tmp_path_factory):
    """Alice (participant1) with IOUs, replicated to participant2 as the docs do it; what the steps
    returned and showed on the way."""
    s = module_session
    s.admin.set_feature("Repair", True)
    files = tmp_path_factory.mktemp("acs")
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, 'val bob = participant1.parties.enable("Bob")')
    step_ok(s, f'val pkg = "{IOU_PKG}"')
    step_ok(s, 'val synchronizerId = participant1.synchronizers.id_of("da")')
    seen: dict = {"file": str(files / "alice.acs.gz"), "bad": str(files / "bad.gz")}
    seen["alices"] = [create(s, "alice", "bob", n) for n in (10, 20, 30)]
    seen["bobs"] = create(s, "bob", "bob", 5)
    gone = create(s, "alice", "alice", 1)
    step_ok(s, f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Archive", Map(), "{gone}")))')
    seen["archived_before"] = gone
    seen["p1_acs"] = acs(s, "participant1")

    # the target agrees to host Alice; an import while it is connected is refused and changes nothing
    step_ok(s, "participant2.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Submission)), store = synchronizerId)")
    step_ok(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{seen["file"]}", ledgerOffset = participant1.ledger_api.state.end())')
    seen["p2_end_before"] = step_ok(s, "participant2.ledger_api.state.end()")
    seen["connected_import"] = failure(s, f'participant2.repair.import_acs("{seen["file"]}")')
    seen["p2_end_after_refusal"] = step_ok(s, "participant2.ledger_api.state.end()")

    step_ok(s, "participant2.synchronizers.disconnect_all()")
    step_ok(s, "val beforeActivationOffset = participant1.ledger_api.state.end()")
    step_ok(s, "participant1.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Submission)), store = synchronizerId)")
    seen["offset"] = step_ok(
        s,
        "val offset = participant1.parties.find_party_max_activation_offset(partyId = alice, participantId = participant2.id, "
        "synchronizerId = synchronizerId, beginOffsetExclusive = beforeActivationOffset, completeAfter = PositiveInt.one)",
    )
    seen["before_activation"] = step_ok(s, "beforeActivationOffset")
    step_ok(s, f'participant1.parties.export_acs(Set(alice), synchronizerId = Some(synchronizerId), exportFilePath = "{seen["file"]}", ledgerOffset = offset)')

    with open(seen["bad"], "wb") as f:
        f.write(b"not an ACS snapshot")
    seen["bad_import"] = failure(s, f'participant2.repair.import_acs("{seen["bad"]}")')
    seen["p2_acs_after_bad"] = acs(s, "participant2")
    seen["p2_end_after_bad"] = step_ok(s, "participant2.ledger_api.state.end()")

    seen["import"] = step_ok(s, f'participant2.repair.import_acs("{seen["file"]}")')
    seen["p2_acs_once"] = acs(s, "participant2")
    seen["p2_end_once"] = step_ok(s, "participant2.ledger_api.state.end()")
    seen["import_again"] = step_ok(s, f'participant2.repair.import_acs("{seen["file"]}")')
    seen["p2_acs_twice"] = acs(s, "participant2")
    seen["p2_end_twice"] = step_ok(s, "participant2.ledger_api.state.end()")
    assert step_ok(s, 'participant2.synchronizers.reconnect_local("da")') is True
    return s, seen


def test_the_activation_offset_is_found_after_the_offset_before_it(replicated):
    _s, seen = replicated
    # no transaction between: the ACS at the activation is the ACS at the offset taken before it
    assert int(seen["offset"]) == seen["before_activation"]


def test_import_moves_exactly_the_contracts_of_alice(replicated):
    _s, seen = replicated
    moved = seen["p2_acs_once"]
    assert moved == seen["p1_acs"]  # same contract ids, same payloads
    assert set(moved) == set(seen["alices"])
    assert seen["bobs"] not in moved and seen["archived_before"] not in moved
    assert seen["import"] == {}  # no contract id recomputed


def test_importing_twice_doubles_nothing(replicated):
    _s, seen = replicated
    assert seen["p2_acs_twice"] == seen["p2_acs_once"]
    assert seen["p2_end_twice"] == seen["p2_end_once"]  # nothing new to add: no ledger update
    assert seen["import_again"] == {}


def test_an_import_while_connected_is_refused_and_changes_nothing(replicated):
    _s, seen = replicated
    out = seen["connected_import"]
    assert "Request failed for participant2." in out
    assert "INVALID_ARGUMENT/IMPORT_ACS_ERROR(8,0): There are still synchronizers connected. Please disconnect all synchronizers." in out
    assert seen["p2_end_after_refusal"] == seen["p2_end_before"]


def test_a_file_that_is_not_a_snapshot_is_refused_and_changes_nothing(replicated):
    _s, seen = replicated
    assert "IMPORT_ACS_ERROR(8,0): Failed to decompress bytes:" in seen["bad_import"]
    assert seen["p2_acs_after_bad"] == {}
    assert seen["p2_end_after_bad"] == seen["p2_end_before"]


def test_the_imported_contracts_are_updates_on_the_target_ledger(replicated):
    s, seen = replicated
    txs = step_ok(s, f'participant2.ledger_api.updates.flat(Set(alice), completeAfter = 1, beginOffsetExclusive = {seen["p2_end_before"]})')
    assert {e.contractId for e in txs[0].transaction.events} == set(seen["alices"])


def test_after_the_hosting_change_both_participants_see_alices_transactions(replicated):
    s, seen = replicated
    archived = seen["alices"][0]
    step_ok(s, f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Archive", Map(), "{archived}")))')
    wait_for(lambda: archived not in acs(s, "participant2"))
    assert archived not in acs(s, "participant1")
    new = create(s, "alice", "bob", 99)
    wait_for(lambda: new in acs(s, "participant2"))
    # participant2 hosts Alice with submission permission: it can use an imported contract itself
    used = seen["alices"][1]
    step_ok(s, f'participant2.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Archive", Map(), "{used}")))')
    wait_for(lambda: used not in acs(s, "participant1"))
    assert used not in acs(s, "participant2")
    assert set(acs(s, "participant1")) == set(acs(s, "participant2"))


def test_a_contract_archived_since_cannot_be_imported_again(replicated):
    s, seen = replicated
    archived = seen["alices"][2]
    if archived in acs(s, "participant1"):
        step_ok(s, f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Archive", Map(), "{archived}")))')
    wait_for(lambda: archived not in acs(s, "participant2"))
    step_ok(s, "participant2.synchronizers.disconnect_all()")
    try:
        before = acs(s, "participant2"), step_ok(s, "participant2.ledger_api.state.end()")
        out = failure(s, f'participant2.repair.import_acs("{seen["file"]}")')
        assert f"Cannot add previously archived contract {seen['alices'][0]} as archived contracts cannot become active." in out
        assert (acs(s, "participant2"), step_ok(s, "participant2.ledger_api.state.end()")) == before
    finally:
        step_ok(s, 'participant2.synchronizers.reconnect_local("da")')


def test_the_activation_is_found_only_for_its_participant_and_effective_time(replicated):
    s, seen = replicated
    out = failure(
        s,
        "participant1.parties.find_party_max_activation_offset(alice, participant3, synchronizerId, "
        "beginOffsetExclusive = beforeActivationOffset, completeAfter = PositiveInt.one, timeout = 100.millis)",
    )
    assert "Offset not found in topology data. Possible causes: 1) No topology transaction exists" in out
    # Alice's first activation, on participant1, when she was enabled
    first = step_ok(s, "participant1.parties.find_party_max_activation_offset(alice, participant1, synchronizerId, completeAfter = PositiveInt.one)")
    assert int(first) == 0
    failure(s, "participant1.parties.find_party_max_activation_offset(alice, participant2, synchronizerId, validFrom = Some(\"2001-01-01T00:00:00Z\"), "
            "completeAfter = PositiveInt.one, endOffsetInclusive = Some(participant1.ledger_api.state.end()))")


def test_export_refuses_an_offset_beyond_the_ledger_end_and_writes_no_file(replicated, tmp_path):
    s, _seen = replicated
    target = tmp_path / "never.gz"
    out = failure(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{target}", ledgerOffset = 100000)')
    assert "INVALID_ARGUMENT_PARTY_MANAGEMENT_ERROR(8,0): Ledger offset 100000 needs to be smaller or equal to the ledger end" in out
    assert not target.exists()
    assert "missing argument 'ledgerOffset'" in failure(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{target}")')


def test_an_export_at_an_earlier_offset_holds_the_contracts_active_then(replicated, tmp_path):
    s, seen = replicated
    early = tmp_path / "early.gz"
    step_ok(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{early}", ledgerOffset = {seen["before_activation"]})')
    exported = {rc.contract.contract_id for rc in snap.decode_snapshot(early.read_bytes())}
    assert exported == set(seen["alices"])  # including the IOU archived since


def test_the_highest_offset_by_timestamp(replicated):
    s, _seen = replicated
    end = step_ok(s, "participant1.ledger_api.state.end()")
    assert int(step_ok(s, 'participant1.parties.find_highest_offset_by_timestamp(synchronizerId, "9999-01-01T00:00:00Z", force = true)')) == end
    out = failure(s, 'participant1.parties.find_highest_offset_by_timestamp(synchronizerId, "9999-01-01T00:00:00Z")')
    assert "INVALID_TIMESTAMP_PARTY_MANAGEMENT_ERROR(12,0): No ledger offset found for the requested timestamp 9999-01-01T00:00:00Z" in out
    assert "(using force flag = false): Not all events have been processed fully" in out
    out = failure(s, 'participant1.parties.find_highest_offset_by_timestamp(synchronizerId, "2001-01-01T00:00:00Z", force = true)')
    assert "There are no events for the given synchronizer before or at the requested timestamp" in out


def test_purge_removes_a_contract_from_this_participant_only(replicated):
    s, seen = replicated
    victim = create(s, "alice", "bob", 77)
    wait_for(lambda: victim in acs(s, "participant2"))
    assert "There are still synchronizers connected" in failure(s, f'participant2.repair.purge("da", Seq("{victim}"))')
    step_ok(s, "participant2.synchronizers.disconnect_all()")
    try:
        step_ok(s, f'participant2.repair.purge("da", Seq("{victim}"))')
        assert victim not in acs(s, "participant2")
        step_ok(s, f'participant2.repair.purge("da", Seq("{victim}"))')  # ignoreAlreadyPurged = true
        out = failure(s, f'participant2.repair.purge("da", Seq("{victim}"), ignoreAlreadyPurged = false)')
        assert f"CONTRACT_PURGE_ERROR(9,0): Contract {victim} cannot be purged: purged contract. Set ignoreAlreadyPurged = true" in out
        out = failure(s, 'participant2.repair.purge("da", Seq("00ff"), ignoreAlreadyPurged = false)')
        assert "Contract 00ff cannot be purged: unknown contract." in out
        assert "CONTRACT_PURGE_ERROR(9,0): Could not find nowhere" in failure(s, 'participant2.repair.purge("nowhere", Seq("00ff"))')
    finally:
        step_ok(s, 'participant2.synchronizers.reconnect_local("da")')
    assert victim in acs(s, "participant1")
    # participant1 archives it later: participant2 keeps it purged (inactive since the purge)
    s.step(f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Archive", Map(), "{victim}")))')
    step_ok(s, "participant2.health.ping(participant1)")
    step_ok(s, "participant2.synchronizers.disconnect_all()")
    try:
        assert "purged contract" in failure(s, f'participant2.repair.purge("da", Seq("{victim}"), ignoreAlreadyPurged = false)')
    finally:
        step_ok(s, 'participant2.synchronizers.reconnect_local("da")')


def test_a_changed_payload_is_refused_unless_ids_are_accepted(replicated, tmp_path):
    s, seen = replicated
    fresh = create(s, "alice", "bob", 12)
    source = tmp_path / "fresh.gz"
    step_ok(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{source}", ledgerOffset = participant1.ledger_api.state.end())')
    contracts = [rc for rc in snap.decode_snapshot(source.read_bytes()) if rc.contract.contract_id == fresh]
    raw = json.loads(gzip.decompress(snap.encode_snapshot(contracts))[len(snap.ACS_SNAPSHOT_HEADER) :])
    raw["contracts"][0]["contract"]["arguments"]["amount"] = 12000
    tampered = tmp_path / "tampered.gz"
    tampered.write_bytes(gzip.compress(snap.ACS_SNAPSHOT_HEADER + json.dumps(raw).encode()))
    # participant3 never hosted Alice; it imports for the test (a repair imports any contracts)
    step_ok(s, "participant3.synchronizers.disconnect_all()")
    try:
        out = failure(s, f'participant3.repair.import_acs("{tampered}")')
        assert f"IMPORT_ACS_ERROR(8,0): Contract ID {fresh} does not match the contract's contents" in out
        assert acs(s, "participant3") == {}
        out = failure(s, f'participant3.repair.import_acs("{tampered}", contractIdImportMode = ContractIdImportMode.Recomputation)')
        assert "argument 'contractIdImportMode' is not supported by canton-console" in out
        step_ok(s, f'participant3.repair.import_acs("{tampered}", contractIdImportMode = ContractIdImportMode.Accept)')
        assert acs(s, "participant3")[fresh]["amount"] == 12000
    finally:
        step_ok(s, 'participant3.synchronizers.reconnect_local("da")')


def test_repair_commands_need_the_repair_feature(replicated):
    s, seen = replicated
    s.admin.set_feature("Repair", False)
    try:
        out = failure(s, f'participant2.repair.import_acs("{seen["file"]}")')
        assert "`canton.features.enable-repair-commands = yes`" in out
    finally:
        s.admin.set_feature("Repair", True)


@pytest.mark.parametrize(
    "source",
    [
        "participant2.repair.ignore_events(synchronizerId, 1, 2)",
        "participant2.repair.unignore_events(synchronizerId, 1, 2)",
        'participant2.repair.migrate_synchronizer("da", "acme")',
        'participant2.repair.change_assignation(Seq(), "da", "acme")',
        'participant2.repair.rollback_unassignment("x", synchronizerId, synchronizerId)',
        'participant2.repair.purge_deactivated_synchronizer("da")',
        "repair.identity.download(participant1)",
        "repair.identity.upload(participant1)",
        "participant2.parties.add_party_async(alice, synchronizerId, Some(participant1), None)",
    ],
)
def test_commands_the_runtime_cannot_honour_are_refused_by_name(replicated, source):
    s, _seen = replicated
    s.admin.set_feature("Preview", True)
    out = failure(s, source)
    assert "UNSUPPORTED_COMMAND" in out and source.split("(")[0].split(".", 1)[1].split(".")[-1] in out


def test_a_contract_both_imported_and_then_delivered_is_not_doubled(default_session, tmp_path):
    # An export at an offset after the activation holds a contract participant2 also receives as a
    # transaction once reconnected: it stays one contract.
    s = default_session
    s.admin.set_feature("Repair", True)
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, f'val pkg = "{IOU_PKG}"')
    step_ok(s, 'val synchronizerId = participant1.synchronizers.id_of("da")')
    step_ok(s, "participant2.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Submission)), store = synchronizerId)")
    step_ok(s, "participant2.synchronizers.disconnect_all()")
    step_ok(s, "participant1.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Submission)), store = synchronizerId)")
    step_ok(s, "participant1.parties.find_party_max_activation_offset(alice, participant2, synchronizerId, completeAfter = PositiveInt.one)")
    wait_for(lambda: step_ok(s, "participant1.topology.party_to_participant_mappings.is_known(synchronizerId, alice, Seq(participant1, participant2))"))
    late = create(s, "alice", "alice", 3)
    file = tmp_path / "late.acs.gz"
    step_ok(s, f'participant1.parties.export_acs(Set(alice), exportFilePath = "{file}", ledgerOffset = participant1.ledger_api.state.end())')
    step_ok(s, f'participant2.repair.import_acs("{file}")')
    step_ok(s, 'participant2.synchronizers.reconnect_local("da")')
    # participant2 commits the transaction that created the contract (after the import's update)
    updates = step_ok(s, "participant2.ledger_api.updates.flat(Set(alice), completeAfter = 2)")
    assert [{e.contractId for e in u.transaction.events} for u in updates] == [{late}, {late}]
    assert list(acs(s, "participant2")) == [late]
    # what the import wrote is in participant2's store (SQLite files): a restart keeps it
    end = step_ok(s, "participant2.ledger_api.state.end()")
    step_ok(s, "participant2.stop()")
    step_ok(s, "participant2.start()")
    assert step_ok(s, "participant2.ledger_api.state.end()") == end
    assert list(acs(s, "participant2")) == [late]


@pytest.fixture
def sim_session(tmp_path, monkeypatch):
    """The default topology in memory on a simulated clock, with repair commands; cwd a temp dir."""
    from canton_console.config import load_config
    from canton_console.console.session import Session, in_memory, with_parameters

    monkeypatch.chdir(tmp_path)
    session = Session(with_parameters(in_memory(load_config([])), clock_type="sim-clock", static_identities=True))
    session.start_and_bootstrap_default()
    session.admin.set_feature("Repair", True)
    yield session
    session.close()


def test_the_repair_macros_replicate_a_party_on_a_silent_synchronizer(sim_session):
    s = sim_session
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, "val sid = sequencer1.synchronizer_id")
    cid = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 10))))').created[0].contractId
    step_ok(s, "val before = participant1.ledger_api.state.end()")
    for p in ("participant2", "participant1"):
        step_ok(s, f"{p}.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Observation)), store = sid)")
    step1 = 'repair.party_replication.step1_hold_and_store_acs(alice, sid, participant1, participant2.id, "alice.gz", before)'
    out = failure(s, step1)
    assert "confirmationRequestsMaxRate must be 0, but was 1000000 for synchronizer da::" in out and "We need a silent synchronizer for party replication." in out
    step_ok(s, "sequencer1.topology.synchronizer_parameters.propose_update(sid, _.update(confirmationRequestsMaxRate = 0))")
    step_ok(s, "clock.advance(1.second)")
    assert "You need to wait until" in failure(s, step1)
    step_ok(s, "clock.advance(61.seconds)")
    step_ok(s, step1)
    step_ok(s, 'repair.party_replication.step2_import_acs(alice, sid, participant2, "alice.gz")')
    assert list(acs(s, "participant2")) == [cid]
    assert step_ok(s, 'participant2.synchronizers.is_connected(sid)') is True  # step 2 reconnects


def test_export_at_a_topology_effective_time_and_a_deactivation(sim_session):
    s = sim_session
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, "val sid = sequencer1.synchronizer_id")
    first = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 1))))').created[0].contractId
    for p in ("participant2", "participant1"):
        step_ok(s, f"{p}.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Observation)), store = sid)")
    step_ok(s, "clock.advance(1.second)")
    step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 2))))')
    step_ok(s, 'val vf = participant1.topology.party_to_participant_mappings.list(sid, filterParty = "Alice").head.context.validFrom')
    step_ok(s, 'participant1.parties.export_acs_at_timestamp(Set(alice), sid, vf, "at.gz")')
    # the contracts active at the hosting change: not the one created after it
    with open("at.gz", "rb") as f:
        assert [rc.contract.contract_id for rc in snap.decode_snapshot(f.read())] == [first]
    out = failure(s, 'participant1.parties.export_acs_at_timestamp(Set(alice), sid, "2001-01-01T00:00:00Z", "never.gz")')
    assert "INVALID_ACS_SNAPSHOT_TIMESTAMP_PARTY_MANAGEMENT_ERROR(12,0): The participant does not yet support serving an ACS snapshot at the requested timestamp 2001-01-01T00:00:00Z" in out
    # participant2 stops hosting Alice: the deactivation is found, after the activation
    activation = step_ok(s, "participant1.parties.find_party_max_activation_offset(alice, participant2, sid, completeAfter = PositiveInt.one)")
    out = failure(s, "participant1.parties.find_party_max_deactivation_offset(alice, participant2, sid, completeAfter = PositiveInt.one, timeout = 100.millis)")
    assert "Offset not found in topology data" in out
    step_ok(s, "participant1.topology.party_to_participant_mappings.propose_delta(party = alice, removes = Seq(participant2.id), store = sid)")
    step_ok(s, "participant1.health.ping(participant1)")
    deactivation = step_ok(s, "participant1.parties.find_party_max_deactivation_offset(alice, participant2, sid, completeAfter = PositiveInt.one)")
    assert int(deactivation) >= int(activation) + 1


def test_repair_add_takes_entries_read_from_another_participant(sim_session):
    s = sim_session
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, "val sid = sequencer1.synchronizer_id")
    cid = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 4))))').created[0].contractId
    step_ok(s, "val entries = participant1.ledger_api.state.acs.of_party(alice)")
    assert "There are still synchronizers connected" in failure(s, "participant3.repair.add(sid, ProtocolVersion.latest, entries)")
    step_ok(s, "participant3.synchronizers.disconnect_all()")
    assert step_ok(s, "participant3.repair.add(sid, ProtocolVersion.latest, entries)") == {}
    assert acs(s, "participant3") == {cid: {"issuer": acs(s, "participant1")[cid]["issuer"], "owner": acs(s, "participant1")[cid]["owner"], "amount": 4}}


def test_await_topology_observed_waits_for_the_hosting(sim_session):
    s = sim_session
    s.admin.set_feature("Preview", True)
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, "participant1.parties.await_topology_observed(Set((alice, participant1)))")
    out = failure(s, "participant1.parties.await_topology_observed(Set((alice, participant2)), timeout = 200.millis)")
    assert "Condition never became true within 200 milliseconds" in out
    for p in ("participant2", "participant1"):
        step_ok(s, f"{p}.topology.party_to_participant_mappings.propose_delta(party = alice, adds = Seq((participant2.id, ParticipantPermission.Observation)), store = sequencer1.synchronizer_id)")
    step_ok(s, "clock.advance(1.second)")
    step_ok(s, "participant2.parties.await_topology_observed(Set((alice, participant1), (alice, participant2)))")


def test_the_deprecated_export_and_import(sim_session):
    s = sim_session
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, "val sid = sequencer1.synchronizer_id")
    first = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 1))))')
    step_ok(s, "clock.advance(1.second)")
    second = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 2))))')
    out = failure(s, 'participant1.repair.export_acs_old(Set(alice), partiesOffboarding = true, outputFile = "old.gz")')
    assert "argument 'partiesOffboarding' is not supported by canton-console" in out
    # the state at the first transaction's record time: the second is not in it
    step_ok(s, f'participant1.repair.export_acs_old(Set(alice), partiesOffboarding = false, outputFile = "old.gz", timestamp = Some("{first.recordTime}"))')
    with open("old.gz", "rb") as f:
        assert [rc.contract.contract_id for rc in snap.decode_snapshot(f.read())] == [first.created[0].contractId]
    step_ok(s, 'participant1.repair.export_acs_old(Set(alice), partiesOffboarding = false, outputFile = "now.gz")')
    step_ok(s, "participant3.synchronizers.disconnect_all()")
    assert step_ok(s, 'participant3.repair.import_acs_old("now.gz")') == {}
    assert set(acs(s, "participant3")) == {first.created[0].contractId, second.created[0].contractId}
