"""Tests for the Scala-subset translator (canton_console.console.scala_syntax)."""

from __future__ import annotations

import ast
import datetime
import inspect

import attrs
import pytest

from canton_console.console.scala_syntax import (
    BY_NAME_METHODS,
    RUNTIME_HELPERS,
    ScalaSyntaxError,
    ScalaTranslation,
    cc_apply,
    cc_div,
    cc_duration,
    cc_mod,
    cc_sel,
    detect_syntax,
    snake_case,
    translate,
)

# ---------------------------------------------------------------------------------------------------
# The founding transcript's `@` commands (docs: Sequencer Traffic Management), copied verbatim.
# ---------------------------------------------------------------------------------------------------

T1_GET_PARAMS = (
    "sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)"
)
T2_ENABLE_TRAFFIC = """import com.digitalasset.canton.config.RequireTypes.{NonNegativeNumeric, PositiveNumeric}
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
  )"""
T3_GET_PARAMS_CHAINED = """sequencer1.topology.synchronizer_parameters
  .get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)"""
T4_ALL_MEMBERS = """val allMembersTrafficState = sequencer1.traffic_control.traffic_state_of_all_members()
  allMembersTrafficState"""
T5_STATE_OF_MEMBERS = "sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))"
T6_NEXT_SERIAL = """val nextSerial = allMembersTrafficState.trafficStates(participant1).serial
  .getOrElse(PositiveNumeric.tryCreate(1))
  .increment"""
T7_SET_BALANCE = """sequencer1.traffic_control.set_traffic_balance(
    member = participant1,
    serial =  nextSerial,
    newBalance = NonNegativeNumeric.tryCreate(1000000L),
  )"""
T8_RETRY = """utils.retry_until_true(
    sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
      .trafficStates(participant1)
      .serial
      .exists(_ >= nextSerial)
  )"""
T9_BEFORE_PING = """val trafficStateBeforePing = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
  trafficStateBeforePing"""
T10_PING = "participant1.health.ping(participant2)"
T11_PING = "participant2.health.ping(participant3)"
T12_ALL_MEMBERS = "sequencer1.traffic_control.traffic_state_of_all_members()"

TRANSCRIPT = [
    T1_GET_PARAMS,
    T2_ENABLE_TRAFFIC,
    T3_GET_PARAMS_CHAINED,
    T4_ALL_MEMBERS,
    T5_STATE_OF_MEMBERS,
    T6_NEXT_SERIAL,
    T7_SET_BALANCE,
    T8_RETRY,
    T9_BEFORE_PING,
    T10_PING,
    T11_PING,
    T12_ALL_MEMBERS,
]
# These read identically (same tokens, same meaning) in Python and Scala, so by the detection rule they
# are Python; the console evaluates them as Python with the same effect.
BOTH_LANGUAGES = {T1_GET_PARAMS, T5_STATE_OF_MEMBERS, T10_PING, T11_PING, T12_ALL_MEMBERS}


# ---------------------------------------------------------------------------------------------------
# Test doubles: small stand-ins for the console's objects (inputs to the translated code).
# ---------------------------------------------------------------------------------------------------


class Seq(list):
    def __init__(self, *items):
        super().__init__(items)

    def foreach(self, f):
        for item in self:
            f(item)

    def map(self, f):
        return Seq(*(f(item) for item in self))

    def filter(self, f):
        return Seq(*(item for item in self if f(item)))

    def exists(self, f):
        return any(f(item) for item in self)


class Option:
    def __init__(self, *value):
        self.value = value

    def getOrElse(self, default):
        return self.value[0] if self.value else default

    def exists(self, pred):
        return bool(self.value) and pred(self.value[0])

    def __eq__(self, other):
        return isinstance(other, Option) and self.value == other.value

    def __repr__(self):
        return f"Some({self.value[0]!r})" if self.value else "None"


def Some(value):
    return Option(value)


NONE = Option()


class ScalaMap(dict):
    """A Scala Map: applying it to a key looks the key up."""

    def __call__(self, key):
        return self[key]


def Map(*pairs):
    return ScalaMap(pairs)


@attrs.frozen(order=True)
class PositiveNumeric:
    value: int

    @classmethod
    def tryCreate(cls, value):
        assert value > 0
        return cls(value)

    def increment(self):
        return PositiveNumeric(self.value + 1)


@attrs.frozen
class NonNegativeNumeric:
    value: int

    @classmethod
    def tryCreate(cls, value):
        assert value >= 0
        return cls(value)


class PositiveFiniteDuration:
    @staticmethod
    def ofSeconds(n):
        return datetime.timedelta(seconds=n)

    @staticmethod
    def ofMinutes(n):
        return datetime.timedelta(minutes=n)


@attrs.frozen
class TrafficControlParameters:  # the console's data classes accept the Scala (camelCase) names
    enforceRateLimiting: bool
    maxBaseTrafficAmount: NonNegativeNumeric
    readVsWriteScalingFactor: PositiveNumeric
    maxBaseTrafficAccumulationDuration: datetime.timedelta
    setBalanceRequestSubmissionWindowSize: datetime.timedelta
    baseEventCost: NonNegativeNumeric


@attrs.frozen
class DynamicSynchronizerParameters:
    trafficControl: Option = NONE

    def update(self, trafficControl=None):
        return attrs.evolve(self, trafficControl=trafficControl)


