"""``<node>.topology.transactions``: every topology transaction of a store at once — listing them,
exporting and importing them (snapshots, the node's identity, single transactions in files),
loading, signing and authorizing them.

Canton serializes transactions as protobuf; this console writes its own versioned envelope: a
header line naming the format and what it holds, then JSON. Exports round-trip through the
imports; bytes or files that are not such an envelope are refused with Canton's errors."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import BOUNDED, KeyFingerprintArg, SignedByArg, SignedTopologyTransaction, SynchronizeArg
from canton_console.console.commands.topology_reads import (
    AnyProtocolVersion,
    GenericSignedTx,
    LoadForce,
    MappingCode,
    MappingCodesArg,
    NoForce,
    OptionalChangeOpArg,
    ReadStoreArg,
    SignedTx,
    signed_by,
)
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, Unsupported, command, command_alias, subgroup
from canton_console.pretty import Literal, Tree, klass, param, seq_tree
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.bytestring import ByteString
from canton_console.values.errors import CantonError
from canton_console.values.scala import NONE, Option, Some, Vector
from canton_console.values.timefmt import instant

MAGIC = b"canton-console topology transactions\n"
FORMAT_VERSION = 1
# Canton's SignedTopologyTransaction.InitialTopologySequencingTime: the instant after the smallest one.
INITIAL_SEQUENCING_TIME = -62135596800 * 1_000_000 + 1

HeadStateOnly = Annotated[Any, Unsupported("only the head state is queried", accept=("HeadState",))]


# ---- the envelope ------------------------------------------------------------------------------------


def _encode(kind: str, items: builtins.list[dict[str, Any]]) -> bytes:
    body = {"format": FORMAT_VERSION, "kind": kind, "transactions": items}
    return MAGIC + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def encode_signed(signed: builtins.list[t.SignedTopologyTransaction], single: bool = False) -> bytes:
    kind = "SignedTopologyTransaction" if single else "SignedTopologyTransactions"
    return _encode(kind, [s.to_dict() for s in signed])


def encode_stored(stored: builtins.list[t.StoredTransaction]) -> bytes:
    items = []
    for s in stored:
        d = s.signed.to_dict()
        d.update(sequenced=s.sequenced, valid_from=s.valid_from, valid_until=s.valid_until, is_proposal=s.is_proposal)
        items.append(d)
    return _encode("StoredTopologyTransactions", items)


class EnvelopeError(ValueError):
    pass


def decode(data: bytes, kinds: tuple[str, ...]) -> builtins.list[t.SignedTopologyTransaction]:
    """The signed transactions of an envelope of one of ``kinds``; EnvelopeError says what is wrong."""
    if not data.startswith(MAGIC):
        raise EnvelopeError("not a topology transactions export of canton-console (unknown header)")
    try:
        body = json.loads(data[len(MAGIC) :].decode())
    except (UnicodeDecodeError, ValueError) as e:
        raise EnvelopeError(f"the content is damaged ({e})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT_VERSION:
        raise EnvelopeError(f"unsupported format version {body.get('format') if isinstance(body, dict) else None}")
    if body.get("kind") not in kinds:
        raise EnvelopeError(f"it holds {body.get('kind')}, expected {' or '.join(kinds)}")
    try:
        return [t.SignedTopologyTransaction.from_dict(d) for d in body["transactions"]]
    except (KeyError, TypeError, AttributeError) as e:
        raise EnvelopeError(f"a transaction is damaged (missing {e})") from None


# ---- values -----------------------------------------------------------------------------------------


@attrs.frozen
class StoredTopologyTransaction:
    """Canton's ``StoredTopologyTransaction``: a signed transaction with when it was sequenced and
    valid."""

    stored: t.StoredTransaction

    canton_type = "StoredTopologyTransaction[TopologyChangeOp, TopologyMapping]"

    @property
    def transaction(self) -> SignedTx:
        return SignedTx(self.stored.signed, self.stored.is_proposal)

    @property
    def mapping(self) -> t.Mapping:
        return self.stored.mapping

    @property
    def serial(self) -> int:
        return self.stored.serial

    @property
    def operation(self) -> str:
        return self.stored.operation

    @property
    def hash(self) -> str:
        return self.stored.signed.transaction.hash

    @property
    def sequenced(self) -> int:
        return self.stored.sequenced

    @property
    def validFrom(self) -> int:  # noqa: N802 - Canton's name
        return self.stored.valid_from

    @property
    def validUntil(self) -> Option:  # noqa: N802 - Canton's name
        return NONE if self.stored.valid_until is None else Some(self.stored.valid_until)

    def __pretty__(self) -> Tree:
        s = self.stored
        return klass(
            "StoredTopologyTransaction",
            self.transaction.__pretty__(),
            param("sequenced", Literal(instant(s.sequenced))),
            param("validFrom", Literal(instant(s.valid_from))),
            param("validUntil", Literal(instant(s.valid_until))) if s.valid_until is not None else None,
        )


@attrs.frozen
class StoredTopologyTransactions:
    """Canton's ``StoredTopologyTransactions``: ``result`` holds the transactions."""

    items: tuple[StoredTopologyTransaction, ...]

    canton_type = "StoredTopologyTransactions[TopologyChangeOp, TopologyMapping]"

    @property
    def result(self) -> Vector:
        return Vector(*self.items)

    @property
    def signedTransactions(self) -> Vector:  # noqa: N802 - Canton's name
        return Vector(*[i.transaction for i in self.items])

    def toTopologyState(self) -> Vector:  # noqa: N802 - Canton's name
        return Vector(*[i.mapping for i in self.items])

    def filter(self, predicate: Any) -> StoredTopologyTransactions:
        return StoredTopologyTransactions(tuple(i for i in self.items if predicate(i)))

    def collectOfMapping(self, code: Any) -> StoredTopologyTransactions:  # noqa: N802 - Canton's name
        wanted = code.value if isinstance(code, MappingCode) else str(code)
        return StoredTopologyTransactions(tuple(i for i in self.items if i.mapping.code == wanted))

    def __len__(self) -> int:
        return len(self.items)

    def __pretty__(self) -> Tree:
        return seq_tree(list(self.items))


