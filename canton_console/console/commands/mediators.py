"""``<node>.topology.mediators``: the mediator groups of a synchronizer (Canton's
MediatorSynchronizerState): each group's threshold, active and observing mediators."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    FingerprintArg,
    SignedTopologyTransaction,
    StoreArg,
    SynchronizeArg,
    SynchronizerStoreArg,
    TopologyResult,
    propose_mapping,
    register_item,
)
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, list_results, uid_matches
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Apply, Tree, klass, param, to_tree
from canton_console.values import topology as t
from canton_console.values.errors import INVALID_ARGUMENT, CantonError
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.refined import InvalidValue, NonNegativeNumeric, PositiveNumeric
from canton_console.values.scala import Vector

MEDIATORS = a.SeqOf(a.MemberArg(("mediator",)))
GROUP = a.Int(0, "a mediator group index (a NonNegativeInt)")


def mediator_state(synchronizer_id: str, group: int, threshold: int, active: list[str], observers: list[str]) -> t.Mapping:
    """Canton's ``MediatorSynchronizerState.create`` checks, then the mapping."""
    if threshold > len(active):
        raise CantonError(INVALID_ARGUMENT, f"threshold ({threshold}) of mediator synchronizer state higher than number of mediators {len(active)}")
    both = [m for m in active if m in observers]
    if both:
        raise CantonError(
            INVALID_ARGUMENT, "the following mediators were defined both as active and observer: " + ", ".join(str(Member.parse(m)) for m in both)
        )
    if not active:
        raise CantonError(INVALID_ARGUMENT, "mediator synchronizer state requires at least one active mediator")
    return t.mediator_state(synchronizer_id, group, threshold, list(dict.fromkeys(active)), list(dict.fromkeys(observers)))


def _ids(members: list[str]) -> str:
    return ",".join(str(Member.parse(m)) for m in members)



@attrs.frozen
class MediatorSynchronizerState:
    """Canton's ``MediatorSynchronizerState(synchronizerId, group, threshold, active, observers)``."""

    synchronizerId: SynchronizerId
    group: NonNegativeNumeric
    threshold: PositiveNumeric
    active: tuple[Member, ...]
    observers: tuple[Member, ...]

    canton_type = "MediatorSynchronizerState"

    @classmethod
    def of(cls, mapping: t.Mapping) -> MediatorSynchronizerState:
        data = mapping.data
        return cls(
            SynchronizerId.parse(data["synchronizer_id"]),
            NonNegativeNumeric(int(data["group"])),
            PositiveNumeric(int(data["threshold"])),
            tuple(Member.parse(m) for m in data["active"]),
            tuple(Member.parse(m) for m in data["observers"]),
        )

    @property
    def allMediatorsInGroup(self) -> tuple[Member, ...]:
        return self.active + self.observers

    def __pretty__(self) -> Tree:
        # inside the record Canton prints the refined numbers bare
        return klass(
            "MediatorSynchronizerState",
            param("synchronizerId", self.synchronizerId),
            param("group", int(self.group.value)),
            param("threshold", int(self.threshold.value)),
            param("active", Apply("Vector", tuple(to_tree(m) for m in self.active))),
            param("observers", Apply("Vector", tuple(to_tree(m) for m in self.observers))),
        )


register_item(t.MEDIATOR_STATE, MediatorSynchronizerState.of)


class ListMediatorSynchronizerStateResult(TopologyResult):
    canton_type = "ListMediatorSynchronizerStateResult"


