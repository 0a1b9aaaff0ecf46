"""Ping latency through the console's command path against its floor, the runtime's own ping, and
optionally against another checkout of canton-console, measured in the same run.

    python benchmarks/ping_paths.py                      # this checkout: console path vs runtime ping
    python benchmarks/ping_paths.py --other ../old-tree  # and the same figures of another checkout

Each round runs a fresh child process per checkout (cached bytecode, SQLite files in a temp dir):
warm-up, then N pings issued the way `participant1.health.ping(participant2)` is (the console command
through the admin services) interleaved with N pings started on the runtime directly. Rounds
alternate between the checkouts, so machine noise hits both alike; min and median over rounds are
printed for p50 and p99, with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import json, statistics, sys, tempfile, time
    from pathlib import Path
    from canton_console.console.session import Session, load
    from canton_console.runtime.scheduler import wait_future

    n = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        session = Session(load([], data_dir=Path(d)))
        session.start_nodes()
        session.bootstrap_default()
        env = session.env
        p1, p2 = env.participants["participant1"], env.participants["participant2"]
        console_p1 = session.console.namespace["participant1"]
        console_p2 = session.console.namespace["participant2"]

        def runtime_ping():
            t0 = time.perf_counter()
            wait_future(env.call(p1.start_ping, p2.member_id).future, 10)
            return (time.perf_counter() - t0) * 1000

        def console_ping():
            t0 = time.perf_counter()
            console_p1.health.ping(console_p2)
            return (time.perf_counter() - t0) * 1000

        for _ in range(20):
            runtime_ping()
            console_ping()
        samples = {"runtime": [], "console": []}
        for _ in range(n):
            samples["runtime"].append(runtime_ping())
            samples["console"].append(console_ping())
        session.close()

    def p(values, q):
        values = sorted(values)
        return values[max(0, int(len(values) * q) - 1)]

    print(json.dumps({k: {"p50": statistics.median(v), "p99": p(v, 0.99)} for k, v in samples.items()}))
    """
)


def run_child(tree: Path, n: int) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(tree)
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n)], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> str:
    return f"min {min(values):6.2f} ms  median {statistics.median(values):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pings", type=int, default=200, help="pings per path and round")
    parser.add_argument("--other", type=Path, help="another checkout of canton-console to measure beside this one")
    args = parser.parse_args()

    import compileall

    trees = {"this": HERE}
    if args.other is not None:
        trees["other"] = args.other.resolve()
    for tree in trees.values():
        compileall.compile_dir(str(tree / "canton_console"), quiet=1)
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            results[name].append(run_child(tree, args.pings))
    for name, tree in trees.items():
        print(f"{name} ({tree}), {args.rounds} rounds of {args.pings} pings per path:")
        for quantile in ("p50", "p99"):
            console = [r["console"][quantile] for r in results[name]]
            floor = [r["runtime"][quantile] for r in results[name]]
            ratio = statistics.median(c / f for c, f in zip(console, floor, strict=True))
            print(f"  console command {quantile}: {summary(console)}")
            print(f"  runtime ping    {quantile}: {summary(floor)}   (floor; median ratio {ratio:.2f})")
    if "other" in trees:
        for quantile in ("p50", "p99"):
            this = statistics.median(r["console"][quantile] for r in results["this"])
            other = statistics.median(r["console"][quantile] for r in results["other"])
            print(f"console command {quantile}, this / other: {this / other:.2f}")


if __name__ == "__main__":
    main()
