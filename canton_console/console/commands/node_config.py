"""``<node>.config``: the node's configuration as Canton's config objects, read-only (addresses and
ports of its APIs, its storage with the password masked, its crypto config), from the node's admin
services."""

from __future__ import annotations

from canton_console.console.references import NodeReference
from canton_console.values.node_config import NodeConfigValue


def _config(self: NodeReference) -> NodeConfigValue:
    """Returns the node's configuration (Canton: ``Return participant config``, ``Returns the sequencer configuration``, ``Returns the mediator configuration``)

    Read-only: ``adminApi``, ``ledgerApi`` (participant), ``publicApi`` (sequencer) with their
    ``address`` and ``port``, ``storage`` (password masked) and ``crypto``."""
    return self._admin.node_config.config()


NodeReference.config = property(_config, doc=_config.__doc__)  # type: ignore[attr-defined]