class SignedTxsArg(Arg):
    expects = "signed topology transactions (e.g. the result of identity_transactions())"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[t.SignedTopologyTransaction]:
        if isinstance(value, SignedTopologyTransaction):
            value = [value]
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        out = []
        for v in value:
            if isinstance(v, StoredTopologyTransaction):
                out.append(v.stored.signed)
            elif isinstance(v, SignedTopologyTransaction):
                out.append(v.signed)
            else:
                raise ctx.wrong_type(self.expects, v)
        return out


class ByteStringArg(Arg):
    expects = "a ByteString (e.g. the result of export_topology_snapshot())"

    def convert(self, value: Any, ctx: CallContext) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        raise ctx.wrong_type(self.expects, value)


class TxHashArg(Arg):
    expects = "a transaction hash (e.g. a proposal's transaction.hash)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        value = getattr(value, "hash", value)
        if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            return value
        raise ctx.wrong_type(self.expects, value)


class MappingHashArg(Arg):
    expects = "a MappingHash (e.g. a transaction's mapping.uniqueKey)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, t.MappingHash):
            return value.hash
        if isinstance(value, str):
            return value
        raise ctx.wrong_type(self.expects, value)


def _namespace_of(mapping: t.Mapping) -> str:
    """The namespace a mapping belongs to (Canton's ``TopologyMapping.namespace``)."""
    if mapping.code in (t.NAMESPACE_DELEGATION, t.DECENTRALIZED_NAMESPACE):
        return mapping.data["namespace"]
    d = mapping.data
    uid = d.get("member") or d.get("party") or d.get("participant") or d.get("synchronizer_id") or ""
    return uid.rsplit("::", 1)[-1]


