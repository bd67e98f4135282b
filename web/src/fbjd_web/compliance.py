"""Control periods (应急管控) as the control page shows them: which enterprises a period covers, what each
facility must do under the enterprise's plan (一厂一策) for the period's level, and whether it complies now.

Coverage is the registry's rule (control/obligation.py), re-declared here over its API answers: a period covers an
enterprise while in force, when issued by the city or the enterprise's own county, and when its county and
industry lists include the enterprise's (an empty list covers all). "Complying now" is read from the live power
of the facility's points (ingest points/latest): a facility ordered to stop complies when every point is at or
below its threshold; one ordered to limit, when its live power is within the allowed share of its rated power
(an indication only: rules judge limits on cumulative consumption against the normal baseline); off-peak
facilities must be off inside a forbidden window. No recent value: unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Literal

from fbjd_core.time import to_cst

from fbjd_web.point_table import PointState

__all__ = [
    "ACTION_LABELS",
    "LEVEL_LABELS",
    "FacilityDuty",
    "Verdict",
    "covers",
    "facility_duty",
    "in_window",
    "is_active",
]

LEVEL_LABELS = {"red": "红色预警", "orange": "橙色预警", "yellow": "黄色预警", "differentiated": "差异化管控"}
ACTION_LABELS = {"stop": "停产", "limit": "限产", "off_peak": "错峰生产", "none": "无措施"}

Verdict = Literal["complying", "violating", "unknown", "not_now"]


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def is_active(period: Mapping[str, Any], at: datetime) -> bool:
    return _at(period["starts_at"]) <= at < _at(period["ends_at"])


def covers(period: Mapping[str, Any], enterprise: Mapping[str, Any], at: datetime) -> bool:
    """Whether the period, in force at `at`, applies to the enterprise (the registry's rule)."""
    if not is_active(period, at):
        return False
    issuer = period.get("issuer_county_code")
    if issuer is not None and issuer != enterprise["county_code"]:
        return False
    counties, industries = period.get("counties") or [], period.get("industries") or []
    if counties and enterprise["county_code"] not in counties:
        return False
    return not industries or enterprise["industry"] in industries


def in_window(windows: Sequence[Mapping[str, str]], at: datetime) -> bool:
    """Whether the CST wall clock of `at` lies in one of the daily windows (end exclusive, midnight crossing)."""
    local = to_cst(at).time()
    for window in windows:
        start, end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
        if (start <= local < end) if start < end else (local >= start or local < end):
            return True
    return False


@dataclass(frozen=True)
class FacilityDuty:
    facility_name: str
    action: str
    limit_share: float | None
    windows: list[Mapping[str, str]]
    points: list[PointState]
    live_kw: float | None
    allowed_kw: float | None  # limit: share × rated power
    verdict: Verdict


def _verdict(action: str, points: Sequence[PointState], allowed_kw: float | None, forbidden_now: bool) -> Verdict:
    if action == "off_peak" and not forbidden_now:
        return "not_now"
    if not points or any(p.state in ("no_data", "stale") for p in points):
        return "unknown"
    if action == "limit":
        live = sum(p.kw or 0.0 for p in points)
        return "unknown" if allowed_kw is None else ("complying" if live <= allowed_kw else "violating")
    if any(p.state == "no_threshold" for p in points):
        return "unknown"
    return "violating" if any(p.state == "on" for p in points) else "complying"


def facility_duty(
    measure: Mapping[str, Any], facility_name: str, points: Sequence[PointState], rated_kw: float | None, at: datetime
) -> FacilityDuty:
    """One measure of the plan, the facility's points with their live state → what it must do and whether it does."""
    action = str(measure["action"])
    share = measure.get("limit_share")
    windows = list(measure.get("windows") or [])
    allowed = None if action != "limit" or share is None or not rated_kw else round(float(share) * rated_kw, 1)
    live = None if not points or all(p.kw is None for p in points) else round(sum(p.kw or 0.0 for p in points), 1)
    return FacilityDuty(
        facility_name=facility_name,
        action=action,
        limit_share=share,
        windows=windows,
        points=list(points),
        live_kw=live,
        allowed_kw=allowed,
        verdict=_verdict(action, points, allowed, in_window(windows, at) if action == "off_peak" else True),
    )
