"""What ``mediator.inspection.verdicts`` returns: Canton 3.3's ``mediator.admin.v30.Verdict``
protobuf messages (scalapb case classes), rendered the way the console's pprint shows them
(``Verdict(submittingParties = Vector(...), ...)``)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from canton_console.pretty import Apply, Infix, Literal, Tree, klass, param, to_tree

UNKNOWN_FIELDS = Literal("UnknownFieldSet(fields = Map())")


def _vector(items: tuple[object, ...]) -> Apply:
    return Apply("Vector", tuple(to_tree(i) for i in items))


@attrs.frozen
class ProtoTimestamp:
    """``google.protobuf.Timestamp``: seconds and nanos since the epoch."""

    canton_type: ClassVar[str] = "Timestamp"

    seconds: int
    nanos: int

    @classmethod
    def of_micros(cls, micros: int) -> ProtoTimestamp:
        return cls(micros // 1_000_000, (micros % 1_000_000) * 1000)

    def __pretty__(self) -> Tree:
        return klass("Timestamp", param("seconds", Literal(f"{self.seconds}L")), param("nanos", self.nanos), Infix(Literal("unknownFields"), "=", UNKNOWN_FIELDS))


@attrs.frozen
class Quorum:
    canton_type: ClassVar[str] = "Quorum"

    parties: tuple[str, ...]
    threshold: int

    def __pretty__(self) -> Tree:
        return klass("Quorum", Infix(Literal("parties"), "=", _vector(self.parties)), param("threshold", self.threshold), Infix(Literal("unknownFields"), "=", UNKNOWN_FIELDS))


@attrs.frozen
class TransactionView:
    canton_type: ClassVar[str] = "TransactionView"

    informees: tuple[str, ...]
    confirmingParties: tuple[Quorum, ...]  # noqa: N815 - the message's field name
    subViews: tuple[int, ...] = ()  # noqa: N815

    def __pretty__(self) -> Tree:
        return klass(
            "TransactionView",
            Infix(Literal("informees"), "=", _vector(self.informees)),
            Infix(Literal("confirmingParties"), "=", _vector(self.confirmingParties)),
            Infix(Literal("subViews"), "=", _vector(self.subViews)),
            Infix(Literal("unknownFields"), "=", UNKNOWN_FIELDS),
        )


@attrs.frozen
class TransactionViews:
    canton_type: ClassVar[str] = "TransactionViews"

    views: tuple[tuple[int, TransactionView], ...]
    rootViews: tuple[int, ...]  # noqa: N815

    def __pretty__(self) -> Tree:
        inner = klass(
            "TransactionViews",
            Infix(Literal("views"), "=", Apply("Map", tuple(Infix(to_tree(k), "->", to_tree(v)) for k, v in self.views))),
            Infix(Literal("rootViews"), "=", _vector(self.rootViews)),
            Infix(Literal("unknownFields"), "=", UNKNOWN_FIELDS),
        )
        # the ``views`` oneof's case wraps the message
        return klass("TransactionViews", Infix(Literal("value"), "=", inner))


class VerdictResult(str):
    """``VERDICT_RESULT_ACCEPTED`` or ``VERDICT_RESULT_REJECTED``, printed bare (a protobuf enum)."""

    canton_type = "VerdictResult"

    def __pretty__(self) -> Literal:
        return Literal(str(self))


ACCEPTED = VerdictResult("VERDICT_RESULT_ACCEPTED")
REJECTED = VerdictResult("VERDICT_RESULT_REJECTED")


@attrs.frozen
class Verdict:
    """A mediator's verdict on a confirmation request."""

    canton_type: ClassVar[str] = "Verdict"

    submittingParties: tuple[str, ...]  # noqa: N815 - the message's field names
    submittingParticipantUid: str  # noqa: N815
    verdict: VerdictResult
    finalizationTime: ProtoTimestamp  # noqa: N815
    recordTime: ProtoTimestamp  # noqa: N815
    mediatorGroup: int  # noqa: N815
    views: TransactionViews
    updateId: str  # noqa: N815

    def __pretty__(self) -> Tree:
        return klass(
            "Verdict",
            Infix(Literal("submittingParties"), "=", _vector(self.submittingParties)),
            param("submittingParticipantUid", self.submittingParticipantUid),
            param("verdict", self.verdict),
            param("finalizationTime", Apply("Some", (Infix(Literal("value"), "=", to_tree(self.finalizationTime)),))),
            param("recordTime", Apply("Some", (Infix(Literal("value"), "=", to_tree(self.recordTime)),))),
            param("mediatorGroup", self.mediatorGroup),
            param("views", self.views),
            param("updateId", self.updateId),
            Infix(Literal("unknownFields"), "=", UNKNOWN_FIELDS),
        )


@attrs.frozen
class StoredVerdict:
    """A finalized request as the mediator stored it."""

    request_id: int
    finalized_at: int
    accepted: bool
    submitting_parties: tuple[str, ...]
    submitting_participant: str
    informees: tuple[tuple[str, int, bool], ...]  # (party, threshold, confirming)
    mediator_group: int
    update_id: str
