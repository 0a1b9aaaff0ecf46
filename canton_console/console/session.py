"""A console session: the environment, its console namespace, the interpreter, and (optionally) a
recording of every step as a transcript. The CLI's modes and the transcript checker all use it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from canton_console.console.interpreter import Interpreter, Outcome
from canton_console.console.namespace import Console


def data_home() -> Path:
    """Where the embedded default topology keeps its SQLite files."""
    explicit = os.environ.get("CANTON_CONSOLE_DATA")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "canton-console" / "simple-topology"


def load(config_files: Iterable[str] = (), overrides: Iterable[str] = (), *, data_dir: Path | None = None):
    from canton_console.config import default_config, load_config

    config_files = list(config_files)
    if not config_files:
        if overrides:
            return load_config([], list(overrides), base_dir=data_dir or data_home())
        return default_config(data_dir or data_home())
    return load_config(config_files, list(overrides))


def in_memory(config):
    """The same topology with every node's storage in memory (throwaway runs, transcripts)."""
    from canton_console.config.models import StorageConfig

    def mem(nodes):
        return {n: attrs.evolve(c, storage=StorageConfig(type="memory")) for n, c in nodes.items()}

    return attrs.evolve(config, participants=mem(config.participants), sequencers=mem(config.sequencers), mediators=mem(config.mediators))


def with_parameters(config, **changes):
    return attrs.evolve(config, parameters=attrs.evolve(config.parameters, **changes))


class Recorder:
    """Writes the steps of an interactive session as a Markdown transcript that ``transcript check``
    passes: every step with what it printed. A failing step's output always has its failure line
    (``ERROR ...``, ``Error: ...``: the interpreter guarantees it), which is how a transcript says
    the step must fail. ``configs``
    and ``clock`` (set before the first step) become directives, so the check runs the same nodes on
    the same kind of clock."""

    def __init__(self, path: str | os.PathLike, syntax: str, configs: Iterable[str] = (), clock: str | None = None):
        self.path = Path(path)
        self.syntax = syntax
        self.configs = list(configs)
        self.clock = clock  # "wall" or "sim": the session's clock, so the check runs on the same kind
        self.fh = open(self.path, "w", encoding="utf-8")
        self._started = False

    def _header(self) -> None:
        if self._started:
            return
        self._started = True
        self.fh.write("# Recorded canton-console session\n\n")
        items = []
        for config in self.configs:
            items.append(f"config={self._relative(config)}")
        if self.syntax != "auto":
            items.append(f"syntax={self.syntax}")
        if self.clock:
            items.append(f"clock={self.clock}")
        if items:
            self.fh.write(f"<!-- canton-console: {', '.join(items)} -->\n\n")
        self.fh.write("```\n")
        self.fh.flush()

    def _relative(self, config: str) -> str:
        target = Path(config).resolve()
        try:
            return os.path.relpath(target, self.path.resolve().parent)
        except ValueError:  # another drive
            return str(target)

    def record(self, command: str, outcome: Outcome) -> None:
        self._header()
        lines = command.rstrip("\n").splitlines() or [""]
        self.fh.write(f"@ {lines[0]}\n")
        for line in lines[1:]:
            self.fh.write(f"  {line}\n")
        output = outcome.output.rstrip("\n")
        shown = [line.rstrip() for line in output.split("\n")] if output else []
        if shown:
            self.fh.write("\n".join(line if line.strip() else "" for line in shown) + "\n")
        self.fh.flush()

    def close(self) -> None:
        self._header()
        self.fh.write("```\n")
        self.fh.close()


class Session:
    def __init__(self, config, *, syntax: str = "auto", debug: bool = False, record: str | None = None, width: int = 80):
        # The composition root: the runtime and its in-process admin services, bound to a console.
        from canton_console.runtime.environment import Environment
        from canton_console.runtime.services import LocalConsoleAdmin

        self.config = config
        self.env = Environment(config)
        self.admin: Any = LocalConsoleAdmin(self.env)
        self.local_admin: Any = self.admin  # this process's nodes, as their admin APIs serve them
        if os.environ.get("CANTON_CONSOLE_ADMIN_API") == "grpc":
            from canton_console.api.loopback import LoopbackConsoleAdmin

            self.admin = LoopbackConsoleAdmin(self.admin)
        if config.remote_nodes():
            from canton_console.api.remote_console import bind_remote_nodes

            self.admin = bind_remote_nodes(config, self.admin)
        self.console = Console(self.admin)
        self.interpreter = Interpreter(self.console, syntax=syntax, debug=debug, width=width)
        self.recorder = Recorder(record, syntax) if record else None

    # ---- start-up ----------------------------------------------------------------------
    def start_nodes(self) -> None:
        self.env.start()

    def start_and_bootstrap_default(self) -> None:
        """Start the nodes and bootstrap the default topology, starting each participant only once the
        synchronizer exists, so that its onboarding's topology change delay overlaps the next start."""
        env = self.env
        env.start([*env.sequencers.values(), *env.mediators.values()])
        self.bootstrap_default(start_participants=True)

    def bootstrap_default(self, start_participants: bool = False) -> None:
        """Canton's simple topology, ready to ping: synchronizer ``da`` with every participant connected.
        Idempotent: a restarted default topology is left as it is, an interrupted one is completed."""
        from canton_console.console.references import wait_until
        from canton_console.runtime.bootstrap import bootstrap_default_topology

        connected = bootstrap_default_topology(self.env, start_participants)
        if connected is not None:
            wait_until(self.admin, connected, self.admin.timeout_micros("bounded"), "the default topology is connected", "bootstrap")

    # ---- steps -------------------------------------------------------------------------
    def step(self, source: str) -> Outcome:
        outcome = self.interpreter.execute(source)
        if self.recorder is not None:
            self.recorder.record(source, outcome)
        return outcome

    def run_script(self, path: str) -> Outcome:
        return self.interpreter.run_script(path)

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        self.env.close()
        close_admin = getattr(self.admin, "close", None)
        if close_admin is not None:
            close_admin()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
