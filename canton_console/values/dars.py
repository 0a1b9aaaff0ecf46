"""DARs and Daml-LF packages as a participant stores them: reading a DAR (a zip with a manifest and
``.dalf`` archives) without a Daml dependency, and the descriptions Canton's package service returns.

A ``.dalf`` is a protobuf ``Archive`` (daml_lf.proto: ``hash_function = 1``, ``payload = 3``,
``hash = 4``); its ``hash`` is the package id, the SHA-256 of the payload. The payload is an
``ArchivePayload`` (``minor = 3``, ``patch = 5``, ``daml_lf_1 = 2``, ``daml_lf_2 = 4``), and an LF 2
``Package`` (daml_lf2.proto) holds modules (``1``), interned strings (``2``), interned dotted names
(``3``) and the package metadata (``4``: name and version). Only what the package service shows is
read: name, version, language version, modules, templates. This console has no Daml engine: an
uploaded package's templates cannot be run.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param, scala_string
from canton_console.values.errors import CantonError, ErrorCategory, ErrorCode
from canton_console.values.ids import short_fingerprint
from canton_console.values.timefmt import instant

# Canton's PackageServiceErrors (ledger-common) and CantonPackageServiceError (participant).
DAR_PARSE_ERROR = ErrorCode("DAR_PARSE_ERROR", ErrorCategory.InvalidIndependentOfSystemState)
INVALID_DAR = ErrorCode("INVALID_DAR", ErrorCategory.InvalidIndependentOfSystemState)
ZIP_BOMB = ErrorCode("ZIP_BOMB", ErrorCategory.InvalidIndependentOfSystemState)
INVALID_DAR_FILE_NAME = ErrorCode("INVALID_DAR_FILE_NAME", ErrorCategory.InvalidIndependentOfSystemState)
MAIN_PACKAGE_IN_DAR_DOES_NOT_MATCH_EXPECTED = ErrorCode("MAIN_PACKAGE_IN_DAR_DOES_NOT_MATCH_EXPECTED", ErrorCategory.InvalidGivenCurrentSystemStateOther)
DAR_NOT_FOUND = ErrorCode("DAR_NOT_FOUND", ErrorCategory.InvalidGivenCurrentSystemStateResourceMissing)
PACKAGE_CONTENT_NOT_FOUND = ErrorCode("PACKAGE_CONTENT_NOT_FOUND", ErrorCategory.InvalidGivenCurrentSystemStateResourceMissing)
PACKAGE_OR_DAR_REMOVAL_ERROR = ErrorCode("PACKAGE_OR_DAR_REMOVAL_ERROR", ErrorCategory.InvalidGivenCurrentSystemStateOther)
# Interpreting an uploaded package's template needs a Daml engine, which this console does not have.
DAML_ENGINE_UNAVAILABLE = ErrorCode("DAML_ENGINE_UNAVAILABLE", ErrorCategory.InternalUnsupportedOperation)

MAX_DESCRIPTION = 255  # Canton's String255 for a DAR's description, name and version
_PACKAGE_ID = re.compile(r"[A-Za-z0-9\-_ ]{1,64}")  # Daml-LF's PackageId: at most 64 of these characters


class ProtobufError(ValueError):
    """Bytes that are not the protobuf message they should be."""


# ---- protobuf wire format ----------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ProtobufError("varint too long")


def wire_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: varints as int, length-delimited
    fields as bytes; fixed-width fields as their raw bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        if wire_type == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError("truncated length-delimited field")
            yield number, data[pos : pos + length]
            pos += length
        elif wire_type in (1, 5):
            width = 8 if wire_type == 1 else 4
            if pos + width > len(data):
                raise ProtobufError("truncated fixed-width field")
            yield number, data[pos : pos + width]
            pos += width
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")


def _ints(value: int | bytes) -> list[int]:
    """A repeated int32 field's value: one varint, or a packed run of them."""
    if isinstance(value, int):
        return [value]
    out, pos = [], 0
    while pos < len(value):
        v, pos = _varint(value, pos)
        out.append(v)
    return out


def _int(value: int | bytes, what: str) -> int:
    if not isinstance(value, int):
        raise ProtobufError(f"{what} is not a varint")
    return value


