"""``participant.commitments``: the ACS commitments a participant exchanges with its
counter-participants (Canton 3.3's ``LocalCommitmentsAdministrationGroup``): what it received,
computed, still waits for and buffered, the cross-synchronizer lookups with their match states, the
configuration of waiting for and of slow counter-participants, and the reinitialization."""

from __future__ import annotations

from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import Arg, CallContext, NodeGroup, command, subgroup
from canton_console.console.references import ParticipantReference
from canton_console.pretty import Literal, Tree
from canton_console.values.commitments import (
    HashedCommitment,
    SlowCounterParticipantSynchronizerConfig,
    SynchronizerTimeRange,
    TimeRange,
    _State,
)
from canton_console.values.ids import SynchronizerId
from canton_console.values.pruning import Timestamp
from canton_console.values.scala import Option, ScalaMap, ScalaTuple, TypedVector

PREVIEW = "Preview"
PARTICIPANT = a.MemberArg(("participant",))
STATE_NAMES = {1: "NotCompared", 2: "Matched", 3: "Mismatched", 4: "Buffered", 5: "Outstanding"}


class CommitmentPeriodState:
    """Canton's ``CommitmentPeriodState`` (a Pretty case object): ``Outstanding(state = 5)``."""

    canton_type = "CommitmentPeriodState"

    def __init__(self, state: int):
        self.state = state
        self.name = STATE_NAMES[state]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CommitmentPeriodState) and other.state == self.state

    def __hash__(self) -> int:
        return self.state

    def __pretty__(self) -> Tree:
        return Literal(f"{self.name}(state = {self.state})")


class OptionalTimestamp(Option):
    canton_type = "Option[CantonTimestampSecond]"


# ---- arguments -------------------------------------------------------------------------------


class TimeRangeArg(Arg):
    expects = "a SynchronizerTimeRange(synchronizerId, Some(TimeRange(startExclusive, endInclusive))) or SynchronizerTimeRange(synchronizerId, None)"

    def convert(self, value: Any, ctx: CallContext) -> tuple[str, tuple[int, int] | None]:
        if not isinstance(value, SynchronizerTimeRange):
            raise ctx.wrong_type(self.expects, value)
        sync_id = a.SynchronizerIdArg().convert(value.synchronizerId, ctx)
        if sync_id is None:
            raise ctx.bad_value("a SynchronizerTimeRange needs a synchronizer id")
        time_range = value.timeRange
        if isinstance(time_range, Option):
            time_range = time_range.get if time_range.isDefined else None
        if time_range is None:
            return sync_id, None
        if not isinstance(time_range, TimeRange):
            raise ctx.wrong_type("a TimeRange(startExclusive, endInclusive)", time_range)
        start = a.Timestamp().convert(time_range.startExclusive, ctx)
        end = a.Timestamp().convert(time_range.endInclusive, ctx)
        return sync_id, (start, end)


class CommitmentArg(Arg):
    expects = "a commitment hash (e.g. the third element of what commitments.computed returns)"

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, HashedCommitment):
            return value.hex
        raise ctx.wrong_type(self.expects, value)


class StateArg(Arg):
    def __init__(self, family: str, names: tuple[str, ...]):
        self.family = family
        self.names = names
        self.expects = " or ".join(f"{family}.{n}" for n in names)

    def convert(self, value: Any, ctx: CallContext) -> str:
        if isinstance(value, _State) and value.family == self.family:
            return value.name
        raise ctx.wrong_type(self.expects, value)


class SlowConfigArg(Arg):
    expects = "a SlowCounterParticipantSynchronizerConfig(synchronizerIds, distinguishedParticipants, thresholdDistinguished, thresholdDefault, participantsMetrics)"

    def convert(self, value: Any, ctx: CallContext) -> SlowCounterParticipantSynchronizerConfig:
        if not isinstance(value, SlowCounterParticipantSynchronizerConfig):
            raise ctx.wrong_type(self.expects, value)
        threshold = a.Int(0, "a non-negative whole number (NonNegativeInt)", a.INT_MAX)
        return SlowCounterParticipantSynchronizerConfig(
            tuple(SynchronizerId.parse(s) for s in a.SeqOf(a.SynchronizerIdArg()).convert(value.synchronizerIds, ctx)),
            tuple(a.SeqOf(PARTICIPANT).convert(value.distinguishedParticipants, ctx)),
            threshold.convert(value.thresholdDistinguished, ctx),
            threshold.convert(value.thresholdDefault, ctx),
            tuple(a.SeqOf(PARTICIPANT).convert(value.participantsMetrics, ctx)),
        )


