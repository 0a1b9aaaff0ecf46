"""The Ledger API's party management service of one participant: the parties it knows (from the
topology of its synchronizers), their participant-local records (annotations, identity provider),
and allocating a party (a PartyToParticipant mapping through the node's topology manager).

Every method runs on the runtime thread; ``allocate`` returns the party id once its mapping is sent,
and the service waits for it to be known on the synchronizers."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from canton_console.admin.records import PartyDetailsRecord
from canton_console.runtime.participant.user_management import (
    MAX_ANNOTATIONS_BYTES,
    UserManagement,
    annotations_problem,
    annotations_size,
    api_error,
    invalid_argument,
    invalid_field,
    new_submission_id,
    optional_idp_id,
    require_party,
)
from canton_console.store import schema as s
from canton_console.values import topology as t
from canton_console.values.errors import ErrorCategory, ErrorCode, ServiceStatusError
from canton_console.values.ids import UniqueIdentifier

log = logging.getLogger("canton_console.participant")

P = cast(Table, s.LedgerApiPartyRecordRow.__table__)

PARTY_NOT_FOUND = ErrorCode("PARTY_NOT_FOUND", ErrorCategory.InvalidGivenCurrentSystemStateResourceMissing)
CONCURRENT_PARTY_DETAILS_UPDATE_DETECTED = ErrorCode("CONCURRENT_PARTY_DETAILS_UPDATE_DETECTED", ErrorCategory.ContentionOnSharedResources)
MAX_PARTY_DETAILS_ANNOTATIONS_SIZE_EXCEEDED = ErrorCode("MAX_PARTY_DETAILS_ANNOTATIONS_SIZE_EXCEEDED", ErrorCategory.InvalidGivenCurrentSystemStateOther)
PARTY_ALLOCATION_WITHOUT_CONNECTED_SYNCHRONIZER = ErrorCode("PARTY_ALLOCATION_WITHOUT_CONNECTED_SYNCHRONIZER", ErrorCategory.InvalidGivenCurrentSystemStateOther)


class PartyManagement:
    def __init__(self, node: Any):
        self.node = node

    @property
    def _storage(self) -> Any:
        return self.node.open_storage

    def _hosted_here(self) -> set[str]:
        hosted: set[str] = set()
        for connection in self.node.connections.values():
            sync = self.node.env.synchronizers.get(connection.synchronizer_id)
            if sync is None:
                continue
            now = sync.now()
            for m in sync.topology.parties(now):
                if any(p == self.node.member_id for p, _ in m.data["participants"]):
                    hosted.add(m.data["party"])
            if self.node.member_id in sync.topology.participants(now):
                hosted.add(self.node.member_id.split("::", 1)[1])
        return hosted

    def _details(self, party: str, row: Any, hosted: set[str]) -> PartyDetailsRecord:
        if row is None:
            return PartyDetailsRecord(party, party in hosted, (), "", "0")
        return PartyDetailsRecord(
            party, party in hosted, tuple(json.loads(row["annotations"]).items()), row["identity_provider_id"] or "", str(row["resource_version"])
        )

    def _records(self, conn: Any) -> dict[str, Any]:
        return {r["party"]: r for r in conn.execute(select(P)).mappings()}

    # ---- allocate -----------------------------------------------------------------------------
    def allocate(self, party_hint: str, annotations: Sequence[tuple[str, str]], identity_provider_id: str, propose: Any) -> tuple[str, list[str]]:
        """Validate, propose the party's hosting (``propose(mapping)`` through the topology manager)
        and store its local record; the party id and the synchronizers to wait on."""
        corr = new_submission_id()
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        annotations = [(str(k), str(v)) for k, v in annotations]
        problem = annotations_problem(annotations, allow_empty_values=False, field="party_details.local_metadata.annotations")
        if problem:
            raise invalid_argument(problem, corr)
        with self._storage.read() as conn:
            UserManagement(self.node)._idp_exists_or_error(conn, idp, corr)
        try:
            party = str(UniqueIdentifier.tryCreate(party_hint, self.node.known_uid.namespace.unwrap)) if party_hint else None
        except ValueError as e:
            raise invalid_field("party_id_hint", str(e), corr) from None
        if party is None:
            import uuid

            party = f"{uuid.uuid4()}::{self.node.known_uid.namespace.unwrap}"
        connected = [sync.id for _, sync, _ in self.node.connected_synchronizers()]
        if not connected:
            raise api_error(PARTY_ALLOCATION_WITHOUT_CONNECTED_SYNCHRONIZER, "Cannot allocate a party without being connected to a synchronizer", corr)
        store = self.node.authorized_store
        head = store.lookup(t.PARTY_TO_PARTICIPANT, party) if store is not None else None
        if head is not None and any(p == self.node.member_id for p, _ in head.data["participants"]):
            raise ServiceStatusError("ALREADY_EXISTS", f"Party already exists: party {UniqueIdentifier.tryFromProtoPrimitive(party).short} is already allocated on this node")
        propose(t.party_to_participant(party, 1, [(self.node.member_id, "Submission")]))
        if annotations or idp is not None:
            with self._storage.transaction() as conn:
                if conn.execute(select(P.c.party).where(P.c.party == party)).first() is None:
                    conn.execute(
                        insert(P).values(party=party, identity_provider_id=idp, annotations=json.dumps(dict(annotations)), resource_version=0, created_at=self.node.env.clock.now())
                    )
        log.info("%s: allocated party %s", self.node.name, party)
        return party, connected

    def is_known(self, party: str, synchronizer_ids: Sequence[str]) -> bool:
        for sync_id in synchronizer_ids:
            sync = self.node.env.synchronizers.get(sync_id)
            if sync is None or not any(p == self.node.member_id for p, _ in sync.topology.hosting(party, sync.now())[1]):
                return False
        return True

    # ---- read ---------------------------------------------------------------------------------
    def list_known(self, identity_provider_id: str = "") -> list[PartyDetailsRecord]:
        corr = new_submission_id()
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        known = UserManagement(self.node).known_parties()
        hosted = self._hosted_here()
        with self._storage.read() as conn:
            records = self._records(conn)
        out = []
        for party in sorted(known):
            details = self._details(party, records.get(party), hosted)
            if idp is not None and details.identity_provider_id != idp:
                continue
            out.append(details)
        return out

    def get(self, parties: Sequence[str], identity_provider_id: str = "") -> list[PartyDetailsRecord]:
        corr = new_submission_id()
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        for party in parties:
            require_party(party, corr)
        known = UserManagement(self.node).known_parties()
        hosted = self._hosted_here()
        with self._storage.read() as conn:
            records = self._records(conn)
        out = []
        for party in parties:
            if party not in known:
                continue
            details = self._details(party, records.get(party), hosted)
            if idp is not None and details.identity_provider_id != idp:
                continue
            out.append(details)
        return out

    # ---- update -------------------------------------------------------------------------------
    def update(self, party: str, annotations: Sequence[tuple[str, str]], resource_version: str, identity_provider_id: str = "") -> PartyDetailsRecord:
        """Merge ``annotations`` into the party's local record (an empty value removes the key)."""
        corr = new_submission_id()
        require_party(party, corr)
        idp = optional_idp_id(identity_provider_id, "identity_provider_id", corr)
        annotations = [(str(k), str(v)) for k, v in annotations]
        problem = annotations_problem(annotations, allow_empty_values=True, field="party_details.local_metadata.annotations")
        if problem:
            raise invalid_argument(problem, corr)
        expected: int | None = None
        if resource_version:
            try:
                expected = int(resource_version)
            except ValueError:
                raise invalid_field("party_details.local_metadata.resource_version", "Invalid resource version number", corr) from None
        if party not in UserManagement(self.node).known_parties():
            raise api_error(PARTY_NOT_FOUND, f"Party: '{party}' was not found when updating a party's details", corr)
        with self._storage.transaction() as conn:
            row = conn.execute(select(P).where(P.c.party == party)).mappings().first()
            if (row["identity_provider_id"] if row is not None else None) != idp:
                raise api_error(PARTY_NOT_FOUND, f"Party: '{party}' was not found when updating a party's details", corr)
            version = row["resource_version"] if row is not None else 0
            if expected is not None and expected != version:
                raise api_error(
                    CONCURRENT_PARTY_DETAILS_UPDATE_DETECTED, f"Update operation for party '{party}' failed due to a concurrent update to the same party", corr
                )
            merged = {**(json.loads(row["annotations"]) if row is not None else {}), **dict(annotations)}
            merged = {k: v for k, v in merged.items() if v != ""}
            if annotations_size(merged.items()) > MAX_ANNOTATIONS_BYTES:
                raise api_error(MAX_PARTY_DETAILS_ANNOTATIONS_SIZE_EXCEEDED, f"Maximum annotations size for party '{party}' has been exceeded", corr)
            if row is None:
                conn.execute(insert(P).values(party=party, identity_provider_id=idp, annotations=json.dumps(merged), resource_version=1, created_at=self.node.env.clock.now()))
            else:
                conn.execute(update(P).where(P.c.party == party).values(annotations=json.dumps(merged), resource_version=version + 1))
            updated = conn.execute(select(P).where(P.c.party == party)).mappings().first()
        return self._details(party, updated, self._hosted_here())

    def update_idp(self, party: str, source_identity_provider_id: str, target_identity_provider_id: str) -> None:
        corr = new_submission_id()
        require_party(party, corr)
        source = optional_idp_id(source_identity_provider_id, "source_identity_provider_id", corr)
        target = optional_idp_id(target_identity_provider_id, "target_identity_provider_id", corr)
        if party not in UserManagement(self.node).known_parties():
            raise api_error(PARTY_NOT_FOUND, f"Party: '{party}' was not found when updating party's identity provider", corr)
        with self._storage.transaction() as conn:
            UserManagement(self.node)._idp_exists_or_error(conn, source, corr)
            UserManagement(self.node)._idp_exists_or_error(conn, target, corr)
            row = conn.execute(select(P).where(P.c.party == party)).mappings().first()
            if (row["identity_provider_id"] if row is not None else None) != source:
                raise api_error(PARTY_NOT_FOUND, f"Party: '{party}' was not found when updating party's identity provider", corr)
            if row is None:
                conn.execute(insert(P).values(party=party, identity_provider_id=target, annotations="{}", resource_version=0, created_at=self.node.env.clock.now()))
            else:
                conn.execute(update(P).where(P.c.party == party).values(identity_provider_id=target))
