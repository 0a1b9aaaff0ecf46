"""``<node>.topology.synchronizer_trust_certificates``: which participants declared they act on a
synchronizer (Canton's SynchronizerTrustCertificate mapping, issued when a participant connects)."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import BaseResult, TopologyResult
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, ReadStoreArg, signed_by, stores_to_read, uid_matches
from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.pretty import Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import Member, SynchronizerId
from canton_console.values.scala import Vector


@attrs.frozen
class SynchronizerTrustCertificate:
    participantId: Member
    synchronizerId: SynchronizerId

    canton_type = "SynchronizerTrustCertificate"

    def __pretty__(self) -> Tree:
        return klass("SynchronizerTrustCertificate", param("participantId", self.participantId), param("synchronizerId", self.synchronizerId))


class ListSynchronizerTrustCertificateResult(TopologyResult):
    canton_type = "ListSynchronizerTrustCertificateResult"


@subgroup(TopologyGroup, "synchronizer_trust_certificates")
class SynchronizerTrustCertificatesGroup(NodeGroup):
    """Inspect synchronizer trust certificates"""

    scala_name = "TopologyAdministrationGroup$synchronizer_trust_certificates$"

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(ReadStoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: CurrentOnly = None,
        filter_uid: Annotated[str, a.Text("a participant uid filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List synchronizer trust certificates

        The certificates of the node's synchronizer stores (or of ``store``): one per participant
        that connected to the synchronizer. ``filterUid`` keeps those whose participant uid contains
        it (``participant1.id.filterString``)."""
        out = []
        for sync_id in stores_to_read(self, store):
            for stored in self._admin.topology.list(sync_id, t.TRUST_CERTIFICATE, proposals):
                participant = stored.mapping.data["participant"]
                if not uid_matches(participant.split("::", 1)[1], filter_uid) or not signed_by(stored, filter_signing_key):
                    continue
                item = SynchronizerTrustCertificate(Member.parse(participant), SynchronizerId.parse(stored.mapping.data["synchronizer_id"]))
                out.append(ListSynchronizerTrustCertificateResult(BaseResult.of(sync_id, stored), item))
        return Vector(*out)

    @command
    def active(self, synchronizer_id: Annotated[str, a.SynchronizerIdArg()], participant_id: Annotated[str, a.MemberArg(("participant",))]) -> bool:
        """Whether the participant's trust certificate for the synchronizer is in force"""
        rows: Any = self.list(store=synchronizer_id, filter_uid=participant_id.split("::", 1)[1])
        return any(str(r.item.participantId) == participant_id and str(r.item.synchronizerId) == synchronizer_id for r in rows)
