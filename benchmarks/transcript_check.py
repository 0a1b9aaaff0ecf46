"""Wall time of `canton-console transcript check` on the founding traffic transcript, start-up
included (target: under 2 s). Prints the median of 5 runs.

    python benchmarks/transcript_check.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

TRANSCRIPT = Path(__file__).resolve().parent.parent / "tests" / "transcripts" / "sequencer-traffic-management.txt"


def main(runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "canton_console", "transcript", "check", str(TRANSCRIPT)], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"the transcript check failed:\n{result.stdout}")
    print(f"transcript check of {TRANSCRIPT.name}: median {statistics.median(times):.3f} s over {runs} runs (target < 2 s)")


if __name__ == "__main__":
    main()
