"""Database outages (issue 7, point 1), with real faults: another process holding SQLite's write lock,
a PostgreSQL database refusing connections with its backends terminated, and a throwaway PostgreSQL
cluster stopped and started again. During the outage the nodes' ``db-storage`` goes Failed and their
health endpoints say 503; a ping and an IOU transfer started during the outage complete after it,
and the ledgers, contracts, requests and verdicts counted before and after show nothing lost or
doubled. Also: the other nodes keep working while one node's database is down, a submission that
timed out during an outage is resubmitted and applied exactly once, and fail-fast-on-startup."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import PG_HOST, PG_PORT, PG_USER, open_session, pg_databases, step_ok  # noqa: F401
from test_health_endpoints import get

from canton_console.runtime.health_server import start_health_servers

NODES = ("sequencer1", "mediator1", "participant1", "participant2")
PORTS = {
    "sequencer1": "public-api.port = 5001, admin-api.port = 5002",
    "mediator1": "admin-api.port = 5202",
    "participant1": "ledger-api.port = 5011, admin-api.port = 5012",
    "participant2": "ledger-api.port = 5021, admin-api.port = 5022",
}
KIND = {"sequencer1": "sequencers", "mediator1": "mediators", "participant1": "participants", "participant2": "participants"}
HEALTH = "monitoring.http-health-server { address = localhost, port = 0 }"


def sqlite_storage(name: str) -> str:
    return f'storage {{ type = sqlite, file = "{name}.db" }}'


def pg_storage(database: str, port: int = PG_PORT, fail_fast: bool = True) -> str:
    params = "" if fail_fast else ", parameters.fail-fast-on-startup = no"
    return (
        "storage { type = postgres, config.properties { "
        f'serverName = "{PG_HOST}", portNumber = {port}, databaseName = "{database}", user = "{PG_USER}", password = "" }}{params} }}'
    )


def config(storages: dict[str, str], extra: str = "") -> str:
    groups: dict[str, list[str]] = {}
    for name in NODES:
        health = f", {HEALTH}" if name in ("participant1", "sequencer1") else ""
        groups.setdefault(KIND[name], []).append(f"    {name} {{ {storages[name]}, {PORTS[name]}{health} }}")
    body = "\n".join(f"  {kind} {{\n" + "\n".join(lines) + "\n  }" for kind, lines in groups.items())
    return f"canton {{\n  parameters.timeouts.console.ledger-command = 30s\n{body}\n}}\n{extra}"


def wait_for(predicate, timeout: float = 15.0, what: str = "condition") -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} never held within {timeout}s")
        time.sleep(0.02)
    return time.monotonic() - start


# ---- outages ---------------------------------------------------------------------------------------


class SqliteWriteLock:
    """Another process takes the write lock of SQLite files (BEGIN EXCLUSIVE) and holds it until
    ``release()``: the nodes cannot write to them (SQLite's "database is locked")."""

    SCRIPT = (
        "import sqlite3, sys\n"
        "conns = []\n"
        "for f in sys.argv[1:]:\n"
        "    c = sqlite3.connect(f, isolation_level=None, timeout=30)\n"
        "    c.execute('BEGIN EXCLUSIVE')\n"
        "    conns.append(c)\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "for c in conns:\n"
        "    c.execute('ROLLBACK')\n"
        "print('released', flush=True)\n"
    )

    def __init__(self, files: list[Path]):
        self.files = [str(f) for f in files]
        self.proc = None

    def begin(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, *self.files], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def end(self) -> None:
        if self.proc is None:
            return
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"
        self.proc.wait(timeout=10)
        self.proc = None


class PgDatabasesDown:
    """The databases refuse new connections and their open connections are terminated."""

    def __init__(self, databases: list[str], port: int = PG_PORT):
        import psycopg

        self.databases = databases
        self.admin = psycopg.connect(host=PG_HOST, port=port, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3)

    def begin(self) -> None:
        for db in self.databases:
            self.admin.execute(f'ALTER DATABASE "{db}" WITH ALLOW_CONNECTIONS false')
            self.admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))

    def end(self) -> None:
        for db in self.databases:
            self.admin.execute(f'ALTER DATABASE "{db}" WITH ALLOW_CONNECTIONS true')

    def close(self) -> None:
        self.end()
        self.admin.close()


