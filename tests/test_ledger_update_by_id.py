"""ledger_api.updates.update_by_id / update_by_offset (with Canton 3.3's UpdateFormat) and
by_offset: the transaction as the format shows it to the parties its filters name, None when the
participant does not know the update or every event is filtered out, Canton's validation errors
for a bad request. And logback's Level in the console (health.set_log_level(Level.DEBUG))."""

from __future__ import annotations

import pytest
from conftest import step_ok

from canton_console.values import ledger
from canton_console.values.update_format import (
    TRANSACTION_SHAPE_ACS_DELTA,
    EventFormat,
    Filters,
    FormatProblem,
    TransactionFormat,
    UpdateFormat,
    resolve_transaction_format,
)

IOU_PKG = next(p for p in ledger.BUILTIN_PACKAGES if p.name == "iou").id


@pytest.fixture(scope="module")
def s(module_session):
    s = module_session
    s.admin.set_feature("Testing", True)
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, 'val bob = participant2.parties.enable("Bob")')
    step_ok(s, "import com.daml.ledger.api.v2.transaction_filter._")
    step_ok(s, "import com.daml.ledger.api.v2.value.Identifier")
    step_ok(s, f'val pkg = "{IOU_PKG}"')
    # alice issues an IOU to bob, then bob transfers it back to alice
    step_ok(s, 'val created = participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> 5))))')
    step_ok(s, 'participant2.ledger_api.state.acs.await_active_contract(bob, created.created.head.contractId)')
    step_ok(
        s,
        'val moved = participant2.ledger_api.commands.submit(Seq(bob), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> alice), created.created.head.contractId)))',
    )
    return s


def fmt(party: str, shape: str = "TRANSACTION_SHAPE_ACS_DELTA", filters: str = "Filters(Nil)") -> str:
    return (
        f"UpdateFormat(includeTransactions = Some(TransactionFormat(eventFormat = Some(EventFormat(filtersByParty = "
        f"Map({party}.toProtoPrimitive -> {filters}))), transactionShape = TransactionShape.{shape})))"
    )


def failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def test_resolving_a_format_follows_cantons_validation():
    assert resolve_transaction_format(UpdateFormat(), lambda p: None) is None  # no transactions asked for
    with pytest.raises(FormatProblem) as problem:
        resolve_transaction_format(UpdateFormat(TransactionFormat(EventFormat({"a::1": Filters()}))), lambda p: None)
    assert (problem.value.kind, problem.value.detail) == ("missing", "transaction_shape")
    with pytest.raises(FormatProblem) as problem:
        resolve_transaction_format(UpdateFormat(TransactionFormat(None, TRANSACTION_SHAPE_ACS_DELTA)), lambda p: None)
    assert problem.value.detail == "event_format"
    selection = resolve_transaction_format(UpdateFormat(TransactionFormat(EventFormat({"a::1": Filters()}), TRANSACTION_SHAPE_ACS_DELTA)), lambda p: None)
    assert selection is not None and not selection.ledger_effects
    assert selection.selects("a::1", "x:M:T") and not selection.selects("b::1", "x:M:T")


def test_update_by_id_shows_the_transaction_as_the_format_says(s):
    # bob's participant, acs delta: the archive of his IOU and the new one is not his (alice to alice)
    update = step_ok(s, f"participant2.ledger_api.updates.update_by_id(moved.updateId, {fmt('bob')})").get
    events = update.transaction.events
    assert [type(e).__name__ for e in events] == ["ArchivedEvent"]
    assert update.updateId == str(step_ok(s, "moved.updateId"))
    # ledger effects: the exercise too, to its informees among the parties asked for
    update = step_ok(s, f"participant2.ledger_api.updates.update_by_id(moved.updateId, {fmt('bob', 'TRANSACTION_SHAPE_LEDGER_EFFECTS')})").get
    assert [type(e).__name__ for e in update.transaction.events] == ["ExercisedEvent"]
    bob = str(step_ok(s, "bob"))
    assert list(update.transaction.events[0].witnessParties) == [bob]
    # alice's participant sees the archive and the new IOU
    update = step_ok(s, f"participant1.ledger_api.updates.update_by_id(moved.updateId, {fmt('alice')})").get
    assert [type(e).__name__ for e in update.transaction.events] == ["ArchivedEvent", "CreatedEvent"]
    shown = s.step(f"participant1.ledger_api.updates.update_by_id(moved.updateId, {fmt('alice')})").output
    assert shown.startswith("res") and "Some[TransactionWrapper]" in shown and "TransactionWrapper(" in shown


