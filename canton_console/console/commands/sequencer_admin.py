"""A sequencer's ``repair``, ``mediators.groups`` and ``bft`` groups, and ``parties`` of sequencers
and mediators (Canton's ``SequencerReference.repair``, ``.mediators``, ``.bft`` and
``PartiesAdministrationGroup``)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Annotated, Any, cast

from canton_console.console import args as a
from canton_console.console.commands.parties import PartiesGroup, SynchronizerIdSetArg
from canton_console.console.commands.topology_mappings import ForceFlag
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import MediatorReference, SequencerReference
from canton_console.values import bft
from canton_console.values.refined import InvalidValue
from canton_console.values.scala import Option, Vector
from canton_console.values.sequencing import SEQUENCER_CONNECTIONS

REPAIR = "Repair"


@subgroup(SequencerReference, "repair")
class SequencerRepairGroup(NodeGroup):
    """Methods used for repairing the node"""

    scala_name = "SequencerReference$repair$"

    @command
    def disable_member(self, member: Annotated[str, a.MemberArg()]) -> None:
        """Disable the provided member at the Sequencer that will allow any unread data for them to be removed

        This will prevent any client for the given member to reconnect the Sequencer and allow any
        unread/unacknowledged data they have to be removed. This should only be used if the
        synchronizer operation is confident the member will never need to reconnect as there is no
        way to re-enable the member. To view members using the sequencer run
        `sequencer.pruning.status()`. The member's submissions through this sequencer are refused
        (SEQUENCER_SUBMISSION_REQUEST_REFUSED) and its reads stop; it is local to this sequencer,
        persisted, and no longer holds back this sequencer's safe pruning point."""
        self._admin.sequencer_repair.disable_member(member)


@subgroup(SequencerReference, "mediators")
class SequencerMediatorsGroup(NodeGroup):
    """Manage the mediators of the synchronizer"""

    scala_name = "SequencerReference$mediators$"


MEDIATOR_REFS = a.SeqOf(a.NodeRef("mediator"))


@subgroup(SequencerMediatorsGroup, "groups")
class SequencerMediatorGroupsGroup(NodeGroup):
    """Manage mediator groups"""

    scala_name = "SequencerReference$mediators$groups$"

    def _onboard(self, group: int, threshold: int, active: Sequence[Any], observers: Sequence[Any], serial: int | None, new: Sequence[Any]) -> None:
        if group != 0:
            # the runtime sends every confirmation request to mediator group 0 and knows only its
            # mediators as members: a mediator of another group could not be assigned
            raise CommandFailure(
                f"canton-console's synchronizers run one mediator group (group 0): mediator group {group} is not supported. "
                "Add mediators to group 0 with propose_delta(NonNegativeInt.zero, ...)."
            )
        ref = self._ref
        sync_id = ref.synchronizer_id
        for mediator in new:
            identity = mediator.topology.transactions.identity_transactions()
            ref.topology.transactions.load(identity, sync_id, ForceFlag.AlienMember)
        ref.topology.mediators.propose(
            synchronizer_id=sync_id,
            threshold=threshold,
            active=[str(m) for m in active],
            observers=[str(m) for m in observers],
            group=group,
            serial=serial,
        )
        for mediator in new:
            mediator.setup.assign(sync_id, SEQUENCER_CONNECTIONS.single(ref.sequencerConnection))

    @command
    def propose_new_group(
        self,
        group: Annotated[int, a.Int(0, "a mediator group index (a NonNegativeInt)", a.INT_MAX)],
        threshold: Annotated[int, a.Int(1, "a positive number (PositiveInt)", a.INT_MAX)],
        active: Annotated[builtins.list[Any], MEDIATOR_REFS],
        observers: Annotated[builtins.list[Any], MEDIATOR_REFS] = (),  # type: ignore[assignment]
    ) -> None:
        """Propose a new mediator group

        group: the mediator group identifier. threshold: the minimum number of mediators that need
        to come to a consensus for a message to be sent to other members. active: the list of
        mediators that will take part in the mediator consensus in this mediator group. observers:
        the mediators that will receive all messages but will not participate in mediator
        consensus. Loads the mediators' identities into the synchronizer's store, proposes the
        group, and assigns each mediator to the synchronizer through this sequencer.
        canton-console's synchronizers run one mediator group: only group 0 is accepted (which
        replaces group 0's mediators)."""
        mediators = [*active, *observers]
        self._onboard(group, threshold, [m.id for m in active], [m.id for m in observers], None, mediators)

    @command
    def propose_delta(
        self,
        group: Annotated[int, a.Int(0, "a mediator group index (a NonNegativeInt)", a.INT_MAX)],
        threshold: Annotated[int, a.Int(1, "a positive number (PositiveInt)", a.INT_MAX)],
        additional_active: Annotated[builtins.list[Any], MEDIATOR_REFS],
        additional_observers: Annotated[builtins.list[Any], MEDIATOR_REFS] = (),  # type: ignore[assignment]
    ) -> None:
        """Propose an update to a mediator group

        group: the mediator group identifier. threshold: the minimum number of mediators that need
        to come to a consensus for a message to be sent to other members. additionalActive: the new
        mediators that will take part in the mediator consensus in this mediator group.
        additionalObservers: the new mediators that will receive all messages but will not
        participate in mediator consensus. Only group 0 is accepted (canton-console's synchronizers
        run one mediator group)."""
        ref = self._ref
        listed = ref.topology.mediators.list(ref.synchronizer_id, group=group)
        if not listed:
            raise IllegalArgumentException(f"Unknown mediator group {group}")
        current = max(listed, key=lambda r: r.context.serial)
        current_active = [str(m) for m in current.item.active]
        current_observers = [str(m) for m in current.item.observers]
        known = set(current_active) | set(current_observers)
        new = [m for m in [*additional_active, *additional_observers] if str(m.id) not in known]
        active = list(dict.fromkeys(current_active + [str(m.id) for m in additional_active]))
        observers = list(dict.fromkeys(current_observers + [str(m.id) for m in additional_observers]))
        self._onboard(group, threshold, active, observers, int(current.context.serial) + 1, new)


