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

COMMON_LISTS = ("config", "config_override")
COMMON_FLAGS = ("manual_start", "debug", "no_tty", "verbose", "log_truncate")
COMMON_VALUES = (
    "syntax",
    "log_level_stdout",
    "log_level_root",
    "log_level_canton",
    "log_file_name",
    "log_file_appender",
    "log_file_rolling_history",
    "log_encoder",
    "log_last_errors",
    "bootstrap",
)


def _common(p: argparse.ArgumentParser, sub: bool = False) -> None:
    """The options every mode takes. On a sub-command they land in ``sub_*`` destinations with no
    default, so that ``-c a.conf run s.canton`` keeps the root's ``-c`` (argparse would otherwise let
    the sub-command's defaults overwrite it); :func:`_merge` combines both."""

    def dest(name: str) -> dict:
        return {"dest": f"sub_{name}", "default": argparse.SUPPRESS} if sub else {"dest": name}

    p.add_argument("-c", "--config", action="append", metavar="FILE", help="configuration file(s); later files win", **({"default": []} | dest("config")))
    p.add_argument("-C", "--config-override", action="append", metavar="KEY=VALUE", help="configuration override, e.g. -C canton.participants.participant1.storage.type=memory", **({"default": []} | dest("config_override")))
    p.add_argument("--manual-start", action="store_true", help="do not start the nodes; use nodes.local.start()", **dest("manual_start"))
    p.add_argument("--syntax", choices=["auto", "python", "scala"], help="console syntax (default: detected per input)", **({"default": "auto"} | dest("syntax")))
    p.add_argument("--debug", action="store_true", help="show Python tracebacks of failures", **dest("debug"))
    p.add_argument("--log-level-stdout", metavar="LEVEL", help="Log-level of stdout (default WARN)", **({"default": "WARN"} | dest("log_level_stdout")))
    p.add_argument("--log-level-root", metavar="LEVEL", help="Log-level of the root logger (default INFO)", **({"default": None} | dest("log_level_root")))
    p.add_argument("--log-level-canton", metavar="LEVEL", help="Log-level of the Canton logger (default INFO)", **({"default": None} | dest("log_level_canton")))
    p.add_argument("-v", "--verbose", action="store_true", help="Canton logger level -> DEBUG", **dest("verbose"))
    p.add_argument("--log-file-name", metavar="FILE", help="Name and location of log-file, default is log/canton.log", **({"default": "log/canton.log"} | dest("log_file_name")))
    p.add_argument("--log-file-appender", choices=["rolling", "flat", "off"], help="Type of log file appender (default rolling)", **({"default": "rolling"} | dest("log_file_appender")))
    p.add_argument("--log-file-rolling-history", type=int, metavar="N", help="Number of history files to keep when using rolling log file appender (default 12)", **({"default": 12} | dest("log_file_rolling_history")))
    p.add_argument("--log-truncate", action="store_true", help="Truncate log file on startup.", **dest("log_truncate"))
    p.add_argument("--log-encoder", choices=["plain", "json"], help="Log encoder: plain|json", **({"default": "plain"} | dest("log_encoder")))
    p.add_argument("--log-last-errors", type=_boolean, metavar="BOOL", help="Capture events for logging.last_errors command (default true)", **({"default": True} | dest("log_last_errors")))
    p.add_argument("--no-tty", action="store_true", help="read commands line by line even on a terminal", **dest("no_tty"))


def _boolean(text: str) -> bool:
    if text.lower() in ("true", "yes", "1"):
        return True
    if text.lower() in ("false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got '{text}'")


