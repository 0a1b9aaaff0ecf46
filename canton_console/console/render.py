"""How results are echoed: ``res1: Type = value`` with Canton's type names and pretty layout, and
the node status layouts of ``health.status``."""

from __future__ import annotations

from typing import Any

import attrs

from canton_console import CANTON_VERSION, PROTOCOL_VERSION
from canton_console.console.framework import ArgumentError
from canton_console.pretty import Literal, render
from canton_console.values.health import NodeStatusData, NotInitializedData
from canton_console.values.scala import type_name
from canton_console.values.timefmt import canton_duration

WIDTH = 80


def echo(name: str, value: Any, separator: str = ": ", width: int = WIDTH) -> str:
    """``name: Type = value`` (``separator`` is `` : `` for a Scala ``val``, as Canton's docs show)."""
    head = f"{name}{separator}{type_name(value)} = "
    return head + render(value, width=width, start_column=len(head))


def short_id(text: str) -> str:
    """An id with its fingerprint cut to 12 characters and ``...``, as Canton's pretty output."""
    head, sep, fingerprint = text.rpartition("::")
    return f"{head}::{fingerprint[:12]}..." if sep and len(fingerprint) > 12 else text


def status_text(data: NodeStatusData) -> str:
    """The body Canton prints for a running node's ``health.status`` (``ParticipantStatus``,
    ``SequencerStatus``, ``MediatorStatus``): the node's own ids in full (``toProtoPrimitive``), the
    ids in lists as their pretty (shortened) form."""
    data = attrs.evolve(
        data,
        connected_synchronizers=tuple(map(short_id, data.connected_synchronizers)),
        unhealthy_synchronizers=tuple(map(short_id, data.unhealthy_synchronizers)),
        connected_participants=tuple(map(short_id, data.connected_participants)),
        connected_mediators=tuple(map(short_id, data.connected_mediators)),
    )
    lines = []
    if data.kind == "participant":
        lines.append(f"Participant id: {data.member}")
    elif data.kind == "sequencer":
        # Canton 3.3's SequencerNode reports its synchronizer's uid as the sequencer id
        lines.append(f"Sequencer id: {data.synchronizer_id or data.uid}")
    else:
        lines.append(f"Node uid: {data.uid}")
    if data.kind in ("sequencer", "mediator"):
        lines.append(f"Synchronizer id: {data.synchronizer_id}" if data.synchronizer_id else "Synchronizer id: None")
    lines.append(f"Uptime: {canton_duration(data.uptime_micros)}")
    lines.append("Ports: " + _tab_list([f"{name}: {port}" for name, port in data.ports]))
    if data.kind == "participant":
        lines.append("Connected synchronizers: " + _tab_list(data.connected_synchronizers))
        lines.append("Unhealthy synchronizers: " + _tab_list(data.unhealthy_synchronizers))
        lines.append(f"Active: {_bool(data.active)}")
    elif data.kind == "sequencer":
        lines.append("Connected participants: " + _tab_list(data.connected_participants))
        lines.append("Connected mediators: " + _tab_list(data.connected_mediators))
        lines.append(f"Sequencer: SequencerHealthStatus(active = {_bool(data.active)})")
        lines.append(f"Accepts admin changes: {_bool(data.accepts_admin_changes)}")
        lines.append("details-extra: None")
    else:
        lines.append(f"Active: {_bool(data.active)}")
    lines.append("Components: " + _tab_list([f"{c.name} : {c.render()}" for c in data.components]))
    lines.append(f"Version: {CANTON_VERSION}")
    if data.kind == "participant":
        lines.append(f"Supported protocol version(s): {PROTOCOL_VERSION}")
    else:
        lines.append(f"Protocol version: {PROTOCOL_VERSION}")
    return "\n".join(lines)


def _tab_list(items) -> str:
    items = list(items)
    if not items:
        return "None"
    return "".join("\n\t" + str(i) for i in items)


def _bool(b: bool) -> str:
    return "true" if b else "false"


class NodeStatus:
    """``NodeStatus[ParticipantStatus]`` and friends: Success, NotInitialized or Failure."""

    def __init__(self, kind: str, instance: str, name: str, data: NodeStatusData | NotInitializedData | None, failure: str | None = None):
        self.kind = kind
        self.instance = instance
        self.name = name
        self.data = data
        self.failure = failure

    @property
    def canton_type(self) -> str:
        """The declared type the REPL echoes: ``participant1.health`` is declared a
        ``ParticipantHealthAdministration`` (``HealthAdministration[ParticipantStatus]``); a
        sequencer's and a mediator's ``health`` keep the overridden declaration,
        ``HealthAdministration[Status]``, so their status is a ``NodeStatus[sequencer1.Status]``."""
        if self.kind == "participant":
            return "NodeStatus[ParticipantStatus]"
        return f"NodeStatus[{self.name}.Status]"

    @property
    def is_success(self) -> bool:
        return isinstance(self.data, NodeStatusData)

    @property
    def active(self) -> bool:
        if isinstance(self.data, NodeStatusData):
            return self.data.active
        if isinstance(self.data, NotInitializedData):
            return self.data.active
        return False

    def successOption(self):
        from canton_console.values.scala import NONE, Some

        return Some(self.data) if self.is_success else NONE

    def text(self) -> str:
        if isinstance(self.data, NodeStatusData):
            return status_text(self.data)
        if isinstance(self.data, NotInitializedData):
            return f"NotInitialized(active = {_bool(self.data.active)}, waitingFor = {self.data.waiting_for})"
        return self.failure or "Failure"

    def __pretty__(self):
        return Literal(self.text())

    def __str__(self) -> str:
        return self.text()


class CantonStatus:
    """The top-level ``health.status``: sequencers, then mediators, then participants; in each
    group first the nodes that answered (by name), then the unreachable and uninitialized ones (by name)."""

    canton_type = "CantonStatus"

    def __init__(self, statuses: list[NodeStatus]):
        self.statuses = statuses

    def text(self) -> str:
        blocks = []
        for kind in ("sequencer", "mediator", "participant"):
            of_kind = sorted((st for st in self.statuses if st.kind == kind), key=lambda st: st.name)
            blocks += [f"Status for {st.instance} '{st.name}':\n{st.text()}" for st in of_kind if st.is_success]
            for st in of_kind:
                if st.is_success:
                    continue
                if isinstance(st.data, NotInitializedData):
                    blocks.append(f"{st.instance} '{st.name}' cannot be reached: {st.instance} '{st.name}' has not been initialized")
                else:
                    blocks.append(f"{st.instance} '{st.name}' cannot be reached: {st.failure}")
        return "\n\n".join(blocks)

    def __call__(self, *args: Any, **kwargs: Any) -> CantonStatus:
        """Canton declares ``def status(): CantonStatus``: ``health.status()`` is the same value."""
        if args or kwargs:
            raise ArgumentError("health.status takes no arguments")
        return self

    def __pretty__(self):
        return Literal(self.text())


class HelpText(str):
    """Help output: printed as it is, never as ``resN: … = …``."""

    canton_type = "Help"
