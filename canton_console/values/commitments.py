"""ACS commitment values as Canton 3.3's console returns and prints them: ``CommitmentPeriod``, the
hashed commitment (a ``Hash``), ``AcsCommitment`` and its signed message, the inspection results
``ReceivedAcsCmt`` / ``SentAcsCmt`` with their states, the wait configuration (``NoWaitCommitments``,
``WaitCommitments``), ``SlowCounterParticipantSynchronizerConfig``, ``CounterParticipantInfo`` and
``CommitmentReinitializationInfo``; and the arguments ``SynchronizerTimeRange`` / ``TimeRange``."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param, to_tree
from canton_console.values.ids import ParticipantId, SynchronizerId
from canton_console.values.pruning import Timestamp
from canton_console.values.scala import NONE, Option, Some, TypedVector
from canton_console.values.timefmt import instant


def _ts(value: Any) -> Timestamp:
    return value if isinstance(value, Timestamp) else Timestamp(int(value))


@attrs.frozen
class CommitmentPeriod:
    """Canton's ``CommitmentPeriod``: the ticks after ``fromExclusive`` up to ``toInclusive``."""

    canton_type: ClassVar[str] = "CommitmentPeriod"

    fromExclusive: Timestamp = attrs.field(converter=_ts)  # noqa: N815 - Canton's name
    toInclusive: Timestamp = attrs.field(converter=_ts)  # noqa: N815 - Canton's name

    @property
    def periodLength(self) -> int:  # noqa: N802 - Canton's name
        return int(self.toInclusive) - int(self.fromExclusive)

    def overlaps(self, other: CommitmentPeriod) -> bool:
        return self.fromExclusive < other.toInclusive and self.toInclusive > other.fromExclusive

    def __pretty__(self) -> Tree:
        return klass("CommitmentPeriod", param("fromExclusive", self.fromExclusive), param("toInclusive", self.toInclusive))


@attrs.frozen
class HashedCommitment:
    """``AcsCommitment.HashedCommitmentType``: a SHA-256 ``Hash``, printed ``SHA-256:<12 hex>...``."""

    canton_type: ClassVar[str] = "Hash"

    hex: str

    @property
    def toHexString(self) -> str:  # noqa: N802 - Canton's name
        return "1220" + self.hex  # the multihash prefix of SHA-256, as Canton's Hash carries it

    def __pretty__(self) -> Literal:
        return Literal(f"SHA-256:{self.hex[:12]}...")

    def __str__(self) -> str:
        return self.__pretty__().text


class _State:
    """A commitment state object (``ReceivedCmtState.Match`` ...), printed by its name."""

    def __init__(self, family: str, name: str):
        self.family = family
        self.name = name

    @property
    def canton_type(self) -> str:
        return f"{self.family}.{self.name}.type"

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __pretty__(self) -> Literal:
        return Literal(self.name)


class ReceivedCmtStateCompanion:
    """``AcsCommitmentProcessor.ReceivedCmtState``: Match, Mismatch, Buffered, Outstanding."""

    canton_type = "ReceivedCmtState.type"

    def __init__(self) -> None:
        self.Match = _State("ReceivedCmtState", "Match")
        self.Mismatch = _State("ReceivedCmtState", "Mismatch")
        self.Buffered = _State("ReceivedCmtState", "Buffered")
        self.Outstanding = _State("ReceivedCmtState", "Outstanding")

    def __repr__(self) -> str:
        return "ReceivedCmtState"


class SentCmtStateCompanion:
    """``AcsCommitmentProcessor.SentCmtState``: Match, Mismatch, NotCompared."""

    canton_type = "SentCmtState.type"

    def __init__(self) -> None:
        self.Match = _State("SentCmtState", "Match")
        self.Mismatch = _State("SentCmtState", "Mismatch")
        self.NotCompared = _State("SentCmtState", "NotCompared")

    def __repr__(self) -> str:
        return "SentCmtState"


RECEIVED_CMT_STATE = ReceivedCmtStateCompanion()
SENT_CMT_STATE = SentCmtStateCompanion()


