"""Ping latency across processes against all nodes in one process, measured in the same run.

    python benchmarks/cross_process_ping.py [--pings 40] [--rounds 3]

Across processes: a ``canton-console daemon`` runs sequencer1 and mediator1 (serving the sequencer's
public API on a loopback port), another daemon runs participant2, and participant1 runs here; both
participants connect to the sequencer by URL. With ``--every-node-apart`` the mediator runs in a
daemon of its own too (every node in its own process), and this console bootstraps the synchronizer
over the remote sequencer and mediator. In one process: the same four nodes in one console.
Both use SQLite stores in a temp dir and the console's ping command (``participant1.health.ping``).
Rounds alternate between the two set-ups; each round's p50 is taken, and min and median over the
rounds are printed with their ratio (target: cross-process at most 3 times the one-process figure).
The CPU time per ping, summed over the processes, is printed too: on a machine with few cores and
other load, latency follows it; and so are the context switches per ping (every thread of every
process of the set-up), what being apart adds that CPU time alone does not show.

The transport's own floor is measured in the same run: the p50 round trip of one small message over a
gRPC bidirectional stream between two processes on loopback (grpcio's synchronous server, as the
nodes serve), with nothing else to do on either side. A ping waits for 6 such round trips to the
sequencer one after another (the Ping's request, participant1's confirmation, the verdict, the
Respond's request, the confirmations, the verdict), so the in-process p50 plus 6 round trips is the
least a ping across processes can take over this transport.
"""

from __future__ import annotations

import argparse
import os
import queue
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

BOOTSTRAP = 'bootstrap.synchronizer("da", Seq(sequencer1), Seq(mediator1), Seq(sequencer1), PositiveInt.one, StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))\n'


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port free now and not handed out before by this process: the kernel may give the
    same ephemeral port to two binds in a row, and two APIs of one set-up must not share one."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def node_block(kind: str, name: str, tmp: Path) -> str:
    storage = f'storage {{ type = sqlite, file = "{tmp}/{name}.db" }}'
    if kind == "sequencers":
        return f"{kind}.{name} {{ {storage}, public-api.port = {free_port()}, admin-api.port = {free_port()} }}"
    if kind == "mediators":
        return f"{kind}.{name} {{ {storage}, admin-api.port = {free_port()} }}"
    return f"{kind}.{name} {{ {storage}, ledger-api.port = {free_port()}, admin-api.port = {free_port()} }}"


