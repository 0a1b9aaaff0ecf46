"""Replicated participants and mediators (issue 6, point 1): one identity, exactly one active replica
chosen by a lock in the shared database, fail-over on kill and stop within the check period, the
same ledger offsets afterwards, ``set_passive()``, and a passive replica's refusal. The participant
replica tests run on SQLite (lease row) and PostgreSQL (advisory lock)."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import open_session, postgres_storage, step_ok

CHECK_PERIOD = 1.0  # seconds; the fail-over bound the tests hold the replicas to


def ha_config(
    participant_storage: str,
    *,
    mediator_replicas: bool = False,
    mediator_storage: str = 'storage { type = sqlite, file = "mediator1.db" }',
    sim_clock: bool = False,
    check: str = "1s",
) -> str:
    mediators = (
        f"""
    mediator1a {{ {mediator_storage}, replication {{ enabled = true, check-period = {check} }}, admin-api.port = 5202 }}
    mediator1b {{ {mediator_storage}, replication {{ enabled = true, check-period = {check} }}, admin-api.port = 5212 }}"""
        if mediator_replicas
        else """
    mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5202 }"""
    )
    clock = "canton.parameters { clock.type = sim-clock, non-standard-config = yes }" if sim_clock else ""
    return f"""
_replica {{
  {participant_storage}
  replication {{ enabled = true, check-period = {check} }}
}}
canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "sequencer1.db" }}, public-api.port = 5001, admin-api.port = 5002 }}
  mediators {{{mediators}
  }}
  participants {{
    participant1a = ${{_replica}} {{ ledger-api.port = 5011, admin-api.port = 5012 }}
    participant1b = ${{_replica}} {{ ledger-api.port = 5041, admin-api.port = 5042 }}
    participant2 {{ storage {{ type = sqlite, file = "participant2.db" }}, ledger-api.port = 5021, admin-api.port = 5022 }}
  }}
}}
{clock}
"""


SQLITE_P1 = 'storage { type = sqlite, file = "participant1.db" }'


@pytest.fixture(params=["sqlite", "postgres"])
def p1_storage(request, tmp_path):
    if request.param == "sqlite":
        return SQLITE_P1
    make = request.getfixturevalue("pg_databases")
    return postgres_storage(make("ccha"))


def bootstrap(session, mediator: str = "mediator1") -> None:
    step_ok(session, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq({mediator}), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
    step_ok(session, 'participant1a.synchronizers.connect_local(sequencer1, "da")')
    step_ok(session, 'participant2.synchronizers.connect_local(sequencer1, "da")')


def wait_for(predicate, timeout: float = 10.0) -> float:
    """Seconds until ``predicate`` held (polled every 5 ms); fails after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition never held")
        time.sleep(0.005)
    return time.monotonic() - start


def node(session, name):
    return session.env.node(name)


def offsets(session, name: str) -> list[int]:
    n = node(session, name)
    return [tx.offset for tx in session.env.call(n.transactions)]


def create_iou_source(participant: str, issuer: str = "alice", owner: str | None = None, amount: int = 100, command_id: str = "") -> str:
    cid = f', commandId = "{command_id}"' if command_id else ""
    owner = owner or issuer
    return f'{participant}.ledger_api.commands.submit(Seq({issuer}), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> {issuer}, "owner" -> {owner}, "amount" -> {amount}))){cid})'


def create_iou(session, participant: str, issuer: str = "alice", owner: str = "alice", amount: int = 100, command_id: str = ""):
    return step_ok(session, create_iou_source(participant, issuer, owner, amount, command_id))


def transfer(session, participant: str, party: str, contract_id: str, new_owner: str):
    return step_ok(
        session,
        f'{participant}.ledger_api.commands.submit(Seq({party}), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", Map("newOwner" -> {new_owner}), "{contract_id}")))',
    )


