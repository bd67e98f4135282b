"""A point's power over time, from what its meter sent: active power where it arrives, else from energy.

Why these choices:
- A value at DataTime t describes [t, t + interval): HJ 212 minute data carries the period start as DataTime
  (the simulator and the vendors we have seen do the same), and a real-time value holds until the next one.
- Where only energy arrives, power is the consumption over the interval divided by its length: the period's
  `Cou` (consumption, rollover-proof) when sent, else the difference of the cumulative register. A register that
  goes down either rolled over (it was near a power of ten: 999 999.9 → 0.4) or was reset (counts again from
  zero); both are handled and the consumption is never negative. Anything else is an implausible value.
- Unknown is not off: flagged data (anything but `N`), implausible values and gaps are NaN, and the rules treat
  NaN as "cannot tell", never as a violation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DataAnomaly",
    "FloatArray",
    "IntArray",
    "PointSeries",
    "build_series",
    "nominal_interval",
    "power_from_energy",
    "sample_on_grid",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 3600
DEFAULT_INTERVAL_S = 300
GAP_INTERVALS = 3  # an energy difference over more than this many intervals says nothing about on/off


@dataclass(frozen=True, slots=True)
class DataAnomaly:
    """Implausible values of one point (an operations finding, not an abnormal record)."""

    point_id: str
    kind: str  # negative_power | power_above_rated | energy_backwards | energy_reset
    times: tuple[int, ...]  # epoch seconds of the offending samples


@dataclass(frozen=True, slots=True)
class PointSeries:
    """Power in kW of one point at its sample times (epoch seconds, increasing); NaN where unknown."""

    point_id: str
    times: IntArray
    power_kw: FloatArray
    interval_s: int
    anomalies: tuple[DataAnomaly, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.times.shape[0])


def nominal_interval(times: IntArray) -> int:
    """The data interval of a point: the median spacing of its samples, whole minutes, 1 min to 1 h."""
    if times.shape[0] < 2:
        return DEFAULT_INTERVAL_S
    spacing = float(np.median(np.diff(times)))
    minutes = max(1, round(spacing / 60))
    return int(min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, minutes * 60)))


def _rollover_capacity(previous: FloatArray) -> FloatArray:
    """The register size a reading was close to: the next power of ten above it (999 950 → 1 000 000)."""
    safe = np.where(previous > 0, previous, 1.0)
    return np.asarray(10.0 ** np.ceil(np.log10(safe * 1.000001)), dtype=np.float64)


def power_from_energy(
    times: IntArray,
    register: FloatArray,
    used: FloatArray,
    *,
    interval_s: int,
    cap_kw: float,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """kW over [t_i, t_i+1) from energy; returns (power, backwards mask, reset mask) aligned to `times`.

    `used` (the period's Cou) wins where present; the register difference fills the rest.
    """
    n = times.shape[0]
    power = np.full(n, np.nan)
    backwards = np.zeros(n, dtype=bool)
    reset = np.zeros(n, dtype=bool)
    if n >= 2:
        dt_h = np.diff(times).astype(np.float64) / 3600.0
        prev, cur = register[:-1], register[1:]
        delta = cur - prev
        capacity = _rollover_capacity(prev)
        wrapped = capacity - prev + cur
        down = delta < 0
        is_rollover = down & (prev >= 0.9 * capacity) & (wrapped / dt_h <= cap_kw)
        is_reset = down & ~is_rollover & (cur >= 0) & (cur / dt_h <= cap_kw)
        delta = np.where(is_rollover, wrapped, np.where(is_reset, cur, delta))
        bad = down & ~is_rollover & ~is_reset
        too_long = dt_h * 3600.0 > GAP_INTERVALS * interval_s
        derived = np.where(bad | too_long | (delta < 0), np.nan, delta / dt_h)
        power[:-1] = derived
        backwards[1:] = bad
        reset[1:] = is_reset
    consumption = np.where(used >= 0, used, np.nan)
    from_used = consumption / (interval_s / 3600.0)
    backwards |= used < 0
    return np.where(np.isnan(from_used), power, from_used), backwards, reset


def _anomaly(point_id: str, kind: str, times: IntArray, mask: BoolArray) -> list[DataAnomaly]:
    if not mask.any():
        return []
    return [DataAnomaly(point_id, kind, tuple(int(t) for t in times[mask]))]


def build_series(
    point_id: str,
    times: IntArray,
    *,
    power: FloatArray | None = None,
    register: FloatArray | None = None,
    used: FloatArray | None = None,
    valid: BoolArray | None = None,
    rated_kw: float | None = None,
    implausible_factor: float = 3.0,
    interval_s: int | None = None,
) -> PointSeries:
    """One point's power series from aligned arrays (NaN = not sent); `valid` False marks flagged samples."""
    n = times.shape[0]
    interval = interval_s or nominal_interval(times)
    ok = np.ones(n, dtype=bool) if valid is None else valid.astype(bool)
    cap = implausible_factor * rated_kw if rated_kw else np.inf
    nan = np.full(n, np.nan)
    measured = nan if power is None else np.where(ok, power, np.nan)
    anomalies: list[DataAnomaly] = []
    if register is not None or used is not None:
        reg = nan if register is None else np.where(ok, register, np.nan)
        use = nan if used is None else np.where(ok, used, np.nan)
        derived, backwards, reset = power_from_energy(times, reg, use, interval_s=interval, cap_kw=cap)
        anomalies += _anomaly(point_id, "energy_backwards", times, backwards)
        anomalies += _anomaly(point_id, "energy_reset", times, reset)
        measured = np.where(np.isnan(measured), derived, measured)
    tiny = max(0.05, 0.005 * (rated_kw or 0.0))
    negative = measured < -tiny
    above = measured > cap
    anomalies += _anomaly(point_id, "negative_power", times, negative)
    anomalies += _anomaly(point_id, "power_above_rated", times, above)
    cleaned = np.where(negative | above, np.nan, np.maximum(measured, 0.0))
    return PointSeries(point_id, times, cleaned, interval, tuple(anomalies))


def sample_on_grid(series: PointSeries, start_minute: int, n: int) -> FloatArray:
    """The series on a one-minute grid starting at epoch minute `start_minute`: each value holds for one interval."""
    out = np.full(n, np.nan)
    if len(series) == 0 or n <= 0:
        return out
    grid = (start_minute + np.arange(n, dtype=np.int64)) * 60
    index = np.searchsorted(series.times, grid, side="right") - 1
    inside = index >= 0
    safe = np.where(inside, index, 0)
    held = inside & (grid - series.times[safe] < series.interval_s)
    out[held] = series.power_kw[safe[held]]
    return out
