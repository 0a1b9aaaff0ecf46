"""The console's top-level command groups: ``utils``, ``bootstrap``, ``console`` and, under a
simulated clock, ``clock`` (``health`` is in :mod:`health`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.topology_mappings import StoreArg
from canton_console.console.commands.topology_reads import SignedTx
from canton_console.console.framework import Arg, ArgumentError, CallContext, CommandFailure, Group, Unsupported, command, command_property, top_level
from canton_console.console.references import NodeReference, bounded_timeout, wait_until
from canton_console.values import refined as values
from canton_console.values.ids import Namespace, SynchronizerId
from canton_console.values.scala import ScalaTuple, Vector
from canton_console.values.sequencing import SubmissionRequestAmplification
from canton_console.values.static_parameters import StaticSynchronizerParameters
from canton_console.values.timefmt import instant, round_for_humans
from canton_console.values.topology import (
    AUTHORIZED_STORE,
    DECENTRALIZED_NAMESPACE,
    SignedTopologyTransaction,
    TopologyTransaction,
    decentralized_namespace_definition,
    decentralized_namespace_of,
    sequencer_state,
)

RETRY_MAX_WAIT_PERIOD = values.ScalaDuration(10_000_000, "second")  # utils.retry_until_true's default maxWaitPeriod


@top_level("utils", "Utilities", "Console utilities")
class Utils(Group):
    """Console utilities"""

    scala_name = "ConsoleMacros$utils$"

    @command(needs_running=False)
    def retry_until_true(
        self,
        condition: Any,
        timeout: Annotated[int | None, a.Optional(a.Duration())] = None,
        max_wait_period: Annotated[int | values.ScalaDuration, a.Duration()] = RETRY_MAX_WAIT_PERIOD,
    ) -> None:
        """Wait for a condition to become true, using default timeouts: retry_until_true(lambda: cond) or, in Scala, retry_until_true { cond }

        Retries with exponential back-off from 1 ms up to maxWaitPeriod; fails when the condition
        never held within the timeout (console.bounded, 1 minute by default)."""
        if isinstance(condition, bool):
            if condition:
                return None
            raise ArgumentError(
                "utils.retry_until_true: the condition must be re-evaluated, so pass a function: "
                "utils.retry_until_true(lambda: <condition>) (in Scala syntax: utils.retry_until_true(<condition>))"
            )
        if not callable(condition):
            raise CallContext("utils.retry_until_true", "condition", self._env).wrong_type("a function returning a Boolean (lambda: ...)", condition)
        timeout_us = timeout if timeout is not None else bounded_timeout(self._env)
        # The default is not passed through the converter: microseconds either way.
        cap_us = max_wait_period if isinstance(max_wait_period, int) else values.to_micros(max_wait_period)
        deadline = time.monotonic() + timeout_us / 1e6
        delay = 0.001
        while True:
            if condition():
                return None
            if time.monotonic() >= deadline:
                raise CommandFailure(f"Condition never became true within {round_for_humans(timeout_us)}")
            time.sleep(min(delay, cap_us / 1e6, max(0.0, deadline - time.monotonic())))
            delay *= 2

    @command(needs_running=False)
    def synchronize_topology(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> None:
        """Wait until all topology changes have been effected on all accessible nodes"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.synchronize_topology")