def _codes(filter_mappings: builtins.list[str], exclude_mappings: builtins.list[str]) -> set[str]:
    if filter_mappings and exclude_mappings:
        raise CommandFailure("Cannot specify both filterMappings and excludeMappings")
    if filter_mappings:
        return set(filter_mappings)
    return set(t.CODES) - set(exclude_mappings)


@subgroup(TopologyGroup, "transactions")
class TransactionsGroup(NodeGroup):
    """Inspect all topology transactions at once"""

    scala_name = "TopologyAdministrationGroup$transactions$"

    def _select(
        self, store: str, proposals: bool, operation: str | None, codes: set[str], filter_authorized_key: str | None, filter_namespace: str
    ) -> builtins.list[t.StoredTransaction]:
        topology = self._admin.topology
        topology.require_store(store)
        found = topology.list(store, None, proposals, removals=operation != t.REPLACE)
        return [
            s
            for s in found
            if (operation is None or s.operation == operation)
            and s.mapping.code in codes
            and signed_by(s, filter_authorized_key or "")
            and _namespace_of(s.mapping).startswith(filter_namespace)
        ]

    @command
    def list(
        self,
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: Annotated[str | None, OptionalChangeOpArg()] = t.REPLACE,
        filter_mappings: Annotated[builtins.list[str], MappingCodesArg()] = [],  # noqa: B006 - never mutated
        exclude_mappings: Annotated[builtins.list[str], MappingCodesArg()] = [],  # noqa: B006
        filter_authorized_key: Annotated[str | None, a.Optional(KeyFingerprintArg())] = None,
        protocol_version: AnyProtocolVersion = None,
        filter_namespace: Annotated[str, a.Text("a namespace prefix")] = "",
    ) -> StoredTopologyTransactions:
        """List all transaction

        The head transactions of ``store`` (``Authorized`` or a synchronizer's store), or with
        ``proposals`` the pending proposals. ``operation``: ``Replace`` (the default), ``Remove`` or
        None for both. ``filterMappings``/``excludeMappings`` keep/drop mapping codes (not both),
        ``filterAuthorizedKey`` keeps transactions signed by the key, ``filterNamespace`` those of
        namespaces starting with the text."""
        codes = _codes(filter_mappings, exclude_mappings)
        selected = self._select(store, proposals, operation, codes, filter_authorized_key, filter_namespace)
        return StoredTopologyTransactions(tuple(StoredTopologyTransaction(s) for s in selected))

    def _own_namespace(self) -> str:
        return self._admin.topology.identity_transactions()[0].transaction.mapping.data["namespace"]

    @command
    def identity_transactions(self) -> Vector:
        """Downloads the node's topology identity transactions

        The node's identity is defined by topology transactions of type NamespaceDelegation and
        OwnerToKeyMapping."""
        found = self.list(filter_mappings=[t.NAMESPACE_DELEGATION, t.OWNER_TO_KEY], filter_namespace=self._own_namespace())
        return found.signedTransactions

    @command
    def export_identity_transactions(self, file: Annotated[str, a.Text("a file name")]) -> None:
        """Serializes node's topology identity transactions to a file

        Transactions serialized this way should be loaded into another node with
        ``import_topology_snapshot_from``."""
        data = self.export_topology_snapshot(filter_mappings=[t.NAMESPACE_DELEGATION, t.OWNER_TO_KEY], filter_namespace=self._own_namespace())
        _write(file, bytes(data))

    @command
    def export_topology_snapshot(
        self,
        store: Annotated[str, ReadStoreArg()] = t.AUTHORIZED_STORE,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: Annotated[str | None, OptionalChangeOpArg()] = None,
        filter_mappings: Annotated[builtins.list[str], MappingCodesArg()] = [],  # noqa: B006 - never mutated
        exclude_mappings: Annotated[builtins.list[str], MappingCodesArg()] = [],  # noqa: B006
        filter_authorized_key: Annotated[str | None, a.Optional(KeyFingerprintArg())] = None,
        protocol_version: AnyProtocolVersion = None,
        filter_namespace: Annotated[str, a.Text("a namespace prefix")] = "",
        timeout: Annotated[Any, Unsupported("the export is immediate")] = None,
    ) -> ByteString:
        """export topology snapshot

        The node's topology transactions (as ``list`` selects them; both operations unless
        ``operation`` is given) as bytes, for ``import_topology_snapshot``. ``excludeMappings``: codes
        to leave out; ``filterNamespace``: the namespace to keep."""
        codes = _codes(filter_mappings, exclude_mappings)
        selected = self._select(store, proposals, operation, codes, filter_authorized_key, filter_namespace)
        return ByteString(encode_stored(selected))

    @command
    def genesis_state(
        self,
        filter_synchronizer_store: Annotated[str | None, a.Optional(ReadStoreArg())] = None,
        timestamp: Annotated[Any, Unsupported("the state after the latest topology transaction is exported")] = None,
        timeout: Annotated[Any, Unsupported("the export is immediate")] = None,
    ) -> ByteString:
        """Download the genesis state for a sequencer. This method should be used when performing a major synchronizer upgrade.

        The whole history of the synchronizer's topology transactions (no proposals), with their
        validity set to the initial topology sequencing time, to initialize a sequencer.
        ``filterSynchronizerStore`` must be given on a participant."""
        topology = self._admin.topology
        if filter_synchronizer_store is None:
            stores = [s for s in topology.stores() if s != t.AUTHORIZED_STORE]
            if self._admin.info.instance_type.lower().startswith("participant") or len(stores) != 1:
                raise CommandFailure("GenesisState: the synchronizer store must be specified (filterSynchronizerStore) on a participant")
            filter_synchronizer_store = stores[0]
        if filter_synchronizer_store == t.AUTHORIZED_STORE:
            raise CommandFailure("GenesisState: the synchronizer store must be a synchronizer's store, not the authorized store")
        topology.require_store(filter_synchronizer_store)
        history = [s for s in topology.history(filter_synchronizer_store, None) if not s.is_proposal]
        genesis = [
            attrs.evolve(
                s,
                sequenced=INITIAL_SEQUENCING_TIME,
                valid_from=INITIAL_SEQUENCING_TIME,
                valid_until=None if s.valid_until is None else INITIAL_SEQUENCING_TIME,
            )
            for s in history
        ]
        return ByteString(encode_stored(genesis))

    # ---- importing, loading ----------------------------------------------------------------------
    def _load(self, store: str, transactions: builtins.list[t.SignedTopologyTransaction], synchronize: Any) -> None:
        topology = self._admin.topology
        topology.load(store, transactions)
        if synchronize is not None and synchronize is not NONE:
            from canton_console.console.references import bounded_timeout, wait_until

            timeout = bounded_timeout(self._env) if synchronize is BOUNDED else synchronize
            wait_until(self._env, topology.is_idle, timeout, "the loaded transactions are processed", f"{self.scala_name}.load")

    @command
    def import_topology_snapshot(
        self,
        topology_transactions: Annotated[bytes, ByteStringArg()],
        store: Annotated[str, ReadStoreArg()],
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Loads topology transactions from a file into the specified topology store

        ``topologyTransactions``: what ``export_topology_snapshot`` (or ``genesis_state``) returned.
        Each transaction is added to ``store`` as it is signed: effective when authorized, a
        proposal otherwise."""
        try:
            transactions = decode(topology_transactions, ("StoredTopologyTransactions",))
        except EnvelopeError as e:
            raise CantonError(errors.PROTO_DESERIALIZATION_FAILURE, f"Deserialization of protobuf message failed: {e}") from None
        self._load(store, transactions, synchronize)

    @command
    def import_topology_snapshot_from(self, file: Annotated[str, a.Text("a file name")], store: Annotated[str, ReadStoreArg()]) -> None:
        """Loads topology transactions from a file into the specified topology store

        The file must contain data serialized by ``export_topology_snapshot`` (or
        ``export_identity_transactions``)."""
        try:
            data = Path(file).read_bytes()
        except OSError as e:
            raise CommandFailure(f"java.lang.IllegalArgumentException: import_topology_snapshot failed: {_file_error(file, e)}") from None
        self.import_topology_snapshot(ByteString(data), store)

    @command
    def load(
        self,
        transactions: Annotated[builtins.list[t.SignedTopologyTransaction], SignedTxsArg()],
        store: Annotated[str, ReadStoreArg()],
        force_flags: LoadForce = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Load signed topology transactions into a store

        Each transaction is added to ``store`` as it is signed: effective when its signatures
        authorize it, a proposal (collecting signatures) otherwise."""
        self._load(store, transactions, synchronize)

    def _read(self, file: str, kinds: tuple[str, ...]) -> builtins.list[t.SignedTopologyTransaction]:
        try:
            return decode(Path(file).read_bytes(), kinds)
        except OSError as e:
            raise CommandFailure(f"Unable to read from `{file}`: {_file_error(file, e)}") from None
        except EnvelopeError as e:
            raise CommandFailure(f"Unable to read from `{file}`: {e}") from None

    @command
    def load_single_from_file(
        self,
        file: Annotated[str, a.Text("a file name")],
        store: Annotated[str, ReadStoreArg()],
        force_flags: LoadForce = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Loads topology transactions from a file into the specified topology store

        The file must contain one transaction, written by its ``writeToFile``."""
        self._load(store, self._read(file, ("SignedTopologyTransaction",)), synchronize)

    @command
    def load_single_from_files(
        self,
        files: Annotated[builtins.list[str], a.SeqOf(a.Text("a file name"))],
        store: Annotated[str, ReadStoreArg()],
        force_flags: LoadForce = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Loads topology transactions from a list of files into the specified topology store

        Each file must contain one transaction, written by its ``writeToFile``."""
        transactions = [tx for f in files for tx in self._read(f, ("SignedTopologyTransaction",))]
        self._load(store, transactions, synchronize)

    @command
    def load_multiple_from_file(
        self,
        file: Annotated[str, a.Text("a file name")],
        store: Annotated[str, ReadStoreArg()],
        force_flags: LoadForce = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
    ) -> None:
        """Loads topology transactions from a file into the specified topology store

        The file must contain several transactions, as ``write_to_file`` of this group writes them."""
        self._load(store, self._read(file, ("SignedTopologyTransactions", "SignedTopologyTransaction")), synchronize)

    # Canton 3.3's V2 commands write and read the newer byte layout; this console has one layout, so
    # they are the same commands under their second name.
    export_identity_transactionsV2 = command_alias(export_identity_transactions, "export_identity_transactionsV2")  # noqa: N815 - Canton's names
    export_topology_snapshotV2 = command_alias(export_topology_snapshot, "export_topology_snapshotV2")  # noqa: N815
    genesis_stateV2 = command_alias(genesis_state, "genesis_stateV2")  # noqa: N815
    import_topology_snapshotV2 = command_alias(import_topology_snapshot, "import_topology_snapshotV2")  # noqa: N815
    import_topology_snapshot_fromV2 = command_alias(import_topology_snapshot_from, "import_topology_snapshot_fromV2")  # noqa: N815

    @command
    def write_to_file(
        self,
        transactions: Annotated[builtins.list[t.SignedTopologyTransaction], SignedTxsArg()],
        file: Annotated[str, a.Text("a file name")],
    ) -> None:
        """Write signed topology transactions to a file, for ``load_multiple_from_file``

        Canton writes them with ``SignedTopologyTransactions(txs, protocolVersion).writeToFile(file)``;
        this console offers the same as a command."""
        _write(file, encode_signed(transactions))

    # ---- signing, authorizing -------------------------------------------------------------------------
    @command
    def sign(
        self,
        transactions: Annotated[builtins.list[t.SignedTopologyTransaction], SignedTxsArg()],
        store: Annotated[str, ReadStoreArg()],
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        force_flags: NoForce = None,
    ) -> Vector:
        """Sign topology transactions with this node's key

        The transactions with this node's signature added; nothing is stored (``load`` them)."""
        topology = self._admin.topology
        topology.require_store(store)
        return Vector(*[SignedTx(s, False) for s in topology.sign(transactions, signed_by)])

    @command
    def authorize(
        self,
        tx_hash: Any,
        must_be_fully_authorized: Any = False,
        store: Annotated[str | None, a.Optional(ReadStoreArg())] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
    ) -> GenericSignedTx:
        """Authorize a transaction by its hash

        Adds this node's signature to the pending proposal with ``txHash`` in ``store``; with
        ``mustBeFullyAuthorized`` it fails unless the signatures then authorize it. Also
        ``authorize(synchronizerId, txHash)``."""
        ctx = CallContext(f"{self._path}.authorize", "tx_hash", self._env, f"{self.scala_name}.authorize")
        if not isinstance(must_be_fully_authorized, bool):
            # authorize(synchronizerId, txHash)
            if store is not None:
                raise CommandFailure(f"{self._path}.authorize: authorize(synchronizerId, txHash) takes no store")
            store = ReadStoreArg().convert(tx_hash, ctx)
            tx_hash, must_be_fully_authorized = must_be_fully_authorized, False
        if store is None:
            raise CommandFailure(f"{self._path}.authorize: give the store (or call authorize(synchronizerId, txHash))")
        hash_hex = TxHashArg().convert(tx_hash, ctx)
        proposed = self._admin.topology.authorize(store, hash_hex, must_be_fully_authorized, signed_by)
        return GenericSignedTx(proposed.signed, proposed.is_proposal)

    # ---- finding -------------------------------------------------------------------------------------
    def _latest(self, store: str, include_proposals: bool, keep: Any) -> Option:
        found = [s for s in self._select(store, False, t.REPLACE, set(t.CODES), None, "") if keep(s)]
        if include_proposals:
            found += [s for s in self._select(store, True, t.REPLACE, set(t.CODES), None, "") if keep(s)]
        if not found:
            return NONE
        return Some(StoredTopologyTransaction(max(found, key=lambda s: s.serial)))

    @command
    def find_latest_by_mapping_hash(
        self,
        mapping_hash: Annotated[str, MappingHashArg()],
        store: Annotated[str, ReadStoreArg()],
        include_proposals: Annotated[bool, a.Bool()] = False,
    ) -> Option:
        """Find the latest transaction for a given mapping hash

        ``mappingHash``: the unique key of the mapping (a transaction's ``mapping.uniqueKey``);
        ``includeProposals``: the latest proposal may be the result, else only the latest fully
        authorized transaction."""
        return self._latest(store, include_proposals, lambda s: s.mapping.uniqueKey.hash == mapping_hash)

    @command
    def find_latest_by_mapping(
        self,
        store: Annotated[str, ReadStoreArg()],
        include_proposals: Annotated[bool, a.Bool()] = False,
    ) -> Option:
        """Find the latest transaction for a given mapping hash

        Scala's type parameter (``find_latest_by_mapping[PartyToParticipant]``) cannot be written in
        this console: the latest transaction of any mapping is found (Canton's
        ``find_latest_by_mapping[TopologyMapping]``)."""
        return self._latest(store, include_proposals, lambda s: True)


def _file_error(file: str, e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return f"FileNotFound(File {file} does not exist)"
    return f"FileNotReadable({file}: {e.strerror})"


def _write(file: str, data: bytes) -> None:
    try:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        Path(file).write_bytes(data)
    except OSError as e:
        raise CommandFailure(f"java.io.IOException: {file}: {e.strerror}") from None


__all__ = [
    "ByteString",
    "StoredTopologyTransaction",
    "StoredTopologyTransactions",
    "TransactionsGroup",
    "decode",
    "encode_signed",
    "encode_stored",
]
