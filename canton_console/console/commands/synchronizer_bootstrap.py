"""``<node>.topology.synchronizer_bootstrap``: the genesis topology of a synchronizer as its owners
sign it in a founding ceremony (its parameters, sequencers and mediators), collected in a store
(usually a temporary one) and exchanged as files."""

from __future__ import annotations

import builtins
from typing import Annotated

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import StoreArg
from canton_console.console.commands.topology_reads import SignedTx
from canton_console.console.commands.topology_transactions import _write, encode_signed
from canton_console.console.framework import CommandFailure, NodeGroup, command, subgroup
from canton_console.values import errors
from canton_console.values import topology as t
from canton_console.values.errors import CantonError
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.scala import Vector


@subgroup(TopologyGroup, "synchronizer_bootstrap")
class SynchronizerBootstrapGroup(NodeGroup):
    """Commands to bootstrap a synchronizer's topology"""

    scala_name = "TopologyAdministrationGroup$synchronizer_bootstrap$"

    def _latest(self, store: str, code: str, key: str) -> t.SignedTopologyTransaction | None:
        """The latest transaction of a mapping in the store: a pending proposal, else the head."""
        topology = self._admin.topology
        pending = [p for p in topology.list(store, code, proposals=True) if p.mapping.key == key]
        if pending:
            return max(pending, key=lambda p: p.serial).signed
        head = topology.head(store, code, key)
        return head.signed if head is not None else None

    def _generate(
        self, synchronizer_id: str, owners: builtins.list[str], sequencers: builtins.list[str], mediators: builtins.list[str], store: str, mediator_threshold: int
    ) -> builtins.list[t.SignedTopologyTransaction]:
        me = self._admin.identity.member_id()
        if me not in owners:
            raise CommandFailure("java.lang.IllegalArgumentException: requirement failed: Only synchronizer owners should call generate_genesis_topology.")
        collectively_owned = len(owners) > 1
        wanted = [
            t.synchronizer_parameters(synchronizer_id, DynamicSynchronizerParameters().to_dict()),
            t.mediator_state(synchronizer_id, 0, mediator_threshold, mediators, []),
            t.sequencer_state(synchronizer_id, 1, sequencers, []),
        ]
        genesis: dict[str, t.SignedTopologyTransaction] = {}
        for mapping in wanted:
            existing = self._latest(store, mapping.code, mapping.key)
            if existing is not None:
                genesis[existing.transaction.hash] = existing
            if collectively_owned or existing is None:
                try:
                    proposed = self._admin.topology.propose(store, mapping).signed
                except CantonError as e:
                    if e.code is not errors.TOPOLOGY_MAPPING_ALREADY_EXISTS:
                        raise
                    continue  # in force already with this node's signature
                # the same transaction from two owners: one transaction with both signatures
                before = genesis.get(proposed.transaction.hash)
                merged = {**(before.signatures if before is not None else {}), **proposed.signatures}
                genesis[proposed.transaction.hash] = t.SignedTopologyTransaction(proposed.transaction, merged)
        return list(genesis.values())

    @command
    def generate_genesis_topology(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        synchronizer_owners: Annotated[builtins.list[str], a.SeqOf(a.MemberArg())],
        sequencers: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("sequencer",)))],
        mediators: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("mediator",)))],
        store: Annotated[str, StoreArg()],
        mediator_threshold: Annotated[int, a.POSITIVE_INT] = 1,
    ) -> Vector:
        """Creates and returns proposals of topology transactions to bootstrap a synchronizer, specifically SynchronizerParametersState, SequencerSynchronizerState, and MediatorSynchronizerState.

        Proposed in ``store`` (signed by this node, an owner) unless the store has them already
        (a synchronizer with several owners: each owner signs the same proposals)."""
        return Vector(*(SignedTx(tx, True) for tx in self._generate(synchronizer_id, synchronizer_owners, sequencers, mediators, store, mediator_threshold)))

    @command
    def download_genesis_topology(
        self,
        synchronizer_id: Annotated[str, a.SynchronizerIdArg()],
        synchronizer_owners: Annotated[builtins.list[str], a.SeqOf(a.MemberArg())],
        sequencers: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("sequencer",)))],
        mediators: Annotated[builtins.list[str], a.SeqOf(a.MemberArg(("mediator",)))],
        output_file: Annotated[str, a.Text("a file name", allow_empty=False)],
        store: Annotated[str, StoreArg()],
        mediator_threshold: Annotated[int, a.POSITIVE_INT] = 1,
    ) -> None:
        """Creates and returns proposals of topology transactions to bootstrap a synchronizer, specifically SynchronizerParametersState, SequencerSynchronizerState, and MediatorSynchronizerState, and stores the result in a file which can be loaded using `node.topology.transactions.load_multiple_from_file`"""
        genesis = self._generate(synchronizer_id, synchronizer_owners, sequencers, mediators, store, mediator_threshold)
        _write(output_file, encode_signed(genesis))
