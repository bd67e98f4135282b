"""What a facility must do at an instant: a pure function of the periods, plans and enterprise of that instant.

A period covers an enterprise when it is in force (`starts_at ≤ t < ends_at`), was issued by the city or by the
enterprise's own county, and lists the enterprise's county and industry (an empty list covers all). Of the
measures that the enterprise's plans prescribe for the facility under the covering periods, the strictest
wins: stop, then limit (smaller share first), then off-peak (a window containing t first); equal ones go to
the higher warning level.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from fbjd_core.time import to_cst

from fbjd_registry.control.schemas import MeasureOut, ObligationOut, PeriodOut, PlanOut, PlanRef, TimeWindow
from fbjd_registry.enterprises.schemas import EnterpriseOut
from fbjd_registry.vocabulary import ControlAction, ControlLevel

__all__ = ["covers", "in_window", "obligation"]

_LEVEL_RANK = {ControlLevel.RED: 0, ControlLevel.ORANGE: 1, ControlLevel.YELLOW: 2, ControlLevel.DIFFERENTIATED: 3}


def covers(period: PeriodOut, enterprise: EnterpriseOut, at: datetime) -> bool:
    if not period.starts_at <= at < period.ends_at:
        return False
    if period.issuer_county_code is not None and period.issuer_county_code != enterprise.county_code:
        return False
    if period.counties and enterprise.county_code not in period.counties:
        return False
    return not period.industries or enterprise.industry in period.industries


def in_window(windows: list[TimeWindow], at: datetime) -> bool:
    """Whether the CST wall-clock time of `at` lies in one of the daily windows (end exclusive)."""
    local = to_cst(at).time()
    for window in windows:
        start, end = time.fromisoformat(window.start), time.fromisoformat(window.end)
        if (start <= local < end) if start < end else (local >= start or local < end):
            return True
    return False


def _strictness(measure: MeasureOut, period: PeriodOut, at: datetime) -> tuple[int, float, int]:
    if measure.action is ControlAction.STOP:
        rank, share = 0, 0.0
    elif measure.action is ControlAction.LIMIT:
        rank, share = 1, measure.limit_share or 0.0
    else:
        rank, share = (2 if in_window(measure.windows or [], at) else 3), 0.0
    return rank, share, _LEVEL_RANK[period.level]


def obligation(
    *,
    facility_id: uuid.UUID,
    enterprise: EnterpriseOut,
    periods: list[PeriodOut],
    plans: list[PlanOut],
    at: datetime,
) -> ObligationOut:
    active = sorted((p for p in periods if covers(p, enterprise, at)), key=lambda p: (p.starts_at, str(p.id)))
    plan_of = {plan.level: plan for plan in plans}
    candidates: list[tuple[tuple[int, float, int], PeriodOut, PlanOut, MeasureOut]] = []
    for period in active:
        plan = plan_of.get(period.level)
        measure = None if plan is None else next((m for m in plan.measures if m.facility_id == facility_id), None)
        if plan is not None and measure is not None:
            candidates.append((_strictness(measure, period, at), period, plan, measure))
    base = ObligationOut(facility_id=facility_id, ps_id=enterprise.ps_id, at=at, action="none", active_periods=active)
    if not candidates:
        return base
    _, period, plan, measure = min(candidates, key=lambda c: c[0])
    return base.model_copy(
        update={
            "action": measure.action.value,
            "limit_share": measure.limit_share,
            "windows": measure.windows,
            "in_forbidden_window": in_window(measure.windows or [], at)
            if measure.action is ControlAction.OFF_PEAK
            else None,
            "period": period,
            "plan": PlanRef(id=plan.id, level=plan.level, name=plan.name),
        }
    )
