"""Participant operations: synchronizer connection configs, resource limits, db.migrate with
migrate-and-start, metrics and the vault's KMS commands, on real SQLite stores."""

from __future__ import annotations

import sqlite3

import pytest

from canton_console.values.resource_limits import RateState, check_rate
from tests.conftest import _default_topology, step_ok
from tests.legacy_store import downgrade_store

CREATE_IOU = (
    'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", '
    'Map("issuer" -> alice, "owner" -> alice, "amount" -> {amount}))), commandId = "{cid}")'
)


def failure(session, source: str) -> str:
    outcome = session.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


# ---- synchronizer connection configs ------------------------------------------------------------


def test_config_of_a_macro_connection_then_modify_persists_across_a_restart(tmp_path):
    session = _default_topology(tmp_path)
    try:
        config = step_ok(session, 'participant1.synchronizers.config("da")').get
        assert config.synchronizerAlias == "da" and not config.manualConnect
        assert [c.sequencerAlias for c in config.sequencerConnections.connections] == ["sequencer1"]
        assert step_ok(session, 'participant1.synchronizers.is_registered("da")') is True
        assert step_ok(session, 'participant1.synchronizers.is_registered("acme")') is False
        assert not step_ok(session, 'participant1.synchronizers.config("acme")').isDefined

        step_ok(session, 'participant1.synchronizers.modify("da", _.copy(manualConnect = true, priority = 5))')
        shown = session.step('participant1.synchronizers.config("da")').output
        assert "manualConnect = true" in shown and "priority = 5" in shown
        # the alias cannot change; an unknown alias gets Canton's error; the stored config is untouched
        assert "We don't support modifying the synchronizer alias" in failure(session, 'participant1.synchronizers.modify("da", _.copy(synchronizerAlias = "x"))')
        assert "No such synchronizer acme configured" in failure(session, 'participant1.synchronizers.modify("acme", _.copy(manualConnect = true))')

        # a manual connection is not reconnected at start; reconnect_local connects it
        step_ok(session, "participant1.stop()")
        step_ok(session, "participant1.start()")
        assert step_ok(session, "participant1.synchronizers.list_connected()") == []
        entry = step_ok(session, "participant1.synchronizers.list_registered()")[0]
        assert entry._1.manualConnect and entry._1.priority == 5 and entry._2 is False
        assert step_ok(session, 'participant1.synchronizers.reconnect_local("da")') is True
        step_ok(session, "participant1.health.ping(participant2)")
    finally:
        session.close()


TWO_SEQUENCERS = """
canton {
  sequencers {
    sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 15401, admin-api.port = 15402 }
    sequencer2 { storage { type = sqlite, file = "s2.db" }, public-api.port = 15403, admin-api.port = 15404 }
  }
  mediators { mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 15405 } }
  participants {
    participant1 { storage { type = sqlite, file = "p1.db" }, admin-api.port = 15406, ledger-api.port = 15407 }
    participant2 { storage { type = sqlite, file = "p2.db" }, admin-api.port = 15408, ledger-api.port = 15409 }
  }
}
"""

BOOTSTRAP_TWO = (
    'bootstrap.synchronizer("da", sequencers = Seq(sequencer1, sequencer2), mediators = Seq(mediator1), '
    "synchronizerOwners = Seq(sequencer1), synchronizerThreshold = PositiveInt.one, "
    "staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))"
)