@pytest.fixture
def replicated(tmp_path, p1_storage):
    session = open_session(ha_config(p1_storage), tmp_path)
    bootstrap(session)
    yield session
    session.close()


# ---- one identity, one active -----------------------------------------------------------------


def test_replicas_share_one_identity_and_exactly_one_is_active(replicated):
    s = replicated
    assert step_ok(s, "participant1a.health.active") is True
    assert step_ok(s, "participant1b.health.active") is False
    assert str(step_ok(s, "participant1a.id")) == str(step_ok(s, "participant1b.id"))
    status_a = s.step("participant1a.health.status").output
    status_b = s.step("participant1b.health.status").output
    assert "Active: true" in status_a and "Active: false" in status_b
    assert "Connected synchronizers: None" in status_b  # the passive stays off the synchronizer
    # The synchronizer delivers the node's member id to the active replica only.
    sync = next(iter(s.env.synchronizers.values()))
    member = node(s, "participant1a").member_id
    assert sync.subscribers[member] is node(s, "participant1a").subscriptions[sync.id]


def test_a_passive_replica_refuses_commands_with_node_is_passive_replica(replicated):
    s = replicated
    out = s.step("participant1b.ledger_api.state.end()")
    assert out.failed
    assert "NODE_IS_PASSIVE_REPLICA(1,0): Cannot process submitted command. This participant is the passive replica." in out.output
    assert "Request failed for participant1b." in out.output and "GrpcServiceUnavailable: UNAVAILABLE/" in out.output
    out = s.step(create_iou_source("participant1b", "participant1b.adminParty"))
    assert out.failed and "NODE_IS_PASSIVE_REPLICA(1,0)" in out.output
    # Admin commands get the sync service's error, with the same text.
    for command in ('participant1b.parties.enable("Carol")', 'participant1b.synchronizers.connect_local(sequencer1, "da")', "participant1b.synchronizers.list_connected()"):
        out = s.step(command)
        assert out.failed and "SYNC_SERVICE_PASSIVE_REPLICA(1,0): Cannot process submitted command. This participant is the passive replica." in out.output, (command, out.output)
    assert step_ok(s, "participant1a.synchronizers.list_connected()")  # the active one serves them
    # Ping: the passive replica's admin services do not run, as in Canton.
    out = s.step("participant1b.health.ping(participant2)")
    assert out.failed and "UNIMPLEMENTED/Method not found" in out.output and "PingService/Ping" in out.output
    # Health and status still answer.
    assert step_ok(s, "participant1b.health.is_running()") is True
    assert step_ok(s, "participant1b.is_running") is True


# ---- fail-over ----------------------------------------------------------------------------------


def test_kill_the_active_replica_the_passive_takes_over_and_the_ledger_continues(replicated):
    s = replicated
    step_ok(s, 'val alice = participant1a.parties.enable("Alice")')
    step_ok(s, 'val bob = participant2.parties.enable("Bob")')
    step_ok(s, "participant1a.health.ping(participant2)")
    iou = create_iou(s, "participant1a", command_id="iou-1")
    end_before = step_ok(s, "participant1a.ledger_api.state.end()")
    assert end_before == iou.offset
    killed_at = time.monotonic()
    step_ok(s, "participant1a.kill()")
    took = wait_for(lambda: node(s, "participant1b").active)
    assert took <= CHECK_PERIOD + 0.5, f"the passive took {took:.2f}s to take over"
    # The new active reconnected to the synchronizer the node was connected to and works.
    assert step_ok(s, "participant1b.synchronizers.active(\"da\")") is True
    step_ok(s, "participant1b.health.ping(participant2)")
    first_ping = time.monotonic() - killed_at
    assert first_ping < 2.0
    # Same ledger: the IOU is there, the offset continues from where the killed replica left it.
    assert step_ok(s, "participant1b.ledger_api.state.end()") == end_before + 2  # the ping's two transactions
    contract = step_ok(s, "participant1b.ledger_api.state.acs.of_party(alice)")
    assert [c.contractId for c in contract] == [iou.created[0].contractId]
    moved = transfer(s, "participant1b", "alice", iou.created[0].contractId, "bob")
    assert moved.offset == end_before + 3
    assert [c.arguments["owner"] for c in step_ok(s, "participant2.ledger_api.state.acs.of_party(bob)")] == [str(step_ok(s, "bob"))]
    # No gap, no repeat: every offset once, in order, each update once.
    seen = offsets(s, "participant1b")
    assert seen == list(range(1, len(seen) + 1))
    updates = [tx.update_id for tx in s.env.call(node(s, "participant1b").transactions)]
    assert len(updates) == len(set(updates))


