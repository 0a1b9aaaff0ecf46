"""A node's configuration as Canton's console shows it (``participant1.config``): read-only values
after Canton's config classes (``ParticipantNodeConfig``, ``SequencerNodeConfig``,
``MediatorNodeConfig``, ``AdminServerConfig``, ``LedgerApiServerConfig``, ``PublicServerConfig``,
``StorageConfig``, ``RequireTypes.Port``).

Of each config class these values carry the fields canton-console's configuration has (addresses,
ports, storage, crypto); a field Canton has but this console does not configure is not offered
rather than made up. Whole server and node configs are therefore not printed (Canton's rendering
lists every field); their fields are. Secrets (a storage password) never leave the node: the
storage value knows only whether one is set.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.refined import NonNegativeFiniteDuration
from canton_console.values.scala import NONE, Option, Some
from canton_console.values.static_parameters import CryptoConfig


@attrs.frozen
class Port:
    """Canton's ``RequireTypes.Port``: a case class, printed ``Port(n = 5011)``."""

    n: int
    canton_type = "Port"

    def unwrap(self) -> int:
        return self.n

    def __pretty__(self) -> Tree:
        return klass("Port", param("n", Literal(str(self.n))))

    def __str__(self) -> str:
        return f"Port(n = {self.n})"

    def __int__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Port):
            return self.n == other.n
        if isinstance(other, int) and not isinstance(other, bool):
            return self.n == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.n)


class _WholeConfigNotShown:
    """Config classes whose full rendering (every Canton field) this console cannot give."""

    def _shown_path(self) -> str:
        raise NotImplementedError

    def _shown_fields(self) -> tuple[str, ...]:
        raise NotImplementedError

    def __pretty__(self) -> Tree:
        fields = ", ".join(f"{self._shown_path()}.{f}" for f in self._shown_fields())
        raise TypeError(
            f"canton-console does not print a whole {getattr(self, 'canton_type', '')} (Canton lists fields this console "
            f"does not configure); read its fields instead: {fields}"
        )

    def __dir__(self) -> list[str]:
        return list(self._shown_fields())


SERVER_FIELDS = ("address", "port", "internalPort")


@attrs.frozen
class ServerConfig(_WholeConfigNotShown):
    """``AdminServerConfig``, ``LedgerApiServerConfig``, ``PublicServerConfig``: where an API listens."""

    canton_type: str
    address: str
    internal_port: int
    shown_as: str = ""  # the console path it is read at, for messages

    @property
    def port(self) -> Port:
        """The port the API listens on"""
        return Port(self.internal_port)

    @property
    def internalPort(self) -> Option:  # noqa: N802 - Canton's name
        return Some(Port(self.internal_port))

    def _shown_path(self) -> str:
        return self.shown_as

    def _shown_fields(self) -> tuple[str, ...]:
        return SERVER_FIELDS


# ---- storage ---------------------------------------------------------------------------------

DEFAULT_CONNECTION_TIMEOUT_S = 5  # DbConfig.defaultConnectionTimeout
DEFAULT_FAILED_TO_FATAL_DELAY_S = 300  # DbConfig.defaultFailedToFatalDelay (5 minutes)


@attrs.frozen
class DbParametersConfig:
    """Canton's ``DbParametersConfig`` (the fields this console configures, the others at their
    defaults), printed as Canton's pretty printer does."""

    max_connections: int | None = None
    fail_fast_on_startup: bool = True
    canton_type = "DbParametersConfig"

    @property
    def maxConnections(self) -> Option:  # noqa: N802 - Canton's name
        return NONE if self.max_connections is None else Some(self.max_connections)

    @property
    def failFastOnStartup(self) -> bool:  # noqa: N802 - Canton's name
        return self.fail_fast_on_startup

    @property
    def connectionTimeout(self) -> NonNegativeFiniteDuration:  # noqa: N802 - Canton's name
        return NonNegativeFiniteDuration.ofSeconds(DEFAULT_CONNECTION_TIMEOUT_S)

    @property
    def failedToFatalDelay(self) -> NonNegativeFiniteDuration:  # noqa: N802 - Canton's name
        return NonNegativeFiniteDuration.ofSeconds(DEFAULT_FAILED_TO_FATAL_DELAY_S)

    @property
    def migrateAndStart(self) -> bool:  # noqa: N802 - Canton's name
        return False

    def __pretty__(self) -> Tree:
        return klass(
            "DbParametersConfig",
            param("maxConnections", Literal(str(self.max_connections))) if self.max_connections is not None else None,
            param("connectionAllocation", Apply("ConnectionAllocation")),
            param("failFast", Literal("true" if self.fail_fast_on_startup else "false")),
            param("connectionTimeout", self.connectionTimeout),
            param("failedToFatalDelay", self.failedToFatalDelay),
            param("migrateAndStart", Literal("false")),
        )