class SynchronizerParametersGroup:
    def __init__(self, log):
        self.log = log
        self.current = DynamicSynchronizerParameters()

    def get_dynamic_synchronizer_parameters(self, synchronizer_id):
        self.log.append(("get_dynamic_synchronizer_parameters", synchronizer_id))
        return self.current

    def propose_update(self, synchronizer_id, update, must_fully_authorize=False):
        assert callable(update)
        self.current = update(self.current)
        self.log.append(("propose_update", synchronizer_id, self.current))
        return None


class Topology:
    def __init__(self, log):
        self.synchronizer_parameters = SynchronizerParametersGroup(log)


@attrs.frozen
class TrafficState:
    extraTrafficLimit: int = 0
    serial: Option = NONE


@attrs.frozen
class SequencerTrafficStatus:
    trafficStates: ScalaMap


class TrafficControl:
    def __init__(self, log, members):
        self.log = log
        self.members = members
        self.states = {m: TrafficState() for m in members}
        self.pending = []  # balances become visible after a few queries (asynchronous top-up)

    def _tick(self):
        if self.pending:
            countdown, member, state = self.pending[0]
            if countdown <= 1:
                self.states[member] = state
                self.pending.pop(0)
            else:
                self.pending[0] = (countdown - 1, member, state)

    def traffic_state_of_all_members(self):
        self.log.append(("traffic_state_of_all_members",))
        self._tick()
        return SequencerTrafficStatus(ScalaMap((m, self.states[m]) for m in self.members))

    def traffic_state_of_members(self, members):
        assert isinstance(members, Seq)
        self.log.append(("traffic_state_of_members", tuple(m.name for m in members)))
        self._tick()
        return SequencerTrafficStatus(ScalaMap((m, self.states[m]) for m in members))

    def set_traffic_balance(self, member, serial, newBalance):
        self.log.append(("set_traffic_balance", member.name, serial, newBalance))
        self.pending.append((2, member, TrafficState(newBalance.value, Some(serial))))


class Health:
    def __init__(self, owner, log):
        self.owner = owner
        self.log = log

    def ping(self, other, timeout=None):
        self.log.append(("ping", self.owner.name, other.name))
        return datetime.timedelta(milliseconds=923)

    def status(self):
        return f"{self.owner.name} is running"


class Node:
    def __init__(self, name, log):
        self.name = name
        self.health = Health(self, log)

    def __repr__(self):
        return self.name


class Sequencer(Node):
    def __init__(self, name, log, members):
        super().__init__(name, log)
        self.topology = Topology(log)
        self.traffic_control = TrafficControl(log, members)

    def synchronizer_id(self):  # a parameterless method: Scala auto-applies it
        return "da::1220abcd"


class Utils:
    def __init__(self, log):
        self.log = log

    def retry_until_true(self, condition, timeout=None):
        assert callable(condition), "by-name parameter must arrive as a function"
        for attempt in range(1, 20):
            if condition():
                self.log.append(("retry_until_true", attempt))
                return None
        raise AssertionError("condition never became true")


def make_namespace():
    log: list = []
    participants = [Node(f"participant{i}", log) for i in (1, 2, 3)]
    mediator = Node("mediator1", log)
    ns = dict(RUNTIME_HELPERS)
    ns.update(
        log=log,
        participant1=participants[0],
        participant2=participants[1],
        participant3=participants[2],
        mediator1=mediator,
        sequencer1=Sequencer("sequencer1", log, [*participants, mediator]),
        participants=type("Participants", (), {"all": Seq(*participants)})(),
        utils=Utils(log),
        Seq=Seq,
        Some=Some,
        Map=Map,
        __cc_None=NONE,
        NonNegativeNumeric=NonNegativeNumeric,
        PositiveNumeric=PositiveNumeric,
        PositiveFiniteDuration=PositiveFiniteDuration,
        TrafficControlParameters=TrafficControlParameters,
    )
    return ns


_MISSING = object()


def run(source: str, ns: dict):
    """Translate, execute in ``ns`` (as the console would), return the value of a final expression."""
    translation = translate(source)
    tree = ast.parse(translation.python)
    last = _MISSING
    if translation.last_is_val_or_val_name in translation.vals and isinstance(tree.body[-1], ast.Assign):
        exec(compile(tree, "<scala>", "exec"), ns)
        last = ns[translation.last_is_val_or_val_name]
    elif tree.body and isinstance(tree.body[-1], ast.Expr):
        final = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<scala>", "exec"), ns)
        last = eval(compile(final, "<scala>", "eval"), ns)
    else:
        exec(compile(tree, "<scala>", "exec"), ns)
    return last


def py(source: str) -> str:
    return translate(source).python


# ---------------------------------------------------------------------------------------------------
# The transcript
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", TRANSCRIPT)
def test_transcript_command_translates_to_valid_python(command):
    translation = translate(command)
    assert isinstance(translation, ScalaTranslation)
    ast.parse(translation.python)


@pytest.mark.parametrize("command", TRANSCRIPT)
def test_transcript_command_detection(command):
    expected = "python" if command in BOTH_LANGUAGES else "scala"
    assert detect_syntax(command) == expected


