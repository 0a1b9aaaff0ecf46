"""Cross-process ping of two code trees side by side: both every-node-apart set-ups alive at once,
pings alternating between them, so that what else the machine does at a moment hits both alike.

    python benchmarks/cross_process_paired.py TREE_A TREE_B [--pings 300] [--env-b K=V;K=V]

A tree is a checkout of canton-console (e.g. ``git worktree add`` or ``git archive`` of a commit);
each set-up runs its tree's ``cross_process_ping.every_node_apart`` layout (sequencer1, mediator1 and
participant2 in daemons, participant1 in a driver process). ``--env-a``/``--env-b`` add environment
variables to one side. Printed per side: p10, p25, p50 and mean latency, and CPU per ping summed over
its four processes; then how often B was faster in a pair and the median of B/A per pair. On a
shared machine rounds run one after the other differ by more than most changes; pairs do not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

# One set-up, driven over stdin: "ping" -> "MS <latency>", "cpu" -> "CPU <seconds>", anything else ends it.
# It lays the nodes out as cross_process_ping.every_node_apart_round does, with that module's helpers
# only (Daemon, session_of, step, ...), so that it runs against older trees too.
DRIVER = r"""
import os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, os.path.join(os.environ["PYTHONPATH"], "benchmarks"))
import cross_process_ping as b

with tempfile.TemporaryDirectory() as d:
    tmp = Path(d)
    public, seq_admin, med_admin = b.free_port(), b.free_port(), b.free_port()
    url = f"http://127.0.0.1:{public}"
    seq_conf = f'canton {{ sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {public}, admin-api.port = {seq_admin} }} }}\n'
    med_conf = f'canton {{ mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/med1.db" }}, admin-api.port = {med_admin} }} }}\n'
    daemons = [b.Daemon(tmp, "sequencer", seq_conf, ""), b.Daemon(tmp, "mediator", med_conf, "")]
    session = None
    try:
        for daemon in daemons:
            daemon.line("canton-console daemon running")
        remote = [
            f"remote-sequencers.sequencer1 {{ admin-api {{ address = 127.0.0.1, port = {seq_admin} }}, public-api {{ address = 127.0.0.1, port = {public} }} }}",
            f"remote-mediators.mediator1 {{ admin-api {{ address = 127.0.0.1, port = {med_admin} }} }}",
        ]
        session = b.session_of(tmp, [b.node_block("participants", "participant1", tmp), *remote])
        b.step(session, b.BOOTSTRAP)
        p2_conf = "canton {\n  " + b.node_block("participants", "participant2", tmp) + "\n}\n"
        p2_boot = f'participant2.synchronizers.connect("da", "{url}")\nprintln("participant-id " + participant2.id.toProtoPrimitive)\n'
        participant2 = b.Daemon(tmp, "participant2", p2_conf, p2_boot)
        daemons.append(participant2)
        p2_id = participant2.line("participant-id ").split()[1]
        b.step(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        ping = f'participant1.health.ping("{p2_id}")'
        for _ in range(10):
            b.step(session, ping)
        pids = (None, *[d.proc.pid for d in daemons])
        print("READY", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "cpu":
                print("CPU", sum(b.cpu_seconds(p) for p in pids), flush=True)
            elif command == "ping":
                t0 = time.perf_counter()
                b.step(session, ping)
                print("MS", (time.perf_counter() - t0) * 1000, flush=True)
            else:
                break
    finally:
        if session is not None:
            session.close()
        for daemon in reversed(daemons):
            daemon.stop()
"""


class Side:
    def __init__(self, tree: str, extra_env: str):
        self.name = tree + (f" [{extra_env}]" if extra_env else "")
        env = dict(os.environ, PYTHONPATH=tree)
        if extra_env:
            env.update(dict(kv.split("=", 1) for kv in extra_env.split(";")))
        self.proc = subprocess.Popen([sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=tree)
        self.latencies: list[float] = []

    def ask(self, command: str, answer: str) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"{self.name}: the driver ended before answering {answer}")
            if line.startswith(answer):
                rest = line[len(answer) :].strip()
                return float(rest) if rest else 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("stop\n")
            self.proc.stdin.flush()
            self.proc.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree_a")
    parser.add_argument("tree_b")
    parser.add_argument("--pings", type=int, default=300)
    parser.add_argument("--env-a", default="")
    parser.add_argument("--env-b", default="")
    args = parser.parse_args()
    sides = [Side(args.tree_a, args.env_a), Side(args.tree_b, args.env_b)]
    try:
        for side in sides:
            side.ask("", "READY")
        cpu_before = [side.ask("cpu", "CPU ") for side in sides]
        for i in range(args.pings):
            for side in sides if i % 2 == 0 else reversed(sides):
                side.latencies.append(side.ask("ping", "MS "))
        cpu_after = [side.ask("cpu", "CPU ") for side in sides]
    finally:
        for side in sides:
            side.stop()
    for side, before, after in zip(sides, cpu_before, cpu_after):
        q = sorted(side.latencies)
        print(
            f"{side.name}: p10 {q[len(q) // 10]:.2f}  p25 {q[len(q) // 4]:.2f}  p50 {statistics.median(q):.2f}  mean {statistics.mean(q):.2f} ms"
            f"   CPU per ping (its 4 processes) {(after - before) * 1000 / args.pings:.2f} ms"
        )
    a, b = (side.latencies for side in sides)
    faster = sum(1 for x, y in zip(a, b) if y < x)
    print(f"B faster in {faster} of {args.pings} pairs; median of B/A per pair: {statistics.median(y / x for x, y in zip(a, b)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
