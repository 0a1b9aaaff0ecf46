"""``canton-console``: the command line.

    canton-console [-c a.conf ...] [-C key=value] [--bootstrap script] [--manual-start]   interactive
    canton-console run script.canton [-c ...]                                           headless
    canton-console daemon [-c ...] [--bootstrap script]                                 no REPL
    canton-console transcript check|update FILE...                                      doc transcripts
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from canton_console import CANTON_VERSION, __version__


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", action="append", default=[], metavar="FILE", help="configuration file(s); later files win")
    p.add_argument("-C", "--config-override", action="append", default=[], metavar="KEY=VALUE", help="configuration override, e.g. -C canton.participants.participant1.storage.type=memory")
    p.add_argument("--manual-start", action="store_true", help="do not start the nodes; use nodes.local.start()")
    p.add_argument("--syntax", choices=["auto", "python", "scala"], default="auto", help="console syntax (default: detected per input)")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks of failures")
    p.add_argument("--log-level-stdout", default="WARN", metavar="LEVEL", help="log level shown on the terminal (default WARN)")
    p.add_argument("--no-tty", action="store_true", help="read commands line by line even on a terminal")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="canton-console", description="The Canton operator console, in Python, over an in-process node runtime.")
    p.add_argument("--version", action="version", version=f"canton-console {__version__} (Canton {CANTON_VERSION})")
    _common(p)
    p.add_argument("--bootstrap", metavar="SCRIPT", help="run this script before the prompt")
    p.add_argument("--record", metavar="FILE", help="record the session as a transcript (Markdown)")
    sub = p.add_subparsers(dest="mode")
    run = sub.add_parser("run", help="run a script headless, then stop the nodes")
    run.add_argument("script")
    _common(run)
    daemon = sub.add_parser("daemon", help="run the nodes without a console until SIGTERM or SIGINT")
    _common(daemon)
    daemon.add_argument("--bootstrap", metavar="SCRIPT")
    tr = sub.add_parser("transcript", help="check or update documentation transcripts")
    tr.add_argument("action", choices=["check", "update"])
    tr.add_argument("files", nargs="+")
    return p


def _setup_logging(level: str) -> None:
    level = level.upper()
    level = {"WARN": "WARNING", "OFF": "CRITICAL"}.get(level, level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-5s %(name)s - %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.WARNING))


def _error(text: str) -> None:
    sys.stdout.write(f"ERROR c.d.c.c.CantonConsoleEnvironment - {text}\n")
    sys.stdout.flush()


def _make_session(args, record: str | None = None):
    from canton_console.console.session import Session, load, with_parameters

    config = load(args.config, args.config_override)
    if args.manual_start:
        config = with_parameters(config, manual_start=True)
    return Session(config, syntax=args.syntax, debug=args.debug, record=record)


def _start(session, args, embedded_default: bool) -> None:
    if session.config.parameters.manual_start:
        return
    if embedded_default:
        session.start_and_bootstrap_default()
    else:
        session.start_nodes()


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader of our output went away (``canton-console ... | head``): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    _setup_logging(args.log_level_stdout)
    if args.mode == "transcript":
        return _transcript(args)
    from canton_console.values.errors import CantonError

    try:
        session = _make_session(args, getattr(args, "record", None) if args.mode is None else None)
    except CantonError as e:
        _error(e.render())
        return 1
    servers: list = []
    try:
        embedded = not args.config
        try:
            _start(session, args, embedded)
            if args.mode != "run":
                servers = _health_servers(session)
        except CantonError as e:
            _error(f"failed to start the nodes: {e.render()}")
            return 1
        except OSError as e:  # a file or directory of the nodes that the storage checks did not foresee
            if args.debug:
                raise
            _error(f"failed to start the nodes: {e}. Check the nodes' data directory and storage settings.")
            return 1
        except Exception as e:  # noqa: BLE001 - a start-up failure is reported, not thrown at the user
            from canton_console.console.framework import CommandFailure

            if isinstance(e, CommandFailure):
                _error(e.cause)
                return 1
            raise
        if args.mode == "run":
            outcome = session.run_script(args.script)
            sys.stdout.write(outcome.output)
            return 1 if outcome.failed else 0
        if args.mode == "daemon":
            return _daemon(session, args)
        if args.bootstrap:
            outcome = session.run_script(args.bootstrap)
            sys.stdout.write(outcome.output)
            if outcome.failed:
                _error(f"Running bootstrap script failed with the error above ({args.bootstrap})")
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.no_tty
        if interactive:
            from canton_console.console.repl import run_repl

            run_repl(session)
        else:
            _line_loop(session, sys.stdin)
        return 0
    finally:
        for server in servers:
            server.stop()
        session.close()


def _line_loop(session, stream) -> None:
    """Piped input: one step per complete input, no prompt_toolkit screen."""
    from canton_console.console.interpreter import ExitRequested

    buffer: list[str] = []
    for line in stream:
        buffer.append(line.rstrip("\n"))
        source = "\n".join(buffer)
        if not source.strip():
            buffer = []
            continue
        if not session.interpreter.is_complete(source):
            continue
        buffer = []
        try:
            outcome = session.step(source)
        except ExitRequested:
            return
        sys.stdout.write(outcome.output)
        sys.stdout.flush()
    if buffer and "\n".join(buffer).strip():
        try:
            sys.stdout.write(session.step("\n".join(buffer)).output)
        except ExitRequested:
            return


def _daemon(session, args) -> int:
    import signal
    import threading

    if args.bootstrap:
        outcome = session.run_script(args.bootstrap)
        sys.stdout.write(outcome.output)
        if outcome.failed:
            _error(f"Running bootstrap script failed with the error above ({args.bootstrap})")
            return 1
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    names = ", ".join(n.name for n in session.env.nodes() if n.running)
    endpoints = ", ".join(f"{s.node.name} http://{s.address}:{s.port}/health" for s in getattr(session.env, "health_servers", []))
    sys.stdout.write(f"canton-console daemon running: {names}\n" + (f"health endpoints: {endpoints}\n" if endpoints else ""))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    sys.stdout.write("canton-console daemon stopped\n")
    return 0


def _health_servers(session) -> list:
    from canton_console.runtime.health_server import start_health_servers

    return start_health_servers(session.env)


def _transcript(args) -> int:
    from canton_console.transcript import check_files, update_transcript
    from canton_console.transcript.runner import default_session_factory

    if args.action == "check":
        return check_files(args.files, default_session_factory, out=sys.stdout)
    status = 0
    for path in args.files:
        try:
            report = update_transcript(path, default_session_factory)
        except Exception as e:  # noqa: BLE001 - reported per file
            sys.stdout.write(f"{path}: not updated: {e}\n")
            status = 1
            continue
        sys.stdout.write(f"{path}: {report.kept} kept, {report.rewritten} rewritten, {report.inserted} inserted\n")
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
