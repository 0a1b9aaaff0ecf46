"""DARs and packages on a participant: reading a DAR (zip, manifest, protobuf archives), uploading,
listing, vetting through the topology, removing, persistence, and Canton's errors for bad input.

The DARs are built here: a manifest and ``.dalf`` files holding protobuf ``Archive`` messages
encoded by this test, independently of the reader under test."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from conftest import step_ok

from canton_console.values import dars
from canton_console.values.errors import CantonError

# ---- a tiny protobuf encoder and DAR builder ----------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: int | bytes | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def lf_package(name: str, version: str, modules: dict[str, list[str]], minor: str = "1") -> bytes:
    """An ArchivePayload with a Daml-LF 2 Package: ``modules`` maps module names to template names."""
    strings: list[str] = []
    dotted: list[tuple[int, ...]] = []

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    def d(text: str) -> int:
        segments = tuple(s(part) for part in text.split("."))
        if segments not in dotted:
            dotted.append(segments)
        return dotted.index(segments)

    module_msgs = []
    for module, templates in modules.items():
        body = _field(1, d(module))
        for template in templates:
            body += _field(6, _field(1, d(template)) + _field(2, s("this")))
        module_msgs.append(body)
    metadata = _field(1, s(name)) + _field(2, s(version))
    package = b"".join(_field(1, m) for m in module_msgs)
    package += b"".join(_field(2, text) for text in strings)
    package += b"".join(_field(3, _field(1, b"".join(_varint(i) for i in segs))) for segs in dotted)  # packed
    package += _field(4, metadata)
    return _field(3, minor) + _field(4, package)


def dalf(payload: bytes, package_id: str | None = None) -> tuple[str, bytes]:
    pid = hashlib.sha256(payload).hexdigest() if package_id is None else package_id
    return pid, _field(3, payload) + _field(4, pid)  # hash_function SHA256 = 0: the default, not written


def write_dar(path: Path, main: bytes, deps: list[bytes] = (), name: str = "demo", manifest: str | None = None) -> Path:  # type: ignore[assignment]
    entries = {f"{name}-1.0.0/{name}-main.dalf": main} | {f"{name}-1.0.0/dep-{i}.dalf": dep for i, dep in enumerate(deps)}
    text = manifest if manifest is not None else (
        "Manifest-Version: 1.0\nCreated-By: test\n"
        f"Main-Dalf: {name}-1.0.0/{name}-main.dalf\n"
        f"Dalfs: {', '.join(entries)}\nFormat: daml-lf\nEncryption: non-encrypted\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", text)
        for entry, data in entries.items():
            z.writestr(entry, data)
    path.write_bytes(buffer.getvalue())
    return path


def demo_dar(tmp_path: Path, name: str = "demo", version: str = "1.0.0") -> tuple[Path, str, str]:
    """A DAR with a main package (module Main, template Asset) and a utility dependency; the path and
    both package ids."""
    main_id, main = dalf(lf_package(name, version, {"Main": ["Asset"], "Main.Helpers": []}))
    dep_id, dep = dalf(lf_package(f"{name}-util", "0.1.0", {"Dep.Util": []}))
    return write_dar(tmp_path / f"{name}.dar", main, [dep], name=name), main_id, dep_id


# ---- reading DARs --------------------------------------------------------------------------------------


def test_a_dar_is_read_from_its_manifest_and_archives(tmp_path):
    path, main_id, dep_id = demo_dar(tmp_path)
    parsed = dars.read_dar(path.read_bytes())
    assert parsed.main.package_id == main_id and [p.package_id for p in parsed.dependencies] == [dep_id]
    assert (parsed.main.name, parsed.main.version, parsed.main.language_version) == ("demo", "1.0.0", "2.1")
    assert parsed.main.modules == ("Main", "Main.Helpers") and parsed.main.templates == ("Main:Asset",)
    assert not parsed.main.is_utility_package and parsed.dependencies[0].is_utility_package
    # a manifest line longer than 72 bytes continues on the next line after one space
    wrapped = "Manifest-Version: 1.0\nMain-Dalf: demo-1.0.0/de\n mo-main.dalf\n"
    _, main = dalf(lf_package("demo", "1.0.0", {"Main": []}))
    assert dars.read_dar(write_dar(tmp_path / "w.dar", main, manifest=wrapped).read_bytes()).main.name == "demo"


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_bytes(b"definitely not a zip"), "not a zip archive"),
        (lambda p: write_dar(p, dalf(lf_package("x", "1", {}))[1], manifest="Manifest-Version: 1.0\n"), "Cannot find attribute: Main-Dalf"),
        (lambda p: write_dar(p, dalf(lf_package("x", "1", {}), package_id="ab" * 32)[1]), "Mismatching hashes!"),
        (lambda p: write_dar(p, dalf(_field(3, "15") + _field(2, b""))[1]), "Daml-LF 1 packages are not supported"),
        (lambda p: write_dar(p, b"\xff\xff\xff"), "truncated varint"),
    ],
)
def test_what_is_not_a_dar_fails_with_dar_parse_error(tmp_path, make, reason):
    path = tmp_path / "bad.dar"
    make(path)
    with pytest.raises(CantonError) as e:
        dars.read_dar(path.read_bytes())
    assert e.value.code == dars.DAR_PARSE_ERROR and e.value.cause == "Failed to parse the dar file content."
    assert any(reason in k for k in e.value.context), e.value.context


# ---- the participant's DAR and package commands ---------------------------------------------------------

AUTHORIZED_VETTING = "participant1.topology.vetted_packages.list(store = Some(TopologyStoreId.Authorized)).head.item.packages.map(_.packageId)"
SYNC_VETTING = "participant1.topology.vetted_packages.list(sequencer1.synchronizer_id, filterParticipant = participant1.id.filterString).head.item.packages.map(_.packageId)"


def failed(s, source: str) -> str:
    outcome = s.step(source)
    assert outcome.failed, outcome.output
    return outcome.output


def snapshot(s) -> tuple:
    """Everything the package commands show of participant1's store."""
    return (
        [d.mainPackageId for d in step_ok(s, "participant1.dars.list()")],
        [(p.packageId, p.uploadedAt) for p in step_ok(s, "participant1.packages.list()")],
        sorted(step_ok(s, AUTHORIZED_VETTING)),
    )


