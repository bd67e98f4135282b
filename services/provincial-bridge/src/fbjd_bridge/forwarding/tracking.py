"""Which packets of a round the upstream answered, and how far the cursor may move (pure: no I/O, no clock).

A round sends its receipts in cursor order, each as one or more packets. A receipt is acknowledged when every
one of its packets got its 9014; the cursor may move over the **contiguous acknowledged prefix** only: a
receipt answered after an unanswered one does not move it (it is sent again with the unanswered one — at least
once, never skipped). A receipt with no packet (one that could not be written as HJ 212) counts as answered.
Times are whatever monotonic clock the caller passes (the forwarder uses the event loop's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AckTracker"]


@dataclass
class AckTracker:
    """One round: `expect` each packet as it is sent, `acknowledge` each 9014 as it comes."""

    _waiting: list[int] = field(default_factory=list)  # per receipt of the round: packets not yet answered
    _outstanding: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)  # (MN, QN) → receipt, sent
    _prefix: int = 0

    def add_receipt(self, packets: int) -> int:
        """The next receipt of the round, with how many packets it will send; its index."""
        self._waiting.append(packets)
        return len(self._waiting) - 1

    def expect(self, receipt: int, mn: str, qn: str, *, sent_at: float) -> None:
        """A packet of `receipt` went out at `sent_at`."""
        self._outstanding[(mn, qn)] = (receipt, sent_at)

    def acknowledge(self, mn: str, qn: str) -> bool:
        """A 9014 echoing (MN, QN); False when it answers nothing of this round (late, repeated, foreign)."""
        found = self._outstanding.pop((mn, qn), None)
        if found is None:
            return False
        self._waiting[found[0]] -= 1
        return True

    @property
    def outstanding(self) -> int:
        """Packets sent and not answered yet."""
        return len(self._outstanding)

    def oldest_sent_at(self) -> float | None:
        """When the longest-waiting unanswered packet went out (None: nothing waits)."""
        return min((sent for _receipt, sent in self._outstanding.values()), default=None)

    def prefix(self) -> int:
        """How many receipts, from the round's first, are acknowledged without a gap."""
        while self._prefix < len(self._waiting) and self._waiting[self._prefix] == 0:
            self._prefix += 1
        return self._prefix

    @property
    def receipts(self) -> int:
        return len(self._waiting)

    def complete(self) -> bool:
        """Every receipt of the round is acknowledged."""
        return self.prefix() == len(self._waiting)