def test_transcript_translations_exact():
    assert py(T1_GET_PARAMS) == (
        '__cc_sel(__cc_sel(sequencer1, "topology"), "synchronizer_parameters")'
        '.get_dynamic_synchronizer_parameters(__cc_sel(sequencer1, "synchronizer_id"))'
    )
    assert py(T3_GET_PARAMS_CHAINED) == py(T1_GET_PARAMS)
    t2 = translate(T2_ENABLE_TRAFFIC)
    assert t2.vals == ("trafficControlParameters",)
    assert t2.last_is_val_or_val_name is None
    assert t2.imports == (
        "com.digitalasset.canton.config.RequireTypes.NonNegativeNumeric",
        "com.digitalasset.canton.config.RequireTypes.PositiveNumeric",
        "com.digitalasset.canton.config.PositiveFiniteDuration",
        "com.digitalasset.canton.admin.api.client.data.TrafficControlParameters",
    )
    assert t2.python.splitlines() == [
        "trafficControlParameters = TrafficControlParameters(enforceRateLimiting=True, "
        "maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(__cc_long(20000)), "
        "readVsWriteScalingFactor=PositiveNumeric.tryCreate(200), "
        "maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(__cc_long(10)), "
        "setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(__cc_long(5)), "
        "baseEventCost=NonNegativeNumeric.tryCreate(__cc_long(500)))",
        '__cc_apply(__cc_sel(__cc_sel(sequencer1, "topology"), "synchronizer_parameters").propose_update, '
        '[("synchronizerId", __cc_sel(sequencer1, "synchronizer_id")), '
        "(None, (lambda __x1: __x1.update(trafficControl=Some(trafficControlParameters))))])",
    ]
    t4 = translate(T4_ALL_MEMBERS)
    assert t4.vals == ("allMembersTrafficState",)
    assert t4.last_is_val_or_val_name == "allMembersTrafficState"
    assert t4.python.splitlines() == [
        'allMembersTrafficState = __cc_sel(sequencer1, "traffic_control").traffic_state_of_all_members()',
        "allMembersTrafficState",
    ]
    t6 = translate(T6_NEXT_SERIAL)
    assert t6.vals == ("nextSerial",) and t6.last_is_val_or_val_name == "nextSerial"
    assert t6.python == (
        'nextSerial = __cc_sel(__cc_sel(allMembersTrafficState.trafficStates(participant1), "serial")'
        '.getOrElse(PositiveNumeric.tryCreate(1)), "increment")'
    )
    assert py(T7_SET_BALANCE) == (
        '__cc_sel(sequencer1, "traffic_control").set_traffic_balance(member=participant1, serial=nextSerial, '
        "newBalance=NonNegativeNumeric.tryCreate(__cc_long(1000000)))"
    )
    assert py(T8_RETRY) == (
        "utils.retry_until_true((lambda: __cc_sel(__cc_sel(sequencer1, \"traffic_control\")"
        ".traffic_state_of_members(Seq(participant1)).trafficStates(participant1), \"serial\")"
        ".exists((lambda __x1: (__x1 >= nextSerial)))))"
    )
    t9 = translate(T9_BEFORE_PING)
    assert t9.vals == ("trafficStateBeforePing",) and t9.last_is_val_or_val_name == "trafficStateBeforePing"
    assert py(T10_PING) == '__cc_sel(participant1, "health").ping(participant2)'


def test_transcript_executes_against_stand_ins():
    ns = make_namespace()
    log = ns["log"]
    p1, p2, p3 = ns["participant1"], ns["participant2"], ns["participant3"]

    params = run(T1_GET_PARAMS, ns)
    assert log[-1] == ("get_dynamic_synchronizer_parameters", "da::1220abcd")  # synchronizer_id auto-applied
    assert params.trafficControl == NONE

    assert run(T2_ENABLE_TRAFFIC, ns) is None
    expected_params = TrafficControlParameters(
        enforceRateLimiting=True,
        maxBaseTrafficAmount=NonNegativeNumeric(20000),
        readVsWriteScalingFactor=PositiveNumeric(200),
        maxBaseTrafficAccumulationDuration=datetime.timedelta(seconds=10),
        setBalanceRequestSubmissionWindowSize=datetime.timedelta(minutes=5),
        baseEventCost=NonNegativeNumeric(500),
    )
    assert ns["trafficControlParameters"] == expected_params
    # positional `_.update(...)` after the named synchronizerId bound to the 2nd parameter, `update`
    assert log[-1] == (
        "propose_update",
        "da::1220abcd",
        DynamicSynchronizerParameters(trafficControl=Some(expected_params)),
    )

    params = run(T3_GET_PARAMS_CHAINED, ns)
    assert params.trafficControl == Some(expected_params)

    status = run(T4_ALL_MEMBERS, ns)
    assert status is ns["allMembersTrafficState"]
    assert list(status.trafficStates) == [p1, p2, p3, ns["mediator1"]]

    status = run(T5_STATE_OF_MEMBERS, ns)
    assert list(status.trafficStates) == [p1]
    assert log[-1] == ("traffic_state_of_members", ("participant1",))

    assert run(T6_NEXT_SERIAL, ns) == PositiveNumeric(2)
    assert ns["nextSerial"] == PositiveNumeric(2)

    run(T7_SET_BALANCE, ns)
    assert log[-1] == ("set_traffic_balance", "participant1", PositiveNumeric(2), NonNegativeNumeric(1000000))

    run(T8_RETRY, ns)
    # the balance shows up on the second query: the by-name condition was re-evaluated
    assert log[-1] == ("retry_until_true", 2)
    assert log[-3:-1] == [("traffic_state_of_members", ("participant1",))] * 2

    status = run(T9_BEFORE_PING, ns)
    assert status.trafficStates(p1) == TrafficState(1000000, Some(PositiveNumeric(2)))

    assert run(T10_PING, ns) == datetime.timedelta(milliseconds=923)
    assert run(T11_PING, ns) == datetime.timedelta(milliseconds=923)
    assert log[-2:] == [("ping", "participant1", "participant2"), ("ping", "participant2", "participant3")]

    status = run(T12_ALL_MEMBERS, ns)
    assert len(status.trafficStates) == 4


