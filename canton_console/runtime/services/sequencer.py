"""A sequencer's admin services: the synchronizer it serves, its static parameters and its traffic control."""

from __future__ import annotations

from collections.abc import Sequence

from canton_console.runtime.services.base import LocalService
from canton_console.values.static_parameters import StaticSynchronizerParameters
from canton_console.values.traffic import TrafficState


class LocalSequencerTrafficService(LocalService):
    def synchronizer_id(self) -> str:
        return self._call(lambda: self._node.synchronizer_id)

    def traffic_states(self, members: Sequence[str] | None, selector: str, timestamp: int | None = None) -> list[tuple[str, TrafficState]]:
        def run() -> list[tuple[str, TrafficState]]:
            sync = self._env.synchronizers[self._node.synchronizer_id]  # fails as Canton does when not initialized
            return list(sync.traffic.states(None if members is None else list(members), selector, timestamp))

        return self._call(run)

    def set_traffic_balance(self, member: str, serial: int, new_balance: int) -> None:
        self._call(self._node.set_traffic_balance, member, serial, new_balance)


class LocalSequencerConnectService(LocalService):
    def synchronizer_id(self) -> str:
        return self._call(lambda: self._node.synchronizer_id)

    def static_parameters(self) -> StaticSynchronizerParameters:
        def run() -> StaticSynchronizerParameters:
            sync = self._env.synchronizers[self._node.synchronizer_id]  # fails as Canton does when not initialized
            return StaticSynchronizerParameters.from_dict(sync.static_parameters)

        return self._call(run)
