"""A synchronizer's static parameters as Canton 3.3's console knows them, and the protocol versions
and crypto specs they name.

``StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest)`` (or
``defaults(cryptoConfig, protocolVersion)``) gives what ``bootstrap.synchronizer`` fixes for the
life of a synchronizer: the signing, encryption, symmetric, hash, key-format and signature-format
specs every member must support, and the protocol version. Canton derives the required specs from a
crypto provider's supported schemes (``SynchronizerParametersConfig().toStaticSynchronizerParameters``);
the tables below are those of Canton 3.3's JCE and KMS providers, in Canton's order.

Renderings are Ammonite's pprint of Canton's console case classes (field names, ``Set(...)``), where
the crypto specs print their names and a protocol version its number (``33``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.either import Either
from canton_console.values.refined import InvalidValue

# --------------------------------------------------------------------------------------------------
# Protocol versions


class ProtocolVersionError(InvalidValue):
    """``sys.error`` in Canton's ``ProtocolVersion.tryCreate``: a ``RuntimeException``."""

    java_exception = "java.lang.RuntimeException"


INT_MAX = 2**31 - 1
DEV = INT_MAX  # ProtocolVersion.dev
STABLE = (33,)  # BuildInfo.stableProtocolVersions of Canton 3.3
ALPHA = (DEV,)
BETA: tuple[int, ...] = ()
DELETED = (2, 3, 4, 5, 6, 30, 31, 32)


@attrs.frozen(order=True, repr=False)
class ProtocolVersion:
    """A Canton protocol version (``33``, or ``dev``); printed as its number."""

    v: int

    canton_type = "ProtocolVersion"

    @property
    def isDev(self) -> bool:
        return self.v == DEV

    @property
    def isStable(self) -> bool:
        return self.v in STABLE

    @property
    def isAlpha(self) -> bool:
        return self.v in ALPHA

    @property
    def isBeta(self) -> bool:
        return self.v in BETA

    @property
    def isDeprecated(self) -> bool:
        return False  # none in 3.3

    @property
    def isDeleted(self) -> bool:
        return self.v in DELETED

    @property
    def isSupported(self) -> bool:
        return self.v in SUPPORTED

    @property
    def toProtoPrimitive(self) -> int:
        return self.v

    @property
    def toProtoPrimitiveS(self) -> str:
        return str(self.v)

    def __str__(self) -> str:
        return "dev" if self.isDev else str(self.v)

    def __repr__(self) -> str:
        return f"ProtocolVersion({self})"

    def __pretty__(self) -> Tree:
        return Literal(str(self))


SUPPORTED = tuple(sorted((*ALPHA, *BETA, *STABLE)))


def _unsupported(pv: ProtocolVersion) -> str:
    supported = ", ".join(str(ProtocolVersion(v)) for v in SUPPORTED)
    return f"Protocol version {pv} is not supported. The supported versions are {supported}."


def _parse(raw: object) -> Either:
    """Canton's ``ProtocolVersion.create``: a supported version from its text, or the reason."""
    if not isinstance(raw, str):
        raise TypeError(f"ProtocolVersion.create expects a String such as \"33\", got {type(raw).__name__} {raw!r}")
    text = raw.strip()
    if text.lower() == "dev":
        pv = ProtocolVersion(DEV)
    else:
        try:
            pv = ProtocolVersion(int(text, 10))
        except ValueError:
            return Either(f"Unable to convert string `{raw}` to a protocol version.", False, "Either[String, ProtocolVersion]")
    if not pv.isSupported:
        return Either(_unsupported(pv), False, "Either[String, ProtocolVersion]")
    return Either(pv, True, "Either[String, ProtocolVersion]")


