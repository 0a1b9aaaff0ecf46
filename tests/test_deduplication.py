"""Ledger API command deduplication (issue 7, point 2): the change id is (user id, act-as parties,
command id); an accepted change is refused within the deduplication period with DUPLICATE_COMMAND
and the original submission id, one in flight with SUBMISSION_ALREADY_IN_FLIGHT, one after a
rejection or timeout goes through. The state is in the store: it holds across restarts and replica
fail-over."""

from __future__ import annotations

import re
import time

import pytest
from conftest import open_session, step_ok
from test_ha_replication import SQLITE_P1, bootstrap, ha_config, wait_for

from canton_console.runtime.scheduler import wait_future
from canton_console.values import ledger

CONFIG = """
canton {
  parameters.timeouts.console.ledger-command = 20s
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5202 }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""


def iou(command_id: str, amount: int = 10, extra: str = "", participant: str = "participant1", act_as: str = "alice") -> str:
    return (
        f'{participant}.ledger_api.commands.submit(Seq({act_as}), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, '
        f'"owner" -> alice, "amount" -> {amount}))), commandId = "{command_id}"{extra})'
    )


@pytest.fixture
def session(tmp_path):
    s = open_session(CONFIG, tmp_path, bootstrap=True)
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, 'val bob = participant2.parties.enable("Bob")')
    yield s
    s.close()


def ledger_commands(s, participant: str = "participant1") -> list[str]:
    node = s.env.participants[participant]
    return [t.command_id for t in s.env.call(node.transactions)]


def test_an_accepted_change_is_refused_as_a_duplicate_with_the_original_submission_id(session):
    s = session
    first = step_ok(s, iou("dup-1", extra=', submissionId = "original"'))
    out = s.step(iou("dup-1", extra=', submissionId = "retry"'))
    assert out.failed
    assert re.search(
        r"Request failed for participant1\.\n  GrpcRequestRefusedAlreadyExists: ALREADY_EXISTS/DUPLICATE_COMMAND\(10,retry\): "
        r"A command with the given command id has already been successfully processed\n"
        rf"  Context: Map\(existing_submission_id -> original, completion_offset -> {first.offset}\)",
        out.output,
    ), out.output
    # The change id is (user id, act-as parties, command id): change any of them and it is new.
    step_ok(s, iou("dup-1", extra=', userId = "another-user"'))
    step_ok(s, 'participant1.parties.enable("Carol")')
    step_ok(s, iou("dup-1", act_as="alice, participant1.parties.find(\"Carol\")"))
    step_ok(s, iou("dup-2"))
    assert ledger_commands(s).count("dup-1") == 3  # one per change; the duplicate was not applied


def test_a_submission_in_flight_refuses_the_same_change_until_it_is_decided(session):
    s = session
    step_ok(s, "mediator1.stop()")  # no verdict: the request stays in flight
    out = s.step(iou("slow", extra=', submissionId = "first", optTimeout = Some(1.second)'))
    assert out.failed and "GrpcClientGaveUp: DEADLINE_EXCEEDED/Timed out while awaiting the completion of command slow" in out.output
    out = s.step(iou("slow", extra=', submissionId = "second"'))
    assert out.failed
    assert (
        "GrpcRequestRefusedByServer: ABORTED/SUBMISSION_ALREADY_IN_FLIGHT(2,second): Another submission for this command and user is already in flight."
        in out.output
    ), out.output
    assert "existing_submission_id -> first" in out.output
    step_ok(s, "mediator1.start()")  # it catches up and decides: the first submission is applied
    wait_for(lambda: "slow" in ledger_commands(s))
    out = s.step(iou("slow", extra=', submissionId = "third"'))
    assert out.failed and "DUPLICATE_COMMAND(10,third)" in out.output and "existing_submission_id -> first" in out.output
    assert ledger_commands(s).count("slow") == 1


def test_within_one_runtime_task_the_second_submission_is_in_flight(session):
    s = session
    p1 = s.env.participants["participant1"]
    alice = str(step_ok(s, "alice"))
    create = [ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 3})]

    def twice():
        first = p1.submit_command(create, [alice], "twice")
        try:
            p1.submit_command(create, [alice], "twice")
        except Exception as e:  # noqa: BLE001 - the point of the test
            return first, e
        return first, None

    first, error = s.env.call(twice)
    assert error is not None and error.code.id == "SUBMISSION_ALREADY_IN_FLIGHT"
    assert wait_future(first, 10).command_id == "twice"
    assert ledger_commands(s).count("twice") == 1


def test_after_a_rejection_the_same_change_goes_through(session):
    s = session
    p1 = s.env.participants["participant1"]
    alice, bob = str(step_ok(s, "alice")), str(step_ok(s, "bob"))
    contract = step_ok(s, iou("to-spend", 5)).created[0].contractId
    spend = [ledger.ExerciseCommand("Iou:Iou", contract, "Transfer", {"newOwner": bob})]
    # Two transfers of one IOU in the same instant: the second is rejected (locked contract).
    futures = s.env.call(lambda: [p1.submit_command(spend, [alice], "spend-a"), p1.submit_command(spend, [alice], "spend-b")])
    outcomes = []
    for f in futures:
        try:
            outcomes.append(wait_future(f, 10).command_id)
        except Exception as e:  # noqa: BLE001
            outcomes.append(str(e))
    assert outcomes[0] == "spend-a"
    assert "LOCAL_VERDICT_LOCKED_CONTRACTS" in outcomes[1] or "LOCAL_VERDICT_INACTIVE_CONTRACTS" in outcomes[1], outcomes
    # Rejected: nothing to deduplicate against, the change goes through when submitted again.
    other = step_ok(s, iou("another", 6)).created[0].contractId
    moved = step_ok(
        s,
        f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> bob), "{other}")), commandId = "spend-b")',
    )
    assert moved.commandId == "spend-b"
    assert ledger_commands(s).count("spend-b") == 1


def test_the_deduplication_period_is_settable_per_command_and_checked(session):
    s = session
    step_ok(s, iou("period"))
    out = s.step(iou("period", extra=", deduplicationPeriod = 1.minute"))
    assert out.failed and "DUPLICATE_COMMAND(10," in out.output
    time.sleep(0.6)
    step_ok(s, iou("period", extra=", deduplicationPeriod = 500.millis"))  # accepted longer ago than that
    assert ledger_commands(s).count("period") == 2
    out = s.step(iou("period", extra=", deduplicationPeriod = 8.days"))
    assert out.failed
    assert (
        "INVALID_DEDUPLICATION_PERIOD(8,"
        in out.output
        and "The submitted command had an invalid deduplication period: The deduplication duration exceeds the maximum deduplication duration of 7 days"
        in out.output
    ), out.output
    assert "longest_period -> PT604800S" in out.output


def test_the_deduplication_state_holds_across_restarts(tmp_path):
    s = open_session(CONFIG, tmp_path, bootstrap=True)
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        step_ok(s, iou("kept", extra=', submissionId = "before-restart"'))
        step_ok(s, "participant1.stop()")
        step_ok(s, "participant1.start()")
        out = s.step(iou("kept"))
        assert out.failed and "DUPLICATE_COMMAND(10," in out.output and "existing_submission_id -> before-restart" in out.output
    finally:
        s.close()
    s = open_session(CONFIG, tmp_path, bootstrap=True)  # a new process, as it were
    try:
        # Alice is hosted already (enabling her again fails as in Canton: TOPOLOGY_MAPPING_ALREADY_EXISTS)
        step_ok(s, 'val alice = participant1.parties.find("Alice")')
        out = s.step(iou("kept"))
        assert out.failed and "DUPLICATE_COMMAND(10," in out.output and "existing_submission_id -> before-restart" in out.output
        assert ledger_commands(s).count("kept") == 1
    finally:
        s.close()


def test_the_deduplication_state_holds_across_replica_failover(tmp_path):
    s = open_session(ha_config(SQLITE_P1), tmp_path)
    try:
        bootstrap(s)
        step_ok(s, 'val alice = participant1a.parties.enable("Alice")')
        step_ok(s, iou("ha-1", participant="participant1a", extra=', submissionId = "on-a"'))
        s.env.call(s.env.participants["participant1a"].kill)
        b = s.env.participants["participant1b"]
        wait_for(lambda: s.env.call(lambda: b.active and bool(b.subscriptions)), timeout=10)
        out = s.step(iou("ha-1", participant="participant1b"))
        assert out.failed and "DUPLICATE_COMMAND(10," in out.output and "existing_submission_id -> on-a" in out.output
        step_ok(s, iou("ha-2", participant="participant1b"))
        assert ledger_commands(s, "participant1b").count("ha-1") == 1
    finally:
        s.close()
