"""A node's configuration, diagnostics and health layouts as Canton 3.3 prints them: ``<node>.config``,
``health.last_errors`` / ``last_error_trace``, ``health.dump`` (per node and top level), and the
``health.status`` layouts of the three node kinds and of ``CantonStatus``."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from conftest import cli, open_session, step_ok

SECRET = "pa55-w0rd-secret"

# participant1 on postgres (never started: no server needed), the synchronizer nodes in memory
CONFIG = f"""
canton {{
  participants.participant1 {{
    storage {{
      type = postgres
      config.properties {{ serverName = db.example, portNumber = 5433, databaseName = p1, user = canton, password = "{SECRET}" }}
      parameters.max-connections = 8
    }}
    admin-api.port = 15012
    ledger-api {{ address = "0.0.0.0", port = 15011 }}
  }}
  sequencers.sequencer1 {{ storage.type = memory, public-api.port = 15001, admin-api.port = 15002 }}
  mediators.mediator1 {{ storage.type = memory, admin-api.port = 15202 }}
}}
"""


@pytest.fixture
def mixed(tmp_path):
    session = open_session(CONFIG, tmp_path, start=False)
    session.env.start([session.env.node("sequencer1"), session.env.node("mediator1")])
    yield session
    session.close()


def test_config_values_are_canton_config_objects(mixed):
    s = mixed
    assert s.step("participant1.config.ledgerApi.port").output == "res1: Port = Port(n = 15011)\n"
    assert s.step("participant1.config.ledgerApi.address").output == 'res2: String = "0.0.0.0"\n'
    assert s.step("participant1.config.adminApi.port").output == "res3: Port = Port(n = 15012)\n"
    assert s.step("participant1.config.adminApi.address").output == 'res4: String = "127.0.0.1"\n'
    assert s.step("sequencer1.config.publicApi.port").output == "res5: Port = Port(n = 15001)\n"
    assert step_ok(s, "mediator1.config.adminApi.port.unwrap()") == 15202
    # a stopped node's config is readable: it is the console's configuration
    storage = s.step("participant1.config.storage").output
    assert storage.startswith("res7: StorageConfig = Postgres(")
    assert '"databaseName":"p1"' in storage and '"serverName":"db.example"' in storage and '"portNumber":5433' in storage
    assert '"password":"???"' in storage and SECRET not in storage
    assert "maxConnections = 8" in storage
    assert s.step("sequencer1.config.storage").output.startswith("res8: StorageConfig = Memory(\n  config = Config(SimpleConfigObject({})),\n")
    # what a node kind has not is an error, as in Canton's REPL
    out = s.step("sequencer1.config.ledgerApi")
    assert out.failed and "ledgerApi is not a member of SequencerNodeConfig" in out.output


def test_health_dump_masks_secrets_and_holds_status_and_threads(mixed, tmp_path):
    s = mixed
    target = tmp_path / "out" / "node.zip"
    path = step_ok(s, f'sequencer1.health.dump("{target}")')
    assert path == str(target)
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        dump_name = next(n for n in names if re.fullmatch(r"canton-dump-.*\.json", n))
        raw = zf.read(dump_name).decode()
    assert SECRET not in raw
    dump = json.loads(raw)
    assert dump["releaseVersion"] == "3.3.0"
    assert dump["config"].startswith("canton {")
    assert 'password="****"' in dump["config"] and "db.example" in dump["config"]
    status = dump["status"]
    assert status["sequencerStatus"] == {} and status["unreachableSequencers"]["sequencer1"]["msg"] == "Sequencer 'sequencer1' has not been initialized"
    assert status["unreachableParticipants"]["participant1"]["msg"].startswith("NODE_NOT_STARTED")
    assert status["unreachableMediators"]["mediator1"]["msg"] == "Mediator 'mediator1' has not been initialized"
    assert "MainThread" in dump["traces"]

    # the top-level dump zips the dump of the first local node that gives one (participant1 is down)
    outer = tmp_path / "all.zip"
    assert step_ok(s, f'health.dump(outputFile = "{outer}", timeout = 30.seconds)') == str(outer)
    with zipfile.ZipFile(outer) as zf:
        (inner,) = zf.namelist()
        assert inner.startswith("local-")
        zf.extract(inner, tmp_path)
    with zipfile.ZipFile(tmp_path / inner) as zf:
        assert SECRET not in b"".join(zf.read(n) for n in zf.namelist()).decode()

    # a stopped node cannot give its dump: nothing is written
    failed = s.step(f'participant1.health.dump("{tmp_path / "p1.zip"}")')
    assert failed.failed and "NODE_NOT_STARTED" in failed.output
    assert not (tmp_path / "p1.zip").exists()
    refused = s.step("health.dump(chunkSize = Some(1024))")
    assert refused.failed and "chunkSize" in refused.output


def test_status_layouts_of_each_node_kind(module_session):
    s = module_session
    participant = s.step("participant1.health.status").output
    pid = step_ok(s, "participant1.id.toProtoPrimitive")
    sync = step_ok(s, "sequencer1.synchronizer_id.toProtoPrimitive")
    short = lambda i: i[: i.rindex("::") + 2 + 12] + "..."  # noqa: E731
    lines = participant.splitlines()
    assert lines[0] == f"res1: NodeStatus[ParticipantStatus] = Participant id: {pid}"  # in full
    assert lines[1].startswith("Uptime: ")
    assert lines[2:6] == ["Ports: ", "\tledger: 5011", "\tadmin: 5012", "\tjson: 5013"]
    assert lines[6:8] == ["Connected synchronizers: ", f"\t{short(sync)}"]  # shortened, as its toString
    assert lines[8:10] == ["Unhealthy synchronizers: None", "Active: true"]
    assert lines[-2:] == ["Version: 3.3.0", "Supported protocol version(s): 33"]

    sequencer = s.step("sequencer1.health.status").output.splitlines()
    # Canton 3.3: the sequencer id is the synchronizer's uid; admin changes before the details
    assert sequencer[0] == f"res4: NodeStatus[sequencer1.Status] = Sequencer id: {sync}"
    assert sequencer[1] == f"Synchronizer id: {sync}"
    at = sequencer.index("Sequencer: SequencerHealthStatus(active = true)")
    assert sequencer[at + 1 : at + 4] == ["Accepts admin changes: true", "details-extra: None", "Components: "]
    assert sequencer[-2:] == ["Version: 3.3.0", "Protocol version: 33"]

    mediator = s.step("mediator1.health.status").output.splitlines()
    mid = step_ok(s, "mediator1.id.uid.toProtoPrimitive")
    assert mediator[0] == f"res5: NodeStatus[mediator1.Status] = Node uid: {mid}"
    assert mediator[1] == f"Synchronizer id: {sync}"
    assert mediator[3:7] == ["Ports: ", "\tadmin: 5202", "Active: true", "Components: "]


def test_canton_status_orders_answered_before_unreachable(tmp_path):
    s = open_session(
        """
        canton {
          participants.participant2 { storage.type = memory, admin-api.port = 16022, ledger-api.port = 16021 }
          participants.participant1 { storage.type = memory, admin-api.port = 16012, ledger-api.port = 16011 }
          sequencers.sequencer1 { storage.type = memory, public-api.port = 16001, admin-api.port = 16002 }
        }
        """,
        tmp_path,
        start=False,
    )
    try:
        s.env.start([s.env.node("participant2"), s.env.node("sequencer1")])
        text = s.step("health.status()").output  # Canton declares status(); both forms work
        blocks = text.split("\n\n")
        assert blocks[0] == "res1: CantonStatus = Sequencer 'sequencer1' cannot be reached: Sequencer 'sequencer1' has not been initialized"
        assert blocks[1].startswith("Status for Participant 'participant2':\nParticipant id: PAR::participant2::")
        assert blocks[2].startswith("Participant 'participant1' cannot be reached: NODE_NOT_STARTED(9,0)")
        assert s.step("health.status").output.replace("res2", "res1").split("\n\n")[0] == blocks[0]
    finally:
        s.close()


def test_last_errors_after_a_failing_command(tmp_path):
    """Through the real CLI (its logging keeps the last errors): a failing command's error is in every
    node's last_errors (the buffer is the process's, as in Canton), and its trace has the event."""
    steps = (
        'participant1.parties.enable("")\n'
        "val errs = participant1.health.last_errors()\n"
        "println(errs.size)\n"
        "val tid = errs.keySet.head\n"
        "println(errs(tid))\n"
        "println(mediator1.health.last_errors() == errs)\n"
        "println(participant1.health.last_error_trace(tid).size >= 1)\n"
        'participant1.health.last_error_trace("no-such-trace")\n'
    )
    result = cli("--no-tty", input=steps, data_dir=tmp_path / "data", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert "errs : Map[String, String] = Map(" in out
    assert "\n1\n" in out
    assert "Daml-LF Ledger String is empty" in out
    assert "\ntrue\ntrue\n" in out
    assert "FAILED_PRECONDITION/No trace available for the given traceId" in out