class ProtocolVersionCompanion:
    """``ProtocolVersion`` as the console names it: ``latest``, ``v33``, ``dev``, ``minimum``,
    ``forSynchronizer`` (``latest`` unless the environment variable ``CANTON_PROTOCOL_VERSION``
    names another), ``stable``, ``supported``, ``create(text)`` and ``tryCreate(text)``."""

    canton_type = "ProtocolVersion.type"

    @property
    def latest(self) -> ProtocolVersion:
        return ProtocolVersion(STABLE[-1])

    @property
    def v33(self) -> ProtocolVersion:
        return ProtocolVersion(33)

    @property
    def dev(self) -> ProtocolVersion:
        return ProtocolVersion(DEV)

    @property
    def minimum(self) -> ProtocolVersion:
        return self.v33

    @property
    def forSynchronizer(self) -> ProtocolVersion:
        raw = os.environ.get("CANTON_PROTOCOL_VERSION")
        return self.latest if raw is None else self.tryCreate(raw)

    @property
    def stable(self) -> list[ProtocolVersion]:
        return [ProtocolVersion(v) for v in STABLE]

    @property
    def supported(self) -> list[ProtocolVersion]:
        return [ProtocolVersion(v) for v in SUPPORTED]

    def create(self, rawVersion: str) -> Either:
        return _parse(rawVersion)

    def tryCreate(self, rawVersion: str) -> ProtocolVersion:
        parsed = _parse(rawVersion)
        if parsed.isLeft:
            raise ProtocolVersionError(parsed.value)
        return parsed.value

    def __call__(self, *args: object, **kwargs: object) -> ProtocolVersion:
        raise TypeError(
            "ProtocolVersion's constructor is private: use ProtocolVersion.latest, ProtocolVersion.v33 "
            'or ProtocolVersion.tryCreate("33")'
        )

    def __repr__(self) -> str:
        return "ProtocolVersion"

    def __pretty__(self) -> Tree:
        return Literal("ProtocolVersion")


PROTOCOL_VERSIONS = ProtocolVersionCompanion()


# --------------------------------------------------------------------------------------------------
# Crypto specs: Scala case objects, printed by their names


@attrs.frozen(repr=False)
class Spec:
    """One crypto spec: ``scala`` is the case object's name (how it is stored), ``name`` how it prints."""

    kind: str
    scala: str
    name: str

    @property
    def canton_type(self) -> str:
        return self.kind

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__

    def __pretty__(self) -> Tree:
        return Literal(self.name)


def _specs(kind: str, *pairs: tuple[str, str]) -> dict[str, Spec]:
    return {scala: Spec(kind, scala, name) for scala, name in pairs}


SIGNING_ALGORITHMS = _specs("SigningAlgorithmSpec", ("Ed25519", "Ed25519"), ("EcDsaSha256", "EC-DSA-SHA256"), ("EcDsaSha384", "EC-DSA-SHA384"))
SIGNING_KEYS = _specs(
    "SigningKeySpec", ("EcCurve25519", "EC-Curve25519"), ("EcP256", "EC-P256"), ("EcP384", "EC-P384"), ("EcSecp256k1", "EC-Secp256k1")
)
ENCRYPTION_ALGORITHMS = _specs(
    "EncryptionAlgorithmSpec",
    ("EciesHkdfHmacSha256Aes128Gcm", "ECIES_HMAC256_AES128-GCM"),
    ("EciesHkdfHmacSha256Aes128Cbc", "ECIES_HMAC256_AES128-CBC"),
    ("RsaOaepSha256", "RSA-OAEP-SHA256"),
)
ENCRYPTION_KEYS = _specs("EncryptionKeySpec", ("EcP256", "EC-P256"), ("Rsa2048", "RSA-2048"))
SYMMETRIC_KEY_SCHEMES = _specs("SymmetricKeyScheme", ("Aes128Gcm", "AES128-GCM"))
# The console's HashAlgorithm case objects keep Scala's default toString (their name field is SHA-256).
HASH_ALGORITHMS = _specs("HashAlgorithm", ("Sha256", "Sha256"))
CRYPTO_KEY_FORMATS = _specs(
    "CryptoKeyFormat",
    ("DerX509Spki", "DER-encoded X.509 SubjectPublicKeyInfo"),
    ("DerPkcs8Pki", "DER-encoded PKCS #8 PrivateKeyInfo"),
    ("Der", "DER"),
    ("Raw", "Raw"),
    ("Symbolic", "Symbolic"),
)
SIGNATURE_FORMATS = _specs("SignatureFormat", ("Der", "DER"), ("Concat", "Concat"), ("Raw", "Raw"), ("Symbolic", "Symbolic"))


