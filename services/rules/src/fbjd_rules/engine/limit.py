"""Rule 3, limit violation (限产未限): cumulative energy since the period began exceeds the allowed share of normal.

Baseline: the facility's average power profile over the same minutes of the day on normal production days
before the period (the last `baseline_days` of the `baseline_lookback_days` before it on which data covered at
least `baseline_min_coverage` of the day and the facility ran for an hour). Cumulative energy E(t) since the
period start is compared with B(t), the baseline's energy over the same minutes: a violation while
E(t) > share × B(t) × (1 + tolerance), judged from the first hour on (fewer kWh are noise). A plan revised
during the period (a new share, or a stop for a while) changes the share from the revision on; E(t) and B(t)
still count from the period's start, and a stretch over the bar continues across a revised share. The record reports
E/B, the share of normal consumption actually used. Missing data counts as no consumption, so a gap can hide
a violation but never invent one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from fbjd_rules.engine.grid import Grid, version_at
from fbjd_rules.engine.model import ControlAction, ControlSpan, Point, Topology, TopologyVersion
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import Abnormal, AbnormalType, EvidencePoint
from fbjd_rules.engine.runs import OpenCheck, bridged_runs, tristate
from fbjd_rules.engine.series import FloatArray, PointSeries, sample_on_grid

__all__ = ["baseline_profile", "limit_abnormals"]

DAY = 1440
ROLES = ("production", "integrated", "treatment")


def _points(topo: Topology, facility_id: str) -> list[Point]:
    return [p for p in topo.points_of(facility_id) if p.role.value in ROLES]


def _facility_power(
    series: Mapping[str, PointSeries], points: Sequence[Point], start_minute: int, n: int
) -> FloatArray:
    """Summed power of the points per minute; NaN where none of them is known."""
    total, known = np.zeros(n), np.zeros(n, dtype=bool)
    for point in points:
        found = series.get(point.id)
        if found is None:
            continue
        values = sample_on_grid(found, start_minute, n)
        known |= ~np.isnan(values)
        total += np.nan_to_num(values)
    return np.where(known, total, np.nan)


def baseline_profile(
    series: Mapping[str, PointSeries], points: Sequence[Point], period_minute: int, params: RuleParams
) -> FloatArray | None:
    """Mean kW at each of the 1 440 minute offsets from the period start, over the normal days before it."""
    lookback = params.baseline_lookback_days
    days = _facility_power(series, points, period_minute - lookback * DAY, lookback * DAY).reshape(lookback, DAY)
    thresholds = sum(p.threshold_kw or 0.0 for p in points)
    coverage = (~np.isnan(days)).mean(axis=1)
    ran = (np.nan_to_num(days) > thresholds).sum(axis=1) >= 60
    normal = np.flatnonzero((coverage >= params.baseline_min_coverage) & ran)
    chosen = normal[::-1][: params.baseline_days]  # the most recent normal days (row lookback-1 is the day before)
    if chosen.shape[0] == 0:
        return None
    rows = days[chosen]
    counts = (~np.isnan(rows)).sum(axis=0)
    sums = np.nansum(rows, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)


def _share_by_minute(spans: Sequence[ControlSpan], period_minute: int, n: int) -> FloatArray:
    """The allowed share at each minute since the period began; NaN where no limit of the period is in force
    (before the window judged, or while a plan revision made it a stop)."""
    share = np.full(n, np.nan)
    for span in spans:
        if span.limit_share is None:
            continue
        lo = max(0, int(span.start.timestamp() // 60) - period_minute)
        hi = max(0, min(n, int(span.end.timestamp() // 60) - period_minute))
        share[lo:hi] = span.limit_share
    return share


def _one_period(
    spans: Sequence[ControlSpan],
    topo: Topology,
    series: Mapping[str, PointSeries],
    grid: Grid,
    params: RuleParams,
    still_open: OpenCheck,
) -> list[Abnormal]:
    """The limit spans of one facility in one period, judged as one: the energy is counted from the period's
    start whatever plan version is in force, so a revised share changes the bar, never restarts the count."""
    first = spans[0]
    points = _points(topo, first.facility_id)
    if not points:
        return []
    period_minute = int(first.period_start.timestamp() // 60)
    profile = baseline_profile(series, points, period_minute, params)
    if profile is None:
        return []
    last_end = max(span.end for span in spans)
    end_minute = min(int(last_end.timestamp() // 60), grid.start_minute + grid.n)
    n = end_minute - period_minute
    if n <= 0:
        return []
    share = _share_by_minute(spans, period_minute, n)
    in_force = ~np.isnan(share)
    power = _facility_power(series, points, period_minute, n)
    used = np.cumsum(np.nan_to_num(power)) / 60.0
    baseline = np.cumsum(profile[np.arange(n) % DAY]) / 60.0
    judged = in_force & (np.arange(n) >= params.limit_min_elapsed_minutes) & (baseline > 0)
    over = judged & (used > np.nan_to_num(share) * baseline * (1.0 + params.limit_tolerance))
    has_data = np.flatnonzero(~np.isnan(power))
    known = judged & (np.arange(n) <= (int(has_data[-1]) if has_data.shape[0] else -1))
    known |= ~in_force  # outside the limit (a stop in between): known not to be a limit violation
    span_grid = Grid(period_minute, n)
    facility = topo.facility(first.facility_id)
    name = facility.name if facility else first.facility_id
    gap = max(max(1, series[p.id].interval_s // 60) for p in points if p.id in series) if series else 1
    found = []
    for run in bridged_runs(tristate(over, known), gap_minutes=gap, min_minutes=params.limit_minutes):
        last = run.end - 1
        ratio, allowed = float(used[last] / baseline[last]), float(share[last])
        found.append(
            Abnormal(
                type=AbnormalType.LIMIT,
                ps_id=topo.ps_id,
                enterprise_name=topo.enterprise_name,
                county=topo.county,
                industry=topo.industry,
                production_facility_id=first.facility_id,
                production_facility_name=name,
                treatment_facility_id=None,
                treatment_facility_name=None,
                treatment_point_id=None,
                treatment_point_ids=(),
                start=span_grid.time(run.start),
                end=span_grid.time(run.end),
                ongoing=still_open(span_grid.time(run.end), run.open_end, gap) and span_grid.time(run.end) < last_end,
                judgement_minutes=params.limit_minutes,
                production_threshold_kw=points[0].threshold_kw,
                treatment_threshold_kw=None,
                limit_ratio=round(ratio, 4),
                remark=(
                    f"管控时段「{first.period_name}」要求「{name}」限产至正常用电量的{allowed:.0%}；"
                    f"自{span_grid.time(0):%Y-%m-%d %H:%M}(UTC)起至{span_grid.time(run.end):%H:%M}累计用电"
                    f"{used[last]:.1f}kWh，为同时段正常生产日基准用电量{baseline[last]:.1f}kWh的{ratio:.0%}，"
                    f"超过限产比例（容差{params.limit_tolerance:.0%}）。"
                ),
                evidence_points=tuple(
                    EvidencePoint(p.id, p.name, p.role.value, p.facility_id, p.threshold_kw) for p in points
                ),
                params=params,
            )
        )
    return found


def limit_abnormals(
    grid: Grid,
    series: Mapping[str, PointSeries],
    versions: Sequence[TopologyVersion],
    spans: Sequence[ControlSpan],
    params: RuleParams,
    *,
    still_open: OpenCheck,
) -> list[Abnormal]:
    """Records of rule 3, per facility and period (its spans together, whatever plan versions cut them), each
    judged with the topology in force when its period began."""
    periods: dict[tuple[str, str, datetime], list[ControlSpan]] = defaultdict(list)
    for span in spans:
        if span.action is ControlAction.LIMIT:
            periods[(span.facility_id, span.period_id, span.period_start)].append(span)
    found: list[Abnormal] = []
    for (_, _, period_start), period_spans in sorted(periods.items()):
        topology = version_at(versions, period_start)
        if topology is not None:
            found += _one_period(
                sorted(period_spans, key=lambda s: s.start), topology, series, grid, params, still_open
            )
    return found
