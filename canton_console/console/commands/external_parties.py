"""External (client-controlled) parties from the console, as Canton 3.3 offers them:
``ledger_api.parties.generate_topology`` makes the onboarding transactions for a key the party
holds, the party signs their combined hash with that key outside the nodes, and
``ledger_api.parties.allocate_external`` hands both to the participant, which checks the
signatures and hosts the party.

The party's key must be held by the user, not by a node. Canton's own tests hold it in the
console's global crypto (``global_secret``, a testing helper of later Canton releases that 3.3's
console does not have) or in the JVM; this console offers ``global_secret`` for that: a key pair
generated in, and never leaving, the console session (real Ed25519 or ECDSA P-256 keys), and
``global_secret.sign`` to sign a hash with it.
"""

from __future__ import annotations

import builtins
from typing import Annotated, Any, ClassVar

import attrs

from canton_console.console import args as a
from canton_console.console.commands.keys import KeyFingerprint, KeySpecArg, UsageSet
from canton_console.console.commands.ledger_api import LedgerApiGroup, PartiesGroup
from canton_console.console.commands.topology_mappings import mapping_tree
from canton_console.console.framework import Arg, CallContext, CommandFailure, Group, NodeGroup, Unsupported, command, subgroup, top_level
from canton_console.pretty import Apply, Infix, Literal, Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.bytestring import ByteString
from canton_console.values.external_parties import HASHING_SCHEME_VERSION, ExternalSignature
from canton_console.values.ids import Fingerprint, PartyId
from canton_console.values.keys import USAGE_ALL, SigningPublicKey, canonical_usage
from canton_console.values.scala import NONE, Some, TypedVector

PREVIEW = "Preview"
ED25519, P256 = "EC-Curve25519", "EC-P256"

# ---- values ------------------------------------------------------------------------------------


@attrs.frozen
class Hash:
    """Canton's ``crypto.Hash``: SHA-256, kept as its multihash bytes (``getCryptographicEvidence``)."""

    evidence: bytes

    canton_type: ClassVar[str] = "Hash"

    @property
    def getCryptographicEvidence(self) -> ByteString:  # noqa: N802 - Canton's name
        return ByteString(self.evidence)

    @property
    def toHexString(self) -> str:  # noqa: N802 - Canton's name
        return self.evidence.hex()

    def __pretty__(self) -> Tree:
        return Literal("SHA-256:" + self.evidence[2:].hex()[:12] + "...")


@attrs.frozen
class TxHash:
    """Canton's ``TxHash``: the hash of a topology transaction."""

    hash: Hash

    canton_type: ClassVar[str] = "TxHash"

    def __pretty__(self) -> Tree:
        return Apply("TxHash", (Infix(Literal("hash"), "=", self.hash.__pretty__()),))


@attrs.frozen
class TopologyTransaction:
    """An unsigned topology transaction (Canton's ``TopologyTransaction[Op, M]``)."""

    transaction: t.TopologyTransaction

    @property
    def canton_type(self) -> str:
        return f"TopologyTransaction[TopologyChangeOp.{self.transaction.operation}, {self.transaction.mapping.code}]"

    @property
    def mapping(self) -> Any:
        return self.transaction.mapping

    @property
    def serial(self) -> int:
        return self.transaction.serial

    @property
    def operation(self) -> Literal:
        return Literal(self.transaction.operation)

    @property
    def hash(self) -> TxHash:
        return TxHash(Hash(t.multihash_of(self.transaction.hash)))

    def __pretty__(self) -> Tree:
        tx = self.transaction
        return klass("TopologyTransaction", mapping_tree(tx.mapping), param("serial", tx.serial), param("operation", Literal(tx.operation)))


@attrs.frozen
class GenerateExternalPartyTopology:
    """Canton's ``GenerateExternalPartyTopology``: the party, its key's fingerprint, the onboarding
    transactions (namespace, party-to-key, party-to-participant) and the hash over all of them."""

    partyId: PartyId
    publicKeyFingerprint: Fingerprint
    topologyTransactions: TypedVector
    multiHash: Hash

    canton_type: ClassVar[str] = "GenerateExternalPartyTopology"

    def __pretty__(self) -> Tree:
        return klass(
            "GenerateExternalPartyTopology",
            param("partyId", self.partyId),
            param("publicKeyFingerprint", self.publicKeyFingerprint),
            param("topologyTransactions", self.topologyTransactions),
            param("multiHash", self.multiHash),
        )


