"""``<node>.keys``: the node's key vault (Canton's ``KeyAdministrationGroup``): ``keys.secret`` for
its key pairs (list, generate, delete, download and upload, rotate), ``keys.public`` for the public
keys it knows and the keys of the members of its synchronizers."""

from __future__ import annotations

import builtins
import re
from pathlib import Path
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.owner_to_key_mappings import KeyPurpose, KeyPurposeArg, MemberCodeArg
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import NodeReference
from canton_console.values import topology as t
from canton_console.values.bytestring import ByteString
from canton_console.values.ids import Fingerprint, Member, Namespace, fingerprint_problem
from canton_console.values.keys import (
    EncryptionPublicKey,
    KeySpec,
    SigningKeyUsage,
    SigningPublicKey,
)
from canton_console.values.scala import Option, TypedVector, Vector
from canton_console.values.timefmt import instant

USAGE_NAMES = {"Namespace": "namespace", "SequencerAuthentication": "sequencer-auth", "Protocol": "signing"}


def _illegal(message: str) -> CommandFailure:
    return CommandFailure(f"java.lang.IllegalArgumentException: {message}")


class KeyFingerprint(Arg):
    """A key's fingerprint: a ``Fingerprint``, its text, or a key (its ``id``)."""

    expects = "a key fingerprint (a Fingerprint, e.g. key.fingerprint, or its 1220... text)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, (SigningPublicKey, EncryptionPublicKey)):
            value = value.id
        if isinstance(value, (Fingerprint, Namespace)):
            return value.unwrap
        if isinstance(value, str):
            problem = fingerprint_problem(value)
            if problem is not None:
                raise ctx.bad_value(f"Invalid fingerprint {value}: {problem}")
            return value
        raise ctx.wrong_type(self.expects, value)


class UsageSet(Arg):
    """A ``Set[SigningKeyUsage]`` (``SigningKeyUsage.ProtocolOnly``, ``Set(SigningKeyUsage.Namespace)``)."""

    expects = "a Set[SigningKeyUsage] (e.g. SigningKeyUsage.ProtocolOnly or Set(SigningKeyUsage.Namespace))"

    def convert(self, value: Any, ctx: CallContext) -> builtins.set[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects, value)
        out = set()
        for item in value:
            if isinstance(item, SigningKeyUsage):
                out.add(item.identifier)
            elif isinstance(item, str) and item in USAGE_NAMES:
                out.add(USAGE_NAMES[item])
            else:
                raise ctx.wrong_type(self.expects, value)
        return out


class PurposeSet(Arg):
    expects = "a Set[KeyPurpose] (e.g. Set(KeyPurpose.Signing))"

    def convert(self, value: Any, ctx: CallContext) -> builtins.set[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects, value)
        return {KeyPurposeArg().convert(item, ctx).value for item in value}


class KeySpecArg(Arg):
    """A ``SigningKeySpec`` / ``EncryptionKeySpec`` (or its name, ``"EC-P256"``), optional."""

    def __init__(self, kind: str, names: tuple[str, ...]):
        self.kind = kind
        self.names = names
        self.expects = f"an Option[{kind}] (e.g. Some({kind}.EcP256)), or None"

    def convert(self, value: Any, ctx: CallContext) -> str | None:
        if value is None:
            return None
        if isinstance(value, Option):
            if not value.isDefined:
                return None
            value = value.get
        if isinstance(value, KeySpec) and value.kind == self.kind:
            return value.name
        if isinstance(value, str) and value in self.names:
            return value
        raise ctx.wrong_type(self.expects, value)


SIGNING_SPECS = ("EC-Curve25519", "EC-P256", "EC-P384", "EC-Secp256k1")
ENCRYPTION_SPECS = ("EC-P256", "RSA-2048")


KEY_BYTES = a.Bytes("a ByteString (e.g. the result of download)")
ProtocolVersionArg = Annotated[Any, Unsupported("keys are serialized in this console's one format", accept=("ProtocolVersion.latest",))]
PasswordArg = Annotated[Any, Unsupported("password-encrypted key pairs are not supported")]


