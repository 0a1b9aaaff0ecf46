"""``<node>.topology.synchronizer_trust_certificates``: which participants declared they act on a
synchronizer (Canton's SynchronizerTrustCertificate mapping, issued when a participant connects)."""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    OperationArg,
    SignedTopologyTransaction,
    StoreArg,
    SynchronizeArg,
    TopologyResult,
    propose_mapping,
    register_item,
)
from canton_console.console.commands.topology_reads import AnyProtocolVersion, CurrentOnly, HeadStateOnly, ReadStoreArg, list_results, uid_matches
from canton_console.console.framework import NodeGroup, Unsupported, command, subgroup
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

    @classmethod
    def of(cls, mapping: t.Mapping) -> "SynchronizerTrustCertificate":
        return cls(Member.parse(mapping.data["participant"]), SynchronizerId.parse(mapping.data["synchronizer_id"]))


register_item(t.TRUST_CERTIFICATE, SynchronizerTrustCertificate.of)


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
        that connected to the synchronizer. ``filterUid`` keeps those whose participant uid matches it
        as Canton's uid filter does (``participant1.id.filterString``, or a prefix of it)."""
        return list_results(
            self,
            store,
            t.TRUST_CERTIFICATE,
            proposals,
            filter_signing_key,
            ListSynchronizerTrustCertificateResult,
            SynchronizerTrustCertificate.of,
            lambda item: uid_matches(item.participantId.filterString, filter_uid),
            time_query=time_query,
        )

    @command
    def active(self, synchronizer_id: Annotated[str, a.SynchronizerIdArg()], participant_id: Annotated[str, a.MemberArg(("participant",))]) -> bool:
        """Whether the participant's trust certificate for the synchronizer is in force"""
        rows: Any = self.list(store=synchronizer_id, filter_uid=participant_id.split("::", 1)[1])
        return any(str(r.item.participantId) == participant_id and str(r.item.synchronizerId) == synchronizer_id for r in rows)

    @command
    def propose(
        self,
        participant_id: Annotated[str, a.MemberArg(("participant",))],
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        store: Annotated[str | None, a.Optional(StoreArg())] = t.AUTHORIZED_STORE,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        change: Annotated[str, OperationArg()] = t.REPLACE,
        feature_flags: Annotated[Any, Unsupported("no participant topology feature flag exists in canton-console")] = None,
    ) -> SignedTopologyTransaction:
        """Propose a change to a participant's synchronizer trust certificate.

        A participant's synchronizer trust certificate signals to the synchronizer that the participant would like to act on the synchronizer.

        participantId: the identifier of the trust certificate's target participant
        synchronizerId: the identifier of the synchronizer on which the participant would like to act
        store: "Authorized" (the default): stored in the node's authorized store and sent on to the
               synchronizers it is connected to; a synchronizer id (or None): submitted there directly
        mustFullyAuthorize: (true by default) fail unless this node's signature fully authorizes it
        serial: the expected serial; None: the next one"""
        mapping = t.trust_certificate(participant_id, synchronizer_id)
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