class _Required:
    """Marks an argument Canton requires (the command checks for it, so the two forms of
    ``bootstrap.synchronizer`` can share one signature)."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()


class MediatorsArg(a.SeqOf):
    """``mediators``: a Seq of mediator references, or (the other form) a mediatorsToSequencers Map."""

    def __init__(self):
        super().__init__(a.NodeRef("mediator"))

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if isinstance(value, dict):
            return MediatorsToSequencersArg().convert(value, ctx)
        return super().convert(value, ctx)


class MediatorsToSequencersArg(Arg):
    """``Map(mediator1 -> (Seq(sequencer1), PositiveInt.one))``: returned as {mediator reference:
    (sequencer names, trust threshold)}."""

    expects = "a Map of mediator -> (Seq of sequencers, sequencer trust threshold), e.g. Map(mediator1 -> (Seq(sequencer1), PositiveInt.one))"

    def convert(self, value: Any, ctx: CallContext) -> dict:
        if not isinstance(value, dict):
            raise ctx.wrong_type(self.expects, value)
        mediator_ref, sequencers_of, threshold_of = a.NodeRef("mediator"), a.SeqOf(a.NodeRef("sequencer")), a.POSITIVE_INT
        out: dict = {}
        for mediator, target in value.items():
            if not isinstance(target, tuple) or len(target) != 2:
                raise ctx.wrong_type(self.expects, value)
            its_sequencers = [s.name for s in sequencers_of.convert(target[0], ctx)]
            out[mediator_ref.convert(mediator, ctx)] = (its_sequencers, threshold_of.convert(target[1], ctx))
        return out


class StaticParametersArg(Arg):
    expects = "StaticSynchronizerParameters (e.g. StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))"

    def convert(self, value: Any, ctx: CallContext) -> StaticSynchronizerParameters:
        if not isinstance(value, StaticSynchronizerParameters):
            raise ctx.wrong_type(self.expects, value)
        return value


class AmplificationArg(Arg):
    """A SubmissionRequestAmplification; this console sends each submission once, so a factor above 1
    is refused by name."""

    expects = "a SubmissionRequestAmplification (e.g. SubmissionRequestAmplification.NoAmplification)"

    def convert(self, value: Any, ctx: CallContext) -> SubmissionRequestAmplification:
        if not isinstance(value, SubmissionRequestAmplification):
            raise ctx.wrong_type(self.expects, value)
        if value.amplifies:
            Unsupported("a mediator sends each submission once (SubmissionRequestAmplification.NoAmplification)").convert(value, ctx)
        return value


@top_level("bootstrap", "Bootstrap", "Functions to bootstrap/setup decentralized namespaces or full synchronizers")
class Bootstrap(Group):
    """Functions to bootstrap/setup decentralized namespaces or full synchronizers"""

    scala_name = "ConsoleMacros$bootstrap$"

    @command(needs_running=False)
    def synchronizer(
        self,
        synchronizer_name: Annotated[str, a.Text("a synchronizer name such as \"da\"", allow_empty=False)],
        sequencers: Annotated[list[NodeReference], a.SeqOf(a.NodeRef("sequencer"))],
        mediators: Annotated[Any, MediatorsArg()] = REQUIRED,
        synchronizer_owners: Annotated[Any, a.SeqOf(a.MemberArg(("sequencer", "mediator", "participant")))] = REQUIRED,
        synchronizer_threshold: Annotated[Any, a.POSITIVE_INT] = REQUIRED,
        static_synchronizer_parameters: Annotated[Any, StaticParametersArg()] = REQUIRED,
        mediator_request_amplification: Annotated[Any, AmplificationArg()] = REQUIRED,
        mediator_threshold: Annotated[Any, a.POSITIVE_INT] = REQUIRED,
        mediators_to_sequencers: Annotated[Any, MediatorsToSequencersArg()] = REQUIRED,
    ) -> SynchronizerId:
        """Bootstraps a new synchronizer.

        Bootstraps a new synchronizer with the given static synchronizer parameters and members.
        Any participants as synchronizer owners must still manually connect to the synchronizer afterwards.

        Two forms, as in Canton: (synchronizerName, sequencers, mediators, synchronizerOwners,
        synchronizerThreshold, staticSynchronizerParameters, mediatorRequestAmplification =
        NoAmplification, mediatorThreshold = PositiveInt.one), and the same with
        mediatorsToSequencers (a Map of each mediator to its sequencers and sequencer trust
        threshold) instead of mediators, where the last two arguments are required too. Without
        owners (an empty Seq) the sequencers own the synchronizer. If the nodes are initialized for
        this synchronizer already, its id is returned and nothing changes.

        canton-console connects every mediator to all the synchronizer's sequencers with trust
        threshold 1 and does not amplify submissions: other mediatorsToSequencers or an
        amplification factor above 1 are refused."""
        by_map = mediators_to_sequencers is not REQUIRED or isinstance(mediators, dict)
        if mediators_to_sequencers is not REQUIRED and mediators is not REQUIRED:
            raise ArgumentError("bootstrap.synchronizer: give either mediators or mediatorsToSequencers, not both")
        if isinstance(mediators, dict):
            mediators_to_sequencers, mediators = mediators, REQUIRED
        required = ["synchronizerOwners", "synchronizerThreshold", "staticSynchronizerParameters"]
        given = {
            "mediatorsToSequencers" if by_map else "mediators": (mediators_to_sequencers if by_map else mediators),
            "synchronizerOwners": synchronizer_owners,
            "synchronizerThreshold": synchronizer_threshold,
            "staticSynchronizerParameters": static_synchronizer_parameters,
        }
        if by_map:
            required += ["mediatorRequestAmplification", "mediatorThreshold"]
            given.update(mediatorRequestAmplification=mediator_request_amplification, mediatorThreshold=mediator_threshold)
        missing = [name for name, value in given.items() if value is REQUIRED]
        if missing:
            raise ArgumentError(
                f"bootstrap.synchronizer: missing argument(s) {', '.join(missing)}; Canton 3.3 requires "
                f"synchronizerName, sequencers, {'mediatorsToSequencers' if by_map else 'mediators'}, {', '.join(required)} "
                "(e.g. staticSynchronizerParameters = StaticSynchronizerParameters.defaultsWithoutKMS(ProtocolVersion.latest))"
            )
        sequencer_names = list(dict.fromkeys(s.name for s in sequencers))
        if by_map:
            mediator_names = self._mediators_of_map(mediators_to_sequencers, sequencer_names)
        else:
            mediator_names = list(dict.fromkeys(m.name for m in mediators))
        sync_id = self._env.bootstrap_synchronizer(
            synchronizer_name,
            sequencer_names,
            mediator_names,
            list(dict.fromkeys(synchronizer_owners)),
            synchronizer_threshold,
            static_parameters=static_synchronizer_parameters,
            mediator_threshold=1 if mediator_threshold is REQUIRED else mediator_threshold,
        )
        return SynchronizerId.parse(sync_id)

    @staticmethod
    def _mediators_of_map(mapping: dict[NodeReference, tuple[list[str], int]], sequencer_names: list[str]) -> list[str]:
        """The mediators of a mediatorsToSequencers map that asks what this console does: each
        mediator connected to all the synchronizer's sequencers with trust threshold 1."""
        for mediator, (its_sequencers, threshold) in mapping.items():
            if set(its_sequencers) != set(sequencer_names) or threshold != 1:
                raise CommandFailure(
                    "UNSUPPORTED_ARGUMENT: bootstrap.synchronizer: argument 'mediatorsToSequencers' is not supported by canton-console "
                    f"as given for {mediator.name} (sequencers {', '.join(its_sequencers)}, trust threshold {threshold}): "
                    "every mediator connects to all the synchronizer's sequencers with sequencer trust threshold 1. "
                    "Map each mediator to (the sequencers, PositiveInt.one), or give mediators instead.",
                    "ConsoleMacros$bootstrap$.synchronizer",
                )
        return [m.name for m in mapping]

    @command(needs_running=False)
    def decentralized_namespace(
        self,
        owners: Annotated[Sequence[NodeReference], a.SeqOf(a.NodeRef(("sequencer", "mediator", "participant")))],
        threshold: Annotated[int, a.POSITIVE_INT],
        store: Annotated[str, StoreArg()] = AUTHORIZED_STORE,
    ) -> ScalaTuple:
        """Bootstraps a decentralized namespace for the provided owners

        Returns the decentralized namespace, the fully authorized transaction of its definition,
        and the root certificates of the owners, so that other nodes can import and fully validate
        the definition. Afterwards every owner holds the co-owners' identity transactions and the
        fully authorized definition in ``store``."""
        if not owners:
            raise CommandFailure("java.lang.IllegalArgumentException: There must be at least 1 owner for a decentralizedNamespace.")
        admins = [self._env.node(o.name) for o in owners]
        owner_namespaces = [str(o.id.namespace) for o in owners]
        namespace = decentralized_namespace_of(owner_namespaces)
        mapping = decentralized_namespace_definition(namespace, threshold, owner_namespaces)
        proposed_or_existing = []
        for admin in admins:
            pending = [p.signed for p in admin.topology.list(store, DECENTRALIZED_NAMESPACE, proposals=True) if p.mapping.key == namespace]
            head = admin.topology.head(store, DECENTRALIZED_NAMESPACE, namespace)
            existing = pending[-1] if pending else head.signed if head is not None else None
            proposed_or_existing.append(existing if existing is not None else admin.topology.propose(store, mapping).signed)
        if len({tx.transaction.hash for tx in proposed_or_existing}) != 1:
            raise CommandFailure(
                "java.lang.IllegalStateException: Proposed or previously existing transactions disagree on the founding of the "
                "synchronizer's decentralized namespace"
            )
        signatures: dict[str, str] = {}
        for tx in proposed_or_existing:
            signatures.update(tx.signatures)
        definition = SignedTopologyTransaction(proposed_or_existing[0].transaction, signatures)
        founding = [tx for admin in admins for tx in admin.topology.identity_transactions()] + [definition]
        for admin in admins:
            admin.topology.load(store, founding)
        return ScalaTuple(
            Namespace(namespace), Vector(*(SignedTx(tx, False) for tx in founding)), types=("Namespace", "Seq[GenericSignedTopologyTransaction]")
        )

    @command(needs_running=False)
    def onboard_new_sequencer(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        new_sequencer: Annotated[NodeReference, a.NodeRef("sequencer")],
        existing_sequencer: Annotated[NodeReference, a.NodeRef("sequencer")],
        synchronizer_owners: Annotated[Sequence[NodeReference], a.SeqOf(a.NodeRef(("sequencer", "mediator", "participant")))],
        is_bft_sequencer: Annotated[bool, a.Bool()] = False,
    ) -> None:
        """Onboards a new Sequencer node using an existing node from the network.

        Loads the new sequencer's identity into the synchronizer's topology through the existing
        sequencer, has each owner propose the sequencer state that adds it as active, waits for it
        to be in force, then initializes the new sequencer from the existing one's onboarding state.
        ``isBftSequencer``: the new sequencer then also waits to be part of the ordering topology,
        which here is the active sequencers."""
        command_name = f"{self.scala_name}.onboard_new_sequencer"
        if not synchronizer_owners:
            raise CommandFailure("synchronizerOwners must not be empty", command_name)
        existing = self._env.node(existing_sequencer.name)
        new = self._env.node(new_sequencer.name)
        new_id = str(new.identity.member_id())
        # the new sequencer's identity, uploaded to the synchronizer
        existing.topology.load(synchronizer_id, new.topology.identity_transactions())
        states = existing.topology.sequencer_states(synchronizer_id)
        if not states:
            raise CommandFailure("No sequencer state found", command_name)
        current = states[0]

        def active_now() -> bool:
            found = existing.topology.sequencer_states(synchronizer_id)
            return bool(found) and new_id in found[0].active

        if new_id not in current.active:
            mapping = sequencer_state(synchronizer_id, current.threshold, [*current.active, new_id], [o for o in current.observers if o != new_id])
            for owner in synchronizer_owners:
                if active_now():
                    break  # the owners before already authorized it
                tx = self._env.node(owner.name).topology.propose(synchronizer_id, mapping).signed.transaction

                def sequenced(tx: TopologyTransaction = tx) -> bool:
                    return existing.topology.sequenced_state(synchronizer_id, tx) is not None

                wait_until(
                    self._env,
                    sequenced,
                    bounded_timeout(self._env),
                    "the sequencer state proposal is sequenced",
                    command_name,
                )
        wait_until(self._env, active_now, bounded_timeout(self._env), f"{new_sequencer.name} is an active sequencer of {synchronizer_id}", command_name)
        if is_bft_sequencer:
            # the ordering topology of this console's sequencers is the active sequencers
            wait_until(self._env, active_now, bounded_timeout(self._env), f"{new_sequencer.name} is in the ordering topology", command_name)
        sequencer_setup = existing_sequencer.setup  # type: ignore[attr-defined]
        state = sequencer_setup.onboarding_state_for_sequencer(new_id)
        new_sequencer.setup.assign_from_onboarding_state(state)  # type: ignore[attr-defined]

    @command(needs_running=False)
    def local(self, synchronizer_name: Annotated[str, a.Text("a synchronizer name", allow_empty=False)] = "local") -> SynchronizerId:
        """Bootstraps a local synchronizer using default arguments

        The synchronizer includes every sequencer and mediator of this console that is running. It is
        owned by the sequencers, and the mediator threshold requires all mediators to confirm."""
        return SynchronizerId.parse(self._env.bootstrap_local(synchronizer_name))


