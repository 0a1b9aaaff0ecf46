"""``<node>.topology.vetted_packages``: which packages a participant has vetted (Canton's
VettedPackages mapping), authorized by the participant's namespace. This console's participants have
the built-in packages (AdminWorkflows with Ping, and the IOU) and vet them when they first start."""

from __future__ import annotations

import builtins
from typing import Annotated, Any, ClassVar

import attrs

from canton_console.console import args as a
from canton_console.console.commands.topology import TopologyGroup
from canton_console.console.commands.topology_mappings import (
    BOUNDED,
    ForceFlag,
    ForceFlags,
    ListOperationArg,
    SignedByArg,
    StoreArg,
    SynchronizeArg,
    TopologyResult,
    propose_mapping,
    read_results,
)
from canton_console.console.commands.topology_reads import AnyProtocolVersion, HeadStateOnly, uid_matches
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.pretty import Literal, Tree, klass, param
from canton_console.values import topology as t
from canton_console.values.ids import ParticipantId
from canton_console.values.ledger import package_by_id
from canton_console.values.scala import NONE, Option, Vector
from canton_console.values.timefmt import instant


@attrs.frozen
class VettedPackage:
    """Canton's ``VettedPackage(packageId, validFrom, validUntil)``: a package vetted, possibly
    only within a time window (µs; None: unbounded on that side)."""

    canton_type: ClassVar[str] = "VettedPackage"

    packageId: str
    validFrom: int | None = None
    validUntil: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"package_id": self.packageId, "valid_from": self.validFrom, "valid_until": self.validUntil}

    @classmethod
    def of(cls, d: dict[str, Any]) -> VettedPackage:
        return cls(d["package_id"], d.get("valid_from"), d.get("valid_until"))

    def __pretty__(self) -> Tree:
        unbounded = self.validFrom is None and self.validUntil is None
        return klass(
            "VettedPackage",
            param("packageId", Literal(self.packageId)),
            param("validFrom", Literal(instant(self.validFrom))) if self.validFrom is not None else None,
            param("validUntil", Literal(instant(self.validUntil))) if self.validUntil is not None else None,
            Literal("unbounded") if unbounded else None,
        )


class VettedPackageCompanion:
    """``VettedPackage(packageId, validFrom, validUntil)`` and ``VettedPackage.unbounded(packageIds)``."""

    canton_type = "VettedPackage.type"

    def __call__(self, packageId: str, validFrom: Any = None, validUntil: Any = None) -> VettedPackage:  # noqa: N803 - Canton's names
        def micros(v: Any) -> int | None:
            v = v.get if isinstance(v, Option) and v.isDefined else (None if v is NONE else v)
            return None if v is None else int(v)

        return VettedPackage(str(packageId), micros(validFrom), micros(validUntil))

    def unbounded(self, packageIds: Any) -> Vector:  # noqa: N803 - Canton's name
        return Vector(*(VettedPackage(str(p)) for p in packageIds))

    def __repr__(self) -> str:
        return "VettedPackage"


VETTED_PACKAGE = VettedPackageCompanion()


@attrs.frozen
class VettedPackages:
    """Canton's ``VettedPackages(participantId, packages)``."""

    canton_type: ClassVar[str] = "VettedPackages"

    participantId: ParticipantId
    packages: Vector

    @classmethod
    def of(cls, mapping: t.Mapping) -> VettedPackages:
        data = mapping.data
        return cls(ParticipantId.parse(data["participant"]), Vector(*(VettedPackage.of(p) for p in data["packages"])))

    def __pretty__(self) -> Tree:
        return klass("VettedPackages", param("participantId", self.participantId), param("packages", self.packages))


class ListVettedPackagesResult(TopologyResult):
    canton_type = "ListVettedPackagesResult"


class VettedPackagesArg(Arg):
    expects = "a Seq of VettedPackage (e.g. VettedPackage.unbounded(Seq(packageId)))"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[VettedPackage]:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(v, VettedPackage) for v in items):
            raise ctx.wrong_type(self.expects, value)
        return items


class PackageIdsArg(Arg):
    expects = "a Seq of package ids"

    def convert(self, value: Any, ctx: CallContext) -> builtins.list[str]:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(v, str) for v in items):
            raise ctx.wrong_type(self.expects, value)
        return items


class ForceFlagsArg(Arg):
    expects = "ForceFlags (e.g. ForceFlags(ForceFlag.AllowUnknownPackage))"

    def convert(self, value: Any, ctx: CallContext) -> ForceFlags:
        if isinstance(value, ForceFlag):
            return ForceFlags(value)
        if isinstance(value, ForceFlags):
            return value
        raise ctx.wrong_type(self.expects, value)


