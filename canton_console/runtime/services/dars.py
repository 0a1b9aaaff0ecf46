"""A participant's package admin service (Canton's PackageService gRPC service and the Ledger API's
package management): DARs and packages, see ``runtime.participant.package_management``."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import Any

from canton_console.runtime.services.base import LocalService
from canton_console.values import dars, errors
from canton_console.values import topology as t
from canton_console.values.dars import DarContents, DarDescription, PackageContents, PackageDescription
from canton_console.values.errors import CantonError, RuntimeFailure, ServiceStatusError


def _check_main_package_id(main_package_id: str) -> None:
    problem = dars.package_id_problem(main_package_id)
    if problem is not None:
        raise ServiceStatusError("INVALID_ARGUMENT", f"Invalid DAR main package-id: {main_package_id} [{problem}]")


def _check_package_id(package_id: str) -> None:
    problem = dars.package_id_problem(package_id)
    if problem is not None:
        raise CantonError(
            errors.PROTO_DESERIALIZATION_FAILURE, f"Deserialization of protobuf message failed: StringConversionError({problem},Some(packageId))"
        )


class LocalPackageService(LocalService):
    passive_refusal = "admin"

    def _packages(self) -> Any:
        from canton_console.runtime.participant.package_management import PackageManagement

        return PackageManagement(self._node)

    def _propose(self, mapping: t.Mapping) -> None:
        """(runtime thread) Through the participant's topology manager, into its authorized store."""
        from canton_console.runtime.services.topology import LocalTopologyService

        LocalTopologyService(self._env, self._node)._propose(t.AUTHORIZED_STORE, mapping, None, False, None, t.REPLACE)

    # ---- packages -------------------------------------------------------------------------------
    def list_packages(self, filter_name: str = "", limit: int | None = None) -> builtins.list[PackageDescription]:
        # Canton limits first, then filters by name prefix
        return [p for p in self._call(lambda: self._packages().list_packages(limit)) if p.name.startswith(filter_name)]

    def package_contents(self, package_id: str) -> PackageContents:
        _check_package_id(package_id)
        return self._call(lambda: self._packages().package_contents(package_id))

    def package_references(self, package_id: str) -> builtins.list[DarDescription]:
        _check_package_id(package_id)
        return self._call(lambda: self._packages().references(package_id))

    def remove_package(self, package_id: str, force: bool) -> None:
        self._call(lambda: self._packages().remove_package(package_id, force))

    def has_package(self, package_id: str) -> bool:
        return self._call(lambda: self._packages().has_package(package_id))

    # ---- DARs -----------------------------------------------------------------------------------
    def upload(
        self, uploads: Sequence[tuple[bytes, str | None, str | None]], vet_all_packages: bool, synchronize_vetting: bool, timeout_micros: int
    ) -> builtins.list[str]:
        """Store the DARs (bytes, description, expected main package id), vet all their packages when
        asked, and wait for the vetting to show on the synchronizers when asked; the main package ids."""

        def run() -> builtins.list[str]:
            management = self._packages()
            stored = management.store(list(uploads))
            if vet_all_packages:
                management.vet([p.package_id for dar in stored for p in dar.packages], self._propose)
            return [dar.main.package_id for dar in stored]

        main_ids = self._call(run)
        if vet_all_packages and synchronize_vetting:
            self.wait_vetting_observed(timeout_micros)
        return main_ids

    def validate(self, data: bytes) -> str:
        from canton_console.runtime.participant.package_management import PackageManagement

        return self._call(lambda: PackageManagement.validate(data).main.package_id)

    def list_dars(self, filter_name: str = "", limit: int | None = None) -> builtins.list[DarDescription]:
        return [d for d in self._call(lambda: self._packages().list_dars(limit)) if d.name.startswith(filter_name)]

    def dar(self, main_package_id: str) -> tuple[DarDescription, bytes | None]:
        _check_package_id(main_package_id)
        return self._call(lambda: self._packages().dar(main_package_id, "getDar"))

    def dar_contents(self, main_package_id: str) -> DarContents:
        _check_package_id(main_package_id)

        def run() -> DarContents:
            management = self._packages()
            description, _data = management.dar(main_package_id, "getDar")
            return DarContents(description, tuple(management.dar_packages(main_package_id)))

        return self._call(run)

    def remove_dar(self, main_package_id: str) -> None:
        _check_main_package_id(main_package_id)
        self._call(lambda: self._packages().remove_dar(main_package_id, self._propose))

    def vet_dar(self, main_package_id: str, synchronize: bool, timeout_micros: int) -> None:
        _check_main_package_id(main_package_id)

        def run() -> None:
            management = self._packages()
            management.dar(main_package_id, "DAR archive vetting")
            management.vet([p.packageId for p in management.dar_packages(main_package_id)], self._propose)

        self._call(run)
        if synchronize:
            self.wait_vetting_observed(timeout_micros)

    def unvet_dar(self, main_package_id: str) -> None:
        _check_main_package_id(main_package_id)

        def run() -> None:
            management = self._packages()
            management.dar(main_package_id, "DAR archive unvetting")
            if management.is_vetted(main_package_id):
                management.unvet([p.packageId for p in management.dar_packages(main_package_id)], self._propose)

        self._call(run)

    # ---- vetting synchronization ---------------------------------------------------------------
    def _vetting_lag(self) -> str | None:
        """(runtime thread) The first connected synchronizer whose topology does not yet show the
        participant's vetted packages as its authorized store has them, or None."""
        node = self._node
        wanted = {p["package_id"] for p in self._packages().vetted()[0]}
        for connection, sync, _healthy in node.connected_synchronizers():
            head = sync.topology._current(t.VETTED_PACKAGES, node.member_id, sync.now())
            shown = {p["package_id"] for p in head.mapping.data["packages"]} if head is not None and head.operation == t.REPLACE else set()
            if shown != wanted:
                return connection.synchronizer_id
        return None

    def wait_vetting_observed(self, timeout_micros: int) -> None:
        """Canton's waitPackagesVetted: until every connected synchronizer shows the participant's
        vetted packages as its authorized store has them."""
        deadline = time.monotonic() + timeout_micros / 1e6
        while True:
            lagging = self._call(self._vetting_lag)
            if lagging is None:
                return
            if time.monotonic() >= deadline:
                raise RuntimeFailure(
                    f"Participant {self._node.name} has not observed all vetting txs of {self._node.member_id} on synchronizer {lagging} within the given timeout."
                )
            time.sleep(0.01)