@attrs.frozen
class Signature:
    """Canton's ``crypto.Signature``: the signature bytes, the key that made them, their format and
    algorithm (shown, as Canton shows it, by signature and signer)."""

    signature: ByteString
    signedBy: Fingerprint
    format: str = "Concat"
    signingAlgorithmSpec: Any = NONE

    canton_type: ClassVar[str] = "Signature"

    def __pretty__(self) -> Tree:
        return klass("Signature", param("signature", self.signature), param("signedBy", self.signedBy))


@attrs.frozen
class AllocateExternalPartyResponse:
    """The Ledger API's ``AllocateExternalPartyResponse``: the id of the party allocated."""

    partyId: str

    canton_type: ClassVar[str] = "AllocateExternalPartyResponse"

    def __pretty__(self) -> Tree:
        return klass("AllocateExternalPartyResponse", param("partyId", self.partyId))


# ---- arguments ---------------------------------------------------------------------------------


class SigningPublicKeyArg(Arg):
    expects = "a SigningPublicKey (e.g. global_secret.keys.secret.generate_key(usage = SigningKeyUsage.All))"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, SigningPublicKey):
            return value.key
        raise ctx.wrong_type(self.expects, value)


class SignatureArg(Arg):
    expects = "a Signature (e.g. global_secret.sign(hash, key.fingerprint, SigningKeyUsage.ProtocolOnly))"

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if isinstance(value, Signature):
            return ExternalSignature(value.signedBy.unwrap, bytes(value.signature))
        raise ctx.wrong_type(self.expects, value)


class SignedOnboardingArg(Arg):
    """``Seq[(TopologyTransaction, Seq[Signature])]``: each onboarding transaction with the
    signatures made over it alone (often none, when one signature covers all: multiSignatures)."""

    expects = "a Seq of (TopologyTransaction, Seq[Signature]) pairs (e.g. topology.topologyTransactions.map(tx => (tx, Seq())))"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[tuple[t.TopologyTransaction, builtins.list[Any]]]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        out = []
        for item in value:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], TopologyTransaction)):
                raise ctx.wrong_type(self.expects, item)
            out.append((item[0].transaction, a.SeqOf(SignatureArg()).convert(item[1], ctx)))
        return out


PARTICIPANTS = a.SeqOf(a.MemberArg(("participant",)))


# ---- ledger_api.parties: generate_topology, allocate_external ------------------------------------


@command(feature=PREVIEW)
def generate_topology(
    self: PartiesGroup,
    synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
    party_hint: Annotated[str, a.Text("a party name hint such as \"alice\"")],
    public_key: Annotated[str, SigningPublicKeyArg()],
    local_participant_observation_only: Annotated[bool, a.Bool()] = False,
    other_confirming_participant_ids: Annotated[builtins.list[str], PARTICIPANTS] = (),  # type: ignore[assignment]
    confirmation_threshold: Annotated[int, a.Int(0, "a non-negative whole number (e.g. 1 or NonNegativeInt.one)", a.INT_MAX)] = 0,
    observing_participant_ids: Annotated[builtins.list[str], PARTICIPANTS] = (),  # type: ignore[assignment]
) -> GenerateExternalPartyTopology:
    """Generate topology transactions for an external party

    Convenience function to generate the necessary topology transactions. For more complex setups,
    please generate your topology transactions manually.
    synchronizerId: SynchronizerId for which the transactions should be generated.
    partyHint: the prefix for the party
    publicKey: the signing public key of the external party (its fingerprint is the party's namespace)
    localParticipantObservationOnly: if true, then the allocating participant will only be an observer
    otherConfirmingParticipantIds: list of other participants that will be confirming daml transactions on behalf of the party
    confirmationThreshold: number of confirming participants which need to approve a daml transaction (0: all of them)
    observingParticipantIds: list of other participants that should observe the transactions of the external party"""
    generated = self._admin.external_parties.generate_topology(
        synchronizer_id,
        party_hint,
        public_key,
        local_participant_observation_only,
        list(other_confirming_participant_ids),
        confirmation_threshold,
        list(observing_participant_ids),
    )
    return GenerateExternalPartyTopology(
        PartyId.parse(generated.party_id),
        Fingerprint(generated.public_key_fingerprint),
        TypedVector("TopologyTransaction[TopologyChangeOp.Replace, TopologyMapping]", *(TopologyTransaction(tx) for tx in generated.transactions)),
        Hash(generated.multi_hash),
    )


