"""From rows of `ingest.readings_v1` to one power series per point (no I/O).

Which values: power is the period average (`avg`) of minute data, else the real-time value (`rtd`); energy is the
period's consumption (`cou`) where sent, else the register (`max` of minute data is the reading at the period
end, `rtd` of real-time data). A point with minute data is judged on it; real-time data only stands in for a
point that sends no minute data. Flagged samples (flag other than `N`) are dropped before anything is derived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from fbjd_core.time import from_cst

from fbjd_rules.engine.device import DeviceSamples
from fbjd_rules.engine.series import FloatArray, IntArray, PointSeries, build_series
from fbjd_rules.engine.terminal_power import Restart, StatusSamples

__all__ = [
    "QuantityArrays",
    "device_samples",
    "group_rows",
    "hj212_time",
    "restarts",
    "series_for_points",
    "status_samples",
    "transmission_samples",
]

POWER, ENERGY = "active_power_kw", "energy_kwh"
MINUTE, REALTIME = "2051", "2011"


@dataclass(frozen=True, slots=True)
class QuantityArrays:
    """One point's samples of one quantity and CN, in time order; values NaN where flagged or not sent."""

    times: IntArray
    value: FloatArray
    register: FloatArray
    used: FloatArray

    @classmethod
    def of(
        cls,
        times: Sequence[int],
        value: Sequence[Any],
        register: Sequence[Any],
        used: Sequence[Any],
        ok: Sequence[bool],
    ) -> QuantityArrays:
        keep = np.asarray(ok, dtype=bool)

        def floats(values: Sequence[Any]) -> FloatArray:
            array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            return np.where(keep, array, np.nan)

        return cls(np.asarray(times, dtype=np.int64), floats(value), floats(register), floats(used))


GroupKey = tuple[str, str, str]  # (point_id, quantity, cn)


def group_rows(rows: Iterable[Any]) -> dict[GroupKey, QuantityArrays]:
    """Rows (point_id, quantity, cn, data_time, rtd, avg, max, cou, flag) → arrays per point, quantity, CN."""
    columns: dict[GroupKey, list[list[Any]]] = defaultdict(lambda: [[], [], [], [], []])
    for point_id, quantity, cn, data_time, rtd, avg, max_, cou, flag in rows:
        t, v, reg, used, ok = columns[(point_id, quantity, cn)]
        t.append(int(data_time.timestamp()))
        v.append(avg if avg is not None else rtd if rtd is not None else max_)
        reg.append(max_ if max_ is not None else rtd)
        used.append(cou)
        ok.append(flag is None or flag == "N")
    return {key: QuantityArrays.of(*cols) for key, cols in columns.items()}


def _aligned(times: IntArray, part: QuantityArrays | None, field: str) -> FloatArray:
    out = np.full(times.shape[0], np.nan)
    if part is not None and part.times.shape[0]:
        index = np.searchsorted(times, part.times)
        out[index] = getattr(part, field)
    return out


def series_for_points(
    groups: Mapping[GroupKey, QuantityArrays],
    *,
    rated_kw: Mapping[str, float | None] | None = None,
    implausible_factor: float = 3.0,
) -> dict[str, PointSeries]:
    by_point: dict[str, dict[tuple[str, str], QuantityArrays]] = defaultdict(dict)
    for (point_id, quantity, cn), arrays in groups.items():
        by_point[point_id][(quantity, cn)] = arrays
    result: dict[str, PointSeries] = {}
    for point_id, parts in by_point.items():
        cn = MINUTE if any(c == MINUTE for _, c in parts) else REALTIME
        power, energy = parts.get((POWER, cn)), parts.get((ENERGY, cn))
        present = [p.times for p in (power, energy) if p is not None]
        if not present:
            continue
        times = np.unique(np.concatenate(present))
        has_energy = energy is not None
        result[point_id] = build_series(
            point_id,
            times,
            power=_aligned(times, power, "value") if power is not None else None,
            register=_aligned(times, energy, "register") if has_energy else None,
            used=_aligned(times, energy, "used") if has_energy else None,
            rated_kw=(rated_kw or {}).get(point_id),
            implausible_factor=implausible_factor,
        )
    return result


def device_samples(rows: Iterable[Any]) -> list[DeviceSamples]:
    """Rows (point_id, mn, quantity, code, cn, data_time, value, flag, received_at), ordered by point, code, CN
    and time → one `DeviceSamples` per point, code and CN (flagged values NaN, kept for the times)."""
    columns: dict[tuple[str, str, str, str, str], list[list[Any]]] = defaultdict(lambda: [[], [], []])
    for point_id, mn, quantity, code, cn, data_time, value, flag, received_at in rows:
        times, values, received = columns[(point_id, mn, quantity, code, cn)]
        times.append(int(data_time.timestamp()))
        ok = (flag is None or flag == "N") and value is not None
        values.append(float(value) if ok else np.nan)
        received.append(int(received_at.timestamp()))
    return [
        DeviceSamples(
            point_id,
            mn,
            quantity,
            code,
            cn,
            np.asarray(times, dtype=np.int64),
            np.asarray(values, dtype=np.float64),
            np.asarray(received, dtype=np.int64),
        )
        for (point_id, mn, quantity, code, cn), (times, values, received) in columns.items()
    ]


def transmission_samples(rows: Iterable[Any]) -> list[DeviceSamples]:
    """Rows (point_id, mn, cn, [epoch seconds]) → samples with times only, for the transmission rate."""
    result = []
    for point_id, mn, cn, times in rows:
        t = np.sort(np.asarray(times, dtype=np.int64))
        result.append(DeviceSamples(point_id, mn, "", "", cn, t, np.full(t.shape[0], np.nan), t))
    return result


def hj212_time(text: str | None) -> int | None:
    """An HJ 212 time `YYYYMMDDhhmmss[zzz]` (the terminal's wall clock, CST) → epoch s; None if it is not one."""
    if text is None:
        return None
    digits = text.strip()[:14]
    try:
        return int(from_cst(datetime.strptime(digits, "%Y%m%d%H%M%S")).timestamp())
    except ValueError:
        return None


def restarts(rows: Iterable[Any]) -> list[Restart]:
    """Rows (mn, data_time, RestartTime text or None) of 2081 packets → restarts."""
    return [Restart(mn, int(data_time.timestamp()), hj212_time(restart)) for mn, data_time, restart in rows]


def status_samples(rows: Iterable[Any]) -> list[StatusSamples]:
    """Rows (point_id, mn, data_time, status), ordered by point, terminal and time → one series per point."""
    columns: dict[tuple[str | None, str], tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for point_id, mn, data_time, value in rows:
        times, values = columns[(point_id, mn)]
        times.append(int(data_time.timestamp()))
        values.append(np.nan if value is None else float(value))
    return [
        StatusSamples(point_id, mn, np.asarray(t, dtype=np.int64), np.asarray(v, dtype=np.float64))
        for (point_id, mn), (t, v) in columns.items()
    ]
