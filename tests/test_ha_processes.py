"""Replicas of one participant in separate processes (issue 15, point 5): two ``canton-console
daemon`` processes run ``participant1`` on one store with ``replication.enabled``; the database lock
(PostgreSQL's advisory lock, SQLite's lease row) decides which one is active. SIGKILL of the active
process, and the passive one takes over: it reconnects by URL to the sequencer in a third process,
keeps the participant's identity and continues its ledger offsets, and pings through it work."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import postgres_storage
from daemons import Daemon, free_port

from canton_console.values.errors import CantonError, ServiceStatusError

CHECK_PERIOD = "1s"


# ---- the processes -----------------------------------------------------------------------------

SYNCHRONIZER = (
    'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
    "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n"
)


def sequencer_daemon(tmp: Path) -> tuple[Daemon, str]:
    port = free_port()
    config = f"""
canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/sequencer1.db" }}, public-api.port = {port}, admin-api.port = {free_port()} }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/mediator1.db" }}, admin-api.port = {free_port()} }}
}}
"""
    return Daemon(tmp, "sequencer", config, SYNCHRONIZER), f"http://127.0.0.1:{port}"


def participant2_daemon(tmp: Path, url: str) -> Daemon:
    config = f"""
canton {{
  participants.participant2 {{ storage {{ type = sqlite, file = "{tmp}/participant2.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    return Daemon(tmp, "participant2", config, f'participant2.synchronizers.connect("da", "{url}")\n')


class Replica(Daemon):
    """A process running one replica of participant1 (every replica has the node's name)."""

    def __init__(self, tmp: Path, name: str, storage: str, bootstrap: str | None = None):
        self.health_port = free_port()
        config = f"""
canton {{
  participants.participant1 {{
    {storage}
    replication {{ enabled = true, check-period = {CHECK_PERIOD} }}
    ledger-api.port = {free_port()}
    admin-api.port = {free_port()}
    monitoring.http-health-server {{ port = {self.health_port} }}
  }}
}}
"""
        super().__init__(tmp, name, config, bootstrap)

    def ready(self) -> int:
        """The HTTP status of the replica's readiness endpoint (200: active and healthy)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.health_port}/health", timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code

    def client(self):
        from canton_console.api.admin_client import RemoteNodeAdmin

        return RemoteNodeAdmin("participant1", "participant", self.admin["participant1"], timeout=30)


def wait_until(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never held")
        time.sleep(0.02)


def connected(admin) -> bool:
    status = admin.status.status()
    return bool(status.active and status.connected_synchronizers)


def ping(admin, target: str) -> None:
    outcome = admin.ping.ping(target, 20_000_000)
    assert outcome.failure is None, outcome.failure


@pytest.fixture(params=["sqlite", "postgres"])
def replica_storage(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f'storage {{ type = sqlite, file = "{tmp_path}/participant1.db" }}'
    make = request.getfixturevalue("pg_databases")
    return postgres_storage(make("ccproc"))


@pytest.fixture
def synchronizer(tmp_path):
    """sequencer1 and mediator1 in one daemon, participant2 in another, connected by URL."""
    seq, url = sequencer_daemon(tmp_path)
    seq.start(admin_apis=True)
    p2 = participant2_daemon(tmp_path, url)
    started = [seq]
    try:
        p2.start(admin_apis=True)
        started.append(p2)
        yield url, p2
    finally:
        for daemon in reversed(started):
            daemon.stop()


# ---- the tests ---------------------------------------------------------------------------------


def test_sigkill_of_the_active_replica_process_and_the_passive_one_takes_over(tmp_path, replica_storage, synchronizer):
    url, p2 = synchronizer
    p2_admin = p2_client(p2)
    p2_id = p2_admin.identity.member_id()
    a = Replica(tmp_path, "replica-a", replica_storage, f'participant1.synchronizers.connect("da", "{url}")\n')
    b = Replica(tmp_path, "replica-b", replica_storage)
    try:
        a.start(admin_apis=True)
        b.start(admin_apis=True)
        admin_a, admin_b = a.client(), b.client()
        # one node, two processes: the same identity; exactly one of them is active
        p1_id = admin_a.identity.member_id()
        assert p1_id.startswith("PAR::participant1::") and admin_b.identity.member_id() == p1_id
        assert (a.ready(), b.ready()) == (200, 503)
        assert admin_a.status.status().active is True and admin_b.status.status().active is False
        # the passive replica serves no ping and no ledger (Canton's answers of a passive replica)
        with pytest.raises(ServiceStatusError, match="UNIMPLEMENTED/Method not found: .*PingService/Ping"):
            admin_b.ping.ping(p2_id, 5_000_000)
        with pytest.raises(CantonError, match="NODE_IS_PASSIVE_REPLICA"):
            admin_b.ledger.ledger_end()

        ping(admin_a, p2_id)
        first = admin_a.ledger.ledger_end()
        ping(admin_a, p2_id)
        before = admin_a.ledger.ledger_end()
        per_ping = before - first
        assert per_ping > 0
        history = [t.offset for t in admin_a.ledger.transactions(0, None)]

        a.kill()
        wait_until(lambda: b.ready() == 200, what="replica-b ready")
        wait_until(lambda: connected(admin_b), what="replica-b active and connected to da")
        assert admin_b.identity.member_id() == p1_id
        # the store's ledger, continued: no offset lost, none given twice
        assert admin_b.ledger.ledger_end() == before
        ping(admin_b, p2_id)
        assert admin_b.ledger.ledger_end() == before + per_ping
        after = [t.offset for t in admin_b.ledger.transactions(0, None)]
        assert after[: len(history)] == history and after[len(history)] > before
        # participant2 (its own process) reaches participant1 through the new active too
        ping(p2_admin, p1_id)
        # the responder records the ping's last transaction when the verdict reaches it, which can be
        # a moment after the initiator saw it and the ping returned
        wait_until(lambda: admin_b.ledger.ledger_end() == before + 2 * per_ping, what="participant1's ledger holds the ping of participant2")
        [synchronizer_id] = admin_b.status.status().connected_synchronizers
        assert synchronizer_id.startswith("da::")

        # the killed process comes back (without its connecting bootstrap) as the passive replica
        a.bootstrap = None
        a.start(admin_apis=True)
        admin_a = a.client()
        assert admin_a.status.status().active is False and a.ready() == 503
        assert admin_b.status.status().active is True
        ping(admin_b, p2_id)
        assert admin_b.ledger.ledger_end() == before + 3 * per_ping
    finally:
        b.stop()
        a.stop()


def p2_client(p2: Daemon):
    from canton_console.api.admin_client import RemoteNodeAdmin

    return RemoteNodeAdmin("participant2", "participant", p2.admin["participant2"], timeout=30)


def test_a_replica_taking_over_sees_the_keys_and_parties_its_predecessor_added(tmp_path):
    """What the active replica added after the passive one started (a key, a party) is in the shared
    store, and the replica that takes over works with it: it does not keep what it read at its start."""
    from conftest import open_session, step_ok
    from test_ha_replication import SQLITE_P1, bootstrap, ha_config

    s = open_session(ha_config(SQLITE_P1), tmp_path)
    try:
        bootstrap(s)
        step_ok(s, 'participant1a.keys.secret.generate_signing_key("extra-key", SigningKeyUsage.ProtocolOnly)')
        step_ok(s, 'val alice = participant1a.parties.enable("Alice")')
        keys_before = step_ok(s, "participant1a.keys.secret.list().map(_.name.get.unwrap)")
        step_ok(s, "participant1a.stop()")
        wait_until(lambda: s.env.participants["participant1b"].active, what="participant1b active")
        # the same keys (none made by the replica that started second), and Alice's hosting
        assert step_ok(s, "participant1b.keys.secret.list().map(_.name.get.unwrap)") == keys_before
        hosted = step_ok(s, 'participant1b.topology.party_to_participant_mappings.list_from_authorized(filter_party = "Alice")')
        assert len(hosted) == 1
        # ... so that its next change to the same mapping gets the next serial instead of a conflict
        step_ok(s, 'participant1b.parties.enable("Bob")')
        assert len(step_ok(s, 'participant1b.topology.party_to_participant_mappings.list_from_authorized(filter_party = "Bob")')) == 1
    finally:
        s.close()


def test_a_console_over_both_replicas_sees_health_active_change_and_pings_through_the_new_active(tmp_path, request):
    """The console, with both replicas (and participant2) configured as remote participants: Canton's
    way to watch a fail-over from outside the node processes."""
    from conftest import open_session, step_ok

    url, p2 = request.getfixturevalue("synchronizer")
    storage = f'storage {{ type = sqlite, file = "{tmp_path}/participant1.db" }}'
    a = Replica(tmp_path, "replica-a", storage, f'participant1.synchronizers.connect("da", "{url}")\n')
    b = Replica(tmp_path, "replica-b", storage)
    session = None
    try:
        a.start(admin_apis=True)
        b.start(admin_apis=True)
        ports = {}
        for name, daemon in (("participant1a", a), ("participant1b", b), ("participant2", p2)):
            text = daemon.conf.read_text()
            ports[name] = (int(text.split("admin-api.port = ")[1].split()[0].rstrip(",")), int(text.split("ledger-api.port = ")[1].split()[0].rstrip(",")))
        remote = "\n".join(
            f"  remote-participants.{n} {{ admin-api {{ address = 127.0.0.1, port = {admin} }}, ledger-api {{ address = 127.0.0.1, port = {ledger} }} }}"
            for n, (admin, ledger) in ports.items()
        )
        session = open_session(f"canton {{\n{remote}\n}}\n", tmp_path, name="console.conf")
        assert step_ok(session, "participant1a.health.active") is True
        assert step_ok(session, "participant1b.health.active") is False
        assert step_ok(session, "participant1a.id == participant1b.id") is True
        step_ok(session, "participant1a.health.ping(participant2)")
        end = step_ok(session, "participant1a.ledger_api.state.end()")
        a.kill()
        step_ok(session, "utils.retry_until_true(lambda: participant1b.health.active)")
        assert step_ok(session, "participant1a.health.is_running()") is False
        step_ok(session, 'utils.retry_until_true(lambda: participant1b.synchronizers.is_connected("da"))')
        assert step_ok(session, "participant1b.ledger_api.state.end()") == end
        step_ok(session, "participant1b.health.ping(participant2)")
        step_ok(session, "participant2.health.ping(participant1b)")
        assert step_ok(session, "participant1b.ledger_api.state.end()") > end
    finally:
        if session is not None:
            session.close()
        b.stop()
        a.stop()


def test_set_passive_hands_over_to_the_replica_of_another_process(tmp_path, replica_storage, synchronizer):
    """``replication.set_passive()`` on the active replica: the replica in the other process takes
    the lock and the node goes on there; with no other replica running anywhere, it stays active."""
    url, p2 = synchronizer
    p2_id = p2_client(p2).identity.member_id()
    a = Replica(tmp_path, "replica-a", replica_storage, f'participant1.synchronizers.connect("da", "{url}")\n')
    b = Replica(tmp_path, "replica-b", replica_storage)
    try:
        a.start(admin_apis=True)
        admin_a = a.client()
        ping(admin_a, p2_id)
        admin_a.replication.set_passive()  # alone: nobody to hand over to
        assert admin_a.status.status().active is True and a.ready() == 200
        b.start(admin_apis=True)
        admin_b = b.client()
        end = admin_a.ledger.ledger_end()
        admin_a.replication.set_passive()
        # set_passive returns once the other process took the lock
        assert admin_a.status.status().active is False
        wait_until(lambda: connected(admin_b), what="replica-b active and connected to da")
        assert (a.ready(), b.ready()) == (503, 200)
        assert admin_b.ledger.ledger_end() == end
        ping(admin_b, p2_id)
        assert admin_b.ledger.ledger_end() > end
    finally:
        b.stop()
        a.stop()