def test_a_modified_connection_is_what_the_participant_reconnects_through(tmp_path):
    from tests.conftest import open_session

    session = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        step_ok(session, BOOTSTRAP_TWO)
        # metrics inspection is a testing command (Canton's check(FeatureFlag.Testing)); this config does not enable them
        assert "canton.features.enable-testing-commands = yes" in failure(session, "participant1.metrics.list()")
        # connect_by_config: register and connect through sequencer1 (mediator and participant2 read through sequencer2)
        step_ok(session, "mediator1.sequencer_connection.set(SequencerConnections.single(sequencer2.sequencerConnection))")
        step_ok(session, 'participant2.synchronizers.connect_local(sequencer2, "da")')
        step_ok(session, 'participant1.synchronizers.connect_by_config(SynchronizerConnectionConfig("da", SequencerConnections.single(sequencer1.sequencerConnection)))')
        step_ok(session, "participant1.health.ping(participant2)")
        # connect_by_config again is a reconnect with the registered config (idempotent)
        step_ok(session, 'participant1.synchronizers.connect_by_config(SynchronizerConnectionConfig("da", SequencerConnections.single(sequencer1.sequencerConnection)))')

        # unmodified: with sequencer1 down, a reconnect fails
        step_ok(session, 'participant1.synchronizers.disconnect_local("da")')
        step_ok(session, "sequencer1.stop()")
        assert step_ok(session, 'participant1.synchronizers.reconnect_local("da")') is False
        # modified to sequencer2 (persisted; used from the next connect on): the reconnect goes through it
        step_ok(session, 'participant1.synchronizers.modify("da", _.copy(sequencerConnections = SequencerConnections.single(sequencer2.sequencerConnection)))')
        step_ok(session, "participant1.stop()")
        step_ok(session, "participant1.start()")
        aliases = [c.sequencerAlias for c in step_ok(session, 'participant1.synchronizers.config("da")').get.sequencerConnections.connections]
        assert aliases == ["sequencer2"]
        assert step_ok(session, 'participant1.synchronizers.reconnect_local("da")') is True
        step_ok(session, "participant1.health.ping(participant2)")
        # another alias for the same synchronizer is refused, and nothing is stored
        out = failure(session, 'participant1.synchronizers.register_by_config(SynchronizerConnectionConfig("da2", SequencerConnections.single(sequencer2.sequencerConnection)))')
        assert "SYNC_SERVICE_ALREADY_ADDED" in out
        assert step_ok(session, 'participant1.synchronizers.is_registered("da2")') is False
        # a connection to no sequencer of this console is refused; the stored config stays
        out = failure(session, 'participant1.synchronizers.modify("da", _ => SynchronizerConnectionConfig.tryGrpcSingleConnection("da", "s", "http://127.0.0.1:1"))')
        assert "UNAVAILABLE" in out
        # a synchronizer id that is not the registered synchronizer's is refused
        out = failure(session, 'participant1.synchronizers.modify("da", _.copy(synchronizerId = Some(SynchronizerId.tryFromString("acme::1220" + "ab" * 32))))')
        assert "SYNCHRONIZER_ID_MISMATCH" in out
        assert [c.sequencerAlias for c in step_ok(session, 'participant1.synchronizers.config("da")').get.sequencerConnections.connections] == ["sequencer2"]
    finally:
        session.close()


def test_register_of_a_registered_alias_changes_nothing_and_logout_keeps_the_connection(tmp_path):
    session = _default_topology(tmp_path)
    try:
        step_ok(session, 'participant3.synchronizers.disconnect("da")')
        # participant3 is registered already: register is a no-op (Canton: only when not registered)
        step_ok(session, 'participant3.synchronizers.register(sequencer1, "da")')
        assert step_ok(session, 'participant3.synchronizers.is_connected("da")') is False
        step_ok(session, 'participant3.synchronizers.reconnect("da")')
        step_ok(session, "participant1.health.ping(participant3)")
        step_ok(session, 'participant3.synchronizers.logout("da")')
        step_ok(session, "participant1.health.ping(participant3)")
        assert "SYNC_SERVICE_UNKNOWN_SYNCHRONIZER" in failure(session, 'participant3.synchronizers.logout("acme")')
    finally:
        session.close()


