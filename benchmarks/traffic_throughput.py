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
wall time. Target: at least 10,000 per second, and at least 40% of the floor: the same stored
rows inserted through raw sqlite3 in the same blocks, measured in the same run (``--rounds``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGET = 10_000
FLOOR_RATIO = 0.40  # of the rate of raw batched inserts of the same rows (issue 16)


def measure(submissions: int, block: int, after=None) -> float:
    """Sequenced submissions per second on a fresh default topology in a temp dir. ``after(sequencer,
    tmp)`` runs before the nodes close (the floor measures there, on the same disk)."""
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
            # Start-up work that is not sequencing stays out of the timed part: the participants' first
            # ACS commitment tick (a second after they connect, some 10 ms each with its statements
            # compiled for the first time) would otherwise fall into it.
            env.wait_until(lambda: all(p.last_computed_and_sent(sync.id) is not None for p in env.participants.values()), 10)
            senders = [p.member_id for p in env.participants.values()]
            payload = messages.encode({"type": "Probe", "pad": "x" * (200 - 25)})
            requests = [
                SubmissionRequest(senders[i % len(senders)], f"bench-{i}", (Envelope(payload, (messages.MEDIATOR_GROUP_0,)),))
                for i in range(submissions)
            ]
            sequencer = env.sequencers["sequencer1"]
            with sequencer.storage.read() as conn:
                events_before = conn.execute(select(func.count()).select_from(s.SequencedEventRow)).scalar()

            def run_block(requests_of_block):
                for request in requests_of_block:
                    sync.submit(request)
                sync.flush()  # sequence the block now (submit also posted a flush; it finds nothing left)

            start = time.perf_counter()
            for i in range(0, len(requests), block):
                env.call(run_block, requests[i : i + block])
            env.call(lambda: None)
            elapsed = time.perf_counter() - start

            with sequencer.storage.read() as conn:
                events = conn.execute(select(func.count()).select_from(s.SequencedEventRow)).scalar() - events_before
                charged = conn.execute(select(func.sum(s.SequencedEventRow.cost)).where(s.SequencedEventRow.message_id.like("bench-%"))).scalar()
            assert events == submissions, (events, submissions)
            # cost of each: 200 + 200*1*200//10000 (= 4) + 500 = 704
            assert charged == 704 * submissions, charged
            if after is not None:
                after(sequencer, Path(tmp))
            return submissions / elapsed
        finally:
            session.close()


def raw_insert_rate(sequencer, tmp: Path, block: int) -> float:
    """The floor: the rows the sequencer stored for the benchmark's submissions (read back) and the
    senders' consumed-traffic rows, inserted into the same tables (the sequencer's own DDL, indexes
    included) of a fresh SQLite file on the same disk, through sqlite3 with the store's pragmas: per
    block one transaction with one ``executemany`` of the events and the consumed rows replaced."""
    import sqlite3

    with sequencer.storage.read() as conn:
        ddl = [r[0] for r in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('cc_sequenced_events', 'cc_traffic_consumed') AND sql IS NOT NULL "
            "ORDER BY type DESC"  # tables before their indexes
        )]
        events = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT * FROM cc_sequenced_events WHERE message_id LIKE 'bench-%' ORDER BY timestamp")]
        event_columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(cc_sequenced_events)")]
        consumed = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM cc_traffic_consumed")]
        consumed_columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(cc_traffic_consumed)")]
    raw = sqlite3.connect(tmp / "floor.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        raw.execute(statement)
    insert_event = f"INSERT INTO cc_sequenced_events ({','.join(event_columns)}) VALUES ({','.join('?' * len(event_columns))})"
    insert_consumed = f"INSERT INTO cc_traffic_consumed ({','.join(consumed_columns)}) VALUES ({','.join('?' * len(consumed_columns))})"
    sync_at, member_at = consumed_columns.index("synchronizer_id"), consumed_columns.index("member")
    start = time.perf_counter()
    for i in range(0, len(events), block):
        raw.execute("BEGIN")
        raw.executemany(insert_event, events[i : i + block])
        raw.executemany("DELETE FROM cc_traffic_consumed WHERE synchronizer_id = ? AND member = ?",
                        [(r[sync_at], r[member_at]) for r in consumed])
        raw.executemany(insert_consumed, consumed)
        raw.execute("COMMIT")
    elapsed = time.perf_counter() - start
    raw.close()
    return len(events) / elapsed


def measure_with_floor(submissions: int, block: int) -> dict[str, float]:
    floor: dict[str, float] = {}
    rate = measure(submissions, block, lambda sequencer, tmp: floor.update(floor_rate=raw_insert_rate(sequencer, tmp, block)))
    return {"rate": rate, **floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20_000)
    parser.add_argument("--block", type=int, default=100, help="submissions sequenced per block (one store transaction)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each on a fresh topology (min and median printed)")
    args = parser.parse_args()
    results = [measure_with_floor(args.submissions, args.block) for _ in range(args.rounds)]
    rates = [r["rate"] for r in results]
    floors = [r["floor_rate"] for r in results]
    rate, floor = statistics.median(rates), statistics.median(floors)
    print(f"{args.submissions} submissions in blocks of {args.block}, {args.rounds} round(s): "
          f"{min(rates):,.0f} / {rate:,.0f} sequenced submissions/s (min / median; target {TARGET:,}/s: "
          f"{'met' if rate >= TARGET else 'NOT met'}); every one charged 704 bytes")
    print(f"floor, the same rows through raw sqlite3 batched inserts: {min(floors):,.0f} / {floor:,.0f} rows/s; "
          f"ratio {rate / floor:.2f} (target >= {FLOOR_RATIO:.0%}: {'met' if rate / floor >= FLOOR_RATIO else 'NOT met'})")


if __name__ == "__main__":
    main()
