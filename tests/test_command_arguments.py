"""Every console command, called with an argument of the wrong type and with a bad value, gives an
error a user can act on (naming the command, the argument and what it expects) and changes nothing."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from canton_console.console import args as a
from canton_console.console.framework import ArgumentError, CommandFailure, Unsupported, commands_of, converter_of, groups_of
from canton_console.console.references import NodeHelpView, NodeReference


class NotAnArgument:
    def __repr__(self) -> str:
        return "NotAnArgument()"


def good_value(arg, ns):
    if isinstance(arg, a.Optional):
        return good_value(arg.inner, ns)
    if isinstance(arg, a.Duration):
        return dt.timedelta(seconds=1)
    if isinstance(arg, a.Int):
        return max(1, arg.minimum)
    if isinstance(arg, a.Text):
        return "x"
    if isinstance(arg, a.Bool):
        return True
    if isinstance(arg, a.NodeRef):
        return ns[f"{arg.kinds[0]}1"]
    if isinstance(arg, a.MemberArg):
        return ns[f"{arg.kinds[0]}1"]
    if isinstance(arg, a.SeqOf):
        inner = good_value(arg.inner, ns)
        return [] if inner is None else [inner]  # an empty Seq where the elements have no good value here
    if isinstance(arg, a.SynchronizerIdArg):
        return ns["sequencer1"].synchronizer_id
    if isinstance(arg, a.PartyArg):
        return ns["participant1"].adminParty
    if isinstance(arg, a.Function):
        return lambda x: x
    return None


def bad_value(arg, ns):
    """A value of the right type that the command must refuse, or None when every value is allowed."""
    if isinstance(arg, a.Optional):
        return bad_value(arg.inner, ns)
    if isinstance(arg, a.Duration):
        return dt.timedelta(seconds=-5)
    if isinstance(arg, a.Int):
        return arg.minimum - 1
    if isinstance(arg, a.Text) and not arg.allow_empty:
        return ""
    if isinstance(arg, a.NodeRef):
        other = next((k for k in ("participant", "mediator", "sequencer") if k not in arg.kinds), None)
        return ns[f"{other}1"] if other else None
    if isinstance(arg, a.MemberArg):
        other = next(k for k in ("participant", "mediator", "sequencer") if k not in arg.kinds) if len(arg.kinds) < 3 else None
        return ns[f"{other}1"] if other else "NOT::a-member"
    if isinstance(arg, a.SeqOf):
        inner = bad_value(arg.inner, ns)
        return None if inner is None else [inner]
    if isinstance(arg, a.SynchronizerIdArg):
        return "not-a-synchronizer-id"
    if isinstance(arg, a.PartyArg):
        return "no-namespace"
    return None


def all_commands(ns):
    """(path, bound command, function) for every command reachable from the console's names."""
    seen = set()
    found = []

    def walk(obj, path, depth):
        view = NodeHelpView(obj) if isinstance(obj, NodeReference) else obj
        for name, fn in commands_of(view).items():
            if name == "help" or (type(obj).__name__, name) in seen:
                continue
            seen.add((type(obj).__name__, name))
            if isinstance(getattr(type(obj), name, None), property):
                continue  # read without arguments
            found.append((f"{path}.{name}", getattr(obj, name), fn))
        if depth < 4:
            for gname in groups_of(view):
                walk(getattr(obj, gname), f"{path}.{gname}", depth + 1)

    for key in ("participant1", "sequencer1", "mediator1", "utils", "bootstrap", "console", "ledger_api_utils", "clock"):
        if key in ns:
            walk(ns[key], key, 0)
    return found


def checked_parameters(fn):
    sig = inspect.signature(fn, eval_str=True)
    return [
        p.replace(annotation=converter_of(p.annotation))
        for p in sig.parameters.values()
        if p.name != "self" and converter_of(p.annotation) is not None and not isinstance(converter_of(p.annotation), Unsupported)
    ]


SKIP = object()


