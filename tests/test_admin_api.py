"""The admin services over gRPC: values and failures cross unchanged, a served node answers a client
in the same way the in-process services do, and an unreachable node gives the status a gRPC client
sees, at once."""

from __future__ import annotations

import decimal
import socket

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canton_console.admin.records import NodeInfo, SequencerStateResult
from canton_console.api import build, codec
from canton_console.api.admin_client import RemoteNodeAdmin
from canton_console.api.admin_server import AdminApiServer
from canton_console.console.framework import render_canton_error
from canton_console.values import errors
from canton_console.values.errors import CantonError, ServiceStatusError
from canton_console.values.ids import MemberCode, PartyId
from canton_console.values.refined import DurationMicros, NonNegativeFiniteDuration


def roundtrip(value):
    return codec.decode(codec.pb.Value.FromString(codec.encode(value).SerializeToString()))


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.lists(inner) | st.lists(inner).map(tuple) | st.dictionaries(st.text(), inner) | st.frozensets(st.integers()),
    max_leaves=20,
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a loaded machine is slow to generate, not wrong
@given(plain)
def test_plain_values_cross_unchanged(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_records_ids_and_typed_builtins_cross_as_the_same_values():
    party = PartyId.tryFromProtoPrimitive("alice::1220" + "ab" * 32)
    state = SequencerStateResult("da::1220" + "cd" * 32, 1, ("SEQ::s1::1220" + "ef" * 32,), (), 3)
    duration = DurationMicros(30_000_000, NonNegativeFiniteDuration)
    for value in (party, state, NodeInfo("p1", "participant", False), MemberCode("PAR"), decimal.Decimal("1.50"), {"k": [party]}):
        back = roundtrip(value)
        assert back == value and type(back) is type(value)
    back = roundtrip(duration)
    assert back == duration and type(back) is DurationMicros and back.kind is NonNegativeFiniteDuration
    assert roundtrip(state).observers == ()  # an empty collection is not "no value"


def test_a_failure_crosses_with_its_code_cause_and_context():
    error = CantonError(errors.NODE_NOT_STARTED, "Instance participant 'p1' has not been started. ", "abcdef12", node="p1")
    back = roundtrip(error)
    assert type(back) is CantonError and back.code == errors.NODE_NOT_STARTED and back.cause == error.cause
    assert back.context == {"node": "p1"} and back.render() == error.render()


def test_only_this_packages_types_are_rebuilt():
    message = codec.encode(NodeInfo("p1", "participant"))
    message.record.type = "os:_wrap_close"
    with pytest.raises(codec.CodecError):
        codec.decode(message)
    with pytest.raises(codec.CodecError):
        codec.encode(socket.socket)


def test_the_generated_modules_and_protos_are_current():
    assert build.stale_protos() == [] and build.stale_modules() == []


@pytest.fixture(scope="module")
def served(module_session):
    servers = {name: AdminApiServer(module_session.admin.node(name)).start() for name in ("participant1", "sequencer1")}
    clients = {name: RemoteNodeAdmin(name, module_session.admin.node(name).info.kind, f"127.0.0.1:{s.port}") for name, s in servers.items()}
    yield module_session, clients
    for name, server in servers.items():
        clients[name].close()
        server.stop(0)


def test_a_served_participant_pings_and_answers_as_in_process(served):
    session, clients = served
    remote, local = clients["participant1"], session.admin.node("participant1")
    assert remote.describe()[:2] == ("participant1", "participant")
    assert remote.identity.member_id() == local.identity.member_id()
    target = session.admin.node("participant2").identity.member_id()
    outcome = remote.ping.ping(target, 20_000_000, None, None)
    assert outcome.failure is None and outcome.elapsed_micros > 0
    remote_status = remote.status.status()
    assert remote_status == attrs.evolve(local.status.status(), uptime_micros=remote_status.uptime_micros)
    assert remote.sequencer_setup is None and remote.ledger is not None


def test_a_node_failure_reaches_the_console_as_the_same_error(served):
    session, clients = served
    with pytest.raises(CantonError) as remote_failure:
        clients["participant1"].connectivity.disconnect("no-such-synchronizer")
    with pytest.raises(CantonError) as local_failure:
        session.admin.node("participant1").connectivity.disconnect("no-such-synchronizer")
    assert render_canton_error(remote_failure.value, "participant1") == render_canton_error(local_failure.value, "participant1")


def test_an_unreachable_node_is_unavailable_at_once():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    # with a deadline: a refused connection fails as UNAVAILABLE, it does not wait for the deadline
    remote = RemoteNodeAdmin("participant9", "participant", f"127.0.0.1:{port}", timeout=60)
    assert remote.status.is_running() is False
    with pytest.raises(ServiceStatusError) as failure:
        remote.identity.member_id()
    assert failure.value.status == "UNAVAILABLE"
    assert "Request failed for participant9.\n  GrpcServiceUnavailable: UNAVAILABLE/io exception" == render_canton_error(failure.value, "participant9")
    remote.close()


def test_every_transcript_passes_with_the_console_driving_its_nodes_over_grpc(tmp_path):
    """The documentation transcripts again, with every admin call crossing gRPC on loopback: every
    command they use works on a node reached through the service client."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    env = {**os.environ, "CANTON_CONSOLE_ADMIN_API": "grpc", "CANTON_CONSOLE_DATA": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", str(REPO / "tests" / "transcripts")], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:]
