"""``<participant>.dars`` (with ``dars.vetting``), ``<participant>.packages``,
``<participant>.ledger_api.packages`` and ``participants.all.dars``: the DARs and Daml-LF packages a
participant holds (Canton's ParticipantAdministration ``dars``/``packages`` groups).

This console has no Daml engine. Its participants run the built-in templates (Ping in
AdminWorkflows, and the IOU); a DAR uploaded here is read (manifest, packages, modules, templates),
stored, listed, vetted and removed as Canton does, but a command naming a template of an uploaded
package fails with DAML_ENGINE_UNAVAILABLE, and one naming a package the participant does not have
with Canton's PACKAGE_NOT_FOUND. ``ledger_api.javaapi`` (Java codegen commands) is refused by name."""

from __future__ import annotations

import builtins
import os
from collections.abc import Sequence
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands.ledger_api import LedgerApiGroup
from canton_console.console.framework import (
    ArgumentError,
    CommandFailure,
    Group,
    NodeGroup,
    Unsupported,
    command,
    render_canton_error,
    subgroup,
)
from canton_console.console.references import ParticipantReference
from canton_console.pretty import Literal, Tree, klass, param
from canton_console.values.dars import DarContents, PackageContents
from canton_console.values.errors import CantonError
from canton_console.values.scala import ScalaMap, TypedVector
from canton_console.values.timefmt import instant

DEFAULT_LIMIT = 1000  # canton.parameters.console.default-limit
_LIMIT = a.Int(1, "a positive whole number (e.g. 10 or PositiveInt.tryCreate(10))", maximum=a.INT_MAX)
_PACKAGE_ID = a.Text("a package id")
_REQUEST_HEADERS = Unsupported("DARs are read from local files only (no download from a URL)", accept=("Map()", "{}"))


def read_dar_file(path: str) -> bytes:
    """The bytes of a DAR file, with the errors Canton's console gives before sending anything."""
    if not path:
        raise CommandFailure("Provided DAR path is empty")
    if path.startswith("http"):
        raise CommandFailure(
            f"UNSUPPORTED_ARGUMENT: canton-console reads DARs from local files only; download {path} and give the file's path."
        )
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        if not os.path.exists(path):
            raise CommandFailure(f"No such file [{path}].") from None
        raise CommandFailure(f"File exists but cannot be read [{path}]. {e}") from None


def _description_of(path: str, description: str) -> str:
    """Canton's console: an empty description is the file's name without its extension."""
    if description:
        return description
    name = os.path.basename(path)
    return name.rsplit(".", 1)[0] if "." in name else name


def _run(group: NodeGroup, call: Any) -> Any:
    """Run a service call; a Canton error with context shows its context as Canton logs it."""
    try:
        return call()
    except CantonError as e:
        if not e.context:
            raise
        context = ", ".join(f"{k} -> {v}" for k, v in e.context.items())
        raise CommandFailure(f"{render_canton_error(e, group._node_name)}\n  Context: Map({context})") from None


def _services(group: NodeGroup) -> Any:
    return group._admin.packages


def _bounded(group: Group) -> int:
    return group._env.timeout_micros("bounded")


def _upload(group: NodeGroup, items: Sequence[tuple[bytes, str | None, str | None]], vet_all: bool, synchronize: bool) -> builtins.list[str]:
    return _run(group, lambda: _services(group).upload(items, vet_all, synchronize and vet_all, _bounded(group)))