def test_upload_list_inspect_vet_and_remove_a_dar(default_session, tmp_path):
    s = default_session
    s.interpreter.syntax = "scala"
    s.admin.set_feature("Preview", True)
    path, main_id, dep_id = demo_dar(tmp_path)
    builtin = step_ok(s, "participant1.dars.list()")
    assert [(d.name, d.description) for d in builtin] == [("AdminWorkflows", "System package"), ("iou", "System package")]

    assert step_ok(s, f'participant1.dars.validate("{path}")') == main_id
    assert len(step_ok(s, "participant1.dars.list()")) == 2  # validate stores nothing
    assert step_ok(s, f'participant1.dars.upload("{path}")') == main_id
    listed = step_ok(s, 'participant1.dars.list(filterName = "demo")')
    assert [(d.mainPackageId, d.name, d.version, d.description) for d in listed] == [(main_id, "demo", "1.0.0", "demo")]
    contents = step_ok(s, f'participant1.dars.get_contents("{main_id}")')
    assert [p.packageId for p in contents.packages] == [main_id, dep_id]
    assert s.step(f'participant1.dars.get_contents("{main_id}")').output.count("packages = Seq(") == 1
    packages = {p.packageId: p for p in step_ok(s, "participant1.packages.list()")}
    assert (packages[dep_id].name, packages[dep_id].version) == ("demo-util", "0.1.0") and len(packages) == 4
    pc = step_ok(s, f'participant1.packages.get_contents("{main_id}")')
    assert set(pc.modules) == {"Main", "Main.Helpers"} and pc.languageVersion == "2.1" and not pc.isUtilityPackage
    assert [p.packageId for p in step_ok(s, 'participant1.packages.find_by_module("Dep.Util")')] == [dep_id]
    assert [d.mainPackageId for d in step_ok(s, f'participant1.packages.get_references("{dep_id}")')] == [main_id]

    # vetted on upload, through the participant's VettedPackages mapping, and seen on the synchronizer
    assert {main_id, dep_id} <= set(step_ok(s, AUTHORIZED_VETTING))
    assert {main_id, dep_id} <= set(step_ok(s, SYNC_VETTING))
    out = failed(s, f'participant1.packages.remove("{main_id}")')
    assert f"PACKAGE_OR_DAR_REMOVAL_ERROR(9,0): Package {main_id} is currently vetted and available to use." in out
    step_ok(s, f'participant1.dars.vetting.disable("{main_id}")')
    step_ok(s, "participant1.packages.synchronize_vetting()")
    assert not {main_id, dep_id} & set(step_ok(s, SYNC_VETTING))
    step_ok(s, f'participant1.dars.vetting.enable("{main_id}")')
    assert {main_id, dep_id} <= set(step_ok(s, SYNC_VETTING))

    # the DAR comes back byte for byte
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    step_ok(s, f'participant1.dars.download("{main_id}", "{out_dir}")')
    assert (out_dir / "demo-1.0.0.dar").read_bytes() == path.read_bytes()

    # removing it revokes the vetting of its packages and forgets them
    step_ok(s, f'participant1.dars.remove("{main_id}")')
    assert len(step_ok(s, "participant1.dars.list()")) == 2 and len(step_ok(s, "participant1.packages.list()")) == 2
    assert not {main_id, dep_id} & set(step_ok(s, SYNC_VETTING))
    assert "DAR_NOT_FOUND(11,0): getDar operation failed due to non-existent DAR archive" in failed(s, f'participant1.dars.get_contents("{main_id}")')


