"""Traffic control commands: ``sequencer1.traffic_control`` and ``participant1.traffic_control``.

The sequencer's group inspects every member's traffic (Canton's timestamp selectors: latest safe,
latest approximate, last update per member, an exact timestamp) and tops members up
(``set_traffic_balance``). The participant's group shows the participant's own view of its traffic,
built from the receipts of the events it sent and the top-ups delivered to it.

Results render as Canton's console prints them: ``SequencerTrafficStatus`` is a plain case class
(pprint with field names, ``Map(member -> Right(value = TrafficState(...)))``), ``TrafficState`` a
Pretty record. They also behave as the Scala values do: ``status.trafficStates(participant1).serial``
is an ``Option`` of ``PositiveNumeric``, so ``.getOrElse(PositiveNumeric.tryCreate(1)).increment`` and
``.exists(lambda s: s >= nextSerial)`` work.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.framework import Arg, CallContext, NodeGroup, command, subgroup
from canton_console.console.references import ParticipantReference, SequencerReference
from canton_console.pretty import Apply, Infix, Literal, Tree
from canton_console.values import traffic as tr
from canton_console.values.either import Either, Left, Right
from canton_console.values.ids import Member
from canton_console.values.refined import NonNegativeNumeric, PositiveNumeric
from canton_console.values.scala import NONE, NoSuchElement, Option, ScalaMap, Some
from canton_console.values.timefmt import parse_instant

SEQUENCER_TRAFFIC_STATUS_TYPE = "com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus"
TRAFFIC_STATE_TYPE = "com.digitalasset.canton.sequencing.protocol.TrafficState"


# ---- values ----------------------------------------------------------------------------------


class TrafficState:
    """Canton's ``TrafficState`` in the console: the runtime record with Scala-typed accessors.

    ``extraTrafficPurchased`` (shown as ``extraTrafficLimit``), ``extraTrafficConsumed``,
    ``baseTrafficRemainder`` and ``lastConsumedCost`` are ``NonNegativeLong``s, ``timestamp`` a
    ``CantonTimestamp``, ``serial`` an ``Option[PositiveInt]``, ``availableTraffic`` a number."""

    __slots__ = ("state",)
    canton_type = TRAFFIC_STATE_TYPE

    def __init__(self, state: tr.TrafficState):
        self.state = state

    @property
    def extraTrafficPurchased(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.state.extraTrafficPurchased, long=True)

    extraTrafficLimit = extraTrafficPurchased

    @property
    def extraTrafficConsumed(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.state.extraTrafficConsumed, long=True)

    @property
    def baseTrafficRemainder(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.state.baseTrafficRemainder, long=True)

    @property
    def lastConsumedCost(self) -> NonNegativeNumeric:
        return NonNegativeNumeric(self.state.lastConsumedCost, long=True)

    @property
    def timestamp(self):
        from canton_console.console.commands.top_level import CantonTimestamp

        return CantonTimestamp(self.state.timestamp)

    @property
    def serial(self) -> Option:
        s = self.state.serial
        return NONE if s is None else Some(PositiveNumeric(s))

    @property
    def availableTraffic(self) -> int:
        return self.state.availableTraffic

    @property
    def extraTrafficRemainder(self) -> int:
        return self.state.extraTrafficRemainder

    # snake_case spellings for Python users
    extra_traffic_purchased = extraTrafficPurchased
    extra_traffic_consumed = extraTrafficConsumed
    base_traffic_remainder = baseTrafficRemainder
    last_consumed_cost = lastConsumedCost
    available_traffic = availableTraffic

    def __pretty__(self) -> Tree:
        return self.state.__pretty__()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TrafficState):
            return self.state == other.state
        if isinstance(other, tr.TrafficState):
            return self.state == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.state)

    def __repr__(self) -> str:
        from canton_console.pretty import flat

        return flat(self.__pretty__())


@functools.lru_cache(maxsize=65536)
def _member(member_id: str) -> Member:
    return Member.parse(member_id)


class SequencerTrafficStatus:
    """Canton's ``SequencerTrafficStatus(trafficStatesOrErrors: Map[Member, Either[String, TrafficState]])``.

    A plain case class, so the console shows it with its field name; ``trafficStates`` holds the
    successful states only. The maps are built on first use (a status of 10,000 members is cheap
    until it is looked at)."""

    canton_type = SEQUENCER_TRAFFIC_STATUS_TYPE

    def __init__(self, entries: Iterable[tuple[str, tr.TrafficState]]):
        self._entries = list(entries)
        self._or_errors: ScalaMap | None = None
        self._states: ScalaMap | None = None

    @property
    def trafficStatesOrErrors(self) -> ScalaMap:
        if self._or_errors is None:
            self._or_errors = ScalaMap((_member(m), Right(TrafficState(s))) for m, s in self._entries)
        return self._or_errors

    @property
    def trafficStates(self) -> ScalaMap:
        """The members whose state is known, with their ``TrafficState`` (``trafficStates(participant1)``)."""
        if self._states is None:
            self._states = ScalaMap((_member(m), TrafficState(s)) for m, s in self._entries)
        return self._states

    traffic_states = trafficStates
    traffic_states_or_errors = trafficStatesOrErrors

    def members(self) -> list[str]:
        """The member ids, in the order shown."""
        return [m for m, _ in self._entries]

    def state_of(self, member: Any) -> tr.TrafficState:
        """The runtime state of a member (a reference, ``Member`` or id text)."""
        wanted = a.member_id_of(member)
        for m, s in self._entries:
            if m == wanted:
                return s
        raise NoSuchElement(f"key not found: {wanted}")

    def __len__(self) -> int:
        return len(self._entries)

    def __pretty__(self) -> Tree:
        entries = tuple(
            Infix(_member(m).__pretty__(), "->", Apply("Right", (Infix(Literal("value"), "=", s.__pretty__()),)))
            for m, s in self._entries
        )
        return Apply("SequencerTrafficStatus", (Infix(Literal("trafficStatesOrErrors"), "=", Apply("Map", entries)),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SequencerTrafficStatus) and self._entries == other._entries

    def __repr__(self) -> str:
        return f"SequencerTrafficStatus({len(self._entries)} members)"


# ---- argument converters ---------------------------------------------------------------------


class TimestampArg(Arg):
    """A ``CantonTimestamp``: the console's timestamps (``clock.now``), an ISO instant text, or an
    aware ``datetime``; returned as microseconds since the epoch."""

    expects = "a timestamp such as clock.now, a CantonTimestamp or \"2025-07-17T22:19:58.353490Z\""

    def convert(self, value: Any, ctx: CallContext) -> int:
        if isinstance(value, bool):
            raise ctx.wrong_type(self.expects, value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, str):
            try:
                return parse_instant(value)
            except ValueError as e:
                raise ctx.bad_value(str(e)) from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ctx.bad_value("a datetime needs a time zone (e.g. datetime.now(timezone.utc))")
            delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
            return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        raise ctx.wrong_type(self.expects, value)


MEMBERS = a.SeqOf(a.MemberArg(("participant", "mediator", "sequencer")))
TRAFFIC_MEMBER = a.MemberArg(("participant", "mediator"))


# ---- the sequencer's commands ----------------------------------------------------------------


@subgroup(SequencerReference, "traffic_control")
class SequencerTrafficGroup(NodeGroup):
    """Traffic control related commands"""

    scala_name = "TrafficControlSequencerAdministrationGroup"

    def _status(self, members: list[str] | None, selector: str, timestamp: int | None = None) -> SequencerTrafficStatus:
        return SequencerTrafficStatus(self._admin.traffic.traffic_states(members, selector, timestamp))

    @command
    def traffic_state_of_members(self, members: Annotated[list[str], MEMBERS]) -> SequencerTrafficStatus:
        """Return the traffic state of the given members

        The state at the latest safe timestamp (the successor of the last sequenced event, or the
        synchronizer's clock when nothing is being sequenced). Unknown members and sequencers are
        left out."""
        return self._status(members, "latest-safe")

    @command
    def traffic_state_of_members_approximate(self, members: Annotated[list[str], MEMBERS]) -> SequencerTrafficStatus:
        """Return the traffic state of the given members at the latest approximate time

        The state at the latest time the sequencer can estimate (its clock). CAREFUL: the returned
        state is only an approximation and might not be the state by the time the synchronizer
        reaches that timestamp."""
        return self._status(members, "latest-approximate")

    @command
    def last_traffic_state_update_of_members(self, members: Annotated[list[str], MEMBERS]) -> SequencerTrafficStatus:
        """Return the last traffic state update of the given members, per member

        The state as of each member's last consumption: base traffic is not extrapolated."""
        return self._status(members, "last-update")

    @command
    def traffic_state_of_members_at_timestamp(self, members: Annotated[list[str], MEMBERS], timestamp: Annotated[int, TimestampArg()]) -> SequencerTrafficStatus:
        """Return the traffic state of the given members at a specific timestamp

        A timestamp after a member's last update is extrapolated to; for an earlier one the
        member's latest state is returned (as Canton does)."""
        return self._status(members, "exact", timestamp)

    @command
    def traffic_state_of_all_members(self, latest_approximate: Annotated[bool, a.Bool()] = False) -> SequencerTrafficStatus:
        """Return the traffic state of the all members

        Every participant and mediator of the synchronizer, in the order they joined it. Set
        latestApproximate to true to get the state at the latest time the sequencer can estimate."""
        return self._status(None, "latest-approximate" if latest_approximate else "latest-safe")

    @command
    def set_traffic_balance(self, member: Annotated[str, TRAFFIC_MEMBER], serial: Annotated[int, a.POSITIVE_INT32], new_balance: Annotated[int, a.NON_NEGATIVE_LONG]) -> None:
        """Set the traffic purchased entry of a member

        Parameters:
        - member: Member for which the traffic purchased entry is to be set.
        - serial: Serial number of the request, must be strictly greater than the latest update
          made for that member.
        - newBalance: New traffic purchased entry to be set (the new total, not an increment).

        The update is effective once the sequencer threshold of sequencers submitted it within the
        same submission window (setBalanceRequestSubmissionWindowSize), strictly after it was
        sequenced. If the new balance does not appear in the traffic state after the window, retry."""
        self._admin.traffic.set_traffic_balance(member, serial, new_balance)
        return None


# ---- the participant's commands --------------------------------------------------------------


@subgroup(ParticipantReference, "traffic_control")
class ParticipantTrafficGroup(NodeGroup):
    """Traffic control related commands"""

    scala_name = "ParticipantTrafficControlAdministrationGroup"

    @command
    def traffic_state(self, synchronizer_id: Annotated[str, a.SynchronizerIdArg()]) -> TrafficState:
        """Return the traffic state of the node

        The participant's own view of its traffic on the synchronizer: the receipt of the last event
        it sent and the top-ups delivered to it. It lags the sequencer's view and is not
        extrapolated to now; with traffic control disabled it is all zeros at the epoch."""
        return TrafficState(self._admin.traffic.traffic_state(synchronizer_id))


__all__ = [
    "Either",
    "Left",
    "ParticipantTrafficGroup",
    "Right",
    "SequencerTrafficGroup",
    "SequencerTrafficStatus",
    "TimestampArg",
    "TrafficState",
]
