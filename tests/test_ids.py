"""Canton's identity types (values/ids.py) and the names the docs write for them (console/canton_names.py):
direct tests, hypothesis properties, and what a console user sees in both syntaxes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canton_console.console.render import echo, type_name
from canton_console.pretty import Literal, render
from canton_console.values.either import Either
from canton_console.values.errors import INVALID_ARGUMENT, CantonError
from canton_console.values.ids import (
    FINGERPRINT_PREFIX,
    Fingerprint,
    InvalidIdentity,
    MediatorId,
    Member,
    Namespace,
    ParticipantId,
    PartyId,
    SequencerId,
    SynchronizerId,
    UniqueIdentifier,
    participant_id,
    short_fingerprint,
)

FP = FINGERPRINT_PREFIX + "78b471db" * 8
FP2 = FINGERPRINT_PREFIX + "1cefc950" * 8


# ---- direct -------------------------------------------------------------------------------------


def test_member_text_parses_to_its_own_type():
    p = Member.tryFromProtoPrimitive(f"PAR::participant1::{FP}")
    m = Member.tryFromProtoPrimitive(f"MED::mediator1::{FP}")
    s = Member.tryFromProtoPrimitive(f"SEQ::sequencer1::{FP}")
    assert (type(p), type(m), type(s)) == (ParticipantId, MediatorId, SequencerId)
    assert (p.canton_type, m.canton_type, s.canton_type) == ("ParticipantId", "MediatorId", "SequencerId")
    assert str(p) == p.toProtoPrimitive == f"PAR::participant1::{FP}"
    assert p.code == "PAR" and p.code.threeLetterId == "PAR" and p.kind == "participant"
    assert p.uid == UniqueIdentifier("participant1", FP) and p.identifier == "participant1"
    assert p.namespace == Namespace(FP) and p.fingerprint == Fingerprint(FP)
    assert p.filterString == p.uid.toProtoPrimitive == f"participant1::{FP}"


def test_pretty_output_shortens_the_fingerprint_as_before():
    p = ParticipantId(UniqueIdentifier("participant1", FP))
    assert p.__pretty__() == Literal("PAR::participant1::122078b471db...")
    assert render(PartyId(p.uid)) == "participant1::122078b471db..."
    assert render(p.uid) == "participant1::122078b471db..." == p.uid.short
    assert render(p.namespace) == render(p.fingerprint) == "122078b471db..." == short_fingerprint(FP)
    assert short_fingerprint("default") == "default"  # Canton's readableHash keeps short text whole


def test_the_console_echoes_canton_type_names():
    uid = UniqueIdentifier("participant1", FP)
    assert echo("res1", ParticipantId(uid)) == "res1: ParticipantId = PAR::participant1::122078b471db..."
    assert echo("res2", SequencerId(uid)).startswith("res2: SequencerId = SEQ::")
    assert echo("res3", MediatorId(uid)).startswith("res3: MediatorId = MED::")
    assert echo("res4", SynchronizerId(UniqueIdentifier("da", FP))) == "res4: SynchronizerId = da::122078b471db..."
    assert [type_name(x) for x in (uid, uid.namespace, uid.fingerprint, PartyId(uid))] == [
        "UniqueIdentifier", "Namespace", "Fingerprint", "PartyId"
    ]
    assert type_name(PartyId) == "PartyId.type"


def test_equality_is_by_type_and_value():
    uid = UniqueIdentifier("n", FP)
    assert ParticipantId(uid) == ParticipantId(UniqueIdentifier("n", FP))
    assert hash(ParticipantId(uid)) == hash(ParticipantId(UniqueIdentifier("n", FP)))
    assert ParticipantId(uid) != MediatorId(uid)
    assert PartyId(uid) != SynchronizerId(uid)
    assert PartyId(uid) != str(PartyId(uid))
    assert ParticipantId(uid) != ParticipantId(UniqueIdentifier("n", FP2))
    assert {ParticipantId(uid): 1}[Member.tryFromProtoPrimitive(f"PAR::n::{FP}")] == 1
    assert sorted([SequencerId(uid), ParticipantId(uid), MediatorId(uid)]) == [MediatorId(uid), ParticipantId(uid), SequencerId(uid)]


def test_companion_objects():
    ns = Namespace(FP)
    p = ParticipantId("participant1", ns)
    assert p.adminParty == PartyId(p.uid) and p.adminParty.canton_type == "PartyId"
    assert p.toLf == f"participant1::{FP}"
    assert str(ParticipantId("test")) == "PAR::test::default"  # Canton's testing constructor
    alice = PartyId.tryCreate("Alice", ns)
    assert alice == PartyId.tryCreate("Alice", Fingerprint(FP)) == PartyId.tryCreate("Alice", FP)
    assert alice.toLf == f"Alice::{FP}" and alice.uid.namespace == ns
    assert UniqueIdentifier.tryCreate("x", ns).tryChangeId("y") == UniqueIdentifier("y", FP)
    assert MediatorId.tryCreate("m", ns) == Member.tryFromProtoPrimitive(f"MED::m::{FP}")
    assert SequencerId.tryCreate("s", ns) == SequencerId.tryFromProtoPrimitive(f"SEQ::s::{FP}")
    assert SynchronizerId.tryFromString(f"da::{FP}").unwrap == UniqueIdentifier("da", FP)
    assert participant_id(p.uid) == p
    assert PartyId.apply(p.uid) == p.adminParty and ParticipantId.apply("participant1", ns) == p


def test_from_proto_primitive_returns_either():
    ok = PartyId.fromProtoPrimitive(f"Alice::{FP}", "party")
    assert isinstance(ok, Either) and ok.isRight and ok.value == PartyId.tryCreate("Alice", FP)
    assert ok.canton_type == "ParsingResult[PartyId]"
    assert render(ok) == "Right(value = Alice::122078b471db...)"
    bad = PartyId.fromProtoPrimitive("Alice", "party")
    assert bad.isLeft and bad.value == "Unable to convert field `party`: Invalid unique identifier `Alice` with missing namespace."
    wrong = ParticipantId.fromProtoPrimitive(f"MED::m::{FP}")
    assert wrong.isLeft and "is not of type `ParticipantId`" in wrong.value
    assert Member.fromProtoPrimitive(f"XYZ::m::{FP}").value == "Unknown three letter type XYZ"
    assert UniqueIdentifier.create("a b", FP).isRight and UniqueIdentifier.create("a!b", FP).isLeft


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Empty string is not a valid unique identifier."),
        (f"::{FP}", "with empty identifier"),
        ("participant1", "with missing namespace"),
        (f"bad!::{FP}", 'non expected character 0x21 in Daml-LF Party "bad!"'),
        (f"{'a' * 186}::{FP}", "maximum length of 185 but a string of length 186"),
        (f"x::{'b' * 69}", "maximum length of 68 but a Fingerprint of length 69"),
        ("x::a::b", "String contains reserved delimiter `::`."),
        ("x::caf\u00e9", "non expected character 0xe9"),
    ],
)
def test_bad_unique_identifiers_are_refused_naming_the_problem(text, reason):
    with pytest.raises(InvalidIdentity) as info:
        UniqueIdentifier.tryFromProtoPrimitive(text)
    assert reason in str(info.value.message)
    assert isinstance(info.value, ValueError) and isinstance(info.value, CantonError)
    assert info.value.code == INVALID_ARGUMENT
    with pytest.raises(ValueError, match=re.escape(reason)):
        PartyId.parse(text)


def test_bad_values_are_refused_at_construction():
    with pytest.raises(InvalidIdentity, match="maximum length of 185"):
        UniqueIdentifier("a" * 186, FP)
    with pytest.raises(InvalidIdentity, match="Daml-LF Party is empty"):
        UniqueIdentifier("", FP)
    with pytest.raises(InvalidIdentity, match="reserved delimiter"):
        PartyId.tryCreate("a::b", FP)
    with pytest.raises(InvalidIdentity, match="Invalid fingerprint"):
        Namespace("12 20!")
    with pytest.raises(InvalidIdentity, match="expected a UniqueIdentifier"):
        PartyId("Alice")
    assert UniqueIdentifier("a" * 185, "f" * 68).toProtoPrimitive == "a" * 185 + "::" + "f" * 68


def test_member_parse_keeps_the_console_wording():
    with pytest.raises(ValueError, match=r"'participant2' is not a member id \(PAR::…, MED::… or SEQ::…\)"):
        Member.parse("participant2")
    with pytest.raises(ValueError, match="Unknown three letter type FOO"):
        Member.parse(f"FOO::x::{FP}")


# ---- properties ---------------------------------------------------------------------------------

LF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_ "
# An identifier ending in ':' cannot round-trip through Canton's text form either ("a:" + "::" + fp
# splits at the first "::"), so identifiers here do not end in ':'.
identifiers = st.text(LF_ALPHABET, min_size=1, max_size=185).filter(lambda s: "::" not in s and not s.endswith(":"))
fingerprints = st.one_of(
    st.binary(min_size=32, max_size=32).map(lambda b: FINGERPRINT_PREFIX + b.hex()),
    st.text(LF_ALPHABET, min_size=1, max_size=68).filter(lambda s: "::" not in s and not s.startswith(":")),
)
uids = st.builds(UniqueIdentifier, identifiers, fingerprints)
ids = st.one_of(*(st.builds(cls, uids) for cls in (ParticipantId, MediatorId, SequencerId, PartyId, SynchronizerId)))


@settings(max_examples=300)
@given(ids)
def test_round_trip_through_proto_primitive(x):
    assert type(x).tryFromProtoPrimitive(x.toProtoPrimitive) == x
    assert type(x).fromProtoPrimitive(x.toProtoPrimitive).value == x
    assert UniqueIdentifier.tryFromProtoPrimitive(x.uid.toProtoPrimitive) == x.uid
    if isinstance(x, Member):
        assert Member.tryFromProtoPrimitive(str(x)) == x
        assert str(x) == f"{x.code}::{x.filterString}"
    assert x.filterString == x.uid.toProtoPrimitive == f"{x.identifier}::{x.namespace.unwrap}"
    assert render(x).endswith(x.identifier + "::" + short_fingerprint(x.fingerprint.unwrap))


@given(identifiers, fingerprints)
def test_try_create_agrees_with_the_constructor(identifier, fp):
    assert UniqueIdentifier.tryCreate(identifier, fp) == UniqueIdentifier(identifier, Namespace(Fingerprint(fp)))
    assert PartyId.tryCreate(identifier, fp).uid.identifier == identifier


@given(st.text(min_size=1, max_size=40).filter(lambda s: "::" not in s and any(c not in LF_ALPHABET for c in s)))
def test_characters_outside_canton_alphabet_are_refused(identifier):
    bad = next(c for c in identifier if c not in LF_ALPHABET)
    with pytest.raises(InvalidIdentity, match=f"non expected character 0x{ord(bad):x} in Daml-LF Party"):
        UniqueIdentifier.tryCreate(identifier, FP)


@given(st.integers(min_value=186, max_value=400))
def test_identifiers_longer_than_185_are_refused(n):
    # as in Canton, the Daml-LF party check (at most 255) comes before the String185 one
    reason = f"maximum length of 185 but a string of length {n}" if n <= 255 else r"Daml-LF Party is too long \(max: 255\)"
    with pytest.raises(InvalidIdentity, match=reason):
        UniqueIdentifier.tryCreate("x" * n, FP)


# ---- in the console -----------------------------------------------------------------------------


def out(session, source: str, syntax: str = "auto") -> str:
    before = session.interpreter.syntax
    session.interpreter.syntax = syntax
    try:
        outcome = session.step(source)
    finally:
        session.interpreter.syntax = before
    assert not outcome.failed, outcome.output
    return outcome.output.strip()


def failure(module_session, source: str) -> str:
    outcome = module_session.step(source)
    assert outcome.failed, outcome.output
    return outcome.output.strip()


SHORT = r"1220[0-9a-f]{8}\.\.\."
FULL = r"1220[0-9a-f]{64}"


def test_node_ids_echo_their_types(module_session):
    assert re.fullmatch(rf"res\d+: ParticipantId = PAR::participant1::{SHORT}", out(module_session, "participant1.id"))
    assert re.fullmatch(rf"res\d+: SequencerId = SEQ::sequencer1::{SHORT}", out(module_session, "sequencer1.id"))
    assert re.fullmatch(rf"res\d+: MediatorId = MED::mediator1::{SHORT}", out(module_session, "mediator1.id"))
    assert re.fullmatch(rf"res\d+: PartyId = participant1::{SHORT}", out(module_session, "participant1.adminParty"))
    assert re.fullmatch(rf"res\d+: SynchronizerId = da::{SHORT}", out(module_session, "sequencer1.synchronizer_id"))
    assert re.fullmatch(rf"res\d+: Namespace = {SHORT}", out(module_session, "participant1.id.namespace"))
    assert re.fullmatch(rf"res\d+: Fingerprint = {SHORT}", out(module_session, "participant1.id.fingerprint"))


@pytest.mark.parametrize("syntax", ["scala", "python"])
def test_id_members_in_both_syntaxes(module_session, syntax):
    p1 = module_session.env.node("participant1")  # the runtime node, for its namespace
    uid_text = f"participant1::{p1.uid.namespace.unwrap}"
    for source in ("participant1.id.uid.toProtoPrimitive", "participant1.id.filterString", "participant1.adminParty.toProtoPrimitive"):
        assert re.fullmatch(rf'res\d+: String = "{re.escape(uid_text)}"', out(module_session, source, syntax))
    assert out(module_session, "participant1.id.toProtoPrimitive", syntax).endswith(f'"PAR::{uid_text}"')
    assert out(module_session, "participant1.adminParty.uid == participant1.id.uid", syntax).endswith("Boolean = true")
    assert out(module_session, "participant1.id.adminParty == participant1.adminParty", syntax).endswith("Boolean = true")
    assert out(module_session, "participant1.id.uid.identifier", syntax).endswith('String = "participant1"')
    assert out(module_session, "participant1.id.code", syntax).endswith('String = "PAR"')


def test_party_round_trip_in_scala_syntax(module_session):
    assert re.fullmatch(rf"alice : PartyId = Alice::{SHORT}", out(module_session, 'val alice = participant1.parties.enable("Alice")', "scala"))
    assert out(module_session, "PartyId.tryFromProtoPrimitive(alice.toProtoPrimitive) == alice", "scala").endswith("Boolean = true")
    assert out(module_session, "com.digitalasset.canton.topology.PartyId.tryFromProtoPrimitive(alice.toProtoPrimitive) == alice").endswith("true")
    assert re.fullmatch(
        rf"res\d+: ParsingResult\[PartyId\] = Right\(value = Alice::{SHORT}\)",
        out(module_session, 'PartyId.fromProtoPrimitive(alice.toProtoPrimitive, "party")', "scala"),
    )
    assert re.fullmatch(rf'res\d+: String = "Alice::{FULL}"', out(module_session, "alice.toLf", "scala"))
    assert out(module_session, "alice.uid.namespace == participant1.id.namespace", "scala").endswith("true")


def test_party_round_trip_in_python_syntax(module_session):
    assert re.fullmatch(rf"bob: PartyId = Bob::{SHORT}", out(module_session, 'bob = participant1.parties.enable("Bob")', "python"))
    assert out(module_session, "PartyId.tryFromProtoPrimitive(bob.toProtoPrimitive) == bob", "python").endswith("Boolean = true")
    assert out(module_session, 'PartyId.tryCreate("Bob", participant1.id.namespace) == bob', "python").endswith("Boolean = true")
    assert re.fullmatch(
        rf"res\d+: MediatorId = MED::mediator1::{SHORT}",
        out(module_session, "Member.tryFromProtoPrimitive(mediator1.id.toProtoPrimitive)", "python"),
    )


def test_bad_id_text_is_one_clear_error(module_session):
    text = failure(module_session, 'PartyId.tryFromProtoPrimitive("bad!::1220ab")')
    assert text == (
        "java.lang.IllegalArgumentException: Identifier decoding of `bad!::1220ab` failed with: "
        'non expected character 0x21 in Daml-LF Party "bad!"'
    )
    assert "with missing namespace" in failure(module_session, 'UniqueIdentifier.tryFromProtoPrimitive("participant1")')


def test_fully_qualified_names(module_session):
    assert re.fullmatch(r"res\d+: PartyId.type = PartyId", out(module_session, "com.digitalasset.canton.topology.PartyId"))
    assert re.fullmatch(
        r"res\d+: SequencerConnectionValidation = Active",
        out(module_session, "com.digitalasset.canton.sequencing.SequencerConnectionValidation.Active"),
    )
    assert re.fullmatch(r"res\d+: java.util.UUID = [0-9a-f-]{36}", out(module_session, "java.util.UUID.randomUUID()"))
    assert re.fullmatch(r'res\d+: String = "[0-9a-f-]{36}"', out(module_session, "java.util.UUID.randomUUID().toString"))
    assert re.fullmatch(r'res\d+: String = "[0-9a-f-]{36}"', out(module_session, "java.util.UUID.randomUUID.toString", "scala"))
    assert re.fullmatch(r"res\d+: java.time.Duration = PT10S", out(module_session, "java.time.Duration.ofSeconds(10)"))
    assert out(module_session, "NonNegativeFiniteDuration.tryFromJavaDuration(java.time.Duration.ofSeconds(10))").endswith(
        "NonNegativeFiniteDuration = 10s"
    )
    assert out(module_session, "com.digitalasset.canton.config.RequireTypes.PositiveInt.tryCreate(3)").endswith("= PositiveNumeric(value = 3)")


def test_fully_qualified_names_work_as_connect_arguments(module_session):
    out(module_session, "participant2.synchronizers.disconnect_all()")
    out(
        module_session,
        'participant2.synchronizers.connect_multi("da", Seq(sequencer1), '
        "validation = com.digitalasset.canton.sequencing.SequencerConnectionValidation.Active)",
        "scala",
    )
    assert out(module_session, 'participant2.synchronizers.is_connected(sequencer1.synchronizer_id)').endswith("true")


def test_unknown_fully_qualified_name_is_one_clear_error(module_session):
    assert failure(module_session, "com.digitalasset.canton.topology.Bar") == (
        "Error: object Bar is not a member of package com.digitalasset.canton.topology (this console knows "
        "com.digitalasset.canton.topology.{ForceFlag, ForceFlags, MediatorId, Member, Namespace, ParticipantId, "
        "PartyId, SequencerId, SynchronizerId, UniqueIdentifier, admin, store, transaction})"
    )
    assert failure(module_session, "com.foo.Bar").startswith("Error: object foo is not a member of package com ")


def test_import_lines_are_accepted(module_session):
    for line in (
        "import com.digitalasset.canton.config.RequireTypes.PositiveInt",
        "import com.digitalasset.canton.topology.PartyId",
        "import com.digitalasset.canton.admin.api.client.data.*",
        "import com.digitalasset.canton.admin.api.client.data._",
        "import scala.concurrent.duration._",
        "import com.digitalasset.canton.topology.{ParticipantId, PartyId => P}",
    ):
        assert out(module_session, line) == ""
    assert module_session.console.namespace["P"] is PartyId
    out(module_session, "import com.digitalasset.canton.sequencing.SequencerConnectionValidation")
    assert out(module_session, "SequencerConnectionValidation.All").endswith("SequencerConnectionValidation = All")
    script = "import com.digitalasset.canton.crypto.Fingerprint\nval fp = participant1.id.fingerprint\nfp == participant1.id.namespace.fingerprint"
    assert out(module_session, script, "scala").endswith("Boolean = true")


def test_unknown_import_is_one_clear_error_and_binds_nothing(module_session):
    text = failure(
        module_session,
        "import com.digitalasset.canton.logging.NamedLogging, com.digitalasset.canton.topology.{Foo, MediatorId => MedId}",
    )
    assert text == (
        "Error: cannot import com.digitalasset.canton.logging.NamedLogging, com.digitalasset.canton.topology.Foo: "
        "object logging is not a member of package com.digitalasset.canton (this console knows "
        "com.digitalasset.canton.{admin, config, console, crypto, data, participant, sequencing, synchronizer, time, topology, version}); object Foo is not a member of "
        "package com.digitalasset.canton.topology (this console knows com.digitalasset.canton.topology.{ForceFlag, "
        "ForceFlags, MediatorId, Member, Namespace, ParticipantId, PartyId, SequencerId, SynchronizerId, "
        "UniqueIdentifier, admin, store, transaction})"
    )
    assert "MedId" not in module_session.console.namespace


def test_tab_completion_walks_fully_qualified_names(module_session):
    from canton_console.console.completion import complete

    ns = module_session.console.namespace
    assert [m.name for m in complete(ns, "com.digitalasset.canton.topology.Pa")[1]] == ["ParticipantId", "PartyId"]
    assert "randomUUID" in [m.name for m in complete(ns, "java.util.UUID.")[1]]