class SpecSet(tuple):
    """A Scala ``NonEmpty[Set[...]]`` of specs, in Canton's order (printed ``Set(a, b)``)."""

    kind = "Spec"

    def __new__(cls, kind: str, items: Iterable[Spec]):
        made = super().__new__(cls, tuple(dict.fromkeys(items)))
        made.kind = kind
        return made

    @property
    def canton_type(self) -> str:
        return f"NonEmpty[Set[{self.kind}]]"

    def contains(self, spec: object) -> bool:
        return spec in self

    @property
    def size(self) -> int:
        return len(self)

    def __pretty__(self) -> Tree:
        return Apply("Set", tuple(Literal(s.name) for s in self))

    def names(self) -> list[str]:
        return [s.scala for s in self]


def _set(table: dict[str, Spec], names: Iterable[str], field: str) -> SpecSet:
    kind = next(iter(table.values())).kind
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"{field}: unknown {kind} {', '.join(unknown)}")
    specs = SpecSet(kind, (table[n] for n in names))
    if not specs:
        raise ValueError(f"{field}: the set of {kind}s must not be empty")
    return specs


@attrs.frozen
class RequiredSigningSpecs:
    algorithms: SpecSet
    keys: SpecSet

    canton_type = "RequiredSigningSpecs"

    def __pretty__(self) -> Tree:
        return klass("RequiredSigningSpecs", param("algorithms", self.algorithms), param("keys", self.keys))


@attrs.frozen
class RequiredEncryptionSpecs:
    algorithms: SpecSet
    keys: SpecSet

    canton_type = "RequiredEncryptionSpecs"

    def __pretty__(self) -> Tree:
        return klass("RequiredEncryptionSpecs", param("algorithms", self.algorithms), param("keys", self.keys))


# --------------------------------------------------------------------------------------------------
# Crypto providers and the crypto config that names one


@attrs.frozen(repr=False)
class CryptoProvider:
    """Canton's ``CryptoProvider.Jce`` or ``CryptoProvider.Kms``: the schemes it supports, in order."""

    name: str
    signing_algorithms: tuple[str, ...]
    signing_keys: tuple[str, ...]
    encryption_algorithms: tuple[str, ...]
    encryption_keys: tuple[str, ...]
    symmetric: tuple[str, ...] = ("Aes128Gcm",)
    hash: tuple[str, ...] = ("Sha256",)
    # supportedCryptoKeyFormatsForProtocol / supportedSignatureFormatsForProtocol (the same in 3.3 for every version)
    key_formats: tuple[str, ...] = ("Raw", "DerX509Spki", "DerPkcs8Pki")
    signature_formats: tuple[str, ...] = ("Der", "Concat")

    canton_type = "CryptoProvider"

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__

    def __pretty__(self) -> Tree:
        return Literal(self.name)


JCE = CryptoProvider(
    "JCE",
    signing_algorithms=("Ed25519", "EcDsaSha256", "EcDsaSha384"),
    signing_keys=("EcCurve25519", "EcP256", "EcP384", "EcSecp256k1"),
    encryption_algorithms=("EciesHkdfHmacSha256Aes128Gcm", "EciesHkdfHmacSha256Aes128Cbc", "RsaOaepSha256"),
    encryption_keys=("EcP256", "Rsa2048"),
)
# The KMS provider: its own schemes first, then those it only verifies/encrypts with in software.
KMS = CryptoProvider(
    "KMS",
    signing_algorithms=("EcDsaSha256", "EcDsaSha384", "Ed25519"),
    signing_keys=("EcP256", "EcP384", "EcSecp256k1", "EcCurve25519"),
    encryption_algorithms=("RsaOaepSha256", "EciesHkdfHmacSha256Aes128Gcm", "EciesHkdfHmacSha256Aes128Cbc"),
    encryption_keys=("Rsa2048", "EcP256"),
)


