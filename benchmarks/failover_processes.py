"""Fail-over of a participant whose replicas run in separate processes: from SIGKILL of the active
replica's process to the first successful ping through the other one (check period 1 s; target:
under 2 s), beside the in-process figure of benchmarks/failover.py measured in the same run.

Across processes: a daemon runs sequencer1 and mediator1 (the sequencer's public API on a loopback
port), another one participant2, and two daemons run participant1 with ``replication.enabled`` on
one store (an SQLite file, or a throwaway PostgreSQL database when a server answers at
127.0.0.1:5432). Each round kills the active replica's process at a random point of the lock's
period, watches the other one through its admin API until it is active and connected, pings
participant2 through it until a ping succeeds, then starts the killed process again (it comes
back passive). Each daemon serves its nodes' admin APIs on their configured ports (its
``admin APIs:`` line), through which the replicas are watched.

    python benchmarks/failover_processes.py [--rounds 5] [--storage sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "benchmarks"))

from cross_process_ping import free_port  # noqa: E402 - after the path above

CHECK_PERIOD = "1s"
TARGET_SECONDS = 2.0
PG = dict(host=os.environ.get("CANTON_TEST_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CANTON_TEST_PG_PORT", "5432")), user=os.environ.get("CANTON_TEST_PG_USER", "postgres"))
BOOTSTRAP = 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n'


class Daemon:
    """A daemon subprocess; ``admin`` maps its nodes to their admin API targets."""

    def __init__(self, tmp: Path, name: str, config: str, bootstrap: str | None):
        self.tmp, self.name = tmp, name
        (tmp / f"{name}.conf").write_text(config)
        self.bootstrap: Path | None = None
        if bootstrap is not None:
            self.bootstrap = tmp / f"{name}.canton"
            self.bootstrap.write_text(bootstrap)
        self.proc: subprocess.Popen | None = None
        self.admin: dict[str, str] = {}

    def start(self) -> Daemon:
        args = [sys.executable, "-m", "canton_console", "--log-file-name", str(self.tmp / f"{self.name}.log"), "daemon", "-c", str(self.tmp / f"{self.name}.conf")]
        if self.bootstrap is not None:
            args += ["--bootstrap", str(self.bootstrap)]
        env = dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(self.tmp / f"{self.name}-data"), PYTHONPATH=str(HERE))
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=str(self.tmp), env=env)
        lines: queue.Queue = queue.Queue()

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        while True:
            line = lines.get(timeout=120)
            if line is None:
                raise SystemExit(f"{self.name} exited at start; see {self.tmp / (self.name + '.log')}")
            if line.startswith("admin APIs: "):  # printed after the running line
                for entry in line.removeprefix("admin APIs: ").strip().split(", "):
                    node, target = entry.split()[:2]
                    self.admin[node] = target
                return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def client(daemon: Daemon, name: str):
    from canton_console.api.admin_client import RemoteNodeAdmin

    return RemoteNodeAdmin(name, "participant", daemon.admin[name], timeout=30)


def active_and_connected(admin) -> bool:
    try:
        status = admin.status.status()
    except Exception:  # noqa: BLE001 - the process is still coming up
        return False
    return bool(status.active and status.connected_synchronizers)


def measure_processes(storage: str, rounds: int, tmp: Path) -> list[tuple[float, float]]:
    """(seconds until the other replica was active and connected to da, seconds until its first successful ping) per round."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    seq = Daemon(
        tmp,
        "sequencer",
        "canton {\n"
        f'  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/sequencer1.db" }}, public-api.port = {port}, admin-api.port = {free_port()} }}\n'
        f'  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/mediator1.db" }}, admin-api.port = {free_port()} }}\n}}\n',
        BOOTSTRAP,
    )
    p2 = Daemon(
        tmp,
        "participant2",
        f'canton {{ participants.participant2 {{ storage {{ type = sqlite, file = "{tmp}/participant2.db" }}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }} }}\n',
        f'participant2.synchronizers.connect("da", "{url}")\n',
    )

    def replica(name: str, bootstrap: str | None) -> Daemon:
        config = (
            f"canton {{ participants.participant1 {{ {storage}, replication {{ enabled = true, check-period = {CHECK_PERIOD} }}, "
            f"ledger-api.port = {free_port()}, admin-api.port = {free_port()} }} }}\n"
        )
        return Daemon(tmp, name, config, bootstrap)

    replicas = [replica("replica-a", f'participant1.synchronizers.connect("da", "{url}")\n'), replica("replica-b", None)]
    started: list[Daemon] = []
    try:
        for daemon in (seq, p2, *replicas):
            daemon.start()
            started.append(daemon)
        replicas[0].bootstrap = None  # restarted, a replica only runs (it may well be passive)
        target = client(p2, "participant2").identity.member_id()
        admins = [client(r, "participant1") for r in replicas]
        outcome = admins[0].ping.ping(target, 30_000_000)
        assert outcome.failure is None, outcome.failure
        results = []
        for _ in range(rounds):
            index = next(i for i, a in enumerate(admins) if active_and_connected(a))
            other = 1 - index
            time.sleep(0.2 + random.random())  # kill at a random point of the lease's / the checks' period
            killed_at = time.perf_counter()
            replicas[index].kill()
            while not active_and_connected(admins[other]):
                time.sleep(0.005)
            active_at = time.perf_counter()
            while True:
                outcome = admins[other].ping.ping(target, 5_000_000)
                if outcome.failure is None:
                    break
            pinged_at = time.perf_counter()
            results.append((active_at - killed_at, pinged_at - killed_at))
            admins[index].close()
            replicas[index].start()  # back as the passive replica
            admins[index] = client(replicas[index], "participant1")
        return results
    finally:
        for daemon in reversed(started):
            daemon.stop()


