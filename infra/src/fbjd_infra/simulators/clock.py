"""Simulated time: a wall clock that can run faster than real time, and a per-terminal clock on top of it.

``SimClock`` maps real (monotonic) time to simulated UTC time: ``sim = start + (mono - mono0) * speed``.  With
``speed=1`` and ``start=now`` it is the real clock; tests use ``speed`` in the hundreds so an hour of minute data
takes seconds.  Each terminal keeps its own :class:`TerminalClock` (an offset on the shared clock), because a
field unit's clock drifts and the center sets it with CN 1012.

HJ 212 times (DataTime, QN, SystemTime) are CST wall-clock times without a zone: :meth:`TerminalClock.local`
gives the naive CST datetime to format.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from fbjd_core.time import CST

__all__ = ["SimClock", "TerminalClock", "align_up", "local_of", "ts_of_local"]


class SimClock:
    """Simulated UTC time running ``speed`` times as fast as ``monotonic``."""

    def __init__(
        self,
        *,
        start: datetime | None = None,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("SimClock start must be timezone-aware")
        self.speed = speed
        self._monotonic = monotonic
        self._mono0 = monotonic()
        self._start = start.timestamp()

    def timestamp(self) -> float:
        """Simulated POSIX time, seconds."""
        return self._start + (self._monotonic() - self._mono0) * self.speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def real_seconds(self, sim_seconds: float) -> float:
        """How long (real seconds) ``sim_seconds`` of simulated time take."""
        return max(0.0, sim_seconds / self.speed)


class TerminalClock:
    """One field unit's clock: the shared simulated clock plus this unit's offset (drift, or set by 1012)."""

    def __init__(self, base: SimClock, offset_s: float = 0.0) -> None:
        self.base = base
        self.offset_s = offset_s

    def timestamp(self) -> float:
        return self.base.timestamp() + self.offset_s

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def local(self) -> datetime:
        """The unit's wall-clock time in CST, naive (what it writes into DataTime/QN/SystemTime)."""
        return self.now().astimezone(CST).replace(tzinfo=None)

    def set_local(self, local: datetime) -> None:
        """Set the clock to ``local`` (naive CST wall-clock time, as a 1012 SystemTime carries it)."""
        target = local.replace(tzinfo=CST).timestamp()
        self.offset_s += target - self.timestamp()

    def real_seconds(self, sim_seconds: float) -> float:
        return self.base.real_seconds(sim_seconds)


def align_up(ts: float, period_s: float) -> float:
    """The first multiple of ``period_s`` (counted in CST wall-clock time) strictly after ``ts``.

    CST is UTC+8 with no daylight saving, and 8 h is a multiple of every HJ 212 interval, so aligning POSIX time
    aligns CST wall-clock time too (10-minute periods start at :00, :10, ...).
    """
    return (ts // period_s + 1) * period_s


def local_of(ts: float) -> datetime:
    """POSIX time -> naive CST datetime."""
    return datetime.fromtimestamp(ts, UTC).astimezone(CST).replace(tzinfo=None)


def ts_of_local(local: datetime) -> float:
    """Naive CST datetime -> POSIX time."""
    return local.replace(tzinfo=CST).timestamp()
