"""Participant and node operations: ``participant.resources`` (resource limits), ``<node>.db``
(database migrations), ``<node>.metrics`` (metrics inspection) and the vault's KMS commands of
``<node>.keys.secret``."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.commands.keys import SecretKeysGroup, UsageSet
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import NodeReference, ParticipantReference
from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.resource_limits import ResourceLimits
from canton_console.values.scala import ScalaMap, TypedVector

# ---- resources ------------------------------------------------------------------------------------


class ResourceLimitsArg(Arg):
    expects = "ResourceLimits (e.g. ResourceLimits(maxInflightValidationRequests = Some(10), maxSubmissionRate = Some(5)))"

    def convert(self, value: Any, ctx: CallContext) -> ResourceLimits:
        if not isinstance(value, ResourceLimits):
            raise ctx.wrong_type(self.expects, value)
        return value


@subgroup(ParticipantReference, "resources")
class ResourcesGroup(NodeGroup):
    """Functionality for managing resources"""

    scala_name = "ParticipantAdministration$resources$"

    @command
    def set_resource_limits(self, limits: Annotated[ResourceLimits, ResourceLimitsArg()]) -> None:
        """Set resource limits for the participant.

        While a resource limit is attained or exceeded, the participant rejects any additional
        Ledger API command submission with PARTICIPANT_BACKPRESSURE (gRPC status ABORTED), before
        it consumes resources. maxInflightValidationRequests bounds the requests being validated
        (this participant's own and those of others it validates); maxSubmissionRate bounds the
        commands per second, allowing an initial burst of maxSubmissionBurstFactor * maxSubmissionRate
        commands. The limits are persisted."""
        self._admin.resources.set_limits(limits)

    @command
    def resource_limits(self) -> ResourceLimits:
        """Get the resource limits of the participant."""
        return self._admin.resources.limits()


# ---- db -------------------------------------------------------------------------------------------


@subgroup(NodeReference, "db")
class DbGroup(NodeGroup):
    """Database related operations"""

    scala_name = "LocalInstanceReference$db$"

    @command(needs_running=False)
    def migrate(self) -> None:
        """Migrates the instance's database if using a database storage

        When instances reside on different nodes, their database migration can be run in parallel
        to save time. Please note that the migration of each database must still be run
        sequentially. Run it on a stopped node: a node whose store has pending migrations does not
        start unless storage.parameters.migrate-and-start = yes."""
        self._admin.db.migrate()

    @command(needs_running=False)
    def repair_migration(self, force: Annotated[bool, a.Bool()] = False) -> None:
        """Only use when advised - repairs the database migration of the instance's database

        In some rare cases, we change already applied database migration files in a new release
        and the repair command resets the checksums we use to ensure that in general already
        applied migration files have not been changed. You should only use db.repair_migration when
        advised and otherwise use it at your own risk - in the worst case running it may lead to
        data corruption when an incompatible database migration (one that should be rejected
        because the already applied database migration files have changed) is subsequently falsely
        applied. Here it records the store's revision again (alembic_version) when that record is
        missing or unreadable but the tables match a revision exactly, and rewrites a missing or
        unreadable migration metadata row (cc_schema_meta)."""
        if not force:
            name = self._node_name
            raise CommandFailure(
                "repair_migration` is a command that may lead to data corruption in the worst case if an incompatible database "
                f"migration is subsequently applied. To use it you need to call `{name}.db.repair_migration(force=true)`. "
                f"See `help({name}.db.repair_migration)` for more details. "
            )
        self._admin.db.repair_migration()


# ---- metrics --------------------------------------------------------------------------------------


def _attributes_tree(attributes: tuple[tuple[str, str], ...]) -> Tree:
    # Canton prints the attribute map with prettyOfClass over the map's class (Map1 .. Map4, HashMap)
    name = f"Map{len(attributes)}" if 1 <= len(attributes) <= 4 else "HashMap"
    return Apply(name, (Apply("Seq", tuple(Literal(f"'{k}={v}'") for k, v in attributes)),))


@attrs.frozen
class LongPoint:
    value: int
    attributes: tuple[tuple[str, str], ...]

    canton_type = "MetricValue.LongPoint"

    def __pretty__(self) -> Tree:
        return klass("LongPoint", param("value", self.value), param("attributes", _attributes_tree(self.attributes)))


@attrs.frozen
class Histogram:
    sum: float
    count: int
    counts: tuple[int, ...]
    boundaries: tuple[float, ...]
    attributes: tuple[tuple[str, str], ...]

    canton_type = "MetricValue.Histogram"

    def average(self) -> float:
        return self.sum / max(self.count, 1)

    def __pretty__(self) -> Tree:
        return klass(
            "Histogram",
            param("sum", Literal(repr(self.sum))),
            param("count", self.count),
            param("counts", Apply("List", tuple(Literal(str(c)) for c in self.counts))),
            param("boundaries", Apply("List", tuple(Literal(repr(b)) for b in self.boundaries))),
            param("attributes", _attributes_tree(self.attributes)),
        )


def _value(point: Any) -> LongPoint | Histogram:
    if point.kind == "histogram":
        return Histogram(point.total, point.count, point.counts, point.boundaries, point.attributes)
    return LongPoint(point.value, point.attributes)


class AttributesArg(Arg):
    expects = 'a Map[String, String] of attributes (e.g. Map("synchronizer" -> "da"))'

    def convert(self, value: Any, ctx: CallContext) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ctx.wrong_type(self.expects, value)
        return dict(value)


class MetricsMap(ScalaMap):
    canton_type = "Map[String, Seq[MetricValue]]"


@subgroup(NodeReference, "metrics")
class MetricsGroup(NodeGroup):
    """Access the local nodes metrics"""

    scala_name = "LocalInstanceReference$metrics$"

    def _matching(self, attributes: dict[str, str]) -> builtins.list[Any]:
        wanted = {"node": self._node_name, **attributes}
        return [p for p in self._admin.metrics.read() if all(dict(p.attributes).get(k) == v for k, v in wanted.items())]

    @command(needs_running=False, feature="Testing")
    def get(
        self,
        metric_name: Annotated[str, a.Text("a metric name such as \"daml.sequencer-client.handler.delay\"")],
        attributes: Annotated[dict[str, str], AttributesArg()] = {},  # noqa: B006 - Canton's Map() default, never mutated
    ) -> LongPoint | Histogram:
        """Get a particular metric

        Returns the metric with the given name and optionally matching attributes, or error if
        multiple matching are found."""
        found = [p for p in self._matching(attributes) if p.name == metric_name]
        if not found:
            raise CommandFailure(f"No metric of name {metric_name} with instance name {self._node_name} found.")
        if len(found) > 1:
            raise CommandFailure(f"Found {len(found)} matching metrics")
        return _value(found[0])

    @command(needs_running=False, feature="Testing")
    def list(
        self,
        filter_name: Annotated[str, a.Text("the start of metric names")] = "",
        attributes: Annotated[dict[str, str], AttributesArg()] = {},  # noqa: B006 - Canton's Map() default, never mutated
    ) -> MetricsMap:
        """List all metrics

        Returns the metric with the given name and optionally matching attributes."""
        grouped: dict[str, builtins.list[Any]] = {}
        for p in self._matching(attributes):
            if p.name.startswith(filter_name):
                grouped.setdefault(p.name, []).append(_value(p))
        return MetricsMap({name: TypedVector("MetricValue", *values) for name, values in grouped.items()})


# ---- keys.secret: the KMS commands ------------------------------------------------------------------
# Added to Canton's SecretKeyAdministration group (keys.py) from here, to keep the KMS refusals in one place.


@command
def register_kms_signing_key(
    self: NodeGroup,
    kms_key_id: Annotated[str, a.Text("a KMS key id")],
    usage: Annotated[builtins.set[str], UsageSet()],
    name: Annotated[str, a.Text("a key name")] = "",
) -> Any:
    """Register the specified KMS signing key in canton storing its public information in the vault

    The id for the KMS signing key; usage: what the key is used for (Namespace,
    SequencerAuthentication, Protocol). canton-console's nodes have no KMS: the node refuses with
    NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR."""
    if not usage:
        raise CommandFailure("java.lang.IllegalArgumentException: no signing key usage specified")
    return self._admin.vault_kms.register_kms_signing_key(kms_key_id, sorted(usage), name)


@command
def register_kms_encryption_key(
    self: NodeGroup,
    kms_key_id: Annotated[str, a.Text("a KMS key id")],
    name: Annotated[str, a.Text("a key name")] = "",
) -> Any:
    """Register the specified KMS encryption key in canton storing its public information in the vault

    canton-console's nodes have no KMS: the node refuses with NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR."""
    return self._admin.vault_kms.register_kms_encryption_key(kms_key_id, name)


@command
def rotate_wrapper_key(self: NodeGroup, new_wrapper_key_id: Annotated[str, a.Text("a KMS key id")] = "") -> None:
    """Change the wrapper key for encrypted private keys store

    Change the wrapper key (e.g. AWS KMS key) being used to encrypt the private keys in the store.
    canton-console's nodes keep no encrypted private store: the node refuses with
    NO_ENCRYPTED_PRIVATE_KEY_STORE_ERROR."""
    self._admin.vault_kms.rotate_wrapper_key(new_wrapper_key_id)


@command
def get_wrapper_key_id(self: NodeGroup) -> str:
    """Get the wrapper key id that is used for the encrypted private keys store"""
    return self._admin.vault_kms.get_wrapper_key_id()


for _kms_command in (register_kms_signing_key, register_kms_encryption_key, rotate_wrapper_key, get_wrapper_key_id):
    setattr(SecretKeysGroup, _kms_command.__name__, _kms_command)
