"""What a running node always has, typed as such.

``Node`` declares its storage, signing key and identity Optional: they are unset before the first
start and the storage again after a stop. The node's work (processing events, serving its admin
services) runs only while it is running, when all three are set; these accessors say so to the
type checker, in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canton_console.runtime.identity import SigningKey
    from canton_console.runtime.node import Node
    from canton_console.store.storage import Storage
    from canton_console.values.ids import UniqueIdentifier


def open_storage(node: Node) -> Storage:
    """The storage of a running node (set from start to stop)."""
    storage = node.storage
    assert storage is not None, f"{node.name} has no storage: it is not running"
    return storage


def signing_key(node: Node) -> SigningKey:
    """The signing key of a node that has started once (loaded with its identity)."""
    key = node.key
    assert key is not None, f"{node.name} has no identity yet"
    return key


def node_uid(node: Node) -> UniqueIdentifier:
    """The unique identifier of a node that has started once (loaded with its identity)."""
    uid = node.uid
    assert uid is not None, f"{node.name} has no identity yet"
    return uid