class CryptoProviderCompanion:
    """``CryptoProvider.Jce`` and ``CryptoProvider.Kms``."""

    canton_type = "CryptoProvider.type"
    Jce = JCE
    Kms = KMS

    def __repr__(self) -> str:
        return "CryptoProvider"


CRYPTO_PROVIDERS = CryptoProviderCompanion()

_SCHEME_CONFIG = klass("CryptoSchemeConfig", param("default", None), param("allowed", None))


@attrs.frozen(init=False)
class CryptoConfig:
    """Canton's ``CryptoConfig`` with its defaults; this console takes only the ``provider``
    (the nodes themselves use software keys, i.e. the JCE provider). Any other argument is refused
    by name rather than ignored."""

    provider: CryptoProvider

    canton_type = "CryptoConfig"
    UNSUPPORTED = ("signing", "encryption", "symmetric", "hash", "pbkdf", "kms", "privateKeyStore", "private_key_store")

    def __init__(self, provider: object = JCE, **kwargs: object):
        for key in kwargs:
            if key in self.UNSUPPORTED:
                raise TypeError(
                    f"CryptoConfig: argument '{key}' is not supported by canton-console: its crypto config has only a provider "
                    "(CryptoProvider.Jce or CryptoProvider.Kms) and each provider's default schemes"
                )
            raise TypeError(f"CryptoConfig: unknown argument '{key}'; valid names are: provider, {', '.join(self.UNSUPPORTED[:-1])}")
        if not isinstance(provider, CryptoProvider):
            raise TypeError(f"CryptoConfig: provider must be CryptoProvider.Jce or CryptoProvider.Kms, got {provider!r}")
        self.__attrs_init__(provider)

    def __pretty__(self) -> Tree:
        def scheme_pair(name: str) -> Tree:
            return klass(name, param("algorithms", _SCHEME_CONFIG), param("keys", _SCHEME_CONFIG))

        return klass(
            "CryptoConfig",
            param("provider", self.provider),
            param("signing", scheme_pair("SigningSchemeConfig")),
            param("encryption", scheme_pair("EncryptionSchemeConfig")),
            param("symmetric", _SCHEME_CONFIG),
            param("hash", _SCHEME_CONFIG),
            param("pbkdf", _SCHEME_CONFIG),
            param("kms", None),
            param("privateKeyStore", klass("PrivateKeyStoreConfig", param("encryption", None))),
        )


# --------------------------------------------------------------------------------------------------
# StaticSynchronizerParameters