class Daemon:
    def __init__(self, tmp: Path, name: str, config: str, bootstrap: str):
        (tmp / f"{name}.conf").write_text(config)
        (tmp / f"{name}.canton").write_text(bootstrap)
        args = [sys.executable, "-m", "canton_console", "--log-file-name", str(tmp / f"{name}.log"), "daemon", "-c", str(tmp / f"{name}.conf"), "--bootstrap", str(tmp / f"{name}.canton")]
        env = dict(os.environ, NO_COLOR="1", CANTON_CONSOLE_DATA=str(tmp / f"{name}-data"), PYTHONPATH=str(HERE))
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=str(tmp), env=env)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def line(self, prefix: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line is None:
                raise SystemExit(f"daemon exited before printing {prefix!r}")
            if line.startswith(prefix):
                return line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def session_of(tmp: Path, blocks: list[str]):
    from canton_console.config import load_config
    from canton_console.console.session import Session

    path = tmp / "console.conf"
    path.write_text("canton {\n" + "\n".join(blocks) + "\n}\n")
    session = Session(load_config([str(path)], base_dir=tmp))
    session.start_nodes()
    return session


def step(session, source: str):
    outcome = session.step(source)
    if outcome.failed:
        raise SystemExit(outcome.output)
    return outcome.value


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process, or of process ``pid`` (Linux /proc)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid: int | None = None) -> int:
    """Context switches (voluntary and not) of every thread of this process, or of process ``pid``,
    so far (Linux /proc)."""
    total = 0
    for status in Path(f"/proc/{pid or os.getpid()}/task").glob("*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # the thread ended meanwhile
            continue
        total += sum(int(line.split()[1]) for line in lines if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
    return total


def pings(session, target: str, n: int, others: tuple[int, ...] = ()) -> tuple[list[float], float, float]:
    """The pings' latencies (ms), and per ping the CPU time (ms) and the context switches of this
    process and ``others``."""
    for _ in range(10):
        step(session, f"participant1.health.ping({target})")
    samples = []
    cpu_before = sum(cpu_seconds(p) for p in (None, *others))
    switches_before = sum(context_switches(p) for p in (None, *others))
    for _ in range(n):
        t0 = time.perf_counter()
        step(session, f"participant1.health.ping({target})")
        samples.append((time.perf_counter() - t0) * 1000)
    cpu = sum(cpu_seconds(p) for p in (None, *others)) - cpu_before
    switches = sum(context_switches(p) for p in (None, *others)) - switches_before
    return samples, cpu * 1000 / n, switches / n


# The sequencer round trips a ping waits for one after another (see the module's docstring).
PING_ROUND_TRIPS = 6

# A gRPC bidirectional stream that echoes each message, served by grpcio's synchronous server in a
# process of its own; prints its port once it listens.
ECHO_SERVER = r"""
import grpc, sys
from concurrent import futures
def echo(requests, context):
    for request in requests:
        yield request
def identity(data):
    return data
class Echo(grpc.GenericRpcHandler):
    def service(self, details):
        return grpc.stream_stream_rpc_method_handler(echo, identity, identity)
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])
server.add_generic_rpc_handlers((Echo(),))
print(server.add_insecure_port("127.0.0.1:0"), flush=True)
server.start()
sys.stdin.read()
"""


def grpc_round_trip_ms(n: int = 2000) -> float:
    """The p50 round trip (ms) of a 200-byte message over a gRPC stream to another process on loopback."""
    import grpc

    server = subprocess.Popen([sys.executable, "-c", ECHO_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        requests: queue.SimpleQueue = queue.SimpleQueue()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.stream_stream("/echo/Echo", request_serializer=None, response_deserializer=None)(iter(requests.get, None))
            message = b"x" * 200
            samples = []
            for i in range(n + 200):
                t0 = time.perf_counter()
                requests.put(message)
                next(call)
                if i >= 200:  # the first ones warm the connection up
                    samples.append((time.perf_counter() - t0) * 1000)
            requests.put(None)
        return statistics.median(samples)
    finally:
        server.kill()
        server.wait()


def one_process_round(n: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        blocks = [node_block("sequencers", "sequencer1", tmp), node_block("mediators", "mediator1", tmp)]
        blocks += [node_block("participants", p, tmp) for p in ("participant1", "participant2")]
        session = session_of(tmp, blocks)
        try:
            step(session, BOOTSTRAP)
            step(session, "participant1.synchronizers.connect_local(sequencer1, \"da\")")
            step(session, "participant2.synchronizers.connect_local(sequencer1, \"da\")")
            samples, cpu, switches = pings(session, "participant2", n)
            return statistics.median(samples), cpu, switches
        finally:
            session.close()


def cross_process_round(n: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        seq_conf = (
            "canton {\n"
            f'  sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {port}, admin-api.port = {free_port()} }}\n'
            f"  {node_block('mediators', 'mediator1', tmp)}\n}}\n"
        )
        sequencer = Daemon(tmp, "sequencer", seq_conf, BOOTSTRAP)
        participant2 = None
        session = None
        try:
            sequencer.line("public APIs:")
            p2_conf = "canton {\n  " + node_block("participants", "participant2", tmp) + "\n}\n"
            p2_boot = f'participant2.synchronizers.connect("da", "{url}")\nprintln("participant-id " + participant2.id.toProtoPrimitive)\n'
            participant2 = Daemon(tmp, "participant2", p2_conf, p2_boot)
            p2_id = participant2.line("participant-id ").split()[1]
            session = session_of(tmp, [node_block("participants", "participant1", tmp)])
            step(session, f'participant1.synchronizers.connect("da", "{url}")')
            samples, cpu, switches = pings(session, f'"{p2_id}"', n, (sequencer.proc.pid, participant2.proc.pid))
            return statistics.median(samples), cpu, switches
        finally:
            if session is not None:
                session.close()
            if participant2 is not None:
                participant2.stop()
            sequencer.stop()


def every_node_apart_round(n: int) -> tuple[float, float, float]:
    """Every node in its own process: sequencer1, mediator1 and participant2 in daemons of their own,
    participant1 here; this console bootstraps the synchronizer over the remote sequencer and mediator."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        public, seq_admin, med_admin = free_port(), free_port(), free_port()
        url = f"http://127.0.0.1:{public}"
        seq_conf = f'canton {{ sequencers.sequencer1 {{ storage {{ type = sqlite, file = "{tmp}/seq1.db" }}, public-api.port = {public}, admin-api.port = {seq_admin} }} }}\n'
        med_conf = f'canton {{ mediators.mediator1 {{ storage {{ type = sqlite, file = "{tmp}/med1.db" }}, admin-api.port = {med_admin} }} }}\n'
        daemons: list[Daemon] = []
        session = None
        try:
            daemons.append(Daemon(tmp, "sequencer", seq_conf, ""))
            daemons.append(Daemon(tmp, "mediator", med_conf, ""))
            for daemon in daemons:
                daemon.line("canton-console daemon running")
            remote = [
                f"remote-sequencers.sequencer1 {{ admin-api {{ address = 127.0.0.1, port = {seq_admin} }}, public-api {{ address = 127.0.0.1, port = {public} }} }}",
                f"remote-mediators.mediator1 {{ admin-api {{ address = 127.0.0.1, port = {med_admin} }} }}",
            ]
            session = session_of(tmp, [node_block("participants", "participant1", tmp), *remote])
            step(session, BOOTSTRAP)
            p2_conf = "canton {\n  " + node_block("participants", "participant2", tmp) + "\n}\n"
            p2_boot = f'participant2.synchronizers.connect("da", "{url}")\nprintln("participant-id " + participant2.id.toProtoPrimitive)\n'
            participant2 = Daemon(tmp, "participant2", p2_conf, p2_boot)
            daemons.append(participant2)
            p2_id = participant2.line("participant-id ").split()[1]
            step(session, "participant1.synchronizers.connect_local(sequencer1, \"da\")")
            samples, cpu, switches = pings(session, f'"{p2_id}"', n, tuple(daemon.proc.pid for daemon in daemons))
            return statistics.median(samples), cpu, switches
        finally:
            if session is not None:
                session.close()
            for daemon in reversed(daemons):
                daemon.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pings", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--every-node-apart", action="store_true", help="the mediator in a process of its own too (not with the sequencer)")
    args = parser.parse_args()
    cross_round = every_node_apart_round if args.every_node_apart else cross_process_round
    one: list[tuple[float, float, float]] = []  # per round: p50, CPU per ping, switches per ping
    cross: list[tuple[float, float, float]] = []
    round_trips: list[float] = []
    for r in range(args.rounds):
        one.append(one_process_round(args.pings))
        cross.append(cross_round(args.pings))
        round_trips.append(grpc_round_trip_ms())
        print(
            f"round {r + 1}: one process p50 {one[-1][0]:.1f} ms, across processes p50 {cross[-1][0]:.1f} ms, "
            f"gRPC round trip p50 {round_trips[-1] * 1000:.0f} us",
            flush=True,
        )

    def line(name: str, figures: list[tuple[float, float, float]]) -> str:
        p50s = [f[0] for f in figures]
        return (
            f"{name:<16} p50 ms: min {min(p50s):.1f}  median {statistics.median(p50s):.1f}   per ping (all processes): "
            f"CPU ms median {statistics.median(f[1] for f in figures):.2f}, context switches median {statistics.median(f[2] for f in figures):.0f}"
        )

    one_p50 = statistics.median(f[0] for f in one)
    cross_p50 = statistics.median(f[0] for f in cross)
    round_trip = statistics.median(round_trips)
    floor = one_p50 + PING_ROUND_TRIPS * round_trip
    print(line("one process", one))
    print(line("across processes", cross))
    print(
        f"transport floor  gRPC round trip p50 {round_trip * 1000:.0f} us (min {min(round_trips) * 1000:.0f}); "
        f"one process + {PING_ROUND_TRIPS} round trips = {floor:.1f} ms (ratio {floor / one_p50:.2f})"
    )
    print(f"ratio (across / one, median): {cross_p50 / one_p50:.2f}  (target: at most 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
