"""A participant's package service (Canton's PackageService and DamlPackageStore): the DARs and
Daml-LF packages it holds, uploading, removing and vetting them.

Two kinds of package live here. The built-in ones (AdminWorkflows with Ping, and the IOU; see
``values.ledger``) are part of the runtime: each shows as a DAR of its own, known since the
participant first vetted them, and cannot be removed or downloaded (they have no archive). Uploaded
DARs are stored with their bytes (``cc_dars``), their packages (``cc_daml_packages``) and which DAR
holds which package (``cc_dar_packages``). This console has no Daml engine, so an uploaded package's
templates cannot be run; the packages are stored, listed, vetted and removed as Canton does.

Vetting goes through the participant's topology manager: the participant's VettedPackages mapping
in its authorized store, which the participant sends on to its synchronizers.

Every method runs on the runtime thread."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select

from canton_console.store import schema as s
from canton_console.values import dars, ledger
from canton_console.values import topology as t
from canton_console.values.dars import DarDescription, PackageContents, PackageDescription
from canton_console.values.errors import CantonError, ServiceStatusError

log = logging.getLogger("canton_console.participant")

D = cast(Table, s.DarRow.__table__)
P = cast(Table, s.DamlPackageRow.__table__)
DP = cast(Table, s.DarPackageRow.__table__)

# The built-in DARs' description, as Canton describes the system packages it uploads itself.
SYSTEM_PACKAGE = "System package"
ADMIN_WORKFLOWS = "AdminWorkflows"


def _removal_error(cause: str) -> CantonError:
    return CantonError(dars.PACKAGE_OR_DAR_REMOVAL_ERROR, cause)


def dar_not_found(operation: str, main_package_id: str) -> CantonError:
    return CantonError(dars.DAR_NOT_FOUND, f"{operation} operation failed due to non-existent DAR archive with main package-id {main_package_id}")


def package_not_found(package_id: str) -> CantonError:
    return CantonError(dars.PACKAGE_CONTENT_NOT_FOUND, f"The package {package_id[:12] + '...' if len(package_id) > 12 else package_id} is not known")


class PackageManagement:
    def __init__(self, node: Any):
        self.node = node

    @property
    def _storage(self) -> Any:
        return self.node.open_storage

    # ---- built-in packages ----------------------------------------------------------------------
    def _builtin_since(self) -> int:
        """When the participant first vetted its built-in packages: they are known since then."""
        state = self.node.authorized_store
        if state is not None:
            for stored in state.all_transactions(t.VETTED_PACKAGES):
                if stored.mapping.key == self.node.member_id:
                    return stored.valid_from
        return 0

    def _builtin_descriptions(self) -> list[PackageDescription]:
        since = self._builtin_since()
        return [PackageDescription(p.id, p.name, p.version, since, 0) for p in ledger.BUILTIN_PACKAGES]

    @staticmethod
    def _builtin_dar(package: ledger.Package) -> DarDescription:
        return DarDescription(package.id, package.name, package.version, SYSTEM_PACKAGE)

    # ---- reading --------------------------------------------------------------------------------
    @staticmethod
    def _package_description(row: Any) -> PackageDescription:
        return PackageDescription(row["package_id"], row["name"], row["version"], row["uploaded_at"], row["package_size"])

    @staticmethod
    def _dar_description(row: Any) -> DarDescription:
        return DarDescription(row["main_package_id"], row["name"], row["version"], row["description"])

    def list_packages(self, limit: int | None = None) -> list[PackageDescription]:
        with self._storage.read() as conn:
            rows = conn.execute(select(P).order_by(P.c.uploaded_at, P.c.package_id)).mappings().all()
        found = self._builtin_descriptions() + [self._package_description(r) for r in rows]
        return found if limit is None else found[:limit]

    def list_dars(self, limit: int | None = None) -> list[DarDescription]:
        with self._storage.read() as conn:
            rows = conn.execute(select(D.c.main_package_id, D.c.name, D.c.version, D.c.description).order_by(D.c.uploaded_at, D.c.main_package_id)).mappings().all()
        found = [self._builtin_dar(p) for p in ledger.BUILTIN_PACKAGES] + [self._dar_description(r) for r in rows]
        return found if limit is None else found[:limit]

    def dar(self, main_package_id: str, operation: str) -> tuple[DarDescription, bytes | None]:
        """A DAR's description and bytes (None for a built-in one); DAR_NOT_FOUND when unknown."""
        builtin = ledger.package_by_id(main_package_id)
        if builtin is not None:
            return self._builtin_dar(builtin), None
        with self._storage.read() as conn:
            row = conn.execute(select(D).where(D.c.main_package_id == main_package_id)).mappings().first()
        if row is None:
            raise dar_not_found(operation, main_package_id)
        return self._dar_description(row), row["data"]

    def dar_packages(self, main_package_id: str) -> list[PackageDescription]:
        """The packages of a DAR: the main one first."""
        builtin = ledger.package_by_id(main_package_id)
        if builtin is not None:
            return [p for p in self._builtin_descriptions() if p.packageId == builtin.id]
        with self._storage.read() as conn:
            rows = conn.execute(select(P).join(DP, DP.c.package_id == P.c.package_id).where(DP.c.main_package_id == main_package_id)).mappings().all()
        described = [self._package_description(r) for r in rows]
        described.sort(key=lambda p: (p.packageId != main_package_id, p.packageId))
        return described

    def package_contents(self, package_id: str) -> PackageContents:
        builtin = ledger.package_by_id(package_id)
        if builtin is not None:
            description = next(p for p in self._builtin_descriptions() if p.packageId == package_id)
            modules = frozenset(tid.rsplit(":", 1)[0] for tid in builtin.templates)
            return PackageContents(description, modules, False, "2.1")
        with self._storage.read() as conn:
            row = conn.execute(select(P).where(P.c.package_id == package_id)).mappings().first()
        if row is None:
            raise package_not_found(package_id)
        return PackageContents(self._package_description(row), frozenset(json.loads(row["modules"])), bool(row["is_utility_package"]), row["language_version"])

    def references(self, package_id: str) -> list[DarDescription]:
        """The DARs that contain a package."""
        builtin = ledger.package_by_id(package_id)
        if builtin is not None:
            return [self._builtin_dar(builtin)]
        with self._storage.read() as conn:
            rows = conn.execute(select(D.c.main_package_id, D.c.name, D.c.version, D.c.description).join(DP, DP.c.main_package_id == D.c.main_package_id).where(DP.c.package_id == package_id)).mappings().all()
        return [self._dar_description(r) for r in rows]

    def uploaded_package_ids(self) -> set[str]:
        with self._storage.read() as conn:
            return set(conn.execute(select(P.c.package_id)).scalars())

    def has_package(self, package_id: str) -> bool:
        if ledger.package_by_id(package_id) is not None:
            return True
        with self._storage.read() as conn:
            return conn.execute(select(P.c.package_id).where(P.c.package_id == package_id)).first() is not None

    def uploaded_template(self, package_id: str, template_id: str) -> bool | None:
        """Whether an uploaded package has the template ``Module:Entity``; None: no such uploaded package."""
        with self._storage.read() as conn:
            row = conn.execute(select(P.c.templates).where(P.c.package_id == package_id)).first()
        return None if row is None else template_id in json.loads(row[0])

    # ---- uploading ------------------------------------------------------------------------------
    @staticmethod
    def validate(data: bytes, expected_main_package_id: str | None = None) -> dars.ParsedDar:
        """Canton's upload checks (without storing): the DAR parses, and its main package is the
        expected one."""
        parsed = dars.read_dar(data)
        if expected_main_package_id and parsed.main.package_id != expected_main_package_id:
            raise CantonError(
                dars.MAIN_PACKAGE_IN_DAR_DOES_NOT_MATCH_EXPECTED,
                f"The main package of the uploaded DAR is '{parsed.main.package_id}' while the provided expected value is '{expected_main_package_id}'",
            )
        return parsed

    def store(self, uploads: Sequence[tuple[bytes, str | None, str | None]]) -> list[dars.ParsedDar]:
        """Parse every DAR (bytes, description, expected main package id) first, then store them all
        in one transaction: a bad DAR stores nothing. A DAR or package the node has stays as it is."""
        parsed: list[tuple[dars.ParsedDar, bytes, str]] = []
        for data, description, expected in uploads:
            if description is not None and len(description) > dars.MAX_DESCRIPTION:
                raise CantonError(dars.INVALID_DAR_FILE_NAME, "Dar file name is invalid", reason=f"String is too long: {len(description)} > {dars.MAX_DESCRIPTION}")
            dar = self.validate(data, expected)
            parsed.append((dar, data, description if description is not None else f"DAR_{dar.main.package_id}"))
        now = self.node.env.clock.now()
        with self._storage.transaction() as conn:
            known = set(conn.execute(select(P.c.package_id)).scalars())
            known_dars = set(conn.execute(select(D.c.main_package_id)).scalars())
            for dar, data, description in parsed:
                main = dar.main
                if main.package_id in known_dars or ledger.package_by_id(main.package_id) is not None:
                    continue
                conn.execute(insert(D).values(main_package_id=main.package_id, description=description, name=main.name, version=main.version, data=data, uploaded_at=now))
                known_dars.add(main.package_id)
                for package in dar.packages:
                    if package.package_id not in known:
                        conn.execute(
                            insert(P).values(
                                package_id=package.package_id,
                                name=package.name,
                                version=package.version,
                                language_version=package.language_version,
                                modules=json.dumps(list(package.modules)),
                                templates=json.dumps(list(package.templates)),
                                is_utility_package=package.is_utility_package,
                                package_size=package.size,
                                archive=package.archive,
                                uploaded_at=now,
                            )
                        )
                        known.add(package.package_id)
                    conn.execute(insert(DP).values(main_package_id=main.package_id, package_id=package.package_id))
        for dar, _data, _description in parsed:
            log.info("Participant %s stored DAR %s with %d packages", self.node.name, dar.main.package_id, len(dar.packages))
        return [dar for dar, _, _ in parsed]

    # ---- vetting --------------------------------------------------------------------------------
    def vetted(self) -> tuple[list[dict[str, Any]], int]:
        """The participant's vetted packages in its authorized store, and the mapping's serial."""
        state = self.node.authorized_store
        head = state._current(t.VETTED_PACKAGES, self.node.member_id, None) if state is not None else None
        if head is None or head.operation != t.REPLACE:
            return [], head.serial if head is not None else 0
        return list(head.mapping.data["packages"]), head.serial

    def is_vetted(self, package_id: str) -> bool:
        return any(p["package_id"] == package_id for p in self.vetted()[0])

    def vet(self, package_ids: Sequence[str], propose: Callable[[t.Mapping], Any]) -> t.Mapping | None:
        """Add the packages to the participant's vetted packages (unbounded); the new mapping, or None
        when all were vetted already."""
        current, _serial = self.vetted()
        have = {p["package_id"] for p in current}
        added = [{"package_id": pid, "valid_from": None, "valid_until": None} for pid in dict.fromkeys(package_ids) if pid not in have]
        if not added:
            return None
        mapping = t.vetted_packages(self.node.member_id, current + added)
        propose(mapping)
        return mapping

    def unvet(self, package_ids: Sequence[str], propose: Callable[[t.Mapping], Any]) -> t.Mapping | None:
        current, _serial = self.vetted()
        dropped = set(package_ids)
        remaining = [p for p in current if p["package_id"] not in dropped]
        if len(remaining) == len(current):
            return None
        mapping = t.vetted_packages(self.node.member_id, remaining)
        propose(mapping)
        return mapping

    # ---- removing -------------------------------------------------------------------------------
    def _in_use(self, package_id: str) -> tuple[str, str] | None:
        """An active contract of a template of the package, with its synchronizer (None: unused)."""
        builtin = ledger.package_by_id(package_id)
        if builtin is None:
            return None  # no Daml engine: an uploaded package's templates never make contracts here
        c = s.ContractRow
        with self._storage.read() as conn:
            row = conn.execute(
                select(c.contract_id, c.synchronizer_id).where(c.archived_offset.is_(None), c.template_id.in_(builtin.templates)).order_by(c.created_offset)
            ).first()
        return None if row is None else (row[0], row[1])

    def _check_removable(self, package_id: str) -> None:
        """Canton's checks before removing a package: not needed by the admin workflows, unused, not vetted."""
        builtin = ledger.package_by_id(package_id)
        if builtin is not None and builtin.name == ADMIN_WORKFLOWS:
            raise _removal_error(f"Removal of package {package_id} failed as packages needed for admin workflows cannot be removed.")
        used = self._in_use(package_id)
        if used is not None:
            raise _removal_error(
                f"Package {package_id} is currently in-use by contract {used[0]} on synchronizer {used[1]}. It may also be in-use by other contracts."
            )
        if self.is_vetted(package_id):
            raise _removal_error(f"Package {package_id} is currently vetted and available to use.")

    def remove_package(self, package_id: str, force: bool) -> None:
        problem = dars.package_id_problem(package_id)
        if problem is not None:
            raise ServiceStatusError("INVALID_ARGUMENT", f"Invalid package ID: {package_id}")
        if not force:
            self._check_removable(package_id)
        if ledger.package_by_id(package_id) is not None:
            raise _removal_error(f"Removal of package {package_id} failed: it is built into canton-console's participant, which runs its templates itself.")
        with self._storage.transaction() as conn:
            conn.execute(delete(DP).where(DP.c.package_id == package_id))
            conn.execute(delete(P).where(P.c.package_id == package_id))

    def remove_dar(self, main_package_id: str, propose: Callable[[t.Mapping], Any]) -> t.Mapping | None:
        """Canton's removeDar: the main package unused; its vetting revoked (for the packages only this
        DAR holds); then those packages and the DAR removed. The new vetting mapping, if any."""
        description, data = self.dar(main_package_id, "DAR archive removal")
        builtin = ledger.package_by_id(main_package_id)
        if builtin is not None:
            if builtin.name == ADMIN_WORKFLOWS:
                raise _removal_error(f"Removal of package {main_package_id} failed as packages needed for admin workflows cannot be removed.")
            used = self._in_use(main_package_id)
            if used is not None:
                raise _removal_error(
                    f"The DAR {_dar_text(description)} cannot be removed because its main package {main_package_id} is in-use by contract {used[0]}\n"
                    f"on synchronizer {used[1]}."
                )
            raise _removal_error(f"The DAR {_dar_text(description)} cannot be removed: it is built into canton-console's participant, which runs its templates itself.")
        assert data is not None
        packages = [p.packageId for p in self.dar_packages(main_package_id)]
        with self._storage.read() as conn:
            elsewhere = set(conn.execute(select(DP.c.package_id).where(DP.c.main_package_id != main_package_id, DP.c.package_id.in_(packages))).scalars())
        exclusive = [p for p in packages if p not in elsewhere]
        mapping = self.unvet(exclusive, propose) if self.is_vetted(main_package_id) else None
        with self._storage.transaction() as conn:
            conn.execute(delete(DP).where(DP.c.main_package_id == main_package_id))
            if exclusive:
                conn.execute(delete(DP).where(DP.c.package_id.in_(exclusive)))
                conn.execute(delete(P).where(P.c.package_id.in_(exclusive)))
            conn.execute(delete(D).where(D.c.main_package_id == main_package_id))
        log.info("Participant %s removed DAR %s", self.node.name, main_package_id)
        return mapping


