"""Which admin service is served under which gRPC name, and the RPCs of each, read off the service
interfaces of :mod:`canton_console.admin.services`.

A node's admin API is the set of its ``NodeAdmin`` attributes that it has (a sequencer has no
``ledger``). Each attribute is one gRPC service, named after Canton's service for the same concern;
each method of the interface is one unary RPC (``list_private`` -> ``ListPrivate``) whose request has
one field per argument and whose response carries the result. ``lifecycle`` is not served: starting
or stopping a node is its own process's business (a remote node refuses it in the console).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import attrs

from canton_console.admin import services as s

# Arguments of these annotations travel as proto scalars; every other one as a canton_console.v1.Value.
SCALARS = {"str": "string", "int": "sint64", "bool": "bool", "bytes": "bytes", "float": "double"}


@attrs.frozen
class Rpc:
    method: str  # the Python method name
    name: str  # the RPC name
    params: tuple[tuple[str, str], ...]  # (argument, proto type or "Value")


@attrs.frozen
class ServiceSpec:
    attribute: str  # the NodeAdmin attribute
    interface: Any  # the Protocol class
    package: str  # the proto package
    service: str  # the gRPC service name
    kinds: tuple[str, ...] = ("participant", "sequencer", "mediator")

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.service}"

    @property
    def file_stem(self) -> str:
        """The .proto file's name (without .proto)."""
        return f"admin_{self.attribute}" + ("" if len(self.kinds) == 3 or self.attribute != "traffic" else f"_{self.kinds[0]}")

    def rpcs(self) -> list[Rpc]:
        return list(_rpcs(self.interface))


