"""utils' file commands as Canton 3.3's ConsoleMacros has them: write_to_file (a ByteString as
it is, messages length-delimited), read_first_message_from_file, read_all_messages_from_file,
read_byte_string_from_file, and generate_daml_script_participants_conf (the JSON Canton writes)."""

from __future__ import annotations

import json

import pytest
from conftest import step_ok

from canton_console.console.commands.utils_files import circe_spaces2, participants_conf
from canton_console.values.message_file import TRUNCATED, MalformedMessages, MessageCodec, split_delimited
from canton_console.values.scala import Vector


@pytest.fixture(scope="module")
def s(module_session):
    s = module_session
    s.admin.set_feature("Testing", True)
    step_ok(s, 'val alice = participant1.parties.enable("Alice")')
    step_ok(
        s,
        'val tx = participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("Iou:Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 3))), commandId = "to-file")',
    )
    return s


def failure(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


# ---- pure logic ---------------------------------------------------------------------------------------


def test_delimited_records_split_as_protobuf_reads_them():
    assert split_delimited(b"\x02ab\x00\x01c") == [b"ab", b"", b"c"]
    assert split_delimited(b"") == []
    with pytest.raises(MalformedMessages) as e:
        split_delimited(b"fanta")  # 'f' announces 102 bytes
    assert str(e.value) == TRUNCATED


def test_the_codec_round_trips_the_types_it_knows_and_refuses_others():
    from canton_console.values.completions import Status

    codec = MessageCodec(types=(("com.google.rpc.status.Status", Status),))
    data = codec.encode([Status(0, ""), Status(6, "DUPLICATE_COMMAND(10,ab): again")])
    assert codec.decode(data) == [Status(0, ""), Status(6, "DUPLICATE_COMMAND(10,ab): again")]
    with pytest.raises(TypeError):
        codec.encode([Vector(1)])
    with pytest.raises(MalformedMessages):
        codec.decode(b"\x03abc")


def test_the_participants_file_is_circe_spaces2():
    content = participants_conf([("participant1", "participant1::1220ab", "127.0.0.1", 5011)], [], True, None)
    assert circe_spaces2(content) == (
        "{\n"
        '  "default_participant" : null,\n'
        '  "participants" : {\n'
        '    "participant1" : {\n'
        '      "host" : "127.0.0.1",\n'
        '      "port" : 5011\n'
        "    }\n"
        "  },\n"
        '  "party_participants" : {\n'
        "    \n"
        "  }\n"
        "}"
    )
    by_uid = participants_conf([("p1", "p1::12", "h", 1)], [("Alice::12", "p1::12"), ("Bob::12", "p9::99")], False, ("h", 1))
    assert by_uid["party_participants"] == {"Alice::12": "p1::12", "Bob::12": "p9::99"}
    assert by_uid["default_participant"] == {"host": "h", "port": 1} and list(by_uid["participants"]) == ["p1::12"]
    by_alias = participants_conf([("p1", "p1::12", "h", 1)], [("Alice::12", "p1::12"), ("Bob::12", "p9::99")], True, None)
    assert by_alias["party_participants"] == {"Alice::12": "p1", "Bob::12": "p9::99"}  # unknown participant: its uid


# ---- the commands ----------------------------------------------------------------------------------------


def test_messages_written_and_read_back(s, tmp_path):
    one, many = tmp_path / "tree.bin", tmp_path / "completions.bin"
    assert step_ok(s, f'utils.write_to_file(tx, "{one}")') is None
    assert step_ok(s, f'utils.read_first_message_from_file("{one}") == tx') is True
    step_ok(s, f'utils.write_to_file(participant1.ledger_api.completions.list(alice, 1, 0), "{many}")')
    back = step_ok(s, f'utils.read_all_messages_from_file("{many}")')
    assert [c.commandId for c in back] == ["to-file"]
    assert "res" in s.step(f'utils.read_all_messages_from_file("{many}")').output
    first = step_ok(s, f'utils.read_first_message_from_file("{many}")')
    assert first.status.get.code == 0 and first.offset == step_ok(s, "tx.offset")


def test_a_byte_string_is_written_as_it_is(s, tmp_path):
    path = tmp_path / "state.bin"
    step_ok(s, f'utils.write_to_file(com.google.protobuf.ByteString.copyFromUtf8("hello"), "{path}")')
    assert path.read_bytes() == b"hello"
    assert bytes(step_ok(s, f'utils.read_byte_string_from_file("{path}")')) == b"hello"
    # not messages: protobuf's exception, as Canton's console throws it
    out = failure(s, f'utils.read_first_message_from_file("{path}")')
    assert out.startswith("com.google.protobuf.InvalidProtocolBufferException:")


def test_files_that_are_missing_empty_or_not_messages(s, tmp_path):
    out = failure(s, f'utils.read_first_message_from_file("{tmp_path / "paniertes_schnitzel"}")')
    assert out.startswith(f"java.nio.file.NoSuchFileException: {tmp_path / 'paniertes_schnitzel'}")
    (tmp_path / "fanta").write_text("fanta")
    out = failure(s, f'utils.read_first_message_from_file("{tmp_path / "fanta"}")')
    assert out.startswith("com.google.protobuf.InvalidProtocolBufferException: While parsing a protocol message, the input ended unexpectedly")
    (tmp_path / "empty").write_bytes(b"")
    out = failure(s, f'utils.read_first_message_from_file("{tmp_path / "empty"}")')
    assert out.startswith(f"java.lang.IllegalArgumentException: Unable to read a message from {tmp_path / 'empty'}.")
    assert list(step_ok(s, f'utils.read_all_messages_from_file("{tmp_path / "empty"}")')) == []
    out = failure(s, f'utils.read_byte_string_from_file("{tmp_path / "nope"}")')
    assert "NoSuchFileException" in out


def test_what_is_not_a_message_is_refused_and_nothing_written(s, tmp_path):
    path = tmp_path / "x.bin"
    for value in ("42", "participant1", '"text"'):
        out = failure(s, f'utils.write_to_file({value}, "{path}")')
        assert "expects a ByteString, or a Ledger API message" in out
    assert not path.exists()
    out = failure(s, f'utils.write_to_file(tx, "{tmp_path / "no-such-dir" / "x.bin"}")')
    assert "NoSuchFileException" in out


def test_generate_daml_script_participants_conf(s, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = s.step("utils.generate_daml_script_participants_conf()").output
    assert shown.startswith("res") and "File = participant-config.json" in shown
    text = (tmp_path / "participant-config.json").read_text()
    assert text.endswith("}\n") and '"default_participant" : null' in text
    content = json.loads(text)
    assert content["participants"]["participant1"] == {"host": "127.0.0.1", "port": 5011}
    alice = str(step_ok(s, "alice"))
    assert content["party_participants"][alice] == "participant1"
    step_ok(s, f'utils.generate_daml_script_participants_conf(Some("{tmp_path / "uids.json"}"), useParticipantAlias = false, defaultParticipant = Some(participant2))')
    by_uid = json.loads((tmp_path / "uids.json").read_text())
    p1_uid = str(step_ok(s, "participant1.id.uid"))
    assert by_uid["party_participants"][alice] == p1_uid and p1_uid in by_uid["participants"]
    assert by_uid["default_participant"] == {"host": "127.0.0.1", "port": 5021}
    out = failure(s, "utils.generate_daml_script_participants_conf(defaultParticipant = Some(sequencer1))")
    assert "not a participant" in out