@subgroup(NodeReference, "keys")
class KeysGroup(NodeGroup):
    """Manage public and secret keys"""

    scala_name = "KeyAdministrationGroup"


@subgroup(KeysGroup, "secret")
class SecretKeysGroup(NodeGroup):
    """Manage secret keys"""

    scala_name = "SecretKeyAdministration"

    @command
    def list(
        self,
        filter_fingerprint: Annotated[str, a.Text("a key fingerprint")] = "",
        filter_name: Annotated[str, a.Text("a key name (or part of it)")] = "",
        filter_purpose: Annotated[builtins.set[str], PurposeSet()] = frozenset(),  # type: ignore[assignment]
        filter_usage: Annotated[builtins.set[str], UsageSet()] = frozenset(),  # type: ignore[assignment]
    ) -> Vector:
        """List keys in private vault

        Returns all public keys to the corresponding private keys in the key vault. Optional
        arguments can be used for filtering: ``filterFingerprint`` (the exact fingerprint),
        ``filterName`` (part of the name), ``filterPurpose``, ``filterUsage``."""
        keys = self._admin.keys.list_private(filter_fingerprint, filter_name, set(filter_purpose), set(filter_usage))
        return TypedVector("com.digitalasset.canton.crypto.admin.grpc.PrivateKeyMetadata", *keys)

    @command
    def generate_signing_key(
        self,
        name: Annotated[str, a.Text("a key name")] = "",
        usage: Annotated[builtins.set[str] | None, a.Optional(UsageSet())] = None,
        key_spec: Annotated[str | None, KeySpecArg("SigningKeySpec", SIGNING_SPECS)] = None,
    ) -> SigningPublicKey:
        """Generate new public/private key pair for signing and store it in the vault

        The optional name argument allows you to store an associated string for your convenience.
        The usage (required) specifies the intended use for the signing key: Namespace (the root
        namespace key that defines a node's identity and signs topology requests),
        SequencerAuthentication (authenticates the node towards a sequencer), Protocol (signs
        protocol messages). The keySpec selects the key specification (EC-Curve25519 by default;
        this console generates EC-Curve25519 and EC-P256 keys)."""
        if usage is None:
            raise CommandFailure(f"{self._path}.generate_signing_key: missing argument for parameter usage")
        if not usage:
            raise _illegal("no signing key usage specified")
        return self._admin.keys.generate_signing_key(name, sorted(usage), key_spec)

    @command
    def generate_encryption_key(
        self,
        name: Annotated[str, a.Text("a key name")] = "",
        key_spec: Annotated[str | None, KeySpecArg("EncryptionKeySpec", ENCRYPTION_SPECS)] = None,
    ) -> EncryptionPublicKey:
        """Generate new public/private key pair for encryption and store it in the vault

        The optional name argument allows you to store an associated string for your convenience.
        The keySpec selects the key specification (EC-P256, ECIES, by default and the only one
        this console generates)."""
        return self._admin.keys.generate_encryption_key(name, key_spec)

    @command
    def delete(self, fingerprint: Annotated[str, KeyFingerprint()], force: Annotated[bool, a.Bool()] = False) -> None:
        """Delete private key

        Deletes the key pair. Without ``force`` it asks for confirmation first (``yes``)."""
        if not force:
            print(f"Are you sure you want to delete the private key with fingerprint {fingerprint}? yes/no")
            print("This action is irreversible and can have undesired effects if done carelessly.")
            try:
                answer = input("> ")
            except EOFError:
                answer = ""
            if answer.lower() != "yes":
                return
        self._admin.keys.delete(fingerprint)

    @command(feature="Preview")
    def download(
        self,
        fingerprint: Annotated[str, KeyFingerprint()],
        protocol_version: ProtocolVersionArg = None,
        password: PasswordArg = None,
    ) -> ByteString:
        """Download key pair

        The key pair with the private and public key in its binary representation."""
        return ByteString(self._admin.keys.export_pair(fingerprint))

    @command(feature="Preview")
    def download_to(
        self,
        fingerprint: Annotated[str, KeyFingerprint()],
        output_file: Annotated[str, a.Text("a file name")],
        protocol_version: ProtocolVersionArg = None,
        password: PasswordArg = None,
    ) -> None:
        """Download key pair and save it to a file"""
        Path(output_file).write_bytes(self._admin.keys.export_pair(fingerprint))

    @command
    def upload(
        self,
        pair_bytes: Annotated[bytes, KEY_BYTES],
        name: Annotated[str | None, a.Optional(a.Text("a key name"))],
        password: PasswordArg = None,
    ) -> None:
        """Upload a key pair

        Upload the previously downloaded key pair, with an optional descriptive name."""
        self._admin.keys.import_pair(pair_bytes, name)

    @command
    def upload_from(
        self,
        filename: Annotated[str, a.Text("a file name")],
        name: Annotated[str | None, a.Optional(a.Text("a key name"))],
        password: PasswordArg = None,
    ) -> None:
        """Upload (load and import) a key pair from file"""
        try:
            data = Path(filename).read_bytes()
        except OSError as e:
            raise CommandFailure(f"java.nio.file.NoSuchFileException: {filename}" if isinstance(e, FileNotFoundError) else str(e)) from None
        self._admin.keys.import_pair(data, name)

    # ---- rotation --------------------------------------------------------------------------------
    def _own_keys(self) -> builtins.list[Any]:
        member = Member.parse(self._admin.identity.member_id())
        return [k for r in self._ref.topology.owner_to_key_mappings.list(store=t.AUTHORIZED_STORE, filter_key_owner_uid=member.filterString, filter_key_owner_type=str(member.code)) for k in r.item.keys]

    def _rotated_name(self, fingerprint: str) -> str:
        current = next((k.name for k in self.list() if str(k.publicKey.fingerprint) == fingerprint), None)
        if current is None or not current.isDefined:
            return ""
        name = str(current.get)
        now = instant(self._env.now())
        match = re.fullmatch(r"(.*-rotated).*", name)
        return f"{match.group(1)}-{now}" if match else f"{name}-rotated-{now}"

    def _regenerate(self, current: Any, name: str) -> Any:
        if isinstance(current, EncryptionPublicKey):
            return self.generate_encryption_key(name=name, key_spec=current.keySpec)
        usage = {u for u in current.usage if u != "proof-of-ownership"}
        return self.generate_signing_key(name=name, usage={USAGE_KEY[u] for u in usage}, key_spec=current.keySpec)

    @command
    def rotate_node_key(self, fingerprint: Annotated[str, KeyFingerprint()], name: Annotated[str, a.Text("a key name")] = "") -> Any:
        """Rotate a node's public/private key pair

        Rotates an existing signing key of the node's owner-to-key mapping: generates a new key of
        the same usage and spec, adds it to the mapping and removes the old one. A namespace root or
        intermediate key that is not in the mapping cannot be rotated by this command."""
        member = self._admin.identity.member_id()
        current = next((k for k in self._own_keys() if str(k.fingerprint) == fingerprint), None)
        if current is None:
            raise CommandFailure(f"java.lang.IllegalStateException: The key {fingerprint} does not exist")
        new = self._regenerate(current, name or self._rotated_name(fingerprint))
        self._ref.topology.owner_to_key_mappings.rotate_key(member, current, new)
        return new

    @command
    def rotate_node_keys(self) -> None:
        """Rotate the node's public/private key pairs

        Rotates every key of the node's owner-to-key mapping (see ``rotate_node_key``)."""
        member = self._admin.identity.member_id()
        for current in self._own_keys():
            new = self._regenerate(current, self._rotated_name(str(current.fingerprint)))
            self._ref.topology.owner_to_key_mappings.rotate_key(member, current, new)


