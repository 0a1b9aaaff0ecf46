"""Sequencer-client settings a console command takes: ``SubmissionRequestAmplification``."""

from __future__ import annotations

import attrs

from canton_console.pretty import Tree, klass, param
from canton_console.values.refined import INT_MAX, InvalidValue, NonNegativeFiniteDuration, RefinedNumeric


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