@subgroup(TopologyGroup, "mediators")
class MediatorsTopologyGroup(NodeGroup):
    """Inspect mediator synchronizer state"""

    scala_name = "TopologyAdministrationGroup$mediators$"

    @command
    def list(
        self,
        synchronizer_id: Annotated[str | None, a.Optional(SynchronizerStoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_synchronizer: Annotated[str, a.Text("a synchronizer id prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: AnyProtocolVersion = None,
        group: Annotated[int | None, a.Optional(a.Int(0, "a mediator group index (a NonNegativeInt)"))] = None,
    ) -> Vector:
        """List mediator synchronizer topology state

        synchronizerId: the optional target synchronizer
        proposals: if true then proposals are shown, otherwise actual validated state

        The mediator groups of the node's synchronizer stores (or of ``synchronizerId``): each
        group's threshold, active and observing mediators. ``group`` keeps one group,
        ``filterSynchronizer`` those of synchronizers whose id starts with the text."""
        return list_results(
            self,
            synchronizer_id,
            t.MEDIATOR_STATE,
            proposals,
            filter_signing_key,
            ListMediatorSynchronizerStateResult,
            MediatorSynchronizerState.of,
            lambda item: (group is None or int(item.group.value) == group) and uid_matches(str(item.synchronizerId), filter_synchronizer),
            time_query=time_query,
        )

    def _current(self, synchronizer_id: str, group: int) -> Any:
        rows: Any = self.list(synchronizer_id=synchronizer_id, group=group)
        return max(rows, key=lambda r: int(r.context.serial)) if rows else None

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        threshold: Annotated[int, a.POSITIVE_INT32],
        active: Annotated[builtins.list[str], MEDIATORS],
        observers: Annotated[builtins.list[str], MEDIATORS] = (),  # type: ignore[assignment]
        group: Annotated[int, GROUP] = None,  # type: ignore[assignment]  # required, after a defaulted one as in Canton
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[str | None, a.Optional(FingerprintArg())] = None,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
    ) -> SignedTopologyTransaction:
        """Replace the mediator topology

        synchronizerId: the target synchronizer
        threshold: the minimum number of mediators that need to come to a consensus for a message to be sent to other members.
        active: the list of mediators that will take part in the mediator consensus in this mediator group
        passive: the mediators that will receive all messages but will not participate in mediator consensus
        group: the mediator group identifier
        store: the synchronizer's store (the default) or "Authorized"
        mustFullyAuthorize: fail unless the signatures fully authorize the transaction
        signedBy: the fingerprint of the key to be used to sign this proposal
        serial: the expected serial; None: the next one"""
        if group is None:
            from canton_console.console.framework import ArgumentError

            raise ArgumentError(f"{self._path}.propose: missing a required argument: 'group'")
        mapping = mediator_state(synchronizer_id, group, threshold, builtins.list(active), builtins.list(observers or ()))
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )

    @command
    def propose_delta(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        group: Annotated[int, GROUP],
        adds: Annotated[builtins.list[str], MEDIATORS] = (),  # type: ignore[assignment]
        removes: Annotated[builtins.list[str], MEDIATORS] = (),  # type: ignore[assignment]
        observer_adds: Annotated[builtins.list[str], MEDIATORS] = (),  # type: ignore[assignment]
        observer_removes: Annotated[builtins.list[str], MEDIATORS] = (),  # type: ignore[assignment]
        update_threshold: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[str | None, a.Optional(FingerprintArg())] = None,
    ) -> None:
        """Propose changes to the mediator topology

        synchronizerId: the target synchronizer
        group: the mediator group identifier
        adds: The unique identifiers of the active mediators to add.
        removes: The unique identifiers of the mediators that should no longer be active mediators.
        observerAdds: The unique identifiers of the observer mediators to add.
        observerRemoves: The unique identifiers of the mediators that should no longer be observer mediators.
        updateThreshold: Optionally an updated value for the threshold of the mediator group."""
        adds, removes, observer_adds, observer_removes = builtins.list(adds), builtins.list(removes), builtins.list(observer_adds), builtins.list(observer_removes)
        if not (adds or removes or observer_adds or observer_removes or update_threshold is not None):
            raise InvalidValue("no mediator group changes proposed")
        errors = []
        for first, second, msg in (
            (adds, removes, "added and removed as active"),
            (adds, observer_adds, "added as active and observer"),
            (observer_adds, observer_removes, "added and removed as observer"),
            (removes, observer_removes, "removed as active and observer"),
        ):
            both = [m for m in first if m in second]
            if both:
                errors.append(f"the same mediators {_ids(both)} cannot be {msg} in the same proposal")
        if errors:
            raise InvalidValue(", ".join(errors))
        current = self._current(synchronizer_id, group)
        active_now = [str(m) for m in current.item.active] if current else []
        observers_now = [str(m) for m in current.item.observers] if current else []
        threshold_now = int(current.item.threshold.value) if current else 1
        for now, proposed, present, msg in (
            (active_now, adds, False, "to be added already active"),
            (observers_now, observer_adds, False, "to be added as observer already observer"),
            (active_now, removes, True, "to be removed not active"),
            (observers_now, observer_removes, True, "to be removed as observer not observer"),
        ):
            bad = [m for m in proposed if m not in now] if present else [m for m in now if m in proposed]
            if bad:
                errors.append(f"mediators {_ids(bad)} {msg}")
        if errors:
            raise InvalidValue(", ".join(errors))
        active = [m for m in active_now if m not in removes] + adds
        if not active:
            raise InvalidValue("mediator group without active mediators")
        threshold = update_threshold if update_threshold is not None else threshold_now
        if len(active) < threshold:
            raise InvalidValue(f"mediator group threshold {threshold} larger than active mediator size {len(active)}")
        observers = [m for m in observers_now if m not in observer_removes] + observer_adds
        serial = int(current.context.serial) + 1 if current else 1
        mapping = mediator_state(synchronizer_id, group, threshold, active, observers)
        propose_mapping(
            self,
            synchronizer_id,
            mapping,
            f"{self.scala_name}.propose_delta",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )

    @command
    def remove_group(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        group: Annotated[int, GROUP],
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
    ) -> SignedTopologyTransaction:
        """Propose to remove a mediator group

        synchronizerId: the target synchronizer
        group: the mediator group identifier
        A Remove of the group's current state, at the next serial."""
        current = self._current(synchronizer_id, group)
        if current is None:
            raise InvalidValue(f"Unknown mediator group {group}")
        data = current.item
        mapping = t.mediator_state(
            synchronizer_id, group, int(data.threshold.value), [str(m) for m in data.active], [str(m) for m in data.observers]
        )
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.remove_group",
            serial=int(current.context.serial) + 1,
            must_fully_authorize=must_fully_authorize,
            synchronize=synchronize,
            operation=t.REMOVE,
        )