def test_a_registered_config_survives_a_restart_and_connects_on_reconnect(tmp_path):
    from tests.conftest import open_session

    conf = """
canton {
  sequencers.sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 15301, admin-api.port = 15302 }
  mediators.mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 15303 }
  participants.participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 15304, admin-api.port = 15305 }
}
"""
    session = open_session(conf, tmp_path)
    try:
        # before the synchronizer exists: a handshake fails, registering without one stores the config
        out = failure(session, 'participant1.synchronizers.register(sequencer1, "da", priority = 3)')
        assert "SYNC_SERVICE_BAD_CONNECTIVITY" in out
        assert step_ok(session, 'participant1.synchronizers.is_registered("da")') is False
        step_ok(session, 'participant1.synchronizers.register(SynchronizerConnectionConfig("da", SequencerConnections.single(sequencer1.sequencerConnection), priority = 3), false)')
        assert step_ok(session, 'participant1.synchronizers.is_registered("da")') is True
        step_ok(
            session,
            'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, '
            "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
        )
        assert step_ok(session, "participant1.synchronizers.list_connected()") == []
        step_ok(session, "participant1.stop()")
        step_ok(session, "participant1.start()")
        config = step_ok(session, 'participant1.synchronizers.config("da")').get
        assert config.priority == 3
        assert step_ok(session, "participant1.synchronizers.list_connected()") == []
        assert step_ok(session, 'participant1.synchronizers.reconnect("da")') is True
        step_ok(session, 'utils.retry_until_true(participant1.synchronizers.active("da"))')
        step_ok(session, "participant1.health.ping(participant1)")
    finally:
        session.close()


# ---- resource limits ------------------------------------------------------------------------------


def test_rate_limiter_allows_a_burst_then_the_rate():
    state = RateState()
    results = []
    for _ in range(4):
        ok, state = check_rate(state, 0, 4.0, 0.5)
        results.append(ok)
    assert results == [True, True, False, False]  # a burst of 0.5 * 4 = 2
    ok, state = check_rate(state, 250_000, 4.0, 0.5)  # a quarter second later one more is allowed
    assert ok


def test_resource_limits_are_persisted_and_enforced_on_submissions(tmp_path):
    session = _default_topology(tmp_path)
    try:
        step_ok(session, 'val alice = participant1.parties.enable("Alice")')
        limits = step_ok(session, "participant1.resources.resource_limits()")
        assert (limits.maxInflightValidationRequests, limits.maxSubmissionRate, limits.maxSubmissionBurstFactor) == (500, 200, 0.5)
        step_ok(session, "participant1.resources.set_resource_limits(ResourceLimits(Some(100), Some(1), 0.5))")
        step_ok(session, CREATE_IOU.format(amount=1, cid="c1"))
        out = failure(session, CREATE_IOU.format(amount=2, cid="c2"))
        assert "PARTICIPANT_BACKPRESSURE(2," in out and "exceeds the submission rate limit of 1.0 submissions per second" in out
        step_ok(session, "participant1.stop()")
        step_ok(session, "participant1.start()")
        limits = step_ok(session, "participant1.resources.resource_limits()")
        assert (limits.maxInflightValidationRequests, limits.maxSubmissionRate, limits.maxSubmissionBurstFactor) == (100, 1, 0.5)
        step_ok(session, "participant1.resources.set_resource_limits(ResourceLimits(Some(0), None))")
        out = failure(session, CREATE_IOU.format(amount=3, cid="c3"))
        assert "too many in-flight validation requests (count: 0, limit: 0)" in out
        step_ok(session, "participant1.resources.set_resource_limits(ResourceLimits(None, None))")
        step_ok(session, CREATE_IOU.format(amount=4, cid="c4"))
        # the accepted submissions are timed (c1 and c4: the process keeps its metrics across the node's restart);
        # the in-flight load was checked against the limit
        submissions = step_ok(session, 'participant1.metrics.get("daml.participant.api.commands.submissions")')
        assert submissions.count == 2 and sum(submissions.counts) == 2
        assert step_ok(session, 'participant1.metrics.get("daml.participant.inflight_validation_requests")').value == 0
        assert "non-negative" in failure(session, "participant1.resources.set_resource_limits(ResourceLimits(Some(-1), None))")
    finally:
        session.close()


# ---- db.migrate and migrate-and-start ------------------------------------------------------------