P, SEQ, MED = "participant", "sequencer", "mediator"
ADMIN = "com.digitalasset.canton.admin.v30"
HEALTH = "com.digitalasset.canton.admin.health.v30"
PARTICIPANT = "com.digitalasset.canton.admin.participant.v30"
SEQUENCER = "com.digitalasset.canton.sequencer.admin.v30"
MEDIATOR = "com.digitalasset.canton.mediator.admin.v30"
TOPOLOGY = "com.digitalasset.canton.topology.admin.v30"
CRYPTO = "com.digitalasset.canton.crypto.admin.v30"
LEDGER = "com.daml.ledger.api.v2"
LEDGER_ADMIN = "com.daml.ledger.api.v2.admin"

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("status", s.StatusService, HEALTH, "StatusService"),
    ServiceSpec("node_config", s.NodeConfigService, ADMIN, "NodeConfigService"),
    ServiceSpec("identity", s.IdentityService, TOPOLOGY, "IdentityInitializationService"),
    ServiceSpec("topology", s.TopologyService, TOPOLOGY, "TopologyManagerService"),
    ServiceSpec("keys", s.KeyService, CRYPTO, "VaultService"),
    ServiceSpec("replication", s.ReplicationService, ADMIN, "ReplicationService", (P, MED)),
    ServiceSpec("ping", s.PingService, PARTICIPANT, "PingService", (P,)),
    ServiceSpec("connectivity", s.ConnectivityService, PARTICIPANT, "SynchronizerConnectivityService", (P,)),
    ServiceSpec("parties", s.PartyService, LEDGER_ADMIN, "PartyManagementService", (P,)),
    ServiceSpec("ledger", s.LedgerService, LEDGER, "LedgerService", (P,)),
    ServiceSpec("users", s.UserManagementService, LEDGER_ADMIN, "UserManagementService", (P,)),
    ServiceSpec("identity_providers", s.IdentityProviderConfigService, LEDGER_ADMIN, "IdentityProviderConfigService", (P,)),
    ServiceSpec("traffic", s.ParticipantTrafficService, PARTICIPANT, "TrafficControlService", (P,)),
    ServiceSpec("traffic", s.SequencerTrafficService, SEQUENCER, "SequencerTrafficControlService", (SEQ,)),
    ServiceSpec("sequencer_connect", s.SequencerConnectService, SEQUENCER, "SequencerConnectAdministrationService", (SEQ,)),
    ServiceSpec("sequencer_setup", s.SequencerSetupService, SEQUENCER, "SequencerInitializationService", (SEQ,)),
    ServiceSpec("sequencer_pruning", s.SequencerPruningService, SEQUENCER, "SequencerPruningAdministrationService", (SEQ,)),
    ServiceSpec("sequencer_connection", s.SequencerConnectionService, ADMIN, "SequencerConnectionService", (MED,)),
    ServiceSpec("mediator_setup", s.MediatorSetupService, MEDIATOR, "MediatorInitializationService", (MED,)),
    ServiceSpec("packages", s.PackageService, PARTICIPANT, "PackageService", (P,)),
    ServiceSpec("external_parties", s.ExternalPartyService, PARTICIPANT, "ExternalPartyService", (P,)),
    ServiceSpec("interactive_submission", s.InteractiveSubmissionService, LEDGER + ".interactive", "InteractiveSubmissionService", (P,)),
    ServiceSpec("participant_pruning", s.ParticipantPruningService, PARTICIPANT, "PruningService", (P,)),
    ServiceSpec("repair", s.ParticipantRepairService, PARTICIPANT, "ParticipantRepairService", (P,)),
    ServiceSpec("mediator_pruning", s.MediatorPruningService, MEDIATOR, "MediatorAdministrationService", (MED,)),
    ServiceSpec("mediator_inspection", s.MediatorInspectionService, MEDIATOR, "MediatorInspectionService", (MED,)),
    ServiceSpec("synchronizer_time", s.SynchronizerTimeService, ADMIN, "SynchronizerTimeService", (MED,)),
    ServiceSpec("sequencer_repair", s.SequencerRepairService, SEQUENCER, "SequencerAdministrationService", (SEQ,)),
    ServiceSpec("sequencer_bft", s.SequencerBftService, SEQUENCER + ".bftordering", "SequencerBftAdministrationService", (SEQ,)),
    ServiceSpec("node_parties", s.PartyService, TOPOLOGY, "NodePartyService", (SEQ, MED)),
    ServiceSpec("sequencer_snapshot", s.SequencerSnapshotService, SEQUENCER, "SequencerSnapshotService", (SEQ,)),
    ServiceSpec("connection_configs", s.ConnectionConfigService, PARTICIPANT, "SynchronizerConnectionConfigService", (P,)),
    ServiceSpec("resources", s.ResourceService, PARTICIPANT, "ResourceManagementService", (P,)),
    ServiceSpec("db", s.DbService, ADMIN, "DbService"),
    ServiceSpec("metrics", s.MetricsService, ADMIN, "MetricsService"),
    ServiceSpec("vault_kms", s.VaultKmsService, CRYPTO, "KmsService"),
    ServiceSpec("commitments", s.CommitmentsService, PARTICIPANT, "InspectionService", (P,)),
)

# Describes a node: its name, kind and the attributes it serves (the client builds its NodeAdmin from it).
NODE_ADMIN_SERVICE = f"{ADMIN}.NodeAdministrationService"


def spec_for(attribute: str, kind: str) -> ServiceSpec | None:
    for spec in SERVICES:
        if spec.attribute == attribute and kind in spec.kinds:
            return spec
    return None


def rpc_name(method: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in method.split("_"))


def _methods(interface: Any) -> Iterator[tuple[str, Any]]:
    seen: set[str] = set()
    for cls in interface.__mro__:
        if cls.__module__ != s.__name__:
            continue
        for name, member in vars(cls).items():
            if name.startswith("_") or name in seen or not inspect.isfunction(member):
                continue
            seen.add(name)
            yield name, member


def _rpcs(interface: Any) -> Iterator[Rpc]:
    for name, fn in sorted(_methods(interface)):
        params = []
        for param in list(inspect.signature(fn).parameters.values())[1:]:
            annotation = param.annotation if isinstance(param.annotation, str) else getattr(param.annotation, "__name__", "")
            params.append((param.name, SCALARS.get(annotation, "Value")))
        yield Rpc(name, rpc_name(name), tuple(params))


def signature(interface: Any, method: str) -> inspect.Signature:
    """The method's signature without ``self`` (to bind a caller's arguments by it)."""
    for name, fn in _methods(interface):
        if name == method:
            sig = inspect.signature(fn)
            return sig.replace(parameters=list(sig.parameters.values())[1:])
    raise KeyError(method)
