"""Replicas of one mediator in separate processes (issue 15, point 5): two ``canton-console daemon``
processes run ``mediator1`` on one store with ``replication.enabled``; the database lock
(PostgreSQL's advisory lock, SQLite's lease row) decides which one is active. The sequencer runs in a
third process, the participants in the console, which bootstraps the synchronizer over the remote
sequencer and the active mediator replica. SIGKILL of the active mediator's process, and the passive
one takes over: it reads through the sequencer's URL stored by its predecessor, resumes from the
stored cursor, keeps the mediator's identity, and pings confirm again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import open_session, postgres_storage, step_ok
from daemons import Daemon, free_port

CHECK_PERIOD = "1s"
PARAMS = "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)"


class MediatorReplica(Daemon):
    """A process running one replica of mediator1 (every replica has the node's name)."""

    def __init__(self, tmp: Path, name: str, storage: str):
        self.admin_port = free_port()
        config = f"""
canton {{
  mediators.mediator1 {{
    {storage}
    replication {{ enabled = true, check-period = {CHECK_PERIOD} }}
    admin-api.port = {self.admin_port}
  }}
}}
"""
        super().__init__(tmp, name, config)

    def client(self):
        from canton_console.api.admin_client import RemoteNodeAdmin

        return RemoteNodeAdmin("mediator1", "mediator", self.admin["mediator1"], timeout=30)


def wait_until(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never held")
        time.sleep(0.05)


def ping_eventually(session, source: str, target: str, attempts: int = 40) -> None:
    """Ping until it succeeds: during a take-over a request may find no active mediator (it times out)."""
    outcome = None
    for _ in range(attempts):
        outcome = session.step(f"{source}.health.ping({target}, timeout = 5.seconds)")
        if not outcome.failed:
            return
        assert "Traceback" not in outcome.output, outcome.output
        time.sleep(0.25)
    raise AssertionError(outcome.output if outcome is not None else "no ping")


@pytest.fixture(params=["sqlite", "postgres"])
def mediator_storage(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f'storage {{ type = sqlite, file = "{tmp_path}/mediator1.db" }}'
    make = request.getfixturevalue("pg_databases")
    return postgres_storage(make("ccmed"))


class Setup:
    """The sequencer daemon, the two mediator replica daemons (a starts first: it is the active one)
    and the console over them, with participant1 and participant2 of its own process."""

    def __init__(self, tmp: Path, storage: str):
        self.tmp = tmp
        self.seq_public, seq_admin = free_port(), free_port()
        self.seq = Daemon(
            tmp,
            "sequencer",
            f'canton.sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {self.seq_public}, admin-api.port = {seq_admin} }}',
        )
        self.a = MediatorReplica(tmp, "mediator-a", storage)
        self.b = MediatorReplica(tmp, "mediator-b", storage)
        self.console = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {seq_admin}, public-api.port = {self.seq_public} }}
  remote-mediators.mediator1 {{ admin-api.port = {self.a.admin_port} }}
  remote-mediators.mediator1b {{ admin-api.port = {self.b.admin_port} }}
  participants.participant1 {{ storage {{ type = sqlite, file = "{tmp}/participant1.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
  participants.participant2 {{ storage {{ type = sqlite, file = "{tmp}/participant2.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
        self.session = None

    def start(self):
        self.seq.start()
        self.a.start(admin_apis=True)
        self.b.start(admin_apis=True)
        self.session = open_session(self.console, self.tmp, name="console.conf")
        return self.session

    def bootstrap(self) -> None:
        """The console bootstraps "da" over the remote sequencer and the active replica; both participants connect."""
        session = self.session
        step_ok(session, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, {PARAMS})')
        for p in ("participant1", "participant2"):
            step_ok(session, f'{p}.synchronizers.connect_local(sequencer1, "da")')
        step_ok(session, "participant1.health.ping(participant2)")

    def log_of(self, daemon: Daemon) -> str:
        return (self.tmp / f"{daemon.name}.log").read_text()

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.b.stop()
        self.a.stop()
        self.seq.stop()


@pytest.fixture
def replicas(tmp_path, mediator_storage):
    setup = Setup(tmp_path, mediator_storage)
    try:
        yield setup
    finally:
        setup.close()


def test_sigkill_of_the_active_mediator_process_and_the_passive_one_takes_over(replicas):
    a, b = replicas.a, replicas.b
    session = replicas.start()
    # one node, two processes: the same identity; exactly one of them is active
    assert step_ok(session, "mediator1.health.active") is True
    assert step_ok(session, "mediator1b.health.active") is False
    med_id = step_ok(session, "mediator1.id.toProtoPrimitive")
    assert med_id.startswith("MED::mediator1::") and step_ok(session, "mediator1b.id.toProtoPrimitive") == med_id

    replicas.bootstrap()
    step_ok(session, "participant2.health.ping(participant1)")
    assert step_ok(session, "mediator1b.health.active") is False

    a.kill()
    # the passive process takes the lock and reads through the URL its predecessor stored
    step_ok(session, "utils.retry_until_true(lambda: mediator1b.health.active)")
    assert step_ok(session, "mediator1.health.is_running()") is False
    assert step_ok(session, "mediator1b.id.toProtoPrimitive") == med_id
    ping_eventually(session, "participant1", "participant2")
    ping_eventually(session, "participant2", "participant1")
    assert step_ok(session, "mediator1b.health.initialized()") is True
    # what the predecessor stored and saw sequenced is not sent twice: the new active one sends
    # nothing before its connection to the sequencer is open
    assert "could not send the verdict" not in replicas.log_of(b)
    shown = session.step("mediator1b.sequencer_connection.get()").output
    assert f"127.0.0.1:{replicas.seq_public}" in shown, shown
    # the synchronizer's mediator state names the same mediator: no new one was onboarded
    active = step_ok(session, "sequencer1.topology.mediators.list(synchronizerId = Some(sequencer1.synchronizer_id)).flatMap(_.item.active).map(_.toProtoPrimitive)")
    assert list(active) == [med_id]

    # the killed process comes back as the passive replica; the node keeps working through b
    a.start(admin_apis=True)
    step_ok(session, "utils.retry_until_true(mediator1.health.is_running())")  # the console's channel reconnects
    assert step_ok(session, "mediator1.health.active") is False
    assert step_ok(session, "mediator1b.health.active") is True
    step_ok(session, "participant1.health.ping(participant2)")


def timeout_verdict_while_the_sequencer_is_down(replicas) -> None:
    """A request that participant2 (disconnected) never confirms (a transfer of its party's IOU);
    the sequencer's process is killed before the mediator's confirmation response timeout: the
    active mediator decides (rejects) it, stores the verdict and cannot send it. participant1 waits
    for that verdict: its decision time is more than five minutes away."""
    session, seq = replicas.session, replicas.seq
    step_ok(
        session,
        "sequencer1.topology.synchronizer_parameters.propose_update(synchronizerId = sequencer1.synchronizer_id, "
        "_.update(confirmationResponseTimeout = NonNegativeFiniteDuration.ofSeconds(8L), mediatorReactionTimeout = NonNegativeFiniteDuration.ofMinutes(5L)))",
    )
    wait_until(
        lambda: "= 8s" in session.step("mediator1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id).confirmationResponseTimeout").output,
        what="the shorter confirmation response timeout",
    )
    # Bob's IOU, which Bob (participant2) must confirm the transfer of, as its signatory.
    step_ok(session, 'val alice = participant1.parties.enable("Alice")')
    step_ok(session, 'val bob = participant2.parties.enable("Bob")')
    iou = step_ok(session, 'participant2.ledger_api.commands.submit(Seq(bob), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> bob, "owner" -> alice, "amount" -> 1))))')
    transfer = f'participant1.ledger_api.commands.submit_async(Seq(alice), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> alice), "{iou.created[0].contractId}")))'
    wait_until(lambda: len(step_ok(session, "participant1.ledger_api.state.acs.of_party(alice)")) == 1, what="the IOU at participant1")
    step_ok(session, 'participant2.synchronizers.disconnect("da")')
    step_ok(session, transfer)
    wait_until(lambda: step_ok(session, 'participant1.health.count_in_flight("da")').pendingTransactions == 1, what="the transfer sequenced")
    seq.kill()
    wait_until(lambda: "could not send the verdict" in replicas.log_of(replicas.a), what="mediator-a failing to send its verdict")


def request_finished(session) -> None:
    wait_until(
        lambda: step_ok(session, 'participant1.health.count_in_flight("da")').pendingTransactions == 0,
        timeout=60,
        what="participant1's request finished by the verdict",
    )


def test_a_verdict_stored_but_never_sequenced_is_sent_by_the_replica_that_takes_over(replicas):
    """The active mediator's process is killed with a verdict it could not send; the replica taking
    over sends it once its connection to the (restarted) sequencer is open, and the participant's
    request is finished by it instead of waiting for its decision time."""
    a, b, seq = replicas.a, replicas.b, replicas.seq
    session = replicas.start()
    replicas.bootstrap()
    timeout_verdict_while_the_sequencer_is_down(replicas)
    a.kill()
    seq.start()
    step_ok(session, "utils.retry_until_true(lambda: mediator1b.health.active)")
    request_finished(session)
    assert "sends its verdict for request" in replicas.log_of(b)
    assert "could not send the verdict" not in replicas.log_of(b)


def test_a_verdict_the_active_mediator_could_not_send_goes_out_once_its_sequencer_is_back(replicas):
    """No fail-over: the same active mediator sends the verdict when its subscription opens again."""
    seq = replicas.seq
    session = replicas.start()
    replicas.bootstrap()
    timeout_verdict_while_the_sequencer_is_down(replicas)
    seq.start()
    request_finished(session)
    assert "sends its verdict for request" in replicas.log_of(replicas.a)
    assert step_ok(session, "mediator1.health.active") is True