def _drop_last_added_columns(db_file, n: int = 2) -> None:
    """The store as a version n revisions older left it (its data kept)."""
    from canton_console.store import migrations

    downgrade_store(f"sqlite:///{db_file}", migrations.revision_ids()[-1 - n])


def test_a_node_on_an_older_schema_does_not_start_until_db_migrate(tmp_path):
    from canton_console.console.session import Session, load

    # Canton's default (migrate-and-start = no), which the embedded topology changes for itself
    session = Session(load([], ["canton.participants.participant1.storage.parameters.migrate-and-start=no"], data_dir=tmp_path))
    session.start_nodes()
    session.bootstrap_default()
    try:
        assert "node is already running: participant1" in failure(session, "participant1.db.migrate()")
        step_ok(session, "participant1.stop()")
        db_file = next(tmp_path.rglob("participant1.db"))
        _drop_last_added_columns(db_file)
        out = failure(session, "participant1.start()")
        from canton_console.store import migrations

        last = migrations.schema_version(migrations.head())
        assert f"failed to initialize participant1: There are 2 pending migrations to get to database schema version {last}. Currently on version {last - 2}." in out
        assert "Please run `participant1.db.migrate` to apply pending migrations" in out
        step_ok(session, "participant1.db.migrate()")
        step_ok(session, "participant1.start()")
        step_ok(session, "participant1.health.ping(participant2)")
    finally:
        session.close()


def test_migrate_and_start_applies_pending_migrations_at_start(tmp_path):
    from tests.conftest import open_session

    conf = """
canton.participants.participant1 {
  storage { type = sqlite, file = "p1.db", parameters.migrate-and-start = yes }
  ledger-api.port = 15314
  admin-api.port = 15315
}
"""
    session = open_session(conf, tmp_path)
    step_ok(session, "participant1.stop()")
    _drop_last_added_columns(tmp_path / "p1.db")
    step_ok(session, "participant1.start()")
    session.close()
    conn = sqlite3.connect(tmp_path / "p1.db")
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(cc_synchronizer_connections)")}
        recorded = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        conn.close()
    from canton_console.store import migrations

    assert {"manual_connect", "config"} <= columns
    assert recorded == [(migrations.head(),)]


