"""The submissions a synchronizer sequenced lately, by sender and message id, so that a second copy of
one of them is dropped instead of being sequenced twice.

A second copy comes after a sequencer process dies between taking a member's submission and telling
the member so: the member sends it again through another sequencer of its connection, and the process
that orders then meets it twice (the copy the dead process stored and the one sent again). Canton's
sequencer client adds an aggregation rule to the submissions it may send to several sequencers for the
same reason. A copy has the sender, the message id and the envelopes of what was sequenced; a command
resubmitted after a failure may have the same message id (its command id) but never the same
envelopes, and is sequenced.
"""

from __future__ import annotations

from collections import deque

# How long a sequenced submission is remembered (sequencing time). A member sends a submission again
# at once when its send stream breaks, or when the answer is overdue (SEND_TIMEOUT_SECONDS, 30 s).
WINDOW_MICROS = 120 * 1_000_000

Key = tuple[str, str]  # (sender, message id)
# When it was sequenced, and a digest of its envelopes as stored (None: not known in this process)
Sequenced = tuple[int, int | None]


class RecentSubmissions:
    """(runtime thread) Sender and message id of each submission sequenced within the window."""

    __slots__ = ("window", "_sequenced", "_in_order")

    def __init__(self, window: int = WINDOW_MICROS):
        self.window = window
        self._sequenced: dict[Key, Sequenced] = {}
        self._in_order: deque[tuple[int, Key]] = deque()  # oldest first, for forgetting

    def __contains__(self, key: Key) -> bool:
        return key in self._sequenced

    def __len__(self) -> int:
        return len(self._sequenced)

    def get(self, key: Key) -> Sequenced | None:
        return self._sequenced.get(key)

    def add(self, key: Key, sequenced_at: int, digest: int | None = None) -> None:
        self._sequenced[key] = (sequenced_at, digest)
        self._in_order.append((sequenced_at, key))

    def forget_older_than_window(self, now: int) -> None:
        """Drop what was sequenced before ``now`` minus the window."""
        horizon = now - self.window
        in_order, sequenced = self._in_order, self._sequenced
        while in_order and in_order[0][0] < horizon:
            at, key = in_order.popleft()
            entry = sequenced.get(key)
            if entry is not None and entry[0] == at:
                del sequenced[key]


def digest(encoded_batch: bytes) -> int:
    """A digest of a submission's envelopes as the store holds them (``messages.encode_batch``),
    to tell a copy from another submission with the same message id; within one process only."""
    return hash(encoded_batch)
