"""What makes the ping tail: p99 against p50 (issue 16: p99 <= 2x p50), and for each slow ping
(over twice the p50) what happened while it ran.

    python benchmarks/ping_tail.py [--pings 600] [--rounds 3]

Each round is a fresh child process on a default topology in a temp dir, running pings as
``benchmarks/targets.py`` does (``participant1.health.ping(participant2)``, each followed by the
floor's 12 sqlite commits and 6 signatures), and recording what ran meanwhile:

* WAL checkpoints of the stores (their fsyncs hold up commits on the same file system);
* garbage collections (generation and pause);
* runtime tasks other than sequencing flushes that ran over 1 ms (by name: a timer such as the
  commitments tick; a long flush is what a slow ping consists of, not why).

A slow ping with none of these was slowed by something outside the process (other processes on the
machine: CPU or disk). The figure is p99 / p50 per window of 200 pings (as the target takes it);
the floor of the tail is the same ratio of the 12-commit floor itself, measured interleaved: what
the machine's own noise gives a workload with no runtime at all.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHILD = """
import gc, json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import targets
from canton_console.runtime import scheduler as sch
from canton_console.store import checkpointer as ck
from canton_console.console.session import Session, load

pc = time.perf_counter
checkpoints, collections, tasks = [], [], []

real_checkpoint = ck.Checkpointer._checkpoint
def timed_checkpoint(self, action, seen):
    t = pc()
    try:
        return real_checkpoint(self, action, seen)
    finally:
        checkpoints.append((t, pc()))
ck.Checkpointer._checkpoint = timed_checkpoint

def on_gc(phase, info):
    if phase == "start":
        on_gc.t = pc()
    else:
        collections.append((on_gc.t, pc(), info["generation"]))
gc.callbacks.append(on_gc)

real_next = sch.Scheduler._next_task
def timed_next(self):
    task = real_next(self)
    if task is None:
        return None
    fn, args, future = task
    name = getattr(args[0], "__qualname__", "") if args and callable(args[0]) else getattr(fn, "__qualname__", repr(fn))
    def run(*a):
        t = pc()
        try:
            return fn(*a)
        finally:
            if pc() - t > 0.001:
                tasks.append((t, pc(), name))
    return (run, args, future)
sch.Scheduler._next_task = timed_next

ns = {}
exec(targets.FLOOR, ns)
n = int(sys.argv[1])
with tempfile.TemporaryDirectory() as d:
    session = Session(load([], data_dir=Path(d)))
    session.start_nodes()
    session.bootstrap_default()
    p1, p2 = session.console.namespace["participant1"], session.console.namespace["participant2"]
    commit_row = ns["sqlite_committer"](str(Path(d) / "floor.db"))
    for _ in range(20):
        p1.health.ping(p2)
        ns["floor_ms"](commit_row)
    checkpoints.clear(); collections.clear(); tasks.clear()
    pings, floors = [], []
    for _ in range(n):
        t0 = pc()
        p1.health.ping(p2)
        pings.append((t0, pc()))
        floors.append(ns["floor_ms"](commit_row))
    session.close()

def during(spans, a, b):
    return [s for s in spans if s[0] < b and s[1] > a]

durations = [(b - a) * 1000 for a, b in pings]
p50 = sorted(durations)[len(durations) // 2]
slow = []
for (a, b), ms in zip(pings, durations):
    if ms > 2 * p50:
        causes = []
        if during(checkpoints, a, b):
            causes.append("checkpoint")
        for _s, _e, gen in during(collections, a, b):
            causes.append(f"gc{gen}")
        for s, e, name in during(tasks, a, b):
            if name != "Synchronizer.flush":  # a long flush is the symptom, not the cause
                causes.append(f"{name} {1000 * (e - s):.1f}ms")
        slow.append((ms, causes))
print(json.dumps({"pings": durations, "floors": floors, "slow": slow, "checkpoints": len(checkpoints)}))
"""


def windows_ratio(values: list[float], size: int = 200) -> list[float]:
    """p99 / p50 of each window of ``size`` values, as the target takes them (3rd worst of 200)."""
    out = []
    for i in range(0, len(values) - size + 1, size):
        w = sorted(values[i : i + size])
        out.append(w[max(0, int(size * 0.99) - 1)] / w[size // 2])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    figures, floors = [], []
    causes: dict[str, int] = {}
    slow_total = 0
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as cwd:
            done = subprocess.run([sys.executable, "-c", CHILD, str(args.pings), str(HERE)], cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise SystemExit(f"child failed:\n{done.stdout}{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        ratio, floor_ratio = windows_ratio(result["pings"]), windows_ratio(result["floors"])
        figures += ratio
        floors += floor_ratio
        slow_total += len(result["slow"])
        for _ms, found in result["slow"]:
            for cause in found or ["none of these: other processes (CPU, disk)"]:
                key = cause.split(" ")[0] if cause.endswith("ms") else cause
                causes[key] = causes.get(key, 0) + 1
        print(f"round {r + 1}: ping p99/p50 per 200 {', '.join(f'{x:.2f}' for x in ratio)}; floor's {', '.join(f'{x:.2f}' for x in floor_ratio)}; "
              f"{len(result['slow'])} slow pings, {result['checkpoints']} checkpoints")
    print(f"ping p99/p50: {min(figures):.2f} / {statistics.median(figures):.2f} (min / median over windows; target <= 2); the floor's own "
          f"p99/p50: {min(floors):.2f} / {statistics.median(floors):.2f}")
    print(f"{slow_total} pings over twice the p50; what ran during them (a ping may count under several):")
    for cause, count in sorted(causes.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5d}  {cause}")


if __name__ == "__main__":
    main()