RECEIVED_STATES = StateArg("ReceivedCmtState", ("Match", "Mismatch", "Buffered", "Outstanding"))
SENT_STATES = StateArg("SentCmtState", ("Match", "Mismatch", "NotCompared"))


@subgroup(ParticipantReference, "commitments")
class CommitmentsGroup(NodeGroup):
    """Commands to inspect and extract bilateral commitments"""

    scala_name = "LocalCommitmentsAdministrationGroup"

    # ---- local inspection ------------------------------------------------------------------
    @command
    def received(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        start: Annotated[int, a.Timestamp()],
        end: Annotated[int, a.Timestamp()],
        counter_participant: Annotated[str | None, a.Optional(PARTICIPANT)] = None,
    ) -> TypedVector:
        """Lookup ACS commitments received from other participants as part of the reconciliation protocol

        The arguments are:
        - synchronizerAlias: the alias of the synchronizer
        - start: lowest time exclusive
        - end: highest time inclusive
        - counterParticipant: optionally filter by counter participant"""
        found = self._admin.commitments.received(synchronizer_alias, start, end, counter_participant)
        return TypedVector("SignedProtocolMessage[AcsCommitment]", *found)

    @command
    def computed(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        start: Annotated[int, a.Timestamp()],
        end: Annotated[int, a.Timestamp()],
        counter_participant: Annotated[str | None, a.Optional(PARTICIPANT)] = None,
    ) -> TypedVector:
        """Lookup ACS commitments locally computed as part of the reconciliation protocol"""
        found = self._admin.commitments.computed(synchronizer_alias, start, end, counter_participant)
        types = ("CommitmentPeriod", "ParticipantId", "Hash")
        return TypedVector("(CommitmentPeriod, ParticipantId, Hash)", *(ScalaTuple(*t, types=types) for t in found))

    @command
    def outstanding(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        start: Annotated[int, a.Timestamp()],
        end: Annotated[int, a.Timestamp()],
        counter_participant: Annotated[str | None, a.Optional(PARTICIPANT)] = None,
    ) -> TypedVector:
        """Lookup the periods for which this participant still waits for a matching commitment

        The periods whose counter-commitment has not arrived (Outstanding) or did not match
        (Mismatched). Counter-participants set with ``set_no_wait_commitments_from`` are not waited
        for: their periods are not listed."""
        found = self._admin.commitments.outstanding(synchronizer_alias, start, end, counter_participant)
        types = ("CommitmentPeriod", "ParticipantId", "CommitmentPeriodState")
        return TypedVector(
            "(CommitmentPeriod, ParticipantId, CommitmentPeriodState)",
            *(ScalaTuple(period, participant, CommitmentPeriodState(state), types=types) for period, participant, state in found),
        )

    @command
    def buffered(
        self,
        synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")],
        end_at_or_before: Annotated[int, a.Timestamp()],
    ) -> TypedVector:
        """Lookup the received commitments not compared yet

        Commitments whose period ends at or before ``endAtOrBefore`` that arrived before this
        participant computed its own commitment for their period."""
        return TypedVector("AcsCommitment", *self._admin.commitments.buffered(synchronizer_alias, end_at_or_before))

    @command
    def lastComputedAndSent(self, synchronizer_alias: Annotated[str, a.Text("a synchronizer alias")]) -> OptionalTimestamp:  # noqa: N802 - Canton's name
        """The end of the last period this participant computed and sent commitments for"""
        last = self._admin.commitments.last_computed_and_sent(synchronizer_alias)
        return OptionalTimestamp() if last is None else OptionalTimestamp(Timestamp(last), True)

    # ---- lookups -----------------------------------------------------------------------------
    @command
    def lookup_received_acs_commitments(
        self,
        synchronizer_time_ranges: Annotated[list, a.SeqOf(TimeRangeArg())],
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        commitment_state: Annotated[list, a.SeqOf(RECEIVED_STATES)],
        verbose_mode: Annotated[bool, a.Bool()],
    ) -> ScalaMap:
        """List the counter-participants of a participant and the ACS commitments received from them together withthe commitment state.

        Optional filtering through the arguments:
        synchronizerTimeRanges: Lists commitments received on the given synchronizers whose period
         overlaps with any of the given time ranges per synchronizer. If the list is empty, considers
         all synchronizers the participant is connected to. For synchronizers with an empty time
         range, considers the latest period the participant knows of for that synchronizer.
        counterParticipants: Lists commitments received only from the given counter-participants.
        commitmentState: Lists commitments that are in one of the given states. By default considers all states:
          - MATCH: the remote commitment matches the local commitment
          - MISMATCH: the remote commitment does not match the local commitment
          - BUFFERED: the remote commitment is buffered because the corresponding local commitment has not been computed yet
          - OUTSTANDING: we expect a remote commitment that has not yet been received
        verboseMode: If false, the reply does not contain the commitment bytes. If true, the reply
         contains the received commitment and the locally computed one."""
        found = self._admin.commitments.lookup_received(synchronizer_time_ranges, counter_participants, commitment_state, verbose_mode)
        return ScalaMap((SynchronizerId.parse(k), TypedVector("ReceivedAcsCmt", *v)) for k, v in found.items())

    @command
    def lookup_sent_acs_commitments(
        self,
        synchronizer_time_ranges: Annotated[list, a.SeqOf(TimeRangeArg())],
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        commitment_state: Annotated[list, a.SeqOf(SENT_STATES)],
        verbose_mode: Annotated[bool, a.Bool()],
    ) -> ScalaMap:
        """List the counter-participants of a participant and the ACS commitments that the participant computed and sent tothem, together with the commitment state.

        Optional filtering through the arguments (as ``lookup_received_acs_commitments``);
        commitmentState: MATCH, MISMATCH, or NOT_COMPARED (computed and sent, no counter-commitment
        received yet). verboseMode: if true, the reply contains the sent commitment and the
        counter-commitment received for the period."""
        found = self._admin.commitments.lookup_sent(synchronizer_time_ranges, counter_participants, commitment_state, verbose_mode)
        return ScalaMap((SynchronizerId.parse(k), TypedVector("SentAcsCmt", *v)) for k, v in found.items())

    # ---- waiting for commitments -------------------------------------------------------------
    @command
    def set_no_wait_commitments_from(
        self,
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizer_ids: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """Disable waiting for commitments from the given counter-participants.

        Disabling waiting for commitments disregards these counter-participants w.r.t. pruning,
        which gives up non-repudiation for those counter-participants, but increases pruning
        resilience to failures and slowdowns of those counter-participants and/or the network. Their
        periods are no longer outstanding. If the participant set is empty, the command does nothing."""
        self._admin.commitments.set_wait(counter_participants, synchronizer_ids, False)

    @command
    def set_wait_commitments_from(
        self,
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizer_ids: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """Enable waiting for commitments from the given counter-participants. Waiting for commitments from all counter-participants is the default behavior; explicitly enabling waitingfor commitments is only necessary if it was previously disabled.

        Enables waiting for commitments, which blocks pruning at offsets where commitments from
        these counter-participants are missing. If the participant set is empty or the synchronizer
        set is empty, the command does nothing."""
        self._admin.commitments.set_wait(counter_participants, synchronizer_ids, True)

    @command
    def get_wait_commitments_config_from(
        self,
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
    ) -> ScalaTuple:
        """Retrieves the latest (i.e., w.r.t. the query execution time) configuration of waiting for commitments from counter-participants.

        The configuration for waiting for commitments from counter-participants is returned as two
        sets: a set of ignored counter-participants and their synchronizers, and a set of not-ignored
        counter-participants and their synchronizers. Filters by the specified counter-participants
        and synchronizers; empty means all synchronizers and participants known to the participant."""
        no_wait, wait = self._admin.commitments.wait_config(synchronizers, counter_participants)
        return ScalaTuple(TypedVector("NoWaitCommitments", *no_wait), TypedVector("WaitCommitments", *wait), types=("Seq[NoWaitCommitments]", "Seq[WaitCommitments]"))

    # ---- slow counter-participants -------------------------------------------------------------
    @command
    def set_config_for_slow_counter_participants(self, configs: Annotated[list, a.SeqOf(SlowConfigArg())]) -> None:
        """Configure metrics for slow counter-participants (i.e., that are behind in sending commitments) andconfigure thresholds for when a counter-participant is deemed slow.

        The configurations are per synchronizer or set of synchronizers: the distinguished
        counter-participants and their threshold (in reconciliation intervals), the threshold of the
        others (the default group), and the participants with individual metrics. A synchronizer may
        appear in one configuration only."""
        self._admin.commitments.set_slow_configs(configs)

    @command
    def get_config_for_slow_counter_participants(self, synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())]) -> TypedVector:
        """Lists for the given synchronizers the configuration of metrics for slow counter-participants (i.e., thatare behind in sending commitments)

        If ``synchronizers`` is empty, the command lists the configuration of all synchronizers."""
        return TypedVector("SlowCounterParticipantSynchronizerConfig", *self._admin.commitments.slow_configs(synchronizers))

    @command
    def get_config_for_slow_counter_participant(
        self,
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
    ) -> TypedVector:
        """The configurations for slow counter-participants that name one of the given counter-participants"""
        configs = self._admin.commitments.slow_configs(synchronizers)
        wanted = set(counter_participants)
        return TypedVector(
            "SlowCounterParticipantSynchronizerConfig",
            *(c for c in configs if wanted & {str(p) for p in (*c.participantsMetrics, *c.distinguishedParticipants)}),
        )

    def _update_slow_configs(self, synchronizers: list[str], participants: list[str], distinguished: bool, add: bool, pairwise: bool) -> None:
        """Add or remove participants in the existing configuration of each synchronizer named (a
        synchronizer without configuration is left alone, as in Canton)."""
        configs = self._admin.commitments.slow_configs(synchronizers)
        pairs = list(zip(synchronizers, participants, strict=False)) if pairwise else [(s, p) for s in synchronizers for p in participants]
        updated = []
        for sync_id in dict.fromkeys(s for s, _ in pairs):
            config = next((c for c in configs if str(c.synchronizerIds[0]) == sync_id), None)
            if config is None:
                continue
            chosen = [p for s, p in pairs if s == sync_id]
            current = [str(p) for p in (config.distinguishedParticipants if distinguished else config.participantsMetrics)]
            changed = current + [p for p in chosen if p not in current] if add else [p for p in current if p not in chosen]
            if changed == current:
                continue
            others = tuple(str(p) for p in (config.participantsMetrics if distinguished else config.distinguishedParticipants))
            updated.append(
                SlowCounterParticipantSynchronizerConfig(
                    config.synchronizerIds,
                    tuple(changed) if distinguished else others,
                    config.thresholdDistinguished,
                    config.thresholdDefault,
                    others if distinguished else tuple(changed),
                )
            )
        if updated:
            self._admin.commitments.set_slow_configs(updated)

    @command
    def add_config_distinguished_slow_counter_participants(
        self,
        counter_participants_distinguished: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """Add additional distinguished counter participants to already existing slow counter participant configuration.

        The configuration can be extended by adding additional counter participants to existing
        synchronizers. If a given synchronizer is not already configured then it will be ignored
        without error."""
        self._update_slow_configs(synchronizers, counter_participants_distinguished, distinguished=True, add=True, pairwise=False)

    @command
    def remove_config_for_slow_counter_participants(
        self,
        counter_participants_distinguished: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """removes existing configurations from synchronizers and distinguished counter participants.

        Removes the given distinguished counter-participants from the configuration of the given
        synchronizers, pairing them up in order (the first participant with the first synchronizer,
        as Canton 3.3 does)."""
        self._update_slow_configs(synchronizers, counter_participants_distinguished, distinguished=True, add=False, pairwise=True)

    @command
    def add_participant_to_individual_metrics(
        self,
        individual_metrics: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """Add additional individual metrics participants to already existing slow counter participant configuration.

        Pairs the participants with the synchronizers in order, as Canton 3.3 does; a synchronizer
        that is not configured is ignored without error."""
        self._update_slow_configs(synchronizers, individual_metrics, distinguished=False, add=True, pairwise=True)

    @command
    def remove_participant_from_individual_metrics(
        self,
        individual_metrics: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
    ) -> None:
        """removes existing configurations from synchronizers and individual metrics participants.

        Pairs the participants with the synchronizers in order, as Canton 3.3 does."""
        self._update_slow_configs(synchronizers, individual_metrics, distinguished=False, add=False, pairwise=True)

    @command
    def get_intervals_behind_for_counter_participants(
        self,
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        synchronizers: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
        threshold: Annotated[int | None, a.Optional(a.Int(0, "a non-negative whole number (NonNegativeInt)", a.INT_MAX))],
    ) -> TypedVector:
        """Lists for every participant and synchronizer the number of intervals that the participant is behind in sending commitmentsif that participant is behind by at least threshold intervals.

        If ``counterParticipants`` is empty, the command considers all counter-participants. If
        ``synchronizers`` is empty, the command considers all synchronizers. If ``threshold`` is not
        set, the command considers 0. For counter-participant that never sent a commitment, the
        output shows they are behind by MaxInt"""
        found = self._admin.commitments.intervals_behind(counter_participants, synchronizers, 0 if threshold is None else threshold)
        return TypedVector("CounterParticipantInfo", *found)

    # ---- reinitialization ----------------------------------------------------------------------
    @command
    def reinitialize_commitments(
        self,
        synchronizer_ids: Annotated[list, a.SeqOf(a.SynchronizerIdArg())],
        counter_participants: Annotated[list, a.SeqOf(PARTICIPANT)],
        party_ids: Annotated[list, a.SeqOf(a.PartyArg())],
        timeout: Annotated[int, a.Duration()],
    ) -> TypedVector:
        """Reinitializes commitments from the current ACS. Filtering is possible by synchronizers, counter-participantsand stakeholder groups.

        The command reinitializes the commitments for the given synchronizers and
        counter-participants, and containing contracts with stakeholders including the given parties
        (empty: all). It returns per synchronizer the ACS timestamp of the reinitialization, or an
        error message. canton-console keeps no running commitments: every reconciliation tick
        computes the commitments afresh from the ACS store, so the reinitialization takes effect at
        once and the ACS timestamp is the last tick computed."""
        del timeout  # the reinitialization completes at once, within any timeout
        found = self._admin.commitments.reinitialize(synchronizer_ids, counter_participants, party_ids)
        return TypedVector("CommitmentReinitializationInfo", *found)

    # ---- preview ---------------------------------------------------------------------------------
    @command(feature=PREVIEW)
    def open_commitment(
        self,
        commitment: Annotated[str, CommitmentArg()],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        timestamp: Annotated[int, a.Timestamp()],
        counter_participant: Annotated[str, PARTICIPANT],
        timeout: Annotated[int, a.Duration()] = 0,
    ) -> TypedVector:
        """Opens a commitment by retrieving the metadata of active contracts shared with the counter-participant.

        Retrieves the contract ids and the reassignment counters of the shared active contracts at
        the given timestamp and on the given synchronizer. Returns an error if the participant
        cannot retrieve the data for the given commitment anymore. The arguments are:
        - commitment: The commitment to be opened
        - synchronizerId: The synchronizer for which the commitment was computed
        - timestamp: The timestamp of the commitment. Needs to correspond to a commitment tick.
        - counterParticipant: The counter participant to whom we previously sent the commitment
        - timeout: Time limit for the grpc call to complete"""
        del timeout  # the commitment is opened at once, within any timeout
        found = self._admin.commitments.open_commitment(commitment, synchronizer_id, timestamp, counter_participant)
        return TypedVector("CommitmentContractMetadata", *found)

    @command
    def inspect_commitment_contracts(
        self,
        contracts: Annotated[list, a.SeqOf(a.Text("a contract id", allow_empty=False))],
        timestamp: Annotated[int, a.Timestamp()],
        expected_synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        download_payload: Annotated[bool, a.Bool()] = False,
        timeout: Annotated[int, a.Duration()] = 0,
    ) -> TypedVector:
        """Download states of contracts and contract payloads necessary for commitment inspection and reconciliation

        Returns the contract states (created, assigned, unassigned, archived, unknown) of the given
        contracts on all synchronizers the participant knows. canton-console refuses it
        (UNIMPLEMENTED): it keeps no reassignment history to report such states from. Use
        ``open_commitment`` on both participants to find the contracts behind a mismatch."""
        del timeout  # refused before any wait
        self._admin.commitments.inspect_commitment_contracts(contracts, timestamp, expected_synchronizer_id, download_payload)
        return TypedVector("CommitmentInspectContract")