def test_stop_the_active_replica_hands_over_within_the_check_period(replicated):
    s = replicated
    step_ok(s, "participant1a.health.ping(participant2)")
    end = step_ok(s, "participant1a.ledger_api.state.end()")
    step_ok(s, "participant1a.stop()")
    took = wait_for(lambda: node(s, "participant1b").active)
    assert took <= CHECK_PERIOD + 0.5
    step_ok(s, "participant1b.health.ping(participant2)")
    assert step_ok(s, "participant1b.ledger_api.state.end()") == end + 2
    # The stopped replica comes back as a passive one; the node stays on participant1b.
    step_ok(s, "participant1a.start()")
    assert step_ok(s, "participant1a.health.active") is False
    time.sleep(CHECK_PERIOD * 1.5)
    assert step_ok(s, "participant1b.health.active") is True and step_ok(s, "participant1a.health.active") is False


def test_set_passive_hands_over_on_purpose_and_back(replicated):
    s = replicated
    step_ok(s, "participant1a.health.ping(participant2)")
    step_ok(s, "participant1a.replication.set_passive()")
    # The command returns once the other replica is active.
    assert step_ok(s, "participant1b.health.active") is True
    assert step_ok(s, "participant1a.health.active") is False
    step_ok(s, "participant1b.health.ping(participant2)")
    out = s.step("participant1a.health.ping(participant2)")
    assert out.failed
    # The demoted replica does not grab the lock back.
    time.sleep(3 * CHECK_PERIOD)
    assert step_ok(s, "participant1b.health.active") is True
    step_ok(s, "participant1b.replication.set_passive()")
    assert step_ok(s, "participant1a.health.active") is True
    assert step_ok(s, "participant1b.health.active") is False
    step_ok(s, "participant1a.health.ping(participant2)")
    seen = offsets(s, "participant1a")
    assert seen == list(range(1, len(seen) + 1)) and len(seen) == 6


def test_the_replicas_of_this_process_take_the_lock_as_soon_as_it_is_given_back(tmp_path, p1_storage):
    """With a check period of an hour, a passive replica's next check is far off: the replica that
    gives the lock back (set_passive, a clean stop) has those of its own process try at once. Were it
    left to their checks, set_passive would end in the console's bounded timeout (set short here)
    and the stopped replica's would never be taken over within the test."""
    config = ha_config(p1_storage, check="1h") + "\ncanton.parameters.timeouts.console.bounded = 20s\n"
    s = open_session(config, tmp_path)
    try:
        bootstrap(s)
        step_ok(s, "participant1a.stop()")
        wait_for(lambda: node(s, "participant1b").active)
        step_ok(s, "participant1b.health.ping(participant2)")
        step_ok(s, "participant1a.start()")
        step_ok(s, "participant1b.replication.set_passive()")
        assert [step_ok(s, f"{n}.health.active") for n in ("participant1a", "participant1b")] == [True, False]
        step_ok(s, "participant1a.health.ping(participant2)")
    finally:
        s.close()


def test_set_passive_without_another_running_replica_keeps_the_node_active(replicated):
    s = replicated
    step_ok(s, "participant1b.stop()")
    step_ok(s, "participant1a.replication.set_passive()")
    assert step_ok(s, "participant1a.health.active") is True
    step_ok(s, "participant1a.health.ping(participant2)")


