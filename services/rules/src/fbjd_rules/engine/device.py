"""Device and data findings of rule 5 beyond the implausible values of `series` (pure, sans-IO).

- Power-off / power-on of monitored equipment: a voltage quantity (`voltage_v`) near 0 after it was normal, and
  normal again; one finding per outage, with its start (the first lost sample) and its end (the first normal one
  again, or none while it lasts). An outage of one sample is a spike, not an outage.
- Stuck values: one point's power, voltage or current exactly constant for at least `stuck_hours` while another
  series of the same terminal keeps moving in that stretch (a whole terminal that is constant is idle, not stuck).
- Transmission rate: distinct data times received in a window ÷ the number the nominal interval expects; below
  `min_rate` (90 %) the point needs maintenance. A day or a month is the same function over another window.
- Clock skew: a DataTime more than `max_ahead_s` ahead of when the sample was received (data from the future).

Times are epoch seconds; values are NaN where flagged or not sent (unknown, never a finding by itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fbjd_rules.engine.params import DEFAULT_PARAMS, RuleParams, grade_for
from fbjd_rules.engine.series import FloatArray, IntArray, nominal_interval

__all__ = [
    "DeviceFinding",
    "DeviceSamples",
    "Outage",
    "Stretch",
    "clock_skew",
    "device_findings",
    "point_rates",
    "power_outages",
    "stuck_stretches",
    "transmission_findings",
    "transmission_rate",
]


@dataclass(frozen=True, slots=True)
class Outage:
    start: int
    end: int | None  # the first normal sample again; None while the voltage is still lost
    truncated: bool = False  # lost from the first sample seen: it began earlier (only extends a known outage)


@dataclass(frozen=True, slots=True)
class Stretch:
    start: int
    end: int  # the last sample of the stretch
    ongoing: bool  # the stretch runs to the last sample seen
    truncated: bool = False  # starts at the first sample seen: it may have begun earlier


@dataclass(frozen=True, slots=True)
class DeviceFinding:
    """One device/data finding (an operations alarm: operator and enterprise, never the province)."""

    kind: str  # power_off | value_stuck | transmission_low | clock_skew
    severity: str  # general | serious | grave
    point_id: str | None
    start: int
    end: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeviceSamples:
    """One point's samples of one factor code (quantity, CN), in time order; value NaN where flagged."""

    point_id: str
    mn: str
    quantity: str
    code: str
    cn: str
    times: IntArray
    values: FloatArray
    received: IntArray  # epoch seconds the sample was stored (received_at)


def power_outages(times: IntArray, voltage: FloatArray, *, lost_v: float = 10.0, min_samples: int = 2) -> list[Outage]:
    """Outages of one voltage series: lost (< `lost_v`) after a normal sample, for at least `min_samples`.

    Lost from the very first sample is reported `truncated` (its real start is before the data seen)."""
    known = ~np.isnan(voltage)
    t, v = times[known], voltage[known]
    outages: list[Outage] = []
    start, count = -1, 0
    for i in range(t.shape[0]):
        if bool(v[i] < lost_v):
            if start < 0:
                start, count = i, 0
            count += 1
            continue
        if start >= 0 and count >= min_samples:
            outages.append(Outage(int(t[start]), int(t[i]), start == 0))
        start = -1
    if start >= 0 and count >= min_samples:
        outages.append(Outage(int(t[start]), None, start == 0))
    return outages


def _constant_runs(times: IntArray, values: FloatArray, min_s: int) -> list[Stretch]:
    known = ~np.isnan(values)
    t, v = times[known], values[known]
    runs: list[Stretch] = []
    n, i, interval = t.shape[0], 0, nominal_interval(t)
    while i < n:
        j = i
        while j + 1 < n and v[j + 1] == v[i]:
            j += 1
        if int(t[j] - t[i]) + interval >= min_s:  # each sample holds for one interval
            runs.append(Stretch(int(t[i]), int(t[j]), j == n - 1, i == 0))
        i = j + 1
    return runs


def _moves(times: IntArray, values: FloatArray, start: int, end: int) -> bool:
    inside = (times >= start) & (times <= end) & ~np.isnan(values)
    window = values[inside]
    return bool(window.shape[0] >= 2 and np.ptp(window) > 0)


def stuck_stretches(
    series: Mapping[tuple[str, str], tuple[IntArray, FloatArray]], *, hours: float = 4.0
) -> dict[tuple[str, str], list[Stretch]]:
    """(point, quantity) → stretches exactly constant for ≥ `hours` while another series of the terminal moved."""
    min_s = int(hours * 3600)
    found: dict[tuple[str, str], list[Stretch]] = {}
    for key, (times, values) in series.items():
        for run in _constant_runs(times, values, min_s):
            others = (other for other_key, other in series.items() if other_key != key)
            if any(_moves(t, v, run.start, run.end) for t, v in others):
                found.setdefault(key, []).append(run)
    return found