def call_with(bound, fn, ns, target, value):
    kwargs = {}
    for p in checked_parameters(fn):
        if p.name == target:
            kwargs[p.name] = value
            continue
        good = good_value(p.annotation, ns)
        if good is None:
            if p.default is inspect.Parameter.empty:
                return SKIP  # a converter this test has no valid value for
            continue
        kwargs[p.name] = good
    sig = inspect.signature(fn, eval_str=True)
    for p in sig.parameters.values():
        if p.name not in kwargs and p.name != "self" and p.default is inspect.Parameter.empty:
            return SKIP  # a required parameter without a converter: covered by its own tests
    return bound(**kwargs)


@pytest.fixture(scope="module")
def console_ns(tmp_path_factory):
    import os

    from canton_console.console.session import Session, in_memory, load, with_parameters

    config = with_parameters(in_memory(load([], data_dir=tmp_path_factory.mktemp("data"))), clock_type="sim-clock")
    session = Session(config)
    session.start_nodes()
    session.bootstrap_default()
    # commands called with good values write their default files (health.dump) where they run: not the checkout
    previous = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    try:
        yield session.console.namespace
    finally:
        os.chdir(previous)
        session.close()


def test_every_command_refuses_wrong_types_and_bad_values(console_ns):
    commands = all_commands(console_ns)
    wrong_type_checked = bad_value_checked = 0
    for path, bound, fn in commands:
        for p in checked_parameters(fn):
            with pytest.raises(ArgumentError) as info:
                if call_with(bound, fn, console_ns, p.name, NotAnArgument()) is SKIP:
                    raise ArgumentError(f"{path.split('.')[-1]}: skipped: expects NotAnArgument()")
                raise AssertionError(f"{path}: no error for a wrong-type {p.name}")
            if "skipped" in str(info.value):
                continue
            message = str(info.value)
            assert path.split(".")[-1] in message and "expects" in message and "NotAnArgument()" in message, message
            wrong_type_checked += 1
            bad = bad_value(p.annotation, console_ns)
            if bad is None:
                continue
            with pytest.raises(CommandFailure) as failure:
                call_with(bound, fn, console_ns, p.name, bad)
                raise AssertionError(f"{path}: no error for the bad value {bad!r} of {p.name}")
            assert failure.value.cause.startswith("INVALID_ARGUMENT(8,0): "), failure.value.cause
            bad_value_checked += 1
    assert wrong_type_checked >= 40, wrong_type_checked
    assert bad_value_checked >= 25, bad_value_checked


def test_unknown_keyword_names_list_the_accepted_ones(console_ns):
    with pytest.raises(ArgumentError, match="unknown argument 'timout'; expected participantId, timeout, synchronizerId, id"):
        console_ns["participant1"].health.ping(console_ns["participant2"], timout=dt.timedelta(seconds=1))


def test_camel_case_and_snake_case_keywords_are_the_same_argument(console_ns):
    p1, p2 = console_ns["participant1"], console_ns["participant2"]
    assert p1.health.ping(participantId=p2).micros >= 0
    assert p1.health.ping(participant_id=p2).micros >= 0
    with pytest.raises(ArgumentError, match="given twice"):
        p1.health.ping(participantId=p2, participant_id=p2)


def test_a_canton_argument_this_console_does_not_implement_is_refused_by_name(console_ns):
    """Nothing a user asks for is silently dropped: the default is fine, any other value is refused."""
    p1, s1 = console_ns["participant1"], console_ns["sequencer1"]
    before = p1.synchronizers.list_registered()
    with pytest.raises(CommandFailure, match="argument 'submissionRequestAmplification' is not supported by canton-console"):
        p1.synchronizers.connect_local_bft([s1], "other", submissionRequestAmplification=3)
    with pytest.raises(CommandFailure, match="argument 'sequencerLivenessMargin' is not supported"):
        p1.synchronizers.connect_bft([s1], "other", sequencerLivenessMargin=2)
    assert p1.synchronizers.list_registered() == before
    p1.synchronizers.reconnect("da", retry=False)  # what this console does anyway: accepted
    # help says which arguments are not supported, and why
    assert "Not supported by canton-console (leave at the default):\n  submissionRequestAmplification: submissions go to one sequencer" in p1.synchronizers.help("connect_local_bft")
