"""ledger_api.completions.list as Canton 3.3 has it: one completion per decided Ledger API
submission, accepted (at its transaction's offset) or rejected (a duplicate command, a verdict, a
timeout: at an offset of its own, which moves the ledger end); filtered by party, user and
offset; bad requests refused with Canton's errors, changing nothing. Also
ledger_api.state.connected_synchronizers and health.count_in_flight / set_log_level."""

from __future__ import annotations

import pytest
from conftest import open_session, step_ok

from canton_console import logs
from canton_console.runtime.scheduler import wait_future
from canton_console.values import ledger
from canton_console.values.completions import CompletionRecord, completion, status_of
from canton_console.values.errors import DUPLICATE_COMMAND, CantonError

CONSOLE_USER = "CantonConsole"


@pytest.fixture(scope="module")
def s(module_session):
    module_session.admin.set_feature("Testing", True)
    step_ok(module_session, 'val alice = participant1.parties.enable("Alice")')
    step_ok(module_session, 'val bob = participant2.parties.enable("Bob")')
    return module_session


def iou(command_id: str, amount: int = 10, extra: str = "") -> str:
    return (
        'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, '
        f'"owner" -> alice, "amount" -> {amount}))), commandId = "{command_id}"{extra})'
    )


def end(s, participant: str = "participant1") -> int:
    return step_ok(s, f"participant{participant[-1]}.ledger_api.state.end()")


def completions(s, begin: int, n: int = 1, extra: str = "", party: str = "alice") -> list:
    return step_ok(s, f"participant1.ledger_api.completions.list({party}, {n}, {begin}{extra})")


def failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


# ---- pure logic -------------------------------------------------------------------------------------


def test_status_of_an_accepted_and_a_rejected_command():
    assert status_of(None) == (0, "")
    code, message = status_of(CantonError(DUPLICATE_COMMAND, "A command with the given command id has already been successfully processed", "abcdef0123"))
    assert code == 6  # ALREADY_EXISTS
    assert message == "DUPLICATE_COMMAND(10,abcdef01): A command with the given command id has already been successfully processed"


def test_a_completion_renders_as_the_console_prints_the_ledger_api_class():
    record = CompletionRecord(7, "cmd", "CantonConsole", ("Alice::1220ab",), "sub-1", "", 10, "MEDIATOR_SAYS_TX_TIMED_OUT(2,0): timed out", "da::1220cd", 1_500_000, None, 4)
    shown = completion(record)
    assert shown.status.get.code == 10 and shown.offset == 7 and shown.updateId == ""
    assert shown.synchronizerTime.get.recordTime.get.seconds == 1 and shown.synchronizerTime.get.recordTime.get.nanos == 500_000_000
    from canton_console.pretty import flat, to_tree

    text = flat(to_tree(shown))
    assert text.startswith('Completion(commandId = "cmd", status = Some(value = Status(code = 10, message = "MEDIATOR_SAYS_TX_TIMED_OUT(2,0): timed out")), updateId = ""')
    assert "deduplicationPeriod = DeduplicationOffset(value = 4)" in text and "traceContext = None, offset = 7" in text


# ---- accepted and rejected commands ------------------------------------------------------------------


def test_an_accepted_command_completes_at_its_transaction_offset(s):
    before = end(s)
    tree = step_ok(s, iou("accepted-1", extra=', submissionId = "sub-accepted-1"'))
    (done,) = completions(s, before)
    assert (done.commandId, done.updateId, done.offset, done.submissionId) == ("accepted-1", tree.updateId, tree.offset, "sub-accepted-1")
    assert done.status.get.code == 0 and done.userId == CONSOLE_USER
    assert [str(p) for p in done.actAs] == [str(step_ok(s, "alice"))]
    assert done.synchronizerTime.get.synchronizerId == str(step_ok(s, "sequencer1.synchronizer_id"))
    assert done.deduplicationPeriod.value.seconds == 7 * 24 * 3600  # the default: the max deduplication duration
    assert end(s) == tree.offset  # no offset of its own


def test_a_duplicate_command_is_rejected_with_a_completion_at_a_new_offset(s):
    first = step_ok(s, iou("dup-1"))
    out = failure(s, iou("dup-1"))
    assert "DUPLICATE_COMMAND(10," in out
    assert end(s) == first.offset + 1  # the rejection took an offset
    (accepted, rejected) = completions(s, first.offset - 1, 2)
    assert accepted.commandId == rejected.commandId == "dup-1"
    assert rejected.offset == first.offset + 1 and rejected.updateId == ""
    assert rejected.status.get.code == 6 and rejected.status.get.message.startswith("DUPLICATE_COMMAND(10,")
    assert rejected.deduplicationPeriod.value == first.offset - 1  # reaches back to include the accepted one
    # the next transaction continues after the rejection's offset
    assert step_ok(s, iou("after-dup")).offset == first.offset + 2


