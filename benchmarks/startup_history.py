"""Start-up on existing files: a store with no history against one with ~1M sequenced events.

    python benchmarks/startup_history.py [--events 1100000] [--rounds 5] [--other CHECKOUT] [--work DIR]

Builds the default topology's stores once (``canton-console run`` of a few pings), and a copy grown
to ``--events`` sequenced events with direct sqlite3 inserts of rows shaped like the real ones (the
last ping's nine events over and over, a verdict per confirmation request at the mediator, two
ledger updates and an archived contract per ping at participant1 and participant2; history comes
before the real rows, so the stores stay consistent). ``--work`` keeps them for the next run.

Each checkout (this one, and ``--other``'s) gets its own copy of both stores, opens each once (not
timed: that first open may add indexes or read what the stores' state asks for; reported), then
``rounds`` times, interleaved: the wall time of ``canton-console run`` of a script that prints one
line, on the small and on the large store. The floor is a Python process importing the modules that
run needs (measured in the same rounds). Prints min and median; the targets are large/small <= 1.1
and small/floor <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PINGS = "participant1.health.ping(participant2)\n" * 3
NOOP = 'print("ok")\n'
FLOOR_IMPORTS = "import canton_console.cli, canton_console.console.session, canton_console.runtime.environment"
STEP = 200  # microseconds between synthetic events


def run_console(checkout: Path, data: Path, script: Path) -> float:
    env = dict(os.environ, CANTON_CONSOLE_DATA=str(data), PYTHONPATH=str(checkout))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    log = Path(tempfile.mkdtemp(prefix="cc-log-")) / "canton.log"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "canton_console", "--log-file-name", str(log), "run", str(script)],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=600,
    )
    elapsed = time.perf_counter() - started
    shutil.rmtree(log.parent, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"canton-console run failed in {checkout} ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def floor(checkout: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_IMPORTS], cwd=checkout, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _connect(data: Path, name: str) -> sqlite3.Connection:
    conn = sqlite3.connect(data / f"{name}.db", isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    return conn


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    conn.execute(f"INSERT INTO {table} ({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))


def grow(data: Path, events: int) -> None:
    """Add ~``events`` sequenced events of history (and what the other nodes store of it) before the
    rows a few real pings left in ``data``."""
    pings = events // 9
    seq = _connect(data, "sequencer1")
    template = seq.execute(
        "SELECT synchronizer_id, timestamp, sender, message_id, batch, recipients, cost, error FROM cc_sequenced_events ORDER BY timestamp DESC LIMIT 9"
    ).fetchall()[::-1]
    first = seq.execute("SELECT min(timestamp) FROM cc_sequenced_events").fetchone()[0]
    ts = first - (pings * 9 + 10) * STEP
    requests = []
    seq.execute("BEGIN")
    for _ in range(pings):
        for sync_id, _ts, sender, message_id, batch, recipients, cost, error in template:
            ts += STEP
            if message_id.startswith("ping-"):
                requests.append(ts)
            seq.execute(
                "INSERT INTO cc_sequenced_events VALUES (?,?,?,?,?,?,?,?)",
                (sync_id, ts, sender, f"{message_id[:5]}{uuid.uuid4()}", batch, recipients, cost, error),
            )
    seq.execute("COMMIT")
    seq.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seq.close()

    med = _connect(data, "mediator1")
    med.row_factory = sqlite3.Row
    verdicts = [dict(r) for r in med.execute("SELECT * FROM cc_mediator_verdicts ORDER BY request_id LIMIT 2")]
    med.execute("BEGIN")
    for i, request in enumerate(requests):
        row = dict(verdicts[i % 2])
        row.update(request_id=request, decided_at=request + 1500, root_hash=uuid.uuid4().hex * 2, message_id=str(uuid.uuid4()), sent=1)
        _insert(med, "cc_mediator_verdicts", row)
    med.execute("COMMIT")
    med.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    med.close()

    for name in ("participant1", "participant2"):
        par = _connect(data, name)
        par.row_factory = sqlite3.Row
        updates = [dict(r) for r in par.execute('SELECT * FROM cc_ledger_updates ORDER BY "offset" LIMIT 2')]
        contract = dict(par.execute("SELECT * FROM cc_contracts LIMIT 1").fetchone())
        shift = len(requests) + 10
        par.execute("BEGIN")
        par.execute('UPDATE cc_ledger_updates SET "offset" = "offset" + ?', (shift,))
        par.execute("UPDATE cc_contracts SET created_offset = created_offset + ?, archived_offset = archived_offset + ?", (shift, shift))
        for i, request in enumerate(requests):
            row = dict(updates[i % 2])
            row.update(offset=i + 1, update_id=uuid.uuid4().hex * 2, record_time=request + 1800, command_id=f"ping-{uuid.uuid4()}" if i % 2 == 0 else "")
            _insert(par, "cc_ledger_updates", row)
            if i % 2 == 0:
                created = dict(contract)
                created.update(contract_id="00" + uuid.uuid4().hex * 2, created_offset=i + 1, archived_offset=i + 2)
                _insert(par, "cc_contracts", created)
        par.execute("COMMIT")
        par.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        par.close()


def build(work: Path, checkout: Path, events: int) -> tuple[Path, Path]:
    small, large = work / "small", work / f"large-{events}"
    if not small.exists():
        pings = work / "pings.canton"
        pings.write_text(PINGS)
        run_console(checkout, work / "building", pings)
        (work / "building").rename(small)
    if not large.exists():
        shutil.copytree(small, work / "growing")
        print(f"growing a store to {events} events (once; kept in {work})", flush=True)
        grow(work / "growing", events)
        (work / "growing").rename(large)
    return small, large


def report(label: str, times: list[float], base: float | None = None, base_label: str = "") -> None:
    ratio = f"  {statistics.median(times) / base:5.2f}x {base_label}" if base else ""
    print(f"  {label:<34} min {min(times):6.2f} s  median {statistics.median(times):6.2f} s{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--other", type=Path, help="another checkout to measure side by side (e.g. the base)")
    parser.add_argument("--work", type=Path, help="where the built stores are kept (default: a temporary directory)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="cc-startup-history-"))
    work.mkdir(parents=True, exist_ok=True)
    checkouts = [HERE] + ([args.other.resolve()] if args.other else [])
    small, large = build(work, HERE, args.events)
    noop = work / "noop.canton"
    noop.write_text(NOOP)
    runs = work / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    first_open: dict[tuple[int, str], float] = {}
    for i, checkout in enumerate(checkouts):
        for label, source in (("small", small), ("large", large)):
            target = runs / f"{i}-{label}"
            shutil.copytree(source, target)
            first_open[(i, label)] = run_console(checkout, target, noop)
    times: dict[tuple[int, str], list[float]] = {(i, label): [] for i in range(len(checkouts)) for label in ("small", "large", "floor")}
    for _ in range(args.rounds):
        for i, checkout in enumerate(checkouts):
            times[(i, "floor")].append(floor(checkout))
            for label in ("small", "large"):
                times[(i, label)].append(run_console(checkout, runs / f"{i}-{label}", noop))
    print(f"start-up (canton-console run, one print) on existing stores; {args.rounds} rounds, {os.cpu_count()} cores; large = {args.events} events")
    for i, checkout in enumerate(checkouts):
        print(f"{checkout}:")
        print(f"  first open after copying: small {first_open[(i, 'small')]:.2f} s, large {first_open[(i, 'large')]:.2f} s")
        floor_median = statistics.median(times[(i, "floor")])
        report("floor (import of what run needs)", times[(i, "floor")])
        report("no history", times[(i, "small")], floor_median, "of the floor (target <= 1.5)")
        report(f"{args.events} events", times[(i, "large")], statistics.median(times[(i, "small")]), "of no history (target <= 1.1)")
    shutil.rmtree(runs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