class IllegalArgumentException(ValueError):
    pass


# ---- BFT ----------------------------------------------------------------------------------------
class EndpointConfigArg(Arg):
    expects = 'a P2PEndpointConfig (e.g. P2PEndpointConfig("127.0.0.1", Port.tryCreate(31031), None))'

    def convert(self, value: Any, ctx: CallContext) -> tuple[str, int, bool]:
        if not isinstance(value, bft.P2PEndpointConfig):
            raise ctx.wrong_type(self.expects, value)
        try:
            return value.address, value.port_number, value.transport_security
        except InvalidValue as e:
            raise ctx.bad_value(str(e)) from None


class EndpointIdArg(Arg):
    expects = 'an EndpointId (e.g. EndpointId("127.0.0.1", Port.tryCreate(31031), false))'

    def convert(self, value: Any, ctx: CallContext) -> tuple[str, int, bool]:
        if not isinstance(value, bft.EndpointId):
            raise ctx.wrong_type(self.expects, value)
        try:
            return value.address, value.port_number, bool(value.tls)
        except InvalidValue as e:
            raise ctx.bad_value(str(e)) from None


class EndpointIdsArg(Arg):
    expects = "None or Some(Seq(EndpointId(...), ...))"

    def convert(self, value: Any, ctx: CallContext) -> list[tuple[str, int, bool]] | None:
        if isinstance(value, Option):
            if not value.isDefined:
                return None
            value = value.get
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):
            raise ctx.wrong_type(self.expects, value)
        return [EndpointIdArg().convert(v, ctx) for v in value]


