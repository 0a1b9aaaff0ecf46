"""How much one sequencing task takes: everything until a flush was measured, then about what fits
in the time budget (never fewer than MIN_BATCH), in order; the rest waits for the next flush task."""

from __future__ import annotations

from canton_console.runtime.flush_budget import FLUSH_BUDGET_SECONDS, MIN_BATCH, FlushCost, take_batch


def test_the_first_flush_takes_everything_pending():
    pending = list(range(500))
    assert take_batch(pending, FlushCost()) == (pending, [])


def test_cheap_submissions_go_in_large_batches_costly_ones_in_small_ones_in_order():
    pending = list(range(1000))
    cheap = FlushCost().after(100, 100 * FLUSH_BUDGET_SECONDS / 250)  # 250 fit in the budget
    batch, rest = take_batch(pending, cheap)
    assert batch == list(range(250)) and rest == list(range(250, 1000))
    costly = FlushCost().after(10, 10 * FLUSH_BUDGET_SECONDS)  # one alone exceeds the budget
    batch, rest = take_batch(pending, costly)
    assert batch == list(range(MIN_BATCH)) and rest == list(range(MIN_BATCH, 1000))
    assert take_batch([1, 2], costly) == ([1, 2], [])


def test_the_estimate_follows_what_flushes_cost_and_recovers_from_one_slow_flush():
    cost = FlushCost()
    for _ in range(50):
        cost = cost.after(20, 20 * 0.001)
    assert cost.batch_size() == 10
    slow = cost.after(20, 20 * 0.010)  # one flush ten times slower (the machine was busy)
    assert slow.batch_size() == MIN_BATCH  # smaller batches while it lasts, never a single one
    for _ in range(15):
        slow = slow.after(20, 20 * 0.001)
    assert slow.batch_size() == 9  # back to about what fits
    assert cost.after(0, 1.0) == cost  # an empty flush says nothing


def test_flushes_of_fewer_than_min_batch_leave_the_estimate():
    # one submission at a time (a quiet node): the flush's own cost, not a submission's
    assert FlushCost().after(1, 0.002) == FlushCost()
    cost = FlushCost().after(100, 100 * FLUSH_BUDGET_SECONDS / 250)
    assert cost.after(MIN_BATCH - 1, 0.002) == cost
    assert cost.after(MIN_BATCH, 0.002) != cost
