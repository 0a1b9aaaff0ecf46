"""Issue 11, the front end: no input ends in a traceback, a stuck prompt or a dead session, and
transcripts cannot run arbitrary code. Real sessions and real subprocesses, no mocks."""

from __future__ import annotations

import datetime
import inspect
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, cli, step_ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canton_console.console.framework import (
    ArgumentError,
    CommandFailure,
    commands_of,
    groups_of,
)
from canton_console.console.interpreter import ExitRequested, Interpreter, Outcome
from canton_console.console.scala_syntax import (
    ScalaSyntaxError,
    detect_syntax,
    translate,
)

MEMORY_TOPOLOGY = """
canton {
  sequencers.sequencer7 { storage.type = memory, public-api.port = 9701, admin-api.port = 9702 }
  mediators.mediator7 { storage.type = memory, admin-api.port = 9703 }
  participants.participant7 { storage.type = memory, ledger-api.port = 9711, admin-api.port = 9712 }
}
"""


@pytest.fixture(scope="module")
def memory_session():
    """The default topology in memory on a simulated clock (as transcripts run it): fast to start."""
    from canton_console.config import load_config
    from canton_console.console.session import Session, in_memory, with_parameters

    config = with_parameters(in_memory(load_config([])), clock_type="sim-clock", static_identities=True)
    session = Session(config)
    session.start_and_bootstrap_default()
    yield session
    session.close()


@pytest.fixture
def session(memory_session):
    """The module's session with its namespace restored after the test (fuzzed input may bind names)."""
    namespace = memory_session.interpreter.namespace
    saved = dict(namespace)
    yield memory_session
    namespace.clear()
    namespace.update(saved)


def one_error_line(outcome: Outcome) -> str:
    assert outcome.failed, outcome.output
    assert "Traceback" not in outcome.output
    lines = outcome.output.splitlines()
    assert len(lines) == 1, outcome.output
    return lines[0]


# ---- 1. parser and compiler crashes --------------------------------------------------------------

CRASHERS = {
    "unicode digit": "9²",
    "201 parentheses": "(" * 201 + "1" + ")" * 201,
    "201 braces": "{" * 201 + "1" + "}" * 201,
    "201 Seq(": "Seq(" * 201 + ")" * 201,
    "3000 additions": " + ".join(["1"] * 3000),
    "1000 member selections": "participant1" + ".health" * 1000,
    "5000 prefix operators": "-" * 5000 + "1",
    "5000 nots": "!" * 5000 + "true",
    "5000 lambdas": "x => " * 5000 + "1",
    "huge literal": "9" * 5000,
    "huge Long": "9" * 30 + "L",
    "null byte": "participant1\x00",
    "lone surrogate": "val x = \ud800",
    "deep Python list": "[" * 5000 + "]" * 5000,
    "deep Python calls": "f(" * 150 + ")" * 150,
}


@pytest.mark.parametrize("source", CRASHERS.values(), ids=CRASHERS.keys())
def test_inputs_that_crashed_the_session_are_one_line_errors(session, source):
    interpreter = session.interpreter
    assert interpreter.is_complete(source) in (True, False)
    line = one_error_line(session.step(source))
    assert line.startswith("Error: ")
    assert step_ok(session, "1 + 1") == 2  # the session goes on


def test_deep_nesting_names_the_limit(session):
    line = one_error_line(session.step("Seq(" * 201 + ")" * 201))
    assert "nested too deeply" in line and "64 levels" in line
    line = one_error_line(session.step(" + ".join(["1"] * 3000)))
    assert "nested too deeply" in line
    line = one_error_line(session.step("participant1" + ".health" * 1000))
    assert "nested too deeply" in line
    line = one_error_line(session.step("9²"))
    assert line == "Error: Scala syntax error: invalid numeric literal starting '9²' (line 1, column 1)"
    # ordinary nesting still works in both syntaxes
    assert step_ok(session, "Seq(" * 30 + ")" * 30) is not None
    assert step_ok(session, "(" * 60 + "1" + ")" * 60) == 1


