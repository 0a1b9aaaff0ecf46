"""The node runtime through real sequencing on real stores: ping, restart, two sequencers, the
mediator's timeout, and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from conftest import open_session, postgres_storage, step_ok

REQUEST = ["InformeeMessage", "EncryptedViewMessage", "RootHashMessage"]


def ping_events(session, since: int):
    sequencer = session.env.sequencers["sequencer1"]
    return [e for e in session.env.call(sequencer.event_log) if e["timestamp"] > since]


def last_timestamp(session) -> int:
    log = session.env.call(session.env.sequencers["sequencer1"].event_log)
    return log[-1]["timestamp"] if log else 0


def member(session, name: str) -> str:
    return session.env.node(name).member_id


@pytest.mark.parametrize("initiator,responder", [("participant1", "participant2"), ("participant2", "participant3"), ("participant1", "participant1")])
def test_ping_is_two_confirmation_requests_through_sequencer_and_mediator(default_session, initiator, responder):
    since = last_timestamp(default_session)
    out = default_session.step(f"{initiator}.health.ping({responder})")
    assert not out.failed, out.output
    assert re.fullmatch(r"res1: Duration = \d+ milliseconds?\n", out.output)
    events = ping_events(default_session, since)
    init, resp, med = member(default_session, initiator), member(default_session, responder), member(default_session, "mediator1")
    informee_participants = sorted({init, resp})
    verdicts = [e for e in events if e["messages"] == ["ConfirmationResult"]]
    # Request 1 (create Ping) from the initiator, confirmed by the initiator's participant alone (the
    # responder only observes the Ping contract), verdict.
    assert events[0]["sender"] == init and events[0]["messages"] == REQUEST
    responses_1 = [e for e in events[1:] if e["messages"] == ["ConfirmationResponse"] and e["timestamp"] < verdicts[0]["timestamp"]]
    assert [e["sender"] for e in responses_1] == [init]
    # Request 2 (exercise Respond) is confirmed by the responder (the actor) and the initiator (the signatory).
    responses_2 = [e for e in events if e["messages"] == ["ConfirmationResponse"] and verdicts[0]["timestamp"] < e["timestamp"] < verdicts[1]["timestamp"]]
    assert sorted(e["sender"] for e in responses_2) == informee_participants
    assert [v["sender"] for v in verdicts] == [med, med]
    assert all(v["payloads"][0]["verdict"] == "approve" for v in verdicts)
    assert sorted(verdicts[0]["recipients"]) == informee_participants
    # Request 2 (exercise Respond) comes from the responder, after the first verdict.
    requests = [e for e in events if e["messages"] == REQUEST]
    assert [r["sender"] for r in requests] == [init, resp]
    assert requests[1]["timestamp"] > verdicts[0]["timestamp"]
    view = requests[1]["payloads"][1]["view"]
    assert view["nodes"][0]["choice"] == "Respond"
    # The mediator group and the informee participants receive the request; the mediator only its part.
    assert med in events[0]["recipients"] and set(informee_participants) <= set(events[0]["recipients"])
    # Strictly increasing sequencing timestamps.
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(set(stamps))


def test_restart_from_the_same_files_keeps_ids_connections_parties_and_log(tmp_path):
    from canton_console.console.session import Session, load

    first = Session(load([], data_dir=tmp_path))
    first.start_nodes()
    first.bootstrap_default()
    ids = {n.name: n.member_id for n in first.env.nodes()}
    sync_id = str(step_ok(first, "sequencer1.synchronizer_id"))
    alice = str(step_ok(first, 'participant1.parties.enable("Alice")'))
    step_ok(first, "participant1.health.ping(participant2)")
    events_before = len(first.env.call(first.env.sequencers["sequencer1"].event_log))
    end_before = step_ok(first, "participant1.ledger_api.state.end()")
    first.close()

    second = Session(load([], data_dir=tmp_path))
    second.start_nodes()  # no bootstrap: everything must come back from the store
    try:
        assert {n.name: n.member_id for n in second.env.nodes()} == ids
        assert str(step_ok(second, "sequencer1.synchronizer_id")) == sync_id
        connected = step_ok(second, "participant2.synchronizers.list_connected()")
        assert [(c.synchronizerAlias, c.synchronizerId, c.healthy) for c in connected] == [("da", sync_id, True)]
        hosted = step_ok(second, 'participant1.parties.hosted("Alice")')
        assert [str(r.party) for r in hosted] == [alice]
        assert step_ok(second, "participant1.ledger_api.state.end()") == end_before
        assert len(second.env.call(second.env.sequencers["sequencer1"].event_log)) == events_before
        step_ok(second, "participant1.health.ping(participant2)")
        step_ok(second, "participant3.health.ping(participant1)")
        assert step_ok(second, "participant1.ledger_api.state.end()") > end_before
    finally:
        second.close()


TWO_SEQUENCERS = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 6001, admin-api.port = 6002 }
    sequencer2 { storage { type = sqlite, file = "s2.db" }, public-api.port = 6011, admin-api.port = 6012 }
  }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 6202 }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 6021, admin-api.port = 6022 }
    participant2 { storage { type = sqlite, file = "p2.db" }, ledger-api.port = 6031, admin-api.port = 6032 }
  }
}
"""


