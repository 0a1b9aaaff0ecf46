"""Canton's simple topology as the console starts it: synchronizer ``da`` bootstrapped by its
sequencers and mediators, every participant connected. Each step finds what is done already, so a
restart leaves the topology as it is and a start interrupted by a crash is completed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEFAULT_SYNCHRONIZER = "da"


def _connection_to_repair(participant, sync_id: str) -> str | None:
    """(runtime thread) The alias under which ``participant`` must (re)connect to ``sync_id`` for the
    default topology, or None when it is connected and onboarded (or deliberately disconnected)."""
    connection = next((c for c in participant.connections.values() if c.synchronizer_id == sync_id), None)
    if connection is None:
        return DEFAULT_SYNCHRONIZER
    if not connection.connected:
        return None  # the operator disconnected it: left as it is
    sync = participant.env.synchronizers.get(sync_id)
    if sync is not None and participant.member_id not in sync.topology.participants():
        return connection.alias
    return None


def bootstrap_default_topology(env: Any, start_participants: bool = False) -> Callable[[], bool] | None:
    """Bootstrap ``da`` (or find it) and connect the participants that are not connected yet;
    ``start_participants`` starts each participant just before it is connected. Returns a condition
    that holds once the participants it connected are onboarded, or None when none needed it."""
    sequencers = list(env.sequencers.values())
    mediators = list(env.mediators.values())
    if not sequencers or not mediators:
        if start_participants:
            env.start(list(env.participants.values()))
        return None
    sync_id = env.bootstrap_synchronizer(DEFAULT_SYNCHRONIZER, sequencers, mediators, sequencers[:1], 1)
    waiting = []
    for p in env.participants.values():
        if start_participants:
            env.start([p])
        # Connect a participant that has no connection yet, and again one whose connection was
        # registered but whose onboarding never reached the synchronizer (a crash in between).
        alias = env.call(_connection_to_repair, p, sync_id)
        if alias is not None:
            named = env.call(lambda p=p, a=alias: p.connections[a].sequencers if a in p.connections else None)
            chosen = [n for n in sequencers if named is None or n.name in named] or sequencers[:1]
            env.call(p.connect, alias, chosen[:1] if named is None else chosen)
            waiting.append(p)
    if not waiting:
        return None
    sync = env.synchronizers[sync_id]
    return lambda: env.call(lambda: all(p.member_id in sync.topology.participants(sync.now()) for p in waiting) and env.is_idle())
