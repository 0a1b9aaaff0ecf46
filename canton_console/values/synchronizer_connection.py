"""Canton's ``SynchronizerConnectionConfig``: how a participant connects to one synchronizer (its
alias, the sequencers, manual connect, priority, retry delays), as the console builds, prints and
modifies it (``_.copy(manualConnect = true)``), and its JSON form in a participant's store."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

import attrs

from canton_console.pretty import Literal, Tree, klass, param
from canton_console.values.ids import SynchronizerId
from canton_console.values.refined import InvalidValue, NonNegativeFiniteDuration
from canton_console.values.sequencing import (
    NO_AMPLIFICATION,
    SEQUENCER_CONNECTIONS,
    GrpcSequencerConnection,
    SequencerConnections,
    SubmissionRequestAmplification,
)

CANTON_NAMES = {
    "synchronizerAlias": "synchronizer_alias",
    "sequencerConnections": "sequencer_connections",
    "manualConnect": "manual_connect",
    "synchronizerId": "synchronizer_id",
    "priority": "priority",
    "initialRetryDelay": "initial_retry_delay",
    "maxRetryDelay": "max_retry_delay",
    "timeTracker": "time_tracker",
    "initializeFromTrustedSynchronizer": "initialize_from_trusted_synchronizer",
}


def _alias(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidValue(f"SynchronizerConnectionConfig: synchronizerAlias must be a non-empty string such as \"da\", got {value!r}")
    if len(value) > 255:
        raise InvalidValue(f"SynchronizerAlias: the alias {value[:20]}... is longer than 255 characters")
    return value


def _connections(value: object) -> SequencerConnections:
    if isinstance(value, GrpcSequencerConnection):
        return SequencerConnections((value,))
    if not isinstance(value, SequencerConnections):
        raise InvalidValue(
            "SynchronizerConnectionConfig: sequencerConnections must be SequencerConnections "
            f"(e.g. SequencerConnections.single(sequencer1.sequencerConnection)), got {type(value).__name__}"
        )
    return value


def _manual_connect(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"SynchronizerConnectionConfig: manualConnect must be true or false, got {value!r}")
    return value


def _optional_id(value: object) -> SynchronizerId | None:
    from canton_console.values.scala import Option

    if isinstance(value, Option):
        value = value.get if value.isDefined else None
    if value is None or isinstance(value, SynchronizerId):
        return value
    if isinstance(value, str):
        return SynchronizerId.parse(value)
    raise InvalidValue(f"SynchronizerConnectionConfig: synchronizerId must be an Option[SynchronizerId], got {type(value).__name__}")


def _priority(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise InvalidValue(f"SynchronizerConnectionConfig: priority must be an Int, got {value!r}")
    return value


def _optional_delay(value: object) -> NonNegativeFiniteDuration | None:
    from canton_console.values.scala import Option

    if isinstance(value, Option):
        value = value.get if value.isDefined else None
    return None if value is None else NonNegativeFiniteDuration.from_any(value)


def _time_tracker(value: object) -> None:
    if value is not None:
        raise InvalidValue("SynchronizerConnectionConfig: timeTracker is not supported by canton-console (its synchronizer time tracking is not configurable); leave the default")


def _trusted(value: object) -> bool:
    if value is not False:
        raise InvalidValue(
            "SynchronizerConnectionConfig: initializeFromTrustedSynchronizer = true is not supported by canton-console "
            "(a participant always issues its synchronizer trust certificate itself)"
        )
    return False


@attrs.frozen
class SynchronizerConnectionConfig:
    """Canton's ``SynchronizerConnectionConfig(synchronizerAlias, sequencerConnections, manualConnect,
    synchronizerId, priority, initialRetryDelay, maxRetryDelay, timeTracker, initializeFromTrustedSynchronizer)``."""

    synchronizerAlias: str = attrs.field(converter=_alias)
    sequencerConnections: SequencerConnections = attrs.field(converter=_connections)
    manualConnect: bool = attrs.field(default=False, converter=_manual_connect)
    synchronizerId: SynchronizerId | None = attrs.field(default=None, converter=_optional_id)
    priority: int = attrs.field(default=0, converter=_priority)
    initialRetryDelay: NonNegativeFiniteDuration | None = attrs.field(default=None, converter=_optional_delay)
    maxRetryDelay: NonNegativeFiniteDuration | None = attrs.field(default=None, converter=_optional_delay)
    timeTracker: None = attrs.field(default=None, converter=_time_tracker)
    initializeFromTrustedSynchronizer: bool = attrs.field(default=False, converter=_trusted)

    canton_type = "SynchronizerConnectionConfig"

    def __pretty__(self) -> Tree:
        fields = [
            param("synchronizer", Literal(f"Synchronizer '{self.synchronizerAlias}'")),
            param("sequencerConnections", self.sequencerConnections),
            param("manualConnect", self.manualConnect),
        ]
        if self.synchronizerId is not None:
            fields.append(param("synchronizerId", self.synchronizerId))
        if self.priority != 0:
            fields.append(param("priority", self.priority))
        if self.initialRetryDelay is not None:
            fields.append(param("initialRetryDelay", self.initialRetryDelay))
        if self.maxRetryDelay is not None:
            fields.append(param("maxRetryDelay", self.maxRetryDelay))
        return klass("SynchronizerConnectionConfig", *fields)

    # ---- Canton's case-class members --------------------------------------------------------
    def copy(self, **changes: Any) -> SynchronizerConnectionConfig:
        """``config.copy(manualConnect = true, priority = 10)``: Canton's names or their snake_case forms."""
        by_snake = {snake: camel for camel, snake in CANTON_NAMES.items()}
        fields = {}
        for name, value in changes.items():
            camel = name if name in CANTON_NAMES else by_snake.get(name)
            if camel is None:
                raise InvalidValue(f"SynchronizerConnectionConfig.copy: unknown field '{name}'; expected {', '.join(CANTON_NAMES)}")
            fields[camel] = value
        return attrs.evolve(self, **fields)

    def withPriority(self, priority: int) -> SynchronizerConnectionConfig:  # noqa: N802 - Canton's name
        return attrs.evolve(self, priority=priority)

    def tryWithSequencerTrustThreshold(self, threshold: Any) -> SynchronizerConnectionConfig:  # noqa: N802 - Canton's name
        connections = self.sequencerConnections
        try:
            changed = SEQUENCER_CONNECTIONS.tryMany(connections.connections, threshold, connections.submissionRequestAmplification)
        except InvalidValue as e:
            raise InvalidValue(f"Invalid Sequencer trust threshold {int(threshold)} : {e}") from None
        return attrs.evolve(self, sequencerConnections=changed)

    def withSubmissionRequestAmplification(self, amplification: SubmissionRequestAmplification) -> SynchronizerConnectionConfig:  # noqa: N802
        return attrs.evolve(self, sequencerConnections=attrs.evolve(self.sequencerConnections, submissionRequestAmplification=amplification))

    # ---- the store's form -------------------------------------------------------------------
    def to_json(self) -> str:
        c = self.sequencerConnections
        return json.dumps(
            {
                "alias": self.synchronizerAlias,
                "connections": [{"alias": x.sequencerAlias, "endpoints": list(x.endpoints), "tls": x.transportSecurity} for x in c.connections],
                "threshold": c.sequencerTrustThreshold,
                "amplification": [c.submissionRequestAmplification.factor, c.submissionRequestAmplification.patience.micros],
                "manualConnect": self.manualConnect,
                "synchronizerId": None if self.synchronizerId is None else str(self.synchronizerId),
                "priority": self.priority,
                "initialRetryDelay": None if self.initialRetryDelay is None else self.initialRetryDelay.micros,
                "maxRetryDelay": None if self.maxRetryDelay is None else self.maxRetryDelay.micros,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> SynchronizerConnectionConfig:
        d = json.loads(text)
        connections = tuple(GrpcSequencerConnection(tuple(x["endpoints"]), x["alias"], x["tls"]) for x in d["connections"])
        factor, patience = d["amplification"]
        return cls(
            d["alias"],
            SequencerConnections(connections, d["threshold"], SubmissionRequestAmplification(factor, NonNegativeFiniteDuration(patience))),
            d["manualConnect"],
            d["synchronizerId"],
            d["priority"],
            None if d["initialRetryDelay"] is None else NonNegativeFiniteDuration(d["initialRetryDelay"]),
            None if d["maxRetryDelay"] is None else NonNegativeFiniteDuration(d["maxRetryDelay"]),
        )


def grpc_connection(url: str, sequencer_alias: str = "DefaultSequencer") -> GrpcSequencerConnection:
    """``GrpcSequencerConnection.tryCreate(url)``: one endpoint from an ``http(s)://host:port`` URL."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.port is None:
        raise InvalidValue(f"Invalid sequencer connection url: {url} (expected http://host:port or https://host:port)")
    return GrpcSequencerConnection((f"{parsed.hostname}:{parsed.port}",), sequencer_alias, parsed.scheme == "https")


class SynchronizerConnectionConfigCompanion:
    """``SynchronizerConnectionConfig(...)``, ``.tryGrpc(...)`` and ``.tryGrpcSingleConnection(...)``."""

    canton_type = "SynchronizerConnectionConfig.type"

    def __call__(
        self,
        synchronizerAlias: Any,  # noqa: N803 - Canton's names
        sequencerConnections: Any,  # noqa: N803
        manualConnect: Any = False,  # noqa: N803
        synchronizerId: Any = None,  # noqa: N803
        priority: Any = 0,
        initialRetryDelay: Any = None,  # noqa: N803
        maxRetryDelay: Any = None,  # noqa: N803
        timeTracker: Any = None,  # noqa: N803
        initializeFromTrustedSynchronizer: Any = False,  # noqa: N803
    ) -> SynchronizerConnectionConfig:
        return SynchronizerConnectionConfig(
            synchronizerAlias, sequencerConnections, manualConnect, synchronizerId, priority, initialRetryDelay, maxRetryDelay, timeTracker, initializeFromTrustedSynchronizer
        )

    def tryGrpc(  # noqa: N802 - Canton's name
        self,
        synchronizerAlias: Any,  # noqa: N803
        connections: Iterable[Any],
        manualConnect: Any = False,  # noqa: N803
        synchronizerId: Any = None,  # noqa: N803
        priority: Any = 0,
        initialRetryDelay: Any = None,  # noqa: N803
        maxRetryDelay: Any = None,  # noqa: N803
        timeTracker: Any = None,  # noqa: N803
        initializeFromTrustedSynchronizer: Any = False,  # noqa: N803
        sequencerTrustThreshold: Any = 1,  # noqa: N803
        submissionRequestAmplification: Any = None,  # noqa: N803
    ) -> SynchronizerConnectionConfig:
        sequencer_connections = SEQUENCER_CONNECTIONS.tryMany(connections, sequencerTrustThreshold, submissionRequestAmplification or NO_AMPLIFICATION)
        return self(synchronizerAlias, sequencer_connections, manualConnect, synchronizerId, priority, initialRetryDelay, maxRetryDelay, timeTracker, initializeFromTrustedSynchronizer)

    def tryGrpcSingleConnection(  # noqa: N802 - Canton's name
        self,
        synchronizerAlias: Any,  # noqa: N803
        sequencerAlias: Any,  # noqa: N803
        connection: str,
        manualConnect: Any = False,  # noqa: N803
        synchronizerId: Any = None,  # noqa: N803
        certificates: Any = None,
        priority: Any = 0,
        initialRetryDelay: Any = None,  # noqa: N803
        maxRetryDelay: Any = None,  # noqa: N803
        timeTracker: Any = None,  # noqa: N803
        initializeFromTrustedSynchronizer: Any = False,  # noqa: N803
    ) -> SynchronizerConnectionConfig:
        if certificates is not None:
            raise InvalidValue("SynchronizerConnectionConfig.tryGrpcSingleConnection: custom TLS certificates are not supported by canton-console")
        connections = SequencerConnections((grpc_connection(connection, str(sequencerAlias)),))
        return self(synchronizerAlias, connections, manualConnect, synchronizerId, priority, initialRetryDelay, maxRetryDelay, timeTracker, initializeFromTrustedSynchronizer)

    def __repr__(self) -> str:
        return "SynchronizerConnectionConfig"


SYNCHRONIZER_CONNECTION_CONFIG = SynchronizerConnectionConfigCompanion()
