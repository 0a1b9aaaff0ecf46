"""Start-up times of ``canton-console`` on the embedded default topology.

    python benchmarks/startup.py [--runs 5] [--profile]

(a) wall time of ``canton-console run <script>`` (one ping) with a fresh data dir and with an
    existing one; (b) wall time until the first ``@`` prompt is drawn in a pseudo-terminal. Medians of
    ``--runs`` runs. Targets: run under 1 s, first prompt under 1.5 s.

``--profile`` adds where the time goes: ``python -X importtime`` (the slowest imports) and cProfile of
one ``run`` with an existing data dir (the most expensive functions, cumulative).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = "participant1.health.ping(participant2)\n"
TARGET_RUN = 1.0
TARGET_PROMPT = 1.5


def command() -> list[str]:
    beside = Path(sys.executable).parent / "canton-console"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("canton-console")
    return [found] if found else [sys.executable, "-m", "canton_console.cli"]


def env_for(data: Path, home: Path) -> dict:
    env = dict(os.environ)
    # Measure as an installed console runs: with its bytecode cached (a sandbox may disable that).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        CANTON_CONSOLE_DATA=str(data),
        CANTON_CONSOLE_HISTORY=str(home / "history"),
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    return env


def compile_bytecode() -> None:
    """Write the package's bytecode once, as pip does on install, so runs do not compile sources."""
    import compileall

    import canton_console

    compileall.compile_dir(str(Path(canton_console.__file__).parent), quiet=1)


def time_run(script: Path, data: Path, home: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command() + ["run", str(script)], env=env_for(data, home), capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"canton-console run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


PROMPT = re.compile(r"(^|\n)@( |\n|$)")
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def time_prompt(data: Path, home: Path) -> float:
    import pexpect

    cmd = command()
    started = time.perf_counter()
    child = pexpect.spawn(cmd[0], cmd[1:], env=env_for(data, home), dimensions=(40, 120), encoding="utf-8", codec_errors="replace")
    seen = ""
    try:
        while True:
            try:
                seen += ANSI.sub("", child.read_nonblocking(65536, timeout=30)).replace("\r", "")
            except pexpect.EOF:
                raise SystemExit(f"canton-console ended before its prompt:\n{seen}") from None
            if PROMPT.search(seen):
                elapsed = time.perf_counter() - started
                break
        child.sendeof()
        child.expect(pexpect.EOF, timeout=30)
    finally:
        if child.isalive():
            child.terminate(force=True)
    return elapsed


def report(label: str, times: list[float], target: float) -> None:
    median = statistics.median(times)
    verdict = "ok" if median < target else "OVER TARGET"
    runs = " ".join(f"{t:.2f}" for t in times)
    print(f"{label:<42} median {median:.2f} s  (target < {target:.1f} s: {verdict})  runs: {runs}")


def profile(script: Path, data: Path, home: Path) -> None:
    print("\n== python -X importtime of one `run` (existing data dir), top-level imports, cumulative ms ==")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "canton_console.cli", "run", str(script)],
        env=env_for(data, home),
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            if depth <= 2:
                rows.append((int(parts[1]), name))
    total = sum(c for c, n in rows if not n.startswith("  "))
    print(f"  {total / 1000:8.1f}  (all imports)")
    for cumulative, name in sorted(rows, reverse=True)[:20]:
        print(f"  {cumulative / 1000:8.1f}  {name}")
    print("\n== import of the interactive front end (ptpython, prompt_toolkit, the console's repl) ==")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import canton_console.console.repl"], capture_output=True, text=True)
    last = [line for line in done.stderr.splitlines() if line.rstrip().endswith("| canton_console.console.repl")]
    print("  " + (last[-1].split("|")[1].strip() + " us" if last else "?"))
    print("\n== cProfile of `canton-console run` (existing data dir): top 20 by cumulative time ==")
    out = home / "run.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "canton_console.cli", "run", str(script)],
        env=env_for(data, home),
        capture_output=True,
        check=True,
    )
    import pstats

    pstats.Stats(str(out)).sort_stats("cumulative").print_stats(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        tmp = Path(tmp)
        script = tmp / "ping.canton"
        script.write_text(SCRIPT)
        print(f"canton-console start-up ({os.cpu_count()} cores, {' '.join(command())}); script: {SCRIPT.strip()}")

        fresh = [time_run(script, tmp / f"fresh-{i}", tmp) for i in range(args.runs)]
        existing_dir = tmp / "existing"
        time_run(script, existing_dir, tmp)  # create it
        existing = [time_run(script, existing_dir, tmp) for _ in range(args.runs)]
        report("(a) run <script>, fresh data dir", fresh, TARGET_RUN)
        report("(a) run <script>, existing data dir", existing, TARGET_RUN)

        prompt_fresh = [time_prompt(tmp / f"prompt-{i}", tmp) for i in range(args.runs)]
        prompt_existing = [time_prompt(existing_dir, tmp) for _ in range(args.runs)]
        report("(b) first prompt, fresh data dir", prompt_fresh, TARGET_PROMPT)
        report("(b) first prompt, existing data dir", prompt_existing, TARGET_PROMPT)

        if args.profile:
            profile(script, existing_dir, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