def _merge(args: argparse.Namespace) -> argparse.Namespace:
    """Root options apply whatever follows them; a sub-command's own options add to (lists) or
    override (values) them."""
    for name in COMMON_LISTS:
        setattr(args, name, list(getattr(args, name, None) or []) + list(getattr(args, f"sub_{name}", None) or []))
    for name in COMMON_FLAGS:
        setattr(args, name, bool(getattr(args, name, False) or getattr(args, f"sub_{name}", False)))
    for name in COMMON_VALUES:
        if hasattr(args, f"sub_{name}"):
            setattr(args, name, getattr(args, f"sub_{name}"))
    for name in list(vars(args)):
        if name.startswith("sub_"):
            delattr(args, name)
    return args


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="canton-console", description="The Canton operator console, in Python, over an in-process node runtime.")
    p.add_argument("--version", action="version", version=f"canton-console {__version__} (Canton {CANTON_VERSION})")
    _common(p)
    p.add_argument("--bootstrap", metavar="SCRIPT", help="run this script before the prompt")
    p.add_argument("--record", metavar="FILE", help="record the session as a transcript (Markdown)")
    sub = p.add_subparsers(dest="mode")
    run = sub.add_parser("run", help="run a script headless, then stop the nodes")
    run.add_argument("script")
    _common(run, sub=True)
    daemon = sub.add_parser("daemon", help="run the nodes without a console until SIGTERM or SIGINT")
    _common(daemon, sub=True)
    daemon.add_argument("--bootstrap", metavar="SCRIPT", dest="sub_bootstrap", default=argparse.SUPPRESS)
    gen = sub.add_parser("generate", help="generate configurations: remote-config writes remote-<node>.conf for every node")
    gen.add_argument("target", choices=["remote-config"], help="generation target (remote-config)")
    _common(gen, sub=True)
    tr = sub.add_parser("transcript", help="check or update documentation transcripts")
    tr.add_argument("action", choices=["check", "update"])
    tr.add_argument("files", nargs="+")
    tr.add_argument(
        "--allow-python",
        action="store_true",
        help="run steps unrestricted: Python imports, names starting with '_', every builtin "
        "(by default a transcript may only use Canton commands and values)",
    )
    return p


def _setup_logging(args: argparse.Namespace) -> str | None:
    """Install Canton's logging from the command line; an error text when an option cannot work."""
    from canton_console import logs

    try:
        logs.install(
            logs.LogOptions(
                level_stdout=args.log_level_stdout,
                level_root=args.log_level_root,
                level_canton="DEBUG" if args.verbose and not args.log_level_canton else args.log_level_canton,
                file_name=args.log_file_name,
                file_appender=args.log_file_appender,
                file_history=args.log_file_rolling_history,
                truncate=args.log_truncate,
                encoder=args.log_encoder,
                last_errors=args.log_last_errors,
            )
        )
    except logs.LogSetupError as e:
        return str(e)
    except OSError as e:
        return f"Cannot open the log file {args.log_file_name}: {e.strerror or e}"
    return None


def _error(text: str) -> None:
    sys.stdout.write(f"ERROR c.d.c.c.CantonConsoleEnvironment - {text}\n")
    sys.stdout.flush()


def _make_session(args, record: str | None = None, attached=None):
    from canton_console.console.session import Session, load, with_parameters

    config = load(args.config, args.config_override)
    if args.manual_start:
        config = with_parameters(config, manual_start=True)
    return Session(config, syntax=args.syntax, debug=args.debug, record=record, attached=attached)


def _claim_data_dir(args):
    """The embedded default's data directory: (hold, None) when this process runs its nodes, (None,
    attachment) when another process does and this console attaches to them (see api.attach)."""
    if args.config:
        return None, None  # -c configurations: a store in use is refused by the store (DB_STORAGE_IN_USE)
    from canton_console.api.attach import Attachment, claim
    from canton_console.console.session import data_home

    directory = data_home()

    def waiting(pid: int) -> None:
        sys.stdout.write(f"Waiting for the canton-console process {pid} that holds {directory} to start its nodes\n")
        sys.stdout.flush()

    claimed = claim(directory, {"run": "run", "daemon": "daemon"}.get(args.mode or "", "console"), on_wait=waiting)
    return (None, claimed) if isinstance(claimed, Attachment) else (claimed, None)


def _start(session, args, embedded_default: bool) -> None:
    if session.attached is not None:
        return  # the nodes run in the process holding the data directory
    if session.config.parameters.manual_start:
        return
    if embedded_default:
        session.start_and_bootstrap_default()
    else:
        session.start_nodes()


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
    except BrokenPipeError:
        # The reader of our output went away (``canton-console ... | head``): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    except KeyboardInterrupt:
        # Ctrl-C outside a command (start-up, piped input waiting for a line): leave quietly.
        _flush()
        status = 130
    if argv is None:
        _exit_despite_user_threads(status)
    return status


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _exit_despite_user_threads(status: int) -> None:
    """A script may leave a thread running (``threading.Thread(target=...).start()``); Python would
    wait for it forever at exit. The nodes are closed by now: end the process."""
    import threading

    if any(t is not threading.current_thread() and t.is_alive() and not t.daemon for t in threading.enumerate()):
        _flush()
        logging.shutdown()
        os._exit(status)


