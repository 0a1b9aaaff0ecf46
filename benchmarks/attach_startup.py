"""Start-up of the embedded default console now that it holds its data directory and serves its nodes'
admin APIs for other consoles (``canton_console.api.attach``), side by side with a tree without that.

    python benchmarks/attach_startup.py --baseline /path/to/other/checkout [--runs 7]

Per tree, interleaved run by run, on an existing data directory: (b) wall time until the first ``@``
prompt in a pseudo-terminal, and (p) until a piped ``println`` answers. For this tree also: how long
after the prompt the admin APIs are published (the endpoints file appears), and an attaching
console's time to its first answer. Prints min / median per figure and this tree's median over the
baseline's (the floor).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PROMPT = re.compile(r"(^|\n)@( |\n|$)")
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def env_for(tree: Path, data: Path, home: Path) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PYTHONPATH=str(tree), CANTON_CONSOLE_DATA=str(data), CANTON_CONSOLE_HISTORY=str(home / "history"), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1")
    return env


def command(home: Path) -> list[str]:
    return [sys.executable, "-m", "canton_console", "--log-file-name", str(home / "canton.log")]


def time_prompt(tree: Path, data: Path, home: Path, published: Path | None = None) -> tuple[float, float | None]:
    """Seconds to the first prompt; and, when ``published`` is given, to that file's appearing."""
    import pexpect

    cmd = command(home)
    started = time.perf_counter()
    child = pexpect.spawn(cmd[0], cmd[1:], env=env_for(tree, data, home), cwd=str(home), dimensions=(40, 120), encoding="utf-8", codec_errors="replace")
    seen = ""
    try:
        while not PROMPT.search(seen):
            try:
                seen += ANSI.sub("", child.read_nonblocking(65536, timeout=60)).replace("\r", "")
            except pexpect.EOF:
                raise SystemExit(f"{tree}: the console ended before its prompt:\n{seen}") from None
        prompt = time.perf_counter() - started
        serving = None
        if published is not None:
            while not published.exists():
                if time.perf_counter() - started > 60:
                    raise SystemExit("the admin APIs were never published")
                time.sleep(0.005)
            serving = time.perf_counter() - started
        child.sendeof()
        child.expect(pexpect.EOF, timeout=60)
    finally:
        if child.isalive():
            child.terminate(force=True)
    return prompt, serving


def time_piped(tree: Path, data: Path, home: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(command(home), env=env_for(tree, data, home), cwd=str(home), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write('println("ready")\n')
    proc.stdin.flush()
    for line in proc.stdout:
        if line.strip() == "ready":
            break
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    proc.wait(timeout=60)
    return elapsed


def time_attach(tree: Path, data: Path, home: Path) -> float:
    """An attaching console's start to its first answer, while a piped console holds ``data``."""
    holder = subprocess.Popen(command(home), env=env_for(tree, data, home), cwd=str(home), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        endpoints = data / "canton-console.endpoints.json"
        while not endpoints.exists():
            time.sleep(0.01)
        started = time.perf_counter()
        done = subprocess.run(command(home), env=env_for(tree, data, home), cwd=str(home), input='println("ready")\n', capture_output=True, text=True, timeout=60)
        elapsed = time.perf_counter() - started
        if "Attached" not in done.stdout or "ready" not in done.stdout:
            raise SystemExit(f"the second console did not attach:\n{done.stdout}{done.stderr}")
        return elapsed
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def line(label: str, times: list[float], floor: list[float] | None = None) -> str:
    text = f"{label:<46} min {min(times):.3f} s  median {statistics.median(times):.3f} s"
    if floor:
        text += f"  (baseline min {min(floor):.3f} median {statistics.median(floor):.3f}; ratio of medians {statistics.median(times) / statistics.median(floor):.2f})"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of canton-console without the attach hold, for the floor")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    trees = [("this", HERE)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    with tempfile.TemporaryDirectory(prefix="cc-attach-bench-") as tmp:
        home = Path(tmp)
        results: dict[str, dict[str, list[float]]] = {name: {"prompt": [], "piped": [], "serving": []} for name, _ in trees}
        for name, tree in trees:
            data = home / f"data-{name}"
            subprocess.run(command(home) + ["run", os.devnull], env=env_for(tree, data, home), cwd=str(home), check=True, capture_output=True)  # create it
        for _ in range(args.runs):
            for name, tree in trees:
                data = home / f"data-{name}"
                published = data / "canton-console.endpoints.json" if name == "this" else None
                prompt, serving = time_prompt(tree, data, home, published)
                results[name]["prompt"].append(prompt)
                if serving is not None:
                    results[name]["serving"].append(serving - prompt)
                results[name]["piped"].append(time_piped(tree, data, home))
        attach = [time_attach(HERE, home / "data-this", home) for _ in range(max(3, args.runs // 2))]
        base = results.get("baseline")
        print(f"canton-console start-up with the data directory hold ({os.cpu_count()} cores), {args.runs} runs, existing data dir")
        print(line("(b) first prompt (pty)", results["this"]["prompt"], base["prompt"] if base else None))
        print(line("(p) piped, first answer", results["this"]["piped"], base["piped"] if base else None))
        print(line("admin APIs published, after the prompt", results["this"]["serving"]))
        print(line("attaching console, start to first answer", attach))
    return 0


if __name__ == "__main__":
    sys.exit(main())
