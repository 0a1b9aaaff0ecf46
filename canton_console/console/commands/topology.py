"""``<node>.topology``: the topology manager's groups that are not about one mapping (sequencers of a
synchronizer, waiting for topology changes)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology_time import TimeQueryParam
from canton_console.console.framework import NodeGroup, Unsupported, command, subgroup
from canton_console.console.references import NodeReference, bounded_timeout, wait_until
from canton_console.pretty import Tree, klass, param, seq_tree
from canton_console.values import topology as t
from canton_console.values.ids import Member, SynchronizerId, UniqueIdentifier
from canton_console.values.refined import PositiveNumeric
from canton_console.values.scala import Vector


class _SignedTxs(a.Arg):
    """Signed topology transactions (``topology_transactions.SignedTxsArg``, imported when used)."""

    expects = "signed topology transactions (e.g. the result of identity_transactions())"

    def convert(self, value: Any, ctx: Any) -> Any:
        from canton_console.console.commands.topology_transactions import SignedTxsArg

        return SignedTxsArg().convert(value, ctx)


def _signed_txs() -> Any:
    return _SignedTxs()


class _UidArg(a.Arg):
    expects = "a UniqueIdentifier (e.g. UniqueIdentifier.tryCreate(\"name\", namespace))"

    def convert(self, value: Any, ctx: Any) -> UniqueIdentifier:
        if isinstance(value, UniqueIdentifier):
            return value
        raise ctx.wrong_type(self.expects, value)



@subgroup(NodeReference, "topology")
class TopologyGroup(NodeGroup):
    """Topology management related commands"""

    scala_name = "TopologyAdministrationGroup"

    @command(needs_running=False)
    def init_id(
        self,
        identifier: Annotated[str, a.Text("the identifier of the node")],
        namespace: Annotated[str, a.Text("a namespace (key fingerprint)")] = "",
        delegations: Annotated[Any, a.Optional(_signed_txs())] = (),
        delegation_files: Annotated[Sequence[str], a.SeqOf(a.Text("a file name"))] = (),
        wait_for_ready: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Initialize the node with a unique identifier

        Every node in Canton is identified using a unique identifier, composed of a user-chosen
        string and the fingerprint of a signing key, the root key of its namespace. A node
        configured with ``init.identity.type = manual`` waits for this command. If known, the
        namespace can be set to verify that it matches the root certificate; otherwise it is read
        from the delegations (given as objects or in files, e.g. from
        ``export_identity_transactions``). The node must hold the namespace's root key or a key
        the delegations delegate to. Unless ``init.generate-topology-transactions-and-keys = false``,
        the node then creates its root certificate (when it holds the root key), its keys and its
        owner-to-key mapping."""
        from canton_console.console.commands.topology_transactions import EnvelopeError, decode
        from canton_console.console.framework import CommandFailure

        if wait_for_ready:
            wait_until(self._env, self._admin.keys.ready_for_id, bounded_timeout(self._env), f"{self._node_name} is ready for id", f"{self.scala_name}.init_id")
        certs = list(delegations or ())
        for file in delegation_files:
            try:
                certs += decode(Path(file).read_bytes(), ("SignedTopologyTransaction", "SignedTopologyTransactions"))
            except FileNotFoundError:
                raise CommandFailure(f"File {file} does not exist or is not readable") from None
            except EnvelopeError as e:
                raise CommandFailure(f"Failed to parse topology transactions in {file}: {e}") from None
        self._admin.keys.init_id(identifier, namespace, certs)

    @command(needs_running=False)
    def init_id_from_uid(
        self,
        identifier: Annotated[Any, _UidArg()],
        delegations: Annotated[Any, a.Optional(_signed_txs())] = (),
        delegation_files: Annotated[Sequence[str], a.SeqOf(a.Text("a file name"))] = (),
        wait_for_ready: Annotated[bool, a.Bool()] = True,
    ) -> None:
        """Initialize the node with a unique identifier

        As ``init_id``, with the identifier and the namespace of a ``UniqueIdentifier``."""
        self.init_id(identifier.identifier, identifier.namespace.unwrap, delegations, delegation_files, wait_for_ready)


