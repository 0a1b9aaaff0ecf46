"""Fail-over time of a replicated participant: from killing the active replica to the first
successful ping on the replica that takes over (check period 1 s; target: under 2 s).

Each round kills the active replica of participant1 (participant1a or participant1b, whichever is
active), pings participant2 from the other one until a ping succeeds, then restarts the killed one
(which comes back passive). Measured on SQLite (lease row) and, when a server is reachable at
127.0.0.1:5432 (user postgres), on PostgreSQL (advisory lock) in a throwaway database.

    python benchmarks/failover.py [rounds]        # default 10 rounds per storage
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

CHECK_PERIOD = "1s"
PG = dict(host=os.environ.get("CANTON_TEST_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CANTON_TEST_PG_PORT", "5432")), user=os.environ.get("CANTON_TEST_PG_USER", "postgres"))


def config(participant_storage: str) -> str:
    return f"""
_replica {{
  {participant_storage}
  replication {{ enabled = true, check-period = {CHECK_PERIOD} }}
}}
canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "sequencer1.db" }}, public-api.port = 5001, admin-api.port = 5002 }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "mediator1.db" }}, admin-api.port = 5202 }}
  participants {{
    participant1a = ${{_replica}} {{ ledger-api.port = 5011, admin-api.port = 5012 }}
    participant1b = ${{_replica}} {{ ledger-api.port = 5041, admin-api.port = 5042 }}
    participant2 {{ storage {{ type = sqlite, file = "participant2.db" }}, ledger-api.port = 5021, admin-api.port = 5022 }}
  }}
}}
"""


def measure(participant_storage: str, rounds: int, workdir: Path) -> list[tuple[float, float]]:
    """(seconds until the other replica was active, seconds until its first successful ping) per round."""
    from canton_console.config import load_config
    from canton_console.console.session import Session
    from canton_console.runtime.scheduler import wait_future

    path = workdir / "failover.conf"
    path.write_text(config(participant_storage))
    session = Session(load_config([str(path)], base_dir=workdir))
    env = session.env
    try:
        session.start_nodes()
        for step in (
            'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))',
            'participant1a.synchronizers.connect_local(sequencer1, "da")',
            'participant2.synchronizers.connect_local(sequencer1, "da")',
            "participant1a.health.ping(participant2)",
        ):
            outcome = session.step(step)
            assert not outcome.failed, outcome.output
        replicas = [env.participants["participant1a"], env.participants["participant1b"]]
        target = env.participants["participant2"].member_id
        results = []
        for _ in range(rounds):
            active = next(r for r in replicas if r.active)
            other = next(r for r in replicas if r is not active)
            time.sleep(0.2 + random.random())  # kill at a random point of the lease's / the checks' period
            killed_at = time.perf_counter()
            env.call(active.kill)
            while not other.active:
                time.sleep(0.001)
            active_at = time.perf_counter()
            while True:
                state = env.call(other.start_ping, target, None, None)
                try:
                    wait_future(state.future, 5)
                    break
                except Exception:  # noqa: BLE001 - not ready yet: try again
                    env.call(other.ping_failure, state.id)
                    time.sleep(0.001)
            pinged_at = time.perf_counter()
            results.append((active_at - killed_at, pinged_at - killed_at))
            env.call(active.start)  # back as the passive replica
        return results
    finally:
        session.close()


def report(name: str, results: list[tuple[float, float]]) -> None:
    takeover = [t for t, _ in results]
    ping = [p for _, p in results]
    print(
        f"{name:<10} rounds={len(results):<3} take-over s: mean {statistics.mean(takeover):.3f} max {max(takeover):.3f}   "
        f"kill -> first ping s: mean {statistics.mean(ping):.3f} min {min(ping):.3f} max {max(ping):.3f}"
        f"   {'OK' if max(ping) < 2.0 else 'ABOVE TARGET'} (target < 2 s, check period {CHECK_PERIOD})"
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as d:
        report("sqlite", measure('storage { type = sqlite, file = "participant1.db" }', rounds, Path(d)))
    try:
        import psycopg

        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG)
    except Exception as e:  # noqa: BLE001
        print(f"postgres   skipped: no server at {PG['host']}:{PG['port']} ({e})")
        return
    db = f"ccfailover_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{db}"')
    try:
        storage = (
            "storage { type = postgres, config.properties { "
            f'serverName = "{PG["host"]}", portNumber = {PG["port"]}, databaseName = "{db}", user = "{PG["user"]}", password = "" }} }}'
        )
        with tempfile.TemporaryDirectory() as d:
            report("postgres", measure(storage, rounds, Path(d)))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