def test_a_command_rejected_by_the_verdict_completes_with_the_error(s):
    p1 = s.env.participants["participant1"]
    alice, bob = str(step_ok(s, "alice")), str(step_ok(s, "bob"))
    contract = step_ok(s, iou("to-spend", 5)).created[0].contractId
    before = end(s)
    spend = [ledger.ExerciseCommand("Iou:Iou", contract, "Transfer", {"newOwner": bob})]
    # two transfers of one IOU in the same instant: the second is rejected (locked or inactive contract)
    futures = s.env.call(lambda: [p1.submit_command(spend, [alice], "spend-a", user_id=CONSOLE_USER), p1.submit_command(spend, [alice], "spend-b", user_id=CONSOLE_USER)])
    assert wait_future(futures[0], 10).command_id == "spend-a"
    with pytest.raises(CantonError):
        wait_future(futures[1], 10)
    done = completions(s, before, 2)
    by_command = {c.commandId: c for c in done}
    assert set(by_command) == {"spend-a", "spend-b"}
    rejected = by_command["spend-b"]
    assert rejected.updateId == "" and rejected.status.get.code in (5, 10)  # NOT_FOUND (inactive) / ABORTED (locked)
    assert "LOCAL_VERDICT_" in rejected.status.get.message
    assert end(s) == max(c.offset for c in done)
    # bob's participant has no completion for alice's commands, nor does participant1 for bob
    assert completions(s, before, 1, ", timeout = 100.millis", party="bob") == []


# ---- filters and offsets -------------------------------------------------------------------------------


def test_filter_user_and_begin_offset_select_the_completions(s):
    before = end(s)
    step_ok(s, iou("sel-1"))
    step_ok(s, iou("sel-2"))
    step_ok(s, iou("sel-3"))
    assert [c.commandId for c in completions(s, before, 3)] == ["sel-1", "sel-2", "sel-3"]
    assert [c.commandId for c in completions(s, before, 1)] == ["sel-1"]  # returns once it has enough
    assert [c.commandId for c in completions(s, before, 1, ', filter = _.commandId == "sel-3"')] == ["sel-3"]
    assert [c.commandId for c in completions(s, before + 1, 2)] == ["sel-2", "sel-3"]
    # fewer than asked for: what arrived before the timeout
    assert [c.commandId for c in completions(s, before + 2, 5, ", timeout = 200.millis")] == ["sel-3"]
    # another user's commands are not this user's completions
    assert completions(s, before, 1, ', userId = "someone-else", timeout = 100.millis') == []


def test_a_completion_arriving_while_waiting_is_returned(s):
    before = end(s)
    step_ok(s, iou("async-1", extra="").replace("commands.submit(", "commands.submit_async("))
    (done,) = completions(s, before, 1, ", timeout = 10.seconds")
    assert done.commandId == "async-1" and done.status.get.code == 0


def test_bad_requests_get_cantons_errors_and_change_nothing(s):
    step_ok(s, iou("stable"))
    before = end(s)
    stored = s.env.call(lambda: list(s.env.participants["participant1"].transactions()))
    out = failure(s, "participant1.ledger_api.completions.list(alice, 1, -1)")
    assert "INVALID_ARGUMENT/NEGATIVE_OFFSET(8," in out
    assert "Offset -1 in begin_exclusive is a negative integer: the offset in begin_exclusive field has to be a non-negative integer (>=0)" in out
    out = failure(s, f"participant1.ledger_api.completions.list(alice, 1, {before + 100})")
    assert f"OFFSET_AFTER_LEDGER_END(12,0): Begin offset ({before + 100}) is after ledger end ({before})" in out
    out = failure(s, 'participant1.ledger_api.completions.list(alice, 1, 0, userId = "")')
    assert "MISSING_FIELD(8," in out and "missing a mandatory field: user_id" in out
    out = failure(s, 'participant1.ledger_api.completions.list(alice, 1, 0, userId = "not a user!")')
    assert "INVALID_FIELD(8," in out and "Invalid field user_id" in out
    out = failure(s, 'participant1.ledger_api.completions.list("nobody", 1, 0)')
    assert "Invalid unique identifier `nobody` with missing namespace" in out
    # Canton validates a party's syntax only: a well-formed party nobody hosts has no completions;
    # and a count of zero or less is never reached, so the call returns what it has at the timeout: nothing.
    assert step_ok(s, 'participant1.ledger_api.completions.list(PartyId.tryFromProtoPrimitive("Nobody::1220aaaa"), 1, 0, timeout = 100.millis)') == []
    assert completions(s, 0, -1, ", timeout = 100.millis") == []
    assert end(s) == before
    assert s.env.call(lambda: list(s.env.participants["participant1"].transactions())) == stored