# ---------------------------------------------------------------------------------------------------
# detect_syntax
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "participant1.health.ping(participant2)",
        "x = 1",
        'help("ping")',
        "[p.name for p in participants.all]",
        "for _ in range(3):\n    pass",
        "import os.path",
        "",
        "f(a=None)",
    ],
)
def test_detect_python(source):
    assert detect_syntax(source) == "python"


@pytest.mark.parametrize(
    "source",
    [
        "val x = 1",
        "f(true)",
        "x == false",
        "_.health",
        "xs.map(_)",
        "import com.digitalasset.canton.config.PositiveFiniteDuration",
        "import scala.concurrent.duration",
        "import a.b._",
        "10.seconds",
        "f(1000L)",
        "a && b",
        "xs.map(x => x + 1)",
        "if (a) b else c",
        "f(null)",
    ],
)
def test_detect_scala(source):
    assert detect_syntax(source) == "scala"


# ---------------------------------------------------------------------------------------------------
# The subset, idiom by idiom
# ---------------------------------------------------------------------------------------------------


def test_val_definitions():
    t = translate("val x = 1")
    assert (t.python, t.vals, t.last_is_val_or_val_name) == ("x = 1", ("x",), "x")
    t = translate("val x: Int = 1\nval y: Seq[PositiveNumeric[Int]] = Seq(x)\nval s: String = \"a\"")
    assert t.python.splitlines() == ["x = 1", "y = Seq(x)", 's = "a"']
    assert t.vals == ("x", "y", "s") and t.last_is_val_or_val_name == "s"
    t = translate("val x = 1\nval x = 2\nx + 1")
    assert t.vals == ("x",) and t.last_is_val_or_val_name is None


def test_last_statement_name():
    assert translate("val a = 1; a").last_is_val_or_val_name == "a"
    assert translate("a.b").last_is_val_or_val_name is None
    assert translate("f(a)").last_is_val_or_val_name is None
    assert translate("import a.b.C").last_is_val_or_val_name is None


def test_imports_are_dropped():
    t = translate("import a.b.{C, D => E, _}\nimport a.b._\nimport x.Y, z.W")
    assert t.python == "pass"
    assert t.imports == ("a.b.C", "a.b.D=>E", "a.b._", "a.b._", "x.Y", "z.W")
    assert translate("import scala.concurrent.duration._\n5.minutes").python == '__cc_duration(5, "minutes")'


def test_literals():
    # Long literals keep their type through __cc_long (the console echoes ``Long``).
    assert py("f(1000000L, 0xFF, 1_000, 1.5, 2.5f, 1e3, 3d)") == "f(__cc_long(1000000), 255, 1000, 1.5, 2.5, 1000.0, 3.0)"
    assert py("f(-5L, 0x10L)") == "f(__cc_long(-5), __cc_long(16))"
    assert py("f(true, false)") == "f(True, False)"
    assert py(r'"a\tb\"c\\d\u0041\n"') == r'"a\tb\"c\\dA\n"'
    assert py('"""raw \\n "q" """') == r'"raw \\n \"q\" "'
    assert py("'c'") == '"c"'
    assert py("()") == "None"
    ns = {}
    exec("v = " + py(r'"tab\there \u00e9 \"q\""'), ns)
    assert ns["v"] == 'tab\there \u00e9 "q"'


def test_named_arguments_and_trailing_commas():
    assert py("f(a = b, c = d)") == "f(a=b, c=d)"
    assert py("f(x, a = b,\n  c = d,\n)") == "f(x, a=b, c=d)"
    assert py("f(\n  1,\n  2,\n)") == "f(1, 2)"


def test_positional_after_named_uses_cc_apply():
    assert py("f(a = 1, 2)") == '__cc_apply(f, [("a", 1), (None, 2)])'

    def f(a, b, c=3):
        return (a, b, c)

    assert run("f(a = 1, 2)", {**RUNTIME_HELPERS, "f": f}) == (1, 2, 3)
    # Scala rejects a named argument out of its position followed by a positional one; so does cc_apply
    with pytest.raises(TypeError, match="specified twice"):
        run("f(1, c = 5, 2)", {**RUNTIME_HELPERS, "f": f})


def test_python_keyword_names():
    assert py("f(from = 1)") == '__cc_apply(f, [("from", 1)])'
    assert py("x.from(1)") == '__cc_attr(x, "from")(1)'
    assert py("x.from") == '__cc_sel(x, "from")'


def test_collections_option_and_tuples():
    assert py("Seq(participant1, participant2)") == "Seq(participant1, participant2)"
    assert py("Some(x)") == "Some(x)"
    assert py("None") == "__cc_None"
    assert py("Nil") == "Seq()"
    assert py('Map(a -> 1, "b" -> 2)') == 'Map((a, 1), ("b", 2))'
    assert py('(1, "x", true)') == '__cc_tuple(1, "x", True)'
    assert py("a -> b") == "(a, b)"
    ns = make_namespace()
    assert run('Map("a" -> 1, "b" -> 2)("b")', ns) == 2
    assert run("None", ns) is NONE