@attrs.frozen
class AcsCommitment:
    """A commitment one participant sent another for a period."""

    canton_type: ClassVar[str] = "AcsCommitment"

    synchronizerId: SynchronizerId  # noqa: N815 - Canton's name
    sender: ParticipantId
    counterParticipant: ParticipantId  # noqa: N815 - Canton's name
    period: CommitmentPeriod
    commitment: HashedCommitment

    def __pretty__(self) -> Tree:
        return klass(
            "AcsCommitment",
            param("synchronizerId", self.synchronizerId),
            param("sender", self.sender),
            param("counterParticipant", self.counterParticipant),
            param("period", self.period),
            param("commitment", self.commitment),
        )


@attrs.frozen
class CommitmentSignature:
    canton_type: ClassVar[str] = "Signature"

    signedBy: str  # noqa: N815 - Canton's name (a fingerprint)
    signature: str

    def __pretty__(self) -> Tree:
        return klass("Signature", param("signature", Literal(self.signature[:12] + "...")), param("signedBy", Literal(self.signedBy)))


@attrs.frozen
class SignedAcsCommitment:
    """``SignedProtocolMessage[AcsCommitment]``: the commitment as received, with its signature."""

    canton_type: ClassVar[str] = "SignedProtocolMessage[AcsCommitment]"

    message: AcsCommitment
    signatures: tuple[CommitmentSignature, ...]

    def __pretty__(self) -> Tree:
        return klass("SignedProtocolMessage", self.message.__pretty__(), param("signatures", Apply("Seq", tuple(x.__pretty__() for x in self.signatures))))


@attrs.frozen
class ReceivedAcsCmt:
    canton_type: ClassVar[str] = "ReceivedAcsCmt"

    receivedCmtPeriod: CommitmentPeriod  # noqa: N815 - Canton's name
    originCounterParticipant: ParticipantId  # noqa: N815 - Canton's name
    receivedCommitment: Option  # noqa: N815 - Canton's name
    localCommitment: Option  # noqa: N815 - Canton's name
    state: _State

    def __pretty__(self) -> Tree:
        return klass(
            "ReceivedAcsCmt",
            param("receivedCmtPeriod", self.receivedCmtPeriod),
            param("originCounterParticipant", self.originCounterParticipant),
            param("receivedCommitment", self.receivedCommitment),
            param("localCommitment", self.localCommitment),
            param("state", self.state),
        )


@attrs.frozen
class SentAcsCmt:
    canton_type: ClassVar[str] = "SentAcsCmt"

    receivedCmtPeriod: CommitmentPeriod  # noqa: N815 - Canton's name
    destCounterParticipant: ParticipantId  # noqa: N815 - Canton's name
    sentCommitment: Option  # noqa: N815 - Canton's name
    receivedCommitment: Option  # noqa: N815 - Canton's name
    state: _State

    def __pretty__(self) -> Tree:
        return klass(
            "SentAcsCmt",
            param("receivedCmtPeriod", self.receivedCmtPeriod),
            param("destCounterParticipant", self.destCounterParticipant),
            param("sentCommitment", self.sentCommitment),
            param("receivedCommitment", self.receivedCommitment),
            param("state", self.state),
        )


@attrs.frozen
class TimeRange:
    """``TimeRange(startExclusive, endInclusive)``: an argument of the lookup commands."""

    canton_type: ClassVar[str] = "TimeRange"

    startExclusive: int  # noqa: N815 - Canton's name
    endInclusive: int  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass("TimeRange", param("startExclusive", Timestamp(self.startExclusive)), param("endInclusive", Timestamp(self.endInclusive)))


@attrs.frozen
class SynchronizerTimeRange:
    """``SynchronizerTimeRange(synchronizerId, timeRange: Option[TimeRange])``."""

    canton_type: ClassVar[str] = "SynchronizerTimeRange"

    synchronizerId: Any  # noqa: N815 - Canton's name
    timeRange: Any = NONE  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass("SynchronizerTimeRange", param("synchronizerId", self.synchronizerId), param("timeRange", self.timeRange))