@subgroup(TopologyGroup, "vetted_packages")
class VettedPackagesGroup(NodeGroup):
    """Manage package vettings"""

    scala_name = "TopologyAdministrationGroup$vetted_packages$"

    @command
    def list(
        self,
        store: Annotated[str | None, a.Optional(StoreArg())] = None,
        proposals: Annotated[bool, a.Bool()] = False,
        time_query: HeadStateOnly = None,
        operation: Annotated[str | None, ListOperationArg()] = t.REPLACE,
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        filter_signing_key: Annotated[str, a.Text("a key fingerprint filter")] = "",
        protocol_version: AnyProtocolVersion = None,
    ) -> Vector:
        """List package vettings

        The VettedPackages mappings of the node's stores (or of ``store``); ``filterParticipant``
        keeps those of participants whose uid matches it."""
        stores = [store] if store is not None else self._admin.topology.stores()
        return read_results(
            self,
            stores,
            t.VETTED_PACKAGES,
            proposals,
            operation,
            filter_signing_key,
            ListVettedPackagesResult,
            VettedPackages.of,
            lambda item: uid_matches(str(item.participantId).split("::", 1)[1], filter_participant),
            time_query=time_query,
        )

    def _check(self, command_name: str, current: builtins.list[str], packages: builtins.list[VettedPackage], force: ForceFlags) -> None:
        """Canton's topology manager checks: the packages must exist on the node, and taking a
        package's vetting away needs a force flag."""
        local = self._admin.packages  # the node's own packages: built in and uploaded (dars.upload)
        unknown = [p.packageId for p in packages if (package_by_id(p.packageId) is None if local is None else not local.has_package(p.packageId))]
        if unknown and ForceFlag.AllowUnknownPackage not in force:
            raise CommandFailure(
                f"TOPOLOGY_CANNOT_VET_DUE_TO_MISSING_PACKAGES(11,0): Package vetting failed due to packages not existing on the local node: {', '.join(unknown)}",
                command_name,
            )
        removed = set(current) - {p.packageId for p in packages}
        if removed and ForceFlag.AllowUnvetPackage not in force:
            raise CommandFailure(
                "TOPOLOGY_DANGEROUS_VETTING_COMMAND_REQUIRES_FORCE_FLAG(9,0): Revoking a vetted package requires ForceFlag.AllowUnvetPackage",
                command_name,
            )

    def _current(self, store: str, participant: str) -> tuple[builtins.list[str], builtins.list[VettedPackage], int]:
        head = self._admin.topology.head(store, t.VETTED_PACKAGES, participant)
        if head is None:
            return [], [], 0
        packages = [VettedPackage.of(p) for p in head.mapping.data["packages"]] if head.operation == t.REPLACE else []
        return [p.packageId for p in packages], packages, head.serial

    @command
    def propose(
        self,
        participant: Annotated[str, a.MemberArg(("participant",))],
        packages: Annotated[builtins.list[VettedPackage], VettedPackagesArg()],
        store: Annotated[str, StoreArg()] = t.AUTHORIZED_STORE,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        serial: Annotated[int | None, a.Optional(a.POSITIVE_INT32)] = None,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        force: Annotated[ForceFlags, ForceFlagsArg()] = ForceFlags.none,
        operation: Annotated[str, ListOperationArg()] = t.REPLACE,
    ) -> None:
        """Replace package vettings

        A participant only processes transactions whose packages all involved participants have
        vetted. ``packages`` replaces the participant's vetted packages (each may be bounded in
        time); they must exist on the node (``ForceFlag.AllowUnknownPackage`` skips that check), and
        removing a package's vetting needs ``ForceFlag.AllowUnvetPackage``. ``store``: the
        authorized store (sent on to the participant's synchronizers) or a synchronizer's store."""
        command_name = f"{self.scala_name}.propose"
        current, _, _ = self._current(store, participant)
        if operation == t.REPLACE:
            self._check(command_name, current, packages, force)
        mapping = t.vetted_packages(participant, [p.to_dict() for p in packages])
        propose_mapping(
            self,
            store,
            mapping,
            command_name,
            serial=serial,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
            operation=operation or t.REPLACE,
        )

    @command
    def propose_delta(
        self,
        participant: Annotated[str, a.MemberArg(("participant",))],
        adds: Annotated[builtins.list[VettedPackage], VettedPackagesArg()] = (),  # type: ignore[assignment]
        removes: Annotated[builtins.list[str], PackageIdsArg()] = (),  # type: ignore[assignment]
        store: Annotated[str, StoreArg()] = t.AUTHORIZED_STORE,
        must_fully_authorize: Annotated[bool, a.Bool()] = False,
        synchronize: Annotated[Any, SynchronizeArg()] = BOUNDED,
        signed_by: Annotated[builtins.list[str], SignedByArg()] = [],  # noqa: B006 - never mutated
        force: Annotated[ForceFlags, ForceFlagsArg()] = ForceFlags.none,
    ) -> None:
        """Change package vettings

        Adds packages to the participant's vetted packages (or changes their time bounds) and
        removes others (which needs ``ForceFlag.AllowUnvetPackage``); nothing happens when that
        changes nothing."""
        command_name = f"{self.scala_name}.propose_delta"
        both = sorted({p.packageId for p in adds} & set(removes))
        if both:
            raise CommandFailure(f"java.lang.IllegalArgumentException: Cannot both add and remove a packageId: {both}", command_name)
        if not adds and not removes:
            raise CommandFailure("java.lang.IllegalArgumentException: Ensure that at least one of the two parameters (adds or removes) is not empty.", command_name)
        current, packages, serial = self._current(store, participant)
        changed = {p.packageId for p in adds} | set(removes)
        new = [p for p in packages if p.packageId not in changed] + list(adds)
        if set(new) == set(packages) and current:
            return
        self._check(command_name, current, new, force)
        mapping = t.vetted_packages(participant, [p.to_dict() for p in new])
        propose_mapping(
            self,
            store,
            mapping,
            command_name,
            serial=serial + 1,
            must_fully_authorize=must_fully_authorize,
            signed_by=signed_by,
            synchronize=synchronize,
        )