USAGE_KEY = {"namespace": SigningKeyUsage("namespace"), "sequencer-auth": SigningKeyUsage("sequencer-auth"), "signing": SigningKeyUsage("signing")}


@subgroup(KeysGroup, "public")
class PublicKeysGroup(NodeGroup):
    """Manage public keys"""

    scala_name = "PublicKeyAdministration"

    @command
    def list(
        self,
        filter_fingerprint: Annotated[str, a.Text("a key fingerprint")] = "",
        filter_context: Annotated[str, a.Text("a key name (or part of it)")] = "",
        filter_purpose: Annotated[builtins.set[str], PurposeSet()] = frozenset(),  # type: ignore[assignment]
        filter_usage: Annotated[builtins.set[str], UsageSet()] = frozenset(),  # type: ignore[assignment]
    ) -> Vector:
        """List public keys in registry

        Returns all public keys that have been added to the key registry. Optional arguments can be
        used for filtering."""
        keys = self._admin.keys.list_public(filter_fingerprint, filter_context, set(filter_purpose), set(filter_usage))
        return TypedVector("PublicKeyWithName", *keys)

    @command
    def download(self, fingerprint: Annotated[str, KeyFingerprint()], protocol_version: ProtocolVersionArg = None) -> ByteString:
        """Download public key"""
        data = self._admin.keys.export_public(fingerprint)
        if data is None:
            raise _illegal(f"no key found for [{fingerprint}]")
        return ByteString(data)

    @command
    def download_to(
        self, fingerprint: Annotated[str, KeyFingerprint()], output_file: Annotated[str, a.Text("a file name")], protocol_version: ProtocolVersionArg = None
    ) -> None:
        """Download public key and save it to a file"""
        Path(output_file).write_bytes(self.download(fingerprint))

    @command
    def upload(self, key_bytes: Annotated[bytes, KEY_BYTES], name: Annotated[str | None, a.Optional(a.Text("a key name"))]) -> Fingerprint:
        """Upload public key

        Import a public key and store it together with a name used to provide some context to that key."""
        return Fingerprint(self._admin.keys.import_public(key_bytes, name))

    @command
    def upload_from(self, filename: Annotated[str, a.Text("a file name")], name: Annotated[str | None, a.Optional(a.Text("a key name"))]) -> Fingerprint:
        """Upload public key

        Load a public key from a file and store it together with a name used to provide some context to that key."""
        try:
            data = Path(filename).read_bytes()
        except OSError:
            raise _illegal(f"File {filename} does not exist or is not readable") from None
        return Fingerprint(self._admin.keys.import_public(data, name))

    @command
    def list_owners(
        self,
        filter_key_owner_uid: Annotated[str, a.Text("a member uid prefix")] = "",
        filter_key_owner_type: Annotated[str | None, a.Optional(MemberCodeArg())] = None,
        synchronizer_ids: Annotated[Any, a.SeqOf(a.SynchronizerIdArg())] = (),
        as_of: Annotated[Any, Unsupported("only the current topology is queried")] = None,
        limit: Annotated[int, a.POSITIVE_INT] = 1000,
    ) -> Vector:
        """List active owners with keys for given search arguments.

        The members with keys in the topology of the node's synchronizers, with their public keys.
        ``filterKeyOwnerType``: ``ParticipantId.Code``, ``MediatorId.Code`` or ``SequencerId.Code``."""
        return TypedVector("ListKeyOwnersResult", *self._admin.keys.list_owners(filter_key_owner_uid, filter_key_owner_type, set(synchronizer_ids or ()), limit))

    @command
    def list_by_owner(
        self,
        key_owner: Annotated[str, a.MemberArg()],
        synchronizer_ids: Annotated[Any, a.SeqOf(a.SynchronizerIdArg())] = (),
        as_of: Annotated[Any, Unsupported("only the current topology is queried")] = None,
        limit: Annotated[int, a.POSITIVE_INT] = 1000,
    ) -> Vector:
        """List keys for given keyOwner.

        A convenience wrapper for ``list_owners``, taking an explicit keyOwner as search argument."""
        member = Member.parse(key_owner)
        results = self._admin.keys.list_owners(member.uid.toProtoPrimitive, str(member.code), set(synchronizer_ids or ()), limit)
        return TypedVector("ListKeyOwnersResult", *[r for r in results if str(r.owner) == str(member)])


__all__ = ["KeyPurpose", "KeysGroup"]