def test_completions_are_a_testing_command(s):
    s.admin.set_feature("Testing", False)
    try:
        out = failure(s, "participant1.ledger_api.completions.list(alice, 1, 0)")
        assert "enable-testing-commands = yes" in out
    finally:
        s.admin.set_feature("Testing", True)


# ---- connected synchronizers, in-flight counts, log level ---------------------------------------------


def test_connected_synchronizers_with_and_without_a_party(s):
    sync_id = str(step_ok(s, "sequencer1.synchronizer_id"))
    every = step_ok(s, "participant1.ledger_api.state.connected_synchronizers()")
    assert [(c.synchronizerAlias, c.synchronizerId, str(c.permission)) for c in every.connectedSynchronizers] == [("da", sync_id, "PARTICIPANT_PERMISSION_UNSPECIFIED")]
    mine = step_ok(s, "participant1.ledger_api.state.connected_synchronizers(Some(alice))")
    assert [str(c.permission) for c in mine.connectedSynchronizers] == ["PARTICIPANT_PERMISSION_SUBMISSION"]
    # participant2 does not host alice
    assert list(step_ok(s, "participant2.ledger_api.state.connected_synchronizers(Some(alice))").connectedSynchronizers) == []
    shown = s.step("participant1.ledger_api.state.connected_synchronizers()").output
    assert "GetConnectedSynchronizersResponse(" in shown and 'synchronizerAlias = "da"' in shown


def test_count_in_flight_counts_the_runtimes_pending_work(s):
    count = step_ok(s, 'participant1.health.count_in_flight("da")')
    assert (count.pendingSubmissions, count.pendingTransactions, count.exists) == (0, 0, False)
    assert "InFlightCount(" in s.step('participant1.health.count_in_flight("da")').output
    # a submission just sent, counted before its verdict arrives
    p1 = s.env.participants["participant1"]
    alice = str(step_ok(s, "alice"))
    sync_id = str(step_ok(s, "sequencer1.synchronizer_id"))
    create = [ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 1})]

    from canton_console.runtime.services import ledger_reads

    def submit_and_count():
        future = p1.submit_command(create, [alice], "counted", user_id=CONSOLE_USER)
        return future, ledger_reads.count_in_flight(p1, sync_id)

    future, pending_right_after = s.env.call(submit_and_count)
    wait_future(future, 10)
    assert pending_right_after == (1, 0)
    assert s.env.call(lambda: ledger_reads.count_in_flight(p1, sync_id)) == (0, 0)
    out = failure(s, 'participant1.health.count_in_flight("nope")')
    assert "SYNC_SERVICE_UNKNOWN_SYNCHRONIZER(11,0): The synchronizer with alias nope is unknown." in out


def test_set_log_level_changes_the_canton_loggers(s):
    before = logs.get_level(logs.CANTON_ROOT)
    try:
        assert step_ok(s, 'participant1.health.set_log_level("DEBUG")') is None
        assert logs.get_level(logs.CANTON_ROOT) == "DEBUG"
        assert step_ok(s, "logging.get_level()") is not None
        out = failure(s, 'sequencer1.health.set_log_level("LOUD")')
        assert "LOUD" in out
        assert logs.get_level(logs.CANTON_ROOT) == "DEBUG"
    finally:
        logs.set_level(logs.CANTON_ROOT, before)


# ---- timeouts on a simulated clock, and a restart ---------------------------------------------------


SIM_CLOCK = """
canton {
  parameters.clock.type = sim-clock
  features.enable-testing-commands = yes
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 5001, admin-api.port = 5002 }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5202 }
  participants.participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 5011, admin-api.port = 5012 }
}
"""