@attrs.frozen
class SequencerSynchronizerState:
    """Canton's ``SequencerSynchronizerState(synchronizerId, threshold, active, observers)``."""

    synchronizerId: SynchronizerId
    threshold: PositiveNumeric
    active: Vector = attrs.field(converter=lambda ms: Vector(*ms))
    observers: Vector = attrs.field(converter=lambda ms: Vector(*ms))

    canton_type = "SequencerSynchronizerState"

    @classmethod
    def of(cls, mapping: t.Mapping) -> SequencerSynchronizerState:
        data = mapping.data
        return cls(
            SynchronizerId.parse(data["synchronizer_id"]),
            PositiveNumeric(int(data["threshold"])),
            tuple(Member.parse(m) for m in data["active"]),
            tuple(Member.parse(m) for m in data["observers"]),
        )

    @property
    def allSequencers(self) -> Vector:  # noqa: N802 - Canton's name
        return Vector(*self.active, *self.observers)

    def __pretty__(self) -> Tree:
        return klass(
            "SequencerSynchronizerState",
            param("synchronizerId", self.synchronizerId),
            param("threshold", int(self.threshold.value)),
            param("active", seq_tree(list(self.active))),
            param("observers", seq_tree(list(self.observers))) if self.observers else None,
        )


@attrs.frozen
class ListSequencerSynchronizerStateResult:
    """A sequencer synchronizer state with where and when it is (``context``, a BaseResult)."""

    context: Any
    item: SequencerSynchronizerState

    canton_type = "ListSequencerSynchronizerStateResult"

    def __pretty__(self) -> Tree:
        return klass(self.canton_type, param("context", self.context), param("item", self.item))


@subgroup(TopologyGroup, "sequencers")
class SequencersTopologyGroup(NodeGroup):
    """Inspect sequencer synchronizer state"""

    scala_name = "TopologyAdministrationGroup$sequencers$"

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: TimeQueryParam = None,
        operation: Annotated[Any, Unsupported("only current (Replace) mappings are listed", accept=("Replace", "Some(Replace)"))] = None,
        filter_synchronizer: Annotated[str, a.Text("a synchronizer id prefix")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint prefix")] = "",
        protocol_version: Annotated[Any, Unsupported("results are in the synchronizer's protocol version")] = None,
    ) -> Vector:
        """List the sequencer synchronizer states

        The sequencer synchronizer state (threshold, active and observing sequencers) of the node's
        stores (or of ``store``); ``filterSynchronizer`` keeps those of synchronizers whose id starts
        with the text."""
        from canton_console.console.commands.topology_mappings import read_results
        from canton_console.console.commands.topology_reads import uid_matches

        stores = [store] if store is not None else self._admin.topology.stores()
        return read_results(
            self,
            stores,
            t.SEQUENCER_STATE,
            proposals,
            t.REPLACE,
            filter_signing_key,
            ListSequencerSynchronizerStateResult,
            SequencerSynchronizerState.of,
            lambda item: uid_matches(str(item.synchronizerId), filter_synchronizer),
            time_query=time_query,
        )

    @command
    def propose(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        threshold: Annotated[int, a.POSITIVE_INT32],
        active: Annotated[Sequence[str], a.SeqOf(a.MemberArg(("sequencer",)))],
        passive: Annotated[Sequence[str], a.SeqOf(a.MemberArg(("sequencer",)))] = (),
        store: Annotated[str | None, a.Optional(a.SynchronizerIdArg())] = None,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        signed_by: Annotated[str | None, a.Optional(a.Text("a key fingerprint"))] = None,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        synchronize: Annotated[Any, Unsupported("waits the console's bounded timeout", accept=("Some(console.bounded)",))] = None,
    ) -> Any:
        """Propose changes to the sequencer topology

        synchronizerId: the target synchronizer
        active: the list of active sequencers
        passive: sequencers that receive messages but are not available for members to connect to
        mustFullyAuthorize: fail unless the signatures fully authorize the transaction
        signedBy: the fingerprint of the key to be used to sign this proposal
        serial: the expected serial; None: the next one"""
        from canton_console.console.commands.topology_mappings import propose_mapping

        mapping = t.sequencer_state(synchronizer_id, threshold, list(active), list(passive or []))
        return propose_mapping(
            self,
            store or synchronizer_id,
            mapping,
            f"{self.scala_name}.propose",
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
        )


@subgroup(TopologyGroup, "synchronisation")
class SynchronisationGroup(NodeGroup):
    """Wait for topology changes to be effective"""

    scala_name = "TopologyAdministrationGroup$synchronisation$"

    @command(needs_running=False)
    def is_idle(self) -> bool:
        """Whether this node has no pending topology changes"""
        return self._env.is_idle()

    @command(needs_running=False)
    def await_idle(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> None:
        """Wait until all pending topology changes are effective"""
        wait_until(self._env, self._env.is_idle, timeout or bounded_timeout(self._env), "topology is idle", f"{self.scala_name}.await_idle")
