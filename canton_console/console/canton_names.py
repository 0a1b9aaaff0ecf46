"""Canton's names as its documentation writes them, resolved in both console syntaxes.

One table (:func:`fully_qualified_names`) maps Canton's fully qualified names to the console's
objects: ``com.digitalasset.canton.topology.PartyId``, ``...config.RequireTypes.PositiveInt``,
``com.digitalasset.canton.sequencing.SequencerConnectionValidation``, ``java.util.UUID``,
``java.time.Duration`` ... :func:`install` binds, in a console namespace,

* the short names of the id types (``PartyId``, ``ParticipantId``, ``Member``, ...);
* the package roots ``com``, ``java`` and ``scala``, so ``com.digitalasset.canton.topology.PartyId``
  is an expression (a :class:`Package` resolves each step, and an unknown step is one error naming it);
* ``__cc_import``, which the Scala translator's ``import`` lines call: ``import a.b.C`` binds ``C``
  (unless the name is already bound), ``import a.b.{C => D}`` binds ``D``, ``import a.b._`` (or
  ``a.b.*``) binds the package's names that are not bound yet; an unknown name is one error naming
  every unknown name of the line.

Nothing is bound over an existing binding: the console's own names win.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, MutableMapping
from typing import Any

import attrs

from canton_console.pretty import Literal
from canton_console.values import ids
from canton_console.values.refined import InvalidValue, ScalaDuration
from canton_console.values.timefmt import java_duration_string, unit_micros

CANTON = "com.digitalasset.canton"
TOPOLOGY = f"{CANTON}.topology"
REQUIRE_TYPES = f"{CANTON}.config.RequireTypes"
CLIENT_DATA = f"{CANTON}.admin.api.client.data"

# Short names bound in every console, as Canton's console has them in scope.
SHORT_NAMES = (
    "PartyId",
    "ParticipantId",
    "MediatorId",
    "SequencerId",
    "SynchronizerId",
    "UniqueIdentifier",
    "Namespace",
    "Fingerprint",
    "Member",
)

# Value companions bound by their short names in every console: Canton's console predef imports
# their packages (admin.api.client.data._, config._, version.ProtocolVersion, sequencing.SubmissionRequestAmplification).
SHORT_VALUE_NAMES = {
    "StaticSynchronizerParameters": f"{CLIENT_DATA}.StaticSynchronizerParameters",
    "ProtocolVersion": f"{CANTON}.version.ProtocolVersion",
    "CryptoConfig": f"{CANTON}.config.CryptoConfig",
    "CryptoProvider": f"{CANTON}.config.CryptoProvider",
    "SubmissionRequestAmplification": f"{CANTON}.sequencing.SubmissionRequestAmplification",
    "SequencerConnections": f"{CANTON}.sequencing.SequencerConnections",
    "SynchronizerConnectionConfig": f"{CANTON}.participant.synchronizer.SynchronizerConnectionConfig",
    "ResourceLimits": f"{CANTON}.participant.admin.ResourceLimits",
    "PositiveDouble": f"{REQUIRE_TYPES}.PositiveDouble",
    "SynchronizerChoice": f"{CANTON}.console.commands.SynchronizerChoice",
    "Level": "ch.qos.logback.classic.Level",
    # the docs use these without an import (``keys.secret.generate_signing_key(usage = SigningKeyUsage.ProtocolOnly)``)
    "SigningKeyUsage": f"{CANTON}.crypto.SigningKeyUsage",
    "TimeQuery": f"{TOPOLOGY}.store.TimeQuery",
    "SigningKeySpec": f"{CANTON}.crypto.SigningKeySpec",
    "EncryptionKeySpec": f"{CANTON}.crypto.EncryptionKeySpec",
    "ContractIdImportMode": f"{CANTON}.participant.admin.data.ContractIdImportMode",
}

# Packages the docs import from that hold nothing the console needs to bind (their names are
# either built into the translator, such as ``10.seconds``, or not used in console commands).
EMPTY_PACKAGES = frozenset({"scala.concurrent.duration"})

ROOTS = ("com", "java", "scala")


class UnknownCantonName(AttributeError):
    """A fully qualified name or import the console does not know: one line naming it."""


# ---- JVM values the docs use --------------------------------------------------------------------


class ScalaString(str):
    """Text that also answers a call: ``x.toString`` and ``x.toString()`` both give the text."""

    def __call__(self) -> str:
        return str(self)


@attrs.frozen(repr=False)
class JavaUUID:
    """``java.util.UUID``: echoed with its full text; ``toString`` gives the text."""

    canton_type = "java.util.UUID"

    text: str

    @property
    def toString(self) -> ScalaString:
        return ScalaString(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"UUID({self.text})"

    def __pretty__(self) -> Literal:
        return Literal(self.text)


class UUIDCompanion:
    """``java.util.UUID``'s static methods: ``randomUUID()`` and ``fromString(text)``."""

    canton_type = "java.util.UUID.type"

    @staticmethod
    def randomUUID() -> JavaUUID:
        return JavaUUID(str(uuid.uuid4()))

    @staticmethod
    def fromString(text: str) -> JavaUUID:
        try:
            return JavaUUID(str(uuid.UUID(str(text))))
        except ValueError:
            raise InvalidValue(f"Invalid UUID string: {text}") from None

    def __repr__(self) -> str:
        return "java.util.UUID"


