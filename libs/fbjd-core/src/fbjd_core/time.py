"""One injectable clock. UTC in the database, China Standard Time (CST) only at the edges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["CST", "fixed_clock", "from_cst", "now", "to_cst"]

CST = ZoneInfo("Asia/Shanghai")

_clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, UTC and timezone-aware. Never call datetime.utcnow()."""
    return _clock()


@contextmanager
def fixed_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Replace the clock for the duration of a block (tests, replays)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield
    finally:
        _clock = previous


def to_cst(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone before converting")
    return moment.astimezone(CST)


def from_cst(local: datetime) -> datetime:
    """A naive wall-clock time in CST (what terminals and the province send) to aware UTC."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=CST).astimezone(UTC)
