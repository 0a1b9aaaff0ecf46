"""Pruning values as Canton 3.3 declares and prints them: ``SequencerPruningStatus`` (with its
``SequencerMemberStatus``es) and ``PruningSchedule``."""

from __future__ import annotations

from typing import ClassVar

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.ids import Member
from canton_console.values.scala import Option
from canton_console.values.timefmt import instant


class Timestamp(int):
    """A ``CantonTimestamp`` (microseconds since the epoch), printed as its instant."""

    canton_type = "CantonTimestamp"

    def __pretty__(self) -> Literal:
        return Literal(instant(int(self)))

    def __str__(self) -> str:
        return instant(int(self))


class OptionalTimestamp(Option):
    """``Option[CantonTimestamp]``, what ``locate_pruning_timestamp`` answers."""

    canton_type = "Option[CantonTimestamp]"

    @classmethod
    def of(cls, micros: int | None) -> OptionalTimestamp:
        return cls() if micros is None else cls(Timestamp(micros), True)


@attrs.frozen
class SequencerMemberStatus:
    """A member as a sequencer knows it for pruning: when it was registered, its latest
    acknowledgement, whether it is enabled."""

    canton_type: ClassVar[str] = "SequencerMemberStatus"

    member: str
    registeredAt: Timestamp  # noqa: N815 - Canton's name
    lastAcknowledged: Timestamp | None = None  # noqa: N815 - Canton's name
    enabled: bool = True

    @property
    def safePruningTimestamp(self) -> Timestamp:  # noqa: N802 - Canton's name
        return self.lastAcknowledged if self.lastAcknowledged is not None else self.registeredAt

    def __pretty__(self) -> Tree:
        return klass(
            "SequencerMemberStatus",
            param("member", Member.parse(self.member)),
            param("registered at", self.registeredAt),
            None if self.lastAcknowledged is None else param("last acknowledged", self.lastAcknowledged),
            Literal("enabled") if self.enabled else None,
        )


@attrs.frozen
class SequencerPruningStatus:
    """Canton's ``SequencerPruningStatus``: the lower bound of what the sequencer still serves, its
    current time, and its members."""

    canton_type: ClassVar[str] = "SequencerPruningStatus"

    lowerBound: Timestamp  # noqa: N815 - Canton's name
    now: Timestamp
    members: tuple[SequencerMemberStatus, ...] = ()

    @property
    def safePruningTimestamp(self) -> Timestamp:  # noqa: N802 - Canton's name
        """The earliest safe pruning point of the enabled members; now when there are none."""
        safe = [m.safePruningTimestamp for m in self.members if m.enabled]
        return min(safe) if safe else self.now

    def __pretty__(self) -> Tree:
        members = sorted(self.members, key=lambda m: m.member)
        return klass(
            "SequencerPruningStatus",
            param("lower bound", self.lowerBound),
            param("now", self.now),
            param("members", Apply("Set", tuple(m.__pretty__() for m in members))) if members else None,
        )


@attrs.frozen
class PruningSchedule:
    """Canton's ``PruningSchedule``: a cron expression, how long a pruning run may take, and how much
    data it keeps (both whole seconds)."""

    canton_type: ClassVar[str] = "PruningSchedule"

    cron: str
    maxDuration: int  # noqa: N815 - Canton's name, seconds
    retention: int  # seconds

    def __pretty__(self) -> Tree:
        from canton_console.values.refined import PositiveDurationSeconds

        return klass(
            "PruningSchedule",
            param("cron", self.cron),
            param("maxDuration", PositiveDurationSeconds(self.maxDuration * 1_000_000)),
            param("retention", PositiveDurationSeconds(self.retention * 1_000_000)),
        )


@attrs.frozen
class ParticipantPruningSchedule:
    """Canton's ``ParticipantPruningSchedule``: a pruning schedule and whether it prunes only the
    participant's internal state."""

    canton_type: ClassVar[str] = "ParticipantPruningSchedule"

    schedule: PruningSchedule
    pruneInternallyOnly: bool = False  # noqa: N815 - Canton's name

    def __pretty__(self) -> Tree:
        return klass("ParticipantPruningSchedule", param("schedule", self.schedule.__pretty__()), param("pruneInternallyOnly", self.pruneInternallyOnly))
