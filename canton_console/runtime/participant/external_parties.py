"""External parties (Canton 3.3's client-controlled parties): the onboarding topology a participant
generates for a key the party holds, and the checks of an allocation request, after Canton's
``ApiPartyManagementService.generateExternalPartyTopology`` and ``ExternalPartyOnboardingDetails``.

An external party's namespace is the fingerprint of its own key: the party's root namespace
delegation, its party-to-key mapping (the key that signs its submissions) and its
party-to-participant mapping (who hosts it, never with submission permission) are signed by that
key outside the nodes, one signature per transaction or one over their combined hash. The hosting
participants sign the party-to-participant mapping themselves. Everything here is pure: values in,
values (or an :class:`OnboardingRefused`) out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from canton_console.runtime.identity import verify
from canton_console.values import topology as t
from canton_console.values.external_parties import HASHING_SCHEME_VERSION, ExternalSignature, PreparedSubmission
from canton_console.values.ids import FINGERPRINT_PREFIX, UniqueIdentifier, identifier_problem
from canton_console.values.keys import NAMESPACE, PROOF_OF_OWNERSHIP, PROTOCOL, canonical_usage

__all__ = ["HASHING_SCHEME_VERSION", "ExternalSignature", "PreparedSubmission"]

CONFIRMATION, OBSERVATION, SUBMISSION = "Confirmation", "Observation", "Submission"
# The mappings an onboarding request may carry, in Canton's order (its error message lists them so).
ONBOARDING_CODES = (t.NAMESPACE_DELEGATION, t.DECENTRALIZED_NAMESPACE, t.PARTY_TO_PARTICIPANT, t.PARTY_TO_KEY)
# The usage Canton gives the party's key (generateExternalPartyTopology).
EXTERNAL_KEY_USAGE = canonical_usage((NAMESPACE, PROOF_OF_OWNERSHIP, PROTOCOL))


class OnboardingRefused(ValueError):
    """Why a request is refused: Canton's text, which the Ledger API returns as an invalid argument."""


@attrs.frozen
class GeneratedTopology:
    """Canton's ``GenerateExternalPartyTopology``: the party, the fingerprint of its key, the three
    onboarding transactions and the hash over all three that the party signs once."""

    party_id: str
    public_key_fingerprint: str
    transactions: tuple[t.TopologyTransaction, ...]
    multi_hash: bytes


@attrs.frozen
class OnboardingDetails:
    """A checked allocation request (Canton's ``ExternalPartyOnboardingDetails``): the transactions
    that carry signatures, with them; the party-to-participant mapping either signed (by the party)
    or not (a hosting participant's own request to host it)."""

    namespace_transaction: t.SignedTopologyTransaction | None
    party_to_key: t.SignedTopologyTransaction | None
    party_to_participant: t.TopologyTransaction
    party_to_participant_signatures: dict[str, str] = attrs.field(hash=False)
    is_confirming: bool

    @property
    def party_id(self) -> str:
        return self.party_to_participant.mapping.data["party"]

    @property
    def namespace(self) -> str:
        return self.party_id.rsplit("::", 1)[1]

    @property
    def hosting(self) -> list[tuple[str, str]]:
        return [(p, perm) for p, perm in self.party_to_participant.mapping.data["participants"]]

    @property
    def fully_allocates(self) -> bool:
        """Canton's ``fullyAllocatesParty``: a root namespace, a party-to-key mapping and one host;
        then the request must authorize the party in full."""
        return self.namespace_transaction is not None and self.party_to_key is not None and len(self.hosting) == 1


# ---- generating --------------------------------------------------------------------------------


