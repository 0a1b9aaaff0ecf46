"""Who confirms a transaction (Canton 3.3's rule): the signatories of every node, the actors of every
exercise and the submitting participant's admin party; observers are plain informees, whose
participants receive the transaction but send no confirmation response."""

from __future__ import annotations

from conftest import open_session, step_ok
from hypothesis import given
from hypothesis import strategies as st

from canton_console.values import ledger

PARTIES = st.sampled_from(["alice::1220aa", "bob::1220bb", "carol::1220cc", "dave::1220dd"])


def create_node(signatories: list[str], observers: list[str]) -> dict:
    return {"kind": "create", "contract": {"signatories": signatories, "observers": observers}}


def exercise_node(signatories: list[str], observers: list[str], actors: list[str]) -> dict:
    stakeholders = list(dict.fromkeys(signatories + observers))
    return {"kind": "exercise", "stakeholders": stakeholders, "signatories": signatories, "actors": actors}


def test_observers_of_a_create_do_not_confirm():
    nodes = [create_node(["alice"], ["bob"])]
    assert ledger.confirming_parties(nodes, "participant1::1220") == ["participant1::1220", "alice"]


def test_an_exercise_is_confirmed_by_the_contracts_signatories_and_the_actors():
    nodes = [exercise_node(["alice"], ["bob", "carol"], ["bob"]), create_node(["bob"], ["alice"])]
    assert ledger.confirming_parties(nodes, None) == ["alice", "bob"]  # carol only observes


def test_a_view_stored_without_exercise_signatories_falls_back_to_its_stakeholders():
    old = {"kind": "exercise", "stakeholders": ["alice", "bob"], "actors": ["bob"]}
    assert ledger.confirming_parties([old], None) == ["alice", "bob"]


@given(st.lists(st.tuples(st.lists(PARTIES, min_size=1, max_size=2), st.lists(PARTIES, max_size=2), st.lists(PARTIES, max_size=2), st.booleans()), min_size=1, max_size=4))
def test_confirming_parties_are_the_signatories_and_actors_each_once(specs):
    nodes = [exercise_node(sig, obs, act) if is_exercise else create_node(sig, obs) for sig, obs, act, is_exercise in specs]
    confirming = ledger.confirming_parties(nodes, "admin::1220")
    expected = {"admin::1220"} | {p for sig, _obs, act, ex in specs for p in sig + (act if ex else [])}
    assert set(confirming) == expected and len(confirming) == len(expected)
    assert confirming[0] == "admin::1220"


CONFIG = """
canton {
  sequencers.sequencer1 { storage { type = sqlite, file = "sequencer1.db" } }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" } }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" } }
    participant2 { storage { type = sqlite, file = "participant2.db" } }
  }
}
"""


def confirmation_senders(session, since: int) -> list[str]:
    log = session.env.call(session.env.sequencers["sequencer1"].event_log)
    return [e["sender"] for e in log if e["timestamp"] > since and e["messages"] == ["ConfirmationResponse"]]


def test_a_create_is_committed_while_the_observers_participant_is_down_and_a_transfer_needs_the_issuers(tmp_path):
    session = open_session(CONFIG, tmp_path)
    try:
        step_ok(session, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(session, 'participants.all.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, 'val alice = participant1.parties.enable("Alice")')
        step_ok(session, 'val bob = participant2.parties.enable("Bob")')
        p1 = session.env.node("participant1").member_id
        step_ok(session, "participant2.stop()")
        since = session.env.call(session.env.sequencers["sequencer1"].event_log)[-1]["timestamp"]
        # Bob only observes the IOU: participant1 alone confirms it, so it commits without participant2.
        tree = step_ok(session, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> bob, "amount" -> 5))))')
        cid = tree.created[0].contractId
        assert confirmation_senders(session, since) == [p1]
        step_ok(session, "import com.digitalasset.canton.data.CantonTimestamp")
        verdicts = step_ok(session, "mediator1.inspection.verdicts(fromRecordTimeOfRequestExclusive = CantonTimestamp.MinValue, maxItems = 1)")
        (quorum,) = verdicts[-1].views.views[0][1].confirmingParties
        alice, bob = str(step_ok(session, "alice")), str(step_ok(session, "bob"))
        assert bob in verdicts[-1].views.views[0][1].informees and bob not in quorum.parties
        assert alice in quorum.parties and quorum.threshold == len(quorum.parties)
        # A ping to the stopped participant: its Ping is created (the initiator alone confirms it),
        # and then nobody responds.
        out = session.step("participant1.health.ping(participant2, timeout = 1.second)")
        assert out.failed
        assert "Timeout: We were able to create the ping contract, but responder did not respond in time" in out.output
        step_ok(session, "participant2.start()")
        step_ok(session, 'participant2.synchronizers.reconnect_all()')
        # Bob transfers: the actor (Bob, participant2) and the signatory (Alice, participant1) confirm.
        since = session.env.call(session.env.sequencers["sequencer1"].event_log)[-1]["timestamp"]
        step_ok(session, f'participant2.ledger_api.commands.submit(Seq(bob), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> bob), "{cid}")))')
        assert sorted(confirmation_senders(session, since)) == sorted([p1, session.env.node("participant2").member_id])
    finally:
        session.close()
