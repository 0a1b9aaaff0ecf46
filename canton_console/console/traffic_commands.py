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
from typing import Any, Iterable

from canton_console.console import args as a
from canton_console.console.framework import Arg, CallContext, Group, command
from canton_console.console.scalalib import NONE, NoSuchElement, Option, ScalaMap, Some
from canton_console.pretty import Apply, Infix, Literal, Tree, to_tree
from canton_console.values import errors as rt_errors
from canton_console.values import traffic as tr
from canton_console.values.errors import CantonError
from canton_console.runtime.identity import Member
from canton_console.values.timefmt import parse_instant
from canton_console.values.refined import NonNegativeNumeric, PositiveNumeric

SEQUENCER_TRAFFIC_STATUS_TYPE = "com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus"
TRAFFIC_STATE_TYPE = "com.digitalasset.canton.sequencing.protocol.TrafficState"


# ---- values ----------------------------------------------------------------------------------


class Either:
    """Scala's ``Either``: ``Right(value)`` or ``Left(value)``, rendered by pprint as
    ``Right(value = ...)``."""

    __slots__ = ("_value", "_right")

    def __init__(self, value: Any, right: bool):
        self._value = value
        self._right = right

    @property
    def isRight(self) -> bool:
        return self._right

    @property
    def isLeft(self) -> bool:
        return not self._right

    @property
    def value(self) -> Any:
        return self._value

    @property
    def toOption(self) -> Option:
        return Some(self._value) if self._right else NONE

    def getOrElse(self, default: Any) -> Any:
        return self._value if self._right else default

    def exists(self, predicate) -> bool:
        return self._right and bool(predicate(self._value))

    def map(self, fn) -> "Either":
        return Either(fn(self._value), True) if self._right else self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Either) and (self._right, self._value) == (other._right, other._value)

    def __hash__(self) -> int:
        return hash((self._right, self._value))

    def __pretty__(self) -> Tree:
        return Apply("Right" if self._right else "Left", (Infix(Literal("value"), "=", to_tree(self._value)),))

    def __repr__(self) -> str:
        return f"{'Right' if self._right else 'Left'}({self._value!r})"

    @property
    def canton_type(self) -> str:
        from canton_console.console.render import type_name

        return f"{'Right' if self._right else 'Left'}[{type_name(self._value)}]"


def Right(value: Any) -> Either:  # noqa: N802 - Scala's name
    return Either(value, True)


def Left(value: Any) -> Either:  # noqa: N802 - Scala's name
    return Either(value, False)


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
        from canton_console.console.namespace import CantonTimestamp

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
            delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
            return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        raise ctx.wrong_type(self.expects, value)


MEMBERS = a.SeqOf(a.MemberArg(("participant", "mediator", "sequencer")))
TRAFFIC_MEMBER = a.MemberArg(("participant", "mediator"))


# ---- the sequencer's commands ----------------------------------------------------------------


class SequencerTrafficGroup(Group):
    """Traffic control related commands"""

    scala_name = "TrafficControlSequencerAdministrationGroup"

    def __init__(self, ref, path: str):
        super().__init__(path, ref._env, ref._node)
        self._ref = ref

    def _sync(self):
        node = self._node
        sync_id = node.synchronizer_id  # fails as Canton does when the sequencer is not initialized
        return self._env.synchronizers[sync_id]

    def _status(self, members: list[str] | None, selector: str, timestamp: int | None = None) -> SequencerTrafficStatus:
        def run():
            sync = self._sync()
            return sync.traffic.states(members, selector, timestamp)

        return SequencerTrafficStatus(self._env.call(run))

    @command
    def traffic_state_of_members(self, members: MEMBERS) -> SequencerTrafficStatus:
        """Return the traffic state of the given members

        The state at the latest safe timestamp (the successor of the last sequenced event, or the
        synchronizer's clock when nothing is being sequenced). Unknown members and sequencers are
        left out."""
        return self._status(members, "latest-safe")

    @command
    def traffic_state_of_members_approximate(self, members: MEMBERS) -> SequencerTrafficStatus:
        """Return the traffic state of the given members at the latest approximate time

        The state at the latest time the sequencer can estimate (its clock). CAREFUL: the returned
        state is only an approximation and might not be the state by the time the synchronizer
        reaches that timestamp."""
        return self._status(members, "latest-approximate")

    @command
    def last_traffic_state_update_of_members(self, members: MEMBERS) -> SequencerTrafficStatus:
        """Return the last traffic state update of the given members, per member

        The state as of each member's last consumption: base traffic is not extrapolated."""
        return self._status(members, "last-update")

    @command
    def traffic_state_of_members_at_timestamp(self, members: MEMBERS, timestamp: TimestampArg()) -> SequencerTrafficStatus:
        """Return the traffic state of the given members at a specific timestamp

        A timestamp after a member's last update is extrapolated to; for an earlier one the
        member's latest state is returned (as Canton does)."""
        return self._status(members, "exact", timestamp)

    @command
    def traffic_state_of_all_members(self, latest_approximate: a.Bool() = False) -> SequencerTrafficStatus:
        """Return the traffic state of the all members

        Every participant and mediator of the synchronizer, in the order they joined it. Set
        latestApproximate to true to get the state at the latest time the sequencer can estimate."""
        return self._status(None, "latest-approximate" if latest_approximate else "latest-safe")

    @command
    def set_traffic_balance(self, member: TRAFFIC_MEMBER, serial: a.POSITIVE_INT32, new_balance: a.NON_NEGATIVE_LONG) -> None:
        """Set the traffic purchased entry of a member

        Parameters:
        - member: Member for which the traffic purchased entry is to be set.
        - serial: Serial number of the request, must be strictly greater than the latest update
          made for that member.
        - newBalance: New traffic purchased entry to be set (the new total, not an increment).

        The update is effective once the sequencer threshold of sequencers submitted it within the
        same submission window (setBalanceRequestSubmissionWindowSize), strictly after it was
        sequenced. If the new balance does not appear in the traffic state after the window, retry."""
        self._env.call(self._node.set_traffic_balance, member, serial, new_balance)
        return None


# ---- the participant's commands --------------------------------------------------------------


class ParticipantTrafficGroup(Group):
    """Traffic control related commands"""

    scala_name = "ParticipantTrafficControlAdministrationGroup"

    def __init__(self, ref, path: str):
        super().__init__(path, ref._env, ref._node)
        self._ref = ref

    @command
    def traffic_state(self, synchronizer_id: a.SynchronizerIdArg()) -> TrafficState:
        """Return the traffic state of the node

        The participant's own view of its traffic on the synchronizer: the receipt of the last event
        it sent and the top-ups delivered to it. It lags the sequencer's view and is not
        extrapolated to now; with traffic control disabled it is all zeros at the epoch."""
        node = self._node

        def run() -> tr.TrafficState:
            if synchronizer_id is None or not node.is_connected(synchronizer_id):
                raise CantonError(
                    rt_errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER,
                    f"This participant is not connected to synchronizer {synchronizer_id}",
                )
            sync = self._env.synchronizers[synchronizer_id]
            receipt = node.traffic_receipts.get(synchronizer_id)
            return sync.traffic.member_view(node.member_id, receipt, node.last_seen.get(synchronizer_id, 0))

        return TrafficState(self._env.call(run))


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