def _main(argv: list[str] | None) -> int:
    args = _merge(parser().parse_args(argv))
    problem = _setup_logging(args)
    if problem is not None:
        sys.stderr.write(f"canton-console: {problem}\n")
        return 2
    if args.mode == "transcript":
        return _transcript(args)
    if args.mode == "generate":
        return _generate(args)
    from canton_console.values.errors import CantonError, PendingDatabaseMigration

    record = args.record if args.mode is None else None
    if record:
        try:
            open(record, "w", encoding="utf-8").close()
        except OSError as e:
            sys.stderr.write(f"canton-console: cannot record to {record}: {e.strerror or e}\n")
            return 2
    hold = attached = None
    try:
        hold, attached = _claim_data_dir(args)
        session = _make_session(args, record, attached)
    except CantonError as e:
        if hold is not None:
            hold.release()
        _error(e.render())
        return 1
    if attached is not None:
        sys.stdout.write(attached.line + "\n")
        sys.stdout.flush()
    if session.recorder is not None:
        session.recorder.configs = list(args.config)  # the check runs the same nodes, on the same clock
        session.recorder.clock = "wall" if session.config.parameters.clock_type == "wall-clock" else "sim"
    servers: list = []
    admin_apis: list = []
    try:
        embedded = not args.config
        try:
            _start(session, args, embedded)
            if args.mode != "run":
                servers = _health_servers(session)
            if args.mode is None and session.config.parameters.serve_admin_apis:
                # an interactive console serves its nodes' admin APIs when the config asks
                # (canton.parameters.serve-admin-apis); a daemon always does, `run` never
                try:
                    admin_apis = _admin_apis(session)
                except OSError as e:
                    _error(f"failed to serve the admin APIs: {e}")
                    return 1
                servers += admin_apis
                if admin_apis:
                    sys.stdout.write(_admin_api_line(admin_apis))
        except CantonError as e:
            _error(f"failed to start the nodes: {e.render()}")
            return 1
        except PendingDatabaseMigration as e:
            _error(e.operator_message() + " (start the console with --manual-start to run it)")
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
            if hold is not None:
                hold.publish(session.local_admin, serve=False)  # a script listens only when its config asks
            outcome = session.run_script(args.script)
            sys.stdout.write(outcome.output)
            return 1 if outcome.failed else 0
        if args.mode == "daemon":
            return _daemon(session, args, hold)
        if args.bootstrap:
            outcome = session.run_script(args.bootstrap)
            sys.stdout.write(outcome.output)
            if outcome.failed:
                _error(f"Running bootstrap script failed with the error above ({args.bootstrap})")
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.no_tty
        # The nodes' admin APIs for consoles attaching to them: off the way to the first prompt.
        publish = None if hold is None else (lambda: hold.publish(session.local_admin, background=True, running=admin_apis))
        if interactive:
            from canton_console.console.repl import run_repl

            run_repl(session, on_first_prompt=publish)
        else:
            if publish is not None:
                publish()
            _line_loop(session, sys.stdin)
        return 0
    finally:
        for server in servers:
            server.stop()
        if hold is not None:
            hold.stop_serving()  # consoles attached to these nodes are told they went, before they close
        session.close()
        if hold is not None:
            hold.release()  # once the nodes' files are closed


def _line_loop(session, stream) -> None:
    """Piped input: one step per complete input, no prompt_toolkit screen."""
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
        if not _piped_step(session, source):
            return
    if buffer and "\n".join(buffer).strip():
        _piped_step(session, "\n".join(buffer))


def _piped_step(session, source: str) -> bool:
    """One step of piped input; False when it asked to exit."""
    from canton_console.console.interpreter import ExitRequested, internal_error

    try:
        output = session.step(source).output
    except ExitRequested:
        return False
    except KeyboardInterrupt:
        output = "Interrupted: the command was cancelled\n"
    except Exception as e:  # noqa: BLE001 - the last guard: the next line still runs
        output = internal_error(e, session.interpreter.debug)
    sys.stdout.write(output)
    sys.stdout.flush()
    return True


