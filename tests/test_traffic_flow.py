"""The founding transcript's traffic-management flow (004_8fc8212e35bd0e69.txt), run step by step:
once in Python syntax and once in Scala syntax exactly as the transcript writes it. Every output is
compared with the transcript's text; only member fingerprints, timestamps, ping durations (the matcher
normalises those) and the balances after the pings (``<placeholders>`` below) may differ. The member
order of a ``Map`` may differ too (Scala's map order is not meaningful; the matcher accepts the same
entries in another order): we list members in the order they joined the synchronizer."""

from __future__ import annotations

import re

import pytest
from founding_outputs import RES1, RES3

from canton_console.console.session import Session, in_memory, load
from canton_console.transcript import Captures, match

# ------------------------------------------------------------------------------------------------
# The transcript's outputs, copied verbatim (after-ping balances replaced by placeholders).

ALL_MEMBERS = """\
allMembersTrafficState : com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    ),
    MED::mediator1::122009299340... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    ),
    PAR::participant3::1220d6908163... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    ),
    PAR::participant2::1220a4d7463b... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    )
  )
)"""

RES5 = """\
res5: com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.353490Z,
        availableTraffic = 20000
      )
    )
  )
)"""

NEXT_SERIAL = "nextSerial : PositiveNumeric[Int] = PositiveNumeric(value = 2)"

BEFORE_PING = """\
trafficStateBeforePing : com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        extraTrafficLimit = 1000000,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = 20000,
        lastConsumedCost = 0,
        timestamp = 2025-07-17T22:19:58.861158Z,
        serial = 2,
        availableTraffic = 1020000
      )
    )
  )
)"""

RES10 = "res10: Duration = 923 milliseconds"
RES11 = "res11: Duration = 778 milliseconds"

RES12 = """\
res12: com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        extraTrafficLimit = 1000000,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = <p1-base>,
        lastConsumedCost = <p1-last>,
        timestamp = 2025-07-17T22:20:00.709255Z,
        serial = 2,
        availableTraffic = <p1-available>
      )
    ),
    MED::mediator1::122009299340... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = <m1-base>,
        lastConsumedCost = <m1-last>,
        timestamp = 2025-07-17T22:20:00.709255Z,
        availableTraffic = <m1-available>
      )
    ),
    PAR::participant3::1220d6908163... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = <p3-base>,
        lastConsumedCost = <p3-last>,
        timestamp = 2025-07-17T22:20:00.709255Z,
        availableTraffic = <p3-available>
      )
    ),
    PAR::participant2::1220a4d7463b... -> Right(
      value = TrafficState(
        extraTrafficLimit = 0,
        extraTrafficConsumed = 0,
        baseTrafficRemainder = <p2-base>,
        lastConsumedCost = <p2-last>,
        timestamp = 2025-07-17T22:20:00.709255Z,
        availableTraffic = <p2-available>
      )
    )
  )
)"""

# ------------------------------------------------------------------------------------------------
# The steps: the transcript's Scala, verbatim, and the same in Python syntax.

SCALA_STEPS = [
    ("sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)", RES1),
    (
        """import com.digitalasset.canton.config.RequireTypes.{NonNegativeNumeric, PositiveNumeric}
import com.digitalasset.canton.config.PositiveFiniteDuration
import com.digitalasset.canton.admin.api.client.data.TrafficControlParameters
val trafficControlParameters = TrafficControlParameters(
  enforceRateLimiting = true,
  maxBaseTrafficAmount = NonNegativeNumeric.tryCreate(20000L),
  readVsWriteScalingFactor = PositiveNumeric.tryCreate(200),
  maxBaseTrafficAccumulationDuration = PositiveFiniteDuration.ofSeconds(10L),
  setBalanceRequestSubmissionWindowSize = PositiveFiniteDuration.ofMinutes(5L),
  baseEventCost = NonNegativeNumeric.tryCreate(500L),
)
sequencer1.topology.synchronizer_parameters.propose_update(
  synchronizerId = sequencer1.synchronizer_id,
  _.update(trafficControl = Some(trafficControlParameters)),
)""",
        "",
    ),
    (
        """sequencer1.topology.synchronizer_parameters
  .get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)""",
        RES3,
    ),
    (
        """val allMembersTrafficState = sequencer1.traffic_control.traffic_state_of_all_members()
allMembersTrafficState""",
        ALL_MEMBERS,
    ),
    ("sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))", RES5),
    (
        """val nextSerial = allMembersTrafficState.trafficStates(participant1).serial
  .getOrElse(PositiveNumeric.tryCreate(1))
  .increment""",
        NEXT_SERIAL,
    ),
    (
        """sequencer1.traffic_control.set_traffic_balance(
  member = participant1,
  serial =  nextSerial,
  newBalance = NonNegativeNumeric.tryCreate(1000000L),
)""",
        "",
    ),
    (
        """utils.retry_until_true(
  sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
    .trafficStates(participant1)
    .serial
    .exists(_ >= nextSerial)
)""",
        "",
    ),
    (
        """val trafficStateBeforePing = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
trafficStateBeforePing""",
        BEFORE_PING,
    ),
    ("participant1.health.ping(participant2)", RES10),
    ("participant2.health.ping(participant3)", RES11),
    ("sequencer1.traffic_control.traffic_state_of_all_members()", RES12),
]