def generate_topology(
    participant_id: str,
    party_hint: str,
    public_key_hex: str,
    local_participant_observation_only: bool,
    other_confirming_participants: Sequence[str],
    confirmation_threshold: int,
    observing_participants: Sequence[str],
) -> GeneratedTopology:
    """The onboarding transactions of ``party_hint::<fingerprint of the key>`` hosted by
    ``participant_id`` (Confirmation, or Observation only), the other confirming participants and
    the observing ones (member ids, ``PAR::...``); a threshold of 0 means every confirming one."""
    namespace = t.key_fingerprint(public_key_hex)
    available_confirmers = (0 if local_participant_observation_only else 1) + len(other_confirming_participants)
    if not party_hint:
        raise OnboardingRefused("Party hint is empty")
    problem = identifier_problem(party_hint)
    if problem is not None:
        raise OnboardingRefused("party_hint: " + problem)
    if confirmation_threshold < 0:
        raise OnboardingRefused("Negative confirmation threshold observed")
    everyone = [*other_confirming_participants, *observing_participants, participant_id]
    duplicates = sorted({p for p in everyone if everyone.count(p) > 1})
    if duplicates:
        shown = ", ".join(p.removeprefix("PAR::") for p in duplicates)
        raise OnboardingRefused(f"Duplicate participant ids Set({shown}). They need to be unique and only in one category.")
    if confirmation_threshold > available_confirmers:
        raise OnboardingRefused("Confirmation threshold exceeds number of confirming participants")
    threshold = confirmation_threshold or available_confirmers
    if threshold < 1:
        # Canton's PositiveInt.tryCreate(0): a party observed only, with no one to confirm for it
        raise OnboardingRefused("The confirmation threshold must be positive: the party needs at least one confirming participant")
    party = str(UniqueIdentifier.tryCreate(party_hint, namespace).toProtoPrimitive)
    hosting = [
        (participant_id, OBSERVATION if local_participant_observation_only else CONFIRMATION),
        *((p, CONFIRMATION) for p in other_confirming_participants),
        *((p, OBSERVATION) for p in observing_participants),
    ]
    mappings = [
        t.namespace_delegation(namespace, public_key_hex, t.CAN_SIGN_ALL, usage=EXTERNAL_KEY_USAGE),
        t.party_to_key(party, 1, [public_key_hex]),
        t.party_to_participant(party, threshold, hosting),
    ]
    transactions = tuple(t.TopologyTransaction(t.REPLACE, 1, m) for m in mappings)
    return GeneratedTopology(party, namespace, transactions, t.combined_hash(tx.hash for tx in transactions))


# ---- checking an allocation request -------------------------------------------------------------


def _stored_signatures(tx: t.TopologyTransaction, single: Sequence[ExternalSignature], multi: Sequence[ExternalSignature], all_hashes: list[str]) -> dict[str, str]:
    """The signatures of ``tx``, one per signer (a signature of this transaction alone preferred);
    a root namespace delegation keeps only its namespace key's."""
    out: dict[str, str] = {}
    for sig in multi:
        out[sig.signed_by] = t.multi_signature(all_hashes, sig.signature)
    for sig in single:
        out[sig.signed_by] = t.HASH_SIGNATURE_PREFIX + sig.signature.hex()
    if tx.mapping.code == t.NAMESPACE_DELEGATION:
        out = {fp: s for fp, s in out.items() if fp == tx.mapping.data["namespace"]}
    return out


def _at_most_one(items: list, what: str) -> object:
    if len(items) > 1:
        raise OnboardingRefused(f"Only one transaction of type {what} can be provided, got {len(items)}")
    return items[0] if items else None


def check_onboarding(
    transactions: Sequence[tuple[t.TopologyTransaction, Sequence[ExternalSignature]]],
    multi_signatures: Sequence[ExternalSignature],
    participant_id: str,
) -> OnboardingDetails:
    """Canton's ``ExternalPartyOnboardingDetails.create``: the kinds of transactions and how they
    relate (not yet whether the signatures authorize them: that is the topology's check)."""
    unwanted = list(dict.fromkeys(tx.mapping.code for tx, _ in transactions if tx.mapping.code not in ONBOARDING_CODES))
    if unwanted:
        raise OnboardingRefused(f"Unsupported transactions found: {', '.join(unwanted)}. Supported transactions are: {', '.join(ONBOARDING_CODES)}")
    hashes = [tx.hash for tx, _ in transactions]
    signed: list[t.SignedTopologyTransaction] = []
    unsigned: list[t.TopologyTransaction] = []
    for tx, single in transactions:
        signatures = _stored_signatures(tx, single, multi_signatures, hashes)
        if signatures:
            signed.append(t.SignedTopologyTransaction(tx, signatures))
        else:
            unsigned.append(tx)

    def of(code: str, among: list) -> list:
        return [x for x in among if (x.transaction if isinstance(x, t.SignedTopologyTransaction) else x).mapping.code == code]

    signed_p2p = _at_most_one(of(t.PARTY_TO_PARTICIPANT, signed), "PartyToParticipant")
    if isinstance(signed_p2p, t.SignedTopologyTransaction):
        p2p, p2p_signatures = signed_p2p.transaction, dict(signed_p2p.signatures)
    else:
        found = _at_most_one(of(t.PARTY_TO_PARTICIPANT, unsigned), "PartyToParticipant")
        if not isinstance(found, t.TopologyTransaction):
            raise OnboardingRefused("One transaction of type PartyToParticipant must be provided, got 0")
        p2p, p2p_signatures = found, {}
    hosting = [(p, perm) for p, perm in p2p.mapping.data["participants"]]
    submitting = [p for p, perm in hosting if perm == SUBMISSION]
    if submitting:
        raise OnboardingRefused(
            "The PartyToParticipant transaction must not contain any node with Submission permission. "
            f"Nodes with submission permission: {', '.join(submitting)}"
        )
    if len(hosting) == 1 and (hosting[0][0] != participant_id or hosting[0][1] != CONFIRMATION):
        only = hosting[0][0]
        raise OnboardingRefused(
            f"The party is to be hosted on a single participant ({only}) that is not this participant ({participant_id}). "
            f"Submit the allocation request on {only} instead."
        )
    confirming = [p for p, perm in hosting if perm == CONFIRMATION]
    if not confirming:
        raise OnboardingRefused("The PartyToParticipant transaction must contain at least one node with Confirmation permission")
    is_confirming = participant_id in confirming
    if not is_confirming and participant_id not in [p for p, perm in hosting if perm == OBSERVATION]:
        raise OnboardingRefused("This node is not hosting the party either with Confirmation or Observation permission.")
    party_namespace = p2p.mapping.data["party"].rsplit("::", 1)[1]
    p2k = _at_most_one(of(t.PARTY_TO_KEY, signed), "PartyToKeyMapping")
    if isinstance(p2k, t.SignedTopologyTransaction):
        p2k_namespace = p2k.transaction.mapping.data["party"].rsplit("::", 1)[1]
        if p2k_namespace != party_namespace:
            raise OnboardingRefused(f"The PartyToKeyMapping namespace ({p2k_namespace}) does not match the PartyToParticipant namespace ({party_namespace})")
    if of(t.DECENTRALIZED_NAMESPACE, signed):
        raise OnboardingRefused(
            "Decentralized party namespaces are not supported by this console's allocate_external: "
            "set up the decentralized namespace through the topology commands, then allocate with the PartyToParticipant transaction"
        )
    nsd = _at_most_one(of(t.NAMESPACE_DELEGATION, signed), "NamespaceDelegation")
    if isinstance(nsd, t.SignedTopologyTransaction):
        data = nsd.transaction.mapping.data
        if t.key_fingerprint(data["public_key"]) != data["namespace"]:
            raise OnboardingRefused("NamespaceDelegation is not a root namespace. Ensure the namespace and target key are the same")
        if data["namespace"] != party_namespace:
            raise OnboardingRefused(f"The Party namespace ({data['namespace']}) does not match the PartyToParticipant namespace ({party_namespace})")
    return OnboardingDetails(
        nsd if isinstance(nsd, t.SignedTopologyTransaction) else None,
        p2k if isinstance(p2k, t.SignedTopologyTransaction) else None,
        p2p,
        p2p_signatures,
        is_confirming,
    )