class PgCluster:
    """A throwaway PostgreSQL cluster (initdb, pg_ctl) on a free port, run as the postgres user when
    we are root. ``stop()``/``start()`` are the outage."""

    def __init__(self):
        self.initdb = shutil.which("initdb") or _existing("/usr/local/bin/initdb", "/usr/lib/postgresql/15/bin/initdb")
        self.pg_ctl = shutil.which("pg_ctl") or _existing("/usr/local/bin/pg_ctl", "/usr/lib/postgresql/15/bin/pg_ctl")
        if not self.initdb or not self.pg_ctl:
            pytest.skip("initdb/pg_ctl are not available here")
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root without a postgres user to run the cluster")
            runuser = shutil.which("runuser")
            self.prefix = [runuser, "-u", "postgres", "--"] if runuser else None
            self.uid, self.gid = user.pw_uid, user.pw_gid
        self.dir = Path(tempfile.mkdtemp(prefix="cc-pgcluster-"))
        if os.geteuid() == 0:
            os.chown(self.dir, self.uid, self.gid)
        self.port = _free_port()
        self._run(self.initdb, "-D", str(self.dir / "data"), "-A", "trust", "-U", PG_USER, "-N", "-E", "UTF8")
        self.start()

    def _run(self, *args: str) -> None:
        cmd = [*self.prefix, *args] if self.prefix is not None else ["su", "postgres", "-c", " ".join(f"'{a}'" for a in args)]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={PG_HOST} -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=PG_HOST, port=self.port, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _existing(*paths: str) -> str | None:
    return next((p for p in paths if os.path.exists(p)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((PG_HOST, 0))
        return s.getsockname()[1]


@pytest.fixture
def pg_cluster():
    cluster = PgCluster()
    yield cluster
    cluster.destroy()


# ---- the scenario ------------------------------------------------------------------------------------


def setup_ledger(s) -> str:
    """alice on participant1 with two IOUs (100, 50), bob on participant2; returns the 100 IOU's id."""
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(s, 'val bob = participant2.parties.enable("Bob")')
    iou = step_ok(s, iou_create(100, "iou-100"))
    step_ok(s, iou_create(50, "iou-50"))
    step_ok(s, "participant1.health.ping(participant2)")
    return iou.created[0].contractId


def iou_create(amount: int, command_id: str, timeout: str = "") -> str:
    return (
        'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, '
        f'"owner" -> alice, "amount" -> {amount}))), commandId = "{command_id}"{timeout})'
    )


def snapshot(s) -> dict:
    """What must be neither lost nor doubled: the participants' ledgers and contracts, the
    synchronizer's confirmation requests and the mediator's verdicts."""
    env = s.env
    result: dict = {}
    for name in ("participant1", "participant2"):
        node = env.participants[name]
        txs = env.call(node.transactions)
        contracts = env.call(node.active_contracts)
        result[name] = {
            "offsets": [t.offset for t in txs],
            "updates": [t.update_id for t in txs],
            "commands": [t.command_id for t in txs if t.command_id],
            "ious": sorted((c.arguments["owner"].split("::")[0], c.arguments["amount"]) for c in contracts if c.template_id == "Iou:Iou"),
            "ledger_end": env.call(lambda node=node: node.ledger_end),
        }
    events = env.call(env.sequencers["sequencer1"].event_log)
    requests = [e["payloads"][0]["root_hash"] for e in events if e["messages"][:1] == ["InformeeMessage"] and e["error"] is None]
    verdicts = [e["payloads"][0]["root_hash"] for e in events if e["messages"] == ["ConfirmationResult"]]
    result["requests"] = requests
    result["verdicts"] = verdicts
    result["events"] = len(events)
    return result


def check_nothing_lost_or_doubled(before: dict, after: dict, new_updates: int) -> None:
    for name in ("participant1", "participant2"):
        b, a = before[name], after[name]
        assert a["offsets"] == list(range(1, len(a["offsets"]) + 1)), name  # no gap, no offset twice
        assert len(set(a["updates"])) == len(a["updates"]), name  # no transaction applied twice
        assert a["updates"][: len(b["updates"])] == b["updates"], name  # nothing lost
        assert len(a["updates"]) == len(b["updates"]) + new_updates, name
        assert len(set(a["commands"])) == len(a["commands"]), name
        assert a["ledger_end"] == len(a["offsets"]), name
    assert len(set(after["requests"])) == len(after["requests"])  # each request sequenced once
    assert after["requests"][: len(before["requests"])] == before["requests"]
    assert len(after["requests"]) == len(before["requests"]) + new_updates
    assert sorted(after["verdicts"]) == sorted(after["requests"])  # exactly one verdict per request
    assert after["events"] > before["events"]
    # The balances (owner, amount): the 100 IOU moved from alice to bob, the 50 stayed; nothing
    # created twice. participant1 sees bob's IOU too: alice issued it.
    assert before["participant1"]["ious"] == [("Alice", 50), ("Alice", 100)]
    assert after["participant1"]["ious"] == [("Alice", 50), ("Bob", 100)]
    assert after["participant2"]["ious"] == [("Bob", 100)]


def run_outage(s, outage, *, down: tuple[str, ...] = NODES, hold: float = 1.5) -> dict:
    """The outage scenario; returns measured figures (seconds)."""
    env = s.env
    servers = start_health_servers(env)
    try:
        urls = {srv.node.name: f"http://127.0.0.1:{srv.port}/health" for srv in servers}
        cid = setup_ledger(s)
        assert get(urls["participant1"])[0] == 200 and get(urls["sequencer1"])[0] == 200
        before = snapshot(s)
        p1, p2 = env.participants["participant1"], env.participants["participant2"]

        outage.begin()
        started = time.monotonic()
        # Idle nodes notice too: the periodic database health check fails their storage.
        detected = wait_for(lambda: all(env.call(lambda name=n: env.node(name).halted) for n in down), what="every node halted")
        if "participant1" in down:
            code, body = get(urls["participant1"])
            assert code == 503, body
            assert "participant1 : NOT_SERVING (db-storage failed)" in body
            assert "db-storage : Failed(DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: " in body
            status = step_ok(s, "participant1.health.status")
            assert "db-storage : Failed(DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: " in str(status)
        if "sequencer1" in down:
            assert get(urls["sequencer1"])[0] == 503

        # A transfer (through the console) and a ping started during the outage.
        transfer: dict = {}

        def run_transfer() -> None:
            transfer["outcome"] = s.step(
                f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.exercise("Iou:Iou", "Transfer", '
                f'Map("newOwner" -> bob), "{cid}")), commandId = "transfer-during-outage")'
            )
            transfer["done"] = time.monotonic()

        thread = threading.Thread(target=run_transfer)
        thread.start()
        ping = env.call(p1.start_ping, p2.member_id, None, None)
        time.sleep(hold)
        assert thread.is_alive() and not ping.future.done()  # halted, waiting
        if "participant1" in down:
            assert get(urls["participant1"])[0] == 503
        assert not env.scheduler.errors

        outage.end()
        back = time.monotonic()
        elapsed = ping.future.result(timeout=30)
        ping_done = time.monotonic()
        thread.join(timeout=30)
        assert not thread.is_alive()
        outcome = transfer["outcome"]
        assert not outcome.failed, outcome.output
        healthy = wait_for(lambda: get(urls["participant1"])[0] == 200 and get(urls["sequencer1"])[0] == 200, what="healthy again")
        code, body = get(urls["participant1"])
        assert body.splitlines()[:2] == ["participant1 : SERVING", "db-storage : Ok()"]
        assert "db-storage : Ok()" in str(step_ok(s, "participant1.health.status"))
        wait_for(env.is_idle, what="idle")
        after = snapshot(s)
        check_nothing_lost_or_doubled(before, after, new_updates=3)  # the transfer, the ping and its response
        assert after["participant1"]["commands"][-3:].count("transfer-during-outage") == 1
        assert not env.scheduler.errors
        # It all still works.
        step_ok(s, "participant1.health.ping(participant2)")
        return {
            "detected": detected,
            "outage": back - started,
            "ping_after_back": ping_done - back,
            "transfer_after_back": transfer["done"] - back,
            "healthy_after_back": healthy + (ping_done - back),
            "ping_elapsed": elapsed,
        }
    finally:
        outage.end()
        for srv in servers:
            srv.stop()


def report(name: str, figures: dict) -> None:
    print(f"\n{name}: " + ", ".join(f"{k} {v:.2f}s" for k, v in figures.items()))


# ---- SQLite ------------------------------------------------------------------------------------------


def test_sqlite_outage_of_every_node_halts_and_resumes_with_nothing_lost(tmp_path):
    s = open_session(config({n: sqlite_storage(n) for n in NODES}), tmp_path, bootstrap=True)
    lock = SqliteWriteLock([tmp_path / f"{n}.db" for n in NODES])
    try:
        figures = run_outage(s, lock)
        report("sqlite, every node", figures)
        assert figures["ping_after_back"] < 5 and figures["transfer_after_back"] < 5
    finally:
        lock.end()
        s.close()


def test_sqlite_outage_of_one_participant_leaves_the_others_working(tmp_path):
    s = open_session(config({n: sqlite_storage(n) for n in NODES}), tmp_path, bootstrap=True)
    lock = SqliteWriteLock([tmp_path / "participant1.db"])
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        lock.begin()
        p1 = s.env.participants["participant1"]
        wait_for(lambda: s.env.call(lambda: p1.halted), what="participant1 halted")
        # participant2, the sequencer and the mediator are not held up by participant1's database.
        start = time.monotonic()
        for _ in range(3):
            step_ok(s, "participant2.health.ping(participant2)")
        assert time.monotonic() - start < 3
        assert s.env.call(lambda: [n.name for n in s.env.nodes() if n.halted]) == ["participant1"]
        # A read of the halted participant fails at once with a clear error.
        out = s.step("participant1.ledger_api.state.acs.of_party(alice)")
        assert out.failed and "DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: database is locked" in out.output
        lock.end()
        wait_for(lambda: not s.env.call(lambda: p1.halted), what="participant1 back")
        step_ok(s, "participant1.health.ping(participant2)")
    finally:
        lock.end()
        s.close()


def test_a_submission_that_timed_out_during_an_outage_is_resubmitted_and_applied_once(tmp_path):
    s = open_session(config({n: sqlite_storage(n) for n in NODES}), tmp_path, bootstrap=True)
    lock = SqliteWriteLock([tmp_path / "participant1.db"])
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        step_ok(s, 'val bob = participant2.parties.enable("Bob")')
        lock.begin()
        out = s.step(iou_create(7, "resubmitted", ", optTimeout = Some(1.second)"))
        assert out.failed and "GrpcClientGaveUp: DEADLINE_EXCEEDED/Timed out while awaiting the completion of command resubmitted" in out.output
        lock.end()
        # The client does not know whether it went through: it resubmits with the same command id
        # until it gets an answer. In flight: wait and retry; already done: DUPLICATE_COMMAND.
        answers = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            out = s.step(iou_create(7, "resubmitted"))
            if out.failed and "SUBMISSION_ALREADY_IN_FLIGHT(2," in out.output:
                answers.append("in flight")
                time.sleep(0.1)
                continue
            break
        assert not out.failed or "DUPLICATE_COMMAND(10," in out.output, out.output
        answers.append("duplicate" if out.failed else "applied")
        if out.failed:
            assert "A command with the given command id has already been successfully processed" in out.output
            assert "existing_submission_id -> " in out.output
        p1 = s.env.participants["participant1"]
        txs = s.env.call(p1.transactions)
        assert [t.command_id for t in txs].count("resubmitted") == 1  # applied exactly once
        sevens = [c for c in s.env.call(p1.active_contracts) if c.arguments["amount"] == 7]
        assert len(sevens) == 1
        # And once more for good measure: still a duplicate.
        out = s.step(iou_create(7, "resubmitted"))
        assert out.failed and "DUPLICATE_COMMAND(10," in out.output
    finally:
        lock.end()
        s.close()


def test_a_submission_rejected_by_timeout_during_a_mediator_outage_goes_through_when_resubmitted(tmp_path):
    s = open_session(config({n: sqlite_storage(n) for n in NODES}), tmp_path, bootstrap=True)
    lock = SqliteWriteLock([tmp_path / "mediator1.db"])
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        step_ok(
            s,
            "sequencer1.topology.synchronizer_parameters.propose_update(synchronizerId = sequencer1.synchronizer_id, "
            "_.update(confirmationResponseTimeout = NonNegativeFiniteDuration.ofSeconds(1L), mediatorReactionTimeout = NonNegativeFiniteDuration.ofSeconds(1L)))",
        )
        sync = next(iter(s.env.synchronizers.values()))
        wait_for(lambda: s.env.call(lambda: sync.parameters(sync.now()).confirmationResponseTimeout) == 1_000_000, what="short timeouts")
        lock.begin()
        mediator = s.env.mediators["mediator1"]
        wait_for(lambda: s.env.call(lambda: mediator.halted), what="mediator halted")
        out = s.step(iou_create(9, "timed-out"))
        assert out.failed and "LOCAL_VERDICT_TIMEOUT(2,0): Rejected transaction due to a participant determined timeout" in out.output
        lock.end()
        wait_for(lambda: not s.env.call(lambda: mediator.halted), what="mediator back")
        # The first one was rejected: the resubmission goes through, and only it is applied.
        created = step_ok(s, iou_create(9, "timed-out"))
        assert created.commandId == "timed-out"
        wait_for(s.env.is_idle, what="idle")
        p1 = s.env.participants["participant1"]
        assert [t.command_id for t in s.env.call(p1.transactions)].count("timed-out") == 1
        assert len([c for c in s.env.call(p1.active_contracts) if c.arguments["amount"] == 9]) == 1
        out = s.step(iou_create(9, "timed-out"))
        assert out.failed and "DUPLICATE_COMMAND(10," in out.output
    finally:
        lock.end()
        s.close()


def test_sqlite_fail_fast_on_startup(tmp_path):
    text = config({n: sqlite_storage(n) for n in NODES})
    s = open_session(text, tmp_path, bootstrap=True)
    s.close()
    lock = SqliteWriteLock([tmp_path / "participant1.db"])
    lock.begin()
    try:
        s = open_session(text, tmp_path, start=False)
        try:
            out = s.step("participant1.start()")
            assert out.failed
            assert "failed to initialize participant1: DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: database is locked" in out.output
            assert "fail-fast-on-startup" in out.output
            assert step_ok(s, "participant1.is_running") is False
            step_ok(s, "participant2.start()")  # its own database is fine
        finally:
            s.close()
    finally:
        lock.end()


# ---- PostgreSQL ----------------------------------------------------------------------------------------


def test_postgres_outage_connections_refused_and_terminated(tmp_path, pg_databases):  # noqa: F811
    databases = {n: pg_databases(f"ccout_{n[:3]}{n[-1]}") for n in NODES}
    s = open_session(config({n: pg_storage(db) for n, db in databases.items()}), tmp_path, bootstrap=True)
    outage = PgDatabasesDown(list(databases.values()))
    try:
        figures = run_outage(s, outage)
        report("postgres, databases refusing connections", figures)
    finally:
        outage.close()
        s.close()


def test_postgres_connections_terminated_without_an_outage_are_replaced(tmp_path, pg_databases):  # noqa: F811
    import psycopg

    databases = {n: pg_databases(f"ccterm_{n[:3]}{n[-1]}") for n in NODES}
    s = open_session(config({n: pg_storage(db) for n, db in databases.items()}), tmp_path, bootstrap=True)
    try:
        step_ok(s, "participant1.health.ping(participant2)")
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as admin:
            for db in databases.values():
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
        step_ok(s, "participant1.health.ping(participant2)")
        step_ok(s, "participant2.health.ping(participant1)")
    finally:
        s.close()


def test_postgres_server_stopped_and_started(tmp_path, pg_cluster):
    databases = {n: pg_cluster.create_database(f"cc_{n}") for n in NODES}

    class ServerDown:
        def __init__(self):
            self.down = False

        def begin(self):
            pg_cluster.stop()
            self.down = True

        def end(self):
            if self.down:
                pg_cluster.start()
                self.down = False

    s = open_session(config({n: pg_storage(db, pg_cluster.port) for n, db in databases.items()}), tmp_path, bootstrap=True)
    try:
        figures = run_outage(s, ServerDown())
        report("postgres, server stopped", figures)
    finally:
        s.close()


def test_postgres_fail_fast_on_startup_or_wait_for_the_database(tmp_path, pg_databases):  # noqa: F811
    databases = {n: pg_databases(f"ccff_{n[:3]}{n[-1]}") for n in NODES}
    storages = {n: pg_storage(db) for n, db in databases.items()}
    storages["participant2"] = pg_storage(databases["participant2"], fail_fast=False)
    s = open_session(config(storages), tmp_path, start=False)
    outage = PgDatabasesDown([databases["participant1"], databases["participant2"]])
    servers = []
    try:
        step_ok(s, "sequencer1.start()")
        step_ok(s, "mediator1.start()")
        outage.begin()
        # fail-fast-on-startup = yes (the default): the node does not start.
        out = s.step("participant1.start()")
        assert out.failed and "failed to initialize participant1: DB_CONNECTION_LOST(13,0): Database health check failed to establish a valid connection: " in out.output
        assert "is not currently accepting connections" in out.output
        assert step_ok(s, "participant1.is_running") is False
        # = no: it starts with db-storage Failed and comes up once the database is there.
        step_ok(s, "participant2.start()")
        assert step_ok(s, "participant2.is_running") is True
        p2 = s.env.participants["participant2"]
        assert s.env.call(lambda: p2.storage_health().render()).startswith("Failed(DB_CONNECTION_LOST(13,0): ")
        from canton_console.runtime.health_server import report as health_report

        assert s.env.call(health_report, p2).serving is False
        time.sleep(0.3)
        assert step_ok(s, "participant2.is_initialized") is False
        outage.end()
        wait_for(lambda: s.env.call(lambda: p2.is_initialized and not p2.halted), what="participant2 up")
        assert s.env.call(health_report, p2).serving is True
        step_ok(s, "participant1.start()")
        step_ok(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(s, 'participants.all.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, "participant2.health.ping(participant1)")
    finally:
        outage.close()
        for srv in servers:
            srv.stop()
        s.close()



def test_a_sequencer_outage_with_a_second_sequencer_keeps_the_synchronizer_going(tmp_path):
    text = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "sequencer1.db" }, public-api.port = 5001, admin-api.port = 5002 }
    sequencer2 { storage { type = sqlite, file = "sequencer2.db" }, public-api.port = 5101, admin-api.port = 5102 }
  }
  mediators.mediator1 { storage { type = sqlite, file = "mediator1.db" }, admin-api.port = 5202 }
  participants {
    participant1 { storage { type = sqlite, file = "participant1.db" }, ledger-api.port = 5011, admin-api.port = 5012 }
    participant2 { storage { type = sqlite, file = "participant2.db" }, ledger-api.port = 5021, admin-api.port = 5022 }
  }
}
"""
    s = open_session(text, tmp_path)
    lock = SqliteWriteLock([tmp_path / "sequencer1.db"])
    try:
        step_ok(s, 'bootstrap.synchronizer("da", Seq(sequencer1, sequencer2), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))')
        step_ok(s, 'participant1.synchronizers.connect_multi("da", Seq(sequencer1, sequencer2))')
        step_ok(s, 'participant2.synchronizers.connect_multi("da", Seq(sequencer1, sequencer2))')
        step_ok(s, "participant1.health.ping(participant2)")
        seq1, seq2 = s.env.sequencers["sequencer1"], s.env.sequencers["sequencer2"]
        lock.begin()
        wait_for(lambda: s.env.call(lambda: seq1.halted), what="sequencer1 halted")
        # sequencer2 alone stores and delivers: the synchronizer goes on.
        start = time.monotonic()
        for _ in range(3):
            step_ok(s, "participant1.health.ping(participant2)")
        assert time.monotonic() - start < 5
        assert s.env.call(lambda: seq1.store_missed)
        lock.end()
        # Back, sequencer1 copies what it missed before it serves again.
        wait_for(lambda: s.env.call(lambda: not seq1.halted and not seq1.store_missed), what="sequencer1 caught up")
        log1 = [e["timestamp"] for e in s.env.call(seq1.event_log)]
        log2 = [e["timestamp"] for e in s.env.call(seq2.event_log)]
        assert log1 == log2 and len(set(log1)) == len(log1)
        step_ok(s, "sequencer2.stop()")  # now everything goes through sequencer1
        step_ok(s, "participant2.health.ping(participant1)")
        assert not s.env.scheduler.errors
    finally:
        lock.end()
        s.close()


TRAFFIC_ON = (
    "sequencer1.topology.synchronizer_parameters.propose_update(synchronizerId = sequencer1.synchronizer_id, "
    "_.update(trafficControl = Some(TrafficControlParameters(enforceRateLimiting = true, "
    "maxBaseTrafficAmount = NonNegativeNumeric.tryCreate(200000L), readVsWriteScalingFactor = PositiveNumeric.tryCreate(200), "
    "maxBaseTrafficAccumulationDuration = PositiveFiniteDuration.ofSeconds(10L), "
    "setBalanceRequestSubmissionWindowSize = PositiveFiniteDuration.ofMinutes(5L), baseEventCost = NonNegativeNumeric.tryCreate(500L)))))"
)


def test_work_in_flight_when_the_database_fails_completes_after_it(tmp_path, monkeypatch):
    """The failure is found by the work itself (no periodic check): a sequencer batch that no store
    could take is rolled back in memory (traffic charges and a top-up included) and sequenced again
    later; a participant whose store fails while its request waits for the verdict replays it."""
    import sqlite3

    from canton_console.runtime import node as node_module

    monkeypatch.setattr(node_module, "HEALTH_CHECK_INTERVAL", 3600.0)
    s = open_session(config({n: sqlite_storage(n) for n in NODES}), tmp_path, bootstrap=True)
    env = s.env
    try:
        step_ok(s, 'val alice = participant1.parties.enable("Alice")')
        step_ok(s, TRAFFIC_ON)
        sync = next(iter(env.synchronizers.values()))
        wait_for(lambda: env.call(sync.traffic.params) is not None, what="traffic control on")
        p1, p2 = env.participants["participant1"], env.participants["participant2"]
        seq = env.sequencers["sequencer1"]
        step_ok(s, "participant1.health.ping(participant2)")

        # 1. The sequencer's store fails under a batch holding a top-up and a ping's request.
        lock = SqliteWriteLock([tmp_path / "sequencer1.db"])
        lock.begin()
        try:
            step_ok(s, "sequencer1.traffic_control.set_traffic_balance(participant1, 1, NonNegativeNumeric.tryCreate(500000L))")
            ping = env.call(p1.start_ping, p2.member_id, None, None)
            wait_for(lambda: env.call(lambda: seq.halted), what="the sequencer halted")
            assert env.call(lambda: sync.traffic.latest_serial(p1.member_id)) is None  # rolled back
            time.sleep(0.3)
            assert not ping.future.done()
        finally:
            lock.end()
        ping.future.result(timeout=15)
        wait_for(lambda: env.call(lambda: sync.traffic.latest_serial(p1.member_id)) == 1, what="top-up applied")

        # 2. participant1's store fails while its request waits for the mediator's verdict.
        step_ok(s, "mediator1.stop()")
        alice = str(step_ok(s, "alice"))
        from canton_console.values import ledger

        future = env.call(p1.submit_command, [ledger.CreateCommand("Iou:Iou", {"issuer": alice, "owner": alice, "amount": 1})], [alice], "mid-flight")
        wait_for(lambda: env.call(lambda: bool(p1.pending)), what="the request pending")
        lock = SqliteWriteLock([tmp_path / "participant1.db"])
        lock.begin()
        try:
            step_ok(s, "mediator1.start()")  # the verdict comes while participant1 cannot store it
            wait_for(lambda: env.call(lambda: p1.halted), what="participant1 halted")
            assert not future.done()
        finally:
            lock.end()
        tx = future.result(timeout=15)
        assert tx.command_id == "mid-flight"
        wait_for(env.is_idle, what="idle")
        assert [t.command_id for t in env.call(p1.transactions)].count("mid-flight") == 1

        # The synchronizer's memory and the sequencer's store agree; nothing charged twice.
        conn = sqlite3.connect(tmp_path / "sequencer1.db")
        try:
            charged = dict(conn.execute("SELECT sender, SUM(cost) FROM cc_sequenced_events WHERE error IS NULL GROUP BY sender"))
            stored = {m: (t, e, b) for m, t, e, b in conn.execute("SELECT member, total_consumed, extra_traffic_consumed, base_traffic_remainder FROM cc_traffic_consumed")}
            purchases = conn.execute("SELECT member, serial FROM cc_traffic_purchased").fetchall()
        finally:
            conn.close()
        in_memory = env.call(lambda: {m: (sync.traffic.total.get(m, 0), c.extra_traffic_consumed, c.base_traffic_remainder) for m, c in sync.traffic.consumed.items()})
        assert stored == in_memory
        for member, (total, _e, _b) in stored.items():
            assert total == (charged.get(member) or 0), member
        assert purchases == [(p1.member_id, 1)]
        assert not env.scheduler.errors
    finally:
        s.close()
