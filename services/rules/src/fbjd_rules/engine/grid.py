"""The one-minute grid an evaluation runs on, the topology in force on each part of it, and point states.

Why a grid: readings of different points arrive at different instants and intervals (1 min, 5 min, real-time);
putting every point on the same minutes turns "production on while treatment off" into elementwise logic on
arrays. A minute is exact enough (the province's records are to the minute) and a week is 10 080 cells.

Thresholds are those of the topology in force at each minute ("as of the data's time"): a threshold changed
mid-week judges the minutes after the change with the new value and leaves last week's judgement alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from fbjd_rules.engine.model import PointRole, Topology, TopologyVersion
from fbjd_rules.engine.series import FloatArray, PointSeries, sample_on_grid

__all__ = ["Grid", "PointStates", "Segment", "segments_of", "version_at"]

BoolArray = NDArray[np.bool_]
CST_OFFSET_MINUTES = 8 * 60  # China Standard Time, no daylight saving since 1991


def _minute(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the evaluation core works in aware UTC")
    return int(moment.timestamp() // 60)


@dataclass(frozen=True, slots=True)
class Grid:
    """Minutes [start_minute, start_minute + n) since the epoch."""

    start_minute: int
    n: int

    @classmethod
    def between(cls, start: datetime, end: datetime) -> Grid:
        first = _minute(start)
        return cls(first, max(0, -(-int(end.timestamp()) // 60) - first))

    def index(self, moment: datetime) -> int:
        """The grid index of `moment`, clamped to [0, n]."""
        return min(self.n, max(0, _minute(moment) - self.start_minute))

    def time(self, index: int) -> datetime:
        return datetime.fromtimestamp((self.start_minute + index) * 60, UTC)

    def cst_minute_of_day(self) -> NDArray[np.int64]:
        return (self.start_minute + np.arange(self.n, dtype=np.int64) + CST_OFFSET_MINUTES) % 1440


@dataclass(frozen=True, slots=True)
class Segment:
    """Grid minutes [start, end) judged with one topology version."""

    topology: Topology
    start: int
    end: int


def segments_of(grid: Grid, versions: Sequence[TopologyVersion]) -> list[Segment]:
    """The parts of the grid each topology version covers (before the first version: nothing to judge)."""
    ordered = sorted(versions, key=lambda v: v.valid_from)
    result = []
    for position, version in enumerate(ordered):
        start = grid.index(version.valid_from)
        end = grid.index(ordered[position + 1].valid_from) if position + 1 < len(ordered) else grid.n
        if end > start:
            result.append(Segment(version.topology, start, end))
    return result


def version_at(versions: Sequence[TopologyVersion], at: datetime) -> Topology | None:
    """The topology in force at `at` (the first one when `at` precedes them all; None without versions)."""
    ordered = sorted(versions, key=lambda v: v.valid_from)
    earlier = [v for v in ordered if v.valid_from <= at]
    if earlier:
        return earlier[-1].topology
    return ordered[0].topology if ordered else None


@dataclass
class PointStates:
    """Per point over the grid: power, whether it is known, whether it is on (above its threshold then)."""

    grid: Grid
    series: Mapping[str, PointSeries]
    segments: Sequence[Segment]
    _power: dict[str, FloatArray] = field(default_factory=dict)
    _state: dict[str, tuple[BoolArray, BoolArray]] = field(default_factory=dict)

    def power(self, point_id: str) -> FloatArray:
        if point_id not in self._power:
            found = self.series.get(point_id)
            self._power[point_id] = (
                np.full(self.grid.n, np.nan)
                if found is None
                else sample_on_grid(found, self.grid.start_minute, self.grid.n)
            )
        return self._power[point_id]

    def threshold(self, point_id: str) -> FloatArray:
        values = np.full(self.grid.n, np.nan)
        for segment in self.segments:
            point = segment.topology.point(point_id)
            if point is not None and point.threshold_kw is not None and point.role is not PointRole.TOTAL_LINE:
                values[segment.start : segment.end] = point.threshold_kw
        return values

    def state(self, point_id: str) -> tuple[BoolArray, BoolArray]:
        """(on, known): on = power above the threshold in force; known = both are known."""
        if point_id not in self._state:
            power, threshold = self.power(point_id), self.threshold(point_id)
            known = ~np.isnan(power) & ~np.isnan(threshold)
            self._state[point_id] = (known & (power > np.nan_to_num(threshold, nan=np.inf)), known)
        return self._state[point_id]

    def has_data(self, point_id: str) -> bool:
        return bool(self.state(point_id)[1].any())

    def interval_minutes(self, point_id: str) -> int:
        found = self.series.get(point_id)
        return 5 if found is None else max(1, found.interval_s // 60)

    def any_on(self, point_ids: Sequence[str], start: int, end: int) -> tuple[BoolArray, BoolArray]:
        """(some point on, every point known off) over [start, end)."""
        width = end - start
        some_on = np.zeros(width, dtype=bool)
        all_off = np.ones(width, dtype=bool)
        for point_id in point_ids:
            on, known = self.state(point_id)
            some_on |= on[start:end]
            all_off &= known[start:end] & ~on[start:end]
        if not point_ids:
            all_off[:] = False
        return some_on, all_off