def test_repair_migration_needs_force_and_rewrites_an_unreadable_schema_version(tmp_path):
    session = _default_topology(tmp_path)
    try:
        step_ok(session, "participant1.stop()")
        assert "To use it you need to call `participant1.db.repair_migration(force=true)`" in failure(session, "participant1.db.repair_migration()")
        db_file = next(tmp_path.rglob("participant1.db"))
        conn = sqlite3.connect(db_file)
        conn.execute("UPDATE cc_schema_meta SET value = 'garbage' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
        assert "unreadable schema version" in failure(session, "participant1.start()")
        step_ok(session, "participant1.db.repair_migration(force = true)")
        step_ok(session, "participant1.start()")
        step_ok(session, "participant1.health.ping(participant2)")
    finally:
        session.close()


# ---- metrics and KMS ------------------------------------------------------------------------------


def test_metrics_change_after_a_ping(tmp_path):
    session = _default_topology(tmp_path)
    try:
        name = "daml.sequencer-client.handler.sequencer-events"
        before = step_ok(session, f'participant1.metrics.get("{name}", Map("synchronizer" -> "da"))').value
        step_ok(session, "participant1.health.ping(participant2)")
        after = step_ok(session, f'participant1.metrics.get("{name}", Map("synchronizer" -> "da"))').value
        assert after > before
        listed = step_ok(session, 'participant1.metrics.list("daml.sequencer-client")')
        assert set(listed) == {name, "daml.sequencer-client.handler.delay"}
        assert "No metric of name daml.nothing with instance name participant1 found." in failure(session, 'participant1.metrics.get("daml.nothing")')
    finally:
        session.close()


@pytest.mark.parametrize(
    "source",
    [
        'participant1.keys.secret.register_kms_signing_key("kms-key-1", SigningKeyUsage.ProtocolOnly)',
        'participant1.keys.secret.register_kms_encryption_key("kms-key-1")',
        "participant1.keys.secret.rotate_wrapper_key()",
        "participant1.keys.secret.get_wrapper_key_id()",
    ],
)
def test_kms_commands_are_refused_without_a_kms(module_session, source):
    out = failure(module_session, source)
    assert "UNIMPLEMENTED/NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR(14," in out and "Node is not running an encrypted private store" in out


def test_the_cli_refuses_to_start_an_older_store_and_manual_start_lets_the_operator_migrate(tmp_path):
    from tests.conftest import cli

    data = tmp_path / "data"
    first = cli("run", "/dev/null", data_dir=data)
    assert first.returncode == 0, first.stdout + first.stderr
    _drop_last_added_columns(next(data.rglob("participant1.db")))

    # the embedded topology migrates at start; with Canton's default the node refuses
    no_migration = "canton.participants.participant1.storage.parameters.migrate-and-start=no"
    refused = cli("run", "/dev/null", "-C", no_migration, data_dir=data)
    assert refused.returncode == 1
    assert "failed to initialize participant1: There are 2 pending migrations" in refused.stdout
    assert "Please run `participant1.db.migrate` to apply pending migrations" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr

    script = tmp_path / "migrate.canton"
    script.write_text("participant1.db.migrate()\nnodes.local.start()\nparticipant1.health.ping(participant2)\n")
    migrated = cli("run", str(script), "--manual-start", "-C", no_migration, data_dir=data)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    # the embedded topology's own setting: an older store is migrated when the node starts
    _drop_last_added_columns(next(data.rglob("participant1.db")))
    ping = tmp_path / "ping.canton"
    ping.write_text("participant1.health.ping(participant2)\n")
    embedded = cli("run", str(ping), data_dir=data)
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr


# ---- the values -------------------------------------------------------------------------------------


def test_a_connection_config_round_trips_through_its_stored_form_and_prints_like_canton():
    from canton_console.pretty import render
    from canton_console.values.refined import InvalidValue, NonNegativeFiniteDuration
    from canton_console.values.sequencing import GrpcSequencerConnection, SequencerConnections
    from canton_console.values.synchronizer_connection import SYNCHRONIZER_CONNECTION_CONFIG, SynchronizerConnectionConfig

    connections = SequencerConnections((GrpcSequencerConnection(("127.0.0.1:5001",), "sequencer1"), GrpcSequencerConnection(("127.0.0.1:5101",), "sequencer2", True)), 2)
    config = SynchronizerConnectionConfig("da", connections, True, None, 7, None, NonNegativeFiniteDuration(10_000_000))
    assert SynchronizerConnectionConfig.from_json(config.to_json()) == config
    text = render(config)
    assert text.startswith("SynchronizerConnectionConfig(\n  synchronizer = Synchronizer 'da',")
    assert "priority = 7" in text and "maxRetryDelay = 10s" in text and "https://127.0.0.1:5101" in text
    assert "synchronizerId" not in text and "initialRetryDelay" not in text  # Canton's paramIfDefined
    plain = SYNCHRONIZER_CONNECTION_CONFIG("da", connections)
    assert "priority" not in render(plain)  # shown only when not 0
    assert plain.copy(manual_connect=True).manualConnect is True  # snake_case works too
    with pytest.raises(InvalidValue, match="unknown field 'alias'"):
        plain.copy(alias="x")
    with pytest.raises(InvalidValue, match="initializeFromTrustedSynchronizer"):
        plain.copy(initializeFromTrustedSynchronizer=True)
    single = SYNCHRONIZER_CONNECTION_CONFIG.tryGrpcSingleConnection("acme", "seq", "https://example.com:443")
    assert single.sequencerConnections.connections[0].urls == ("https://example.com:443",)
    with pytest.raises(InvalidValue, match="Invalid sequencer connection url"):
        SYNCHRONIZER_CONNECTION_CONFIG.tryGrpcSingleConnection("acme", "seq", "example.com")


def test_connect_local_keeps_manual_connect_priority_and_the_expected_synchronizer(tmp_path):
    from tests.conftest import open_session

    session = open_session(TWO_SEQUENCERS, tmp_path)
    try:
        step_ok(session, BOOTSTRAP_TWO)
        step_ok(session, "mediator1.sequencer_connection.set(SequencerConnections.single(sequencer2.sequencerConnection))")
        # a synchronizer id the sequencer does not serve: refused, nothing registered
        out = failure(session, 'participant1.synchronizers.connect_local(sequencer1, "da", synchronizerId = Some(SynchronizerId.tryFromString("acme::1220" + "ab" * 32)))')
        assert "SYNCHRONIZER_ID_MISMATCH" in out
        assert step_ok(session, 'participant1.synchronizers.is_registered("da")') is False
        # manualConnect: connected now (Canton's ConnectSynchronizer), left alone at a restart
        step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da", manualConnect = true, synchronizerId = Some(sequencer1.synchronizer_id), priority = 10, maxRetryDelayMillis = Some(5000L))')
        step_ok(session, 'participant2.synchronizers.connect_local_bft(Seq(sequencer1, sequencer2), "da", priority = 1)')
        step_ok(session, "participant1.health.ping(participant2)")
        config = step_ok(session, 'participant1.synchronizers.config("da")').get
        assert (config.manualConnect, config.priority, config.maxRetryDelay.micros) == (True, 10, 5_000_000)
        assert str(config.synchronizerId) == str(step_ok(session, "sequencer1.synchronizer_id"))
        assert [c.sequencerAlias for c in step_ok(session, 'participant2.synchronizers.config("da")').get.sequencerConnections.connections] == ["sequencer1", "sequencer2"]
        step_ok(session, "participants.all.stop()")
        step_ok(session, "participants.all.start()")
        assert step_ok(session, 'participant1.synchronizers.is_connected("da")') is False
        step_ok(session, "participant1.synchronizers.reconnect_all()")  # skips the manual connection
        assert step_ok(session, 'participant1.synchronizers.is_connected("da")') is False
        step_ok(session, 'utils.retry_until_true(participant2.synchronizers.active("da"))')
        assert step_ok(session, 'participant1.synchronizers.reconnect("da")') is True
        step_ok(session, "participant1.health.ping(participant2)")
    finally:
        session.close()


def test_a_connection_priority_decides_which_synchronizer_a_submission_goes_to(tmp_path):
    from tests.conftest import open_session

    conf = """
canton {
  sequencers {
    sequencer1 { storage.type = memory, public-api.port = 15501, admin-api.port = 15502 }
    sequencer2 { storage.type = memory, public-api.port = 15503, admin-api.port = 15504 }
  }
  mediators {
    mediator1 { storage.type = memory, admin-api.port = 15505 }
    mediator2 { storage.type = memory, admin-api.port = 15506 }
  }
  participants { participant1 { storage.type = memory, admin-api.port = 15507, ledger-api.port = 15508 } }
}
"""
    session = open_session(conf, tmp_path)
    try:
        for name, seq, med in (("da", "sequencer1", "mediator1"), ("acme", "sequencer2", "mediator2")):
            step_ok(
                session,
                f'bootstrap.synchronizer("{name}", Seq({seq}), Seq({med}), Seq({seq}), PositiveInt.one, '
                "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))",
            )
            step_ok(session, f'participant1.synchronizers.connect_local({seq}, "{name}")')
        step_ok(session, 'val alice = participant1.parties.enable("Alice")')
        submit = 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> {n})))).synchronizerId'
        assert step_ok(session, submit.format(n=1)).startswith("da::")  # equal priorities: the first connected
        step_ok(session, 'participant1.synchronizers.modify("acme", _.copy(priority = 5))')
        assert step_ok(session, submit.format(n=2)).startswith("acme::")
        step_ok(session, 'participant1.synchronizers.modify("da", _.withPriority(10))')
        assert step_ok(session, submit.format(n=3)).startswith("da::")
    finally:
        session.close()
