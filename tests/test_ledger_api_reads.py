"""The Ledger API from the console as Canton 3.3 has it (issue 13, items 2 and 4): command
submission (submit, submit_flat, submit_async with 3.3's arguments), ledger_api_utils.create /
exercise with package ids, the active contracts (acs.of_party, active_contracts_of_party, of_all,
await_active_contract, find_generic) and the update stream (updates.flat, trees, by_id)."""

from __future__ import annotations

import pytest
from conftest import step_ok

from canton_console.values import ledger

IOU_PKG = next(p for p in ledger.BUILTIN_PACKAGES if p.name == "iou").id


@pytest.fixture(scope="module")
def s(module_session):
    step_ok(module_session, 'val alice = participant1.parties.enable("Alice")')
    step_ok(module_session, 'val bob = participant2.parties.enable("Bob")')
    step_ok(module_session, f'val pkg = "{IOU_PKG}"')
    return module_session


def create(amount: int, command_id: str = "", how: str = "submit") -> str:
    cid = f', commandId = "{command_id}"' if command_id else ""
    return (
        f'participant1.ledger_api.commands.{how}(Seq(alice), Seq(ledger_api_utils.create(pkg, "Iou", "Iou", '
        f'Map("issuer" -> alice, "owner" -> bob, "amount" -> {amount}))){cid})'
    )


def failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def test_submit_returns_the_transaction_tree_with_package_qualified_template(s):
    tree = step_ok(s, create(100, "tree-1"))
    assert tree.commandId == "tree-1" and tree.offset == step_ok(s, "participant1.ledger_api.state.end()")
    (event,) = tree.eventsById.values()
    assert str(event.templateId) == f"{IOU_PKG}:Iou:Iou"
    assert event.createArguments["amount"] == 100
    shown = s.step(create(1)).output
    assert "TransactionTree(" in shown and "CreatedEvent(" in shown and f'packageId = "{IOU_PKG}"' in shown


def test_submit_flat_and_exercise_by_package_id_archive_and_create(s):
    tree = step_ok(s, create(7))
    cid = tree.created[0].contractId
    flat = step_ok(
        s,
        f'participant2.ledger_api.commands.submit_flat(Seq(bob), Seq(ledger_api_utils.exercise(pkg, "Iou", "Iou", "Transfer", Map("newOwner" -> alice), "{cid}")))',
    )
    # bob sees the archive; the new IOU (alice to alice) is not his to see in a flat transaction
    assert [type(e).__name__ for e in flat.events] == ["ArchivedEvent"]
    assert flat.events[0].contractId == cid
    tree = step_ok(s, f'participant1.ledger_api.updates.trees(Set(alice), completeAfter = 1, beginOffsetExclusive = {flat.offset - 1})')[0].transactionTree
    assert [type(e).__name__ for e in tree.eventsById.values()] == ["ExercisedEvent", "CreatedEvent"]
    new = tree.created[0].contractId
    acs = {c.contractId for c in step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")}
    assert cid not in acs and new in acs


def test_exercise_from_a_created_event(s):
    cid = step_ok(s, create(8)).created[0].contractId
    entry = step_ok(s, f'participant2.ledger_api.state.acs.find_generic(bob, _.contractId == "{cid}")')
    tree = step_ok(s, 'participant2.ledger_api.commands.submit(Seq(bob), Seq(ledger_api_utils.exercise("Transfer", Map("newOwner" -> alice), ' + f'participant2.ledger_api.state.acs.find_generic(bob, _.contractId == "{cid}").event)))')
    assert entry.contractId == cid
    assert [e.choice for e in tree.eventsById.values() if type(e).__name__ == "ExercisedEvent"] == ["Transfer"]


def test_unknown_package_module_or_template_fails_at_submission_and_stores_nothing(s):
    end = step_ok(s, "participant1.ledger_api.state.end()")
    out = failure(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("00ff", "Iou", "Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> 1))))')
    assert "PACKAGE_NOT_FOUND(11," in out and "Couldn't find package 00ff" in out
    out = failure(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create(pkg, "Iou", "Nope", Map("issuer" -> alice))))')
    assert "COMMAND_PREPROCESSING_FAILED(8," in out and f"unknown template {IOU_PKG}:Iou:Nope" in out
    out = failure(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create(pkg, "Ping", "Iou", Map("issuer" -> alice))))')
    assert "COMMAND_PREPROCESSING_FAILED" in out
    assert step_ok(s, "participant1.ledger_api.state.end()") == end


def test_submit_takes_canton_argument_order_and_refuses_what_it_cannot_honour(s):
    # 3.3's third positional argument is synchronizerId
    tree = step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 3))), Some(sequencer1.synchronizer_id))')
    assert tree.synchronizerId == str(step_ok(s, "sequencer1.synchronizer_id"))
    for arg in ('workflowId = "wf"', "disclosedContracts = Seq(1)", "minLedgerTimeAbs = Some(1)"):
        out = failure(s, create(1)[:-1] + f", {arg})")
        assert "UNSUPPORTED_ARGUMENT" in out and arg.split(" ")[0] in out