def test_a_value_whose_repr_raises_is_reported_not_thrown(session):
    step_ok(session, "class Bad:\n    def __repr__(self):\n        raise ValueError('no')\n")
    line = one_error_line(session.step("Bad()"))
    assert line == "Error: the result could not be shown: ValueError: no"
    step_ok(session, "class Worse(Exception):\n    def __str__(self):\n        raise ValueError('no')\n")
    line = one_error_line(session.step("raise Worse()"))
    assert "Worse" in line
    step_ok(session, "def forever(n):\n    return forever(n + 1)\n")
    line = one_error_line(session.step("forever(0)"))
    assert line.startswith("Error: RecursionError")


# ---- 2. internal errors do not leak ----------------------------------------------------------------


def test_ledger_commands_report_their_argument_errors(session):
    line = one_error_line(session.step('ledger_api_utils.create("Iou:Iou", 5)'))
    assert "ArgumentError" not in line and "has no attribute" not in line
    assert line.startswith("Error: ledger_api_utils.create: ")
    line = one_error_line(session.step("participant1.ledger_api.commands.submit(Seq(), Seq())"))
    assert "has no attribute" not in line
    assert line.startswith("Error: ledger_api.commands.submit")


# ---- fuzz: lexer, parser, interpreter --------------------------------------------------------------

FRAGMENTS = ["(", ")", "{", "}", "[", "]", "Seq(", "Some(", "1", "1L", "0x1F", "2.5", "+", "-", "!", "*", "/",
             "%", "==", "&&", ".", ".health", ".seconds", "_", "=>", "x", "participant1", "\"", "\"a\"",
             "s\"${", "$", "'", "`", "val ", "if (", ") else ", ",", ";", "\n", " ", "->", "=", ":", "//", "/*",
             "*/", "import ", "lambda", "def ", "²", "٣", "\x00", "\t", "None", "true", "utils.retry_until_true(",
             "__import__", "@", "#", "\\", "é", "🙂"]

nested = st.builds(
    lambda depth, opener, closer, core: opener * depth + core + closer * depth,
    st.integers(0, 5000),
    st.sampled_from(["(", "{", "[", "Seq(", "-", "!", "x => ", "f(", "Some(", "not ", "lambda: ", "s\"${"]),
    st.sampled_from(["", ")", "}", "]", ")" * 2]),
    st.sampled_from(["1", "", "participant1", "_", "x", "9²"]),
)
chains = st.builds(
    lambda n, link, base: base + link * n,
    st.integers(0, 5000),
    st.sampled_from([".health", " + 1", "(1)", " && true", ".seconds", "++Seq()", "{1}"]),
    st.sampled_from(["participant1", "1", "x", "Seq()"]),
)
inputs = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    nested,
    chains,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=inputs)
def test_fuzz_lexer_parser_never_raise_anything_else(source):
    assert detect_syntax(source) in ("python", "scala")
    try:
        translate(source)
    except ScalaSyntaxError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=inputs, syntax=st.sampled_from(["auto", "scala", "python"]))
def test_fuzz_interpreter_never_raises(session, source, syntax):
    interpreter = Interpreter(session.console, syntax=syntax)
    assert interpreter.is_complete(source) in (True, False)
    try:
        outcome = interpreter.execute(source)
    except ExitRequested:  # `exit`: the console's own request to leave
        return
    assert isinstance(outcome, Outcome)
    assert "Traceback" not in outcome.output


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=inputs)
def test_fuzz_scripts_never_raise(session, tmp_path_factory, source):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.canton"
    path.write_text(source, encoding="utf-8", errors="surrogatepass")
    outcome = session.interpreter.run_script(str(path))
    assert isinstance(outcome, Outcome)
    assert "Traceback" not in outcome.output


# ---- fuzz: command arguments ------------------------------------------------------------------------