class DarsGroup(NodeGroup):
    """Manage DAR packages (stored and vetted; no Daml engine: uploaded templates cannot be run)"""

    scala_name = "ParticipantAdministration$dars$"

    @command
    def upload(
        self,
        path: Annotated[str, a.Text("the path of a DAR file")],
        description: Annotated[str, a.Text("a description")] = "",
        vet_all_packages: Annotated[bool, a.Bool()] = True,
        synchronize_vetting: Annotated[bool, a.Bool()] = True,
        expected_main_package_id: Annotated[str, a.Text("a package id")] = "",
        request_headers: Annotated[Any, _REQUEST_HEADERS] = None,
    ) -> str:
        """Upload a DAR to Canton

        A DAR is a zip of Daml-LF packages: a main package and its dependencies. The DAR and its
        packages are stored on the participant (the description defaults to the file's name). If
        vetAllPackages is true (default), the participant vets all of them (its VettedPackages
        topology mapping, sent to its synchronizers); if synchronizeVetting is true (default), the
        command waits until its synchronizers show the vetting. expectedMainPackageId, when given,
        must be the DAR's main package id. Returns the main package id.
        canton-console has no Daml engine: the templates of an uploaded package cannot be
        exercised (commands naming them fail with DAML_ENGINE_UNAVAILABLE); the built-in templates
        (Ping, Iou) are what its participants run. DARs are read from local files (no URL)."""
        data = read_dar_file(path)
        expected = expected_main_package_id.strip() or None
        return _upload(self, [(data, _description_of(path, description), expected)], vet_all_packages, synchronize_vetting)[0]

    @command
    def upload_many(
        self,
        paths: Annotated[builtins.list[str], a.SeqOf(a.Text("the path of a DAR file"))],
        vet_all_packages: Annotated[bool, a.Bool()] = True,
        synchronize_vetting: Annotated[bool, a.Bool()] = True,
        request_headers: Annotated[Any, _REQUEST_HEADERS] = None,
    ) -> TypedVector:
        """Upload many DARs to Canton

        As upload, for several DARs at once: all are read and checked before any is stored, so a
        bad one stores none. Returns their main package ids."""
        items = [(read_dar_file(p), _description_of(p, ""), None) for p in paths]
        return TypedVector("String", *_upload(self, items, vet_all_packages, synchronize_vetting))

    @command
    def validate(self, path: Annotated[str, a.Text("the path of a DAR file")]) -> str:
        """Validate DARs against the current participants' state

        Performs the same DAR and Daml package validation checks that the upload call performs,
        but with no effects on the target participants: the DAR is not persisted or vetted.
        Returns the main package id."""
        data = read_dar_file(path)
        return _run(self, lambda: _services(self).validate(data))

    @command
    def list(
        self,
        limit: Annotated[int, _LIMIT] = DEFAULT_LIMIT,
        filter_name: Annotated[str, a.Text("a name prefix")] = "",
        filter_description: Annotated[str, a.Text("a description prefix")] = "",
    ) -> TypedVector:
        """List installed DAR files

        List DARs installed on this participant: the built-in ones (AdminWorkflows, iou) and the
        uploaded ones. filterName: filter by name; filterDescription: filter by description;
        limit: at most this many."""
        found = _services(self).list_dars(filter_name, limit)
        return TypedVector("DarDescription", *[d for d in found if d.description.startswith(filter_description)])

    @command
    def get_contents(self, main_package_id: Annotated[str, _PACKAGE_ID]) -> DarContents:
        """List contents of DAR files"""
        return _run(self, lambda: _services(self).dar_contents(main_package_id))

    @command
    def download(self, main_package_id: Annotated[str, _PACKAGE_ID], directory: Annotated[str, a.Text("a directory")]) -> None:
        """Downloads the DAR file with the provided main package-id to the given directory

        Written as <name>-<version>.dar. The built-in DARs have no archive to download."""
        if not directory:
            raise CommandFailure("DAR destination directory not provided")
        if not (os.path.isdir(directory) and os.access(directory, os.W_OK)):
            raise CommandFailure(f"{directory} is not a writable directory")
        if not main_package_id:
            raise CommandFailure("The main package-id not provided")
        description, data = _run(self, lambda: _services(self).dar(main_package_id))
        if data is None:
            raise CommandFailure(f"DAR was not found: {main_package_id} is built into canton-console's participant and has no archive to download")
        target = os.path.join(directory, f"{description.name}-{description.version}.dar")
        try:
            with open(target, "wb") as f:
                f.write(data)
        except OSError:
            raise CommandFailure(f"Error saving DAR to {directory}") from None

    @command(feature="Preview")
    def remove(self, main_package_id: Annotated[str, _PACKAGE_ID], synchronize_vetting: Annotated[bool, a.Bool()] = True) -> None:
        """Remove a DAR from the participant

        The DAR's main package must be unused; the vetting of the packages only this DAR holds is
        revoked, those packages and the DAR are removed. The built-in DARs cannot be removed. If
        synchronizeVetting is true (default), the command waits until the synchronizers show the
        vetting change."""
        _run(self, lambda: _services(self).remove_dar(main_package_id))
        if synchronize_vetting:
            _services(self).wait_vetting_observed(_bounded(self))


