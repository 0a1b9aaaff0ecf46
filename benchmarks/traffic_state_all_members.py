"""``sequencer1.traffic_control.traffic_state_of_all_members()`` with 10,000 members.

    python benchmarks/traffic_state_all_members.py [--members 10000] [--runs 20]

The embedded default topology on SQLite files in a temporary directory, traffic control on (the
founding transcript's parameters). 10,000 more participants join the synchronizer the way a new
participant does: the sequencer sequences each one's namespace delegation and synchronizer trust
certificate, signed with the participant's own key (100 participants per broadcast, to keep the
set-up short: each broadcast is delivered to every member). Each then sends one real submission (charged:
a consumed-traffic state per member) and every tenth gets a top-up. Then the command is timed:
the median and the worst of ``--runs`` calls of the console command (the runtime query and the
result object), and once the full step as the console prints it (the rendered ``Map`` of 10,000
entries). Target: the command under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGET_MS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from canton_console.console.session import Session, load
    from canton_console.runtime.identity import SigningKey
    from canton_console.runtime.topology import topology_broadcast
    from canton_console.values import messages, topology
    from canton_console.values.ids import UniqueIdentifier
    from canton_console.values.messages import Envelope, SubmissionRequest

    with tempfile.TemporaryDirectory() as tmp:
        session = Session(load([], data_dir=Path(tmp)))
        try:
            t0 = time.perf_counter()
            session.start_nodes()
            session.bootstrap_default()
            session.step(
                "tcp = TrafficControlParameters(enforceRateLimiting=True, maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000), "
                "readVsWriteScalingFactor=PositiveNumeric.tryCreate(200), maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10), "
                "setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5), baseEventCost=NonNegativeNumeric.tryCreate(500))"
            )
            out = session.step("sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, lambda p: p.update(trafficControl=Some(tcp)))")
            assert not out.failed, out.output
            env = session.env
            sync = next(iter(env.synchronizers.values()))
            sequencer = env.sequencers["sequencer1"]

            # onboard the members through the sequencer: broadcasts of 100 members' transactions
            # (every broadcast goes to all members), 10 broadcasts per block
            members = []
            block = []
            batch = []

            def sequence(requests):
                for r in requests:
                    sync.submit(r)
                sync.flush()

            for i in range(args.members):
                key = SigningKey.generate()
                uid = UniqueIdentifier(f"member{i}", key.fingerprint)
                member = f"PAR::{uid}"
                txs = []
                for mapping in (topology.namespace_delegation(uid.namespace.unwrap, key.public_bytes.hex()), topology.trust_certificate(member, sync.id)):
                    tx = topology.TopologyTransaction(topology.REPLACE, 1, mapping)
                    txs.append(topology.SignedTopologyTransaction(tx, {uid.namespace.unwrap: key.sign(tx.bytes_to_sign()).hex()}))
                batch += txs
                members.append(member)
                if len(batch) == 200 or i == args.members - 1:
                    block.append(topology_broadcast(sequencer.member_id, batch))
                    batch = []
                if len(block) == 10 or (i == args.members - 1 and block):
                    env.call(sequence, block)
                    block = []
            env.wait_until(env.is_idle, 30)
            assert all(m in set(sync.topology.participants()) for m in members[:10] + members[-10:])

            # one charged submission each; a top-up for every tenth
            payload = messages.encode({"type": "Probe", "pad": "x" * 75})
            requests = [SubmissionRequest(m, f"probe-{i}", (Envelope(payload, (messages.MEDIATOR_GROUP_0,)),)) for i, m in enumerate(members)]
            for i in range(0, len(requests), 500):
                env.call(sequence, requests[i : i + 500])
            ref = session.console.namespace["sequencer1"]
            for i, member in enumerate(members[::10]):
                env.call(sequencer.set_traffic_balance, member, 1, 1000 + i)
            env.call(lambda: None)
            setup = time.perf_counter() - t0

            command = ref.traffic_control.traffic_state_of_all_members
            status = command()
            n = len(status)
            assert n == args.members + 4, n  # + participant1..3 and mediator1
            probe = status.state_of(members[0])
            assert probe.extraTrafficPurchased == 1000 and probe.serial == 1
            assert env.call(sync.traffic.last_update, members[0]).lastConsumedCost == 100 + 100 * 200 // 10000 + 500  # charged

            timings = []
            for _ in range(args.runs):
                start = time.perf_counter()
                status = command()
                timings.append((time.perf_counter() - start) * 1000)
            median, worst = statistics.median(timings), max(timings)

            start = time.perf_counter()
            step = session.step("sequencer1.traffic_control.traffic_state_of_all_members()")
            rendered_ms = (time.perf_counter() - start) * 1000
            lines = step.output.count("\n")

            start = time.perf_counter()
            looked_up = status.trafficStates(session.console.namespace["participant1"])
            lookup_ms = (time.perf_counter() - start) * 1000

            print(f"setup ({args.members} members onboarded through the sequencer, charged, {len(members[::10])} topped up): {setup:.1f} s")
            print(
                f"traffic_state_of_all_members() with {n} members: median {median:.1f} ms, worst {worst:.1f} ms over {args.runs} runs "
                f"(target < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'NOT met'})"
            )
            print(f"the same as a console step, printed in full ({lines} lines): {rendered_ms:.0f} ms")
            print(f"then .trafficStates(participant1) on the result: {lookup_ms:.1f} ms (availableTraffic = {looked_up.availableTraffic})")
        finally:
            session.close()


if __name__ == "__main__":
    main()
