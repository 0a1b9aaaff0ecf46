"""Logging as Canton does it: the log file (plain and JSON lines), levels at run time, the last
errors with their trace ids; through the real CLI."""

from __future__ import annotations

import json
import re

from conftest import cli

from canton_console import logs

FAILING = "participant1.health.ping(sequencer1)\n"


def test_a_command_failure_is_in_the_log_file_with_a_trace_id(tmp_path):
    log = tmp_path / "log" / "canton.log"
    result = cli("--log-file-name", str(log), input=FAILING, data_dir=tmp_path / "data")
    assert "ERROR c.d.c.c.CantonConsoleEnvironment - INVALID_ARGUMENT" in result.stdout
    text = log.read_text()
    line = next(line for line in text.splitlines() if " ERROR " in line)
    assert re.match(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[[^\]]+\] ERROR c\.d\.c\.c\.CantonConsoleEnvironment tid:[0-9a-f]{32} - INVALID_ARGUMENT\(8,0\)", line
    ), line
    # the start of the nodes is logged at INFO under Canton's logger names
    assert re.search(r" INFO  c\.d\.c\.\w+ ", text), text[:2000]
    # the terminal shows the failure once, not a second time from the log
    assert result.stderr.count("INVALID_ARGUMENT") == 0, result.stderr


def test_json_lines_parse_with_logstash_fields(tmp_path):
    log = tmp_path / "canton.json.log"
    cli("--log-file-name", str(log), "--log-encoder", "json", "--log-file-appender", "flat", input=FAILING, data_dir=tmp_path / "data")
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events and all({"@timestamp", "@version", "message", "logger_name", "thread_name", "level", "level_value"} <= e.keys() for e in events)
    error = next(e for e in events if e["level"] == "ERROR")
    assert error["level_value"] == 40000 and error["logger_name"] == "c.d.c.c.CantonConsoleEnvironment"
    assert re.fullmatch(r"[0-9a-f]{32}", error["trace-id"])


def test_last_errors_and_their_trace(tmp_path):
    commands = FAILING + "val errors = logging.last_errors()\nerrors.size\nlogging.last_error_trace(errors.keySet.head).size >= 1\n"
    result = cli("--log-file-appender", "off", input=commands, data_dir=tmp_path / "data")
    assert re.search(r"res\d+: Int = 1\b", result.stdout), result.stdout
    assert re.search(r"res\d+: Boolean = true", result.stdout), result.stdout
    assert "tid:" in result.stdout  # the error event as logged, with its trace id


def test_levels_change_at_run_time(tmp_path):
    commands = (
        "logging.get_level()\n"
        'logging.set_level("com.digitalasset.canton", "DEBUG")\n'
        'logging.get_level("com.digitalasset.canton")\n'
        'logging.set_level("com.digitalasset.canton", "loud")\n'
        'logging.set_level("com.digitalasset.canton.participant", "null")\n'
        'logging.get_level("com.digitalasset.canton.participant")\n'
    )
    result = cli("--log-file-appender", "off", input=commands, data_dir=tmp_path / "data")
    out = result.stdout
    assert re.search(r"res\d+: Option\[Level\] = Some\(value = INFO\)", out), out
    assert re.search(r"res\d+: Option\[Level\] = Some\(value = DEBUG\)", out), out
    assert "Unknown log level 'loud'" in out
    assert re.search(r"res\d+: Option\[Level\] = None", out), out


def test_bad_logging_options_are_refused_before_anything_starts(tmp_path):
    result = cli("--log-level-stdout", "chatty", "run", str(tmp_path / "none.canton"), data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "Unknown log level 'chatty'" in result.stderr
    assert not (tmp_path / "data").exists()


def test_logback_abbreviation():
    assert logs.abbreviate("com.digitalasset.canton.console.CantonConsoleEnvironment", 10) == "c.d.c.c.CantonConsoleEnvironment"
    assert logs.abbreviate("com.digitalasset.canton.participant", 35) == "com.digitalasset.canton.participant"
    assert logs.abbreviate("com.digitalasset.canton.participant", 30) == "c.d.canton.participant"
    assert logs.abbreviate("com.digitalasset.canton.participant", 20) == "c.d.c.participant"
