"""What a participant keeps about its work: connections, transactions pending a verdict, its own
submissions, pings, committed transactions; and the texts and codes of its timeouts."""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import Future
from typing import Any

import attrs

from canton_console.values import errors

log = logging.getLogger("canton_console.participant")


CONFIRMING = ("Submission", "Confirmation")
PING_NOT_CREATED = "Timeout: We were unable to create the ping contract"
PING_NOT_RESPONDED = "Timeout: We were able to create the ping contract, but responder did not respond in time"
# The participant gives up on a request that got no verdict by its decision time (Canton's
# LocalRejectError.TimeRejects.LocalTimeout), e.g. when the mediator failed over meanwhile.
LOCAL_VERDICT_TIMEOUT = errors.ErrorCode("LOCAL_VERDICT_TIMEOUT", errors.ErrorCategory.ContentionOnSharedResources)
LOCAL_TIMEOUT_REASON = "Rejected transaction due to a participant determined timeout"
# A request the sequencers did not order by its max sequencing time (Canton's NotSequencedTimeout).
NOT_SEQUENCED_TIMEOUT = errors.ErrorCode("NOT_SEQUENCED_TIMEOUT", errors.ErrorCategory.ContentionOnSharedResources)
NOT_SEQUENCED_REASON = "Transaction was not sequenced within the pre-defined max sequencing time and has therefore timed out"
# Ledger API command deduplication: the longest period (the participant's max deduplication duration).
MAX_DEDUPLICATION_DURATION = 7 * 24 * 3600 * 1_000_000  # µs
DUPLICATE_COMMAND_REASON = "A command with the given command id has already been successfully processed"
IN_FLIGHT_REASON = "Another submission for this command and user is already in flight."


def change_id_of(user_id: str, act_as: list[str], command_id: str) -> tuple[str, str]:
    """The change id (a hash of user id, the set of act-as parties and command id) and its readable form."""
    change = json.dumps([user_id, sorted(set(act_as)), command_id])
    return hashlib.sha256(change.encode()).hexdigest(), change


@attrs.define
class Connection:
    alias: str
    synchronizer_id: str
    sequencers: list[str]
    trust_threshold: int = 1
    connected: bool = True
    priority: int = 0
    # Excluded from reconnect_all and restarts; the SynchronizerConnectionConfig as the operator gave it (JSON, None for the connect macros' connections)
    manual_connect: bool = False
    config: str | None = None


@attrs.define
class PendingTransaction:
    request_id: int
    synchronizer_id: str
    root_hash: str
    view: dict[str, Any]
    locked: list[str]
    timer: Any = None
    # verdicts received so far, by the mediator that sent each (the group's threshold must agree)
    verdicts: dict[str, tuple[str, str]] = attrs.field(factory=dict)


@attrs.define
class Submission:
    """A transaction this participant submitted, waiting for its verdict."""

    root_hash: str
    future: Future
    command_id: str
    change_id: str | None
    submission_id: str | None
    synchronizer_id: str
    max_sequencing_time: int
    request: Any = None
    sequenced: bool = False  # the sender's receipt arrived: its fate is decided by the verdict (or the decision time)


@attrs.define
class PingState:
    id: str
    target: str
    started: float
    future: Future
    contract_id: str | None = None
    created: bool = False
    failure: str | None = None


@attrs.frozen
class Transaction:
    """A committed transaction as the ledger API shows it."""

    offset: int
    update_id: str
    synchronizer_id: str
    record_time: int
    command_id: str
    events: tuple[dict[str, Any], ...]
    act_as: tuple[str, ...] = ()