@top_level("console", "Console", "Configure behaviour of the console")
class ConsoleSettings(Group):
    """Configure behaviour of the console"""

    scala_name = "ConsoleMacros$console$"

    @command(needs_running=False)
    def command_timeout(self) -> values.NonNegativeFiniteDuration:
        """Yields the timeout for running console commands (console.bounded)"""
        return values.NonNegativeFiniteDuration.ofMicros(bounded_timeout(self._env))

    @command(needs_running=False)
    def set_command_timeout(self, new_timeout: Annotated[int, a.Duration(allow_zero=False)]) -> None:
        """Sets the timeout for running console commands"""
        self._env.set_bounded_timeout(new_timeout)


class CantonTimestamp(int):
    canton_type = "CantonTimestamp"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal(instant(int(self)))

    def __str__(self) -> str:
        return instant(int(self))


@top_level("clock", "Clock", "Manipulate the simulated clock")
class ClockGroup(Group):
    """Manipulate the simulated clock (only with canton.parameters.clock.type = sim-clock)"""

    scala_name = "ConsoleEnvironment$clock$"

    @classmethod
    def for_console(cls, env: Any) -> "ClockGroup | None":
        return cls("clock", env) if env.clock_is_simulated() else None

    @command_property
    def now(self) -> CantonTimestamp:
        """The current time of the simulated clock"""
        return CantonTimestamp(self._env.now())

    @command(needs_running=False)
    def advance(self, duration: Annotated[int, a.Duration(allow_zero=True)]) -> None:
        """Advance the simulated clock by the given duration"""
        self._env.advance_clock(duration)

    @command(needs_running=False)
    def advanceTo(self, timestamp: Annotated[int, a.Timestamp()]) -> None:
        """Advance the simulated clock to the given time (a CantonTimestamp or ISO instant text)"""
        if timestamp < self._env.now():
            raise CommandFailure("INVALID_ARGUMENT(8,0): the simulated clock cannot go backwards")
        self._env.advance_clock_to(timestamp)

    @command(needs_running=False)
    def reset(self) -> None:
        """Reset the simulated clock to its start"""
        self._env.reset_clock()


