"""Party replication and participant repair, as Canton 3.3 has them: ``participant.parties``'s ACS
export and the offsets of party hosting changes (``export_acs``, ``export_acs_at_timestamp``,
``find_party_max_activation_offset``, ``find_party_max_deactivation_offset``,
``find_highest_offset_by_timestamp``), ``participant.repair`` (``import_acs``, ``add``, ``purge``
and the commands this console refuses by name), and the top-level ``repair`` macros
(``repair.party_replication``, ``repair.identity``).

Offline party replication moves a party's contracts: the target participant agrees to host the
party and disconnects, the party agrees, the source exports the party's ACS at the offset of the
hosting change, the target imports it while disconnected and reconnects; from then on it processes
the party's transactions like any hosting participant."""

from __future__ import annotations

import builtins
import enum
import time
from pathlib import Path
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.parties import PartiesGroup
from canton_console.console.framework import (
    Arg,
    ArgumentError,
    CallContext,
    CommandFailure,
    Group,
    NodeGroup,
    Refused,
    Unsupported,
    command,
    group,
    subgroup,
    top_level,
)
from canton_console.console.references import ParticipantReference, bounded_timeout
from canton_console.pretty import Literal, Tree
from canton_console.values import ledger
from canton_console.values.ids import PartyId
from canton_console.values.refined import NonNegativeLong
from canton_console.values.scala import ScalaMap

DEFAULT_ACS_FILE = "canton-acs-export.gz"
REPAIR = "Repair"
PREVIEW = "Preview"

OFFSET_NOT_FOUND = (
    "Offset not found in topology data. Possible causes: "
    "1) No topology transaction exists (Solution: Initiate a new topology transaction). "
    "2) Existing topology transactions do not match the specified search criteria. (Solution: Adjust search criteria). "
    "3) The ledger has not yet processed the relevant topology transaction. (Solution: Retry after delay, ensuring the ledger (end) has advanced)."
)
ONE_SYNCHRONIZER_CONTRACTS = (
    "canton-console's participants keep each contract on the synchronizer that created it and do not "
    "reassign contracts between synchronizers, so there is nothing to migrate, reassign or roll back"
)


class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()
NO_RENAMES: Any = ScalaMap()


def _require(ctx_command: str, **values: Any) -> None:
    missing = [name for name, value in values.items() if value is REQUIRED]
    if missing:
        raise ArgumentError(f"{ctx_command}: missing argument '{missing[0]}'")


class ContractIdImportMode(enum.Enum):
    """How an ACS import treats contract ids (Canton's ``ContractIdImportMode``)."""

    Accept = "Accept"
    Validation = "Validation"
    Recomputation = "Recomputation"

    def __str__(self) -> str:
        return self.value

    def __pretty__(self) -> Tree:
        return Literal(self.value)

    @property
    def canton_type(self) -> str:
        return f"ContractIdImportMode.{self.value}.type"


class ContractIdImportModeArg(Arg):
    expects = "a ContractIdImportMode (ContractIdImportMode.Validation, Accept or Recomputation)"

    def convert(self, value: Any, ctx: CallContext) -> ContractIdImportMode:
        if isinstance(value, ContractIdImportMode):
            mode = value
        elif isinstance(value, str) and value in ContractIdImportMode.__members__:
            mode = ContractIdImportMode[value]
        else:
            raise ctx.wrong_type(self.expects, value)
        if mode is ContractIdImportMode.Recomputation:
            Unsupported(
                "this console's contract ids are not derived from the contract's contents alone, so they cannot be recomputed; "
                "use ContractIdImportMode.Validation or ContractIdImportMode.Accept"
            ).convert(mode, ctx)
        return mode


class SynchronizerRenamesArg(Arg):
    expects = "a Map of synchronizer id -> synchronizer id"

    def convert(self, value: Any, ctx: CallContext) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ctx.wrong_type(self.expects, value)
        sid = a.SynchronizerIdArg()
        out: dict[str, str] = {}
        for k, v in value.items():
            source, target = sid.convert(k, ctx), sid.convert(v, ctx)
            if source is None or target is None:
                raise ctx.wrong_type(self.expects, value)
            out[source] = target
        return out


class ContractIdMap(ScalaMap):
    """What an ACS import returns: old contract id -> recomputed contract id."""

    canton_type = "Map[LfContractId, LfContractId]"


def _write(path: str, data: bytes) -> None:
    try:
        target = Path(path)
        if target.parent != Path(""):
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as e:
        raise CommandFailure(f"java.io.IOException: {path}: {e.strerror}") from None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandFailure(f"java.nio.file.NoSuchFileException: {path}") from None
    except OSError as e:
        raise CommandFailure(f"java.io.IOException: {path}: {e.strerror}") from None


