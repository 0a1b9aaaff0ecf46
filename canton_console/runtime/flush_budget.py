"""How many pending submissions one sequencing task takes. The runtime is single-threaded and a task is
never interrupted, so a due timer waits for the task running when it became due: a flush that
sequences and delivers everything pending at once can run for a long while under load. Each flush
therefore takes about what fits in a time budget (from what earlier flushes cost per submission), at
least a few, and leaves the rest to the next flush task, queued behind the timers due meanwhile."""

from __future__ import annotations

import attrs

# Wall time one flush task should take; due timers wait for at most about this long.
FLUSH_BUDGET_SECONDS = 0.010
# Never fewer than this per flush: a store transaction per submission would cost more than it saves.
MIN_BATCH = 4
# How much a new measurement moves the estimated cost of a submission (exponential average).
SMOOTHING = 0.25


@attrs.frozen
class FlushCost:
    """The estimated wall time of sequencing and delivering one submission (None: not measured yet)."""

    per_submission: float | None = None

    def batch_size(self, budget: float = FLUSH_BUDGET_SECONDS) -> int | None:
        """How many submissions the next flush takes; None: all of them (nothing measured yet)."""
        if self.per_submission is None:
            return None
        if self.per_submission <= 0:
            return None
        return max(MIN_BATCH, int(budget / self.per_submission + 1e-9))

    def after(self, submissions: int, seconds: float) -> "FlushCost":
        """The estimate once a flush of ``submissions`` took ``seconds``. A flush of fewer than
        MIN_BATCH leaves it: its time is mostly what any flush costs (a store transaction), and taken
        per submission it would make the batches after a quiet spell needlessly small."""
        if submissions < MIN_BATCH:
            return self
        measured = seconds / submissions
        if self.per_submission is None:
            return FlushCost(measured)
        return FlushCost(self.per_submission + SMOOTHING * (measured - self.per_submission))


def take_batch(pending: list, cost: FlushCost) -> tuple[list, list]:
    """Split the pending submissions into what this flush sequences (in order) and what waits."""
    size = cost.batch_size()
    if size is None or size >= len(pending):
        return pending, []
    return pending[:size], pending[size:]