def test_placeholder_lambdas():
    assert py("_.update(trafficControl = Some(p))") == "(lambda __x1: __x1.update(trafficControl=Some(p)))"
    assert py("f(_.update(trafficControl = Some(p)))") == (
        "f((lambda __x1: __x1.update(trafficControl=Some(p))))"
    )
    assert py("x.exists(_ >= nextSerial)") == "x.exists((lambda __x1: (__x1 >= nextSerial)))"
    assert py("xs.map(_ + _)") == "xs.map((lambda __x1, __x2: (__x1 + __x2)))"
    # a bare `_` argument expands the enclosing expression (Scala's rule)
    assert py("xs.foreach(println(_))") == "xs.foreach((lambda __x1: println(__x1)))"
    assert py("xs.map(Some(_))") == "xs.map((lambda __x1: Some(__x1)))"
    # each argument is its own scope
    assert py("f(_.a, _.b)") == 'f((lambda __x1: __cc_sel(__x1, "a")), (lambda __x2: __cc_sel(__x2, "b")))'
    assert py('xs.filter(_.name == "a").map(_.id)') == (
        'xs.filter((lambda __x1: (__cc_sel(__x1, "name") == "a"))).map((lambda __x2: __cc_sel(__x2, "id")))'
    )
    ns = make_namespace()
    ns["apply2"] = lambda f: f(2, 3)
    assert run("apply2(_ * _)", ns) == 6
    assert run("Seq(1, 2, 3).filter(_ % 2 == 1).map(_ * 10)", ns) == [10, 30]


def test_top_level_placeholder_statement_is_a_function():
    ns = make_namespace()
    f = run("_.name", ns)
    assert f(ns["participant2"]) == "participant2"


def test_explicit_lambdas():
    assert py("xs.map(x => x * 2)") == "xs.map((lambda x: (x * 2)))"
    assert py("xs.map((x, y) => x + y)") == "xs.map((lambda x, y: (x + y)))"
    assert py("xs.map((x: Int, y: String) => x)") == "xs.map((lambda x, y: x))"
    assert py("f(() => 1)") == "f((lambda: 1))"
    ns = make_namespace()
    assert run("Seq(1, 2).map { x => x + 1 }", ns) == [2, 3]
    assert run("Seq(1, 2).map((x: Int) => {\n  val y = x * 10\n  y + 1\n})", ns) == [11, 21]


def test_participants_foreach():
    source = "participants.all.foreach(_.health.ping(participant1))"
    assert py(source) == (
        '__cc_sel(participants, "all").foreach((lambda __x1: __cc_sel(__x1, "health").ping(participant1)))'
    )
    ns = make_namespace()
    run(source, ns)
    assert ns["log"] == [("ping", f"participant{i}", "participant1") for i in (1, 2, 3)]


def test_block_lambda_with_statements():
    source = "participants.all.foreach { p =>\n  val h = p.health\n  h.ping(participant1)\n}"
    assert py(source).splitlines() == [
        "def __cc_fn_1(p):",
        '    h = __cc_sel(p, "health")',
        "    return h.ping(participant1)",
        '__cc_sel(participants, "all").foreach(__cc_fn_1)',
    ]
    ns = make_namespace()
    run(source, ns)
    assert len(ns["log"]) == 3


def test_by_name_arguments():
    assert BY_NAME_METHODS["retry_until_true"][0] == 0
    assert py("utils.retry_until_true(cond)") == "utils.retry_until_true((lambda: cond))"
    assert py("utils.retry_until_true(condition = a.ready)") == (
        'utils.retry_until_true(condition=(lambda: __cc_sel(a, "ready")))'
    )
    assert py("utils.retry_until_true { a.ready }") == 'utils.retry_until_true((lambda: __cc_sel(a, "ready")))'
    source = "utils.retry_until_true {\n  val s = counter.next()\n  s >= 3\n}"
    assert py(source).splitlines() == [
        "def __cc_block_1():",
        "    s = counter.next()",
        "    return (s >= 3)",
        "utils.retry_until_true(__cc_block_1)",
    ]

    class Counter:
        n = 0

        def next(self):
            self.n += 1
            return self.n

    ns = make_namespace()
    ns["counter"] = Counter()
    run(source, ns)
    assert ns["log"] == [("retry_until_true", 3)]
    # a custom by-name table
    assert translate("eventually(x)", by_name_methods={"eventually": (0,)}).python == "eventually((lambda: x))"
    assert translate("eventually(x)", by_name_methods={}).python == "eventually(x)"


def test_blocks_as_values():
    source = "val r = { val a = 1; a + 1 }"
    assert py(source).splitlines() == [
        "def __cc_block_1():",
        "    a = 1",
        "    return (a + 1)",
        "r = __cc_block_1()",
    ]
    assert run(source + "\nr", {**RUNTIME_HELPERS}) == 2
    assert py("f { x }") == "f(x)"
    ns = {**RUNTIME_HELPERS, "f": lambda a, b: (a, b)}
    assert run("f(1) {\n  val z = 2\n  z * 3\n}", ns) == (1, 6)
    assert run("{ }", ns) is None


def test_nested_blocks_keep_closures():
    source = "xs.map(x => f { val y = x\n y * 2 })"
    python = py(source)
    assert python.splitlines()[0] == "def __cc_fn_2(x):"
    ns = {**RUNTIME_HELPERS, "xs": Seq(1, 2), "f": lambda v: v + 1}
    assert run(source, ns) == [3, 5]


def test_block_for_non_by_name_position_of_by_name_method_is_rejected():
    with pytest.raises(ScalaSyntaxError) as info:
        translate("utils.retry_until_true(10.seconds) { x.ready }")
    assert "several parameter lists" in info.value.construct
    assert (info.value.line, info.value.column) == (1, 36)