# Commands that change the topology for every later example (stopping nodes, disconnecting,
# passivating, the console's timeouts, the clock) are left out; everything else reachable is called.
STATEFUL = {"stop", "kill", "start", "set_passive", "disconnect", "disconnect_all", "set_command_timeout", "reset"}
# Waits bounded by the console's unbounded timeout (Inf, as in Canton): on an initialized node they
# wait for a state it never returns to, so they cannot be fuzzed (their own tests cover them).
WAITS_FOREVER = {"wait_for_identity", "wait_for_ready_for_id", "wait_for_ready_for_node_topology", "wait_for_ready_for_initialization"}


def reachable_commands(namespace, skip=STATEFUL | WAITS_FOREVER) -> list[tuple[str, object, str]]:
    """One representative of every @command reachable from the namespace (per group class)."""
    found: dict[tuple[str, str], tuple[str, object, str]] = {}
    seen: set[int] = set()
    stack = [(k, v) for k, v in sorted(namespace.items()) if not k.startswith("_")]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for name in commands_of(obj):
            if name not in skip:
                found.setdefault((type(obj).__name__, name), (f"{path}.{name}", obj, name))
        if inspect.isfunction(inspect.getattr_static(type(obj), "help", None)):  # groups' and nodes' help(...)
            found.setdefault((type(obj).__name__, "help"), (f"{path}.help", obj, "help"))
        for name in groups_of(obj):
            stack.append((f"{path}.{name}", getattr(obj, name)))
    return sorted(found.values(), key=lambda c: c[0])


def values(session):
    from canton_console.values.scala import NONE, Seq, Some

    ns = session.interpreter.namespace
    special = [ns["participant1"], ns["sequencer1"], ns["mediator1"], Some(3), NONE, Seq(1, "x"), Seq(ns["participant2"]),
               ns["sequencer1"].synchronizer_id, "PAR::participant1::1220" + "a" * 64, "Alice::1220" + "b" * 64,
               "da::1220" + "c" * 64, "participant1", "x" * 300, object(), ns["Seq"]]
    scalar = st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=40),
        st.binary(max_size=10), st.timedeltas(max_value=datetime.timedelta(seconds=0.2)),
        st.sampled_from(special),
    )
    return st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner), st.dictionaries(st.text(max_size=5), inner, max_size=2)), max_leaves=5)


def test_every_reachable_command_is_fuzzed(session):
    names = {c[2] for c in reachable_commands(session.interpreter.namespace)}
    assert {"ping", "enable", "set_traffic_balance", "propose_update", "submit", "create", "retry_until_true", "advanceTo", "help"} <= names
    assert len(names) > 40


def test_fuzz_command_arguments_only_console_errors(session):
    commands = reachable_commands(session.interpreter.namespace)

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        _path, obj, name = data.draw(st.sampled_from(commands), label="command")
        attribute = inspect.getattr_static(type(obj), name)
        fn = attribute.fget if isinstance(attribute, property) else attribute
        params = [p for p in inspect.signature(fn).parameters if p != "self"]
        positional = data.draw(st.lists(values(session), max_size=3), label="args")
        keywords = data.draw(st.dictionaries(st.sampled_from(params or ["x"]), values(session), max_size=3), label="kwargs")
        if name == "help":  # a plain method, not a command: Python binds its arguments; its value is checked
            positional, keywords = positional[:1], {}
        try:
            bound = getattr(obj, name)
            if callable(bound):
                bound(*positional, **keywords)
        except (CommandFailure, ArgumentError):
            pass

    run()
    # and the topology still works
    assert step_ok(session, "participant1.health.ping(participant2)") is not None


