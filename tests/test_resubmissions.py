"""A submission that reaches the order twice is sequenced once.

A member sends a submission again through another sequencer process when the call to the first one
broke before that process answered; the first process may have taken (and stored) it all the same.
The synchronizer drops a copy (same sender, message id and envelopes) of what it sequenced within
RecentSubmissions' window, and a member does not send again what it has already seen sequenced. A
command resubmitted after a failure keeps its message id (the command id) but not its envelopes: it
is sequenced. The process-level case (SIGKILL of the
sequencer process the participants send through) is test_sequencer_processes.py's
``test_participants_on_both_urls_keep_pinging_...``, which checks that no event is stored twice.
"""

from __future__ import annotations

import pytest
from conftest import open_session, step_ok
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from canton_console.runtime.recent_submissions import WINDOW_MICROS, RecentSubmissions
from canton_console.store import schema as s
from canton_console.values import messages
from canton_console.values.messages import Envelope, SubmissionRequest

CONFIG = """
canton {
  parameters.clock.type = sim-clock
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 15410, admin-api.port = 15411 }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 15421 }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 15430, admin-api.port = 15431 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, ledger-api.port = 15440, admin-api.port = 15441 }
  }
}
"""


# ---- the window on its own ------------------------------------------------------------------------
def test_a_key_is_remembered_for_the_window_and_then_forgotten():
    recent = RecentSubmissions(window=100)
    recent.add(("PAR::a", "m1"), 1_000)
    recent.add(("PAR::b", "m1"), 1_050)
    recent.forget_older_than_window(1_100)  # horizon 1000: nothing is older
    assert ("PAR::a", "m1") in recent and ("PAR::b", "m1") in recent
    recent.forget_older_than_window(1_101)
    assert ("PAR::a", "m1") not in recent and ("PAR::b", "m1") in recent
    assert ("PAR::a", "m2") not in recent
    recent.forget_older_than_window(10_000)
    assert len(recent) == 0


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 50)), max_size=40), st.integers(0, 2_000))
def test_what_stays_is_exactly_what_was_last_sequenced_within_the_window(adds, now):
    recent = RecentSubmissions(window=500)
    latest: dict[tuple[str, str], int] = {}
    at = 0
    for key, step in adds:
        at += step  # sequencing times only grow
        recent.add((key, "m"), at)
        latest[(key, "m")] = at
    recent.forget_older_than_window(now)
    assert {k for k in latest if k in recent} == {k for k, t in latest.items() if t >= now - 500}
    assert len(recent) == sum(1 for t in latest.values() if t >= now - 500)


# ---- the synchronizer -------------------------------------------------------------------------------
@pytest.fixture
def session(tmp_path):
    session = open_session(CONFIG, tmp_path, bootstrap=True)
    step_ok(session, "clock.advance(timedelta(minutes=1))")
    yield session
    session.close()


def stored_events(session, message_id: str) -> list[tuple[str, int]]:
    node = session.env.node("sequencer1")
    events = s.SequencedEventRow.__table__
    with node.open_storage.read() as conn:
        return [tuple(r) for r in conn.execute(select(events.c.sender, events.c.cost).where(events.c.message_id == message_id)).all()]


def request_of(session, message_id: str, content: str = "") -> SubmissionRequest:
    sender = session.env.node("participant1").member_id
    payload = messages.encode({"type": "Probe", "content": content})
    return SubmissionRequest(sender, message_id, (Envelope(payload, (messages.MEDIATOR_GROUP_0,)),))


def test_a_copy_of_a_sequenced_submission_is_dropped_in_the_same_batch_and_later(session):
    env = session.env
    sync = next(iter(env.synchronizers.values()))
    first = request_of(session, "resent-1")

    def submit_twice() -> None:  # both in one flush
        sync.submit(first)
        sync.submit(request_of(session, "resent-1"))

    env.call(submit_twice)
    env.call(lambda: None)  # the flush posted by submit has run
    assert len(stored_events(session, "resent-1")) == 1
    last = sync.last_timestamp

    env.call(sync.submit, request_of(session, "resent-1"))  # a later flush
    env.call(lambda: None)
    assert len(stored_events(session, "resent-1")) == 1
    assert sync.last_timestamp == last  # the copy took no timestamp

    env.call(sync.submit, request_of(session, "resent-2"))  # another message id is sequenced
    env.call(lambda: None)
    assert len(stored_events(session, "resent-2")) == 1


def test_after_the_window_the_same_message_id_is_sequenced_again(session):
    env = session.env
    sync = next(iter(env.synchronizers.values()))
    env.call(sync.submit, request_of(session, "late"))
    env.call(lambda: None)
    step_ok(session, f"clock.advance(timedelta(seconds={WINDOW_MICROS // 1_000_000 + 1}))")
    env.call(sync.submit, request_of(session, "late"))
    env.call(lambda: None)
    assert len(stored_events(session, "late")) == 2


def test_a_resubmission_with_the_same_message_id_and_other_envelopes_is_sequenced(session):
    env = session.env
    sync = next(iter(env.synchronizers.values()))
    env.call(sync.submit, request_of(session, "command-1", content="first attempt"))
    env.call(lambda: None)
    env.call(sync.submit, request_of(session, "command-1", content="second attempt"))
    env.call(lambda: None)
    assert len(stored_events(session, "command-1")) == 2


def test_a_command_resubmitted_with_its_command_id_after_a_failure_goes_through(session):
    """The retry of a command that failed after it was sequenced (here the mediator was down, so no
    verdict came before the timeout): its confirmation request has the command id as message id,
    like the first attempt's, and is sequenced."""
    from canton_console.values import ledger

    step_ok(session, 'val alice = participant1.parties.enable("Alice")')
    alice = str(step_ok(session, "alice"))
    p1 = session.env.node("participant1")
    create = [ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 1})]
    step_ok(session, "mediator1.stop()")
    first = session.env.call(lambda: p1.submit(create, act_as=[alice], command_id="retried"))
    step_ok(session, "clock.advance(61.seconds)")  # past the confirmation response and mediator reaction timeouts
    with pytest.raises(Exception, match="LOCAL_VERDICT_TIMEOUT"):
        first.result(timeout=30)
    step_ok(session, "mediator1.start()")
    step_ok(session, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 1))), commandId = "retried")')
    assert len(stored_events(session, "retried")) == 2
