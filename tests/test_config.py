"""Tests of canton_console.config: HOCON files in Canton's layout read into frozen attrs models."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canton_console.config import (
    DEFAULT_CONFIG_FILE,
    FIRST_DEFAULT_PORT,
    ApiConfig,
    CantonConfig,
    ConfigError,
    ParticipantConfig,
    StorageConfig,
    default_config,
    load_config,
    parse_duration,
)
from canton_console.values.errors import CONFIG_VALIDATION_FAILED, CantonError

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "bootstrap" / "examples"
FIXTURE_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def write(tmp_path: Path, text: str, name: str = "test.conf") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, overrides=(), name: str = "test.conf") -> CantonConfig:
    return load_config([write(tmp_path, text, name)], overrides=overrides, base_dir=tmp_path)


def config_error(tmp_path: Path, text: str, overrides=()) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text, overrides)
    return info.value


# ---------------------------------------------------------------------------------------------------
# The embedded default


def test_default_is_the_simple_topology_in_sqlite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.node_names() == ("participant1", "participant2", "participant3", "sequencer1", "mediator1")
    assert list(config.participants) == ["participant1", "participant2", "participant3"]
    seq = config.sequencers["sequencer1"]
    assert (seq.public_api.port, seq.admin_api.port, seq.sequencer_type) == (5001, 5002, "BFT")
    assert config.mediators["mediator1"].admin_api.port == 5202
    for i in (1, 2, 3):
        p = config.participants[f"participant{i}"]
        assert (p.ledger_api.port, p.admin_api.port, p.http_ledger_api.port) == (5001 + 10 * i, 5002 + 10 * i, 5003 + 10 * i)
        assert p.admin_api.address == "127.0.0.1"
        assert p.storage.type == "sqlite"
        assert p.storage.file == str(tmp_path / f"participant{i}.db")
        assert p.storage.url() == f"sqlite:///{tmp_path}/participant{i}.db"
        assert p.replication.enabled is False
        assert p.monitoring.http_health_server is None
    assert config.parameters.clock_type == "wall-clock"
    assert config.parameters.timeouts.ping == timedelta(seconds=30)
    assert config.parameters.timeouts.unbounded is None
    assert config.parameters.manual_start is False


def test_default_config_puts_databases_in_the_data_dir(tmp_path):
    config = default_config(tmp_path / "data")
    assert {n.storage.file for n in config.nodes().values()} == {
        str(tmp_path / "data" / f"{name}.db") for name in config.node_names()
    }
    assert config == load_config([DEFAULT_CONFIG_FILE], base_dir=tmp_path / "data")


def test_symlink_in_bootstrap_resolves_to_the_packaged_file():
    link = REPO / "bootstrap" / "simple-topology.conf"
    assert link.is_symlink()
    assert os.readlink(link) == "../canton_console/config/simple-topology.conf"
    assert link.resolve() == DEFAULT_CONFIG_FILE.resolve()
    assert DEFAULT_CONFIG_FILE.parent == REPO / "canton_console" / "config"


def test_models_are_frozen(tmp_path):
    config = default_config(tmp_path)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.participants["participant1"].admin_api.port = 1  # type: ignore[misc]
    assert attrs.evolve(config.parameters, manual_start=True).manual_start is True
    assert config.node("mediator1").kind == "mediator"
    with pytest.raises(KeyError):
        config.node("nobody")


# ---------------------------------------------------------------------------------------------------
# Merging files and overrides


def test_later_file_wins_and_objects_merge(tmp_path):
    first = write(tmp_path, """
        canton.participants.participant1 {
          storage { type = sqlite, file = "p1.db", parameters.max-connections = 4 }
          admin-api { address = "0.0.0.0", port = 6012 }
          ledger-api.port = 6011
        }
        canton.parameters.timeouts.console.ping = 20s
    """, "a.conf")
    second = write(tmp_path, """
        canton.participants.participant1 {
          storage.file = "other.db"
          admin-api.port = 7012
        }
        canton.participants.participant2 { admin-api.port = 7022, ledger-api.port = 7021 }
    """, "b.conf")
    config = load_config([first, second], base_dir=tmp_path)
    p1 = config.participants["participant1"]
    assert p1.storage == StorageConfig(type="sqlite", file=str(tmp_path / "other.db"), max_connections=4)
    assert p1.admin_api == ApiConfig(address="0.0.0.0", port=7012)
    assert p1.ledger_api.port == 6011
    assert list(config.participants) == ["participant1", "participant2"]
    assert config.parameters.timeouts.ping == timedelta(seconds=20)


def test_later_file_can_change_a_value_an_earlier_file_substitutes(tmp_path):
    base = write(tmp_path, """
        _shared.storage { type = sqlite, file = "shared.db" }
        canton.participants.p1 { storage = ${_shared.storage}, admin-api.port = 6001, ledger-api.port = 6002 }
    """, "base.conf")
    override = write(tmp_path, '_shared.storage.file = "moved.db"', "override.conf")
    config = load_config([base, override], base_dir=tmp_path)
    assert config.participants["p1"].storage.file == str(tmp_path / "moved.db")


def test_override_simple_and_nested(tmp_path):
    config = load_config(overrides=["canton.participants.participant1.storage.type=memory"], base_dir=tmp_path)
    # the embedded topology migrates its stores at start (its own setting, kept by the override)
    assert config.participants["participant1"].storage == StorageConfig(type="memory", migrate_and_start=True)
    assert config.participants["participant2"].storage.type == "sqlite"


def test_override_comma_separated_and_several(tmp_path):
    config = load_config(
        overrides=[
            "canton.parameters.manual-start=yes,canton.parameters.clock.type=sim-clock",
            "canton.participants.participant2.admin-api.port=6022",
            "canton.participants.participant3.admin-api={ address = \"0.0.0.0\", port = 6032 }",
            "canton.participants.participant1.admin-api.address=\"::1\"",
        ],
        base_dir=tmp_path,
    )
    assert config.parameters.manual_start is True
    assert config.parameters.clock_type == "sim-clock"
    assert config.participants["participant2"].admin_api.port == 6022
    assert config.participants["participant3"].admin_api == ApiConfig(address="0.0.0.0", port=6032)
    assert config.participants["participant1"].admin_api.address == "::1"


def test_override_values_that_are_not_hocon_are_strings(tmp_path):
    config = load_config(
        overrides=["canton.participants.participant1.storage.file=/var/lib/canton/p1.db"], base_dir=tmp_path
    )
    assert config.participants["participant1"].storage.file == "/var/lib/canton/p1.db"
    config = load_config(overrides=["canton.participants.participant1.admin-api.address=host:name"], base_dir=tmp_path)
    assert config.participants["participant1"].admin_api.address == "host:name"


def test_override_merges_into_a_substituted_object(tmp_path):
    path = write(tmp_path, """
        _shared { storage { type = sqlite, file = "shared.db" } }
        canton.participants.p1.storage = ${_shared.storage}
        canton.participants.p1.storage.file = "p1.db"
    """)
    config = load_config([path], overrides=["canton.participants.p1.storage.parameters.max-connections=3"], base_dir=tmp_path)
    assert config.participants["p1"].storage == StorageConfig(type="sqlite", file=str(tmp_path / "p1.db"), max_connections=3)


def test_environment_substitution(tmp_path, monkeypatch):
    monkeypatch.setenv("CANTON_TEST_PORT", "6111")
    config = load_text(tmp_path, """
        canton.participants.p1.admin-api.port = 6100
        canton.participants.p1.admin-api.port = ${?CANTON_TEST_PORT}
        canton.participants.p1.ledger-api.port = 6101
        canton.participants.p1.ledger-api.port = ${?CANTON_TEST_UNSET_VARIABLE}
    """)
    assert config.participants["p1"].admin_api.port == 6111
    assert config.participants["p1"].ledger_api.port == 6101


def test_includes_resolve_against_the_including_file(tmp_path):
    (tmp_path / "conf").mkdir()
    write(tmp_path / "conf", '_shared.storage { type = sqlite, file = "shared.db" }', "storage.conf")
    main = write(tmp_path / "conf", """
        include required("storage.conf")
        canton.mediators.m1 { storage = ${_shared.storage}, admin-api.port = 6202 }
    """, "main.conf")
    config = load_config([main], base_dir=tmp_path)
    assert config.mediators["m1"].storage.file == str(tmp_path / "shared.db")


def test_comments_and_multiline_strings(tmp_path):
    config = load_text(tmp_path, '''
        # a hash comment
        // a slash comment with "quotes" and { braces
        canton.participants.p1 {
          admin-api.port = 6012 // trailing comment
          storage { type = postgres, config.properties { databaseName = d, user = u, password = """
        // not a comment
        # neither""" } }
        }
    ''')
    assert config.participants["p1"].storage.password == "\n        // not a comment\n        # neither"


def test_pyhocon_is_left_unpatched(tmp_path):
    from pyhocon import ConfigTree

    before = ConfigTree.__dict__["merge_configs"]
    load_config(base_dir=tmp_path)
    assert ConfigTree.__dict__["merge_configs"] is before


# ---------------------------------------------------------------------------------------------------
# Parameters, durations


def test_clock_and_console_timeouts(tmp_path):
    config = load_text(tmp_path, """
        canton.parameters {
          clock.type = sim-clock
          manual-start = yes
          static-identities = true
          non-standard-config = on
          timeouts.console { bounded = 2m, unbounded = 10 minutes, ledger-command = "1500ms", ping = 15 seconds }
        }
    """)
    p = config.parameters
    assert p.clock_type == "sim-clock"
    assert (p.manual_start, p.static_identities, p.non_standard_config) == (True, True, True)
    t = p.timeouts
    assert t.bounded == timedelta(minutes=2)
    assert t.unbounded == timedelta(minutes=10)
    assert t.ledger_command == timedelta(milliseconds=1500)
    assert t.ping == timedelta(seconds=15)
    assert load_text(tmp_path, "canton.parameters.timeouts.console.unbounded = Inf").parameters.timeouts.unbounded is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10s", timedelta(seconds=10)),
        ("1m", timedelta(minutes=1)),
        ("500ms", timedelta(milliseconds=500)),
        ("15 seconds", timedelta(seconds=15)),
        ("1.5h", timedelta(minutes=90)),
        ("2 days", timedelta(days=2)),
        ("250", timedelta(milliseconds=250)),
        ("100us", timedelta(microseconds=100)),
        (30, timedelta(milliseconds=30)),
        (timedelta(seconds=3), timedelta(seconds=3)),
        ("ten seconds", None),
        ("3 fortnights", None),
        ("1 month", None),
        (True, None),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def test_parse_duration_accepts_relativedelta_from_pyhocon():
    relativedelta = pytest.importorskip("dateutil.relativedelta").relativedelta
    assert parse_duration(relativedelta(seconds=90)) == timedelta(seconds=90)
    assert parse_duration(relativedelta(months=1)) is None


@FIXTURE_SETTINGS
@given(value=st.integers(min_value=0, max_value=10**6), unit=st.sampled_from(["ms", "s", "m", "h", "d", " seconds"]))
def test_durations_in_any_unit_are_read(tmp_path, value, unit):
    config = load_config(overrides=[f"canton.parameters.timeouts.console.ping={value}{unit}"], base_dir=tmp_path)
    scale = {"ms": timedelta(milliseconds=1), "s": timedelta(seconds=1), "m": timedelta(minutes=1),
             "h": timedelta(hours=1), "d": timedelta(days=1), " seconds": timedelta(seconds=1)}[unit]
    assert config.parameters.timeouts.ping == scale * value


def test_replication_and_monitoring(tmp_path):
    config = load_text(tmp_path, """
        canton.mediators.m1 {
          admin-api.port = 6202
          replication { enabled = yes, check-period = 1s }
          monitoring.http-health-server { port = 0 }
        }
    """)
    m1 = config.mediators["m1"]
    assert m1.replication.enabled is True
    assert m1.replication.check_period == timedelta(seconds=1)
    assert m1.monitoring.http_health_server.address == "localhost"
    assert m1.monitoring.http_health_server.port == 0
    assert m1.storage == StorageConfig(type="memory")


# ---------------------------------------------------------------------------------------------------
# Storage


def test_postgres_storage_and_url(tmp_path):
    config = load_text(tmp_path, """
        canton.participants.p1 {
          storage {
            type = postgres
            config {
              dataSourceClass = "org.postgresql.ds.PGSimpleDataSource"
              properties { serverName = db, portNumber = "6543", databaseName = p1, user = canton, password = "s3cr@t/" }
            }
            parameters { fail-fast-on-startup = no, max-connections = 8 }
          }
        }
        canton.participants.p2.storage { type = postgres, config.properties { databaseName = p2, user = canton, portNumber = 5433 } }
    """)
    p1, p2 = config.participants["p1"].storage, config.participants["p2"].storage
    assert (p1.server_name, p1.port_number, p1.database_name, p1.user, p1.password) == ("db", 6543, "p1", "canton", "s3cr@t/")
    assert (p1.fail_fast_on_startup, p1.max_connections) == (False, 8)
    assert p1.url() == "postgresql+psycopg://canton:s3cr%40t%2F@db:6543/p1"
    assert "s3cr" not in repr(p1)
    assert p2.url() == "postgresql+psycopg://canton@localhost:5433/p2"
    assert (p2.fail_fast_on_startup, p2.max_connections) == (True, None)


def test_memory_url_and_relative_and_absolute_sqlite_files(tmp_path):
    assert StorageConfig(type="memory").url() == "sqlite://"
    config = load_text(tmp_path, """
        canton.participants.p1.storage { type = sqlite, file = "data/p1.db" }
        canton.participants.p2.storage { type = sqlite, file = "/var/tmp/p2.db" }
    """)
    assert config.participants["p1"].storage.file == str(tmp_path / "data" / "p1.db")
    assert config.participants["p2"].storage.file == "/var/tmp/p2.db"
    assert config.participants["p2"].storage.url() == "sqlite:////var/tmp/p2.db"


def test_relative_sqlite_files_default_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, 'canton.participants.p1.storage { type = sqlite, file = "p1.db" }')
    assert load_config([path]).participants["p1"].storage.file == str(tmp_path / "p1.db")


def test_replicas_may_share_storage(tmp_path):
    config = load_text(tmp_path, """
        canton.participants {
          p1a { storage { type = sqlite, file = p1.db }, replication.enabled = true }
          p1b { storage { type = sqlite, file = "./p1.db" }, replication.enabled = true }
        }
        canton.mediators {
          m1a { storage { type = postgres, config.properties { databaseName = m1, user = u } }, replication.enabled = true }
          m1b { storage { type = postgres, config.properties { databaseName = m1, user = u, serverName = localhost } }, replication.enabled = true }
        }
    """)
    assert config.participants["p1a"].storage == config.participants["p1b"].storage
    assert config.mediators["m1a"].storage.database_name == config.mediators["m1b"].storage.database_name


# ---------------------------------------------------------------------------------------------------
# Default ports


def test_missing_ports_get_distinct_deterministic_defaults(tmp_path):
    text = """
        canton.sequencers.s1 { public-api.port = 5001 }
        canton.mediators.m1 {}
        canton.participants.p1 { http-ledger-api {} }
        canton.participants.p2 { admin-api.port = 5003, monitoring.http-health-server {} }
    """
    config = load_text(tmp_path, text)
    ports = [
        config.participants["p1"].admin_api.port,
        config.participants["p1"].ledger_api.port,
        config.participants["p1"].http_ledger_api.port,
        config.participants["p2"].ledger_api.port,
        config.participants["p2"].monitoring.http_health_server.port,
        config.sequencers["s1"].admin_api.port,
        config.mediators["m1"].admin_api.port,
    ]
    assert ports == [5002, 5004, 5005, 5006, 5007, 5008, 5009]
    assert FIRST_DEFAULT_PORT == 5001
    assert load_text(tmp_path, text) == config
    assert config.participants["p2"].http_ledger_api is None


def test_nodes_without_anything_are_valid(tmp_path):
    config = load_text(tmp_path, "canton { participants { a {}, b {} }, sequencers.c {}, mediators.d {} }")
    apis = [api for n in config.nodes().values() for api in attrs.asdict(n, recurse=False).values() if isinstance(api, ApiConfig)]
    assert len(apis) == 7  # 2 per participant and sequencer, 1 per mediator
    assert len({a.port for a in apis}) == 7


def test_empty_configs_are_fine(tmp_path):
    assert load_text(tmp_path, "") == CantonConfig()
    assert load_text(tmp_path, "canton {}").node_names() == ()
    assert load_text(tmp_path, "something-else = 1").node_names() == ()


# ---------------------------------------------------------------------------------------------------
# Errors


def assert_error(error: ConfigError, path: str, *fragments: str) -> None:
    assert isinstance(error, CantonError)
    assert error.code == CONFIG_VALIDATION_FAILED
    assert error.path == path
    assert error.cause.startswith(f"{path}: "), error.cause
    for fragment in fragments:
        assert fragment in error.cause, error.cause
    assert str(error).startswith("CONFIG_VALIDATION_FAILED(8,0): ")


def test_port_out_of_range(tmp_path):
    error = config_error(tmp_path, "canton.participants.participant1.admin-api.port = 70000")
    assert error.cause == (
        "canton.participants.participant1.admin-api.port: expected a port number between 1 and 65535, found 70000"
    )
    assert error.path == "canton.participants.participant1.admin-api.port"


@pytest.mark.parametrize("value, shown", [('"abc"', '"abc"'), ("true", "true"), ("1.5", "1.5"), ("{ a = 1 }", "an object"), ("0", "0")])
def test_port_of_wrong_type(tmp_path, value, shown):
    error = config_error(tmp_path, f"canton.sequencers.s1.public-api.port = {value}")
    assert_error(error, "canton.sequencers.s1.public-api.port", f"expected a port number between 1 and 65535, found {shown}")


def test_port_as_string_of_digits_is_accepted(tmp_path):
    assert load_text(tmp_path, 'canton.sequencers.s1.public-api.port = "6001"').sequencers["s1"].public_api.port == 6001


@FIXTURE_SETTINGS
@given(port=st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_any_port_outside_the_range_is_refused(tmp_path, port):
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[f"canton.participants.participant1.ledger-api.port={port}"], base_dir=tmp_path)
    assert_error(info.value, "canton.participants.participant1.ledger-api.port", f"found {port}")


@FIXTURE_SETTINGS
@given(port=st.integers(min_value=1, max_value=65535))
def test_any_port_in_range_is_accepted(tmp_path, port):
    config = load_config([write(tmp_path, "")], overrides=[f"canton.participants.p1.admin-api.port={port}"], base_dir=tmp_path)
    assert config.participants["p1"].admin_api.port == port
    assert config.participants["p1"].ledger_api.port != port


@FIXTURE_SETTINGS
@given(port=st.one_of(st.integers(max_value=-1), st.integers(min_value=65536)))
def test_any_health_port_outside_the_range_is_refused(tmp_path, port):
    with pytest.raises(ConfigError) as info:
        load_config([write(tmp_path, "")], overrides=[f"canton.mediators.m1.monitoring.http-health-server.port={port}"])
    assert_error(info.value, "canton.mediators.m1.monitoring.http-health-server.port", "between 0 and 65535")


def test_unknown_key_in_storage(tmp_path):
    error = config_error(tmp_path, "canton.participants.participant1.storage.typ = memory")
    assert error.cause == (
        "canton.participants.participant1.storage.typ: unknown key; expected one of: type, file, config, parameters"
    )


@pytest.mark.parametrize(
    "text, path, expected",
    [
        ("canton.participant.p1 {}", "canton.participant", "participants, sequencers, mediators, parameters"),
        ("canton.participants.p1.admin-api.prot = 1", "canton.participants.p1.admin-api.prot", "address, port"),
        ("canton.participants.p1.ledgerapi.port = 1", "canton.participants.p1.ledgerapi", "storage, admin-api, ledger-api"),
        ("canton.mediators.m1.ledger-api.port = 1", "canton.mediators.m1.ledger-api", "storage, admin-api, monitoring, replication"),
        ("canton.sequencers.s1.sequencer.kind = BFT", "canton.sequencers.s1.sequencer.kind", "type"),
        ("canton.participants.p1.replication.check_period = 1s", "canton.participants.p1.replication.check_period", "enabled, check-period"),
        ("canton.participants.p1.monitoring.health-server.port = 1", "canton.participants.p1.monitoring.health-server", "http-health-server, grpc-health-server"),
        ("canton.monitoring.tracing.propagation = enabled", "canton.monitoring.tracing", "metrics"),
        ("canton.participants.p1.storage { type = memory, parameters.max-conns = 1 }", "canton.participants.p1.storage.parameters.max-conns", "fail-fast-on-startup, max-connections"),
        ("canton.participants.p1.storage { type = postgres, config.properties.host = x }", "canton.participants.p1.storage.config.properties.host", "serverName, portNumber, databaseName, user, password"),
        ("canton.participants.p1.storage { type = postgres, config.url = x }", "canton.participants.p1.storage.config.url", "dataSourceClass, properties"),
        ("canton.parameters.clock.kind = x", "canton.parameters.clock.kind", "type"),
        ("canton.parameters.timeouts.console.testing = 1s", "canton.parameters.timeouts.console.testing", "bounded, unbounded, ledger-command, ping"),
        ("canton.parameters.manual_start = yes", "canton.parameters.manual_start", "manual-start"),
    ],
)
def test_unknown_keys_anywhere(tmp_path, text, path, expected):
    assert_error(config_error(tmp_path, text), path, "unknown key; expected one of: ", expected)


def test_unknown_storage_type(tmp_path):
    error = config_error(tmp_path, "canton.participants.participant1.storage.type = mysql")
    assert error.cause == (
        "canton.participants.participant1.storage.type: unknown storage type 'mysql'; expected memory, sqlite or postgres"
    )


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("canton.participants.p1.replication.enabled = maybe", "canton.participants.p1.replication.enabled", 'expected a boolean (true/false, yes/no, on/off), found "maybe"'),
        ("canton.participants.p1.replication.check-period = soon", "canton.participants.p1.replication.check-period", 'expected a positive duration such as 10s'),
        ("canton.participants.p1.replication.check-period = 0s", "canton.participants.p1.replication.check-period", "found 0s"),
        ("canton.parameters.timeouts.console.ping = Inf", "canton.parameters.timeouts.console.ping", 'found "Inf"'),
        ("canton.parameters.timeouts.console.bounded = 1 month", "canton.parameters.timeouts.console.bounded", "months or years"),
        ("canton.parameters.clock.type = remote-clock", "canton.parameters.clock.type", "unknown clock type 'remote-clock'; expected wall-clock or sim-clock"),
        ("canton.parameters.manual-start = 2", "canton.parameters.manual-start", "expected a boolean"),
        ("canton.participants.p1.storage { type = memory, parameters.max-connections = 0 }", "canton.participants.p1.storage.parameters.max-connections", "expected a positive integer, found 0"),
        ("canton.participants.p1.storage { type = memory, parameters.fail-fast-on-startup = sometimes }", "canton.participants.p1.storage.parameters.fail-fast-on-startup", "expected a boolean"),
        ("canton.participants.p1.storage { file = x.db }", "canton.participants.p1.storage.type", "missing; expected memory, sqlite or postgres"),
        ("canton.participants.p1.storage.type = 3", "canton.participants.p1.storage.type", "expected memory, sqlite or postgres, found 3"),
        ("canton.participants.p1.storage.type = sqlite", "canton.participants.p1.storage.file", "sqlite storage needs a database file"),
        ("canton.participants.p1.storage { type = sqlite, file = [a] }", "canton.participants.p1.storage.file", "expected a file path, found a list"),
        ("canton.participants.p1.storage { type = postgres, config.properties.user = u }", "canton.participants.p1.storage.config.properties.databaseName", "missing; postgres storage needs the database name"),
        ("canton.participants.p1.storage { type = postgres, config.properties.databaseName = d }", "canton.participants.p1.storage.config.properties.user", "missing"),
        ("canton.participants.p1.storage { type = postgres, config.properties { databaseName = d, user = u, portNumber = x } }", "canton.participants.p1.storage.config.properties.portNumber", "expected a port number"),
        ("canton.sequencers.s1.sequencer.type = fancy", "canton.sequencers.s1.sequencer.type", "unknown sequencer type 'fancy'"),
        ("canton.participants.p1.admin-api.address = [1]", "canton.participants.p1.admin-api.address", "expected a host name or IP address, found a list"),
        ("canton.participants.p1.admin-api = 5012", "canton.participants.p1.admin-api", "expected an object"),
        ("canton.participants.p1 = yes", "canton.participants.p1", "expected an object"),
        ("canton.participants = [p1]", "canton.participants", "expected an object"),
        ("canton = 1", "canton", "expected an object"),
    ],
)
def test_wrong_values(tmp_path, text, path, fragment):
    assert_error(config_error(tmp_path, text), path, fragment)


def test_same_address_and_port_twice(tmp_path):
    error = config_error(tmp_path, """
        canton.participants.p1 { admin-api.port = 6012, ledger-api.port = 6011 }
        canton.participants.p2 { admin-api { address = localhost, port = 6012 }, ledger-api.port = 6021 }
    """)
    assert_error(error, "canton.participants.p2.admin-api.port", "already used by canton.participants.p1.admin-api.port")


def test_wildcard_address_clashes_with_every_address(tmp_path):
    error = config_error(tmp_path, """
        canton.sequencers.s1 { public-api { address = "0.0.0.0", port = 6001 }, admin-api.port = 6002 }
        canton.mediators.m1 { admin-api { address = "10.1.2.3", port = 6001 } }
    """)
    assert_error(error, "canton.mediators.m1.admin-api.port", "canton.sequencers.s1.public-api.port")


def test_same_port_on_different_addresses_is_fine(tmp_path):
    config = load_text(tmp_path, """
        canton.mediators.m1.admin-api { address = "127.0.0.1", port = 6001 }
        canton.mediators.m2.admin-api { address = "127.0.0.2", port = 6001 }
        canton.mediators.m3 { admin-api.port = 6003, monitoring.http-health-server.port = 0 }
        canton.mediators.m4 { admin-api.port = 6004, monitoring.http-health-server.port = 0 }
    """)
    assert len(config.mediators) == 4


def test_duplicate_node_names_across_kinds(tmp_path):
    error = config_error(tmp_path, "canton.participants.node1 {}\ncanton.mediators.node1 {}")
    assert_error(error, "canton.mediators.node1", "node name 'node1' is already used by canton.participants.node1")


@pytest.mark.parametrize("name, hint", [("participant-1", "participant_1"), ("1st", "n1st"), ("class", "class_"), ("my node", "my_node")])
def test_node_names_must_be_python_identifiers(tmp_path, name, hint):
    error = config_error(tmp_path, f'canton.participants {{ "{name}" {{}} }}')
    assert_error(error, f"canton.participants.{name}", f"node name '{name}'", "Python", f"'{hint}'")


@FIXTURE_SETTINGS
@given(name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True))
def test_identifier_names_are_accepted(tmp_path, name):
    import keyword

    if keyword.iskeyword(name):
        return
    config = load_config([write(tmp_path, "")], overrides=[f"canton.sequencers.{name}.admin-api.port=6000"])
    assert config.node_names() == (name,)


@pytest.mark.parametrize("other", ["participants", "mediators", "sequencers"])
def test_storage_shared_without_replication_is_refused(tmp_path, other):
    error = config_error(tmp_path, f"""
        canton.participants.p1.storage {{ type = sqlite, file = "same.db" }}
        canton.{other}.x2.storage {{ type = sqlite, file = "{tmp_path}/same.db" }}
    """)
    assert_error(error, f"canton.{other}.x2.storage", "canton.participants.p1.storage", str(tmp_path / "same.db"))


def test_storage_shared_by_one_replica_only_is_refused(tmp_path):
    error = config_error(tmp_path, """
        canton.participants.p1a { storage { type = sqlite, file = "same.db" }, replication.enabled = true }
        canton.participants.p1b { storage { type = sqlite, file = "same.db" } }
    """)
    assert_error(error, "canton.participants.p1b.storage", "canton.participants.p1a.storage",
                 "canton.participants.p1b.replication.enabled is not true")


def test_replicas_of_different_kinds_cannot_share(tmp_path):
    error = config_error(tmp_path, """
        canton.participants.p1 { storage { type = postgres, config.properties { databaseName = d, user = u } }, replication.enabled = true }
        canton.mediators.m1 { storage { type = postgres, config.properties { databaseName = d, user = v } }, replication.enabled = true }
    """)
    assert_error(error, "canton.mediators.m1.storage", "canton.participants.p1.storage", "postgres database 'd'")


def test_unresolved_substitution_names_key_and_file(tmp_path):
    error = config_error(tmp_path, "canton.participants.p1.storage = ${_shared.storage}")
    assert_error(error, "canton.participants.p1.storage", "${_shared.storage}", "test.conf, line 1")


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config([tmp_path / "nope.conf"])
    assert str(tmp_path / "nope.conf") in info.value.cause
    assert "not found" in info.value.cause
    assert info.value.file == str(tmp_path / "nope.conf")


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config([tmp_path])


@pytest.mark.parametrize(
    "text, line",
    [("canton {\n  participants.p1 {\n    admin-api.port = 1\n", 4), ('canton {\n  x = "unterminated\n}\n', 2), ("a = }", 1)],
)
def test_syntax_error_names_file_and_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config([path])
    assert info.value.cause.startswith(f"{path}: syntax error at line {line}")
    assert len(info.value.cause) < 300


def test_bad_overrides(tmp_path):
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(overrides=["canton.parameters.manual-start"], base_dir=tmp_path)
    with pytest.raises(ConfigError, match="'oops' is not key=value"):
        load_config(overrides=["canton.parameters.manual-start=yes,oops"], base_dir=tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(overrides=["canton.participants.participant1.admin-api.port=0"], base_dir=tmp_path)
    assert info.value.path == "canton.participants.participant1.admin-api.port"


@settings(deadline=None, max_examples=150)
@given(text=st.text(alphabet=st.sampled_from(list('canton.participants p1{}[]=:,"$?# \n-_0123456789abc/\\+')), max_size=60))
def test_garbage_never_escapes_as_another_exception(text):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.conf"
        path.write_text(text, encoding="utf-8")
        try:
            load_config([path], base_dir=Path(tmp))
        except ConfigError:
            pass


# ---------------------------------------------------------------------------------------------------
# Examples and import cost


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.conf")), ids=lambda p: p.name)
def test_every_example_loads(tmp_path, path):
    load_config([path], base_dir=tmp_path)


def test_postgres_example_merged_over_the_default(tmp_path, monkeypatch):
    # Regression: shared blocks with ${?VAR} fallbacks, substituted into objects that already exist.
    monkeypatch.delenv("POSTGRES_HOST", raising=False)
    config = load_config([DEFAULT_CONFIG_FILE, EXAMPLES / "postgres.conf"], base_dir=tmp_path)
    assert config.participants["participant1"].storage.server_name == "localhost"
    assert config.participants["participant1"].storage.database_name == "participant1"
    assert config.participants["participant3"].storage.type == "sqlite"


def test_shared_block_after_the_canton_block(tmp_path, monkeypatch):
    monkeypatch.delenv("CANTON_TEST_UNSET_HOST", raising=False)
    config = load_text(tmp_path, """
        canton.participants.p1.storage { type = sqlite, file = x.db }
        canton.participants.p1 { storage = ${_s}, storage.config.properties.databaseName = d }
        _s { type = postgres, config.properties { user = u, serverName = "h", serverName = ${?CANTON_TEST_UNSET_HOST} } }
    """)
    assert config.participants["p1"].storage.server_name == "h"


def test_examples_are_there():
    assert {p.name for p in EXAMPLES.glob("*.conf")} >= {
        "two-synchronizers.conf", "postgres.conf", "replicated-participant.conf", "sim-clock.conf"
    }


def test_two_synchronizers_example(tmp_path):
    config = load_config([EXAMPLES / "two-synchronizers.conf"], base_dir=tmp_path)
    assert config.node_names() == ("participant1", "participant2", "sequencer1", "sequencer2", "mediator1", "mediator2")


def test_postgres_example(tmp_path, monkeypatch):
    for var in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    config = load_config([EXAMPLES / "postgres.conf"], base_dir=tmp_path)
    storage = config.participants["participant1"].storage
    assert storage.url() == "postgresql+psycopg://postgres@localhost:5432/participant1"
    assert {n.storage.database_name for n in config.nodes().values()} == set(config.node_names())
    monkeypatch.setenv("POSTGRES_HOST", "db.internal")
    monkeypatch.setenv("POSTGRES_PORT", "6543")
    config = load_config([EXAMPLES / "postgres.conf"], base_dir=tmp_path)
    assert config.mediators["mediator1"].storage.url() == "postgresql+psycopg://postgres@db.internal:6543/mediator1"


def test_replicated_participant_example(tmp_path):
    config = load_config([EXAMPLES / "replicated-participant.conf"], base_dir=tmp_path)
    a, b = config.participants["participant1a"], config.participants["participant1b"]
    assert a.storage == b.storage == StorageConfig(type="sqlite", file=str(tmp_path / "participant1.db"))
    assert a.replication.enabled and b.replication.enabled
    assert a.replication.check_period == timedelta(seconds=1)
    assert set(config.node_names()) == {"participant1a", "participant1b", "participant2", "sequencer1", "mediator1"}
    assert isinstance(a, ParticipantConfig)


def test_sim_clock_fragment_merges_after_a_topology(tmp_path):
    config = load_config([DEFAULT_CONFIG_FILE, EXAMPLES / "sim-clock.conf"], base_dir=tmp_path)
    assert config.parameters.clock_type == "sim-clock"
    assert len(config.node_names()) == 5


def test_importing_the_package_does_not_import_pyhocon():
    code = "import sys, canton_console.config; print('pyhocon' in sys.modules, 'pyparsing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.split() == ["False", "False"]
