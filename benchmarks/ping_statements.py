"""SQL statements and commits per ping on the default topology (SQLite), counted by SQLite itself
(the statement trace of every connection), and optionally those of another checkout.

    python benchmarks/ping_statements.py [--pings 100] [--other ../old-tree] [--top 12]

A child process per checkout: bootstrap, 20 warm-up pings, then ``--pings`` pings counted; prints
statements and commits per ping and the most frequent statements (their text without values).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import collections, json, re, sqlite3, sqlite3.dbapi2, sys, tempfile
    from pathlib import Path
    counting = [False]
    statements = collections.Counter()
    _connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = _connect(*args, **kwargs)
        def trace(sql):
            if counting[0]:
                text = " ".join(sql.split())
                text = re.sub(r"'[^']*'|\\b\\d+\\b", "?", text)  # values out: one line per statement shape
                statements[text[:110]] += 1
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = sqlite3.dbapi2.connect = connect
    from canton_console.console.session import Session, load
    from canton_console.runtime.scheduler import wait_future

    n = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        session = Session(load([], data_dir=Path(d)))
        session.start_nodes()
        session.bootstrap_default()
        env = session.env
        p1, p2 = env.participants["participant1"], env.participants["participant2"]
        for _ in range(20):
            wait_future(env.call(p1.start_ping, p2.member_id).future, 10)
        counting[0] = True
        for _ in range(n):
            wait_future(env.call(p1.start_ping, p2.member_id).future, 10)
        counting[0] = False
        session.close()
    print(json.dumps(dict(statements)))
    """
)


def count(tree: Path, n: int) -> dict[str, int]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n)], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=100)
    parser.add_argument("--other", type=Path, help="another checkout of canton-console to count beside this one")
    parser.add_argument("--top", type=int, default=12, help="most frequent statements to list")
    args = parser.parse_args()
    trees = {"this": HERE}
    if args.other is not None:
        trees["other"] = args.other.resolve()
    for name, tree in trees.items():
        statements = count(tree, args.pings)
        total = sum(statements.values())
        commits = sum(c for s, c in statements.items() if s.upper().startswith("COMMIT"))
        print(f"{name} ({tree}): {total / args.pings:.1f} statements and {commits / args.pings:.1f} commits per ping")
        for text, c in sorted(statements.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"  {c / args.pings:6.2f}  {text}")


if __name__ == "__main__":
    main()
