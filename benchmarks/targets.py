"""The figures of issue 16, each next to its floor measured in the same run, with the ratio and the
target, as one table.

    python benchmarks/targets.py                          # every target, 3 rounds, 5 minutes saturation
    python benchmarks/targets.py --only ping,startup      # some of them
    python benchmarks/targets.py --rounds 5 --minutes 2

Targets (ratio = figure / floor, the median over rounds of each round's ratio; min and median of the
figure and of the floor are printed too):
  ping         (after --warm-up seconds of pings: the nodes' one-off work after start-up is no ping latency)
               console ping p50 <= 3x its floor: 12 single-row commits through sqlite3 in WAL mode with
               synchronous=NORMAL (as the store sets it) on the same disk + 6 Ed25519 signatures and 6
               verifications (`cryptography`); ping p99 <= 2x ping p50.
  throughput   sequenced submissions/s with traffic enforced (benchmarks/traffic_throughput.py)
               >= 40% of raw batched inserts of the same rows (the stored events read back, and the
               senders' consumed-traffic rows per block) through sqlite3 into the same tables.
  startup      process start to a ready default topology on existing files <= 1.5x a process that only
               imports the modules start-up imports (taken from `python -X importtime` of a start-up in
               the same run); start-up with 1M stored sequenced events <= 1.1x the empty-store figure.
  saturation   10 pings in flight for --minutes: RSS at the end within 10% of RSS at 1 minute; p99
               lateness of probe timers scheduled on the runtime's scheduler every 100 ms < 50 ms.
  postgres     ping p50 with every node on PostgreSQL (127.0.0.1:5432) <= 3x the same 12 commits through
               psycopg on the same server + the same signatures; skipped when no server answers.

Every round runs in a fresh child process (cached bytecode, files in a temp dir), so machine noise
(other processes) shows as spread between min and median rather than as one number.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGETS = ("ping", "throughput", "startup", "saturation", "postgres")

# The floor of a ping, shared by the SQLite and PostgreSQL children: `commit_row(i)` is one durable
# single-row commit; 12 of them, and 6 Ed25519 signatures each verified.
FLOOR = textwrap.dedent(
    """
    import time
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    FLOOR_KEY = Ed25519PrivateKey.generate()
    FLOOR_PUB = FLOOR_KEY.public_key()
    FLOOR_PAYLOAD = bytes(range(256)) + b"ping-floor"
    _floor_counter = [0]

    def floor_ms(commit_row):
        t0 = time.perf_counter()
        for _ in range(12):
            _floor_counter[0] += 1
            commit_row(_floor_counter[0])
        for _ in range(6):
            FLOOR_PUB.verify(FLOOR_KEY.sign(FLOOR_PAYLOAD), FLOOR_PAYLOAD)
        return (time.perf_counter() - t0) * 1000

    def sqlite_committer(path):
        import sqlite3
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # as canton_console/store/storage.py sets it
        conn.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")

        def commit_row(i):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO floor (id, body) VALUES (?, ?)", (i, FLOOR_PAYLOAD))
            conn.execute("COMMIT")
        return commit_row

    def quantiles(values):
        values = sorted(values)
        return {"p50": values[len(values) // 2], "p99": values[max(0, int(len(values) * 0.99) - 1)]}
    """
)

PING_CHILD = FLOOR + textwrap.dedent(
    """
    import json, sys, tempfile
    from pathlib import Path
    from canton_console.console.session import Session, load

    n = int(sys.argv[1])
    WARM_UP_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5
    with tempfile.TemporaryDirectory() as d:
        session = Session(load([], data_dir=Path(d)))
        session.start_nodes()
        session.bootstrap_default()
        console_p1 = session.console.namespace["participant1"]
        console_p2 = session.console.namespace["participant2"]
        commit_row = sqlite_committer(str(Path(d) / "floor.db"))  # the same disk as the nodes' files

        def console_ping():
            t0 = time.perf_counter()
            console_p1.health.ping(console_p2)  # as participant1.health.ping(participant2) runs
            return (time.perf_counter() - t0) * 1000

        # Warm-up: at least 20 pings and 1.5 s, so that what the nodes do once after start-up is not
        # counted as ping latency: each participant's first ACS commitment tick comes up to a second
        # after it connected (3-13 ms each, on the runtime thread: cold statement caches, first rows).
        warm_until = time.monotonic() + WARM_UP_SECONDS
        warm = 0
        while warm < 20 or time.monotonic() < warm_until:
            console_ping()
            floor_ms(commit_row)
            warm += 1
        pings, floors = [], []
        for _ in range(n):  # interleaved, so noise hits both alike
            pings.append(console_ping())
            floors.append(floor_ms(commit_row))
        session.close()
    print(json.dumps({"ping": quantiles(pings), "floor": quantiles(floors)}))
    """
)

PG_CHILD = FLOOR + textwrap.dedent(
    """
    import json, sys, tempfile, uuid
    from pathlib import Path
    import attrs, psycopg
    from canton_console.config.models import StorageConfig
    from canton_console.console.session import Session, load

    n = int(sys.argv[1])
    admin = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3)
    created = []

    def database():
        name = f"ccbench_{uuid.uuid4().hex[:10]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return name

    def on_postgres(nodes):
        return {
            name: attrs.evolve(c, storage=StorageConfig(type="postgres", server_name="127.0.0.1", port_number=5432,
                                                        database_name=database(), user="postgres", migrate_and_start=True))
            for name, c in nodes.items()
        }

    try:
        with tempfile.TemporaryDirectory() as d:
            config = load([], data_dir=Path(d))
            config = attrs.evolve(config, participants=on_postgres(config.participants),
                                  sequencers=on_postgres(config.sequencers), mediators=on_postgres(config.mediators))
            session = Session(config)
            session.start_nodes()
            session.bootstrap_default()
            console_p1 = session.console.namespace["participant1"]
            console_p2 = session.console.namespace["participant2"]
            floor_conn = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=database())
            floor_conn.execute("CREATE TABLE floor (id BIGINT PRIMARY KEY, body BYTEA NOT NULL)")
            floor_conn.commit()

            def commit_row(i):
                floor_conn.execute("INSERT INTO floor (id, body) VALUES (%s, %s)", (i, FLOOR_PAYLOAD))
                floor_conn.commit()

            def console_ping():
                t0 = time.perf_counter()
                console_p1.health.ping(console_p2)
                return (time.perf_counter() - t0) * 1000

            for _ in range(10):
                console_ping()
                floor_ms(commit_row)
            pings, floors = [], []
            for _ in range(n):
                pings.append(console_ping())
                floors.append(floor_ms(commit_row))
            floor_conn.close()
            session.close()
    finally:
        for name in created:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(json.dumps({"ping": quantiles(pings), "floor": quantiles(floors)}))
    """
)

THROUGHPUT_CHILD = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[3])
    from traffic_throughput import measure_with_floor
    print(json.dumps(measure_with_floor(int(sys.argv[1]), int(sys.argv[2]))))
    """
)