@attrs.frozen
class StaticSynchronizerParameters:
    """Canton 3.3's console ``StaticSynchronizerParameters``; made by the companion's ``defaults``
    and ``defaultsWithoutKMS`` (its fields are fixed for the synchronizer's lifetime)."""

    requiredSigningSpecs: RequiredSigningSpecs
    requiredEncryptionSpecs: RequiredEncryptionSpecs
    requiredSymmetricKeySchemes: SpecSet
    requiredHashAlgorithms: SpecSet
    requiredCryptoKeyFormats: SpecSet
    requiredSignatureFormats: SpecSet
    protocolVersion: ProtocolVersion

    canton_type = "StaticSynchronizerParameters"

    @classmethod
    def for_provider(cls, provider: CryptoProvider, protocol_version: ProtocolVersion) -> "StaticSynchronizerParameters":
        """Canton's ``SynchronizerParametersConfig().toStaticSynchronizerParameters``: every scheme the
        provider supports is required."""
        return cls.from_dict(
            {
                "requiredSigningAlgorithmSpecs": list(provider.signing_algorithms),
                "requiredSigningKeySpecs": list(provider.signing_keys),
                "requiredEncryptionAlgorithmSpecs": list(provider.encryption_algorithms),
                "requiredEncryptionKeySpecs": list(provider.encryption_keys),
                "requiredSymmetricKeySchemes": list(provider.symmetric),
                "requiredHashAlgorithms": list(provider.hash),
                "requiredCryptoKeyFormats": list(provider.key_formats),
                "requiredSignatureFormats": list(provider.signature_formats),
                "protocolVersion": protocol_version.v,
            }
        )

    # --- storage: spec names as Canton's case objects are called, the version as its number -----------
    def to_dict(self) -> dict[str, Any]:
        return {
            "requiredSigningAlgorithmSpecs": self.requiredSigningSpecs.algorithms.names(),
            "requiredSigningKeySpecs": self.requiredSigningSpecs.keys.names(),
            "requiredEncryptionAlgorithmSpecs": self.requiredEncryptionSpecs.algorithms.names(),
            "requiredEncryptionKeySpecs": self.requiredEncryptionSpecs.keys.names(),
            "requiredSymmetricKeySchemes": self.requiredSymmetricKeySchemes.names(),
            "requiredHashAlgorithms": self.requiredHashAlgorithms.names(),
            "requiredCryptoKeyFormats": self.requiredCryptoKeyFormats.names(),
            "requiredSignatureFormats": self.requiredSignatureFormats.names(),
            "protocolVersion": self.protocolVersion.v,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "StaticSynchronizerParameters":
        """Inverse of ``to_dict``. A record written before the crypto specs were stored holds only
        ``protocol_version``: its specs are the JCE defaults, which is what such a synchronizer had."""
        if "protocolVersion" not in d:
            return cls.for_provider(JCE, ProtocolVersion(int(d["protocol_version"])))
        return cls(
            RequiredSigningSpecs(
                _set(SIGNING_ALGORITHMS, d["requiredSigningAlgorithmSpecs"], "requiredSigningAlgorithmSpecs"),
                _set(SIGNING_KEYS, d["requiredSigningKeySpecs"], "requiredSigningKeySpecs"),
            ),
            RequiredEncryptionSpecs(
                _set(ENCRYPTION_ALGORITHMS, d["requiredEncryptionAlgorithmSpecs"], "requiredEncryptionAlgorithmSpecs"),
                _set(ENCRYPTION_KEYS, d["requiredEncryptionKeySpecs"], "requiredEncryptionKeySpecs"),
            ),
            _set(SYMMETRIC_KEY_SCHEMES, d["requiredSymmetricKeySchemes"], "requiredSymmetricKeySchemes"),
            _set(HASH_ALGORITHMS, d["requiredHashAlgorithms"], "requiredHashAlgorithms"),
            _set(CRYPTO_KEY_FORMATS, d["requiredCryptoKeyFormats"], "requiredCryptoKeyFormats"),
            _set(SIGNATURE_FORMATS, d["requiredSignatureFormats"], "requiredSignatureFormats"),
            ProtocolVersion(int(d["protocolVersion"])),
        )

    # --- files: what owners exchange before a decentralized bootstrap ---------------------------------
    def writeToFile(self, outputFile: str) -> None:  # noqa: N802, N803 - Canton's names
        """Store the parameters in a file (``StaticSynchronizerParameters.tryReadFromFile`` reads it)."""
        body = json.dumps({"format": PARAMETERS_FILE_FORMAT, "parameters": self.to_dict()}, sort_keys=True)
        path = Path(outputFile)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body + "\n", encoding="utf-8")
        except OSError as e:
            raise InvalidValue(f"Unable to write to {outputFile}: {e.strerror or e}") from None

    def __pretty__(self) -> Tree:
        return klass(
            "StaticSynchronizerParameters",
            param("requiredSigningSpecs", self.requiredSigningSpecs),
            param("requiredEncryptionSpecs", self.requiredEncryptionSpecs),
            param("requiredSymmetricKeySchemes", self.requiredSymmetricKeySchemes),
            param("requiredHashAlgorithms", self.requiredHashAlgorithms),
            param("requiredCryptoKeyFormats", self.requiredCryptoKeyFormats),
            param("requiredSignatureFormats", self.requiredSignatureFormats),
            param("protocolVersion", self.protocolVersion),
        )