class PartyAssignmentArg(Arg):
    expects = "a Set of (party, participant) pairs, e.g. Set((alice, participant2))"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[tuple[str, str]]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (set, frozenset, list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        party, participant = a.PartyArg(), a.MemberArg(("participant",))
        pairs = []
        for item in value:
            if not isinstance(item, tuple) or len(item) != 2:
                raise ctx.wrong_type(self.expects, value)
            pairs.append((party.convert(item[0], ctx), participant.convert(item[1], ctx)))
        return pairs


# ---- participant.parties: ACS export and the offsets of hosting changes --------------------------


_ADD_PARTY = Refused(
    "UNSUPPORTED_COMMAND: parties.add_party_async: canton-console has no online party replication; "
    "replicate the party offline (parties.export_acs on a hosting participant, repair.import_acs on this one)."
)
_ADD_PARTY_STATUS = Refused("UNSUPPORTED_COMMAND: parties.get_add_party_status: canton-console has no online party replication (see add_party_async).")


class _PartyReplicationCommands(NodeGroup):
    """The commands of ``participant.parties`` for party replication (added to its group below)."""

    scala_name = PartiesGroup.scala_name

    @command
    def export_acs(
        self,
        parties: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())],
        synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        export_file_path: Annotated[str, a.Text("a file path", allow_empty=False)] = DEFAULT_ACS_FILE,
        ledger_offset: Annotated[int, a.NON_NEGATIVE_LONG] = REQUIRED,
        contract_synchronizer_renames: Annotated[dict[str, str], SynchronizerRenamesArg()] = NO_RENAMES,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> None:
        """Export active contracts for the given set of parties to a file.

        This command exports the current Active Contract Set (ACS) of a given set of parties to a
        GZIP compressed ACS snapshot file. Afterwards, the `import_acs` repair command imports it
        into a participant's ACS again.

        The arguments are:
        - parties: Identifying contracts having at least one stakeholder from the given set.
        - synchronizerId: When defined, restricts the export to the given synchronizer.
        - exportFilePath: The path denoting the file where the ACS snapshot will be stored.
        - ledgerOffset: The offset at which the ACS snapshot is exported.
        - contractSynchronizerRenames: Changes the associated synchronizer id of contracts from
          one synchronizer to another based on the mapping.
        - timeout: A timeout for this operation to complete (the export is immediate here).

        The file is canton-console's own versioned format (gzip); it round-trips through
        ``repair.import_acs`` of this console."""
        _require(f"{self._path}.export_acs", ledgerOffset=ledger_offset)
        del timeout  # the export is immediate
        data = self._admin.repair.export_acs(list(parties), synchronizer_id, ledger_offset, dict(contract_synchronizer_renames))
        _write(export_file_path, data)

    @command
    def export_acs_at_timestamp(
        self,
        parties: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        topology_transaction_effective_time: Annotated[int, a.Timestamp()],
        export_file_path: Annotated[str, a.Text("a file path", allow_empty=False)] = DEFAULT_ACS_FILE,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> None:
        """Export active contracts for the given set of parties to a file.

        This command exports the current Active Contract Set (ACS) of a given set of parties to a
        GZIP compressed ACS snapshot file. Afterwards, the `import_acs` repair command imports it
        into a participant's ACS again.

        This command attempts to resolve the given instant (`topologyTransactionEffectiveTime`)
        to a ledger offset internally. Such offset exists only after the corresponding topology
        transaction has been recorded on the ledger.
        This command returns an error when no offset has been found. Possible causes:
        1. No topology transaction. Solution: Issue a topology transaction.
        2. Topology transaction exists. Solution: Retry the command.

        The arguments are:
        - parties: Identifying contracts having at least one stakeholder from the given set.
        - synchronizerId: Restricts the export to the given synchronizer.
        - topologyTransactionEffectiveTime: The effective time of a topology transaction at which
          the ACS snapshot is exported.
        - exportFilePath: The path denoting the file where the ACS snapshot will be stored.
        - timeout: A timeout for this operation to complete."""
        del timeout
        data = self._admin.repair.export_acs_at_timestamp(list(parties), synchronizer_id, topology_transaction_effective_time)
        _write(export_file_path, data)

    def _find_offset(
        self, kind: str, party: str, participant: str, synchronizer_id: str, valid_from: int | None, begin: int, end: int | None, complete_after: int, timeout: int | None
    ) -> Any:
        from canton_console.values import ledger as ledger_values

        admin = self._admin
        ledger_end = admin.ledger.ledger_end()
        ledger_values.check_offset("Begin", begin, ledger_end)
        if end is not None:
            ledger_values.check_offset("End", end, ledger_end)
        deadline = time.monotonic() + (timeout if timeout is not None else bounded_timeout(self._env)) / 1e6
        while True:
            found = [
                offset
                for offset, effective in admin.repair.hosting_change_offsets(party, participant, synchronizer_id, kind, begin)
                if (valid_from is None or effective == valid_from) and (end is None or offset <= end)
            ][:complete_after]
            # A bounded search (endOffsetInclusive) ends at once; a trailing one waits for more.
            if len(found) >= complete_after or end is not None or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if not found:
            raise CommandFailure(OFFSET_NOT_FOUND)
        return NonNegativeLong.tryCreate(found[-1])

    @command
    def find_party_max_activation_offset(
        self,
        party_id: Annotated[str, a.PartyArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        valid_from: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        begin_offset_exclusive: Annotated[int, a.NON_NEGATIVE_LONG] = 0,
        end_offset_inclusive: Annotated[int | None, a.Optional(a.NON_NEGATIVE_LONG)] = None,
        complete_after: Annotated[int, a.POSITIVE_INT32] = 2**31 - 1,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> Any:
        """Finds a party's highest activation offset.

        This command locates the highest ledger offset where a party's activation matches
        specified criteria.

        It searches the ledger for topology transactions, sequenced by the given synchronizer
        (`synchronizerId`), that result in the party (`partyId`) being newly hosted on the
        participant (`participantId`). An optional `validFrom` timestamp filters the topology
        transactions for their effective time.

        The ledger search occurs within the specified offset range, targeting a specific number
        of topology transactions (`completeAfter`).

        If `endOffsetInclusive` is not set (`None`), the search continues until `completeAfter`
        number of transactions are found or the `timeout` expires. Otherwise, the ledger search
        ends at the specified offset.

        This command is useful for creating ACS snapshots with `export_acs`, which requires the
        party activation ledger offset.

        This console's ledger gives topology transactions no offsets of their own: the offset of
        an activation is the last ledger offset at or before its effective time on the
        synchronizer, where the party's active contracts are those at the activation.

        The arguments are:
        - partyId: The party to find activations for.
        - participantId: The participant hosting the new party.
        - synchronizerId: The synchronizer sequencing the activations.
        - validFrom: The activation's effective time (default: None).
        - beginOffsetExclusive: Starting ledger offset (default: 0).
        - endOffsetInclusive: Ending ledger offset (default: None = trailing search).
        - completeAfter: Number of transactions to find (default: Maximum = no limit).
        - timeout: Search timeout (default: 1 minute)."""
        return self._find_offset(
            "added", party_id, participant_id, synchronizer_id, valid_from, begin_offset_exclusive, end_offset_inclusive, complete_after, timeout
        )

    @command
    def find_party_max_deactivation_offset(
        self,
        party_id: Annotated[str, a.PartyArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        valid_from: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        begin_offset_exclusive: Annotated[int, a.NON_NEGATIVE_LONG] = 0,
        end_offset_inclusive: Annotated[int | None, a.Optional(a.NON_NEGATIVE_LONG)] = None,
        complete_after: Annotated[int, a.POSITIVE_INT32] = 2**31 - 1,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> Any:
        """Finds a party's highest deactivation offset.

        This command locates the highest ledger offset where a party's deactivation matches
        specified criteria: topology transactions, sequenced by the given synchronizer
        (`synchronizerId`), that result in the party (`partyId`) being revoked on the participant
        (`participantId`). Arguments as for `find_party_max_activation_offset`.

        This command is useful for finding active contracts at the ledger offset where a party
        has been off-boarded from a participant."""
        return self._find_offset(
            "revoked", party_id, participant_id, synchronizer_id, valid_from, begin_offset_exclusive, end_offset_inclusive, complete_after, timeout
        )

    @command
    def find_highest_offset_by_timestamp(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        timestamp: Annotated[int, a.Timestamp()],
        force: Annotated[bool, a.Bool()] = False,
    ) -> Any:
        """Find highest ledger offset by timestamp.

        This command attempts to find the highest ledger offset among all events belonging
        to a synchronizer that have a record time before or at the given timestamp.

        Returns the highest ledger offset, or an error.

        Possible failure causes:
        - The requested timestamp is too far in the past for which no events exist anymore.
        - There are no events for the given synchronizer.
        - Not all events have been processed fully and/or published to the Ledger API DB
          until the requested timestamp.

        The arguments are:
        - synchronizerId: Restricts the query to a particular synchronizer.
        - timestamp: A point in time.
        - force: Defaults to false. If true, returns the highest currently known ledger offset
          with a record time before or at the given timestamp."""
        return NonNegativeLong.tryCreate(self._admin.repair.highest_offset_by_timestamp(synchronizer_id, timestamp, force))

    @command(feature=PREVIEW)
    def add_party_async(
        self,
        party: Annotated[Any, _ADD_PARTY] = None,
        synchronizer_id: Annotated[Any, _ADD_PARTY] = None,
        source_participant: Annotated[Any, _ADD_PARTY] = None,
        serial: Annotated[Any, _ADD_PARTY] = None,
    ) -> str:
        """Add a previously existing party to the local participant

        Initiate adding a previously existing party to this participant on the specified synchronizer.
        Performs some checks synchronously and then initiates party replication asynchronously. The returned `addPartyRequestId`
        parameter allows identifying asynchronous progress and errors.

        Refused by canton-console: online party replication needs Canton's party replication
        protocol between the participants (through the sequencer), which this console does not
        have; replicate a party offline with export_acs and repair.import_acs."""
        raise CommandFailure(_ADD_PARTY.refusal)

    @command(feature=PREVIEW)
    def get_add_party_status(self, add_party_request_id: Annotated[Any, _ADD_PARTY_STATUS] = None) -> Any:
        """Obtain status on a pending `add_party_async` call

        Refused by canton-console: there is no online party replication (see add_party_async)."""
        raise CommandFailure(_ADD_PARTY_STATUS.refusal)

    @command(feature=PREVIEW)
    def await_topology_observed(
        self,
        party_assignment: Annotated[builtins.list[tuple[str, str]], PartyAssignmentArg()],
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> None:
        """Waits for any topology changes to be observed

        Will throw an exception if the given topology has not been observed within the given timeout.

        ``partyAssignment``: (party, participant) pairs, e.g. ``Set((alice, participant2))``; each
        party must be hosted by its participant in the topology this participant uses, on every
        synchronizer it is connected to."""
        from canton_console.values.timefmt import round_for_humans

        timeout_us = timeout if timeout is not None else bounded_timeout(self._env)
        admin = self._admin

        def observed() -> bool:
            for connected in admin.connectivity.list_connected():
                listed = admin.parties.list_parties([connected.synchronizer_id], "", "", None, 1_000_000)
                hosting = {(r.party, p) for r in listed for p, _perms in r.participants}
                if not all(pair in hosting for pair in party_assignment):
                    return False
            return True

        deadline = time.monotonic() + timeout_us / 1e6
        delay = 0.001
        while not observed():
            if time.monotonic() >= deadline:
                raise CommandFailure(f"Condition never became true within {round_for_humans(timeout_us)}")
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


for _name in (
    "await_topology_observed",
    "export_acs",
    "export_acs_at_timestamp",
    "find_party_max_activation_offset",
    "find_party_max_deactivation_offset",
    "find_highest_offset_by_timestamp",
    "add_party_async",
    "get_add_party_status",
):
    setattr(PartiesGroup, _name, _PartyReplicationCommands.__dict__[_name])
PartiesGroup._find_offset = _PartyReplicationCommands._find_offset  # type: ignore[attr-defined]


# ---- participant.repair --------------------------------------------------------------------------


def _contract_of(value: Any, ctx: CallContext) -> tuple[str, ledger.Contract]:
    """(synchronizer id, contract) of what ``repair.add`` is given: an entry of ``acs.of_party`` or ``acs.of_all``."""
    entry = getattr(value, "entry", None)
    event = getattr(entry, "createdEvent", None)
    if entry is None or event is None:
        raise ctx.wrong_type("a Seq of contracts (entries of ledger_api.state.acs.of_party or of_all)", value)
    template_id = event.templateId.moduleEntity if hasattr(event.templateId, "moduleEntity") else str(event.templateId)
    contract = ledger.Contract(
        event.contractId, ledger.template(template_id).id, dict(event.createArguments), tuple(event.signatories), tuple(event.observers)
    )
    return entry.synchronizerId, contract


class RepairContractsArg(Arg):
    expects = "a Seq of contracts (entries of ledger_api.state.acs.of_party or of_all)"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[tuple[str, ledger.Contract]]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        return [_contract_of(v, ctx) for v in value]


_SEQUENCER_COUNTERS = (
    "canton-console's participants keep no per-event sequencer counters to mark as ignored: they process every "
    "event their synchronizer delivers (a damaged event cannot reach them)"
)


_IGNORE = Refused(f"UNSUPPORTED_COMMAND: repair.ignore_events: {_SEQUENCER_COUNTERS}.")
_UNIGNORE = Refused(f"UNSUPPORTED_COMMAND: repair.unignore_events: {_SEQUENCER_COUNTERS}.")
_MIGRATE = Refused(f"UNSUPPORTED_COMMAND: repair.migrate_synchronizer: {ONE_SYNCHRONIZER_CONTRACTS}.")
_CHANGE_ASSIGNATION = Refused(f"UNSUPPORTED_COMMAND: repair.change_assignation: {ONE_SYNCHRONIZER_CONTRACTS}.")
_ROLLBACK = Refused(f"UNSUPPORTED_COMMAND: repair.rollback_unassignment: {ONE_SYNCHRONIZER_CONTRACTS}.")
_PURGE_DEACTIVATED = Refused(
    "UNSUPPORTED_COMMAND: repair.purge_deactivated_synchronizer: no synchronizer of canton-console is ever deactivated "
    f"(that takes repair.migrate_synchronizer, and {ONE_SYNCHRONIZER_CONTRACTS})."
)


@subgroup(ParticipantReference, "repair", "Commands to repair the participant contract state")
class ParticipantRepairGroup(NodeGroup):
    """Commands to repair the participant contract state"""

    scala_name = "ParticipantRepairAdministration"

    @command(feature=REPAIR)
    def import_acs(
        self,
        import_file_path: Annotated[str, a.Text("a file path", allow_empty=False)] = DEFAULT_ACS_FILE,
        workflow_id_prefix: Annotated[str, a.Text("a workflow id prefix")] = "",
        contract_id_import_mode: Annotated[ContractIdImportMode, ContractIdImportModeArg()] = ContractIdImportMode.Validation,
    ) -> ScalaMap:
        """Import active contracts from an Active Contract Set (ACS) snapshot file.

        This command imports contracts from an ACS snapshot file into the participant's ACS. It
        expects the given ACS snapshot file to be the result of a previous `export_acs` command
        invocation. The participant must be disconnected from all synchronizers. Contracts already
        active on this participant are skipped (the same contract; a different one with the same
        id, or one archived here, fails the import and nothing is imported).

        By default `contractIdImportMode` is `ContractIdImportMode.Validation`: each contract id
        must match the contract's contents as exported. `ContractIdImportMode.Accept` takes the
        contract ids as they are. (`Recomputation` is refused: this console cannot recompute a
        contract id from the contract alone.)

        Returns the mapping from old to recomputed contract ids: always empty here.

        The arguments are:
        - importFilePath: The path denoting the file from where the ACS snapshot will be read.
                          Defaults to "canton-acs-export.gz" when undefined.
        - workflowIdPrefix: Prefixes the workflow ID for the import. Defaults to
                          "import-<random_UUID>" when undefined.
        - contractIdImportMode: Governs contract ID processing on import. Options include
                                Validation (default), [Accept, Recomputation]."""
        data = _read(import_file_path)
        remapped = self._admin.repair.import_acs(data, workflow_id_prefix, contract_id_import_mode.value)
        return ContractIdMap(remapped.items())

    @command(feature=REPAIR)
    def add(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        protocol_version: Any,
        contracts: Annotated[builtins.list[tuple[str, ledger.Contract]], RepairContractsArg()],
        allow_contract_id_suffix_recomputation: Annotated[bool, a.Bool()] = False,
    ) -> ScalaMap:
        """Add specified contracts to a specific synchronizer on the participant.

        This is a last resort command to recover from data corruption, e.g. in scenarios in which participant
        contracts have somehow gotten out of sync and need to be manually created. The participant needs to be
        disconnected from the synchronizers at the time of the call.

        The arguments are:
        - synchronizerId: the id of the synchronizer to which to add the contract
        - protocolVersion: to protocol version used by the synchronizer
        - contracts: the contracts to add (entries of ledger_api.state.acs.of_party / of_all, e.g.
          read on another participant)"""
        from canton_console.values.acs_snapshot import RepairContract, encode_snapshot

        if allow_contract_id_suffix_recomputation:
            Unsupported("this console cannot recompute a contract id from the contract alone").convert(
                True, CallContext(f"{self._path}.add", "allow_contract_id_suffix_recomputation", self._env, f"{self.scala_name}.add")
            )
        del protocol_version  # a synchronizer of this console has one protocol version
        data = encode_snapshot(RepairContract(synchronizer_id, contract) for _sid, contract in contracts)
        return ContractIdMap(self._admin.repair.import_acs(data, "", "Validation").items())

    @command
    def purge(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias", allow_empty=False)],
        contract_ids: Annotated[builtins.list[str], a.SeqOf(a.Text("a contract id"))],
        ignore_already_purged: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Purge contracts with specified Contract IDs from local participant.

        This is a last resort command to recover from data corruption, e.g. in scenarios in which participant
        contracts have somehow gotten out of sync and need to be manually purged, or in situations in which
        stakeholders are no longer available to agree to their archival. The participant needs to be disconnected from
        the synchronizers at the time of the call.
        The "ignoreAlreadyPurged" flag makes it possible to invoke the command multiple times with the same
        parameters in case an earlier command invocation has failed."""
        self._admin.repair.purge(synchronizer_alias, [str(c) for c in contract_ids], ignore_already_purged)

    @command(feature=REPAIR)
    def ignore_events(
        self,
        synchronizer_id: Annotated[Any, _IGNORE] = None,
        from_inclusive: Annotated[Any, _IGNORE] = None,
        to_inclusive: Annotated[Any, _IGNORE] = None,
        force: Annotated[Any, _IGNORE] = False,
    ) -> None:
        """Mark sequenced events as ignored.

        Refused by canton-console: its participants keep no sequencer counters to mark."""
        raise CommandFailure(_IGNORE.refusal)

    @command(feature=REPAIR)
    def unignore_events(
        self,
        synchronizer_id: Annotated[Any, _UNIGNORE] = None,
        from_inclusive: Annotated[Any, _UNIGNORE] = None,
        to_inclusive: Annotated[Any, _UNIGNORE] = None,
        force: Annotated[Any, _UNIGNORE] = False,
    ) -> None:
        """Remove the ignored status from sequenced events.

        Refused by canton-console: its participants keep no sequencer counters to mark."""
        raise CommandFailure(_UNIGNORE.refusal)

    @command
    def migrate_synchronizer(self, source: Annotated[Any, _MIGRATE] = None, target: Annotated[Any, _MIGRATE] = None, force: Annotated[Any, _MIGRATE] = False) -> None:
        """Migrate contracts from one synchronizer to another one.

        Refused by canton-console: contracts are not reassigned between synchronizers."""
        raise CommandFailure(_MIGRATE.refusal)

    @command(feature=REPAIR)
    def change_assignation(
        self,
        contracts_ids: Annotated[Any, _CHANGE_ASSIGNATION] = None,
        source_synchronizer_alias: Annotated[Any, _CHANGE_ASSIGNATION] = None,
        target_synchronizer_alias: Annotated[Any, _CHANGE_ASSIGNATION] = None,
        reassignment_counter_override: Annotated[Any, _CHANGE_ASSIGNATION] = None,
        skip_inactive: Annotated[Any, _CHANGE_ASSIGNATION] = True,
    ) -> None:
        """Change assignation of contracts from one synchronizer to another.

        Refused by canton-console: contracts are not reassigned between synchronizers."""
        raise CommandFailure(_CHANGE_ASSIGNATION.refusal)

    @command(feature=REPAIR)
    def rollback_unassignment(
        self, unassign_id: Annotated[Any, _ROLLBACK] = None, source: Annotated[Any, _ROLLBACK] = None, target: Annotated[Any, _ROLLBACK] = None
    ) -> None:
        """Rollback an unassignment by re-assigning the contract to the source synchronizer.

        Refused by canton-console: contracts are never unassigned."""
        raise CommandFailure(_ROLLBACK.refusal)

    @command(feature=REPAIR)
    def purge_deactivated_synchronizer(self, synchronizer_alias: Annotated[Any, _PURGE_DEACTIVATED] = None) -> None:
        """Purge the data of a deactivated synchronizer.

        Refused by canton-console: a synchronizer is deactivated only by repair.migrate_synchronizer,
        which this console does not have."""
        raise CommandFailure(_PURGE_DEACTIVATED.refusal)

    @command(feature=REPAIR)
    def export_acs_old(
        self,
        parties: Annotated[builtins.list[str], a.SeqOf(a.PartyArg())],
        parties_offboarding: Annotated[bool, a.Bool()],
        output_file: Annotated[str, a.Text("a file path", allow_empty=False)] = DEFAULT_ACS_FILE,
        filter_synchronizer_id: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        timestamp: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        contract_synchronizer_renames: Annotated[dict[str, str], SynchronizerRenamesArg()] = NO_RENAMES,
        force: Annotated[bool, a.Bool()] = False,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> None:
        """Export active contracts for the given set of parties to a file. (DEPRECATED)

        This command exports the current Active Contract Set (ACS) of a given set of parties to
        ACS snapshot file. Afterwards, the 'import_acs_old' command allows importing it into a
        participant's ACS again.

        DEPRECATION NOTICE: A future release removes this command, use `export_acs` instead.

        The arguments are:
        - parties: identifying contracts having at least one stakeholder from the given set
        - partiesOffboarding: true if the parties will be offboarded (party migration); refused
          here (this console does not check the offboarding)
        - outputFile: the output file name where to store the data.
        - filterSynchronizerId: restrict the export to a given synchronizer
        - timestamp: optionally a timestamp for which we should take the state (the ledger offset
          of the synchronizer's last event at or before it; needs filterSynchronizerId when the
          participant knows several synchronizers)
        - contractSynchronizerRenames: As part of the export, allow to rename the associated
          synchronizer id of contracts from one synchronizer to another based on the mapping.
        - force: if is set to true, then the check that the timestamp is clean will not be done."""
        from canton_console.values.acs_snapshot import encode_snapshot

        del timeout
        if parties_offboarding:
            Unsupported("this console does not check a party's offboarding; export with partiesOffboarding = false").convert(
                True, CallContext(f"{self._path}.export_acs_old", "parties_offboarding", self._env, f"{self.scala_name}.export_acs_old")
            )
        admin = self._admin
        if timestamp is None:
            offset = admin.ledger.ledger_end()
        else:
            synchronizer = filter_synchronizer_id
            if synchronizer is None:
                registered = admin.connectivity.list_registered()
                if len(registered) != 1:
                    raise CommandFailure(
                        "INVALID_ARGUMENT(8,0): repair.export_acs_old: a timestamp names a point on one synchronizer's time: "
                        "give filterSynchronizerId (this participant knows "
                        f"{len(registered)} synchronizers)"
                    )
                synchronizer = registered[0].synchronizer_id
            offset = admin.repair.highest_offset_by_timestamp(synchronizer, timestamp, force)
        if offset == 0:  # an empty ledger: nothing is active
            _write(output_file, encode_snapshot([]))
            return
        data = admin.repair.export_acs(list(parties), filter_synchronizer_id, offset, dict(contract_synchronizer_renames))
        _write(output_file, data)

    @command(feature=REPAIR)
    def import_acs_old(
        self,
        input_file: Annotated[str, a.Text("a file path", allow_empty=False)] = DEFAULT_ACS_FILE,
        workflow_id_prefix: Annotated[str, a.Text("a workflow id prefix")] = "",
        allow_contract_id_suffix_recomputation: Annotated[bool, a.Bool()] = False,
    ) -> ContractIdMap:
        """Import active contracts from an Active Contract Set (ACS) snapshot file. (DEPRECATED)

        This command imports contracts from an ACS snapshot file into the participant's ACS. The
        given ACS snapshot file needs to be the resulting file from a previous 'export_acs_old'
        (or 'export_acs') command invocation. The contract IDs are validated against the
        contracts' contents; allowContractIdSuffixRecomputation is refused (this console cannot
        recompute a contract id from the contract alone).

        DEPRECATION NOTICE: A future release removes this command, use `export_acs` instead."""
        if allow_contract_id_suffix_recomputation:
            Unsupported("this console cannot recompute a contract id from the contract alone").convert(
                True, CallContext(f"{self._path}.import_acs_old", "allow_contract_id_suffix_recomputation", self._env, f"{self.scala_name}.import_acs_old")
            )
        data = _read(input_file)
        return ContractIdMap(self._admin.repair.import_acs(data, workflow_id_prefix, "Validation").items())


# ---- the top-level repair macros ----------------------------------------------------------------


class PartyReplicationMacros(Group):
    """Commands useful to replicate parties from one participant to another"""

    scala_name = "RepairMacros$party_replication$"

    @command(feature=REPAIR)
    def step1_hold_and_store_acs(
        self,
        party_id: Annotated[str, a.PartyArg()],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        source_participant: Annotated[Any, a.NodeRef("participant")],
        target_participant_id: Annotated[str, a.MemberArg(("participant",))],
        target_file: Annotated[str, a.Text("a file path", allow_empty=False)],
        begin_offset_exclusive: Annotated[int, a.NON_NEGATIVE_LONG],
    ) -> None:
        """Initiates the first step of the party replication repair macro.

        Ensures the synchronizer is silent (its confirmationRequestsMaxRate is 0 and the change is
        older than the participant and mediator timeouts), finds the ledger offset at which the
        party was activated on the target participant (after ``beginOffsetExclusive``) and exports
        the party's ACS from the source participant to ``targetFile``."""
        self._ensure_silent(source_participant, synchronizer_id)
        offset = source_participant.parties.find_party_max_activation_offset(
            party_id, target_participant_id, synchronizer_id, beginOffsetExclusive=begin_offset_exclusive, completeAfter=1
        )
        source_participant.parties.export_acs([party_id], synchronizerId=synchronizer_id, ledgerOffset=offset, exportFilePath=target_file)

    def _ensure_silent(self, participant: Any, synchronizer_id: str) -> None:
        registered = set()
        for config, _connected in participant.synchronizers.list_registered():
            try:
                registered.add(str(participant.synchronizers.id_of(config.synchronizerAlias)))
            except CommandFailure:
                pass  # registered, never connected: its id is not known yet
        if synchronizer_id not in registered:
            raise CommandFailure(f"Given synchronizer {synchronizer_id} is not active on given participant {participant.name}")
        changes = participant.topology.synchronizer_parameters.list(store=synchronizer_id)
        if len(changes) != 1:
            raise CommandFailure(
                "There are no synchronizer parameters for the given synchronizer"
                if not changes
                else f"Found more than one ({len(changes)}) synchronizer parameters set for the given synchronizer and time!"
            )
        change = changes[0]
        params = change.item
        rate = int(params.participantSynchronizerLimits.confirmationRequestsMaxRate)
        if rate != 0:
            raise CommandFailure(
                f"confirmationRequestsMaxRate must be 0, but was {rate} for synchronizer {synchronizer_id}. We need a silent synchronizer for party replication."
            )
        from canton_console.values.refined import to_micros
        from canton_console.values.timefmt import instant

        valid_after = int(change.context.validFrom) + to_micros(params.mediatorReactionTimeout) + to_micros(params.confirmationResponseTimeout)
        now = self._env.now()
        if not valid_after < now:
            raise CommandFailure(
                f"Synchronizer parameters change is not yet valid at {instant(now)}. You need to wait until {instant(valid_after)} "
                "before you can replicate parties (participant and mediator timeouts)."
            )

    @command(feature=REPAIR)
    def step2_import_acs(
        self,
        party_id: Annotated[str, a.PartyArg()],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        target_participant: Annotated[Any, a.NodeRef("participant")],
        source_file: Annotated[str, a.Text("a file path", allow_empty=False)],
        workflow_id_prefix: Annotated[str, a.Text("a workflow id prefix")] = "",
    ) -> None:
        """Completes the party replication repair macro in a second step.

        Disconnects the target participant from all synchronizers, imports the party's ACS from
        ``sourceFile`` and reconnects it to all synchronizers (also when the import fails)."""
        del synchronizer_id  # the file says where each contract is assigned
        known = [p.party for p in target_participant.ledger_api.parties.list()]
        if str(PartyId.parse(party_id)) not in [str(p) for p in known]:
            raise CommandFailure(f"Cannot find party {party_id} on target participant.")
        try:
            target_participant.synchronizers.disconnect_all()
            target_participant.repair.import_acs(source_file, workflow_id_prefix)
        finally:
            target_participant.synchronizers.reconnect_all()


_IDENTITY = (
    "canton-console keeps a node's identity (its keys and identity topology transactions) in the node's own store; "
    "a node's identity is moved by moving its store (or with keys.secret.download / upload and "
    "topology.transactions.export_identity_transactions / import_topology_snapshot_from)"
)


_DOWNLOAD = Refused(f"UNSUPPORTED_COMMAND: repair.identity.download: {_IDENTITY}.")
_UPLOAD = Refused(f"UNSUPPORTED_COMMAND: repair.identity.upload: {_IDENTITY}.")


class IdentityMacros(Group):
    """Commands used to repair / recover the identity of a node"""

    scala_name = "RepairMacros$identity$"

    @command(feature=REPAIR, needs_running=False)
    def download(
        self, node: Annotated[Any, _DOWNLOAD] = None, synchronizer_id: Annotated[Any, _DOWNLOAD] = None, target_directory: Annotated[Any, _DOWNLOAD] = None
    ) -> None:
        """Download all the necessary data to initialize a new node with the same identity.

        Refused by canton-console (see its reason)."""
        raise CommandFailure(_DOWNLOAD.refusal)

    @command(feature=REPAIR, needs_running=False)
    def upload(
        self, node: Annotated[Any, _UPLOAD] = None, source_directory: Annotated[Any, _UPLOAD] = None, synchronizer_id: Annotated[Any, _UPLOAD] = None
    ) -> None:
        """Upload all the necessary data to initialize a new node with the same identity.

        Refused by canton-console (see its reason)."""
        raise CommandFailure(_UPLOAD.refusal)


@top_level("repair", "Repair", "Repair utilities")
class RepairMacros(Group):
    """Repair utilities"""

    scala_name = "RepairMacros"

    @group("Commands useful to replicate parties from one participant to another")
    def party_replication(self) -> PartyReplicationMacros:
        return PartyReplicationMacros("repair.party_replication", self._env)

    @group("Commands used to repair / recover the identity of a node")
    def identity(self) -> IdentityMacros:
        return IdentityMacros("repair.identity", self._env)


__all__ = ["ContractIdImportMode", "ParticipantRepairGroup", "RepairMacros"]