def transmission_rate(times: IntArray, *, start: int, end: int, interval_s: int | None = None) -> float:
    """Distinct data times in [start, end) ÷ what the nominal interval expects there (capped at 1)."""
    inside = np.unique(times[(times >= start) & (times < end)])
    interval = interval_s or nominal_interval(inside)
    expected = max(1, (end - start) // interval)
    return float(min(1.0, inside.shape[0] / expected))


def clock_skew(data_times: IntArray, received: IntArray, *, max_ahead_s: int = 300) -> IntArray:
    """Data times of the samples that were more than `max_ahead_s` ahead of their reception."""
    ahead = data_times - received > max_ahead_s
    return np.asarray(data_times[ahead], dtype=np.int64)


def severity_of(start: int, end: int, params: RuleParams = DEFAULT_PARAMS) -> str:
    return grade_for((end - start) // 60, params)


STUCK_QUANTITIES = ("active_power_kw", "voltage_v", "current_a")
MINUTE = "2051"


def _preferred(samples: Sequence[DeviceSamples]) -> list[DeviceSamples]:
    """Minute data where a point sends it, real-time data only for a point that sends no minute data."""
    minute_points = {s.point_id for s in samples if s.cn == MINUTE}
    return [s for s in samples if s.cn == MINUTE or s.point_id not in minute_points]


def device_findings(
    samples: Sequence[DeviceSamples], *, start: int, end: int, params: RuleParams = DEFAULT_PARAMS
) -> list[DeviceFinding]:
    """Power-off, stuck values and clock skew of one enterprise's samples, for what begins in [start, end).

    Truncated stretches (their start is before the samples seen) are returned too, marked in `detail`, so the
    caller can extend a finding it already holds; it must not open a new one from them.
    """
    found: list[DeviceFinding] = []
    chosen = _preferred(samples)
    for s in chosen:
        if s.quantity != "voltage_v":
            continue
        for outage in power_outages(s.times, s.values, lost_v=params.voltage_lost_v):
            if outage.start >= end or (outage.end is not None and outage.end < start):
                continue
            last = outage.end if outage.end is not None else int(s.times[-1])
            detail = {
                "mn": s.mn,
                "code": s.code,
                "truncated": outage.truncated,
                "ongoing": outage.end is None,
                "last_seen": last,
            }
            found.append(
                DeviceFinding(
                    "power_off", severity_of(outage.start, last, params), s.point_id, outage.start, outage.end, detail
                )
            )
    by_terminal: dict[str, dict[tuple[str, str], tuple[IntArray, FloatArray]]] = {}
    for s in chosen:
        if s.quantity in STUCK_QUANTITIES:
            by_terminal.setdefault(s.mn, {})[(s.point_id, s.code)] = (s.times, s.values)
    quantity_of = {(s.point_id, s.code): s.quantity for s in chosen}
    for mn, series in sorted(by_terminal.items()):
        for (point_id, code), stretches in sorted(stuck_stretches(series, hours=params.stuck_hours).items()):
            values = series[(point_id, code)][1]
            times = series[(point_id, code)][0]
            for run in stretches:
                if run.start >= end or run.end < start:
                    continue
                value = float(values[np.searchsorted(times, run.start)])
                detail = {
                    "mn": mn,
                    "code": code,
                    "quantity": quantity_of[(point_id, code)],
                    "value": value,
                    "truncated": run.truncated,
                    "ongoing": run.ongoing,
                    "last_seen": run.end,
                }
                found.append(
                    DeviceFinding(
                        "value_stuck", severity_of(run.start, run.end, params), point_id, run.start, run.end, detail
                    )
                )
    skewed: dict[tuple[str, str], set[int]] = {}
    for s in samples:
        ahead = clock_skew(s.times, s.received, max_ahead_s=params.clock_skew_s)
        inside = ahead[(ahead >= start) & (ahead < end)]
        if inside.shape[0]:
            skewed.setdefault((s.point_id, s.mn), set()).update(int(t) for t in inside)
    for (point_id, mn), times_set in sorted(skewed.items()):
        ordered = sorted(times_set)
        found.append(
            DeviceFinding("clock_skew", "general", point_id, ordered[0], ordered[-1], {"mn": mn, "times": ordered})
        )
    return found


def _received_times(samples: Sequence[DeviceSamples], start: int, end: int) -> dict[tuple[str, str], IntArray]:
    """(point, terminal) → its distinct data times in [start, end), of the CN it is judged on."""
    times_of: dict[tuple[str, str], list[IntArray]] = {}
    for s in _preferred(samples):
        times_of.setdefault((s.point_id, s.mn), []).append(s.times)
    received: dict[tuple[str, str], IntArray] = {}
    for key, parts in sorted(times_of.items()):
        times = np.unique(np.concatenate(parts))
        inside = times[(times >= start) & (times < end)]
        if inside.shape[0]:
            received[key] = inside
    return received


def point_rates(samples: Sequence[DeviceSamples], *, start: int, end: int) -> dict[str, float]:
    """Point id → its transmission rate over [start, end) (points with data there only)."""
    return {
        point_id: transmission_rate(inside, start=start, end=end, interval_s=nominal_interval(inside))
        for (point_id, _mn), inside in _received_times(samples, start, end).items()
    }


def transmission_findings(
    samples: Sequence[DeviceSamples], *, start: int, end: int, period: str, params: RuleParams = DEFAULT_PARAMS
) -> list[DeviceFinding]:
    """Points whose transmission rate over [start, end) (a day or a month, named by `period`) is below the minimum.

    A point's received intervals are the distinct data times of any of its codes in the CN it is judged on; a
    point silent all along has no rate (terminal offline says that)."""
    found: list[DeviceFinding] = []
    for (point_id, mn), inside in _received_times(samples, start, end).items():
        interval = nominal_interval(inside)
        rate = transmission_rate(inside, start=start, end=end, interval_s=interval)
        if rate < params.min_transmission_rate:
            severity = "serious" if rate < params.min_transmission_rate / 2 else "general"
            detail = {
                "mn": mn,
                "period": period,
                "rate": round(rate, 4),
                "interval_s": interval,
                "received": int(inside.shape[0]),
                "expected": max(1, (end - start) // interval),
            }
            found.append(DeviceFinding("transmission_low", severity, point_id, start, end, detail))
    return found
