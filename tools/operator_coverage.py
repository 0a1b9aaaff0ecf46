"""Which of the Canton 3.3 operator commands in the reference list exist in this console.

Usage: python tools/operator_coverage.py [LIST] [--group G ...] [--missing]

LIST defaults to ../shared/reference/canton33-operator-commands.txt (``group|p.path.to.command``).
``p``, ``s`` and ``m`` stand for participant1, sequencer1 and mediator1; a bare path is top level.
A command exists when every step of its path is a command group or command of the console
(nothing is called). Prints one line per command and a count per group.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LIST = HERE.parent.parent / "shared" / "reference" / "canton33-operator-commands.txt"


def resolve(console, path: str) -> bool:
    from canton_console.console.framework import commands_of, groups_of

    head, *rest = path.split(".")
    name = {"p": "participant1", "s": "sequencer1", "m": "mediator1"}.get(head, head)
    if name not in console.namespace:
        return False
    obj = console.namespace[name]
    for i, step in enumerate(rest):
        last = i == len(rest) - 1
        if step in groups_of(obj):
            obj = getattr(obj, step)
            continue
        if step in commands_of(obj):
            if last:
                return True
            try:
                obj = getattr(obj, step)  # a command property (``p.id.adminParty``)
            except Exception:
                return False
            continue
        if last and hasattr(type(obj), step):  # a property that needs a running node to answer
            return True
        try:
            obj = getattr(obj, step)
        except Exception:
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list", nargs="?", default=str(DEFAULT_LIST))
    parser.add_argument("--group", action="append", default=[])
    parser.add_argument("--missing", action="store_true", help="print only the missing commands")
    opts = parser.parse_args()
    os.environ.setdefault("CANTON_CONSOLE_DATA", tempfile.mkdtemp(prefix="cc-coverage-"))
    from canton_console.console.session import Session, in_memory, load

    session = Session(in_memory(load()))
    session.start_and_bootstrap_default()  # so that properties like ``p.id`` have a value to look into
    console = session.console
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in Path(opts.list).read_text().splitlines():
        if "|" not in line:
            continue
        group, path = line.split("|", 1)
        if opts.group and group not in opts.group:
            continue
        ok = resolve(console, path)
        counts[group][0] += ok
        counts[group][1] += 1
        if not (opts.missing and ok):
            print(f"{'yes' if ok else 'NO '}  {group:28} {path}")
    print()
    for group, (found, total) in counts.items():
        print(f"{group:28} {found:3}/{total}")
    print(f"{'all':28} {sum(c[0] for c in counts.values()):3}/{sum(c[1] for c in counts.values())}")
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