def onboarding_problem(transaction: t.TopologyTransaction) -> tuple[str, str] | None:
    """(field, reason) when a transaction cannot be part of an onboarding request (Canton's
    ``parseSignedTransaction``): only replacements, at serial 1."""
    if transaction.operation != t.REPLACE:
        return "onboarding_transactions.transaction", "Onboarding topology transactions must be Replace operations"
    if transaction.serial != 1:
        return "onboarding_transactions.transaction.serial", "Onboarding transaction serial must be 1"
    return None


def onboarding_transactions(details: OnboardingDetails) -> list[t.SignedTopologyTransaction]:
    """What the topology receives, in order: the namespace, the keys, the hosting (the last one
    with the signatures it has so far)."""
    out = [tx for tx in (details.namespace_transaction, details.party_to_key) if tx is not None]
    return [*out, t.SignedTopologyTransaction(details.party_to_participant, dict(details.party_to_participant_signatures))]


# ---- interactive submission (prepare, then execute with the parties' signatures) ------------------

def external_signature_problem(
    tx_hash: bytes,
    signatures: Mapping[str, Sequence[ExternalSignature]],
    act_as: Sequence[str],
    party_keys: Callable[[str], tuple[int, list[str]] | None],
) -> str | None:
    """Canton's ``InteractiveSubmission.verifySignatures``: every acting party signed, and each
    reached its party-to-key threshold of valid signatures over the hash; why not, or None.
    Signatures of parties that do not act are ignored."""
    without = [p for p in act_as if p not in signatures]
    if without:
        return f"The following actAs parties did not provide an external signature: {', '.join(without)}"
    for party in act_as:
        found = party_keys(party)
        if found is None:
            return f"Could not find party signing keys for {party}."
        threshold, keys = found
        by_fingerprint = {t.key_fingerprint(k): bytes.fromhex(k) for k in keys}
        valid, invalid = set(), 0
        for sig in signatures[party]:
            key = by_fingerprint.get(sig.signed_by)
            if key is not None and verify(key, sig.signature, tx_hash):
                valid.add(sig.signed_by)
            else:
                invalid += 1
        if len(valid) < threshold:
            return (
                f"Received {len(signatures[party]) - invalid} valid signatures ({invalid} invalid), but expected at least {threshold} valid for {party}. "
                f"Transaction hash to be signed: {FINGERPRINT_PREFIX}{tx_hash.hex()}. Ensure the correct transaction hash is signed with the correct key(s)."
            )
    return None