# Start-up until the default topology is ready (what `canton-console` does first), then close.
STARTUP_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from canton_console.console.session import Session, load
    session = Session(load([], data_dir=Path(sys.argv[1])))
    session.start_and_bootstrap_default()
    print("ready", flush=True)
    session.close()
    """
)

IMPORT_CHILD = textwrap.dedent(
    """
    import importlib, sys
    for name in sys.argv[1].split(","):
        try:
            importlib.import_module(name)
        except Exception:  # a module start-up imported under conditions this process lacks
            pass
    print("ready", flush=True)
    """
)

SATURATION_CHILD = textwrap.dedent(
    """
    import json, sys, tempfile, threading, time
    from concurrent.futures import FIRST_COMPLETED, wait
    from pathlib import Path
    from canton_console.console.session import Session, load

    seconds, in_flight, period_us = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    with tempfile.TemporaryDirectory() as d:
        session = Session(load([], data_dir=Path(d)))
        session.start_nodes()
        session.bootstrap_default()
        env = session.env
        participants = list(env.participants.values())
        pairs = [(a, b) for a in participants for b in participants if a is not b]
        scheduler, clock = env.scheduler, env.clock
        lateness_ms = []
        waiting = {}  # probe timers scheduled and not fired yet, by due time
        lock = threading.Lock()
        stop = threading.Event()

        # Probe timers, one due every period, each scheduled one period ahead from a thread of its
        # own (so a starved timer does not hold back the next probe); each records how late it
        # fired. The runtime itself is not changed.
        def probe(due):
            def fire():
                late = (clock.now() - due) / 1000
                with lock:
                    waiting.pop(due, None)
                    lateness_ms.append(late)
            with lock:
                waiting[due] = True
            scheduler.schedule_at(due, fire)

        def probing():
            due = clock.now() + period_us
            while not stop.is_set():
                probe(due)
                due += period_us
                time.sleep(max(0.0, (due - period_us - clock.now()) / 1e6))

        ping_ms, failed = [], 0
        started = {}
        k = 0

        def start_one():
            global k
            a, b = pairs[k % len(pairs)]
            k += 1
            state = env.call(a.start_ping, b.member_id)
            started[state.future] = time.perf_counter()

        for _ in range(in_flight):
            start_one()
        threading.Thread(target=probing, daemon=True).start()
        t0 = time.monotonic()
        rss_1min = None
        while time.monotonic() - t0 < seconds:
            done, _ = wait(list(started), timeout=1.0, return_when=FIRST_COMPLETED)
            for f in done:
                t = started.pop(f)
                if f.exception() is None:
                    ping_ms.append((time.perf_counter() - t) * 1000)
                else:
                    failed += 1
                start_one()
            if rss_1min is None and time.monotonic() - t0 >= 60:
                rss_1min = rss_mb()
        elapsed = time.monotonic() - t0
        rss_end = rss_mb()
        stop.set()
        # Probes still waiting that are due count with how late they are now (a starved timer may
        # never fire at all).
        now = clock.now()
        with lock:
            fired = len(lateness_ms)
            unfired = [(now - due) / 1000 for due in waiting if due < now]
            late = sorted(lateness_ms + unfired)
        wait(list(started), timeout=30)  # let the last pings finish before closing the nodes
        ping_ms.sort()
        result = {
            "seconds": elapsed,
            "rss_1min": rss_1min if rss_1min is not None else rss_end,
            "rss_end": rss_end,
            "late_p50": late[len(late) // 2], "late_p99": late[max(0, int(len(late) * 0.99) - 1)], "late_max": late[-1],
            "probes": fired, "unfired": len(unfired),
            "pings": len(ping_ms), "failed": failed,
            "ping_p50": ping_ms[len(ping_ms) // 2] if ping_ms else None,
            "ping_p99": ping_ms[max(0, int(len(ping_ms) * 0.99) - 1)] if ping_ms else None,
            "runtime_errors": len(scheduler.errors),
        }
        session.close()
    print(json.dumps(result))
    """
)


# ---- running children ---------------------------------------------------------------------------
def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with cached bytecode, as an installed console runs
    env["PYTHONPATH"] = str(REPO)
    return env


def run_json(code: str, *args: str, timeout: float = 1800) -> dict:
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=cwd, env=child_env(), capture_output=True, text=True, timeout=timeout
        )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed ({done.returncode}):\n{done.stdout}{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_until_ready(argv: list[str]) -> float:
    """Wall seconds from spawning ``argv`` until it prints ``ready`` (interpreter start included)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    _, err = proc.communicate(timeout=300)
    if line.strip() != "ready":
        raise SystemExit(f"start-up child did not get ready ({proc.returncode}):\n{line}{err[-4000:]}")
    return elapsed


# ---- the table ------------------------------------------------------------------------------------
class Row:
    """One figure against its floor over rounds; ``higher_is_better`` for rates (ratio >= target)."""

    def __init__(self, name: str, unit: str, figures: list[float], floors: list[float], target: float, floor_name: str,
                 higher_is_better: bool = False):
        self.name, self.unit, self.figures, self.floors = name, unit, figures, floors
        self.target, self.floor_name, self.higher_is_better = target, floor_name, higher_is_better

    @property
    def ratio(self) -> float:
        # Figure and floor of a round were measured side by side (interleaved): the median of the
        # rounds' ratios is steadier on a noisy machine than the ratio of the medians.
        return statistics.median(f / floor for f, floor in zip(self.figures, self.floors, strict=True))

    @property
    def met(self) -> bool:
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target


def fmt(values: list[float], unit: str) -> str:
    return f"{min(values):,.2f} / {statistics.median(values):,.2f} {unit}"


def print_table(rows: list[Row]) -> None:
    head = ("figure (min / median)", "floor (min / median)", "ratio", "target", "met?")
    lines = [(f"{r.name}: {fmt(r.figures, r.unit)}", f"{r.floor_name}: {fmt(r.floors, r.unit)}", f"{r.ratio:.2f}",
              (">= " if r.higher_is_better else "<= ") + f"{r.target:g}", "yes" if r.met else "NO") for r in rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    for line in [head, tuple("-" * w for w in widths), *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


# ---- the targets ----------------------------------------------------------------------------------
def target_ping(args) -> list[Row]:
    results = [run_json(PING_CHILD, str(args.pings), str(args.warm_up)) for _ in range(args.rounds)]
    return ping_rows("ping", "12 sqlite commits + 6 sign/verify", results)


def ping_rows(label: str, floor_name: str, results: list[dict]) -> list[Row]:
    p50 = [r["ping"]["p50"] for r in results]
    p99 = [r["ping"]["p99"] for r in results]
    return [
        Row(f"{label} p50", "ms", p50, [r["floor"]["p50"] for r in results], 3.0, f"{floor_name} p50"),
        Row(f"{label} p99", "ms", p99, p50, 2.0, f"{label} p50"),
    ]


def target_postgres(args) -> list[Row]:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError as e:
        print(f"postgres: skipped, nothing answers at 127.0.0.1:5432 ({e})")
        return []
    results = [run_json(PG_CHILD, str(args.pg_pings)) for _ in range(args.rounds)]
    return ping_rows("PostgreSQL ping", "12 psycopg commits + 6 sign/verify", results)[:1]


def target_throughput(args) -> list[Row]:
    results = [run_json(THROUGHPUT_CHILD, str(args.submissions), str(args.block), str(HERE)) for _ in range(args.rounds)]
    return [Row("sequenced submissions/s, traffic enforced", "/s", [r["rate"] for r in results],
                [r["floor_rate"] for r in results], 0.40, "raw sqlite3 batched inserts", higher_is_better=True)]


def startup_imports(data_dir: Path) -> tuple[list[str], float]:
    """The modules a start-up on ``data_dir`` imports, in order (``-X importtime``'s top-level lines:
    importing them imports everything start-up did), and the sum of their cumulative import time (s)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", STARTUP_CHILD, str(data_dir)], env=child_env(),
                          capture_output=True, text=True, timeout=300)
    names, total_us = [], 0
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if not name.startswith("  ") and name.strip() not in names:
                names.append(name.strip())
                total_us += int(parts[1])
    return names, total_us / 1e6


def build_big_store(empty: Path, big: Path, events: int) -> float:
    """Copy ``empty`` (a default topology's files) to ``big`` and store ``events`` sequenced events in
    sequencer1's database: the rows a ping stores (real batches, senders, recipients, costs) repeated,
    with timestamps before the oldest stored event, so they are history: no member's cursor is behind
    them and the sequencer's high-water mark is unchanged. Returns the seconds the build took."""
    started = time.perf_counter()
    shutil.copytree(empty, big)
    conn = sqlite3.connect(big / "sequencer1.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(cc_sequenced_events)")]
    # The last ping's 8 events are the template (the newest rows: start-up ran one ping).
    template = conn.execute("SELECT * FROM cc_sequenced_events ORDER BY timestamp DESC LIMIT 8").fetchall()
    oldest = conn.execute("SELECT MIN(timestamp) FROM cc_sequenced_events").fetchone()[0]
    ts_at, mid_at = columns.index("timestamp"), columns.index("message_id")
    marks = ",".join("?" * len(columns))
    sql = f"INSERT INTO cc_sequenced_events ({','.join(columns)}) VALUES ({marks})"
    chunk = 10_000
    for start in range(0, events, chunk):
        rows = []
        for i in range(start, min(events, start + chunk)):
            row = list(template[i % len(template)])
            row[ts_at] = oldest - events - 1 + i  # one microsecond apart, in the past
            row[mid_at] = f"{row[mid_at]}-h{i}"
            rows.append(row)
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def target_startup(args) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="cc-targets-") as tmp:
        tmp_dir = Path(tmp)
        empty = tmp_dir / "empty"
        empty.mkdir()
        startup = [sys.executable, "-c", STARTUP_CHILD]
        time_until_ready(startup + [str(empty)])  # creates the files and bootstraps
        # One ping so the store has the rows the big store repeats.
        subprocess.run([sys.executable, "-c", STARTUP_CHILD.replace('print("ready", flush=True)',
                        'session.step("participant1.health.ping(participant2)"); print("ready", flush=True)'),
                        str(empty)], env=child_env(), check=True, capture_output=True, timeout=300)
        names, import_sum = startup_imports(empty)
        print(f"startup: a start-up imports {len(names)} top-level modules ({', '.join(names)}); the sum of their cumulative import "
              f"times (-X importtime) is {import_sum:.3f} s")
        big = tmp_dir / "big"
        took = build_big_store(empty, big, args.events)
        size = sum(f.stat().st_size for f in big.iterdir()) / 2**20
        print(f"startup: built the store with {args.events:,} stored events in {took:.1f} s ({size:,.0f} MiB of files)")
        time_until_ready(startup + [str(big)])  # warm the page cache for both alike
        ready, imports, ready_big = [], [], []
        for _ in range(args.rounds):
            ready.append(time_until_ready(startup + [str(empty)]))
            imports.append(time_until_ready([sys.executable, "-c", IMPORT_CHILD, ",".join(names)]))
            ready_big.append(time_until_ready(startup + [str(big)]))
    return [
        Row("start-up, existing files", "s", ready, imports, 1.5, "process importing its modules"),
        Row(f"start-up, {args.events:,} events", "s", ready_big, ready, 1.1, "start-up, existing files"),
    ]


def target_saturation(args) -> list[Row]:
    seconds = args.minutes * 60
    r = run_json(SATURATION_CHILD, str(seconds), "10", str(args.probe_ms * 1000), timeout=seconds + 600)
    print(f"saturation: {r['seconds']:.0f} s with 10 pings in flight: {r['pings']} pings done ({r['failed']} failed), "
          f"ping p50 {r['ping_p50'] or 0:.1f} ms p99 {r['ping_p99'] or 0:.1f} ms; {r['probes']} probe timers fired, lateness p50 "
          f"{r['late_p50']:.2f} ms max {r['late_max']:.2f} ms; RSS {r['rss_1min']:.1f} MiB at 1 min, "
          f"{r['rss_end']:.1f} MiB at the end; runtime task errors {r['runtime_errors']}"
          + (f"; {r['unfired']} due probe timers had not fired at the end (counted with their lateness then)" if r["unfired"] else ""))
    return [
        Row(f"RSS at {args.minutes:g} min", "MiB", [r["rss_end"]], [r["rss_1min"]], 1.10,
            "RSS at 1 min" if seconds >= 60 else "RSS at the end (run under 1 min)"),
        Row("timer lateness p99", "ms", [r["late_p99"]], [50.0], 1.0, "50 ms bound"),
    ]


RUNNERS: dict[str, Callable] = {
    "ping": target_ping,
    "throughput": target_throughput,
    "startup": target_startup,
    "saturation": target_saturation,
    "postgres": target_postgres,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(TARGETS), help=f"comma-separated, of: {', '.join(TARGETS)}")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (fresh child processes) per target")
    parser.add_argument("--pings", type=int, default=200, help="SQLite pings (and floors) per round")
    parser.add_argument("--pg-pings", type=int, default=100, help="PostgreSQL pings (and floors) per round")
    parser.add_argument("--warm-up", type=float, default=1.5,
                        help="seconds of pings before the SQLite pings counted (at least 20 pings; 0: just those)")
    parser.add_argument("--submissions", type=int, default=20_000, help="submissions per throughput round")
    parser.add_argument("--block", type=int, default=100, help="submissions sequenced per block")
    parser.add_argument("--events", type=int, default=1_000_000, help="stored events of the big start-up store")
    parser.add_argument("--minutes", type=float, default=5.0, help="duration of the saturation run")
    parser.add_argument("--probe-ms", type=int, default=100, help="period of the saturation probe timers")
    args = parser.parse_args()
    chosen = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in RUNNERS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")

    import compileall

    compileall.compile_dir(str(REPO / "canton_console"), quiet=1)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"canton-console {commit or '?'} ({REPO}), {os.cpu_count()} cores, {args.rounds} rounds; figures as min / median")
    rows: list[Row] = []
    for name in chosen:
        started = time.perf_counter()
        rows += RUNNERS[name](args)
        print(f"[{name} took {time.perf_counter() - started:.0f} s]", flush=True)
    print()
    print_table(rows)
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