@attrs.frozen
class HoconConfig:
    """A Typesafe ``Config`` as Canton prints it: ``Config(SimpleConfigObject({...}))``, keys sorted,
    JSON without spaces. A password is never held: ``password_set`` stands for it."""

    values: tuple[tuple[str, Any], ...] = ()
    canton_type = "Config"

    def text(self) -> str:
        def tree(items: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in items:
                out[key] = tree(value) if isinstance(value, tuple) else value
            return out

        body = json.dumps(_sorted(tree(self.values)), separators=(",", ":"), ensure_ascii=False)
        return f"Config(SimpleConfigObject({body}))"

    def __pretty__(self) -> Tree:
        return Literal(self.text())


def _sorted(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _sorted(obj[k]) for k in sorted(obj)}
    return obj


@attrs.frozen
class StorageConfigValue:
    """``StorageConfig``: ``Memory``, ``Postgres`` (Canton's classes) or ``Sqlite`` (canton-console's
    stand-in for Canton's H2 file storage).

    A Postgres config prints as Canton's ``DbConfig`` pretty printer prints it, the password as
    ``???`` (Canton masks it the same way); a memory config as the case class it is."""

    kind: str  # Memory | Postgres | Sqlite
    parameters: DbParametersConfig = DbParametersConfig()
    server_name: str | None = None
    port_number: int | None = None
    database_name: str | None = None
    user: str | None = None
    password_set: bool = False
    file: str | None = None
    canton_type = "StorageConfig"

    @property
    def config(self) -> HoconConfig:
        """The JDBC data source config (the password masked)"""
        if self.kind != "Postgres":
            return HoconConfig(() if self.kind == "Memory" else (("file", self.file),))
        props: list[tuple[str, Any]] = [("serverName", self.server_name), ("portNumber", self.port_number)]
        if self.database_name is not None:
            props.append(("databaseName", self.database_name))
        if self.user is not None:
            props.append(("user", self.user))
        if self.password_set:
            props.append(("password", "???"))
        return HoconConfig((("properties", tuple(props)),))

    def __pretty__(self) -> Tree:
        if self.kind == "Sqlite":
            return klass("Sqlite", param("file", Literal(json.dumps(self.file))))
        return klass(self.kind, param("config", self.config), param("parameters", self.parameters))


# ---- the node's config -------------------------------------------------------------------------

NODE_CONFIG_TYPES = {"participant": "ParticipantNodeConfig", "sequencer": "SequencerNodeConfig", "mediator": "MediatorNodeConfig"}


@attrs.frozen
class NodeConfigValue(_WholeConfigNotShown):
    """``ParticipantNodeConfig`` / ``SequencerNodeConfig`` / ``MediatorNodeConfig``, read-only:
    ``adminApi``, ``storage``, ``crypto``, and ``ledgerApi`` (participant) or ``publicApi`` (sequencer)."""

    kind: str
    name: str
    adminApi: ServerConfig  # noqa: N815 - Canton's names
    storage: StorageConfigValue
    apis: tuple[tuple[str, ServerConfig], ...] = ()  # ledgerApi of a participant, publicApi of a sequencer
    crypto: CryptoConfig = attrs.field(factory=CryptoConfig)

    @property
    def canton_type(self) -> str:
        return NODE_CONFIG_TYPES[self.kind]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        for api, value in self.apis:
            if api == name:
                return value
        raise AttributeError(f"value {name} is not a member of {NODE_CONFIG_TYPES[self.kind]} (canton-console offers {', '.join(self._shown_fields())})")

    def _shown_path(self) -> str:
        return f"{self.name}.config"

    def _shown_fields(self) -> tuple[str, ...]:
        return ("adminApi", *(n for n, _ in self.apis), "storage", "crypto")
