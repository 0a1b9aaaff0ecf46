"""``sequencer.synchronizer_parameters.static``: the static parameters of the synchronizer a sequencer
serves, and ``<node>.config.crypto``, the crypto config ``StaticSynchronizerParameters.defaults`` takes."""

from __future__ import annotations

from typing import Any

from canton_console.console.framework import NodeGroup, command, subgroup
from canton_console.console.references import NodeReference, SequencerReference
from canton_console.values.static_parameters import CryptoConfig, StaticSynchronizerParameters


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


NODE_CONFIG_TYPES = {"participant": "ParticipantNodeConfig", "sequencer": "SequencerNodeConfig", "mediator": "MediatorNodeConfig"}


class NodeConfigView:
    """``<node>.config``: of a node's configuration this console exposes ``crypto`` only, the crypto
    config its nodes run with (Canton's default: the JCE provider, software keys)."""

    def __init__(self, kind: str, name: str):
        self._kind = kind
        self._name = name

    @property
    def canton_type(self) -> str:
        return NODE_CONFIG_TYPES[self._kind]

    @property
    def crypto(self) -> CryptoConfig:
        """The node's crypto configuration"""
        return CryptoConfig()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(f"{self._name}.config.{name}: canton-console exposes only {self._name}.config.crypto of a node's configuration")

    def __dir__(self) -> list[str]:
        return ["crypto"]

    def __pretty__(self):
        raise TypeError(f"canton-console does not show a node's whole configuration; {self._name}.config.crypto is what it exposes")

    def __repr__(self) -> str:
        return f"{self._name}.config"


def _config(self: NodeReference) -> NodeConfigView:
    """Returns the node configuration (canton-console: its crypto config only)"""
    return NodeConfigView(self._kind, self.name)


NodeReference.config = property(_config, doc=_config.__doc__)  # type: ignore[attr-defined]