class DarVettingGroup(NodeGroup):
    """Change DAR vetting status"""

    scala_name = "ParticipantAdministration$dars$vetting$"

    @command(feature="Preview")
    def enable(self, main_package_id: Annotated[str, _PACKAGE_ID], synchronize: Annotated[bool, a.Bool()] = True) -> None:
        """Vet all packages contained in the DAR archive identified by the provided main package-id."""
        _run(self, lambda: _services(self).vet_dar(main_package_id, synchronize, _bounded(self)))

    @command(feature="Preview")
    def disable(self, main_package_id: Annotated[str, _PACKAGE_ID]) -> None:
        """Revoke vetting for all packages contained in the DAR archive identified by the provided main package-id.

        This command is potentially dangerous and misuse can lead the participant to fail in
        processing transactions."""
        _run(self, lambda: _services(self).unvet_dar(main_package_id))


class PackagesGroup(NodeGroup):
    """Manage raw Daml-LF packages"""

    scala_name = "ParticipantAdministration$packages$"

    @command
    def list(self, filter_name: Annotated[str, a.Text("a name prefix")] = "", limit: Annotated[int, _LIMIT] = DEFAULT_LIMIT) -> TypedVector:
        """List packages stored on the participant

        limit - Limit on the number of packages returned (defaults to canton.parameters.console.default-limit)"""
        return TypedVector("PackageDescription", *_services(self).list_packages(filter_name, limit))

    @command
    def get_contents(self, package_id: Annotated[str, _PACKAGE_ID]) -> PackageContents:
        """Get the package contents"""
        return _run(self, lambda: _services(self).package_contents(package_id))

    @command
    def get_references(self, package_id: Annotated[str, _PACKAGE_ID]) -> TypedVector:
        """Returns the list of DARs referencing the given package"""
        return TypedVector("DarDescription", *_run(self, lambda: _services(self).package_references(package_id)))

    @command
    def find_by_module(self, module_name: Annotated[str, a.Text("a module name")], limit_packages: Annotated[int, _LIMIT] = DEFAULT_LIMIT) -> TypedVector:
        """Find packages that contain a module with the given name"""
        services = _services(self)
        found = [p for p in services.list_packages("", limit_packages) if module_name in services.package_contents(p.packageId).modules]
        return TypedVector("PackageDescription", *found)

    @command(feature="Preview")
    def remove(self, package_id: Annotated[str, _PACKAGE_ID], force: Annotated[bool, a.Bool()] = False) -> None:
        """Remove the package from Canton's package store.

        The standard operation of this command checks that a package is unused and unvetted, and if
        so removes the package. The force flag can be used to disable the checks, but do not use the
        force flag unless you're certain you know what you're doing. The built-in packages cannot be
        removed."""
        _run(self, lambda: _services(self).remove_package(package_id, force))

    @command
    def synchronize_vetting(self, timeout: Annotated[int | None, a.Optional(a.Duration())] = None) -> None:
        """Ensure that all vetting transactions issued by this participant have been observed by all configured participants

        Waits until every synchronizer the participant is connected to shows its vetted packages
        as its own topology store has them (timeout: the console's bounded timeout by default)."""
        _services(self).wait_vetting_observed(_bounded(self) if timeout is None else timeout)


# ---- the Ledger API's package management ------------------------------------------------------


class PackageDetails:
    """The Ledger API's ``PackageDetails`` (a scalapb message)."""

    canton_type = "PackageDetails"

    def __init__(self, package_id: str, size: int, known_since: int, name: str, version: str):
        self.packageId, self.packageSize, self.knownSince, self.name, self.version = package_id, size, known_since, name, version

    def __pretty__(self) -> Tree:
        seconds, micros = divmod(self.knownSince, 1_000_000)
        unknown = Literal("UnknownFieldSet(fields = Map())")
        timestamp = klass("Timestamp", param("seconds", Literal(f"{seconds}L")), param("nanos", Literal(str(micros * 1000))), param("unknownFields", unknown))
        return klass(
            "PackageDetails",
            param("packageId", self.packageId),
            param("packageSize", Literal(f"{self.packageSize}L")),
            param("knownSince", klass("Some", param("value", timestamp))),
            param("name", self.name),
            param("version", self.version),
            param("unknownFields", unknown),
        )

    def __repr__(self) -> str:
        return f"PackageDetails({self.packageId}, {self.name}, {self.version}, known since {instant(self.knownSince)})"


