"""``<node>.topology.participant_synchronizer_permissions`` and ``participant_synchronizer_states``:
a synchronizer's permission for a participant (Canton's ParticipantSynchronizerPermission mapping,
authorized by the synchronizer's owners), and whether a participant is active on a synchronizer."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    CantonIllegalState,
    ListOperationArg,
    OperationArg,
    ParticipantPermission,
    PermissionArg,
    SignedTopologyTransaction,
    StoreArg,
    SynchronizeArg,
    TopologyResult,
    propose_mapping,
    read_results,
    register_item,
)
from canton_console.console.commands.topology_reads import AnyProtocolVersion, HeadStateOnly, uid_matches
from canton_console.console.framework import NodeGroup, Unsupported, command, subgroup
from canton_console.pretty import Literal, Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.scala import NONE, Some, Vector


@attrs.frozen
class ParticipantSynchronizerPermission:
    """Canton's ``ParticipantSynchronizerPermission(synchronizerId, participantId, permission, limits, loginAfter)``."""

    synchronizerId: SynchronizerId
    participantId: Member
    permission: ParticipantPermission
    limits: Any = NONE
    loginAfter: Any = NONE

    canton_type = "ParticipantSynchronizerPermission"

    @classmethod
    def of(cls, mapping: t.Mapping) -> ParticipantSynchronizerPermission:
        data = mapping.data
        return cls(SynchronizerId.parse(data["synchronizer_id"]), Member.parse(data["participant"]), ParticipantPermission(data["permission"]))

    def __pretty__(self) -> Tree:
        return klass(
            "ParticipantSynchronizerPermission",
            param("synchronizerId", self.synchronizerId),
            param("participantId", self.participantId),
            param("permission", self.permission),
            param("limits", Literal("None")),
            param("loginAfter", Literal("None")),
        )


register_item(t.PARTICIPANT_PERMISSION, ParticipantSynchronizerPermission.of)


class ListParticipantSynchronizerPermissionResult(TopologyResult):
    canton_type = "ListParticipantSynchronizerPermissionResult"


NOT_ENFORCED = "participant limits and login times are not enforced by canton-console's sequencers"


@subgroup(TopologyGroup, "participant_synchronizer_permissions")
class ParticipantSynchronizerPermissionsGroup(NodeGroup):
    """Inspect participant synchronizer permissions"""

    scala_name = "TopologyAdministrationGroup$participant_synchronizer_permissions$"

    @command
    def list(
        self,
        store: Annotated[str, StoreArg()],
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_uid: Annotated[str, a.Text("a participant uid filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List the synchronizer permissions of participants

        The ParticipantSynchronizerPermission mappings of ``store``; ``filterUid`` keeps those whose
        participant uid matches (``participant1.id.filterString`` or a prefix)."""
        return read_results(
            self,
            [store],
            t.PARTICIPANT_PERMISSION,
            proposals,
            operation,
            filter_signing_key,
            ListParticipantSynchronizerPermissionResult,
            ParticipantSynchronizerPermission.of,
            lambda item: uid_matches(item.participantId.filterString, filter_uid),
            time_query=time_query,
        )

    @command
    def find(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
    ) -> Any:
        """Looks up the participant permission for a participant on a synchronizer

        Returns the optional participant synchronizer permission."""
        found = self._of(synchronizer_id, participant_id, synchronizer_id)
        if len(found) > 1:
            raise CantonIllegalState(f"Found more than one result: {builtins.list(found)}")
        matching = [r for r in found if str(r.item.participantId) == participant_id and str(r.item.synchronizerId) == synchronizer_id]
        return Some(matching[0]) if matching else NONE

    def _of(self, store: str, participant_id: str, synchronizer_id: str) -> builtins.list[Any]:
        rows: Any = self.list(store=store, filter_uid=participant_id.split("::", 1)[1])
        return [r for r in rows if str(r.item.synchronizerId) == synchronizer_id]

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        permission: Annotated[ParticipantPermission, PermissionArg()],
        login_after: Annotated[Any, Unsupported(NOT_ENFORCED)] = None,
        limits: Annotated[Any, Unsupported(NOT_ENFORCED)] = None,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        change: Annotated[str, OperationArg()] = t.REPLACE,
    ) -> SignedTopologyTransaction:
        """Propose changes to the synchronizer permissions of participants.

        Synchronizer operators may use this command to change a participant's permissions on a synchronizer.

        synchronizerId: the target synchronizer
        participantId: the participant whose permissions should be changed
        permission: the participant's permission
        store: the synchronizer's store (the default) or "Authorized"
        mustFullyAuthorize: fail unless the signatures fully authorize the transaction
        serial: the expected serial; None: the next one"""
        mapping = t.participant_permission(synchronizer_id, participant_id, permission.value)
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            synchronize=synchronize,
            operation=change,
        )

    @command
    def revoke(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
    ) -> SignedTopologyTransaction:
        """Revokes the synchronizer permissions of a participant.

        Synchronizer operators may use this command to revoke a participant's permissions on a
        synchronizer: a Remove of its current permission, at the next serial."""
        found = self._of(store or synchronizer_id, participant_id, synchronizer_id)
        if not found:
            raise CantonIllegalState(f"No ParticipantSynchronizerPermission found for participant {Member.parse(participant_id)}.")
        if len(found) > 1:
            raise CantonIllegalState(
                f"Found more than one ParticipantSynchronizerPermission for participant {Member.parse(participant_id)} on synchronizer {SynchronizerId.parse(synchronizer_id)}"
            )
        item, context = found[0].item, found[0].context
        mapping = t.participant_permission(synchronizer_id, participant_id, item.permission.value)
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.revoke",
            serial=int(context.serial) + 1,
            must_fully_authorize=must_fully_authorize,
            synchronize=synchronize,
            operation=t.REMOVE,
        )


@subgroup(TopologyGroup, "participant_synchronizer_states")
class ParticipantSynchronizerStatesGroup(NodeGroup):
    """Inspect participant synchronizer states"""

    scala_name = "TopologyAdministrationGroup$participant_synchronizer_states$"

    @command
    def active(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        participant_id: Annotated[str, a.MemberArg(("participant",))],
    ) -> bool:
        """Returns true if the given participant is currently active on the given synchronizer

        Active means that the participant has been granted at least observation rights on the synchronizer
        and that the participant has registered a synchronizer trust certificate"""
        params: DynamicSynchronizerParameters = self._admin.topology.synchronizer_parameters(synchronizer_id)[0]
        topology: Any = self._ref.topology
        trusted = topology.synchronizer_trust_certificates.active(synchronizer_id, participant_id)
        if not trusted:
            return False
        if params.onboardingRestriction.isOpen:
            return True
        found = topology.participant_synchronizer_permissions.find(synchronizer_id, participant_id)
        return bool(found.isDefined) and found.get.context.operation == t.REPLACE
