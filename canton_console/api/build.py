"""Write the ``admin_*.proto`` files from the service interfaces (:mod:`canton_console.api.protogen`)
and generate the Python modules of ``canton_console/api/proto/*.proto`` (messages, gRPC stubs, type
stubs) with grpcio-tools, reproducibly: the same inputs and grpcio-tools series give the same bytes.

``python -m canton_console.api.build`` writes them beside the ``.proto`` files; ``--check`` writes
them to a temporary directory and fails when a checked-in module differs (CI runs it).
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parent / "proto"
# The directory that holds the ``canton_console`` package: the include root, so the generated
# modules import each other as ``canton_console.api.proto.x_pb2``.
ROOT = PROTO_DIR.parents[2]
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.glob("*.proto"))


def generated_names() -> list[str]:
    return [p.stem + suffix for p in proto_files() for suffix in SUFFIXES]


def generate(out_root: Path) -> None:
    """Run protoc over every .proto file, writing under ``out_root`` (a tree like ROOT)."""
    from grpc_tools import protoc  # a build-time dependency (the test extra), not a runtime one

    include = Path(protoc.__file__).resolve().parent / "_proto"
    files = [str(p.relative_to(ROOT)) for p in proto_files()]
    if not files:
        return
    args = ["protoc", f"-I{ROOT}", f"-I{include}", f"--python_out={out_root}", f"--pyi_out={out_root}", f"--grpc_python_out={out_root}", *files]
    status = protoc.main(args)
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}")


def stale_protos() -> list[str]:
    """The ``admin_*.proto`` files that differ from what the service interfaces say (or are left over)."""
    from canton_console.api.protogen import rendered

    files = rendered()
    stale = [name for name, text in files.items() if not (PROTO_DIR / name).exists() or (PROTO_DIR / name).read_text() != text]
    stale += sorted(p.name for p in PROTO_DIR.glob("admin_*.proto") if p.name not in files)
    return stale


def write_protos() -> None:
    from canton_console.api.protogen import rendered

    files = rendered()
    for p in PROTO_DIR.glob("admin_*.proto"):
        if p.name not in files:
            p.unlink()
    for name, text in files.items():
        (PROTO_DIR / name).write_text(text)


def stale_modules() -> list[str]:
    """The generated modules whose checked-in copy is missing or differs from a fresh generation."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / PROTO_DIR.relative_to(ROOT)).mkdir(parents=True)
        generate(out)
        fresh_dir = out / PROTO_DIR.relative_to(ROOT)
        stale = []
        for name in generated_names():
            fresh, current = fresh_dir / name, PROTO_DIR / name
            if not current.exists() or not filecmp.cmp(fresh, current, shallow=False):
                stale.append(name)
        known = set(generated_names())
        stale += sorted(p.name for p in PROTO_DIR.iterdir() if p.name.endswith(SUFFIXES) and p.name not in known)
        return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m canton_console.api.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a checked-in generated module is not current")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_protos() + stale_modules()
        if stale:
            sys.stderr.write("generated modules not current (run python -m canton_console.api.build): " + ", ".join(stale) + "\n")
            return 1
        print(f"{len(generated_names())} generated modules current")
        return 0
    write_protos()
    for p in PROTO_DIR.iterdir():
        if p.name.endswith(SUFFIXES):
            p.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        for name in generated_names():
            shutil.copyfile(out / PROTO_DIR.relative_to(ROOT) / name, PROTO_DIR / name)
    print(f"wrote {len(generated_names())} modules in {PROTO_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