def test_set_passive_on_a_node_without_replication_fails(replicated):
    out = replicated.step("participant2.replication.set_passive()")
    assert out.failed and "Replication is not enabled for participant 'participant2'" in out.output


def test_a_killed_replica_restarted_while_the_other_is_active_stays_passive(replicated):
    s = replicated
    step_ok(s, "participant1a.kill()")
    wait_for(lambda: node(s, "participant1b").active)
    step_ok(s, "participant1a.start()")
    assert step_ok(s, "participant1a.health.active") is False
    time.sleep(CHECK_PERIOD * 1.5)
    assert [node(s, n).active for n in ("participant1a", "participant1b")] == [False, True]
    # And it takes over again when participant1b goes.
    step_ok(s, "participant1b.kill()")
    wait_for(lambda: node(s, "participant1a").active)
    step_ok(s, "participant1a.health.ping(participant2)")


def test_a_transaction_in_flight_at_the_kill_is_committed_once_by_the_new_active(replicated):
    """The killed replica's request is sequenced; the new active replays it from the clean cursor and
    commits it once, at the next offset."""
    s = replicated
    step_ok(s, 'val alice = participant1a.parties.enable("Alice")')
    a, b = node(s, "participant1a"), node(s, "participant1b")
    from canton_console.values import ledger

    def submit_and_kill():
        a.submit([ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 5})], act_as=[alice], command_id="in-flight")
        a.kill()  # before the request is even sequenced: the flush runs after this task

    alice = str(step_ok(s, "alice"))
    end = step_ok(s, "participant1a.ledger_api.state.end()")
    s.env.call(submit_and_kill)
    wait_for(lambda: b.active)
    wait_for(lambda: s.env.call(lambda: b.ledger_end) == end + 1)
    txs = s.env.call(b.transactions)
    assert [tx.command_id for tx in txs][-1] == "in-flight"
    assert [tx.offset for tx in txs] == list(range(1, end + 2))


# ---- the lock itself ----------------------------------------------------------------------------


def test_the_sqlite_lease_is_never_held_by_two_replicas(tmp_path):
    """Contenders racing for the lease row of one file: the periods in which each one knows it holds
    the lease (from a successful take or renewal until the earliest moment it may expire) never
    overlap between two of them."""
    from canton_console.runtime.replication import SqliteLease
    from canton_console.store.storage import Storage, StorageSpec

    ttl = 0.08
    spec = StorageSpec.sqlite(tmp_path / "shared.db")
    Storage(spec).close()  # creates the tables
    leases = [SqliteLease(spec, f"replica{i}", ttl_micros=int(ttl * 1e6)) for i in range(4)]
    held: list[tuple[float, float, int]] = []
    stop = time.monotonic() + 1.5
    errors: list[BaseException] = []
    lock = threading.Lock()

    def contend(i: int) -> None:
        lease = leases[i]
        try:
            while time.monotonic() < stop:
                before = time.time()
                acquired, _ = lease.try_acquire()
                if acquired:
                    with lock:
                        held.append((time.time(), before + ttl, i))
                    for _ in range(2):
                        time.sleep(0.01)
                        before = time.time()
                        if not lease.renew():
                            break
                        with lock:
                            held.append((time.time(), before + ttl, i))
                    if i % 2 == 0:
                        # Released: it stops counting on the lease before it gives it back.
                        with lock:
                            now = time.time()
                            held[:] = [(s_, min(e_, now) if h == i else e_, h) for s_, e_, h in held]
                        lease.release()
                    else:
                        # The others let theirs expire, as a crashed holder would, and stay away meanwhile.
                        time.sleep(ttl * 1.5)
                time.sleep(0.002)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len({i for _, _, i in held}) > 1, "the lease never changed hands"
    for s1, e1, i1 in held:
        for s2, e2, i2 in held:
            if i1 != i2:
                assert e1 <= s2 or e2 <= s1, f"replica{i1} and replica{i2} both held the lease"
    for lease in leases:
        lease.close()


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_renew_it(tmp_path):
    from canton_console.runtime.replication import SqliteLease
    from canton_console.store.storage import Storage, StorageSpec

    spec = StorageSpec.sqlite(tmp_path / "shared.db")
    Storage(spec).close()
    a, b = SqliteLease(spec, "a", ttl_micros=100_000), SqliteLease(spec, "b", ttl_micros=100_000)
    assert a.try_acquire()[0]
    acquired, expires = b.try_acquire()
    assert not acquired and expires is not None
    time.sleep(0.15)  # a "crashed": no renewal
    assert b.try_acquire()[0]
    assert not a.renew()
    assert not a.try_acquire()[0]
    a.close()
    b.close()