class LedgerApiPackagesGroup(NodeGroup):
    """Manage packages"""

    scala_name = "LedgerApiAdministration$ledger_api$packages$"

    @command(feature="Testing")
    def upload_dar(self, dar_path: Annotated[str, a.Text("the path of a DAR file")]) -> None:
        """Upload packages from Dar file

        Through the Ledger API: the DAR's packages are stored and vetted, without waiting for the
        vetting to show on the synchronizers. (canton-console keeps the DAR in its DAR store too.)"""
        data = read_dar_file(dar_path)
        _upload(self, [(data, None, None)], True, False)

    @command(feature="Testing")
    def list(self, limit: Annotated[int, _LIMIT] = DEFAULT_LIMIT) -> TypedVector:
        """List Daml Packages"""
        return TypedVector("PackageDetails", *[PackageDetails(p.packageId, p.packageSize, p.uploadedAt, p.name, p.version) for p in _services(self).list_packages("", limit)])

    @command(feature="Testing")
    def validate_dar(self, dar_path: Annotated[str, a.Text("the path of a DAR file")]) -> None:
        """Validate a DAR against the current participants' state

        Performs the same DAR and Daml package validation checks that the upload call performs,
        but with no effects on the target participants: the DAR is not persisted or vetted."""
        data = read_dar_file(dar_path)
        _run(self, lambda: _services(self).validate(data))


# ---- ledger_api.javaapi: refused --------------------------------------------------------------

JAVA_CODEGEN = (
    "it takes Java codegen commands (com.daml.ledger.javaapi.data.Command), and there is no Java codegen in "
    "Python; use ledger_api.commands.{name} with ledger_api_utils.create/exercise commands instead"
)


class _RefusedWithItsCommand(Unsupported):
    """An argument of a command canton-console refuses as a whole: taken as given, so that the
    command's own refusal (naming the command) is what the user sees."""

    def convert(self, value: Any, ctx: Any) -> Any:
        return value


_Java = Annotated[Any, _RefusedWithItsCommand("the Java bindings are not supported (no Java codegen)")]


def _refuse_java(path: str, name: str) -> CommandFailure:
    return CommandFailure(f"UNSUPPORTED_COMMAND: {path}.{name} is not supported by canton-console: {JAVA_CODEGEN.format(name=name)}.")


class JavaApiGroup(NodeGroup):
    """Group of commands that utilize java bindings (not supported by canton-console: no Java codegen)"""

    scala_name = "LedgerApiAdministration$ledger_api$javaapi$"


class JavaApiCommandsGroup(NodeGroup):
    """Submit commands (Java bindings; refused: canton-console has no Java codegen)"""

    scala_name = "LedgerApiAdministration$ledger_api$javaapi$commands$"

    @command(feature="Testing")
    def submit(
        self,
        act_as: _Java = None,
        commands: _Java = None,
        synchronizer_id: _Java = None,
        workflow_id: _Java = None,
        command_id: _Java = None,
        opt_timeout: _Java = None,
        deduplication_period: _Java = None,
        submission_id: _Java = None,
        min_ledger_time_abs: _Java = None,
        read_as: _Java = None,
        disclosed_contracts: _Java = None,
        user_id: _Java = None,
        user_package_selection_preference: _Java = None,
    ) -> None:
        """Submit java codegen commands and wait for the resulting transaction (refused: no Java codegen in canton-console)

        Refused: canton-console has no Java codegen; use ledger_api.commands.submit."""
        raise _refuse_java(self._path, "submit")

    @command(feature="Testing")
    def submit_flat(
        self,
        act_as: _Java = None,
        commands: _Java = None,
        synchronizer_id: _Java = None,
        workflow_id: _Java = None,
        command_id: _Java = None,
        opt_timeout: _Java = None,
        deduplication_period: _Java = None,
        submission_id: _Java = None,
        min_ledger_time_abs: _Java = None,
        read_as: _Java = None,
        disclosed_contracts: _Java = None,
        user_id: _Java = None,
        user_package_selection_preference: _Java = None,
    ) -> None:
        """Submit java codegen command and wait for the resulting transaction, returning the flattened transaction (refused: no Java codegen in canton-console)

        Refused: canton-console has no Java codegen; use ledger_api.commands.submit_flat."""
        raise _refuse_java(self._path, "submit_flat")

    @command(feature="Testing")
    def submit_async(
        self,
        act_as: _Java = None,
        commands: _Java = None,
        synchronizer_id: _Java = None,
        workflow_id: _Java = None,
        command_id: _Java = None,
        opt_timeout: _Java = None,
        deduplication_period: _Java = None,
        submission_id: _Java = None,
        min_ledger_time_abs: _Java = None,
        read_as: _Java = None,
        disclosed_contracts: _Java = None,
        user_id: _Java = None,
        user_package_selection_preference: _Java = None,
    ) -> None:
        """Submit java codegen command asynchronously (refused: no Java codegen in canton-console)

        Refused: canton-console has no Java codegen; use ledger_api.commands.submit_async."""
        raise _refuse_java(self._path, "submit_async")