def test_durations():
    assert py("10.seconds") == '__cc_duration(10, "seconds")'
    assert py("5.minutes") == '__cc_duration(5, "minutes")'
    assert py("500.millis") == '__cc_duration(500, "millis")'
    assert py("1.second") == '__cc_duration(1, "seconds")'
    assert py("2.hours") == '__cc_duration(2, "hours")'
    assert py("3L.days") == '__cc_duration(__cc_long(3), "days")'
    assert py("-5.seconds") == '__cc_duration((-5), "seconds")'
    assert py("1.5.seconds") == '__cc_duration(1.5, "seconds")'
    ns = {**RUNTIME_HELPERS}
    assert run("10.seconds + 500.millis", ns) == datetime.timedelta(seconds=10, milliseconds=500)
    assert run("val n = 3\nn.minutes", ns) == datetime.timedelta(minutes=3)


def test_member_selection_auto_applies():
    assert py("participant1.health.status") == '__cc_sel(__cc_sel(participant1, "health"), "status")'
    assert py("nodes.local.start") == '__cc_sel(__cc_sel(nodes, "local"), "start")'
    assert py("a.b()") == "a.b()"
    assert py("a.b(1).c") == '__cc_sel(a.b(1), "c")'
    assert py("1.toString") == '__cc_sel(1, "toString")'
    assert py("(5).abs(1)") == "(5).abs(1)"
    ns = make_namespace()
    assert run("participant1.health.status", ns) == "participant1 is running"

    started = []

    class Local:
        def start(self):
            started.append(True)

    ns["nodes"] = type("Nodes", (), {"local": Local()})()
    run("nodes.local.start", ns)
    assert started == [True]


def test_statements_over_several_lines():
    # a line starting with '.' continues; open parentheses continue; trailing operators and '=' continue
    assert py("a\n  .b(1)\n  .c") == '__cc_sel(a.b(1), "c")'
    assert py("val x =\n  1 +\n  2") == "x = (1 + 2)"
    assert py("val ok = a\n  && b") == "ok = (a and b)"
    assert py("f(\n  a,\n  b\n)") == "f(a, b)"
    assert py("x\ny") == "x\ny"
    assert py("x; y;; z") == "x\ny\nz"
    assert py("val n = 1\n-5") == "n = 1\n(-5)"
    assert py("val n = 1\n  - 5") == "n = (1 - 5)"
    assert py("if (c)\n  a\nelse\n  b") == "(a if c else b)"
    assert py("if (c) {\n  a\n} else {\n  b\n}") == "(a if c else b)"


def test_comments():
    assert py("// just a comment") == "pass"
    assert py("val x = 1 /* one */ + 2 // two\n/* a /* nested */ comment\n*/ x") == "x = (1 + 2)\nx"
    assert py("f(a, // first\n  b)") == "f(a, b)"


def test_operators():
    assert py("a == b && c != d || !e") == "(((a == b) and (c != d)) or (not e))"
    assert py("a < b && a <= b && a > b && a >= b") == "((((a < b) and (a <= b)) and (a > b)) and (a >= b))"
    assert py("a + b * c - d") == "((a + (b * c)) - d)"
    assert py("-x + +y") == "((-x) + (+y))"
    assert py("a / b % c") == "__cc_mod(__cc_div(a, b), c)"
    assert py("xs ++ ys") == "(xs + ys)"
    assert py("if (a > 1) 10.seconds else 1.second") == (
        '(__cc_duration(10, "seconds") if (a > 1) else __cc_duration(1, "seconds"))'
    )
    assert py("if (c) f(x)") == "(f(x) if c else None)"
    ns = {**RUNTIME_HELPERS}
    assert run("7 / 2", ns) == 3
    assert run("-7 / 2", ns) == -3
    assert run("-7 % 3", ns) == -1
    assert run("7.0 / 2", ns) == 3.5
    assert run("1 + 2 * 3 == 7 && !(1 > 2)", ns) is True
    assert run("if (1 > 2) \"a\" else \"b\"", ns) == "b"


