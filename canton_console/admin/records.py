"""What the admin services return: small frozen records of plain values (ids as their proto
primitive strings, times in microseconds), so a result can cross a process boundary as it is."""

from __future__ import annotations

from typing import Any

import attrs

from canton_console.values.ledger import Contract
from canton_console.values.topology import SignedTopologyTransaction


@attrs.frozen
class NodeInfo:
    """A node the console drives: its name, kind (participant, sequencer, mediator) and whether it
    runs in this process."""

    name: str
    kind: str
    local: bool = True

    @property
    def instance_type(self) -> str:
        return self.kind.capitalize()


@attrs.frozen
class ConnectedSynchronizer:
    alias: str
    synchronizer_id: str
    healthy: bool


@attrs.frozen
class RegisteredSynchronizer:
    alias: str
    synchronizer_id: str
    connected: bool


@attrs.frozen
class ListedParty:
    """A party as Canton's topology aggregation service lists it: its hosting participants, each
    with its permission per synchronizer (ids as text)."""

    party: str
    participants: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@attrs.frozen
class PartyDetailsRecord:
    """A party as the Ledger API's party management service returns it: ``is_local`` when this
    participant hosts it; its participant-local annotations, identity provider ("" the default)
    and the resource version of its local record ("0" before any update)."""

    party: str
    is_local: bool
    annotations: tuple[tuple[str, str], ...]
    identity_provider_id: str
    resource_version: str = "0"


@attrs.frozen
class ProposedTransaction:
    """A topology transaction signed and sent by a node's topology manager."""

    signed: SignedTopologyTransaction
    is_proposal: bool


@attrs.frozen
class SequencerStateResult:
    synchronizer_id: str
    threshold: int
    active: tuple[str, ...]
    observers: tuple[str, ...]
    serial: int


@attrs.frozen
class LedgerTransaction:
    """A committed transaction as the Ledger API shows it."""

    update_id: str
    offset: int
    synchronizer_id: str
    command_id: str
    events: tuple[dict[str, Any], ...]
    record_time: int = 0  # µs since the epoch
    act_as: tuple[str, ...] = ()  # the submitting parties


@attrs.frozen
class PingOutcome:
    """A ping's result: the round trip in microseconds, or why it did not complete."""

    elapsed_micros: int | None
    failure: str | None = None


@attrs.frozen
class UserRight:
    """One Ledger API user right: ``kind`` is Canton's right name (``ParticipantAdmin``,
    ``IdentityProviderAdmin``, ``CanActAs``, ``CanReadAs``, ``CanExecuteAs``, ``CanReadAsAnyParty``,
    ``CanExecuteAsAnyParty``); ``party`` the party of the party-bound ones."""

    kind: str
    party: str | None = None


@attrs.frozen
class LedgerApiUser:
    """A Ledger API user as the user management service returns it. ``identity_provider_id`` is
    empty for the default identity provider; ``annotations`` are (key, value) pairs in their order."""

    id: str
    primary_party: str | None
    is_deactivated: bool
    annotations: tuple[tuple[str, str], ...]
    identity_provider_id: str
    resource_version: str


@attrs.frozen
class LedgerApiUsersPage:
    users: tuple[LedgerApiUser, ...]
    next_page_token: str


@attrs.frozen
class IdentityProviderConfigRecord:
    """An identity provider configuration; ``audience`` None when it has none."""

    identity_provider_id: str
    is_deactivated: bool
    jwks_url: str
    issuer: str
    audience: str | None



@attrs.frozen
class GeneratedExternalParty:
    """Canton's ``GenerateExternalPartyTopology``: the party id, its key's fingerprint, the
    onboarding transactions (TopologyTransaction values) and their combined hash (multihash bytes)."""

    party_id: str
    public_key_fingerprint: str
    transactions: tuple[Any, ...]
    multi_hash: bytes


__all__ = [
    "IdentityProviderConfigRecord",
    "LedgerApiUser",
    "LedgerApiUsersPage",
    "UserRight",
    "ConnectedSynchronizer",
    "Contract",
    "GeneratedExternalParty",
    "ListedParty",
    "PartyDetailsRecord",
    "LedgerTransaction",
    "NodeInfo",
    "PingOutcome",
    "ProposedTransaction",
    "RegisteredSynchronizer",
    "SequencerStateResult",
]
