"""Rules 2 and 4: running when a control period says stop (应停未停), or inside a forbidden window (错峰生产).

A facility runs when one of its points (production, treatment or integrated; never the total incoming line) is
above its threshold (the "stop threshold" is the point's on/off threshold). Outside the measure's span the
condition is known false, so a stretch ends at the period's end and starts no earlier than the period's start.
Adjacent spans of the same facility and action (a period boundary in between) join into one stretch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import time

import numpy as np
from numpy.typing import NDArray

from fbjd_rules.engine.grid import Grid, PointStates, Segment
from fbjd_rules.engine.model import ControlAction, ControlSpan, Point, PointRole, Window
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import Abnormal, AbnormalType, EvidencePoint
from fbjd_rules.engine.runs import OpenCheck, Run, bridged_runs, tristate

__all__ = ["control_abnormals", "facility_running", "forbidden_minutes"]

BoolArray = NDArray[np.bool_]
RUNNING_ROLES = (PointRole.PRODUCTION, PointRole.TREATMENT, PointRole.INTEGRATED)


def _minutes(text: str) -> int:
    moment = time.fromisoformat(text)
    return moment.hour * 60 + moment.minute


def forbidden_minutes(grid: Grid, windows: Sequence[Window]) -> BoolArray:
    """Grid minutes whose CST wall-clock time lies in one of the daily windows (end exclusive)."""
    of_day = grid.cst_minute_of_day()
    inside = np.zeros(grid.n, dtype=bool)
    for window in windows:
        start, end = _minutes(window.start), _minutes(window.end)
        inside |= ((of_day >= start) & (of_day < end)) if start < end else ((of_day >= start) | (of_day < end))
    return inside


def facility_running(
    states: PointStates, segments: Sequence[Segment], facility_id: str, n: int
) -> tuple[BoolArray, BoolArray, int]:
    """(running, known off, gap minutes) of a facility over the grid, with each segment's points."""
    running, stopped, gap = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), 1
    for segment in segments:
        points = [p.id for p in segment.topology.points_of(facility_id, *RUNNING_ROLES) if p.threshold_kw is not None]
        if points:
            some_on, all_off = states.any_on(points, segment.start, segment.end)
            running[segment.start : segment.end] = some_on
            stopped[segment.start : segment.end] = all_off
            gap = max(gap, *(states.interval_minutes(pid) for pid in points))
    return running, stopped, gap


def _span_mask(grid: Grid, spans: Sequence[ControlSpan]) -> tuple[BoolArray, dict[int, ControlSpan]]:
    mask = np.zeros(grid.n, dtype=bool)
    starts: dict[int, ControlSpan] = {}
    for span in spans:
        lo, hi = grid.index(span.start), grid.index(span.end)
        if hi > lo:
            mask[lo:hi] = True
            starts[lo] = span
    return mask, starts


def _span_at(starts: dict[int, ControlSpan], index: int) -> ControlSpan:
    earlier = [s for s in starts if s <= index]
    return starts[max(earlier)] if earlier else starts[min(starts)]


def _remark(action: ControlAction, span: ControlSpan, facility: str, points: list[Point], run: Run) -> str:
    thresholds = "、".join(f"「{p.name}」阈值{p.threshold_kw:g}kW" for p in points)
    if action is ControlAction.STOP:
        return (
            f"管控时段「{span.period_name}」要求生产设施「{facility}」停产，"
            f"但其测点功率高于停产阈值（{thresholds}），持续运行{run.minutes}分钟。"
        )
    windows = "、".join(f"{w.start}-{w.end}" for w in span.windows)
    return (
        f"管控时段「{span.period_name}」要求「{facility}」错峰生产，禁止时段 {windows}，"
        f"但其在禁止时段内运行（{thresholds}），持续{run.minutes}分钟。"
    )


def control_abnormals(
    grid: Grid,
    states: PointStates,
    segments: Sequence[Segment],
    spans: Sequence[ControlSpan],
    params: RuleParams,
    *,
    still_open: OpenCheck,
) -> tuple[list[Abnormal], bool]:
    """Records of rules 2 and 4, and whether some stretch (of any length) starts at the grid's first minute."""
    grouped: dict[tuple[str, ControlAction], list[ControlSpan]] = defaultdict(list)
    for span in spans:
        if span.action in (ControlAction.STOP, ControlAction.OFF_PEAK):
            grouped[(span.facility_id, span.action)].append(span)
    found: list[Abnormal] = []
    truncated = False
    for (facility_id, action), facility_spans in sorted(grouped.items()):
        running, stopped, gap = facility_running(states, segments, facility_id, grid.n)
        in_force, span_starts = _span_mask(grid, facility_spans)
        if not span_starts:
            continue
        if action is ControlAction.OFF_PEAK:
            in_force &= forbidden_minutes(grid, [w for s in facility_spans for w in s.windows])
        state = tristate(running & in_force, (running | stopped) | ~in_force)
        minimum = params.stop_minutes if action is ControlAction.STOP else params.off_peak_minutes
        for run in bridged_runs(state, gap_minutes=gap, min_minutes=1):
            truncated = truncated or run.start == 0
            if run.minutes < minimum:
                continue
            span = _span_at(span_starts, run.start)
            topo = next(s.topology for s in reversed(segments) if s.start <= run.start) if segments else None
            if topo is None:
                continue
            facility = topo.facility(facility_id)
            name = facility.name if facility else facility_id
            points = [p for p in topo.points_of(facility_id, *RUNNING_ROLES) if p.threshold_kw is not None]
            found.append(
                Abnormal(
                    type=AbnormalType.STOP if action is ControlAction.STOP else AbnormalType.OFF_PEAK,
                    ps_id=topo.ps_id,
                    enterprise_name=topo.enterprise_name,
                    county=topo.county,
                    industry=topo.industry,
                    production_facility_id=facility_id,
                    production_facility_name=name,
                    treatment_facility_id=None,
                    treatment_facility_name=None,
                    treatment_point_id=None,
                    treatment_point_ids=(),
                    start=grid.time(run.start),
                    end=grid.time(run.end),
                    ongoing=still_open(grid.time(run.end), run.open_end, gap),
                    judgement_minutes=minimum,
                    production_threshold_kw=points[0].threshold_kw if points else None,
                    treatment_threshold_kw=None,
                    limit_ratio=None,
                    remark=_remark(action, span, name, points, run),
                    evidence_points=tuple(
                        EvidencePoint(p.id, p.name, p.role.value, p.facility_id, p.threshold_kw) for p in points
                    ),
                    params=params,
                )
            )
    return found, truncated