def _dar_text(d: DarDescription) -> str:
    """Canton's pretty DarDescription (the participant's own, in its errors)."""
    return f"DarDescription(dar-id = {d.mainPackageId[:12]}..., name = {d.name}, version = {d.version}, description = {d.description})"


def refuse_uploaded_template(node: Any, command: ledger.CreateCommand | ledger.ExerciseCommand) -> None:
    """(runtime thread) A command naming a template of a package uploaded to this participant needs
    a Daml engine to interpret it, which this console does not have. A package the participant does
    not have at all is left to Canton's PACKAGE_NOT_FOUND."""
    if command.package_id is None or ledger.package_by_id(command.package_id) is not None:
        return
    has_template = PackageManagement(node).uploaded_template(command.package_id, command.template_id)
    if has_template is None:
        return
    qualified = f"{command.package_id}:{command.template_id}"
    if not has_template:
        raise CantonError(ledger.COMMAND_PREPROCESSING_FAILED, f"unknown template {qualified}")
    builtin = ", ".join(sorted(ledger.TEMPLATES))
    raise CantonError(
        dars.DAML_ENGINE_UNAVAILABLE,
        f"Cannot interpret the command on template {qualified}: canton-console has no Daml engine, so the templates of "
        f"uploaded packages cannot be executed (the package is stored and can be vetted). Commands can use the built-in templates: {builtin}.",
    )