PARAMETERS_FILE_FORMAT = "canton-console/static-synchronizer-parameters/1"


class StaticSynchronizerParametersCompanion:
    """``StaticSynchronizerParameters`` as the console names it: ``defaults(cryptoConfig,
    protocolVersion)`` and ``defaultsWithoutKMS(protocolVersion)``."""

    canton_type = "StaticSynchronizerParameters.type"

    def defaults(self, cryptoConfig: object, protocolVersion: object) -> StaticSynchronizerParameters:
        if not isinstance(cryptoConfig, CryptoConfig):
            raise TypeError(
                "StaticSynchronizerParameters.defaults: cryptoConfig must be a CryptoConfig (e.g. sequencer1.config.crypto "
                f"or CryptoConfig()), got {type(cryptoConfig).__name__} {cryptoConfig!r}"
            )
        if not isinstance(protocolVersion, ProtocolVersion):
            raise TypeError(
                "StaticSynchronizerParameters.defaults: protocolVersion must be a ProtocolVersion (e.g. ProtocolVersion.latest), "
                f"got {type(protocolVersion).__name__} {protocolVersion!r}"
            )
        return StaticSynchronizerParameters.for_provider(cryptoConfig.provider, protocolVersion)

    def defaultsWithoutKMS(self, protocolVersion: object) -> StaticSynchronizerParameters:
        return self.defaults(CryptoConfig(), protocolVersion)

    def readFromFile(self, inputFile: str) -> Either:  # noqa: N802, N803 - Canton's names
        """The parameters ``writeToFile`` stored, or Left(why not)."""
        try:
            body = json.loads(Path(inputFile).read_text(encoding="utf-8"))
        except OSError as e:
            return Either(f"Unable to read from {inputFile}: {e.strerror or e}", False)
        except ValueError:
            return Either(f"Unable to parse {inputFile}: it is not a static synchronizer parameters file", False)
        if not isinstance(body, dict) or body.get("format") != PARAMETERS_FILE_FORMAT:
            return Either(f"Unable to parse {inputFile}: it is not a static synchronizer parameters file", False)
        try:
            return Either(StaticSynchronizerParameters.from_dict(body["parameters"]), True)
        except (KeyError, TypeError, ValueError, InvalidValue) as e:
            return Either(f"Unable to parse {inputFile}: {e}", False)

    def tryReadFromFile(self, inputFile: str) -> StaticSynchronizerParameters:  # noqa: N802, N803 - Canton's names
        """The parameters ``writeToFile`` stored; fails when the file is not one."""
        result = self.readFromFile(inputFile)
        if result.isLeft:
            raise InvalidValue(result.value)
        parameters: StaticSynchronizerParameters = result.value
        return parameters

    def __call__(self, *args: object, **kwargs: object) -> StaticSynchronizerParameters:
        raise TypeError(
            "StaticSynchronizerParameters: canton-console makes static synchronizer parameters only with "
            "StaticSynchronizerParameters.defaultsWithoutKMS(protocolVersion) or .defaults(cryptoConfig, protocolVersion)"
        )

    def __repr__(self) -> str:
        return "StaticSynchronizerParameters"


STATIC_SYNCHRONIZER_PARAMETERS = StaticSynchronizerParametersCompanion()


def default_static_parameters() -> StaticSynchronizerParameters:
    """What ``bootstrap.local`` uses: ``defaultsWithoutKMS(ProtocolVersion.forSynchronizer)``."""
    return STATIC_SYNCHRONIZER_PARAMETERS.defaultsWithoutKMS(PROTOCOL_VERSIONS.forSynchronizer)


__all__ = [
    "CRYPTO_PROVIDERS",
    "CryptoConfig",
    "CryptoProvider",
    "PROTOCOL_VERSIONS",
    "ProtocolVersion",
    "ProtocolVersionError",
    "RequiredEncryptionSpecs",
    "RequiredSigningSpecs",
    "STATIC_SYNCHRONIZER_PARAMETERS",
    "SpecSet",
    "StaticSynchronizerParameters",
    "default_static_parameters",
]