# ---------------------------------------------------------------------------------------------------
# Errors: the construct and where it is
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "construct", "line", "column"),
    [
        ("def f(x: Int) = x", "'def' definitions", 1, 1),
        ("val a = 1\nvar x = 1", "'var' (use val)", 2, 1),
        ("x match {\n  case 1 => 2\n}", "pattern matching ('match')", 1, 3),
        ("foo[Int](1)", "type parameters ('[Int]')", 1, 4),
        ('val s = raw"hi $x"', 'string interpolation (raw"...")', 1, 9),
        ('f"x"', 'string interpolation (f"...")', 1, 1),
        ("f(null)", "'null'", 1, 3),
        ("{ case x => 1 }", "pattern matching ('case')", 1, 3),
        ("new Foo()", "object construction with 'new'", 1, 1),
        ("a max b", "infix or postfix method calls without '.' ('max')", 1, 3),
        ("x: Int", "type ascription ('expr: Type')", 1, 2),
        ("x = 1", "assignment to 'x' (use val)", 1, 3),
        ("x += 1", "assignment operators ('+=')", 1, 3),
        ("a :: b", "operator '::'", 1, 3),
        ("val (a, b) = p", "pattern definitions ('val (a, b) = ...')", 1, 5),
        ("for (x <- xs) println(x)", "'for' loops and comprehensions", 1, 1),
        ("while (true) f()", "'while' loops", 1, 1),
        ("try f() catch g", "exception handling ('try')", 1, 1),
        ("lazy val x = 1", "'lazy val'", 1, 1),
        ("class A", "'class' definitions", 1, 1),
        ("object A", "'object' definitions", 1, 1),
        ("@deprecated val x = 1", "annotations ('@')", 1, 1),
        ("'sym", "symbol literals ('sym)", 1, 1),
        ("_", "placeholder '_' outside of a function argument", 1, 1),
        ("this.x", "'this'", 1, 1),
        ("f(xs: _*)", "type ascription ('expr: Type')", 1, 5),
        ("val from = 1", "the val name 'from' (not a valid Python name)", 1, 5),
        ("xs.map(f _)", "eta-expansion ('f _')", 1, 10),
        ("implicit val x = 1", "implicits ('implicit')", 1, 1),
    ],
)
def test_unsupported_constructs(source, construct, line, column):
    with pytest.raises(ScalaSyntaxError) as info:
        translate(source)
    err = info.value
    assert isinstance(err, SyntaxError)
    assert err.construct == construct
    assert (err.line, err.column) == (line, column)
    assert (err.lineno, err.offset) == (line, column)
    assert str(err) == f"Scala construct not supported by this console: {construct} (line {line}, column {column})"
    assert not err.incomplete


def test_def_message_exactly():
    with pytest.raises(ScalaSyntaxError) as info:
        translate("def f(x: Int) = x")
    assert str(info.value) == "Scala construct not supported by this console: 'def' definitions (line 1, column 1)"


@pytest.mark.parametrize(
    ("source", "message", "line", "column", "incomplete"),
    [
        ("f(a, b", "unbalanced parentheses: '(' is never closed", 1, 2, True),
        ("f(a))", "unbalanced parentheses: ')' has no matching '('", 1, 5, False),
        ("f(a]", "unbalanced parentheses: '(' opened at line 1, column 2 is closed by ']'", 1, 4, False),
        ("f {\n  g(x\n}", "unbalanced parentheses: '(' opened at line 2, column 4 is closed by '}'", 3, 1, False),
    ],
)
def test_unbalanced_parentheses(source, message, line, column, incomplete):
    with pytest.raises(ScalaSyntaxError) as info:
        translate(source)
    err = info.value
    assert err.construct == "unbalanced parentheses"
    assert message in str(err)
    assert (err.line, err.column, err.incomplete) == (line, column, incomplete)


@pytest.mark.parametrize(
    ("source", "incomplete"),
    [
        ("val x =", True),
        ("a +", True),
        ('"abc', True),
        ('"""abc', True),
        ("/* abc", True),
        ("xs.map(x =>", True),
        ("a.", True),
        ('"ab\nc"', False),
        ("f(a = 1, a = 2)", False),
        ("f(a b)", False),
        ("__cc_sel", False),
        ("f(,)", False),
    ],
)
def test_syntax_errors(source, incomplete):
    with pytest.raises(ScalaSyntaxError) as info:
        translate(source)
    assert str(info.value).startswith(("Scala syntax error", "Scala construct not supported"))
    assert info.value.incomplete is incomplete


# ---------------------------------------------------------------------------------------------------
# Runtime helpers
# ---------------------------------------------------------------------------------------------------


def test_runtime_helpers_are_exposed():
    assert set(RUNTIME_HELPERS) == {"__cc_sel", "__cc_apply", "__cc_duration", "__cc_div", "__cc_mod", "__cc_None", "__cc_long", "__cc_show", "__cc_import", "__cc_attr", "__cc_tuple"}
    assert RUNTIME_HELPERS["__cc_apply"] is cc_apply


def test_cc_apply_binds_positional_after_named_by_position():
    calls = []

    def propose_update(synchronizer_id, update, must_fully_authorize=False):
        calls.append((synchronizer_id, update, must_fully_authorize))

    # Scala: propose_update(synchronizerId = x, _.update(...)) -- the lambda is the 2nd parameter
    cc_apply(propose_update, [("synchronizerId", "sync"), (None, "the-update")])
    assert calls[-1] == ("sync", "the-update", False)
    cc_apply(propose_update, [(None, "s"), (None, "u"), ("mustFullyAuthorize", True)])
    assert calls[-1] == ("s", "u", True)
    cc_apply(propose_update, [("update", "u"), ("synchronizer_id", "s")])
    assert calls[-1] == ("s", "u", False)


def test_cc_apply_on_methods_classes_and_varargs():
    class Group:
        def set_balance(self, member, serial, new_balance):
            return (member, serial, new_balance)

    assert cc_apply(Group().set_balance, [("member", "p1"), (None, 2), ("newBalance", 3)]) == ("p1", 2, 3)

    @attrs.frozen
    class Params:
        max_base_traffic_amount: int
        base_event_cost: int = 0

    assert cc_apply(Params, [("maxBaseTrafficAmount", 5), (None, 7)]) == Params(5, 7)

    def varargs(a, *rest, **extra):
        return (a, rest, extra)

    assert cc_apply(varargs, [(None, 1), (None, 2), (None, 3), ("someFlag", True)]) == (1, (2, 3), {"someFlag": True})

    def pos_only(a, b, /, c):
        return (a, b, c)

    assert cc_apply(pos_only, [(None, 1), (None, 2), ("c", 3)]) == (1, 2, 3)
    # callables without a signature: plain call
    assert cc_apply(max, [(None, 1), (None, 5)]) == 5