PYTHON_STEPS = [
    "sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)",
    """trafficControlParameters = TrafficControlParameters(
    enforceRateLimiting=True,
    maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000),
    readVsWriteScalingFactor=PositiveNumeric.tryCreate(200),
    maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10),
    setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5),
    baseEventCost=NonNegativeNumeric.tryCreate(500),
)
sequencer1.topology.synchronizer_parameters.propose_update(
    synchronizerId=sequencer1.synchronizer_id,
    update=lambda p: p.update(trafficControl=Some(trafficControlParameters)),
)""",
    "sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)",
    "allMembersTrafficState = sequencer1.traffic_control.traffic_state_of_all_members()",
    "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))",
    "nextSerial = allMembersTrafficState.trafficStates(participant1).serial.getOrElse(PositiveNumeric.tryCreate(1)).increment",
    """sequencer1.traffic_control.set_traffic_balance(
    member=participant1,
    serial=nextSerial,
    newBalance=NonNegativeNumeric.tryCreate(1000000),
)""",
    """utils.retry_until_true(
    lambda: sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
    .trafficStates(participant1)
    .serial
    .exists(lambda s: s >= nextSerial)
)""",
    "trafficStateBeforePing = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))",
    "participant1.health.ping(participant2)",
    "participant2.health.ping(participant3)",
    "sequencer1.traffic_control.traffic_state_of_all_members()",
]


def python_expected(text: str) -> str:
    """A Python assignment is echoed ``name: Type = ...``; the transcript's Scala ``val`` is
    ``name : Type = ...`` (the interpreter's convention). Nothing else differs."""
    return re.sub(r"^(\w+) : ", r"\1: ", text)


@pytest.fixture
def session():
    s = Session(in_memory(load()))
    s.start_nodes()
    s.bootstrap_default()
    yield s
    s.close()


def _run(session, steps: list[tuple[str, str]]) -> Captures:
    captures = Captures()
    for i, (source, expected) in enumerate(steps, start=1):
        outcome = session.step(source)
        assert not outcome.failed, f"step {i} failed:\n{source}\n{outcome.output}"
        result = match(expected.split("\n") if expected else [], outcome.output, captures, where=f"step {i}")
        assert result.ok, f"step {i}: {source}\n{result.reason or ''}\n{result.diff}"
    return captures


def _after_ping_checks(session) -> None:
    """What the after-ping balances must satisfy even though their values are ours."""
    env = session.env
    sync = next(iter(env.synchronizers.values()))
    status = session.step("sequencer1.traffic_control.last_traffic_state_update_of_members(Seq(participant1, participant2, participant3, mediator1))").value
    states = {m.split("::")[1]: status.state_of(m) for m in status.members()}
    # participant2 answered a ping and started one: it spent the most; participant1 still has its top-up
    assert states["participant2"].baseTrafficRemainder < states["participant1"].baseTrafficRemainder
    assert states["participant2"].baseTrafficRemainder < states["participant3"].baseTrafficRemainder
    assert states["participant1"].extraTrafficPurchased == 1_000_000 and states["participant1"].serial == 2
    for s in states.values():
        assert s.availableTraffic == s.extraTrafficPurchased - s.extraTrafficConsumed + s.baseTrafficRemainder
        assert s.baseTrafficRemainder < 20000  # everyone paid something
    # every participant/mediator event was charged exactly its cost; sequencers never
    log = env.call(env.sequencers["sequencer1"].event_log)
    charged = [e for e in log if e["cost"] > 0]
    assert charged and all(e["sender"].startswith(("PAR::", "MED::")) for e in charged)
    assert all(e["cost"] == 0 for e in log if e["sender"].startswith("SEQ::"))
    assert sync.traffic.params().baseEventCost == 500


def test_the_founding_flow_in_scala_syntax_prints_the_transcript(session):
    captures = _run(session, SCALA_STEPS)
    # the transcript's fingerprints were bound consistently to ours, one per member
    assert len({b.value for b in captures.fingerprints.values()}) == len(captures.fingerprints) == 4
    _after_ping_checks(session)


def test_the_founding_flow_in_python_syntax_prints_the_transcript(session):
    steps = [(py, python_expected(expected)) for py, (_scala, expected) in zip(PYTHON_STEPS, SCALA_STEPS)]
    _run(session, steps)
    _after_ping_checks(session)
    # the returned objects behave as the Scala values do
    ns = session.console.namespace
    assert ns["nextSerial"] == 2 and type(ns["nextSerial"]).__name__ == "PositiveNumeric"
    assert ns["allMembersTrafficState"].trafficStates(ns["participant1"]).serial.isEmpty
    assert ns["trafficStateBeforePing"].trafficStates(ns["participant1"]).serial.get == 2
