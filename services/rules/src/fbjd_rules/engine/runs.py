"""Continuous stretches of a condition on the one-minute grid, with missing data bridged.

A condition is tri-state per minute: 1 true (violating), 0 false (known fine), -1 unknown (no data). A run of
unknown minutes no longer than the gap tolerance (one data interval) between two true minutes is bridged: one
missing sample does not split a record, and the record's end keeps moving while the condition continues.
Everything here is vectorised (run-length encoding with numpy), so replaying months stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

__all__ = ["OpenCheck", "Run", "TRUE", "FALSE", "UNKNOWN", "bridged_runs", "runs_of", "tristate"]

TRUE, FALSE, UNKNOWN = 1, 0, -1
Int8Array = NDArray[np.int8]
BoolArray = NDArray[np.bool_]

OpenCheck = Callable[[datetime, bool, int], bool]
"""(end, nothing known after it, gap minutes) → is the stretch still going on (data expected soon)?"""


@dataclass(frozen=True, slots=True)
class Run:
    """Minutes [start, end) of the grid; `open_end` when nothing is known after it (it may go on)."""

    start: int
    end: int
    open_end: bool

    @property
    def minutes(self) -> int:
        return self.end - self.start


def tristate(condition: BoolArray, known: BoolArray) -> Int8Array:
    return np.where(known, np.where(condition, TRUE, FALSE), UNKNOWN).astype(np.int8)


def runs_of(mask: BoolArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Starts and (exclusive) ends of the runs of True in `mask`."""
    padded = np.concatenate(([False], mask.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)


def bridged_runs(state: Int8Array, *, gap_minutes: int, min_minutes: int) -> list[Run]:
    """Runs of TRUE at least `min_minutes` long, unknown gaps of up to `gap_minutes` between them bridged."""
    filled = state == TRUE
    if gap_minutes > 0:
        n = state.shape[0]
        starts, ends = runs_of(state == UNKNOWN)
        inner = (ends - starts <= gap_minutes) & (starts > 0) & (ends < n)
        starts, ends = starts[inner], ends[inner]
        flanked = (state[starts - 1] == TRUE) & (state[ends] == TRUE)
        starts, ends = starts[flanked], ends[flanked]
        if starts.shape[0]:
            delta = np.zeros(n + 1, dtype=np.int64)
            np.add.at(delta, starts, 1)
            np.add.at(delta, ends, -1)
            filled = filled | (np.cumsum(delta[:-1]) > 0)
    starts, ends = runs_of(filled)
    if starts.shape[0] == 0:
        return []
    known_after = np.flatnonzero(state != UNKNOWN)
    last_known = int(known_after[-1]) if known_after.shape[0] else -1
    result = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start >= min_minutes:
            result.append(Run(start, end, open_end=end > last_known))
    return result