def test_template_filters_select_events(s):
    wanted = 'Filters(Seq(CumulativeFilter(CumulativeFilter.IdentifierFilter.TemplateFilter(TemplateFilter(Some(Identifier(pkg, "Iou", "Iou")))))))'
    step_ok(s, f"val iouOnly = {fmt('alice', filters=wanted)}")
    assert len(step_ok(s, "participant1.ledger_api.updates.update_by_id(created.updateId, iouOnly)").get.transaction.events) == 1
    # a template no package has: Canton's TEMPLATES_OR_INTERFACES_NOT_FOUND
    unknown = 'Filters(Seq(CumulativeFilter(CumulativeFilter.IdentifierFilter.TemplateFilter(TemplateFilter(Some(Identifier(pkg, "Iou", "Nope")))))))'
    out = failure(s, f"participant1.ledger_api.updates.update_by_id(created.updateId, {fmt('alice', filters=unknown)})")
    assert "TEMPLATES_OR_INTERFACES_NOT_FOUND(11," in out and f"Templates do not exist: [{IOU_PKG}:Iou:Nope]." in out


def test_not_found_or_filtered_out_is_none(s):
    assert step_ok(s, f'participant1.ledger_api.updates.update_by_id("0000", {fmt("alice")})').isEmpty
    # bob owns the IOU alice created (an observer): the create is his to see
    assert step_ok(s, f"participant2.ledger_api.updates.update_by_id(created.updateId, {fmt('bob')})").isDefined
    # a party with no event in the transaction: every event filtered out
    assert step_ok(s, f'participant2.ledger_api.updates.update_by_id(created.updateId, {fmt("participant2.adminParty")})').isEmpty
    # asking for no transactions at all
    assert step_ok(s, "participant1.ledger_api.updates.update_by_id(created.updateId, UpdateFormat())").isEmpty


def test_by_offset_and_update_by_offset(s):
    offset = step_ok(s, "created.offset")
    tree = step_ok(s, f"participant1.ledger_api.updates.by_offset(Set(alice), {offset})").get
    assert tree.updateId == str(step_ok(s, "created.updateId"))
    assert step_ok(s, f"participant1.ledger_api.updates.by_offset(Set(alice), {offset + 1000})").isEmpty
    update = step_ok(s, f"participant1.ledger_api.updates.update_by_offset({offset}, {fmt('alice')})").get
    assert update.updateId == tree.updateId
    out = failure(s, f"participant1.ledger_api.updates.update_by_offset(0, {fmt('alice')})")
    assert "NON_POSITIVE_OFFSET(8," in out and "Offset 0 in offset is not a positive integer: the offset has to be a positive integer (>0)" in out


def test_bad_requests_get_cantons_errors(s):
    out = failure(s, f'participant1.ledger_api.updates.update_by_id("", {fmt("alice")})')
    assert "MISSING_FIELD(8," in out and "missing a mandatory field: update_id" in out
    out = failure(s, "participant1.ledger_api.updates.update_by_id(created.updateId, UpdateFormat(includeTransactions = Some(TransactionFormat(eventFormat = Some(EventFormat()), transactionShape = TransactionShape.TRANSACTION_SHAPE_ACS_DELTA))))")
    assert "INVALID_ARGUMENT(8," in out and "filtersByParty and filtersForAnyParty cannot be empty simultaneously" in out
    out = failure(s, "participant1.ledger_api.updates.update_by_id(created.updateId, UpdateFormat(includeTransactions = Some(TransactionFormat(eventFormat = Some(EventFormat(filtersByParty = Map(alice.toProtoPrimitive -> Filters(Nil))))))))")
    assert "MISSING_FIELD(8," in out and "transaction_shape" in out
    out = failure(s, 'participant1.ledger_api.updates.update_by_id(created.updateId, UpdateFormat(includeTransactions = Some(TransactionFormat(eventFormat = Some(EventFormat(filtersByParty = Map("bad party!" -> Filters(Nil)))), transactionShape = TransactionShape.TRANSACTION_SHAPE_ACS_DELTA))))')
    assert 'non expected character 0x21 in Daml-LF Party "bad party!"' in out
    out = failure(s, 'participant1.ledger_api.updates.update_by_id(created.updateId, "not a format")')
    assert "UpdateFormat" in out


def test_set_log_level_takes_logbacks_level(s):
    from canton_console import logs

    before = logs.get_level(logs.CANTON_ROOT)
    try:
        step_ok(s, "participant1.health.set_log_level(Level.INFO)")
        assert logs.get_level(logs.CANTON_ROOT) == "INFO"
        step_ok(s, "mediator1.health.set_log_level(Level.WARN)")
        assert logs.get_level(logs.CANTON_ROOT) == "WARN"
    finally:
        logs.set_level(logs.CANTON_ROOT, before)