def test_commands_on_uploaded_packages_need_a_daml_engine(default_session, tmp_path):
    s = default_session
    s.interpreter.syntax = "scala"
    path, main_id, _ = demo_dar(tmp_path)
    step_ok(s, f'participant1.dars.upload("{path}")')
    step_ok(s, 'val alice = participant1.parties.enable("alice")')
    out = failed(s, f'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("{main_id}", "Main", "Asset", Map("owner" -> alice))))')
    assert "DAML_ENGINE_UNAVAILABLE(14," in out and "canton-console has no Daml engine" in out and f"{main_id}:Main:Asset" in out
    out = failed(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create("' + "cd" * 32 + '", "Main", "Asset", Map("owner" -> alice))))')
    assert "PACKAGE_NOT_FOUND(11," in out
    help_text = s.step('participant1.dars.help("upload")').output
    assert "no Daml engine" in help_text
    # an uploaded package can be vetted through the topology commands: the node knows it
    step_ok(s, f'participant1.topology.vetted_packages.propose_delta(participant1.id, removes = Seq("{main_id}"), force = ForceFlags(ForceFlag.AllowUnvetPackage))')
    step_ok(s, f'participant1.topology.vetted_packages.propose_delta(participant1.id, adds = Seq(VettedPackage("{main_id}", None, None)))')