def _bytes(value: int | bytes, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise ProtobufError(f"{what} is not length-delimited")
    return value


def _text(value: int | bytes, what: str) -> str:
    try:
        return _bytes(value, what).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError(f"{what} is not UTF-8") from None


# ---- Daml-LF archives ----------------------------------------------------------------------------


@attrs.frozen
class LfPackage:
    """What this console reads of one Daml-LF package."""

    package_id: str
    name: str
    version: str
    language_version: str
    modules: tuple[str, ...]
    templates: tuple[str, ...]  # Module:Entity
    is_utility_package: bool
    size: int  # of the archive payload, as Canton's package store counts it
    archive: bytes  # the .dalf


def _lf2_package(data: bytes) -> tuple[str, str, tuple[str, ...], tuple[str, ...], bool]:
    """Name, version, modules, templates and whether it is a utility package, of an LF 2 ``Package``."""
    modules_raw: list[bytes] = []
    strings: list[str] = []
    dotted: list[list[int]] = []
    metadata: bytes | None = None
    for number, value in wire_fields(data):
        if number == 1:
            modules_raw.append(_bytes(value, "Package.modules"))
        elif number == 2:
            strings.append(_text(value, "Package.interned_strings"))
        elif number == 3:
            segments = [i for n, v in wire_fields(_bytes(value, "Package.interned_dotted_names")) if n == 1 for i in _ints(v)]
            dotted.append(segments)
        elif number == 4:
            metadata = _bytes(value, "Package.metadata")

    def string(index: int) -> str:
        if not 0 <= index < len(strings):
            raise ProtobufError(f"interned string {index} out of range")
        return strings[index]

    def dotted_name(index: int) -> str:
        if not 0 <= index < len(dotted):
            raise ProtobufError(f"interned dotted name {index} out of range")
        return ".".join(string(i) for i in dotted[index])

    if metadata is None:
        raise ProtobufError("the package has no metadata (name and version)")
    meta = {n: v for n, v in wire_fields(metadata)}
    name = string(_int(meta.get(1, 0), "PackageMetadata.name_interned_str"))
    version = string(_int(meta.get(2, 0), "PackageMetadata.version_interned_str"))
    modules, templates = [], []
    utility = True
    for raw in modules_raw:
        module_name = ""
        for number, value in wire_fields(raw):
            if number == 1:
                module_name = dotted_name(_int(value, "Module.name_interned_dname"))
        modules.append(module_name)
        for number, value in wire_fields(raw):
            if number == 6:  # DefTemplate: tycon_interned_dname = 1
                fields = dict(wire_fields(_bytes(value, "DefTemplate")))
                entity = dotted_name(_int(fields.get(1, 0), "DefTemplate.tycon_interned_dname"))
                templates.append(f"{module_name}:{entity}")
                utility = False
            elif number == 8:  # DefInterface
                utility = False
            elif number == 4:  # DefDataType: serializable = 4
                if dict(wire_fields(_bytes(value, "DefDataType"))).get(4):
                    utility = False
    return name, version, tuple(modules), tuple(templates), utility


def read_archive(dalf: bytes, entry: str) -> LfPackage:
    """An LF package from the bytes of a ``.dalf``; DAR_PARSE_ERROR when they are not one."""
    try:
        fields: dict[int, int | bytes] = {}
        for number, value in wire_fields(dalf):
            fields[number] = value
        if fields.get(1, 0) != 0:
            raise ProtobufError("unknown hash function (only SHA256 is known)")
        payload = _bytes(fields.get(3, b""), "Archive.payload")
        package_id = _text(fields.get(4, b""), "Archive.hash")
        if not payload:
            raise ProtobufError("the archive has no payload")
        ours = hashlib.sha256(payload).hexdigest()
        if package_id != ours:
            raise ProtobufError(f"Mismatching hashes! Expected {ours} but got {package_id}")
        minor, patch, lf2 = "", 0, None
        for number, value in wire_fields(payload):
            if number == 3:
                minor = _text(value, "ArchivePayload.minor")
            elif number == 5 and isinstance(value, int):
                patch = value
            elif number == 2:
                raise ProtobufError("Daml-LF 1 packages are not supported by Canton 3.3")
            elif number == 4:
                lf2 = _bytes(value, "ArchivePayload.daml_lf_2")
        if lf2 is None:
            raise ProtobufError("the archive payload holds no Daml-LF 2 package")
        name, version, modules, templates, utility = _lf2_package(lf2)
    except ProtobufError as e:
        raise dar_parse_error(f"{entry}: {e}") from None
    language = f"2.{minor}" + (f".{patch}" if patch else "")
    return LfPackage(package_id, name, version, language, modules, templates, utility, len(payload), dalf)


def dar_parse_error(reason: str) -> CantonError:
    # Canton's ParseError puts the reason in its context under the reason itself (Map(reason -> reason)).
    return CantonError(DAR_PARSE_ERROR, "Failed to parse the dar file content.", **{reason: reason})


# ---- DARs --------------------------------------------------------------------------------------


@attrs.frozen
class ParsedDar:
    """A DAR read from its bytes: its main package first, then its dependencies."""

    main: LfPackage
    dependencies: tuple[LfPackage, ...]

    @property
    def packages(self) -> tuple[LfPackage, ...]:
        return (self.main, *self.dependencies)


def read_manifest(text: str) -> dict[str, str]:
    """A JAR manifest's main attributes (``Key: value`` lines; a line starting with one space
    continues the one before)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw)
        elif lines:
            break  # the main section ends at the first blank line
    attributes = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep:
            attributes[key.strip()] = value.strip()
    return attributes


def read_dar(data: bytes) -> ParsedDar:
    """The packages of a DAR, as Canton's DarParser reads it: a zip whose META-INF/MANIFEST.MF names
    the main ``.dalf`` (``Main-Dalf``) and the others (``Dalfs``). Fails with DAR_PARSE_ERROR."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise dar_parse_error(f"the file is not a zip archive ({e})") from None
    manifest_entry = entries.get("META-INF/MANIFEST.MF")
    if manifest_entry is None:
        raise dar_parse_error("the DAR has no META-INF/MANIFEST.MF")

    def content(name: str) -> bytes:
        info = entries.get(name)
        if info is None:
            raise dar_parse_error(f"the manifest names {name}, which the DAR does not contain")
        if info.file_size > 512 * 1024 * 1024:
            raise CantonError(ZIP_BOMB, "Dar zip file seems to be a zip bomb.", msg=f"{name} unpacks to {info.file_size} bytes")
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as e:
            raise dar_parse_error(f"{name}: {e}") from None

    try:
        attributes = read_manifest(content("META-INF/MANIFEST.MF").decode("utf-8"))
    except UnicodeDecodeError:
        raise dar_parse_error("META-INF/MANIFEST.MF is not UTF-8 text") from None
    if attributes.get("Format", "daml-lf") != "daml-lf":
        raise dar_parse_error(f"Unsupported format {attributes['Format']}")
    main_name = attributes.get("Main-Dalf")
    if not main_name:
        raise dar_parse_error("Cannot find attribute: Main-Dalf")
    if "Dalfs" in attributes:
        others = [n.strip() for n in attributes["Dalfs"].split(",") if n.strip() and n.strip() != main_name]
    else:
        others = sorted(n for n in entries if n.endswith(".dalf") and n != main_name)
    main = read_archive(content(main_name), main_name)
    dependencies: dict[str, LfPackage] = {}
    for name in others:
        package = read_archive(content(name), name)
        if package.package_id != main.package_id:
            dependencies.setdefault(package.package_id, package)
    return ParsedDar(main, tuple(dependencies.values()))


def package_id_problem(text: str) -> str | None:
    """Why ``text`` is not a Daml-LF package id (``Ref.PackageId``), or None."""
    if not text:
        return "Daml-LF Package ID is empty"
    if _PACKAGE_ID.fullmatch(text) is None:
        return f'non expected character or length in Daml-LF Package ID "{text}"'
    return None


# ---- what the package service returns (Canton's admin/api/client/data) -------------------------


@attrs.frozen
class DarDescription:
    """Canton's ``DarDescription(mainPackageId, name, version, description)`` (a case class without
    a Pretty: the console prints its fields)."""

    canton_type = "DarDescription"

    mainPackageId: str
    name: str
    version: str
    description: str

    def __pretty__(self) -> Tree:
        return klass(
            "DarDescription",
            param("mainPackageId", self.mainPackageId),
            param("name", self.name),
            param("version", self.version),
            param("description", self.description),
        )


@attrs.frozen
class PackageDescription:
    """Canton's ``PackageDescription(packageId, name, version, uploadedAt, packageSize)``."""

    canton_type = "PackageDescription"

    packageId: str
    name: str
    version: str
    uploadedAt: int  # µs since the epoch
    packageSize: int

    def __pretty__(self) -> Tree:
        return klass(
            "PackageDescription",
            param("packageId", Literal(short_fingerprint(self.packageId))),
            param("name", Literal(self.name)),
            param("version", Literal(self.version)),
            param("uploadedAt", Literal(instant(self.uploadedAt))),
            param("size", Literal(str(self.packageSize))),
        )


@attrs.frozen
class DarContents:
    """Canton's ``DarContents(description, packages)``. Its pretty form shows the DAR's description
    under ``name`` as Canton 3.3's does, and the packages other than the main one."""

    canton_type = "DarContents"

    description: DarDescription
    packages: tuple[PackageDescription, ...]

    def __pretty__(self) -> Tree:
        d = self.description
        others = [Literal(short_fingerprint(p.packageId)) for p in self.packages if p.packageId != d.mainPackageId]
        return klass(
            "DarContents",
            param("main", Literal(short_fingerprint(d.mainPackageId))),
            param("name", Literal(d.description)),
            param("version", Literal(d.version)),
            param("description", Literal(d.description)),
            param("packages", Apply("Seq", tuple(others))),
        )


@attrs.frozen
class PackageContents:
    """Canton's ``PackageDescription.PackageContents(description, modules, isUtilityPackage,
    languageVersion)`` (a case class: the console prints its fields)."""

    canton_type = "PackageContents"

    description: PackageDescription
    modules: frozenset[str]
    isUtilityPackage: bool
    languageVersion: str

    def __pretty__(self) -> Tree:
        return klass(
            "PackageContents",
            param("description", self.description),
            param("modules", Apply("Set", tuple(Literal(scala_string(m)) for m in sorted(self.modules)))),
            param("isUtilityPackage", self.isUtilityPackage),
            param("languageVersion", self.languageVersion),
        )