def test_the_postgres_advisory_lock_goes_with_the_connection_of_a_killed_holder(pg_databases):
    from conftest import PG_HOST, PG_PORT, PG_USER

    from canton_console.runtime.replication import PgAdvisoryLock
    from canton_console.store.storage import StorageSpec

    db = pg_databases("cclock")
    spec = StorageSpec("postgres", f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{db}")
    a, b = PgAdvisoryLock(spec), PgAdvisoryLock(spec)
    assert a.try_acquire()[0]
    assert a.renew()
    assert not b.try_acquire()[0]
    a.crash()  # the connection is cut, as when the process dies
    wait_for(lambda: b.try_acquire()[0], timeout=5)
    assert b.renew() and not a.renew()
    b.release()
    c = PgAdvisoryLock(spec)
    assert c.try_acquire()[0]
    c.close()


# ---- mediator replicas --------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_mediator_replica_takes_over_and_requests_in_flight_time_out_and_can_be_resubmitted(tmp_path, request, backend):
    """Kill the active mediator, submit while no mediator runs: the new active mediator purges the
    requests in flight at the switch, so they time out at the participants (at the decision time,
    here reached by advancing the simulated clock); resubmitting then succeeds."""
    mediator_storage = 'storage { type = sqlite, file = "mediator1.db" }'
    if backend == "postgres":
        mediator_storage = postgres_storage(request.getfixturevalue("pg_databases")("ccmed"))
    s = open_session(ha_config(SQLITE_P1, mediator_replicas=True, mediator_storage=mediator_storage, sim_clock=True), tmp_path)
    try:
        bootstrap(s, mediator="mediator1a")
        assert step_ok(s, "mediator1a.health.active") is True
        assert step_ok(s, "mediator1b.health.active") is False
        assert "Active: false" in s.step("mediator1b.health.status").output
        step_ok(s, 'val alice = participant1a.parties.enable("Alice")')
        step_ok(s, "participant1a.health.ping(participant2)")
        step_ok(s, "mediator1a.kill()")
        alice = str(step_ok(s, "alice"))
        p1 = node(s, "participant1a")
        from canton_console.values import ledger

        in_flight = s.env.call(lambda: p1.submit([ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 1})], act_as=[alice], command_id="lost"))
        took = wait_for(lambda: node(s, "mediator1b").active)
        assert took <= CHECK_PERIOD + 0.5
        assert "Active: true" in s.step("mediator1b.health.status").output
        time.sleep(0.2)
        assert not in_flight.done()  # purged by the new mediator: no verdict
        step_ok(s, "clock.advance(61.seconds)")  # past confirmation response + mediator reaction timeouts
        wait_for(in_flight.done)
        with pytest.raises(Exception) as failure:
            in_flight.result()
        assert "LOCAL_VERDICT_TIMEOUT" in str(failure.value)
        # Resubmitting works, through the new mediator.
        create_iou(s, "participant1a", command_id="lost")
        step_ok(s, "participant1a.health.ping(participant2)")
        assert node(s, "mediator1b").verdicts_sent >= 3
    finally:
        s.close()