def test_bad_input_fails_with_cantons_errors_and_stores_nothing(default_session, tmp_path):
    s = default_session
    s.interpreter.syntax = "scala"
    s.admin.set_feature("Preview", True)
    path, main_id, dep_id = demo_dar(tmp_path)
    step_ok(s, f'participant1.dars.upload("{path}")')
    before = snapshot(s)
    not_a_dar = tmp_path / "notes.dar"
    not_a_dar.write_text("just text")
    other, other_id, _ = demo_dar(tmp_path, name="other")
    unknown = "ef" * 32
    for source, expected in [
        (f'participant1.dars.upload("{tmp_path / "missing.dar"}")', f"No such file [{tmp_path / 'missing.dar'}]."),
        (f'participant1.dars.upload("{not_a_dar}")', "INVALID_ARGUMENT/DAR_PARSE_ERROR(8,0): Failed to parse the dar file content."),
        (f'participant1.dars.upload("{other}", expectedMainPackageId = "{unknown}")', f"MAIN_PACKAGE_IN_DAR_DOES_NOT_MATCH_EXPECTED(9,0): The main package of the uploaded DAR is '{other_id}'"),
        (f'participant1.dars.upload_many(Seq("{other}", "{not_a_dar}"))', "DAR_PARSE_ERROR"),
        (f'participant1.dars.get_contents("{unknown}")', f"DAR_NOT_FOUND(11,0): getDar operation failed due to non-existent DAR archive with main package-id {unknown}"),
        (f'participant1.dars.remove("{unknown}")', f"DAR_NOT_FOUND(11,0): DAR archive removal operation failed due to non-existent DAR archive with main package-id {unknown}"),
        (f'participant1.dars.vetting.enable("{unknown}")', "DAR_NOT_FOUND(11,0): DAR archive vetting operation failed"),
        (f'participant1.packages.get_contents("{unknown}")', "PACKAGE_CONTENT_NOT_FOUND(11,0): The package efefefefefef... is not known"),
        ('participant1.packages.get_contents("not a package id!")', "PROTO_DESERIALIZATION_FAILURE"),
        ('participant1.packages.remove("not a package id!")', "INVALID_ARGUMENT/Invalid package ID: not a package id!"),
        (f'participant1.packages.remove("{dep_id}")', f"Package {dep_id} is currently vetted and available to use."),
        ('participant1.packages.remove(participant1.dars.list(filterName = "AdminWorkflows").head.mainPackageId)', "packages needed for admin workflows cannot be removed"),
        ('participant1.dars.remove(participant1.dars.list(filterName = "AdminWorkflows").head.mainPackageId)', "packages needed for admin workflows cannot be removed"),
        (f'participant1.dars.download("{main_id}", "{tmp_path / "nowhere"}")', "is not a writable directory"),
    ]:
        out = failed(s, source)
        assert expected in out, (source, out)
        assert snapshot(s) == before, source
    # a package with active contracts is in use: the built-in IOU once an IOU exists
    step_ok(s, 'val alice = participant1.parties.enable("alice")')
    step_ok(s, 'val iou = participant1.dars.list(filterName = "iou").head.mainPackageId')
    step_ok(s, 'participant1.ledger_api.commands.submit(Seq(alice), Seq(ledger_api_utils.create(iou, "Iou", "Iou", Map("issuer" -> alice, "owner" -> alice, "amount" -> 1))))')
    for source in ("participant1.packages.remove(iou)", "participant1.dars.remove(iou)"):
        out = failed(s, source)
        assert "PACKAGE_OR_DAR_REMOVAL_ERROR(9,0)" in out and "in-use by contract 00" in out, out
    assert snapshot(s) == before
    # DAR_PARSE_ERROR shows its reason as Canton does, in the error's context
    assert "Context: Map(the file is not a zip archive" in failed(s, f'participant1.dars.validate("{not_a_dar}")')
    # the Preview commands need the Preview feature set
    s.admin.set_feature("Preview", False)
    assert "enable-preview-commands" in failed(s, f'participant1.dars.remove("{main_id}")')


def test_dars_survive_a_restart_and_upload_to_all_participants(default_session, tmp_path):
    s = default_session
    s.interpreter.syntax = "scala"
    path, main_id, dep_id = demo_dar(tmp_path)
    uploaded = step_ok(s, f'participants.all.dars.upload("{path}")')
    assert sorted(r.name for r in uploaded) == ["participant1", "participant2", "participant3"] and set(uploaded.values()) == {main_id}
    for p in ("participant2", "participant3"):
        assert main_id in [d.mainPackageId for d in step_ok(s, f"{p}.dars.list()")]
    before = snapshot(s)
    step_ok(s, "participant1.stop()")
    step_ok(s, "participant1.start()")
    assert snapshot(s) == before
    assert [p.packageId for p in step_ok(s, f'participant1.dars.get_contents("{main_id}").packages')] == [main_id, dep_id]
    assert step_ok(s, f'participant1.dars.upload("{path}")') == main_id  # again: nothing changes
    assert snapshot(s) == before


def test_ledger_api_packages_and_the_java_bindings(default_session, tmp_path):
    s = default_session
    s.interpreter.syntax = "scala"
    path, main_id, dep_id = demo_dar(tmp_path)
    s.admin.set_feature("Testing", False)
    assert "enable-testing-commands" in failed(s, f'participant1.ledger_api.packages.upload_dar("{path}")')
    s.admin.set_feature("Testing", True)
    step_ok(s, f'participant1.ledger_api.packages.upload_dar("{path}")')
    details = step_ok(s, "participant1.ledger_api.packages.list()")
    assert {main_id, dep_id} <= {d.packageId for d in details}
    assert [d.description for d in step_ok(s, 'participant1.dars.list(filterName = "demo")')] == [f"DAR_{main_id}"]
    step_ok(s, "participant1.packages.synchronize_vetting()")
    assert {main_id, dep_id} <= set(step_ok(s, SYNC_VETTING))
    out = failed(s, "participant1.ledger_api.javaapi.commands.submit_flat(Seq(participant1.adminParty), Seq())")
    assert "participant1.ledger_api.javaapi.commands.submit_flat is not supported by canton-console" in out and "no Java codegen" in out
    assert "no Java codegen" in s.step("participant1.ledger_api.javaapi.commands.help()").output
    assert "no Java codegen" in s.step("participant1.ledger_api.help()").output
