"""Static synchronizer parameters and ``bootstrap.synchronizer`` as in Canton 3.3: the parameters are
stored with the synchronizer and shown by ``sequencer.synchronizer_parameters.static.get()`` (also
after a restart), sequencers and mediators are initialized only once bootstrapped, and what this
console cannot honour or Canton refuses leaves the nodes as they were."""

from __future__ import annotations

from conftest import open_session, step_ok

from canton_console.values.static_parameters import JCE, StaticSynchronizerParameters

CONFIG = """
canton {
  parameters { clock.type = sim-clock, static-identities = yes }
  sequencers.sequencer1 { storage { type = sqlite, file = "s1.db" }, public-api.port = 9301, admin-api.port = 9302 }
  mediators {
    mediator1 { storage { type = sqlite, file = "m1.db" }, admin-api.port = 9311 }
    mediator2 { storage { type = sqlite, file = "m2.db" }, admin-api.port = 9312 }
  }
  participants.participant1 { storage { type = sqlite, file = "p1.db" }, ledger-api.port = 9321, admin-api.port = 9322 }
}
"""

DEFAULTS = "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)"
KMS = "StaticSynchronizerParameters.defaults(CryptoConfig(provider = CryptoProvider.Kms), ProtocolVersion.latest)"


def failure(session, source: str) -> str:
    outcome = session.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def bootstrapped(session) -> bool:
    """Whether sequencer1 knows a synchronizer, asked of the runtime and of its store."""
    from sqlalchemy import select

    from canton_console.store import schema as s

    env = session.env
    sequencer = env.sequencers["sequencer1"]

    def read():
        with sequencer.open_storage.read() as conn:
            return conn.execute(select(s.SynchronizerRecord.synchronizer_id)).first() is not None

    stored = env.call(read)
    assert stored == (sequencer.synchronizer is not None)
    return stored


def test_static_parameters_are_stored_with_the_synchronizer_and_shown_after_a_restart(tmp_path):
    first = open_session(CONFIG, tmp_path)
    try:
        expected = step_ok(first, KMS)
        assert expected.requiredSigningSpecs.keys.names() == ["EcP256", "EcP384", "EcSecp256k1", "EcCurve25519"]  # the KMS order, not the default
        sync_id = step_ok(
            first,
            "bootstrap.synchronizer(synchronizerName = \"kms\", sequencers = Seq(sequencer1), mediators = Seq(mediator1, mediator2), "
            f"synchronizerOwners = Seq(sequencer1), synchronizerThreshold = 1, staticSynchronizerParameters = {KMS}, mediatorThreshold = 2)",
        )
        assert step_ok(first, "sequencer1.synchronizer_parameters.static.get()") == expected
        shown = first.step("sequencer1.synchronizer_parameters.static.get()").output
        assert "algorithms = Set(EC-DSA-SHA256, EC-DSA-SHA384, Ed25519)" in shown and "protocolVersion = 33" in shown
        groups = step_ok(first, "sequencer1.topology.mediators.list()")
        assert [(g.item.threshold, len(g.item.active)) for g in groups] == [(2, 2)]
    finally:
        first.close()
    second = open_session(CONFIG, tmp_path)
    try:
        assert step_ok(second, "sequencer1.synchronizer_id") == sync_id
        assert step_ok(second, "sequencer1.synchronizer_parameters.static.get()") == expected
        assert step_ok(second, "sequencer1.health.initialized()") is True
        assert step_ok(second, "mediator2.health.initialized()") is True
        # Bootstrapping again returns the synchronizer as it is (its static parameters are not replaced)
        again = step_ok(
            second,
            f'bootstrap.synchronizer("kms", Seq(sequencer1), Seq(mediator1, mediator2), Seq(sequencer1), 1, {DEFAULTS}, mediatorThreshold = 2)',
        )
        assert again == sync_id
        assert step_ok(second, "sequencer1.synchronizer_parameters.static.get()") == expected
    finally:
        second.close()


def test_sequencers_and_mediators_are_initialized_once_bootstrapped(tmp_path):
    s = open_session(CONFIG, tmp_path)
    try:
        for node in ("sequencer1", "mediator1"):
            assert step_ok(s, f"{node}.health.initialized()") is False
            assert step_ok(s, f"{node}.health.has_identity()") is True
            assert step_ok(s, f"{node}.is_initialized") is False
        assert step_ok(s, "participant1.health.initialized()") is True  # a participant: once it has its identity
        out = failure(s, "sequencer1.synchronizer_parameters.static.get()")
        assert "Sequencer 'sequencer1' has not been initialized" in out
        step_ok(s, "console.set_command_timeout(timedelta(milliseconds=200))")  # the wait below gives up after it
        out = failure(s, "mediator1.health.wait_for_initialized()")
        assert "CONSOLE_COMMAND_TIMED_OUT" in out and "mediator1 is initialized" in out
        step_ok(s, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, {DEFAULTS})')
        step_ok(s, "mediator1.health.wait_for_initialized()")
        for node in ("sequencer1", "mediator1"):
            assert step_ok(s, f"{node}.health.initialized()") is True
        assert step_ok(s, "mediator2.health.initialized()") is False  # not part of the synchronizer
        # Canton keeps a positive answer: a stopped node that was initialized still says so ...
        step_ok(s, "mediator1.stop()")
        assert step_ok(s, "mediator1.health.initialized()") is True
        assert step_ok(s, "mediator1.health.has_identity()") is False  # cannot be asked now
        # ... while a stopped node never seen initialized cannot tell
        step_ok(s, "mediator2.stop()")
        assert "NODE_NOT_STARTED" in failure(s, "mediator2.health.initialized()")
    finally:
        s.close()