subgroup(ParticipantReference, "dars")(DarsGroup)
subgroup(DarsGroup, "vetting")(DarVettingGroup)
subgroup(ParticipantReference, "packages")(PackagesGroup)
subgroup(LedgerApiGroup, "packages")(LedgerApiPackagesGroup)
subgroup(LedgerApiGroup, "javaapi")(JavaApiGroup)
subgroup(JavaApiGroup, "commands")(JavaApiCommandsGroup)


# ---- participants.all.dars ---------------------------------------------------------------------


class ParticipantResults(ScalaMap):
    """What ``participants.all.dars.upload`` (``upload_many``) returns: each participant's result."""

    def __init__(self, results: dict[Any, Any], value_type: str):
        super().__init__(results)
        self.canton_type = f"Map[ParticipantReference, {value_type}]"


class ParticipantsDars:
    """Manage dars on several participants at once (``participants.all.dars``)"""

    canton_type = "ParticipantReferencesExtensions$dars$"

    def __init__(self, references: Any):
        for r in references:
            if not isinstance(r, ParticipantReference):
                raise ArgumentError(f"dars: {r.name} is not a participant; dars are managed on participants only")
        self._refs = builtins.list(references)

    def _each(self, run: Any, value_type: str = "String") -> ScalaMap:
        results, failures = {}, []
        for ref in self._refs:
            try:
                results[ref] = run(ref)
            except CommandFailure as e:
                failures.append(f"(failure on {ref.name}): {e.cause}")
        if failures:
            raise CommandFailure(f"Command failed on {len(failures)} out of {len(self._refs)} instances: " + ", ".join(failures))
        return ParticipantResults(results, value_type)

    def upload(
        self,
        darPath: str,  # noqa: N803 - Canton's names
        description: str = "",
        vetAllPackages: bool = True,  # noqa: N803
        synchronizeVetting: bool = True,  # noqa: N803
        expectedMainPackageId: str = "",  # noqa: N803
        requestHeaders: Any = None,  # noqa: N803
        **snake: Any,
    ) -> ScalaMap:
        """Upload DARs to participants

        If vetAllPackages is true, the participants will vet the package on all synchronizers they
        are registered. If synchronizeVetting is true, the command will block until the package
        vetting transaction has been registered with all connected synchronizers. Returns the main
        package id each participant reports."""
        options = _snake_options(
            snake, vetAllPackages=vetAllPackages, synchronizeVetting=synchronizeVetting, expectedMainPackageId=expectedMainPackageId, requestHeaders=requestHeaders
        )
        sync = options["synchronizeVetting"] and options["vetAllPackages"]
        result = self._each(
            lambda r: r.dars.upload(
                darPath,
                description=description,
                vetAllPackages=options["vetAllPackages"],
                synchronizeVetting=False,
                expectedMainPackageId=options["expectedMainPackageId"],
                requestHeaders=options["requestHeaders"],
            )
        )
        if sync:
            for r in self._refs:
                r.packages.synchronize_vetting()
        return result

    def upload_many(
        self,
        paths: Any,
        vetAllPackages: bool = True,  # noqa: N803 - Canton's names
        synchronizeVetting: bool = True,  # noqa: N803
        requestHeaders: Any = None,  # noqa: N803
        **snake: Any,
    ) -> ScalaMap:
        """Upload DARs to participants (several at once on each)"""
        options = _snake_options(snake, vetAllPackages=vetAllPackages, synchronizeVetting=synchronizeVetting, requestHeaders=requestHeaders)
        result = self._each(lambda r: r.dars.upload_many(paths, vetAllPackages=options["vetAllPackages"], synchronizeVetting=False, requestHeaders=options["requestHeaders"]), "Seq[String]")
        if options["synchronizeVetting"] and options["vetAllPackages"]:
            for r in self._refs:
                r.packages.synchronize_vetting()
        return result

    def help(self, name: str | None = None) -> Any:
        from canton_console.console.render import HelpText

        return HelpText("participants.all.dars: upload(darPath, ...), upload_many(paths, ...): upload DARs to every participant")

    def __repr__(self) -> str:
        return "participants.all.dars"


def _snake_options(snake: dict[str, Any], **camel_values: Any) -> dict[str, Any]:
    """Canton's camelCase options, also accepted in snake_case."""
    from canton_console.console.framework import camel

    out = dict(camel_values)
    for key, value in snake.items():
        name = camel(key)
        if name not in out:
            raise ArgumentError(f"participants.all.dars: unknown argument '{key}'; expected {', '.join(camel_values)}")
        out[name] = value
    return out
