"""The evaluation core's one entry: topology versions + power series + control spans → abnormal stretches.

Sans-IO: no database, no HTTP, no clock. The caller (the service on a notification, the sweep, the replay)
loads what is needed and decides what to do with the result. The same input always gives the same records.

`stretches(EvaluationInput)` is its read-only sibling: rule 1's intermediate state on the same grid, topology
and series (stretches of any length and undecidable ones), for audits; it makes no records.

`truncated` tells the caller that a stretch begins at the first minute of the window: it may have begun
earlier, so the caller should look further back before trusting that stretch's start (and so its identity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fbjd_rules.engine.control import control_abnormals
from fbjd_rules.engine.grid import Grid, PointStates, segments_of
from fbjd_rules.engine.limit import limit_abnormals
from fbjd_rules.engine.model import ControlSpan, TopologyVersion
from fbjd_rules.engine.params import DEFAULT_PARAMS, RuleParams
from fbjd_rules.engine.records import Abnormal
from fbjd_rules.engine.series import DataAnomaly, PointSeries
from fbjd_rules.engine.treatment import TreatmentStretch, treatment_abnormals, treatment_stretches

__all__ = ["EvaluationInput", "EvaluationResult", "StretchesResult", "evaluate", "stretches"]


@dataclass(frozen=True, slots=True)
class EvaluationInput:
    """Judge [start, end); data is expected up to `horizon` (now, or the end of a replay)."""

    ps_id: str
    start: datetime
    end: datetime
    horizon: datetime
    versions: Sequence[TopologyVersion]
    series: Mapping[str, PointSeries]
    controls: Sequence[ControlSpan] = ()
    params: RuleParams = DEFAULT_PARAMS


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    abnormals: list[Abnormal]
    anomalies: list[DataAnomaly] = field(default_factory=list)
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class StretchesResult:
    stretches: list[TreatmentStretch]
    truncated: bool = False


def stretches(data: EvaluationInput) -> StretchesResult:
    """Rule 1's stretches over [start, end), judged exactly as `evaluate` judges them (records not made)."""
    grid = Grid.between(data.start, data.end)
    segments = segments_of(grid, data.versions)
    found, truncated = treatment_stretches(grid, PointStates(grid, data.series, segments), segments, data.params)
    return StretchesResult(found, truncated)


def evaluate(data: EvaluationInput) -> EvaluationResult:
    grid = Grid.between(data.start, data.end)
    segments = segments_of(grid, data.versions)
    states = PointStates(grid, data.series, segments)
    params = data.params

    def still_open(end: datetime, open_end: bool, gap_minutes: int) -> bool:
        return open_end and data.horizon - end <= timedelta(minutes=params.offline_intervals * gap_minutes)

    treatment, cut_treatment = treatment_abnormals(grid, states, segments, params, still_open=still_open)
    control, cut_control = control_abnormals(grid, states, segments, data.controls, params, still_open=still_open)
    limit = limit_abnormals(grid, data.series, data.versions, data.controls, params, still_open=still_open)
    start_s, end_s = data.start.timestamp(), data.end.timestamp()
    anomalies = []
    for series in data.series.values():
        for anomaly in series.anomalies:
            inside = tuple(t for t in anomaly.times if start_s <= t < end_s)
            if inside:
                anomalies.append(DataAnomaly(anomaly.point_id, anomaly.kind, inside))
    abnormals = sorted(treatment + control + limit, key=lambda a: (a.start, a.type.value, str(a.id)))
    return EvaluationResult(abnormals, anomalies, cut_treatment or cut_control)
