"""Sequencer-client settings a console command takes: ``SubmissionRequestAmplification``, and the
sequencer connections of a member (``GrpcSequencerConnection``, ``SequencerConnections``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from canton_console.pretty import Apply, Infix, Literal, Tree, klass, param
from canton_console.values.refined import INT_MAX, InvalidValue, NonNegativeFiniteDuration, RefinedNumeric


def is_url(text: str) -> bool:
    """Whether a sequencer connection is a public API URL (``http://host:port``) rather than a node name."""
    from urllib.parse import urlsplit

    try:
        parsed = urlsplit(text)
        return parsed.scheme in ("http", "https") and bool(parsed.hostname) and parsed.port is not None
    except ValueError:
        return False


def target_of(url: str) -> str:
    """The gRPC target (``host:port``, an IPv6 host bracketed) of a sequencer connection URL."""
    from urllib.parse import urlsplit

    parsed = urlsplit(url)
    host = parsed.hostname or ""
    return f"[{host}]:{parsed.port}" if ":" in host else f"{host}:{parsed.port}"


def connection_url_problem(url: str) -> str | None:
    """Why a sequencer connection URL cannot be used, as Canton's ``Endpoint.fromUri`` says it (the
    scheme is http or https, https when none is given; the port a valid one), or None."""
    from urllib.parse import urlsplit

    scheme = url.split("://", 1)[0] if "://" in url else "https"
    if scheme not in ("http", "https"):
        return f"Synchronizer connection url [{url}] has unknown scheme: {scheme}"
    try:
        port = urlsplit(url if "://" in url else f"https://{url}").port
    except ValueError as e:
        return f"Synchronizer connection url [{url}] has an invalid port: {e}"
    if port is not None and not 0 < port <= 65535:
        return f"Synchronizer connection url [{url}] has an invalid port: {port} is not a valid port"
    return None


def _factor(v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, RefinedNumeric)):
        raise InvalidValue(f"SubmissionRequestAmplification: factor must be a PositiveInt, got {type(v).__name__} {v!r}")
    n = int(v)
    if not 1 <= n <= INT_MAX:
        raise InvalidValue(f"Received the non-positive {n} as argument, but we require a positive value here.")
    return n


def _patience(v: object) -> NonNegativeFiniteDuration:
    return NonNegativeFiniteDuration.from_any(v)


@attrs.frozen
class SubmissionRequestAmplification:
    """Canton's ``SubmissionRequestAmplification(factor, patience)``: how often a sequencer client
    sends a submission (to different sequencers) and how long it waits for the receipt in between."""

    factor: int = attrs.field(converter=_factor)
    patience: NonNegativeFiniteDuration = attrs.field(converter=_patience)

    canton_type = "SubmissionRequestAmplification"

    @property
    def amplifies(self) -> bool:
        """A submission may go out more than once."""
        return self.factor > 1

    def __pretty__(self) -> Tree:
        return klass("SubmissionRequestAmplification", param("factor", self.factor), param("patience", self.patience))


class SubmissionRequestAmplificationCompanion:
    """``SubmissionRequestAmplification(factor, patience)`` and ``SubmissionRequestAmplification.NoAmplification``."""

    canton_type = "SubmissionRequestAmplification.type"

    @property
    def NoAmplification(self) -> SubmissionRequestAmplification:
        return SubmissionRequestAmplification(1, NonNegativeFiniteDuration(0))

    def __call__(self, factor: object, patience: object) -> SubmissionRequestAmplification:
        return SubmissionRequestAmplification(factor, patience)

    def __repr__(self) -> str:
        return "SubmissionRequestAmplification"


SUBMISSION_REQUEST_AMPLIFICATION = SubmissionRequestAmplificationCompanion()
NO_AMPLIFICATION = SUBMISSION_REQUEST_AMPLIFICATION.NoAmplification


@attrs.frozen
class GrpcSequencerConnection:
    """Canton's ``GrpcSequencerConnection``: how a member reaches one sequencer (its public API)."""

    endpoints: tuple[str, ...]
    sequencerAlias: str
    transportSecurity: bool = False

    canton_type = "GrpcSequencerConnection"

    @property
    def urls(self) -> tuple[str, ...]:
        scheme = "https" if self.transportSecurity else "http"
        return tuple(f"{scheme}://{e}" for e in self.endpoints)

    def __pretty__(self) -> Tree:
        fields = [param("sequencerAlias", Literal(f"Sequencer '{self.sequencerAlias}'")), param("endpoints", Apply("List", tuple(Literal(u) for u in self.urls)))]
        if self.transportSecurity:
            fields.append(param("transportSecurity", True))
        return klass("GrpcSequencerConnection", *fields)


@attrs.frozen
class SequencerConnections:
    """Canton's ``SequencerConnections``: the sequencers a member uses, how many must agree, and how
    submissions are amplified."""

    connections: tuple[GrpcSequencerConnection, ...]
    sequencerTrustThreshold: int = 1
    submissionRequestAmplification: SubmissionRequestAmplification = attrs.field(factory=lambda: SubmissionRequestAmplification(1, NonNegativeFiniteDuration(0)))

    canton_type = "SequencerConnections"

    def __pretty__(self) -> Tree:
        return klass(
            "SequencerConnections",
            param("connections", Apply("Map", tuple(Infix(Literal(f"Sequencer '{c.sequencerAlias}'"), "->", c.__pretty__()) for c in self.connections))),
            param("sequencer trust threshold", self.sequencerTrustThreshold),
            param("submission request amplification", self.submissionRequestAmplification),
        )


class SequencerConnectionsCompanion:
    """``SequencerConnections.single(connection)`` and ``SequencerConnections.tryMany(...)``."""

    canton_type = "SequencerConnections.type"

    def single(self, connection: GrpcSequencerConnection) -> SequencerConnections:
        if not isinstance(connection, GrpcSequencerConnection):
            raise InvalidValue(f"SequencerConnections.single expects a sequencer connection (e.g. sequencer1.sequencerConnection), got {type(connection).__name__}")
        return SequencerConnections((connection,))

    def tryMany(  # noqa: N802 - Canton's name
        self, connections: Iterable[Any], sequencerTrustThreshold: Any = 1, submissionRequestAmplification: SubmissionRequestAmplification | None = None  # noqa: N803
    ) -> SequencerConnections:
        items = tuple(connections)
        if not items or not all(isinstance(c, GrpcSequencerConnection) for c in items):
            raise InvalidValue("SequencerConnections.tryMany expects a non-empty Seq of sequencer connections")
        aliases = [c.sequencerAlias for c in items]
        if len(set(aliases)) != len(aliases):
            raise InvalidValue(f"Repeated sequencer aliases found: {sorted({a for a in aliases if aliases.count(a) > 1})}")
        threshold = int(sequencerTrustThreshold)
        if not 1 <= threshold <= len(items):
            raise InvalidValue(f"Sequencer trust threshold {threshold} cannot be greater than number of sequencer connections {len(items)}")
        return SequencerConnections(items, threshold, submissionRequestAmplification or NO_AMPLIFICATION)

    def __repr__(self) -> str:
        return "SequencerConnections"


SEQUENCER_CONNECTIONS = SequencerConnectionsCompanion()