@command(feature=PREVIEW)
def allocate_external(
    self: PartiesGroup,
    synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
    transactions: Annotated[builtins.list[Any], SignedOnboardingArg()],
    multi_signatures: Annotated[builtins.list[Any], a.SeqOf(SignatureArg())],
) -> AllocateExternalPartyResponse:
    """Allocate a new external party

    Allocates a new external party on the ledger.
    synchronizerId: SynchronizerId on which to allocate the party
    transactions: onboarding transactions and their individual signatures
    multiSignatures: Signatures over the combined hash of all onboarding transactions
    The participant checks every signature against the key it names, adds its own signature to
    the party-to-participant mapping and sends the transactions to the synchronizer; a request
    that hosts the party on this participant alone, with its namespace and key, must authorize it
    in full, and the command returns once the party is hosted. Refused requests store nothing."""
    timeout = self._env.timeout_micros("ledger_command")
    party = self._admin.external_parties.allocate_external(synchronizer_id, transactions, multi_signatures, timeout)
    return AllocateExternalPartyResponse(party)


PartiesGroup.generate_topology = generate_topology  # type: ignore[attr-defined]
PartiesGroup.allocate_external = allocate_external  # type: ignore[attr-defined]


# ---- global_secret: a key pair held by the console session --------------------------------------


@attrs.frozen
class _HeldKey:
    public: SigningPublicKey
    private: Any  # a cryptography private key
    spec: str
    name: str = ""