def test_fuzz_stateful_commands_only_console_errors():
    """The commands left out above, on a session of their own: stopping, killing, passivating,
    disconnecting, the clock and the console's timeout, with random arguments."""
    from canton_console.config import load_config
    from canton_console.console.session import Session, in_memory, with_parameters

    config = with_parameters(in_memory(load_config([])), clock_type="sim-clock", static_identities=True)
    own = Session(config)
    try:
        own.start_and_bootstrap_default()
        commands = [c for c in reachable_commands(own.interpreter.namespace, skip=WAITS_FOREVER) if c[2] in STATEFUL | {"start", "advance", "advanceTo", "connect", "reconnect", "reconnect_all"}]
        assert {c[2] for c in commands} >= STATEFUL
        arguments = values(own)  # drawn from while every node runs

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def run(data):
            _path, obj, name = data.draw(st.sampled_from(commands), label="command")
            attribute = inspect.getattr_static(type(obj), name)
            fn = attribute.fget if isinstance(attribute, property) else attribute
            params = [p for p in inspect.signature(fn).parameters if p != "self"]
            positional = data.draw(st.lists(arguments, max_size=3), label="args")
            keywords = data.draw(st.dictionaries(st.sampled_from(params or ["x"]), arguments, max_size=3), label="kwargs")
            try:
                bound = getattr(obj, name)
                if callable(bound):
                    bound(*positional, **keywords)
            except (CommandFailure, ArgumentError):
                pass

        run()
    finally:
        own.close()


# ---- 3. tracebacks from files ------------------------------------------------------------------------


