"""Shared fixtures: real sessions on real SQLite files, the real CLI in subprocesses, and
throwaway PostgreSQL databases where a server is reachable."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# pexpect starts the consoles under test with forkpty() from this process, where earlier tests
# initialized gRPC: with gRPC's fork support on, its fork handler restarts the poller in the child,
# which pexpect's closing of inherited descriptors then breaks (the child aborts before exec, with
# "epoll_wait error: Bad file descriptor", and the console never starts). Nothing here uses gRPC
# across a fork; the daemons the tests start inherit the setting and do not fork either.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

REPO = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("CANTON_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CANTON_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("CANTON_TEST_PG_USER", "postgres")


def _default_topology(data_dir: Path):
    """Canton's simple topology on SQLite files in ``data_dir``, started and bootstrapped."""
    from canton_console.console.session import Session, load

    session = Session(load([], data_dir=data_dir))
    session.start_nodes()
    session.bootstrap_default()
    return session


@pytest.fixture
def default_session(tmp_path):
    """Canton's simple topology on SQLite files in a temp dir, started and bootstrapped."""
    session = _default_topology(tmp_path)
    yield session
    session.close()


@pytest.fixture(scope="module")
def module_session(tmp_path_factory):
    """The same, shared by the tests of one module (for tests that only read, or clean up)."""
    session = _default_topology(tmp_path_factory.mktemp("data"))
    yield session
    session.close()


def open_session(config_text: str, tmp_path: Path, *, start: bool = True, bootstrap: bool = False, name: str = "test.conf"):
    """A session over a HOCON config written to tmp_path (relative sqlite files land there)."""
    from canton_console.config import load_config
    from canton_console.console.session import Session

    path = tmp_path / name
    path.write_text(config_text)
    session = Session(load_config([str(path)], base_dir=tmp_path))
    if start:
        session.start_nodes()
    if bootstrap:
        session.bootstrap_default()
    return session


def step_ok(session, source: str):
    """Run a step that must succeed; return its value."""
    outcome = session.step(source)
    assert not outcome.failed, outcome.output
    return outcome.value


def cli(*args: str, input: str | None = None, data_dir: Path | None = None, cwd: Path | None = None, timeout: float = 120, env: dict | None = None):
    """Run the real canton-console in a subprocess. Its log file goes to a temp dir unless the test
    names one (Canton's default, log/canton.log, is relative to the working directory)."""
    if not any(a.startswith("--log-file-name") for a in args):
        import tempfile

        args = ("--log-file-name", str(Path(tempfile.mkdtemp(prefix="canton-log-")) / "canton.log"), *args)
    environment = dict(os.environ)
    environment.pop("CANTON_CONSOLE_DATA", None)
    if data_dir is not None:
        environment["CANTON_CONSOLE_DATA"] = str(data_dir)
    environment["NO_COLOR"] = "1"
    if env:
        environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "canton_console", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=str(cwd or REPO),
        timeout=timeout,
        env=environment,
    )


def _pg_connect(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True, connect_timeout=3)


@pytest.fixture
def pg_databases():
    """A factory of throwaway PostgreSQL databases (dropped afterwards); skips without a server."""
    try:
        admin = _pg_connect()
    except Exception as e:  # noqa: BLE001 - no server here: the test does not apply
        pytest.skip(f"no PostgreSQL reachable at {PG_HOST}:{PG_PORT}: {e}")
    created: list[str] = []

    def make(prefix: str = "cc") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return name

    yield make
    for name in created:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def postgres_storage(database: str) -> str:
    return (
        "storage { type = postgres, config.properties { "
        f'serverName = "{PG_HOST}", portNumber = {PG_PORT}, databaseName = "{database}", user = "{PG_USER}", password = "" }} }}'
    )