def _generate(spec: str) -> tuple[bytes, Any]:
    """(public key bytes as this console keeps them, private key) of a new key pair."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if spec == ED25519:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        private: Any = Ed25519PrivateKey.generate()
        return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw), private
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    return private.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo), private


def _sign(key: _HeldKey, data: bytes) -> Signature:
    if key.spec == ED25519:
        return Signature(ByteString(key.private.sign(data)), key.public.id, "Concat", Some(Literal("Ed25519")))
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    return Signature(ByteString(key.private.sign(data, ec.ECDSA(hashes.SHA256()))), key.public.id, "DER", Some(Literal("EC-DSA-SHA256")))


@top_level("global_secret", "Secret keys", "Global secret operations")
class GlobalSecret(Group):
    """Global secret operations

    Keys held by this console session (Canton's global crypto), never by a node: what an external
    party signs with. ``keys.secret.generate_key`` makes a key pair, ``sign`` signs a hash with it.
    The keys live as long as the console session."""

    scala_name = "GlobalSecretKeyAdministration"

    def __init__(self, path: str, env: Any = None, admin: Any = None):
        super().__init__(path, env, admin)
        self._held: dict[str, _HeldKey] = {}

    def _key(self, fingerprint: str) -> _HeldKey:
        key = self._held.get(fingerprint)
        if key is None:
            raise CommandFailure(f"Signing key not found for fingerprint {fingerprint}")
        return key

    @command(needs_running=False)
    def get_signing_key(self, fingerprint: Annotated[str, KeyFingerprint()]) -> SigningPublicKey:
        """Get the SigningPublicKey for a fingerprint

        Fails if the corresponding keys are not in the global crypto.
        fingerprint: Fingerprint of the key to lookup."""
        return self._key(fingerprint).public

    @command(needs_running=False)
    def sign(
        self,
        hash: Annotated[bytes, a.Bytes("a ByteString (e.g. topology.multiHash.getCryptographicEvidence)")],
        key: Annotated[str, KeyFingerprint()],
        usage: Annotated[builtins.set[str], UsageSet()],
    ) -> Signature:
        """Sign the given hash on behalf of the external party

        Fails if the corresponding keys are not in the global crypto.
        hash: Hash to be signed (its bytes: getCryptographicEvidence).
        key: Fingerprint of the key that should sign.
        usage: Usage of the key (e.g., SigningKeyUsage.ProtocolOnly or SigningKeyUsage.NamespaceOnly)."""
        held = self._key(key)
        allowed = set(held.public.usage) - {"proof-of-ownership"}
        if not usage & allowed:
            raise CommandFailure(
                f"Signing key {key} [{', '.join(held.public.usage)}] is not valid for usage [{', '.join(canonical_usage(usage))}]"
            )
        return _sign(held, bytes(hash))


class GlobalSecretKeys(NodeGroup):
    """Keys of the global crypto"""

    scala_name = "GlobalSecretKeyAdministration$keys$"


class GlobalSecretKeysSecret(NodeGroup):
    """Secret keys of the global crypto"""

    scala_name = "GlobalSecretKeyAdministration$keys$secret$"

    @command(needs_running=False)
    def generate_key(
        self,
        key_spec: Annotated[str | None, KeySpecArg("SigningKeySpec", (ED25519, P256))] = None,
        usage: Annotated[builtins.set[str] | None, a.Optional(UsageSet())] = None,
        name: Annotated[str, a.Text("a key name")] = "",
    ) -> SigningPublicKey:
        """Generate a key

        Generate a signing key pair and store it in the global crypto (this console session).
        keySpec: EC-Curve25519 (the default) or EC-P256; usage: what the key may sign (every
        purpose unless given); name: kept for your convenience. Returns the public key."""
        spec = key_spec or ED25519
        public_bytes, private = _generate(spec)
        usages = canonical_usage(usage) if usage else USAGE_ALL
        public = SigningPublicKey.of_raw_hex(public_bytes.hex(), usages)
        held: GlobalSecret = self._ref
        held._held[public.id.unwrap] = _HeldKey(public, private, spec, name)
        return public


subgroup(GlobalSecret, "keys")(GlobalSecretKeys)
subgroup(GlobalSecretKeys, "secret")(GlobalSecretKeysSecret)


# ---- ledger_api.interactive_submission: prepare, execute ------------------------------------------


@attrs.frozen
class HashingSchemeVersion:
    """The Ledger API's ``HashingSchemeVersion`` enum value."""

    name: str

    canton_type: ClassVar[str] = "HashingSchemeVersion"

    def __pretty__(self) -> Tree:
        return Literal(self.name)


@attrs.frozen
class PreparedTransaction:
    """A transaction prepared for external signing (the Ledger API's ``PreparedTransaction``): hand
    it to ``execute`` as it is."""

    prepared: Any  # the runtime's PreparedSubmission

    canton_type: ClassVar[str] = "PreparedTransaction"

    def __pretty__(self) -> Tree:
        p = self.prepared
        return klass(
            "PreparedTransaction",
            param("actAs", TypedVector("String", *p.act_as)),
            param("commandId", p.command_id),
            param("synchronizerId", p.synchronizer_id),
            param("userId", p.user_id),
        )


@attrs.frozen
class PrepareSubmissionResponse:
    """The Ledger API's ``PrepareSubmissionResponse``: the prepared transaction and the hash the
    acting parties sign (``preparedTransactionHash``, its 32 bytes)."""

    preparedTransaction: Any  # Some(PreparedTransaction)
    preparedTransactionHash: ByteString
    hashingSchemeVersion: HashingSchemeVersion
    hashingDetails: Any = NONE

    canton_type: ClassVar[str] = "PrepareSubmissionResponse"

    @property
    def getPreparedTransaction(self) -> Any:  # noqa: N802 - scalapb's accessor of an optional field
        return self.preparedTransaction.get

    def __pretty__(self) -> Tree:
        return klass(
            "PrepareSubmissionResponse",
            param("preparedTransaction", self.preparedTransaction),
            param("preparedTransactionHash", self.preparedTransactionHash),
            param("hashingSchemeVersion", self.hashingSchemeVersion),
            param("hashingDetails", self.hashingDetails),
        )


@attrs.frozen
class ExecuteSubmissionResponse:
    """The Ledger API's (empty) ``ExecuteSubmissionResponse``."""

    canton_type: ClassVar[str] = "ExecuteSubmissionResponse"

    def __pretty__(self) -> Tree:
        return Apply("ExecuteSubmissionResponse", ())


class PreparedTransactionArg(Arg):
    expects = "a PreparedTransaction (e.g. prepared.preparedTransaction.value, from prepare)"

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if hasattr(value, "isDefined") and value.isDefined:
            value = value.get
        if isinstance(value, PreparedTransaction):
            return value.prepared
        raise ctx.wrong_type(self.expects, value)


class PartySignaturesArg(Arg):
    expects = "a Map[PartyId, Seq[Signature]] (e.g. Map(party -> Seq(signature)))"

    def convert(self, value: Any, ctx: CallContext) -> dict[str, builtins.list[Any]]:
        if not isinstance(value, dict):
            raise ctx.wrong_type(self.expects, value)
        return {a.PartyArg().convert(party, ctx): a.SeqOf(SignatureArg()).convert(sigs, ctx) for party, sigs in value.items()}


class HashingSchemeVersionArg(Arg):
    expects = "a HashingSchemeVersion (e.g. prepared.hashingSchemeVersion)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        name = value.name if isinstance(value, HashingSchemeVersion) else value
        if not isinstance(name, str):
            raise ctx.wrong_type(self.expects, value)
        if name != HASHING_SCHEME_VERSION:
            raise ctx.bad_value(f"Hashing scheme version {name} is not supported on protocol version 33; supported: {HASHING_SCHEME_VERSION}")
        return name


def _ledger_commands(commands: Any) -> builtins.list[Any]:
    from canton_console.values import ledger

    items = commands if isinstance(commands, (list, tuple)) else [commands]
    if not items or not all(isinstance(c, (ledger.CreateCommand, ledger.ExerciseCommand)) for c in items):
        raise a.ArgumentError("ledger_api.interactive_submission.prepare: commands must be a Seq of ledger_api_utils.create(...) / exercise(...) commands")
    return list(items)


_UNSUPPORTED_LEDGER_TIME = Unsupported("the ledger time of a submission is the participant's clock")
_UNSUPPORTED_DISCLOSED = Unsupported("explicit contract disclosure is not supported")
_UNSUPPORTED_PACKAGES = Unsupported("the built-in packages have one version each")
_UNSUPPORTED_VERBOSE = Unsupported("the hash is not explained step by step", accept=("False",))
_UNSUPPORTED_KEYS = Unsupported("the built-in templates have no contract keys")
_UNSUPPORTED_RECORD_TIME = Unsupported("a maximum record time is not supported")


class InteractiveSubmissionGroup(NodeGroup):
    """Interactive submission"""

    scala_name = "LedgerApiAdministration$ledger_api$interactive_submission$"

    @command
    def prepare(
        self,
        act_as: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())],
        commands: Any,
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        command_id: Annotated[str, a.Text("a command id string")] = "",
        min_ledger_time_abs: Annotated[Any, _UNSUPPORTED_LEDGER_TIME] = None,
        read_as: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())] = (),  # type: ignore[assignment]
        disclosed_contracts: Annotated[Any, _UNSUPPORTED_DISCLOSED] = None,
        user_id: Annotated[str, a.Text("a user id")] = "CantonConsole",
        user_package_selection_preference: Annotated[Any, _UNSUPPORTED_PACKAGES] = None,
        verbose_hashing: Annotated[Any, _UNSUPPORTED_VERBOSE] = None,
        prefetch_contract_keys: Annotated[Any, _UNSUPPORTED_KEYS] = None,
        max_record_time: Annotated[Any, _UNSUPPORTED_RECORD_TIME] = None,
    ) -> PrepareSubmissionResponse:
        """Prepare a transaction for interactive submission

        Similar to submit, except instead of submitting the transaction to the network, a
        serialized version of the transaction will be returned, along with a hash. This allows
        non-hosted parties to sign the hash with their private key before submitting it via the
        execute command. Note that the hash in the response is provided for convenience.
        minLedgerTimeAbs, disclosedContracts, userPackageSelectionPreference, verboseHashing,
        prefetchContractKeys and maxRecordTime are refused unless left at their defaults."""
        import uuid

        items = _ledger_commands(commands)
        prepared = self._admin.interactive_submission.prepare(list(act_as), items, synchronizer_id, command_id or str(uuid.uuid4()), list(read_as), user_id)
        return PrepareSubmissionResponse(Some(PreparedTransaction(prepared)), ByteString(prepared.hash()), HashingSchemeVersion(HASHING_SCHEME_VERSION))

    @command
    def execute(
        self,
        prepared_transaction: Annotated[Any, PreparedTransactionArg()],
        transaction_signatures: Annotated[dict[str, builtins.list[Any]], PartySignaturesArg()],
        submission_id: Annotated[str, a.Text("a submission id")],
        hashing_scheme_version: Annotated[str, HashingSchemeVersionArg()],
        user_id: Annotated[str, a.Text("a user id")] = "CantonConsole",
        deduplication_period: Annotated[int | None, a.Optional(a.Duration())] = None,
        min_ledger_time_abs: Annotated[Any, _UNSUPPORTED_LEDGER_TIME] = None,
    ) -> ExecuteSubmissionResponse:
        """Execute a prepared submission

        preparedTransaction: the prepared transaction, from the preparedTransaction field of the
        prepare response. transactionSignatures: the signatures of the hash of the transaction
        (the preparedTransactionHash field of the prepare response), by acting party. The
        participant checks that every acting party signed with a threshold of the keys of its
        party-to-key mapping (FAILED_TO_EXECUTE_TRANSACTION otherwise) and submits the
        transaction; the command returns once it is sent."""
        self._admin.interactive_submission.execute(prepared_transaction, transaction_signatures, submission_id, user_id, deduplication_period, hashing_scheme_version)
        return ExecuteSubmissionResponse()


subgroup(LedgerApiGroup, "interactive_submission")(InteractiveSubmissionGroup)
