"""The Ledger API's external party endpoints of one participant (Canton 3.3's
``PartyManagementService.GenerateExternalPartyTopology`` and ``AllocateExternalParty``).

Allocating goes through the participant's topology manager as Canton's ``PartyOps`` does: the
signatures the party made are checked against the keys they name, the participant adds its own
signature to the party-to-participant mapping, and the transactions enter its authorized store,
which sends them to its synchronizers. Nothing is stored unless every check passes; a request that
should host the party in full (its namespace, its key and one host) must authorize it in full."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import Any

from canton_console.admin.records import GeneratedExternalParty
from canton_console.runtime import authorized_store
from canton_console.runtime.participant import external_parties as ep
from canton_console.runtime.participant.user_management import api_error, invalid_argument, invalid_field, new_submission_id
from canton_console.runtime.services.base import LocalService
from canton_console.runtime.topology import TopologyState, mapping_keys, signature_verifies
from canton_console.values import topology as t
from canton_console.values.errors import ErrorCategory, ErrorCode, ServiceStatusError
from canton_console.values.messages import encode

SIGNATURE_CHECK_FAILED = "Transaction signature verification failed"
NOT_AUTHORIZED = "Topology transaction is not properly authorized: Not authorized"


class LocalExternalPartyService(LocalService):
    passive_refusal = "ledger"

    def _connected(self, synchronizer_id: str) -> Any:
        for _, sync, _ in self._node.connected_synchronizers():
            if sync.id == synchronizer_id:
                return sync
        return None

    # ---- generate ---------------------------------------------------------------------------
    def generate_topology(
        self,
        synchronizer_id: str,
        party_hint: str,
        public_key_hex: str,
        local_participant_observation_only: bool,
        other_confirming_participants: Sequence[str],
        confirmation_threshold: int,
        observing_participants: Sequence[str],
    ) -> GeneratedExternalParty:
        def run() -> GeneratedExternalParty:
            corr = new_submission_id()
            if self._connected(synchronizer_id) is None:
                raise invalid_argument(f"Unknown or not connected synchronizer {synchronizer_id}", corr)
            try:
                generated = ep.generate_topology(
                    self._node.member_id,
                    party_hint,
                    public_key_hex,
                    local_participant_observation_only,
                    list(other_confirming_participants),
                    confirmation_threshold,
                    list(observing_participants),
                )
            except (ep.OnboardingRefused, ValueError) as e:
                raise invalid_argument(str(e), corr) from None
            return GeneratedExternalParty(generated.party_id, generated.public_key_fingerprint, generated.transactions, generated.multi_hash)

        return self._call(run)

    # ---- allocate ---------------------------------------------------------------------------
    def allocate_external(
        self,
        synchronizer_id: str,
        transactions: Sequence[tuple[t.TopologyTransaction, Sequence[ep.ExternalSignature]]],
        multi_signatures: Sequence[ep.ExternalSignature],
        timeout_micros: int,
    ) -> str:
        """Check and add the onboarding transactions; the party id, once the synchronizer hosts
        the party here (when the request allocates it in full; else at once)."""
        party, wait = self._call(self._allocate, synchronizer_id, list(transactions), list(multi_signatures))
        if wait:
            from canton_console.runtime.participant.party_management import PartyManagement

            deadline = time.monotonic() + timeout_micros / 1e6
            while not self._call(lambda: PartyManagement(self._node).is_known(party, [synchronizer_id])) and time.monotonic() < deadline:
                time.sleep(0.005)
        return party

    def _allocate(
        self, synchronizer_id: str, transactions: builtins.list[tuple[t.TopologyTransaction, Sequence[ep.ExternalSignature]]], multi: builtins.list[ep.ExternalSignature]
    ) -> tuple[str, bool]:
        node = self._node
        corr = new_submission_id()
        sync = self._connected(synchronizer_id)
        if sync is None:
            raise invalid_argument("No valid synchronizer found.", corr)
        for tx, _ in transactions:
            problem = ep.onboarding_problem(tx)
            if problem is not None:
                raise invalid_field(problem[0], problem[1], corr)
        if not transactions:
            raise invalid_field("onboarding_transactions.transactions", "Transactions field is empty", corr)
        try:
            details = ep.check_onboarding(transactions, multi, node.member_id)
        except ep.OnboardingRefused as e:
            raise invalid_argument(str(e), corr) from None
        onboarding = ep.onboarding_transactions(details)
        self._check_signatures(sync.topology, onboarding)
        # The participant authorizes hosting the party: its signature on the party-to-participant mapping.
        hosting = authorized_store.sign(node, onboarding[-1].transaction, dict(onboarding[-1].signatures))
        to_add = self._new_transactions(sync.topology, details, [*onboarding[:-1], hosting])
        if details.fully_allocates and not _authorizes(node.authorized_store, to_add):
            raise ServiceStatusError("PERMISSION_DENIED", NOT_AUTHORIZED)
        from canton_console.runtime.services.topology import LocalTopologyService

        LocalTopologyService(self._env, node)._add(t.AUTHORIZED_STORE, to_add)
        return details.party_id, details.fully_allocates

    def _check_signatures(self, topology: TopologyState, onboarding: builtins.list[t.SignedTopologyTransaction]) -> None:
        """Every signature must verify with the key it names: a key the onboarding transactions
        carry or one the topology knows (Canton's SignatureCheckFailed: an alarm, nothing stored)."""
        carried = {t.key_fingerprint(k): bytes.fromhex(k) for tx in onboarding for k in mapping_keys(tx.transaction.mapping)}
        store = self._node.authorized_store
        for signed in onboarding:
            for fingerprint, stored in signed.signatures.items():
                key = carried.get(fingerprint) or topology.key_bytes(fingerprint) or (store.key_bytes(fingerprint) if store is not None else None)
                if key is None or not signature_verifies(key, stored, signed.transaction):
                    raise ServiceStatusError("INVALID_ARGUMENT", SIGNATURE_CHECK_FAILED)

    def _new_transactions(self, topology: TopologyState, details: ep.OnboardingDetails, signed: builtins.list[t.SignedTopologyTransaction]) -> builtins.list[t.SignedTopologyTransaction]:
        """The transactions the topology does not hold yet (Canton's topology manager skips the ones
        it has); the party's hosting already in force is Canton's "party already exists"."""
        out = []
        store = self._node.authorized_store
        for tx in signed:
            mapping = tx.transaction.mapping
            current = [s.lookup(mapping.code, mapping.key) for s in (topology, store) if s is not None]
            if mapping in current:
                if mapping.code == t.PARTY_TO_PARTICIPANT:
                    raise ServiceStatusError("ALREADY_EXISTS", f"Party already exists: party {details.party_id} is already allocated")
                continue
            serial = max(topology.serial_of(mapping.code, mapping.key), store.serial_of(mapping.code, mapping.key) if store is not None else 0)
            if serial >= tx.transaction.serial:
                raise ServiceStatusError("FAILED_PRECONDITION", f"The given serial {tx.transaction.serial} did not match the expected serial {serial + 1}.")
            out.append(tx)
        return out


def _authorizes(store: TopologyState | None, transactions: builtins.list[t.SignedTopologyTransaction]) -> bool:
    """Whether ``transactions``, added in order to (a scratch copy of) the authorized store, all take
    effect: a dry run, so that a refused request stores nothing."""
    scratch = TopologyState(t.AUTHORIZED_STORE)
    for stored in store.log if store is not None else []:
        if not stored.is_proposal:
            scratch.restore(stored)
    for tx in transactions:
        added = scratch.add(tx, 0, 0)
        if added is None or added.is_proposal:
            return False
    return True


FAILED_TO_EXECUTE_TRANSACTION = ErrorCode("FAILED_TO_EXECUTE_TRANSACTION", ErrorCategory.InvalidIndependentOfSystemState)


class LocalInteractiveSubmissionService(LocalService):
    """The Ledger API's interactive submission service (Canton 3.3): ``prepare`` interprets commands
    into a transaction and its hash without submitting it; ``execute`` checks the acting parties'
    signatures over that hash against their party-to-key mappings (Canton's executing participant
    does, refusing with FAILED_TO_EXECUTE_TRANSACTION) and submits the transaction, with the
    Ledger API's command deduplication."""

    passive_refusal = "ledger"

    def prepare(self, act_as: Sequence[str], commands: Sequence[Any], synchronizer_id: str | None, command_id: str, read_as: Sequence[str], user_id: str) -> ep.PreparedSubmission:
        def run() -> ep.PreparedSubmission:
            import hashlib
            import uuid

            node = self._node
            sync = node._synchronizer_for(synchronizer_id)
            seed = hashlib.sha256(f"{node.member_id}/{command_id}/{uuid.uuid4()}".encode()).hexdigest()
            nodes = node._interpret(list(commands), list(act_as), seed)
            return ep.PreparedSubmission(tuple(act_as), tuple(read_as), tuple(commands), sync.id, command_id, user_id, seed, encode(nodes))

        return self._call(run)

    def execute(
        self,
        prepared: ep.PreparedSubmission,
        signatures: dict[str, builtins.list[ep.ExternalSignature]],
        submission_id: str,
        user_id: str,
        deduplication_period_micros: int | None,
        hashing_scheme_version: str = ep.HASHING_SCHEME_VERSION,
    ) -> None:
        def run() -> None:
            node = self._node
            if hashing_scheme_version != ep.HASHING_SCHEME_VERSION:
                raise invalid_field("hashing_scheme_version", f"Hashing scheme version {hashing_scheme_version} is not supported on protocol version 33", submission_id or None)
            sync = node._synchronizer_for(prepared.synchronizer_id)

            def party_keys(party: str) -> tuple[int, builtins.list[str]] | None:
                mapping = sync.topology.lookup(t.PARTY_TO_KEY, party, sync.now())
                return None if mapping is None else (mapping.data["threshold"], list(mapping.data["public_keys"]))

            problem = ep.external_signature_problem(prepared.hash(), signatures, prepared.act_as, party_keys)
            if problem is not None:
                raise api_error(FAILED_TO_EXECUTE_TRANSACTION, f"The participant failed to execute the transaction: {problem}", submission_id or None)
            node.submit_command(
                list(prepared.commands),
                list(prepared.act_as),
                prepared.command_id,
                prepared.synchronizer_id,
                user_id,
                submission_id or None,
                deduplication_period_micros,
                seed=prepared.seed,
            )

        self._call(run)
