"""Component health as Canton reports it: Ok, Degraded, Failed, Fatal, and the node status data that
``health.status`` shows."""

from __future__ import annotations

import attrs

OK = "Ok"
DEGRADED = "Degraded"
FAILED = "Failed"
FATAL = "Fatal"
NOT_INITIALIZED = "Not Initialized"


@attrs.frozen
class ComponentHealth:
    name: str
    state: str = OK
    description: str | None = None
    error: str | None = None

    @property
    def is_failed(self) -> bool:
        return self.state in (FAILED, FATAL, NOT_INITIALIZED)

    def render(self) -> str:
        """``Ok()``, ``Not Initialized``, ``Failed(description, error = CODE(...): cause)``."""
        if self.state == NOT_INITIALIZED:
            return NOT_INITIALIZED
        if self.state == OK:
            return f"Ok({self.description or ''})"
        inner = self.description or ""
        if self.error:
            inner = f"{inner}, error = {self.error}" if inner else f"error = {self.error}"
        return f"{self.state}({inner})"


def ok(name: str, description: str | None = None) -> ComponentHealth:
    return ComponentHealth(name, OK, description)


def not_initialized(name: str) -> ComponentHealth:
    return ComponentHealth(name, NOT_INITIALIZED)


def failed(name: str, description: str, error: str | None = None) -> ComponentHealth:
    return ComponentHealth(name, FAILED, description, error)


@attrs.frozen
class NodeStatusData:
    """What a running, initialized node reports; the console lays it out per node kind."""

    kind: str  # participant | sequencer | mediator
    uid: str
    member: str
    uptime_micros: int
    ports: tuple[tuple[str, int], ...]
    active: bool
    components: tuple[ComponentHealth, ...]
    connected_synchronizers: tuple[str, ...] = ()
    unhealthy_synchronizers: tuple[str, ...] = ()
    synchronizer_id: str | None = None
    connected_participants: tuple[str, ...] = ()
    connected_mediators: tuple[str, ...] = ()
    accepts_admin_changes: bool = True


@attrs.frozen
class NotInitializedData:
    active: bool
    waiting_for: str  # ID | Node Topology | Initialization