def _daemon(session, args, hold=None) -> int:
    try:
        admin_apis = _admin_apis(session)
    except OSError as e:
        _error(f"failed to serve the admin APIs: {e}")
        return 1
    if hold is not None:
        hold.publish(session.local_admin, running=admin_apis)  # for consoles on the same data directory
    try:
        try:
            public_apis = _sequencer_public_apis(session)
        except OSError as e:
            _error(f"failed to serve the sequencers' public APIs: {e}")
            return 1
        try:
            return _daemon_loop(session, args, public_apis, admin_apis)
        finally:
            for server in public_apis:
                server.stop()
    finally:
        if hold is not None:
            hold.stop_serving()  # withdrawn before the servers it names stop
        for server in admin_apis:
            server.stop()


def _admin_apis(session) -> list:
    """The local nodes' admin APIs on their ``admin-api { address, port, tls }``: consoles of other
    processes drive the nodes through them (``canton.remote-participants`` ...)."""
    from canton_console.api.admin_server import serve_admin_apis

    return serve_admin_apis(session.local_admin, session.config)


def _admin_api_line(servers: list) -> str:
    return "admin APIs: " + ", ".join(f"{s.node_admin.info.name} {s.address}:{s.port}{' (tls)' if s.tls else ''}" for s in servers) + "\n"


def _sequencer_public_apis(session) -> list:
    """A daemon serves its sequencers' public APIs (``public-api { address, port }``): members in other
    processes connect to them by URL."""
    from canton_console.api.sequencer_server import start_sequencer_apis

    return start_sequencer_apis(session.env)


def _daemon_loop(session, args, public_apis: list, admin_apis: list) -> int:
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
    env = session.env
    endpoints = ", ".join(f"{s.node.name} http://{s.address}:{s.port}/health" for s in getattr(env, "health_servers", []))
    grpc_endpoints = ", ".join(f"{s.node.name} {s.address}:{s.port}" for s in getattr(env, "grpc_health_servers", []))
    metrics = ", ".join(r.url for r in getattr(env, "metrics_reporters", []))
    sys.stdout.write(
        f"canton-console daemon running: {names}\n"
        + (f"health endpoints: {endpoints}\n" if endpoints else "")
        + (f"grpc health endpoints: {grpc_endpoints}\n" if grpc_endpoints else "")
        + (f"prometheus metrics: {metrics}\n" if metrics else "")
    )
    if admin_apis:
        sys.stdout.write(_admin_api_line(admin_apis))
    if public_apis:
        sys.stdout.write("public APIs: " + ", ".join(f"{s.node.name} {s.url}" for s in public_apis) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    sys.stdout.write("canton-console daemon stopped\n")
    return 0


def _health_servers(session) -> list:
    """The nodes' HTTP and gRPC health endpoints and the Prometheus metrics reporters; each has
    ``stop()``. When one cannot start, those already started are stopped before the error goes on."""
    from canton_console.runtime.grpc_health import start_grpc_health_servers
    from canton_console.runtime.health_server import start_health_servers
    from canton_console.runtime.prometheus import start_metrics_reporters

    servers: list = []
    try:
        servers += start_health_servers(session.env)
        servers += start_grpc_health_servers(session.env)
        servers += start_metrics_reporters(session.env, session.config)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def _generate(args) -> int:
    """``generate remote-config``: Canton's remote configuration of every node, in the working directory."""
    from canton_console.config.remote_config import remote_configs
    from canton_console.console.session import load
    from canton_console.values.errors import CantonError

    try:
        config = load(args.config, args.config_override)
    except CantonError as e:
        _error(e.render())
        return 1
    for file_name, text in remote_configs(config).items():
        try:
            with open(file_name, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as e:
            _error(f"cannot write {file_name}: {e.strerror or e}")
            return 1
    return 0


def _transcript(args) -> int:
    from canton_console.transcript import check_files, update_transcript
    from canton_console.transcript.runner import default_session_factory, python_session_factory

    factory = python_session_factory if args.allow_python else default_session_factory
    if args.action == "check":
        return check_files(args.files, factory, out=sys.stdout)
    status = 0
    for path in args.files:
        try:
            report = update_transcript(path, factory)
        except Exception as e:  # noqa: BLE001 - reported per file
            sys.stdout.write(f"{path}: not updated: {e}\n")
            status = 1
            continue
        sys.stdout.write(f"{path}: {report.kept} kept, {report.rewritten} rewritten, {report.inserted} inserted\n")
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