def test_record_into_a_missing_directory_is_one_line(tmp_path):
    result = cli("--record", str(tmp_path / "missing" / "s.md"), input="1 + 1\n", data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().startswith(f"canton-console: cannot record to {tmp_path / 'missing' / 's.md'}:")


def test_a_script_that_is_not_utf8_is_one_line(tmp_path):
    script = tmp_path / "latin1.canton"
    script.write_bytes('println("Gr\xfc\xdfe")\n'.encode("latin-1"))
    (tmp_path / "m.conf").write_text(MEMORY_TOPOLOGY)
    result = cli("-c", str(tmp_path / "m.conf"), "run", str(script), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == f"Error: cannot read the script {script}: it is not UTF-8 text (byte 0xfc at offset 11)\n"


def test_ctrl_c_while_piped_input_waits_ends_quietly(tmp_path):
    environment = dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(tmp_path))
    # The console is started as from a terminal, with SIGINT not ignored. A test run started in the
    # background by a non-interactive shell (`pytest &`, as a CI script may) ignores SIGINT, and a
    # program started from it inherits that: Python then leaves Ctrl-C ignored, as it should.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)  # reset to the default at exec
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "canton_console", "--no-tty"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=str(REPO), env=environment,
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    process.stdin.write("1 + 1\n")
    process.stdin.flush()
    line = process.stdout.readline()  # the step ran: the console now waits for input
    assert line == "res1: Int = 2\n"
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert "Traceback" not in out + err
    assert process.returncode == 130, (out, err)


# ---- 8. checks at the edge ----------------------------------------------------------------------------


def test_a_party_name_is_at_most_185_characters(session):
    output = session.step('participant1.parties.enable("' + "a" * 186 + '")').output
    assert "maximum length of 185" in output and output.startswith("ERROR ")
    # Canton checks the name as a ledger participant id (at most 255 characters) before the party's identifier
    output = session.step('participant1.parties.enable("' + "a" * 20_000_000 + '")').output
    assert "Daml-LF Ledger String is too long (max: 255)" in output and len(output) < 1000
    step_ok(session, 'participant1.parties.enable("' + "b" * 185 + '")')


def test_a_top_up_serial_is_a_32_bit_positive_int(session):
    output = session.step("sequencer1.traffic_control.set_traffic_balance(participant1, 2147483648, 1000)").output
    assert output.startswith("ERROR ") and "at most 2147483647" in output
    output = session.step("sequencer1.traffic_control.set_traffic_balance(participant1, 9223372036854775807L, 1000)").output
    assert output.startswith("ERROR ") and "at most 2147483647" in output


@pytest.mark.parametrize("filter_call", [
    "participant1.parties.list(filterParty = 5)",
    "participant1.parties.hosted(Seq(1))",
    "participant1.topology.party_to_participant_mappings.list(sequencer1.synchronizer_id, filterParty = 3)",
])
def test_list_filters_take_strings_only(session, filter_call):
    line = one_error_line(session.step(filter_call))
    assert "expects a" in line and "got" in line


def test_clock_and_durations_stay_in_canton_range(session):
    line = session.step("clock.advanceTo(2**70)").output
    assert line.startswith("ERROR ") and "outside Canton's timestamps" in line
    line = session.step('clock.advanceTo("yesterday")').output
    assert line.startswith("ERROR ") and "not an ISO-8601 instant" in line
    line = one_error_line(session.step("clock.advanceTo(Seq())"))
    assert "expects a timestamp" in line
    assert step_ok(session, "clock.now") is not None


# ---- 9. restricted transcripts ---------------------------------------------------------------------------

EVIL = '''# A harmless-looking document

```
@ 1 + 1
res1: Int = 2
@ __import__("os").system("touch {flag}")
res2: Int = 0
```
'''


def test_a_transcript_cannot_run_python_unless_allowed(tmp_path):
    flag = tmp_path / "pwned"
    doc = tmp_path / "evil.md"
    doc.write_text(EVIL.format(flag=flag))
    result = cli("transcript", "check", str(doc), cwd=tmp_path)
    assert not flag.exists()
    assert result.returncode == 1
    assert "Error: not allowed in a transcript: the name '__import__' (names starting with '_') (transcripts run restricted; --allow-python lifts this)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    result = cli("transcript", "check", "--allow-python", str(doc), cwd=tmp_path)
    assert flag.exists()
    assert result.returncode == 0, result.stdout
    # update is restricted too, and leaves the evil step failing
    flag.unlink()
    result = cli("transcript", "update", str(doc), cwd=tmp_path)
    assert not flag.exists()


RESTRICTED = [
    "import os",
    "from os import system",
    "participant1._admin",
    "participant1.__class__",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd')",
    "eval('1')",
    "getattr(participant1, '_admin')",
    "'{0.__class__}'.format(1)",
    "(x for x in ()).gi_frame.f_builtins['__import__']('os')",
    "Seq(1).map(x => x.gi_frame)",
    "class X: pass",
    "f(_x = 1)",
    "lambda _y: _y",
    "val _x = 1",
    "participant1._admin.name",  # Scala-like, Python-valid
    "Seq(1).map(x => x.__class__)",  # Scala: the member
    "participant1.`__class__`",
    "s\"${participant1._admin}\"",
]


@pytest.mark.parametrize("source", RESTRICTED)
def test_restricted_mode_refuses(session, source):
    interpreter = Interpreter(session.console, restricted=False)
    saved = interpreter.namespace.get("__builtins__")
    try:
        interpreter.restrict()
        line = one_error_line(interpreter.execute(source))
        assert line.startswith(("Error: not allowed in a transcript: ", "Error: name '")), line
        assert "--allow-python" in line or "is not defined" in line
    finally:
        if saved is None:
            interpreter.namespace.pop("__builtins__", None)
        else:
            interpreter.namespace["__builtins__"] = saved


ALLOWED = [
    ("participant1.health.ping(participant2)", None),
    ("val n = Seq(1, 2, 3).map(_ * 2)", None),
    ("Seq(1, 2).map(x => x + 1)", None),
    ("len([1, 2]) + sum(range(3))", 5),
    ("sorted({3, 1})", [1, 3]),
    ("participant1.parties.list().size", None),
    ("10.seconds", None),
    ("utils.retry_until_true(participant1.health.is_running())", None),
    ("Seq(1).size", 1),
]


@pytest.mark.parametrize("source,value", ALLOWED)
def test_restricted_mode_runs_canton_commands(session, source, value):
    interpreter = Interpreter(session.console)
    saved = interpreter.namespace.get("__builtins__")
    try:
        interpreter.restrict()
        outcome = interpreter.execute(source)
        assert not outcome.failed, outcome.output
        if value is not None:
            assert outcome.value == value
    finally:
        if saved is None:
            interpreter.namespace.pop("__builtins__", None)
        else:
            interpreter.namespace["__builtins__"] = saved


def test_the_documentation_transcript_passes_restricted():
    result = cli("transcript", "check", str(REPO / "tests/transcripts/sequencer-traffic-management.txt"))
    assert result.returncode == 0, result.stdout


# ---- 10. command line ------------------------------------------------------------------------------------


def test_root_options_apply_before_a_sub_command(tmp_path):
    conf = tmp_path / "a.conf"
    conf.write_text(MEMORY_TOPOLOGY)
    script = tmp_path / "s.canton"
    script.write_text("println(participant7.name)\n")
    result = cli("-c", str(conf), "run", str(script), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "participant7\n"
    # options after the sub-command add to (lists) or override (values) the root's
    result = cli("-c", str(conf), "--syntax", "python", "run", str(script), "--syntax", "scala", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_root_flags_reach_the_daemon():
    from canton_console.cli import _merge, parser

    args = _merge(parser().parse_args(["--debug", "-c", "a.conf", "daemon", "-c", "b.conf", "--bootstrap", "x.canton"]))
    assert (args.debug, args.config, args.bootstrap, args.mode) == (True, ["a.conf", "b.conf"], "x.canton", "daemon")
    args = _merge(parser().parse_args(["--bootstrap", "y.canton", "--manual-start", "daemon"]))
    assert (args.bootstrap, args.manual_start) == ("y.canton", True)
    args = _merge(parser().parse_args(["run", "s.canton", "--debug"]))
    assert args.debug and args.config == []


def test_a_recording_with_failing_steps_checks(tmp_path):
    record = tmp_path / "session.md"
    steps = [
        "participant1.health.ping(participant2)",
        "val x = 5",
        "particpant1",
        "participant1.health.ping(sequencer1)",
        'participant1.parties.enable("Alice")',
        "1 / 0",
        'println("before"); undefined',
        "def f(:",
        "Seq(1, 2, 3)",
    ]
    result = cli("--record", str(record), input="\n".join(steps) + "\n", data_dir=tmp_path / "data", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = record.read_text()
    assert "Error: name 'particpant1' is not defined" in text
    assert "ERROR c.d.c.c.CantonConsoleEnvironment - INVALID_ARGUMENT" in text
    check = cli("transcript", "check", str(record), cwd=tmp_path)
    assert check.returncode == 0, text + check.stdout
    assert check.stdout.strip().endswith("9 steps, 0 failed")


def test_retry_until_true_reads_its_paren_argument_by_name(session):
    step_ok(session, "calls = [0]")
    step_ok(session, "def third_time():\n    calls[0] += 1\n    return calls[0] >= 3\n")
    assert session.step("utils.retry_until_true(third_time())").output == ""
    assert step_ok(session, "calls[0]") == 3
    step_ok(session, "calls[0] = 0")
    assert not session.step("utils.retry_until_true(condition = third_time())").failed
    assert step_ok(session, "calls[0]") == 3
    # Canton's documented form
    assert not session.step("utils.retry_until_true(participant1.health.is_running())").failed
    assert not session.step("utils.retry_until_true { participant1.health.is_running() }").failed
    # a constant still gets the advice, and a failing condition Canton's failure
    assert "pass a function" in one_error_line(session.step("utils.retry_until_true(False)"))
    output = session.step("utils.retry_until_true(len(participant1.parties.list()) > 1000, timeout = 100.millis)").output
    assert output.startswith("ERROR c.d.c.c.CantonConsoleEnvironment - Condition never became true within 100 milliseconds")


def test_exit_does_not_wait_for_a_user_thread(tmp_path):
    conf = tmp_path / "a.conf"
    conf.write_text(MEMORY_TOPOLOGY)
    script = tmp_path / "thread.canton"
    script.write_text("import threading, time\nthreading.Thread(target=lambda: time.sleep(3600)).start()\nprint('started')\nexit()\n")
    started = time.monotonic()
    result = cli("-c", str(conf), "run", str(script), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "started\n"
    assert time.monotonic() - started < 30
    # piped input too
    result = cli("-c", str(conf), input="import threading, time\nthreading.Thread(target=lambda: time.sleep(3600)).start()\nexit\n", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr


def test_synchronizer_parameter_durations_read_as_durations(session):
    step_ok(session, "val params = sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)")
    assert session.step("params.confirmationResponseTimeout").output.endswith(": NonNegativeFiniteDuration = 30s\n")
    assert session.step("params.reconciliationInterval").output.endswith(": PositiveDurationSeconds = 1m\n")
    assert session.step("params.confirmation_response_timeout").output.endswith(": NonNegativeFiniteDuration = 30s\n")
    assert step_ok(session, "params.confirmationResponseTimeout.toMillis()") == 30_000
    # still usable where a duration is expected, and still the same parameters
    step_ok(session, "sequencer1.topology.synchronizer_parameters.set_ledger_time_record_time_tolerance(sequencer1.synchronizer_id, params.ledgerTimeRecordTimeTolerance)")
    assert step_ok(session, "params.update(confirmationResponseTimeout = 30.seconds) == params") is True


def test_the_prompt_survives_what_used_to_kill_it(tmp_path):
    pytest.importorskip("pexpect")
    from test_repl_pty import Console

    c = Console(tmp_path, extra_env={"NO_COLOR": "1"})
    try:
        c.prompt()
        c.run("9²")
        c.expect(r"Error: Scala syntax error: invalid numeric literal starting '9²'")
        c.prompt()
        c.run("Seq(" * 201 + ")" * 201)
        c.expect("Error: the input is nested too deeply", timeout=60)
        c.prompt(timeout=60)
        c.run("participant1.health.ping(participant2)")
        c.expect(r"res\d+: Duration = \d+ milliseconds")
        c.prompt()
        assert "Unhandled exception" not in c.text and "Traceback" not in c.text
        c.run("exit")
        assert c.exit_status() == 0
    finally:
        c.close()


TRANSCRIPT_FRAGMENTS = ["@ ", "@", "  ", "\n", "```", "```\n", ".. code-block::", "<!-- canton-console: config=",
                        "syntax=scala", "clock=", "-->", "...", "<BLANKLINE>", "ERROR x", "Error: y", "1220abc",
                        "<name>", "Map(", ")", "\t", "x", "é", "\r\n", "canton-console: ", ",", "="]
transcript_texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(TRANSCRIPT_FRAGMENTS), max_size=60).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=transcript_texts, actual=transcript_texts)
def test_fuzz_transcript_parser_and_matcher_raise_only_parse_errors(text, actual):
    from canton_console.transcript.matcher import Captures, match
    from canton_console.transcript.model import ParseError
    from canton_console.transcript.parser import parse_transcript

    try:
        transcript = parse_transcript(text, "fuzz.md")
    except ParseError:
        return
    for step in transcript.steps:
        match(step.expected, actual, Captures(), where="fuzz.md")


def test_the_pytest_plugin_runs_transcripts_restricted_unless_allowed(tmp_path):
    (tmp_path / "doc.md").write_text("# A document\n\n```\n@ import os\n@ os.getpid() > 0\nres2: Boolean = true\n```\n")
    environment = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")

    def pytest_run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--transcripts=doc.md", *extra],
            cwd=str(tmp_path), env=environment, capture_output=True, text=True, timeout=300,
        )

    restricted = pytest_run()
    assert restricted.returncode == 1, restricted.stdout
    assert "Error: not allowed in a transcript: importing Python modules" in restricted.stdout
    allowed = pytest_run("--transcripts-allow-python")
    assert allowed.returncode == 0, allowed.stdout


def test_a_recording_names_its_config_and_checks_on_it(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "conf" / "a.conf").write_text(MEMORY_TOPOLOGY)
    steps = "participant7.name\nparticipant7.parties.list()\nbogus\n"
    result = cli("-c", "conf/a.conf", "--record", "out/s.md", input=steps, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "s.md").read_text()
    assert "<!-- canton-console: config=../conf/a.conf, clock=wall -->" in text
    check = cli("transcript", "check", "out/s.md", cwd=tmp_path)
    assert check.returncode == 0, text + check.stdout
    assert check.stdout.strip().endswith("3 steps, 0 failed")