def test_arguments_this_console_cannot_honour_are_refused_by_name_and_change_nothing(tmp_path):
    s = open_session(CONFIG, tmp_path)
    try:
        out = failure(
            s,
            f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, {DEFAULTS}, '
            "SubmissionRequestAmplification(PositiveInt.tryCreate(2), NonNegativeFiniteDuration.ofSeconds(1)))",
        )
        assert "UNSUPPORTED_ARGUMENT" in out and "'mediatorRequestAmplification'" in out
        out = failure(
            s,
            f'bootstrap.synchronizer("da", Seq(sequencer1), Map(mediator1 -> (Seq(sequencer1), PositiveInt.tryCreate(2))), Seq(sequencer1), 1, {DEFAULTS}, '
            "SubmissionRequestAmplification.NoAmplification, PositiveInt.one)",
        )
        assert "UNSUPPORTED_ARGUMENT" in out and "'mediatorsToSequencers'" in out
        out = failure(s, "CryptoConfig(kms = None)")
        assert "argument 'kms' is not supported" in out
        assert not bootstrapped(s)
        assert step_ok(s, "mediator1.health.initialized()") is False
        # The mediatorsToSequencers form asking what this console does is the same bootstrap
        step_ok(
            s,
            f'bootstrap.synchronizer("da", Seq(sequencer1), Map(mediator1 -> (Seq(sequencer1), PositiveInt.one)), Seq(sequencer1), 1, {DEFAULTS}, '
            "SubmissionRequestAmplification.NoAmplification, PositiveInt.one)",
        )
        assert bootstrapped(s) and step_ok(s, "mediator1.health.initialized()") is True
    finally:
        s.close()


def test_bad_input_fails_as_canton_does_and_leaves_the_storage_intact(tmp_path):
    s = open_session(CONFIG, tmp_path)
    try:
        out = failure(s, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 2, {DEFAULTS})')
        assert "The synchronizer cannot be bootstrapped: the threshold 2 must be between 1 and the number of owners (1)" in out
        out = failure(s, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, {DEFAULTS}, mediatorThreshold = 2)')
        assert "threshold (2) of mediator synchronizer state higher than number of mediators 1" in out
        out = failure(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.tryCreate("34")))')
        assert out == "java.lang.RuntimeException: Protocol version 34 is not supported. The supported versions are 33, dev.\n"
        out = failure(s, 'ProtocolVersion.tryCreate("v33")')
        assert "Unable to convert string `v33` to a protocol version." in out
        out = failure(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.dev))')
        assert "protocol version dev is not a stable protocol version" in out
        out = failure(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1)')
        assert "missing argument(s) staticSynchronizerParameters" in out
        out = failure(s, 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, ProtocolVersion.latest)')
        assert "'staticSynchronizerParameters' expects StaticSynchronizerParameters" in out
        assert not bootstrapped(s)
        for node in ("sequencer1", "mediator1"):
            assert step_ok(s, f"{node}.health.initialized()") is False
        # Nothing was left half-done: the synchronizer bootstraps and works
        step_ok(s, f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), 1, {DEFAULTS})')
        step_ok(s, 'participant1.synchronizers.connect_local(sequencer1, "da")')
        step_ok(s, "participant1.health.ping(participant1)")
    finally:
        s.close()


def test_protocol_versions_and_defaults_as_canton_names_them(tmp_path, monkeypatch):
    s = open_session(CONFIG, tmp_path, start=False)
    try:
        assert s.step("ProtocolVersion.latest").output == "res1: ProtocolVersion = 33\n"
        assert step_ok(s, "ProtocolVersion.v33") == step_ok(s, "ProtocolVersion.latest") == step_ok(s, 'ProtocolVersion.tryCreate("33")')
        assert str(step_ok(s, "ProtocolVersion.dev")) == "dev"
        refused = step_ok(s, 'ProtocolVersion.create("1")')
        assert refused.isLeft and refused.value == "Protocol version 1 is not supported. The supported versions are 33, dev."
        assert step_ok(s, 'ProtocolVersion.create("33")').value == step_ok(s, "ProtocolVersion.latest")
        monkeypatch.setenv("CANTON_PROTOCOL_VERSION", "dev")
        assert str(step_ok(s, "ProtocolVersion.forSynchronizer")) == "dev"
        monkeypatch.delenv("CANTON_PROTOCOL_VERSION")
        assert step_ok(s, "StaticSynchronizerParameters.defaults(sequencer1.config.crypto, ProtocolVersion.forSynchronizer)") == step_ok(s, DEFAULTS)
        assert step_ok(s, "com.digitalasset.canton.admin.api.client.data.StaticSynchronizerParameters.defaultsWithoutKMS(com.digitalasset.canton.version.ProtocolVersion.v33)") == step_ok(s, DEFAULTS)
        assert "StaticSynchronizerParameters.defaultsWithoutKMS" in failure(s, "StaticSynchronizerParameters()")
    finally:
        s.close()


def test_a_synchronizer_stored_before_its_crypto_specs_were_has_the_defaults():
    old = StaticSynchronizerParameters.from_dict({"protocol_version": 33})
    assert old == StaticSynchronizerParameters.for_provider(JCE, old.protocolVersion)
    assert StaticSynchronizerParameters.from_dict(old.to_dict()) == old
