"""``sequencer.setup``: initializing a sequencer later than the synchronizer's start, from the
onboarding state an initialized sequencer of the synchronizer gives out (Canton's
``SequencerAdministration``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

import attrs

from canton_console.console import args as a
from canton_console.console.commands.top_level import StaticParametersArg
from canton_console.console.commands.topology_transactions import EnvelopeError, decode
from canton_console.console.framework import CommandFailure, NodeGroup, command, command_alias, subgroup
from canton_console.console.references import SequencerReference, wait_until
from canton_console.pretty import Tree, klass, param
from canton_console.values.bytestring import ByteString
from canton_console.values.pruning import SequencerMemberStatus, SequencerPruningStatus, Timestamp
from canton_console.values.sequencer_snapshot import InFlightTopUp, SequencerSnapshot
from canton_console.values.static_parameters import StaticSynchronizerParameters


@attrs.frozen
class InitializeSequencerResponse:
    """What initializing a sequencer answers: whether it runs replicated (this console's do not)."""

    canton_type: ClassVar[str] = "InitializeSequencerResponse"

    replicated: bool = False

    def __pretty__(self) -> Tree:
        return klass("InitializeSequencerResponse", param("replicated", self.replicated))


STATE_BYTES = a.Bytes("a ByteString (e.g. what onboarding_state_for_sequencer returned)")


@subgroup(SequencerReference, "setup")
class SequencerSetupGroup(NodeGroup):
    """Methods used for node initialization"""

    scala_name = "SequencerAdministration"

    def _onboarding_state(self, sequencer_id: str, timeout: int | None) -> ByteString:
        # Cut once the synchronizer has sequenced a sequencer state that names the new sequencer
        # (a proposal still waiting for owners' signatures does not count); the service refuses a
        # sequencer the state never names with Canton's TOPOLOGY_MISSING_MAPPING.
        topology = self._admin.topology
        sync_id = self._admin.sequencer_connect.synchronizer_id()

        def named() -> bool:
            return any(sequencer_id in (*s.active, *s.observers) for s in topology.sequencer_states(sync_id))

        if timeout is not None and not named():
            wait_until(self._env, named, timeout, f"a sequencer state naming {sequencer_id} is sequenced on {self._node_name}", f"{self.scala_name}.onboarding_state_for_sequencer")
        return ByteString(self._admin.sequencer_setup.onboarding_state_for_sequencer(sequencer_id))

    @command
    def onboarding_state_for_sequencer(
        self,
        sequencer_id: Annotated[str, a.MemberArg(("sequencer",))],
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
    ) -> ByteString:
        """Download the onboarding state for a given sequencer

        The synchronizer's topology and where its event stream stands, for a sequencer that the
        sequencer state of the synchronizer names (``topology.sequencers.propose``); waits up to
        ``timeout`` for that change to be sequenced (none given: it must be already)."""
        return self._onboarding_state(sequencer_id, timeout)

    def _from_genesis(self, genesis_state: bytes, parameters: StaticSynchronizerParameters, wait_for_ready: bool) -> InitializeSequencerResponse:
        try:
            genesis = decode(genesis_state, ("StoredTopologyTransactions", "SignedTopologyTransactions"))
        except EnvelopeError as e:
            raise CommandFailure(f"INVALID_ARGUMENT(8,0): Unable to parse the genesis state: {e}", f"{self.scala_name}.assign_from_genesis_state") from None
        self._wait_ready(wait_for_ready)
        self._admin.sequencer_setup.assign_from_genesis_state(genesis, parameters)
        return InitializeSequencerResponse()

    @command(needs_running=False)
    def assign_from_genesis_state(
        self,
        genesis_state: Annotated[bytes, STATE_BYTES],
        synchronizer_parameters: Annotated[StaticSynchronizerParameters, StaticParametersArg()],
        wait_for_ready: Annotated[bool, a.Bool()] = True,
    ) -> InitializeSequencerResponse:
        """Initialize a sequencer from the beginning of the event stream. This should only be called for sequencer nodes being initialized at the same time as the corresponding synchronizer node.

        ``genesisState`` is the fully authorized genesis topology (``topology.transactions.
        export_topology_snapshot`` of the store where the owners collected it): the synchronizer's
        parameters, sequencers and mediators, and its owners' identities. The first sequencer
        assigned founds the synchronizer with these static parameters; another one assigned with
        the same genesis joins it."""
        return self._from_genesis(genesis_state, synchronizer_parameters, wait_for_ready)

    def _wait_ready(self, wait_for_ready: bool) -> None:
        status = self._admin.status
        if wait_for_ready and not status.is_initialized():
            wait_until(self._env, status.is_running, self._env.timeout_micros("bounded"), f"{self._node_name} is ready for initialization", f"{self.scala_name}.assign")

    def _assign(self, onboarding_state: bytes, wait_for_ready: bool) -> InitializeSequencerResponse:
        self._wait_ready(wait_for_ready)
        self._admin.sequencer_setup.assign_from_onboarding_state(onboarding_state)
        return InitializeSequencerResponse()

    @command(needs_running=False)
    def assign_from_onboarding_state(
        self, onboarding_state: Annotated[bytes, STATE_BYTES], wait_for_ready: Annotated[bool, a.Bool()] = True
    ) -> InitializeSequencerResponse:
        """Dynamically initialize a sequencer from a point later than the beginning of the event stream.

        Joins the synchronizer with the events and topology of the sequencer the state came from;
        from then on this sequencer stores and serves the synchronizer's events like the others. A
        sequencer that is initialized already is left as it is."""
        return self._assign(onboarding_state, wait_for_ready)

    @command
    def snapshot(self, timestamp: Annotated[int, a.Timestamp()]) -> SequencerSnapshot:
        """Download sequencer snapshot at given point in time to bootstrap another sequencer

        It is recommended to use onboarding_state_for_sequencer for onboarding a new sequencer.
        The state at this sequencer's last event at or before ``timestamp``: the members' latest
        event timestamps, the pruning status, top-ups waiting for the sequencer threshold and the
        traffic states. canton-console keeps only the latest traffic and acknowledgement states,
        so ``timestamp`` must not lie before the last sequenced event. Each event of the
        in-process ordering counts as a block (``latestBlockHeight``: the events it stores up to
        ``lastTs``, less one); ``additional`` (a BFT orderer's own state) is None."""
        state = self._admin.sequencer_snapshot.snapshot(timestamp)
        lower, now, members = state.status
        status = SequencerPruningStatus(
            Timestamp(lower),
            Timestamp(now),
            tuple(SequencerMemberStatus(m, Timestamp(reg), None if ack is None else Timestamp(ack), enabled) for m, reg, ack, enabled in members),
        )
        return SequencerSnapshot(
            Timestamp(state.last_ts),
            state.block_height,
            tuple((m, None if ts is None else Timestamp(ts)) for m, ts in state.previous_timestamps),
            status,
            tuple(InFlightTopUp(m, serial, amount, Timestamp(mst), senders) for m, serial, amount, mst, senders in state.pending_topups),
            state.purchased,
            state.consumed,
        )

    # Canton 3.3's V2 twins read and write the newer byte layout; this console has one.
    onboarding_state_for_sequencerV2 = command_alias(onboarding_state_for_sequencer, "onboarding_state_for_sequencerV2")  # noqa: N815 - Canton's names
    assign_from_genesis_stateV2 = command_alias(assign_from_genesis_state, "assign_from_genesis_stateV2")  # noqa: N815
    assign_from_onboarding_stateV2 = command_alias(assign_from_onboarding_state, "assign_from_onboarding_stateV2")  # noqa: N815
