"""Canton's ``TimeQuery`` for the topology list commands: the head state, a snapshot at an instant,
or the transactions whose validity began in a range."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

from canton_console.console.framework import Arg, ArgumentError, CallContext, describe
from canton_console.pretty import Apply, Literal, Tree
from canton_console.values import topology as t
from canton_console.values.scala import Option
from canton_console.values.timefmt import instant


class TimeQuery:
    """Canton's ``TimeQuery``: what a list reads of a store's history. ``HeadState`` (the current
    transactions), ``Snapshot(asOf)`` (those valid at that instant) or ``Range(from, until)`` (every
    transaction whose validity began in that window; None: open on that side)."""

    canton_type = "TimeQuery"

    def __init__(self, kind: str, as_of: int | None = None, start: int | None = None, until: int | None = None):
        self.kind, self.as_of, self.start, self.until = kind, as_of, start, until

    def select(self, history: builtins.list[t.StoredTransaction]) -> builtins.list[t.StoredTransaction]:
        """The transactions of ``history`` (one store, one code, oldest first) this query reads."""
        effective = [st for st in history if not st.is_proposal]
        if self.kind == "Snapshot":
            assert self.as_of is not None
            at = self.as_of
            return [st for st in effective if st.valid_from <= at and (st.valid_until is None or at < st.valid_until)]
        return [st for st in effective if (self.start is None or st.valid_from >= self.start) and (self.until is None or st.valid_from <= self.until)]

    def __pretty__(self) -> Tree:
        if self.kind == "Snapshot" and self.as_of is not None:
            return Apply("Snapshot", (Literal(instant(self.as_of)),))
        return Apply("Range", (Literal(_opt_instant(self.start)), Literal(_opt_instant(self.until))))


def _opt_instant(micros: int | None) -> str:
    return "None" if micros is None else f"Some({instant(micros)})"


def _micros(value: Any, what: str) -> int | None:
    if isinstance(value, Option):
        value = value.get if value.isDefined else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"TimeQuery: {what} must be a CantonTimestamp (e.g. a result's context.validFrom), got {describe(value)}")
    return int(value)


class TimeQueryCompanion:
    """``TimeQuery.HeadState``, ``TimeQuery.Snapshot(asOf)``, ``TimeQuery.Range(from, until)``."""

    canton_type = "TimeQuery.type"
    HeadState = "HeadState"

    def Snapshot(self, asOf: Any) -> TimeQuery:  # noqa: N802, N803 - Canton's names
        at = _micros(asOf, "asOf")
        if at is None:
            raise ArgumentError("TimeQuery.Snapshot needs an instant")
        return TimeQuery("Snapshot", as_of=at)

    def Range(self, start: Any = None, until: Any = None) -> TimeQuery:  # noqa: N802 - Canton's name
        return TimeQuery("Range", start=_micros(start, "from"), until=_micros(until, "until"))

    def __repr__(self) -> str:
        return "TimeQuery"


TIME_QUERY = TimeQueryCompanion()


class TimeQueryArg(Arg):
    """``timeQuery``: ``TimeQuery.HeadState`` (the default), ``Snapshot(asOf)`` or ``Range(from, until)``."""

    expects = "a TimeQuery (TimeQuery.HeadState, TimeQuery.Snapshot(asOf) or TimeQuery.Range(from, until))"

    def convert(self, value: Any, ctx: CallContext) -> TimeQuery | None:
        if value is None or value == "HeadState":
            return None
        if isinstance(value, TimeQuery):
            return value
        raise ctx.wrong_type(self.expects, value)


TimeQueryParam = Annotated[Any, TimeQueryArg()]


def stored_for(
    topology: Any, store: str, code: str, proposals: bool, removals: bool, time_query: TimeQuery | None
) -> builtins.list[t.StoredTransaction]:
    """What a list reads of one store: the head transactions (or pending proposals), or what a time
    query selects of the store's history."""
    if time_query is None or proposals:
        return topology.list(store, code, proposals, removals=removals)
    return time_query.select(topology.history(store, code))