def test_a_timed_out_command_completes_and_the_completions_survive_a_restart(tmp_path):
    s = open_session(SIM_CLOCK, tmp_path, bootstrap=True)
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        step_ok(s, iou("before-timeout"))
        step_ok(s, "mediator1.stop()")
        step_ok(s, iou("timed-out").replace("commands.submit(", "commands.submit_async("))
        assert step_ok(s, 'participant1.health.count_in_flight("da")').pendingSubmissions == 1
        step_ok(s, "clock.advance(61.seconds)")  # past the confirmation response and mediator reaction timeouts
        (done,) = completions(s, 1, 1, ", timeout = 10.seconds")
        assert done.commandId == "timed-out" and done.updateId == "" and done.offset == 2
        assert done.status.get.code == 10 and "TIMEOUT" in done.status.get.message
        assert end(s) == 2
        assert step_ok(s, 'participant1.health.count_in_flight("da")').pendingSubmissions == 0
        listed = [(c.commandId, c.offset, c.status.get.code) for c in completions(s, 0, 2)]
        alice = str(step_ok(s, "alice"))
    finally:
        s.close()
    again = open_session(SIM_CLOCK, tmp_path)
    try:
        assert end(again) == 2  # the rejection's offset is part of the ledger end after a restart
        step_ok(again, f'val alice = PartyId.tryFromProtoPrimitive("{alice}")')
        assert [(c.commandId, c.offset, c.status.get.code) for c in completions(again, 0, 2)] == listed
    finally:
        again.close()


# ---- two synchronizers: connected_synchronizers lists both; reassignment is refused ------------------

TWO_SYNCHRONIZERS = """
canton {
  features.enable-testing-commands = yes
  sequencers.sequencer1 { storage.type = memory, public-api.port = 5001, admin-api.port = 5002 }
  sequencers.sequencer2 { storage.type = memory, public-api.port = 5101, admin-api.port = 5102 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 5202 }
  mediators.mediator2 { storage.type = memory, admin-api.port = 5302 }
  participants.participant1 { storage.type = memory, ledger-api.port = 5011, admin-api.port = 5012 }
  participants.participant2 { storage.type = memory, ledger-api.port = 5021, admin-api.port = 5022 }
}
"""


def test_two_synchronizers_are_listed_and_reassignment_is_refused_by_name(tmp_path):
    s = open_session(TWO_SYNCHRONIZERS, tmp_path)
    try:
        params = "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)"
        step_ok(s, f'bootstrap.synchronizer("s1", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, {params})')
        step_ok(s, f'bootstrap.synchronizer("s2", Seq(sequencer2), Seq(mediator2), Seq(sequencer2), 1, {params})')
        step_ok(s, 'participants.all.synchronizers.connect_local(sequencer1, "s1")')
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer2, "s2")')
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        listed = step_ok(s, "participant1.ledger_api.state.connected_synchronizers(Some(alice))").connectedSynchronizers
        assert [c.synchronizerAlias for c in listed] == ["s1", "s2"]
        assert {str(c.permission) for c in listed} == {"PARTICIPANT_PERMISSION_SUBMISSION"}
        assert [c.synchronizerAlias for c in step_ok(s, "participant2.ledger_api.state.connected_synchronizers()").connectedSynchronizers] == ["s1"]
        tree = step_ok(
            s,
            'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 3))), Some(sequencer2.synchronizer_id))',
        )
        assert tree.synchronizerId == str(step_ok(s, "sequencer2.synchronizer_id"))
        assert step_ok(s, 'participant1.health.count_in_flight("s2")').exists is False
        end_before = end(s)
        cid = tree.created[0].contractId
        for source in (
            f'participant1.ledger_api.commands.submit_reassign(alice, Seq("{cid}"), sequencer2.synchronizer_id, sequencer1.synchronizer_id)',
            f'participant1.ledger_api.commands.submit_unassign(alice, Seq("{cid}"), sequencer2.synchronizer_id, sequencer1.synchronizer_id)',
            'participant1.ledger_api.commands.submit_assign(alice, "some-unassign-id", sequencer2.synchronizer_id, sequencer1.synchronizer_id)',
        ):
            out = failure(s, source)
            assert "UNSUPPORTED_COMMAND" in out and "contract reassignment (unassign on the source synchronizer, assign on the target) is not supported" in out
        assert end(s) == end_before
        entry = step_ok(s, "participant1.ledger_api.state.acs.of_party(alice)")[0]
        assert entry.contractId == cid and str(entry.synchronizerId.get) == str(step_ok(s, "sequencer2.synchronizer_id"))
    finally:
        s.close()