def test_submit_async_returns_at_once_and_the_contract_appears(s):
    assert step_ok(s, create(55, "async-1", how="submit_async")) is None
    entry = step_ok(s, "participant1.ledger_api.state.acs.find_generic(alice, _.arguments(\"amount\") == 55)")
    assert entry.arguments["amount"] == 55
    step_ok(s, f'participant2.ledger_api.state.acs.await_active_contract(bob, "{entry.contractId}")')


def test_acs_of_party_limit_template_filter_and_offset(s):
    before = step_ok(s, "participant1.ledger_api.state.end()")
    step_ok(s, create(31))
    all_now = step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")
    at_before = step_ok(s, f"participant1.ledger_api.state.acs.of_party(alice, activeAtOffsetO = Some({before}))")
    assert len(all_now) == len(at_before) + 1
    assert len(step_ok(s, "participant1.ledger_api.state.acs.of_party(alice, limit = 1)")) == 1
    assert type(all_now[0]).__name__ == "WrappedContractEntry"
    assert step_ok(s, 'participant1.ledger_api.state.acs.of_party(alice, filterTemplates = Seq("Canton.Internal.Ping:Ping"))') == []
    assert len(step_ok(s, f'participant1.ledger_api.state.acs.of_party(alice, filterTemplates = Seq("{IOU_PKG}:Iou:Iou"))')) == len(all_now)
    active = step_ok(s, "participant1.ledger_api.state.acs.active_contracts_of_party(alice)")
    assert [type(a).__name__ for a in active] == ["ActiveContract"] * len(all_now)
    assert {c.contractId for c in step_ok(s, "participant1.ledger_api.state.acs.of_all()")} >= {c.contractId for c in all_now}
    out = failure(s, "participant1.ledger_api.state.acs.of_party(alice, activeAtOffsetO = Some(100000))")
    assert "OFFSET_AFTER_LEDGER_END(12," in out and "active_at_offset offset (100000) is after ledger end" in out
    out = failure(s, "participant1.ledger_api.state.acs.of_party(alice, limit = 0)")
    assert "limit must be positive" in out


def test_find_generic_and_await_fail_after_their_timeout(s):
    out = failure(s, "participant1.ledger_api.state.acs.find_generic(alice, _ => false, timeout = 200.millis)")
    assert "Failed to find contract for" in out
    out = failure(s, 'participant1.ledger_api.state.acs.await_active_contract(alice, "00dead", timeout = 200.millis)')
    assert "Condition never became true" in out


def test_updates_flat_trees_and_by_id(s):
    start = step_ok(s, "participant1.ledger_api.state.end()")
    first = step_ok(s, create(41))
    step_ok(s, create(42))
    flats = step_ok(s, f"participant2.ledger_api.updates.flat(Set(bob), completeAfter = 2, beginOffsetExclusive = {0})")
    assert len(flats) == 2 and type(flats[0]).__name__ == "TransactionWrapper"
    mine = step_ok(s, f"participant1.ledger_api.updates.trees(Set(alice), completeAfter = 5, beginOffsetExclusive = {start}, timeout = 1.second)")
    assert [u.transactionTree.updateId for u in mine][:1] == [first.updateId]
    assert len(mine) == 2  # only two after start: collected until the timeout
    bounded = step_ok(s, f"participant1.ledger_api.updates.flat(Set(alice), completeAfter = 10, beginOffsetExclusive = {start}, endOffsetInclusive = Some({first.offset}))")
    assert [u.updateId for u in bounded] == [first.updateId]
    found = step_ok(s, f'participant1.ledger_api.updates.by_id(Set(alice), "{first.updateId}")')
    assert found.get.updateId == first.updateId
    assert step_ok(s, 'participant1.ledger_api.updates.by_id(Set(alice), "nope")').isEmpty
    out = failure(s, "participant1.ledger_api.updates.flat(Set(alice), completeAfter = 1, endOffsetInclusive = Some(100000))")
    assert "OFFSET_AFTER_LEDGER_END" in out and "End offset (100000) is after ledger end" in out