@subgroup(SequencerReference, "bft")
class SequencerBftGroup(NodeGroup):
    """Methods used to manage BFT sequencers; they'll fail on non-BFT sequencers

    canton-console's sequencers of one synchronizer share one ordering in this process: there is no
    peer-to-peer network. Real here: the peer endpoints each sequencer knows (persisted, seeded
    from ``sequencer.config.initial-network.peer-endpoints``); an endpoint's status is
    ``Authenticated`` when a running sequencer of this process on the same synchronizer serves it
    (its ``server-endpoint``, else its public API), ``Unauthenticated`` when it is known but
    nobody serves it, ``UnknownEndpoint`` when this sequencer does not know it. The ordering
    topology is the synchronizer's active sequencers; its epoch counts the changes of that set
    (the ordering has no blocks or epochs of its own)."""

    scala_name = "SequencerReference$bft$"

    @command
    def add_peer_endpoint(self, endpoint_config: Annotated[tuple[str, int, bool], EndpointConfigArg()]) -> None:
        """Add a new peer endpoint

        The endpoint is stored (persisted) among the peer endpoints this sequencer knows; a known
        one stays as it is. canton-console's sequencers of one synchronizer share one ordering in
        this process: no connection is opened; ``get_peer_network_status`` says whether a
        sequencer of this process serves the endpoint."""
        self._admin.sequencer_bft.add_peer_endpoint(*endpoint_config)

    @command
    def remove_peer_endpoint(self, peer_endpoint_id: Annotated[tuple[str, int, bool], EndpointIdArg()]) -> None:
        """Remove a peer endpoint

        Forgets a stored peer endpoint (address, port and TLS must match)."""
        self._admin.sequencer_bft.remove_peer_endpoint(*peer_endpoint_id)

    @command
    def get_peer_network_status(self, endpoints: Annotated[list[tuple[str, int, bool]] | None, EndpointIdsArg()] = None) -> bft.PeerNetworkStatus:
        """Get peer network status

        Of the given endpoints, or of every endpoint this sequencer knows (None). What is real:
        ``Authenticated(sequencerId)`` when a running sequencer of this process on the same
        synchronizer serves the endpoint (its configured ``server-endpoint``, else its public
        API); ``Unauthenticated`` when the endpoint is known but no such sequencer serves it (the
        description says why); ``UnknownEndpoint`` when this sequencer does not know it. There is
        no peer-to-peer network: the status is derived, not measured."""
        statuses = self._admin.sequencer_bft.peer_network_status(endpoints)
        return bft.PeerNetworkStatus(
            tuple(
                bft.PeerEndpointStatus(
                    bft.PeerEndpointId(s.endpoint.address, s.endpoint.port, s.endpoint.tls),
                    bft.PeerEndpointHealth(s.status, s.sequencer_id, s.description),
                )
                for s in statuses
            )
        )

    @command
    def get_ordering_topology(self) -> bft.OrderingTopology:
        """Get the currently active ordering topology

        The synchronizer's active sequencers at its current topology. The in-process ordering
        has no blocks or epochs of its own: ``currentEpoch`` counts the changes of the active
        sequencer set since the synchronizer's genesis (0 until one is onboarded or removed)."""
        epoch, sequencers = self._admin.sequencer_bft.ordering_topology()
        return bft.OrderingTopology(epoch, tuple(sequencers))


# ---- parties.list of sequencers and mediators ---------------------------------------------------------
class _NodePartiesAdmin:
    """The party listing of a sequencer or mediator, under the name ``PartiesGroup`` reads it by."""

    def __init__(self, admin: Any):
        self.parties = admin.node_parties


class NodePartiesGroup(NodeGroup):
    """Inspect parties"""

    scala_name = "PartiesAdministrationGroup"

    def _default_limit(self) -> int:
        return 1000  # canton.parameters.console.default-limit

    @command
    def list(
        self,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        synchronizer_ids: Annotated[Sequence[str], SynchronizerIdSetArg()] = (),
        as_of: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        limit: Annotated[int | None, a.POSITIVE_INT] = None,
    ) -> Vector:
        """List active parties, their active participants, and the participants' permissions on synchronizers.

        Inspect the parties known on the synchronizer this node serves, built from its topology.
        For each known party, the list of active participants and their permission on the
        synchronizer for that party is given. filterParty: parties starting with the given string.
        filterParticipant: parties hosted by a participant with an id starting with the given
        string. synchronizerIds: only these synchronizers. asOf: the topology state at a given
        point in time. limit: at most this many parties (canton.parameters.console.default-limit,
        1000)."""
        # the participant's listing, over the synchronizer this node serves
        return PartiesGroup._listed(cast(Any, self), _NodePartiesAdmin(self._admin), filter_party, filter_participant, synchronizer_ids, as_of, limit)


subgroup(SequencerReference, "parties")(type("SequencerPartiesGroup", (NodePartiesGroup,), {"__doc__": NodePartiesGroup.__doc__}))
subgroup(MediatorReference, "parties")(type("MediatorPartiesGroup", (NodePartiesGroup,), {"__doc__": NodePartiesGroup.__doc__}))