def test_two_sequencers_deliver_identical_event_streams(tmp_path):
    session = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        step_ok(session, 'bootstrap.synchronizer("da", Seq(sequencer1, sequencer2), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, 'participant2.synchronizers.connect_local(sequencer2, "da")')
        step_ok(session, "participant1.health.ping(participant2)")
        step_ok(session, "participant2.health.ping(participant1)")
        env = session.env
        log1 = env.call(env.sequencers["sequencer1"].event_log)
        log2 = env.call(env.sequencers["sequencer2"].event_log)
        assert len(log1) >= 16
        assert log1 == log2
    finally:
        session.close()


SIM = """
canton {
  parameters { clock.type = sim-clock, static-identities = yes }
  sequencers.sequencer1 { storage.type = memory, public-api.port = 7001, admin-api.port = 7002 }
  mediators.mediator1 { storage.type = memory, admin-api.port = 7202 }
  participants {
    participant1 { storage.type = memory, ledger-api.port = 7011, admin-api.port = 7012 }
    participant2 { storage.type = memory, ledger-api.port = 7021, admin-api.port = 7022 }
  }
}
"""


def test_mediator_rejects_a_request_not_confirmed_within_the_confirmation_response_timeout(tmp_path):
    session = open_session(SIM, tmp_path)
    try:
        step_ok(session, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(session, 'participants.all.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, 'val alice = participant1.parties.enable("Alice")')
        step_ok(session, 'val bob = participant2.parties.enable("Bob")')
        iou = step_ok(session, 'participant2.ledger_api.commands.submit(Seq(bob), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> bob, "owner" -> alice, "amount" -> 1))))')
        step_ok(session, "participant2.stop()")
        since = last_timestamp(session)
        # Alice transfers Bob's IOU: Bob, its signatory, must confirm, and his participant is down.
        step_ok(session, f'participant1.ledger_api.commands.submit_async(Seq(alice), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> alice), "{iou.created[0].contractId}")))')
        assert session.env.wait_until(lambda: len(ping_events(session, since)) == 2, 5)
        events = ping_events(session, since)
        assert [e["messages"] for e in events] == [REQUEST, ["ConfirmationResponse"]]  # only participant1 confirmed
        step_ok(session, "clock.advance(timedelta(seconds=29))")
        assert not [e for e in ping_events(session, since) if e["messages"] == ["ConfirmationResult"]]
        step_ok(session, "clock.advance(timedelta(seconds=2))")
        assert session.env.wait_until(lambda: any(e["messages"] == ["ConfirmationResult"] for e in ping_events(session, since)), 5)
        verdict = [e for e in ping_events(session, since) if e["messages"] == ["ConfirmationResult"]][0]["payloads"][0]
        assert verdict["verdict"] == "reject"
        assert verdict["reason"].startswith("MEDIATOR_SAYS_TX_TIMED_OUT")
    finally:
        session.close()


def test_ping_to_something_that_is_not_a_participant_is_refused(default_session):
    out = default_session.step("participant1.health.ping(sequencer1)")
    assert out.failed and "sequencer1 is a sequencer; expected participant" in out.output
    out = default_session.step('participant1.health.ping("participant2")')
    assert out.failed and "is not a member id" in out.output
    out = default_session.step("participant1.health.ping(mediator1)")
    assert out.failed and "mediator1 is a mediator" in out.output


def pg_config(dbs) -> str:
    return f"""
canton {{
  sequencers.sequencer1 {{ {postgres_storage(dbs[0])}, public-api.port = 8001, admin-api.port = 8002 }}
  mediators.mediator1 {{ {postgres_storage(dbs[1])}, admin-api.port = 8202 }}
  participants {{
    participant1 {{ {postgres_storage(dbs[2])}, ledger-api.port = 8011, admin-api.port = 8012 }}
    participant2 {{ {postgres_storage(dbs[3])}, ledger-api.port = 8021, admin-api.port = 8022 }}
  }}
}}
"""


def test_restart_on_postgresql_keeps_ids_and_connections(tmp_path, pg_databases):
    dbs = [pg_databases() for _ in range(4)]
    first = open_session(pg_config(dbs), tmp_path)
    step_ok(first, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
    step_ok(first, 'participants.all.synchronizers.connect_local(sequencer1, "da")')
    step_ok(first, "participant1.health.ping(participant2)")
    ids = {n.name: n.member_id for n in first.env.nodes()}
    end_before = step_ok(first, "participant2.ledger_api.state.end()")
    first.close()
    second = open_session(pg_config(dbs), tmp_path)
    try:
        assert {n.name: n.member_id for n in second.env.nodes()} == ids
        assert step_ok(second, 'participant1.synchronizers.is_connected("da")') is True
        step_ok(second, "participant2.health.ping(participant1)")
        assert step_ok(second, "participant2.ledger_api.state.end()") == end_before + 2
    finally:
        second.close()


def test_status_of_a_stopped_node_is_its_failure_not_a_command_failure(default_session):
    step_ok(default_session, "participant3.stop()")
    out = default_session.step("participant3.health.status")
    assert not out.failed, out.output
    assert out.output == "res2: NodeStatus[ParticipantStatus] = NODE_NOT_STARTED(9,0): Instance Participant 'participant3' has not been started. \n"
    assert step_ok(default_session, "participant3.health.active") is False
