"""BFT sequencer administration values as Canton 3.3 declares and prints them:
``BftBlockOrdererConfig.P2PEndpointConfig`` and ``EndpointId`` (what the commands take),
``PeerNetworkStatus`` and ``OrderingTopology`` (what they return), with ``RequireTypes.Port`` and
``TlsClientConfig`` to build them."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.ids import Member
from canton_console.values.node_config import Port
from canton_console.values.refined import InvalidValue
from canton_console.values.scala import Option

ADMIN_DATA = "com.digitalasset.canton.synchronizer.sequencer.block.bftordering.admin.SequencerBftAdminData"
DRIVER_CONFIG = "com.digitalasset.canton.synchronizer.sequencer.block.bftordering.core.driver.BftBlockOrdererConfig"


def _port(value: Any, what: str) -> int:
    if isinstance(value, Port):
        return value.n
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 65535:
        return value
    raise InvalidValue(f"{what} expects a port (e.g. Port.tryCreate(31030)), got {value!r}")


class PortCompanion:
    """``Port.tryCreate(n)``."""

    canton_type = "Port.type"

    def tryCreate(self, n: Any) -> Port:  # noqa: N802 - Canton's name
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 65535:
            raise InvalidValue(f"Unable to convert {n!r} to a port: it must be between 0 and 65535")
        return Port(int(n))


@attrs.frozen
class TlsClientConfig:
    """Canton's ``TlsClientConfig(trustCollectionFile, clientCert, enabled)``; only ``enabled``
    matters here (canton-console's nodes talk in-process)."""

    canton_type: ClassVar[str] = "TlsClientConfig"

    trustCollectionFile: Any = None  # noqa: N815 - Canton's names
    clientCert: Any = None  # noqa: N815
    enabled: bool = True


def _tls_enabled(tls_config: Any) -> bool:
    """Canton's ``P2PEndpoint.fromEndpointConfig``: TLS unless a TLS config says ``enabled = false``
    (no config at all means plain text)."""
    if isinstance(tls_config, Option):
        tls_config = tls_config.get if tls_config.isDefined else None
    if tls_config is None:
        return False
    if isinstance(tls_config, TlsClientConfig):
        return bool(tls_config.enabled)
    raise InvalidValue(f"tlsConfig expects Some(TlsClientConfig(...)) or None, got {tls_config!r}")


@attrs.frozen
class P2PEndpointConfig:
    """A BFT peer endpoint to connect to: address, port and client TLS configuration."""

    canton_type: ClassVar[str] = "P2PEndpointConfig"

    address: str
    port: Any
    tlsConfig: Any = attrs.field(default=attrs.Factory(lambda: TlsClientConfig()))  # noqa: N815 - Canton's name

    @property
    def transport_security(self) -> bool:
        return _tls_enabled(self.tlsConfig)

    @property
    def port_number(self) -> int:
        return _port(self.port, "P2PEndpointConfig")


@attrs.frozen
class EndpointId:
    """A BFT peer endpoint's identity: address, port and whether it uses TLS."""

    canton_type: ClassVar[str] = "EndpointId"

    address: str
    port: Any
    tls: bool

    @property
    def port_number(self) -> int:
        return _port(self.port, "EndpointId")


@attrs.frozen
class PeerEndpointId:
    """``P2PEndpoint.Id``: printed ``Id(url = "http://host:port", tls = false)``."""

    address: str
    port: int
    transportSecurity: bool  # noqa: N815 - Canton's name

    @property
    def url(self) -> str:
        return f"{'https' if self.transportSecurity else 'http'}://{self.address}:{self.port}"

    def __pretty__(self) -> Tree:
        return klass("Id", param("url", self.url), param("tls", self.transportSecurity))


@attrs.frozen
class PeerEndpointHealth:
    """An endpoint's health status (``UnknownEndpoint``, ``Unauthenticated`` or
    ``Authenticated(sequencerId)``) and an optional description."""

    status: str
    sequencerId: str | None = None  # noqa: N815
    description: str | None = None

    def __pretty__(self) -> Tree:
        status: Tree = Literal(self.status)
        if self.sequencerId is not None:
            status = klass("Authenticated", param("sequencerId", Member.parse(self.sequencerId)))
        return klass("PeerEndpointHealth", param("status", status), None if self.description is None else param("description", self.description))


@attrs.frozen
class PeerEndpointStatus:
    endpointId: PeerEndpointId  # noqa: N815
    health: PeerEndpointHealth

    def __pretty__(self) -> Tree:
        return klass("PeerEndpointStatus", param("endpointId", self.endpointId), param("health", self.health))


@attrs.frozen
class PeerNetworkStatus:
    canton_type: ClassVar[str] = f"{ADMIN_DATA}.PeerNetworkStatus"

    endpointStatuses: tuple[PeerEndpointStatus, ...]  # noqa: N815

    def __pretty__(self) -> Tree:
        return klass("PeerNetworkStatus", param("endpoint statuses", Apply("Seq", tuple(s.__pretty__() for s in self.endpointStatuses))))


@attrs.frozen
class OrderingTopology:
    canton_type: ClassVar[str] = f"{ADMIN_DATA}.OrderingTopology"

    currentEpoch: int  # noqa: N815
    sequencerIds: tuple[str, ...]  # noqa: N815

    def __pretty__(self) -> Tree:
        return klass(
            "OrderingTopology",
            param("currentEpoch", Literal(f"{self.currentEpoch}L")),
            param("sequencerIds", Apply("Vector", tuple(Member.parse(s).__pretty__() for s in self.sequencerIds))),
        )


PORT = PortCompanion()