@attrs.frozen
class NoWaitCommitments:
    canton_type: ClassVar[str] = "NoWaitCommitments"

    counterParticipant: ParticipantId  # noqa: N815 - Canton's name
    synchronizers: TypedVector

    def __pretty__(self) -> Tree:
        return klass("NoWaitCommitments", param("counterParticipant", self.counterParticipant), param("synchronizers", self.synchronizers))


@attrs.frozen
class WaitCommitments:
    canton_type: ClassVar[str] = "WaitCommitments"

    counterParticipant: ParticipantId  # noqa: N815 - Canton's name
    synchronizers: TypedVector

    def __pretty__(self) -> Tree:
        return klass("WaitCommitments", param("counterParticipant", self.counterParticipant), param("synchronizers", self.synchronizers))


@attrs.frozen
class SlowCounterParticipantSynchronizerConfig:
    """The slow counter-participant metrics configuration of some synchronizers (an argument and a result)."""

    canton_type: ClassVar[str] = "SlowCounterParticipantSynchronizerConfig"

    synchronizerIds: tuple  # noqa: N815 - Canton's name
    distinguishedParticipants: tuple  # noqa: N815 - Canton's name
    thresholdDistinguished: int  # noqa: N815 - Canton's name
    thresholdDefault: int  # noqa: N815 - Canton's name
    participantsMetrics: tuple  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass(
            "SlowCounterParticipantSynchronizerConfig",
            param("synchronizerIds", Apply("Vector", tuple(to_tree(x) for x in self.synchronizerIds))),
            param("distinguishedParticipants", Apply("Vector", tuple(to_tree(x) for x in self.distinguishedParticipants))),
            param("thresholdDistinguished", _non_negative(self.thresholdDistinguished)),
            param("thresholdDefault", _non_negative(self.thresholdDefault)),
            param("participantsMetrics", Apply("Vector", tuple(to_tree(x) for x in self.participantsMetrics))),
        )


@attrs.frozen
class CounterParticipantInfo:
    canton_type: ClassVar[str] = "CounterParticipantInfo"

    participantId: ParticipantId  # noqa: N815 - Canton's name
    synchronizerId: SynchronizerId  # noqa: N815 - Canton's name
    intervalsBehind: int  # noqa: N815 - Canton's name
    asOfSequencingTimestamp: int  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass(
            "CounterParticipantInfo",
            param("participantId", self.participantId),
            param("synchronizerId", self.synchronizerId),
            param("intervalsBehind", _non_negative(self.intervalsBehind, long=True)),
            param("asOfSequencingTimestamp", Literal(instant(self.asOfSequencingTimestamp))),
        )


@attrs.frozen
class CommitmentReinitializationInfo:
    canton_type: ClassVar[str] = "CommitmentReinitializationInfo"

    synchronizerId: SynchronizerId  # noqa: N815 - Canton's name
    error: Option
    acsTimestamp: Option  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass(
            "CommitmentReinitializationInfo",
            param("synchronizerId", self.synchronizerId),
            param("error", self.error),
            param("acsTimestamp", self.acsTimestamp),
        )


def _non_negative(value: Any, long: bool = False) -> Any:
    """Canton's NonNegativeInt / NonNegativeLong, as the console prints them (``NonNegativeNumeric(value = 3)``)."""
    from canton_console.values.refined import NonNegativeNumeric

    return value if isinstance(value, NonNegativeNumeric) else NonNegativeNumeric(int(value), long=long)


def some_or_none(value: Any) -> Option:
    return NONE if value is None else Some(value)


@attrs.frozen
class CommitmentContractMetadata:
    """A contract behind an opened commitment: its id and reassignment counter."""

    canton_type: ClassVar[str] = "CommitmentContractMetadata"

    cid: str
    reassignmentCounter: int = 0  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass("CommitmentContractMetadata", param("contract id", Literal(self.cid)), param("reassignment counter", Literal(str(self.reassignmentCounter))))
