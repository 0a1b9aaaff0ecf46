"""``bootstrap.synchronizer`` run by a console over sequencers and mediators of another process: real
daemons (sequencers and mediators not bootstrapped, a participant) on free loopback ports, a console
that names them as remote nodes (and runs a participant of its own) bootstraps the synchronizers
through the nodes' admin APIs; participants then connect and ping."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_session, step_ok
from daemons import Daemon, free_port

PARAMS = "StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)"
BOOTSTRAP_DA = f'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, {PARAMS})'


class Nodes:
    """A daemon with sequencer1, mediator1, sequencer2 and mediator2, none of them bootstrapped; a
    daemon with participant1; the console config naming them as remote nodes, with participant2,
    sequencer3 and mediator3 of the console's own process."""

    def __init__(self, tmp: Path):
        names = ("seq1_public", "seq1_admin", "med1_admin", "seq2_public", "seq2_admin", "med2_admin", "p1_ledger", "p1_admin")
        self.ports = p = {k: free_port() for k in names}
        self.synchronizers = Daemon(
            tmp,
            "synchronizers",
            f"""canton {{
  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {p["seq1_public"]}, admin-api.port = {p["seq1_admin"]} }}
  mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/med1.db" }}, admin-api.port = {p["med1_admin"]} }}
  sequencers.sequencer2 {{ storage {{ type = sqlite, file = "{tmp}/seq2.db" }}, public-api.port = {p["seq2_public"]}, admin-api.port = {p["seq2_admin"]} }}
  mediators.mediator2 {{ storage {{ type = sqlite, file = "{tmp}/med2.db" }}, admin-api.port = {p["med2_admin"]} }}
}}""",
        )
        self.participant = Daemon(
            tmp,
            "participant1",
            f"""canton {{
  participants.participant1 {{ storage {{ type = sqlite, file = "{tmp}/p1.db" }}, ledger-api.port = {p["p1_ledger"]}, admin-api.port = {p["p1_admin"]} }}
}}""",
        )
        self.console_conf = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {p["seq1_admin"]}, public-api.port = {p["seq1_public"]} }}
  remote-mediators.mediator1 {{ admin-api.port = {p["med1_admin"]} }}
  remote-sequencers.sequencer2 {{ admin-api.port = {p["seq2_admin"]}, public-api.port = {p["seq2_public"]} }}
  remote-mediators.mediator2 {{ admin-api.port = {p["med2_admin"]} }}
  remote-participants.participant1 {{ admin-api.port = {p["p1_admin"]}, ledger-api.port = {p["p1_ledger"]} }}
  participants.participant2 {{ storage.type = memory, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
  sequencers.sequencer3 {{ storage.type = memory, public-api.port = {free_port()}, admin-api.port = {free_port()} }}
  mediators.mediator3 {{ storage.type = memory, admin-api.port = {free_port()} }}
}}
"""


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote-bootstrap")
    daemons = Nodes(tmp)
    try:
        daemons.synchronizers.start()
        daemons.participant.start()
        yield daemons
    finally:
        daemons.participant.stop()
        daemons.synchronizers.stop()


@pytest.fixture(scope="module")
def session(nodes, tmp_path_factory):
    s = open_session(nodes.console_conf, tmp_path_factory.mktemp("console"), name="remote.conf")
    try:
        yield s
    finally:
        s.close()


def namespace_of(session, node: str) -> str:
    return str(step_ok(session, f"{node}.id")).rsplit("::", 1)[1]


def test_a_console_bootstraps_a_synchronizer_of_another_process_and_participants_use_it(session):
    assert step_ok(session, "sequencer1.health.initialized()") is False
    out = session.step(BOOTSTRAP_DA)
    assert not out.failed, out.output
    sync_id = f"da::{namespace_of(session, 'sequencer1')}"
    assert str(out.value) == sync_id
    assert f": SynchronizerId = da::{sync_id.split('::')[1][:12]}..." in out.output, out.output
    # the nodes of the other process are initialized for it
    assert str(step_ok(session, "sequencer1.synchronizer_id")) == sync_id
    assert step_ok(session, "mediator1.health.initialized()") is True
    assert "Active: true" in session.step("mediator1.health.status").output
    # a participant of a third process and one of the console's own connect through the sequencer's URL
    step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
    step_ok(session, 'participant2.synchronizers.connect_local(sequencer1, "da")')
    assert session.step("participant2.health.ping(participant1)").output.startswith("res")
    assert session.step("participant1.health.ping(participant2)").output.startswith("res")
    # the genesis named exactly the synchronizer's sequencer and mediator
    assert [str(s) for s in step_ok(session, "sequencer1.topology.sequencers.list(sequencer1.synchronizer_id).head.item.active")] == [
        str(step_ok(session, "sequencer1.id"))
    ]
    # the temporary store of the bootstrap is gone
    assert "da-setup" not in str(step_ok(session, "sequencer1.topology.stores.list()"))


def test_bootstrapping_it_again_returns_its_id_and_changes_nothing(session):
    sync_id = f"da::{namespace_of(session, 'sequencer1')}"
    if step_ok(session, "sequencer1.health.initialized()") is False:
        step_ok(session, BOOTSTRAP_DA)
    assert str(step_ok(session, BOOTSTRAP_DA)) == sync_id
    assert str(step_ok(session, "sequencer1.synchronizer_id")) == sync_id


def test_nodes_initialized_for_another_synchronizer_are_refused(session):
    if step_ok(session, "sequencer1.health.initialized()") is False:
        step_ok(session, BOOTSTRAP_DA)
    ns = namespace_of(session, "sequencer1")[:12] + "..."
    out = session.step(BOOTSTRAP_DA.replace('"da"', '"other"'))
    assert out.failed
    assert (
        "INVALID_ARGUMENT(8,0): The synchronizer cannot be bootstrapped: "
        f"SEQ::sequencer1::{ns} has already been initialized for synchronizer da::{ns} instead of other::{ns}." in out.output
    ), out.output
    assert "Traceback" not in out.output
    # a mediator of another synchronizer beside an uninitialized sequencer
    out = session.step(f'bootstrap.synchronizer("acme", Seq(sequencer2), Seq(mediator1), Seq(sequencer2), PositiveInt.one, {PARAMS})')
    assert out.failed and "has already been initialized for synchronizer da::" in out.output, out.output
    # nothing changed on sequencer2
    assert step_ok(session, "sequencer2.health.initialized()") is False
    out = session.step(f'bootstrap.synchronizer("acme", Seq(sequencer2), Seq(mediator2), Seq(sequencer2), PositiveInt.two, {PARAMS})')
    assert out.failed
    assert "The synchronizer cannot be bootstrapped: the threshold 2 must be between 1 and the number of owners (1)" in out.output, out.output
    assert step_ok(session, "sequencer2.health.initialized()") is False


def test_owners_in_two_processes_found_a_decentrally_owned_synchronizer(session):
    """sequencer2 (one daemon) and participant1 (another daemon) own "acme" together: both sign its
    decentralized namespace and genesis through their admin APIs."""
    seq2_ns, p1_ns = namespace_of(session, "sequencer2"), namespace_of(session, "participant1")
    out = session.step(f'bootstrap.synchronizer("acme", Seq(sequencer2), Seq(mediator2), Seq(sequencer2, participant1), PositiveInt.two, {PARAMS})')
    assert not out.failed, out.output
    acme = str(out.value)
    assert acme.startswith("acme::") and acme.split("::")[1] not in (seq2_ns, p1_ns)
    assert str(step_ok(session, "sequencer2.synchronizer_id")) == acme
    owners = step_ok(session, "sequencer2.topology.decentralized_namespaces.list(sequencer2.synchronizer_id).head.item.owners")
    assert sorted(str(o) for o in owners) == sorted([seq2_ns, p1_ns])
    assert step_ok(session, "mediator2.health.initialized()") is True
    step_ok(session, 'participant1.synchronizers.connect_local(sequencer2, "acme")')
    step_ok(session, 'participant2.synchronizers.connect_local(sequencer2, "acme")')
    assert session.step(f'participant2.health.ping(participant1, synchronizerId = Some(SynchronizerId.tryFromString("{acme}")))').output.startswith("res")
    # the same call again: the synchronizer's id, nothing changed
    again = session.step(f'bootstrap.synchronizer("acme", Seq(sequencer2), Seq(mediator2), Seq(sequencer2, participant1), PositiveInt.two, {PARAMS})')
    assert not again.failed and str(again.value) == acme, again.output


def test_local_sequencer_and_mediator_with_an_owner_of_another_process(session):
    """The console's own sequencer3 and mediator3, owned together with participant1 of a daemon: the
    same steps through the admin services, participant1 signing remotely."""
    seq3_ns, p1_ns = namespace_of(session, "sequencer3"), namespace_of(session, "participant1")
    out = session.step(f'bootstrap.synchronizer("mixed", Seq(sequencer3), Seq(mediator3), Seq(sequencer3, participant1), PositiveInt.one, {PARAMS})')
    assert not out.failed, out.output
    mixed = str(out.value)
    assert str(step_ok(session, "sequencer3.synchronizer_id")) == mixed
    owners = step_ok(session, "sequencer3.topology.decentralized_namespaces.list(sequencer3.synchronizer_id).head.item")
    assert sorted(str(o) for o in owners.owners) == sorted([seq3_ns, p1_ns]) and owners.threshold == 1
    assert step_ok(session, "mediator3.health.initialized()") is True
    step_ok(session, 'participant2.synchronizers.connect_local(sequencer3, "mixed")')
    ping = f'participant2.health.ping(participant2, synchronizerId = Some(SynchronizerId.tryFromString("{mixed}")))'
    assert session.step(ping).output.startswith("res")


def test_bootstrap_local_refuses_nodes_already_initialized(session):
    if step_ok(session, "sequencer1.health.initialized()") is False:
        step_ok(session, BOOTSTRAP_DA)
    out = session.step("bootstrap.local()")
    assert out.failed
    assert "INVALID_ARGUMENT(8,0): sequencer SEQ::sequencer" in out.output and " has already been initialized" in out.output, out.output


def test_bootstrap_local_over_a_sequencer_and_mediator_of_another_process(tmp_path):
    ports = {k: free_port() for k in ("seq_public", "seq_admin", "med_admin")}
    daemon = Daemon(
        tmp_path,
        "synchronizer",
        f"""canton {{
  sequencers.sequencer1 {{ storage.type = memory, public-api.port = {ports["seq_public"]}, admin-api.port = {ports["seq_admin"]} }}
  mediators.mediator1 {{ storage.type = memory, admin-api.port = {ports["med_admin"]} }}
}}""",
    )
    conf = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {ports["seq_admin"]}, public-api.port = {ports["seq_public"]} }}
  remote-mediators.mediator1 {{ admin-api.port = {ports["med_admin"]} }}
  participants.participant1 {{ storage.type = memory, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    daemon.start()
    try:
        session = open_session(conf, tmp_path, name="local.conf")
        try:
            out = session.step("bootstrap.local()")
            assert not out.failed, out.output
            assert str(out.value) == f"local::{namespace_of(session, 'sequencer1')}"
            assert step_ok(session, "mediator1.health.initialized()") is True
            step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "local")')
            assert session.step("participant1.health.ping(participant1)").output.startswith("res")
        finally:
            session.close()
    finally:
        daemon.stop()


def test_a_mediator_in_another_process_than_its_sequencer(tmp_path):
    ports = {k: free_port() for k in ("seq_public", "seq_admin", "med_admin")}
    sequencer = Daemon(
        tmp_path,
        "sequencer",
        f"canton.sequencers.sequencer1 {{ storage.type = memory, public-api.port = {ports['seq_public']}, admin-api.port = {ports['seq_admin']} }}",
    )
    mediator = Daemon(tmp_path, "mediator", f"canton.mediators.mediator1 {{ storage.type = memory, admin-api.port = {ports['med_admin']} }}")
    conf = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {ports["seq_admin"]}, public-api.port = {ports["seq_public"]} }}
  remote-mediators.mediator1 {{ admin-api.port = {ports["med_admin"]} }}
  participants.participant1 {{ storage.type = memory, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}
}}
"""
    sequencer.start()
    mediator.start()
    try:
        session = open_session(conf, tmp_path, name="split.conf")
        try:
            out = session.step(BOOTSTRAP_DA)
            assert not out.failed, out.output
            assert step_ok(session, "mediator1.health.initialized()") is True
            step_ok(session, 'participant1.synchronizers.connect_local(sequencer1, "da")')
            assert session.step("participant1.health.ping(participant1)").output.startswith("res")
        finally:
            session.close()
    finally:
        mediator.stop()
        sequencer.stop()


def test_bootstrap_with_a_remote_sequencer_that_is_down(tmp_path):
    conf = f"""canton {{
  remote-sequencers.sequencer1 {{ admin-api.port = {free_port()}, public-api.port = {free_port()} }}
  remote-mediators.mediator1 {{ admin-api.port = {free_port()} }}
}}
"""
    session = open_session(conf, tmp_path, name="down.conf")
    try:
        out = session.step(BOOTSTRAP_DA)
        assert out.failed and "Request failed for sequencer1.\n  GrpcServiceUnavailable: UNAVAILABLE/io exception" in out.output, out.output
        out = session.step("bootstrap.local()")
        assert out.failed and "INVALID_ARGUMENT(8,0): No sequencers available to bootstrap a local synchronizer." in out.output, out.output
        assert "Traceback" not in out.output
    finally:
        session.close()