@attrs.frozen(eq=False, repr=False)
class JavaDuration(ScalaDuration):
    """``java.time.Duration``: a duration printed as Java prints it (``PT10S``), usable wherever
    the console takes a duration."""

    @property
    def canton_type(self) -> str:
        return "java.time.Duration"

    def getSeconds(self) -> int:
        return self.micros // 1_000_000

    def __str__(self) -> str:
        return java_duration_string(self.micros)

    def __repr__(self) -> str:
        return f"JavaDuration({self})"


class CantonTimestampCompanion:
    """``com.digitalasset.canton.data.CantonTimestamp``'s factories: ``MinValue``, ``MaxValue``,
    ``Epoch``, ``now()`` (the wall clock), ``ofEpochSecond`` / ``ofEpochMilli`` / ``ofEpochMicro``.
    Its values are timestamps in microseconds, printed as their instants."""

    canton_type = "com.digitalasset.canton.data.CantonTimestamp.type"

    @staticmethod
    def _at(micros: int) -> Any:
        from canton_console.console.args import MAX_TIMESTAMP_MICROS, MIN_TIMESTAMP_MICROS
        from canton_console.values.pruning import Timestamp

        if isinstance(micros, bool) or not isinstance(micros, int):
            raise InvalidValue(f"CantonTimestamp needs a whole number, got {type(micros).__name__} {micros!r}")
        if not MIN_TIMESTAMP_MICROS <= micros <= MAX_TIMESTAMP_MICROS:
            raise InvalidValue(f"Timestamp {micros} is out of range [{MIN_TIMESTAMP_MICROS}, {MAX_TIMESTAMP_MICROS}]")
        return Timestamp(micros)

    @property
    def MinValue(self) -> Any:  # noqa: N802 - Canton's name
        from canton_console.console.args import MIN_TIMESTAMP_MICROS

        return self._at(MIN_TIMESTAMP_MICROS)

    @property
    def MaxValue(self) -> Any:  # noqa: N802 - Canton's name
        from canton_console.console.args import MAX_TIMESTAMP_MICROS

        return self._at(MAX_TIMESTAMP_MICROS)

    @property
    def Epoch(self) -> Any:  # noqa: N802 - Canton's name
        return self._at(0)

    def now(self) -> Any:
        import time

        return self._at(time.time_ns() // 1000)

    def ofEpochSecond(self, seconds: int) -> Any:  # noqa: N802 - Canton's name
        return self._at(seconds * 1_000_000 if isinstance(seconds, int) and not isinstance(seconds, bool) else seconds)

    def ofEpochMilli(self, millis: int) -> Any:  # noqa: N802 - Canton's name
        return self._at(millis * 1000 if isinstance(millis, int) and not isinstance(millis, bool) else millis)

    def ofEpochMicro(self, micros: int) -> Any:  # noqa: N802 - Canton's name
        return self._at(micros)


class JavaDurationCompanion:
    """``java.time.Duration``'s factories: ``ofSeconds(10)``, ``ofMillis``, ``ofMinutes``,
    ``ofHours``, ``ofDays``, ``ofNanos``, ``ZERO``."""

    canton_type = "java.time.Duration.type"

    @staticmethod
    def _of(n: object, unit: str) -> JavaDuration:
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidValue(f"java.time.Duration needs a whole number, got {type(n).__name__} {n!r}")
        return JavaDuration(n * unit_micros(unit))

    def ofNanos(self, n: int) -> JavaDuration:
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidValue(f"java.time.Duration needs a whole number, got {type(n).__name__} {n!r}")
        return JavaDuration(n // 1000)

    def ofMillis(self, n: int) -> JavaDuration:
        return self._of(n, "millisecond")

    def ofSeconds(self, n: int) -> JavaDuration:
        return self._of(n, "second")

    def ofMinutes(self, n: int) -> JavaDuration:
        return self._of(n, "minute")

    def ofHours(self, n: int) -> JavaDuration:
        return self._of(n, "hour")

    def ofDays(self, n: int) -> JavaDuration:
        return self._of(n, "day")

    @property
    def ZERO(self) -> JavaDuration:
        return JavaDuration(0)

    def __repr__(self) -> str:
        return "java.time.Duration"


class SequencerConnectionValidation:
    """Canton's ``SequencerConnectionValidation``: ``Disabled``, ``All``, ``Active`` or
    ``ThresholdActive`` (a connect command's ``validation`` argument)."""

    canton_type = "SequencerConnectionValidation"
    Disabled: SequencerConnectionValidation
    All: SequencerConnectionValidation
    Active: SequencerConnectionValidation
    ThresholdActive: SequencerConnectionValidation

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __pretty__(self) -> Literal:
        return Literal(self.name)


for _name in ("Disabled", "All", "Active", "ThresholdActive"):
    setattr(SequencerConnectionValidation, _name, SequencerConnectionValidation(_name))


# ---- the table ------------------------------------------------------------------------------------


@functools.cache
def fully_qualified_names() -> dict[str, Any]:
    """Canton's fully qualified names -> the console's objects."""
    from canton_console.console.commands import owner_to_key_mappings, topology_stores
    from canton_console.console.commands import topology_mappings as topology_commands
    from canton_console.values import parameters, refined, sequencing, static_parameters

    table: dict[str, Any] = {f"{TOPOLOGY}.{name}": getattr(ids, name) for name in SHORT_NAMES if name != "Fingerprint"}
    table[f"{CANTON}.crypto.Fingerprint"] = ids.Fingerprint
    table[f"{CANTON}.sequencing.SequencerConnectionValidation"] = SequencerConnectionValidation
    for name in ("PositiveInt", "PositiveLong", "NonNegativeInt", "NonNegativeLong", "NonNegativeNumeric", "PositiveNumeric"):
        table[f"{REQUIRE_TYPES}.{name}"] = getattr(refined, name)
    for name in ("NonNegativeFiniteDuration", "PositiveFiniteDuration", "PositiveDurationSeconds"):
        table[f"{CANTON}.config.{name}"] = getattr(refined, name)
        table[f"{CANTON}.time.{name}"] = getattr(refined, name)
    table[f"{CANTON}.config.NonNegativeDuration"] = refined.NonNegativeFiniteDuration
    for name in ("TrafficControlParameters", "DynamicSynchronizerParameters", "OnboardingRestriction"):
        table[f"{CLIENT_DATA}.{name}"] = getattr(parameters, name)
    table[f"{TOPOLOGY}.transaction.ParticipantPermission"] = topology_commands.ParticipantPermission
    table[f"{TOPOLOGY}.ForceFlag"] = topology_commands.ForceFlag
    table[f"{TOPOLOGY}.ForceFlags"] = topology_commands.ForceFlags
    table[f"{TOPOLOGY}.transaction.TopologyChangeOp"] = topology_commands.TopologyChangeOp
    table[f"{TOPOLOGY}.admin.grpc.TopologyStoreId"] = topology_stores.TopologyStoreId
    table[f"{CLIENT_DATA}.StaticSynchronizerParameters"] = static_parameters.STATIC_SYNCHRONIZER_PARAMETERS
    table[f"{CANTON}.version.ProtocolVersion"] = static_parameters.PROTOCOL_VERSIONS
    table[f"{CANTON}.config.CryptoConfig"] = static_parameters.CryptoConfig
    table[f"{CANTON}.config.CryptoProvider"] = static_parameters.CRYPTO_PROVIDERS
    table[f"{CANTON}.sequencing.SubmissionRequestAmplification"] = sequencing.SUBMISSION_REQUEST_AMPLIFICATION
    table[f"{CANTON}.sequencing.SequencerConnections"] = sequencing.SEQUENCER_CONNECTIONS
    from canton_console.console.commands.vetted_packages import VETTED_PACKAGE

    table[f"{TOPOLOGY}.transaction.VettedPackage"] = VETTED_PACKAGE
    from canton_console.console.commands.topology_time import TIME_QUERY

    table[f"{TOPOLOGY}.store.TimeQuery"] = TIME_QUERY
    from canton_console.console.commands.parties import SYNCHRONIZER_CHOICE

    table[f"{CANTON}.console.commands.SynchronizerChoice"] = SYNCHRONIZER_CHOICE
    from canton_console.values.users import FieldMask

    table["com.google.protobuf.field_mask.FieldMask"] = FieldMask
    from canton_console.values.bytestring import BYTE_STRING

    table["com.google.protobuf.ByteString"] = BYTE_STRING
    table.update(_topology_transaction_names())
    table[f"{CANTON}.crypto.KeyPurpose"] = owner_to_key_mappings.KeyPurpose
    from canton_console.values import keys as key_values

    table[f"{CANTON}.crypto.SigningKeyUsage"] = key_values.SigningKeyUsageCompanion()
    table[f"{CANTON}.crypto.SigningKeySpec"] = key_values.SigningKeySpecCompanion()
    table[f"{CANTON}.crypto.EncryptionKeySpec"] = key_values.EncryptionKeySpecCompanion()
    from canton_console.values import bft

    table[f"{bft.DRIVER_CONFIG}.P2PEndpointConfig"] = bft.P2PEndpointConfig
    table[f"{bft.DRIVER_CONFIG}.EndpointId"] = bft.EndpointId
    table[f"{REQUIRE_TYPES}.Port"] = bft.PORT
    table[f"{CANTON}.config.TlsClientConfig"] = bft.TlsClientConfig
    from canton_console.values.resource_limits import POSITIVE_DOUBLE, RESOURCE_LIMITS
    from canton_console.values.synchronizer_connection import SYNCHRONIZER_CONNECTION_CONFIG

    table[f"{CANTON}.participant.synchronizer.SynchronizerConnectionConfig"] = SYNCHRONIZER_CONNECTION_CONFIG
    table[f"{CANTON}.participant.admin.ResourceLimits"] = RESOURCE_LIMITS
    table[f"{REQUIRE_TYPES}.PositiveDouble"] = POSITIVE_DOUBLE
    table["java.util.UUID"] = UUIDCompanion()
    table["java.time.Duration"] = JavaDurationCompanion()
    table[f"{CANTON}.data.CantonTimestamp"] = CantonTimestampCompanion()
    from canton_console.console.commands.ledger_reads import canton_names as ledger_reads_names

    table.update(ledger_reads_names())  # the Ledger API's update format, logback's Level
    from canton_console.console.commands.participant_repair import ContractIdImportMode

    table[f"{CANTON}.participant.admin.data.ContractIdImportMode"] = ContractIdImportMode
    table.update(_commitment_names())
    return table


def _commitment_names() -> dict[str, Any]:
    """The ACS commitment commands' arguments, where Canton's docs import them from."""
    from canton_console.values import commitments

    inspection = f"{CANTON}.admin.api.client.commands.ParticipantAdminCommands.Inspection"
    processor = f"{CANTON}.participant.pruning.AcsCommitmentProcessor"
    return {
        f"{inspection}.SynchronizerTimeRange": commitments.SynchronizerTimeRange,
        f"{inspection}.TimeRange": commitments.TimeRange,
        f"{inspection}.SlowCounterParticipantSynchronizerConfig": commitments.SlowCounterParticipantSynchronizerConfig,
        f"{processor}.ReceivedCmtState": commitments.RECEIVED_CMT_STATE,
        f"{processor}.SentCmtState": commitments.SENT_CMT_STATE,
    }


def _topology_transaction_names() -> dict[str, Any]:
    """``com.digitalasset.canton.topology.transaction``: the mappings the console builds, the
    mapping codes and change operations, and ``DelegationRestriction`` with its values."""
    from canton_console.console.commands import (
        decentralized_namespaces,
        namespace_delegations,
        owner_to_key_mappings,
        party_to_key_mappings,
        topology_reads,
    )

    package = f"{TOPOLOGY}.transaction"
    restriction = f"{package}.DelegationRestriction"
    return {
        f"{package}.TopologyMapping": topology_reads.TopologyMapping,
        f"{package}.TopologyChangeOp": topology_reads.TopologyChangeOp,
        f"{package}.OwnerToKeyMapping": owner_to_key_mappings.OwnerToKeyMapping,
        f"{package}.PartyToKeyMapping": party_to_key_mappings.PartyToKeyMapping,
        f"{package}.DecentralizedNamespaceDefinition": decentralized_namespaces.DecentralizedNamespaceDefinition,
        f"{restriction}.CanSignAllMappings": namespace_delegations.CanSignAllMappings,
        f"{restriction}.CanSignAllButNamespaceDelegations": namespace_delegations.CanSignAllButNamespaceDelegations,
        f"{restriction}.CanSignSpecificMappings": namespace_delegations.CanSignSpecificMappings,
    }


# Names Canton's console imports by default (``import ...topology.transaction._`` and
# ``...DelegationRestriction._``), bound by their short names in every console.
DEFAULT_TRANSACTION_NAMES = (
    "TopologyMapping",
    "TopologyChangeOp",
    "OwnerToKeyMapping",
    "PartyToKeyMapping",
    "DecentralizedNamespaceDefinition",
    "DelegationRestriction.CanSignAllMappings",
    "DelegationRestriction.CanSignAllButNamespaceDelegations",
    "DelegationRestriction.CanSignSpecificMappings",
    "VettedPackage",
)


@functools.cache
def _packages() -> frozenset[str]:
    found = set(EMPTY_PACKAGES)
    for name in fully_qualified_names():
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    for name in EMPTY_PACKAGES:
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(found)


def _children(path: str) -> list[str]:
    prefix = path + "."
    names = {n[len(prefix) :].split(".")[0] for n in (*fully_qualified_names(), *_packages()) if n.startswith(prefix)}
    return sorted(names)


def _unknown(path: str) -> str:
    """Scala's complaint about the first step of ``path`` that is not known, with what is."""
    parts = path.split(".")
    known = _packages()
    depth = 1
    while depth < len(parts) and ".".join(parts[:depth]) in known:
        depth += 1
    parent, name = ".".join(parts[: depth - 1]), parts[depth - 1]
    if not parent:
        return f"{name} is not a package this console knows (it knows {', '.join(ROOTS)})"
    return f"object {name} is not a member of package {parent} (this console knows {parent}.{{{', '.join(_children(parent))}}})"


class Package:
    """A package (or Scala object) on the way to a name: ``com.digitalasset.canton.topology``.

    Its known members are plain instance attributes (so tab completion offers them); any other
    name is an :class:`UnknownCantonName`."""

    def __init__(self, path: str):
        self._path = path
        for child in _children(path):
            setattr(self, child, resolve(f"{path}.{child}"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return resolve(f"{self._path}.{name}")

    def __dir__(self) -> list[str]:
        return _children(self._path)

    @property
    def canton_type(self) -> str:
        return f"{self._path}.type"

    def __repr__(self) -> str:
        return f"package {self._path}"

    def __pretty__(self) -> Literal:
        return Literal(repr(self))


def resolve(path: str) -> Any:
    """The console object of a fully qualified name, or the package on the way to one."""
    table = fully_qualified_names()
    if path in table:
        return table[path]
    if path in _packages():
        return Package(path)
    raise UnknownCantonName(_unknown(path))


# ---- binding ------------------------------------------------------------------------------------


def import_names(namespace: MutableMapping[str, Any], imports: Iterable[str]) -> None:
    """Carry out the import lines' entries (``a.b.C``, ``a.b.C=>D``, ``a.b._``) in ``namespace``;
    raises one :class:`UnknownCantonName` naming every entry it does not know, binding nothing then."""
    bindings: dict[str, Any] = {}
    unknown: list[str] = []
    for entry in imports:
        path, _, alias = entry.partition("=>")
        parent, _, name = path.rpartition(".")
        if name in ("_", "*"):
            if parent not in _packages():
                unknown.append(f"{parent}._")
                continue
            prefix = parent + "."
            for full, value in fully_qualified_names().items():
                short = full[len(prefix) :]
                if full.startswith(prefix) and "." not in short:
                    bindings.setdefault(short, value)
            continue
        try:
            value = resolve(path)
        except UnknownCantonName:
            unknown.append(path)
            continue
        if alias != "_":
            bindings[alias or name] = value
    if unknown:
        detail = "; ".join(_unknown(u.removesuffix("._")) for u in unknown)
        raise UnknownCantonName(f"cannot import {', '.join(unknown)}: {detail}")
    for name, value in bindings.items():
        namespace.setdefault(name, value)


def install(namespace: MutableMapping[str, Any]) -> None:
    """Bind the short id names, the package roots and ``__cc_import`` in a console namespace
    (never over an existing binding)."""
    for name in SHORT_NAMES:
        namespace.setdefault(name, getattr(ids, name))
    namespace.setdefault("TopologyStoreId", fully_qualified_names()[f"{TOPOLOGY}.admin.grpc.TopologyStoreId"])
    for name, full in SHORT_VALUE_NAMES.items():
        namespace.setdefault(name, fully_qualified_names()[full])
    for name in DEFAULT_TRANSACTION_NAMES:
        namespace.setdefault(name.rsplit(".", 1)[-1], fully_qualified_names()[f"{TOPOLOGY}.transaction.{name}"])
    for root in ROOTS:
        namespace.setdefault(root, Package(root))
    namespace["__cc_import"] = lambda *entries: import_names(namespace, entries)