def report(name: str, results: list[tuple[float, float]]) -> float:
    takeover = [t for t, _ in results]
    ping = [p for _, p in results]
    median = statistics.median(ping)
    print(
        f"{name:<24} rounds={len(results):<3} take-over s: median {statistics.median(takeover):.3f}   "
        f"kill -> first ping s: min {min(ping):.3f} median {median:.3f} max {max(ping):.3f}"
    )
    return median


def postgres_database(admin) -> tuple[str, str]:
    db = f"ccfailoverproc_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{db}"')
    storage = (
        "storage { type = postgres, config.properties { "
        f'serverName = "{PG["host"]}", portNumber = {PG["port"]}, databaseName = "{db}", user = "{PG["user"]}", password = "" }} }}'
    )
    return db, storage


def main() -> None:
    import failover

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--storage", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.storage == "both" else [args.storage]
    pg_admin = None
    if "postgres" in kinds:
        try:
            import psycopg

            pg_admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG)
        except Exception as e:  # noqa: BLE001
            print(f"postgres skipped: no server at {PG['host']}:{PG['port']} ({e})")
            kinds.remove("postgres")
    print(f"check period {CHECK_PERIOD}, target: kill -> first ping under {TARGET_SECONDS:.0f} s across processes")
    for kind in kinds:
        db = None
        if kind == "sqlite":
            storage = 'storage { type = sqlite, file = "participant1.db" }'
        else:
            assert pg_admin is not None
            db, storage = postgres_database(pg_admin)
        try:
            with tempfile.TemporaryDirectory() as d:
                in_process = report(f"{kind} in one process", failover.measure(storage, args.rounds, Path(d)))
            if db is not None:
                assert pg_admin is not None
                pg_admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                db, storage = postgres_database(pg_admin)
            with tempfile.TemporaryDirectory() as d:
                tmp = Path(d)
                if kind == "sqlite":
                    storage = f'storage {{ type = sqlite, file = "{tmp}/participant1.db" }}'
                processes = report(f"{kind} across processes", measure_processes(storage, args.rounds, tmp))
            verdict = "OK" if processes < TARGET_SECONDS else "ABOVE TARGET"
            print(f"{kind:<24} median ratio processes / one process: {processes / in_process:.2f}   {verdict} (median < {TARGET_SECONDS:.0f} s)")
        finally:
            if db is not None and pg_admin is not None:
                pg_admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    if pg_admin is not None:
        pg_admin.close()


if __name__ == "__main__":
    main()
