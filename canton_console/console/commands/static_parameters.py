"""``sequencer.synchronizer_parameters.static``: the static parameters of the synchronizer a sequencer
serves (``<node>.config``, whose ``crypto`` ``StaticSynchronizerParameters.defaults`` takes, is in
:mod:`node_config`)."""

from __future__ import annotations

from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.console.references import SequencerReference
from canton_console.values.static_parameters import StaticSynchronizerParameters


@subgroup(SequencerReference, "synchronizer_parameters")
class SequencerSynchronizerParametersGroup(NodeGroup):
    """Synchronizer parameters related commands"""

    scala_name = "SequencerReference$synchronizer_parameters$"


@subgroup(SequencerSynchronizerParametersGroup, "static")
class StaticSynchronizerParametersGroup(NodeGroup):
    """Static synchronizer parameters of the synchronizer"""

    scala_name = "SequencerReference$synchronizer_parameters$static$"

    @command
    def get(self) -> StaticSynchronizerParameters:
        """Return static synchronizer parameters of the synchronizer

        Fixed when the synchronizer was bootstrapped (``staticSynchronizerParameters`` of
        ``bootstrap.synchronizer``); fails while the sequencer has not been initialized."""
        return self._admin.sequencer_connect.static_parameters()
