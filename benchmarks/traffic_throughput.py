"""Sequenced submissions per second with traffic control enforced and every state durably in SQLite.

    python benchmarks/traffic_throughput.py [--submissions 20000] [--block 100]

The embedded default topology (sequencer1, mediator1, participant1..3) on SQLite files (WAL) in a
temporary directory; traffic control is switched on with the founding transcript's parameters and
every participant gets a large top-up, so nothing is refused. Then the participants send
``--submissions`` real submission requests (one 200-byte envelope to the mediator group each, as a
confirmation response does) through ``Synchronizer.submit``: the submission-time traffic check, then
sequencing in blocks of ``--block`` submissions: timestamps, the cost of each event charged to its
sender, one SQLite transaction per block holding the events and the senders' consumed-traffic rows,
and delivery to the mediator. The figure is submissions sequenced (and committed) per second of
wall time. Target: at least 10,000 per second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

TARGET = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20_000)
    parser.add_argument("--block", type=int, default=100, help="submissions sequenced per block (one store transaction)")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from canton_console.console.session import Session, load
    from canton_console.store import schema as s
    from canton_console.values import messages
    from canton_console.values.messages import Envelope, SubmissionRequest

    with tempfile.TemporaryDirectory() as tmp:
        session = Session(load([], data_dir=Path(tmp)))
        try:
            session.start_nodes()
            session.bootstrap_default()
            session.step(
                "tcp = TrafficControlParameters(enforceRateLimiting=True, maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000), "
                "readVsWriteScalingFactor=PositiveNumeric.tryCreate(200), maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10), "
                "setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5), baseEventCost=NonNegativeNumeric.tryCreate(500))"
            )
            out = session.step("sequencer1.topology.synchronizer_parameters.propose_update(sequencer1.synchronizer_id, lambda p: p.update(trafficControl=Some(tcp)))")
            assert not out.failed, out.output
            for name in ("participant1", "participant2", "participant3"):
                out = session.step(f"sequencer1.traffic_control.set_traffic_balance({name}, 1, 10**15)")
                assert not out.failed, out.output
            env = session.env
            sync = next(iter(env.synchronizers.values()))
            env.wait_until(lambda: all(sync.traffic.latest_purchase(p.member_id) for p in env.participants.values()), 10)
            senders = [p.member_id for p in env.participants.values()]
            payload = messages.encode({"type": "Probe", "pad": "x" * (200 - 25)})
            requests = [
                SubmissionRequest(senders[i % len(senders)], f"bench-{i}", (Envelope(payload, (messages.MEDIATOR_GROUP_0,)),))
                for i in range(args.submissions)
            ]
            sequencer = env.sequencers["sequencer1"]
            with sequencer.storage.read() as conn:
                events_before = conn.execute(select(func.count()).select_from(s.SequencedEventRow)).scalar()

            def run_block(block):
                for request in block:
                    sync.submit(request)
                sync.flush()  # sequence the block now (submit also posted a flush; it finds nothing left)

            start = time.perf_counter()
            for i in range(0, len(requests), args.block):
                env.call(run_block, requests[i : i + args.block])
            env.call(lambda: None)
            elapsed = time.perf_counter() - start

            with sequencer.storage.read() as conn:
                events = conn.execute(select(func.count()).select_from(s.SequencedEventRow)).scalar() - events_before
                charged = conn.execute(select(func.sum(s.SequencedEventRow.cost)).where(s.SequencedEventRow.message_id.like("bench-%"))).scalar()
            assert events == args.submissions, (events, args.submissions)
            # cost of each: 200 + 200*1*200//10000 (= 4) + 500 = 704
            assert charged == 704 * args.submissions, charged
            rate = args.submissions / elapsed
            print(f"{args.submissions} submissions in blocks of {args.block}: {elapsed:.3f} s, {rate:,.0f} sequenced submissions/s "
                  f"(target {TARGET:,}/s: {'met' if rate >= TARGET else 'NOT met'})")
            print(f"every one charged 704 bytes; {events} events and the consumed-traffic rows committed to {sequencer.storage.spec.description}")
        finally:
            session.close()


if __name__ == "__main__":
    main()
