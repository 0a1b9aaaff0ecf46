"""The admin API between the console and the nodes: the seam.

The console reaches a node only through the services declared here, shaped after Canton's admin
gRPC services, and gets immutable values back (attrs records from :mod:`canton_console.admin.records`
and the value types of :mod:`canton_console.values`), never a live node, synchronizer or store
object. A service fails with a :class:`canton_console.values.errors.CantonError` (code, cause,
context as fields); rendering it is the console's job.

The in-process implementation lives in :mod:`canton_console.runtime.services`; a network client of
the same interfaces can stand in its place, so every argument and result can cross a process
boundary.
"""

from canton_console.admin.services import (
    ConnectivityService,
    ConsoleAdmin,
    IdentityService,
    LedgerService,
    LifecycleService,
    NodeAdmin,
    ParticipantTrafficService,
    PartyService,
    PingService,
    ReplicationService,
    SequencerTrafficService,
    StatusService,
    TopologyService,
)

__all__ = [
    "ConnectivityService",
    "ConsoleAdmin",
    "IdentityService",
    "LedgerService",
    "LifecycleService",
    "NodeAdmin",
    "ParticipantTrafficService",
    "PartyService",
    "PingService",
    "ReplicationService",
    "SequencerTrafficService",
    "StatusService",
    "TopologyService",
]
