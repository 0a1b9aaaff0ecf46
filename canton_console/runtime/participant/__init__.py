"""The participant node, by concern: synchronizer connections, the transaction protocol, command
submission, ledger reads, the admin ping, and the node itself (lifecycle, health)."""

from canton_console.runtime.participant.node import ParticipantNode
from canton_console.runtime.participant.records import Connection

__all__ = ["Connection", "ParticipantNode"]
