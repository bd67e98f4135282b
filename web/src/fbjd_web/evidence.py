"""A record's evidence chart (证据曲线): the power of its production and treatment points on one time axis over
the abnormal stretch and a margin either side, each point's threshold, the abnormal stretch shaded and, for
stop / limit / off-peak records, the control period in force. Pure: the page fetches, this shapes.

The chart data follows the convention of static/charts.js:
{"series": [{"name", "points": [[CST ISO, kW], ...], "threshold", "kind"}], "bands": [{"from", "to", "label",
"kind"}], "unit": "kW"}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.time import to_cst

from fbjd_web.vocabulary import CONTROL_TYPES

__all__ = [
    "MAX_MARGIN",
    "MIN_MARGIN",
    "EvidencePoint",
    "chart_window",
    "control_bands",
    "cst_iso",
    "evidence_chart",
    "evidence_points",
    "parse_time",
    "point_kind",
    "series_of",
]

MIN_MARGIN = timedelta(minutes=30)
MAX_MARGIN = timedelta(hours=6)
ROLE_NAMES = {"production": "生产", "treatment": "治污", "integrated": "产治一体", "total_line": "总进线"}


@dataclass(frozen=True, slots=True)
class EvidencePoint:
    """A point whose curve proves the record, with the threshold the rules judged it by."""

    point_id: str
    name: str
    role: str
    threshold_kw: float | None


def parse_time(value: str | datetime) -> datetime:
    """An API timestamp (ISO, `Z` or an offset) as an aware datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cst_iso(moment: str | datetime) -> str:
    """The chart's time format: ISO in China Standard Time, e.g. 2026-11-24T08:00:00+08:00."""
    return to_cst(parse_time(moment)).isoformat(timespec="seconds")


def chart_window(start: datetime, end: datetime, *, at: datetime) -> tuple[datetime, datetime]:
    """The abnormal ± a margin (half its length, at least 30 min, at most 6 h); never past `at` (now)."""
    margin = min(max((end - start) / 2, MIN_MARGIN), MAX_MARGIN)
    begin, finish = start - margin, end + margin
    finish = min(finish, at)
    if finish <= begin:
        finish = begin + MIN_MARGIN
    return begin, finish


def point_kind(role: str) -> str:
    """The chart's kind of a point role: production, treatment, or other (a total line, a combined point)."""
    return role if role in ("production", "treatment") else "other"


def evidence_points(rules_record: Mapping[str, Any] | None, alarm: Mapping[str, Any]) -> list[EvidencePoint]:
    """The record's points as the rules judged them (their evidence list); without the rules' answer, the
    treatment points the workflow's record names, with the record's treatment threshold."""
    evidence = (rules_record or {}).get("evidence") or {}
    points = [
        EvidencePoint(
            point_id=str(p["point_id"]),
            name=str(p.get("name") or p["point_id"]),
            role=str(p.get("role") or "other"),
            threshold_kw=p.get("threshold_kw"),
        )
        for p in evidence.get("points") or []
    ]
    if points:
        return points
    record = alarm.get("record") or {}
    ids = list(alarm.get("treatment_point_ids") or record.get("treatment_point_ids") or [])
    threshold = record.get("treatment_threshold_kw")
    return [EvidencePoint(point_id=i, name=i, role="treatment", threshold_kw=threshold) for i in ids]


def series_of(point: EvidencePoint, samples: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One line of the chart from an ingest series' samples ({t, kw, ...})."""
    role = ROLE_NAMES.get(point.role)
    name = point.name if role is None or role in point.name else f"{point.name}（{role}）"
    return {
        "name": name,
        "points": [[cst_iso(s["t"]), None if s.get("kw") is None else round(float(s["kw"]), 3)] for s in samples],
        "threshold": point.threshold_kw,
        "kind": point_kind(point.role),
    }


def _applies(period: Mapping[str, Any], *, county: str | None, industry: str | None) -> bool:
    counties = period.get("counties") or []
    industries = period.get("industries") or []
    issuer = period.get("issuer_county_code")
    if issuer and county and issuer != county:
        return False
    if counties and county not in counties:
        return False
    return not industries or industry in industries


def control_bands(
    periods: Sequence[Mapping[str, Any]],
    *,
    county: str | None,
    industry: str | None,
    window: tuple[datetime, datetime],
) -> list[dict[str, Any]]:
    """The control periods (应急管控时段) covering the enterprise that overlap the chart's window, clipped to it."""
    begin, finish = window
    bands = []
    for period in periods:
        starts, ends = parse_time(period["starts_at"]), parse_time(period["ends_at"])
        if ends <= begin or starts >= finish or not _applies(period, county=county, industry=industry):
            continue
        bands.append(
            {
                "from": cst_iso(max(starts, begin)),
                "to": cst_iso(min(ends, finish)),
                "label": f"管控时段：{period.get('name', '')}",
                "kind": "control",
            }
        )
    return bands


def evidence_chart(
    alarm: Mapping[str, Any],
    points: Sequence[EvidencePoint],
    samples: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    periods: Sequence[Mapping[str, Any]] = (),
    window: tuple[datetime, datetime],
) -> dict[str, Any]:
    """The whole chart of a record: production lines first, then treatment, then the rest; the abnormal
    stretch as a band; the control period's band where the record is a stop / limit / off-peak one."""
    order = {"production": 0, "treatment": 1}
    ranked = sorted(points, key=lambda p: order.get(point_kind(p.role), 2))
    series = [series_of(p, samples.get(p.point_id, ())) for p in ranked]
    label = "异常时段（持续中）" if alarm.get("ongoing") else "异常时段"
    bands = [{"from": cst_iso(alarm["start"]), "to": cst_iso(alarm["end"]), "label": label, "kind": "abnormal"}]
    if alarm.get("type") in CONTROL_TYPES:
        bands += control_bands(periods, county=alarm.get("county"), industry=alarm.get("industry"), window=window)
    return {"series": series, "bands": bands, "unit": "kW"}
