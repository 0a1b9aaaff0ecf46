"""Runtime figures: time from process start to a bootstrapped default topology (imports included),
and ping latency p50/p99 over 200 pings.

    python benchmarks/runtime.py            # prints the figures
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

STARTUP = textwrap.dedent(
    """
    import time, sys
    t0 = time.perf_counter()
    from canton_console.console.session import Session, load
    from pathlib import Path
    session = Session(load([], data_dir=Path(sys.argv[1])))
    session.start_and_bootstrap_default()  # what `canton-console` does on the default topology
    t1 = time.perf_counter()
    print(t1 - t0)
    session.close()
    """
)


def ready_time(data_dir: str) -> float:
    """Wall time from spawning the process until it reports the topology ready (includes interpreter start)."""
    import time

    start = time.perf_counter()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with cached bytecode, as an installed console runs
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys,time\n" + STARTUP.replace("print(t1 - t0)", "print('ready', flush=True)"), data_dir],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait()
    assert line.strip() == "ready", line
    return elapsed


def ping_latency(n: int = 200) -> tuple[float, float]:
    from pathlib import Path

    from canton_console.console.session import Session, load
    from canton_console.runtime.scheduler import wait_future

    with tempfile.TemporaryDirectory() as d:
        session = Session(load([], data_dir=Path(d)))
        session.start_nodes()
        session.bootstrap_default()
        env = session.env
        p1, p2 = env.participants["participant1"], env.participants["participant2"]
        for _ in range(20):  # warm-up
            wait_future(env.call(p1.start_ping, p2.member_id).future, 10)
        samples = []
        for _ in range(n):
            state = env.call(p1.start_ping, p2.member_id)
            samples.append(wait_future(state.future, 10) * 1000)
        session.close()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    import compileall

    import canton_console

    compileall.compile_dir(os.path.dirname(canton_console.__file__), quiet=1)
    fresh, existing = [], []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as d:
            fresh.append(ready_time(d))
            existing.append(ready_time(d))
    print(f"bootstrapped default topology, fresh SQLite files:    median {statistics.median(fresh):.3f} s (target < 0.8 s)")
    print(f"bootstrapped default topology, existing SQLite files: median {statistics.median(existing):.3f} s (target < 0.8 s)")
    p50, p99 = ping_latency()
    print(f"ping latency over 200 pings: p50 {p50:.2f} ms (target < 5 ms), p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