def test_cc_apply_errors():
    def f(a, b):
        return (a, b)

    with pytest.raises(TypeError, match="unknown parameter 'zzz'"):
        cc_apply(f, [("zzz", 1)])
    with pytest.raises(TypeError, match="specified twice"):
        cc_apply(f, [(None, 1), ("a", 2)])
    with pytest.raises(TypeError, match="too many arguments"):
        cc_apply(f, [(None, 1), (None, 2), (None, 3)])


def test_cc_sel():
    class Thing:
        attribute = 1

        @property
        def prop(self):
            return 2

        def no_args(self):
            return 3

        def defaults_only(self, x=4):
            return x

        def needs_arg(self, x):
            return x

        Inner = type("Inner", (), {})

        @staticmethod
        def static():
            return 5

    thing = Thing()
    assert cc_sel(thing, "attribute") == 1
    assert cc_sel(thing, "prop") == 2
    assert cc_sel(thing, "no_args") == 3
    assert cc_sel(thing, "defaults_only") == 4
    bound = cc_sel(thing, "needs_arg")
    assert inspect.ismethod(bound) and bound(9) == 9
    assert cc_sel(thing, "Inner") is Thing.Inner
    assert cc_sel(thing, "static") == 5
    assert cc_sel(Thing, "static") == 5
    assert cc_sel([3, 1], "copy") == [3, 1]
    assert cc_sel(2, "minutes") == datetime.timedelta(minutes=2)
    with pytest.raises(AttributeError):
        cc_sel(thing, "missing")
    with pytest.raises(AttributeError):
        cc_sel(True, "seconds")


def test_cc_duration_and_arithmetic():
    assert cc_duration(10, "seconds") == datetime.timedelta(seconds=10)
    assert cc_duration(500, "millis") == datetime.timedelta(milliseconds=500)
    assert cc_duration(1, "days") == datetime.timedelta(days=1)
    assert cc_duration(2000, "micros") == datetime.timedelta(milliseconds=2)
    assert cc_duration(3_000_000, "nanos") == datetime.timedelta(milliseconds=3)
    with pytest.raises(ValueError):
        cc_duration(1, "fortnights")
    assert (cc_div(7, 2), cc_div(-7, 2), cc_div(7, -2), cc_div(7.0, 2)) == (3, -3, -3, 3.5)
    assert (cc_mod(7, 3), cc_mod(-7, 3), cc_mod(7, -3), cc_mod(-7.5, 2)) == (1, -1, 1, -1.5)
    with pytest.raises(ZeroDivisionError):
        cc_div(1, 0)
    assert cc_div(datetime.timedelta(seconds=10), 2) == datetime.timedelta(seconds=5)


def test_snake_case():
    assert snake_case("synchronizerId") == "synchronizer_id"
    assert snake_case("newBalance") == "new_balance"
    assert snake_case("ACSCommitment") == "acs_commitment"
    assert snake_case("already_snake") == "already_snake"


# ---------------------------------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------------------------------


def test_more_expression_forms():
    assert py("if (a) 1 else if (b) 2 else 3") == "(1 if a else (2 if b else 3))"
    assert py("if (a) 1; else 2") == "(1 if a else 2)"
    ns = {**RUNTIME_HELPERS}
    assert run("val r = { val a = { val b = 1; b + 1 }; a * 2 }\nr", ns) == 4


def test_detect_syntax_is_quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert detect_syntax("f(10.seconds, 2Lx)") == "scala"


def test_error_renders_like_a_syntax_error():
    import traceback

    with pytest.raises(ScalaSyntaxError) as info:
        translate("val a = 1\nvar x = 2")
    rendered = "".join(traceback.format_exception_only(type(info.value), info.value))
    assert "var x = 2" in rendered
    assert "'var' (use val)" in rendered


def test_random_inputs_translate_or_raise_scala_syntax_error():
    import random

    atoms = ["a", "b", "_", "1", "2L", "1.5", '"s"', "(", ")", "{", "}", "[", "]", ",", ";", "\n", ".", "=",
             "=>", "->", "+", "-", "!", "&&", "==", "val", "if", "else", "import", "f", "seconds", "Seq", "None",
             ":", "true", " ", "//c\n", "match", "def", "'c'"]  # fmt: skip
    rng = random.Random(7)
    translated = 0
    for _ in range(5000):
        source = "".join(rng.choice(atoms) + rng.choice(["", " "]) for _ in range(rng.randint(1, 10)))
        try:
            translation = translate(source)
        except ScalaSyntaxError:
            continue
        ast.parse(translation.python)
        translated += 1
        detect_syntax(source)
    assert translated > 100


def test_s_interpolation_becomes_a_join_of_shown_parts():
    assert py('println(s"ping took $d")') == 'println("".join(("ping took ", __cc_show(d))))'
    assert py('s"a ${p.name + "!"} b $$ c"') == '"".join(("a ", __cc_show((__cc_sel(p, "name") + "!")), " b $ c"))'
    assert py('s""') == '""'
    ns = dict(RUNTIME_HELPERS, d=5)
    assert eval(py('s"took ${d * 2} ms\\n"'), ns) == "took 10 ms\n"
    # a Boolean shows as Scala's toString does
    assert eval(py('s"active: ${d > 1}, passive: ${d < 1}"'), ns) == "active: true, passive: false"
    with pytest.raises(ScalaSyntaxError, match="must be followed by a name"):
        translate('s"cost: $ 5"')
