"""Transcript sessions on the real runtime: each file runs in a fresh environment.

Without a ``config=`` directive a transcript runs on Canton's simple topology (sequencer1,
mediator1, participant1..3) kept in memory, bootstrapped as the interactive console is (synchronizer
``da``, every participant connected). A file naming configs gets exactly those nodes, started but not
bootstrapped: the transcript does that itself. Either way the clock is simulated (unless
``clock=wall``) and identities are static, so runs are reproducible.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from canton_console.console.interpreter import ExitRequested
from canton_console.console.session import Session, in_memory, with_parameters
from canton_console.transcript.model import StepOutcome, TranscriptOptions


class RuntimeTranscriptSession:
    """``allow_python=False`` (the default) runs the steps restricted: Canton commands and values,
    no Python imports, no ``_`` names, a whitelist of builtins (``canton_console.console.restricted``)."""

    def __init__(self, options: TranscriptOptions, directory: Path, allow_python: bool = False):
        from canton_console.config import load_config

        # Files a transcript writes by relative path (exports, parameters files) land in a working
        # directory of its own, gone afterwards, not in the directory the check runs from.
        self._previous_cwd = os.getcwd()
        self._workdir = tempfile.TemporaryDirectory(prefix="canton-transcript-")

        configs = options.config_paths(directory)
        if configs:
            config = load_config([str(p) for p in configs], base_dir=directory)
        else:
            config = in_memory(load_config([]))
        clock = "wall-clock" if options.clock == "wall" else "sim-clock"
        config = with_parameters(config, clock_type=clock, static_identities=True)
        self.session = Session(config, syntax=options.syntax)
        os.chdir(self._workdir.name)
        if not allow_python:
            self.session.interpreter.restrict()
        try:
            if not config.parameters.manual_start:
                if configs:
                    self.session.start_nodes()
                else:
                    self.session.start_and_bootstrap_default()
        except BaseException:
            self.close()
            raise
        self.exited = False

    def run_step(self, command: str) -> StepOutcome:
        if self.exited:
            return StepOutcome("Error: the session has ended (exit)\n", failed=True)
        try:
            outcome = self.session.step(command)
        except ExitRequested:
            self.exited = True
            return StepOutcome("", failed=False)
        return StepOutcome(outcome.output, failed=outcome.failed)

    def close(self) -> None:
        try:
            self.session.close()
        finally:
            os.chdir(self._previous_cwd)
            self._workdir.cleanup()


def default_session_factory(options: TranscriptOptions, directory: Path) -> RuntimeTranscriptSession:
    """Transcript sessions in restricted mode (a transcript is a document, not a program)."""
    return RuntimeTranscriptSession(options, Path(directory))


def python_session_factory(options: TranscriptOptions, directory: Path) -> RuntimeTranscriptSession:
    """Unrestricted transcript sessions (``--allow-python``): steps may run any Python."""
    return RuntimeTranscriptSession(options, Path(directory), allow_python=True)
