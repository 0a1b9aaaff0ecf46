"""Canton's ``SequencerSnapshot`` (what ``sequencer.setup.snapshot`` returns), printed as Canton's
``prettyOfClass`` lays it out."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from canton_console.pretty import Apply, Infix, Literal, Tree, klass, param, to_tree
from canton_console.values.ids import Member
from canton_console.values.pruning import SequencerPruningStatus, Timestamp


@attrs.frozen
class InFlightTopUp:
    """A top-up waiting for the sequencer threshold (Canton's ``InFlightAggregation``): the
    sequencers that sent it so far and until when it may be sequenced."""

    member: str
    serial: int
    amount: int
    maxSequencingTimestamp: Timestamp  # noqa: N815 - Canton's name
    aggregatedSenders: tuple[str, ...]  # noqa: N815

    def __pretty__(self) -> Tree:
        return klass(
            "InFlightAggregation",
            param("aggregatedSenders", Apply("Set", tuple(Member.parse(m).__pretty__() for m in self.aggregatedSenders))),
            param("maxSequencingTimestamp", self.maxSequencingTimestamp),
        )


@attrs.frozen
class SequencerSnapshot:
    canton_type: ClassVar[str] = "SequencerSnapshot"

    lastTs: Timestamp  # noqa: N815 - Canton's names
    latestBlockHeight: int  # noqa: N815
    previousTimestamps: tuple[tuple[str, Timestamp | None], ...]  # noqa: N815
    status: SequencerPruningStatus
    inFlightAggregations: tuple[InFlightTopUp, ...]  # noqa: N815
    trafficPurchased: tuple[Any, ...]  # noqa: N815
    trafficConsumed: tuple[Any, ...]  # noqa: N815
    additional: None = None

    def __pretty__(self) -> Tree:
        def option(ts: Timestamp | None) -> Tree:
            return Literal("None") if ts is None else Apply("Some", (to_tree(ts),))

        return klass(
            "SequencerSnapshot",
            param("lastTs", self.lastTs),
            param("latestBlockHeight", self.latestBlockHeight),
            param("previousTimestamps", Apply("Map", tuple(Infix(Member.parse(m).__pretty__(), "->", option(ts)) for m, ts in self.previousTimestamps))),
            param("status", self.status),
            param(
                "inFlightAggregations",
                Apply("Map", tuple(Infix(Literal(f"{a.member}/{a.serial}/{a.amount}"), "->", a.__pretty__()) for a in self.inFlightAggregations)),
            ),
            param("additional", Literal("None")),
            param("trafficPurchased", Apply("Seq", tuple(to_tree(p) for p in self.trafficPurchased))),
            param("trafficConsumed", Apply("Seq", tuple(to_tree(c) for c in self.trafficConsumed))),
        )
