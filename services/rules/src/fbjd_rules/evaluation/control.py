"""Which control measure is in force on which facility, over a window (pure; the registry's rule re-declared).

The registry answers "what must this facility do at t" (`/facilities/{id}/obligation?at=`), but reads its
change log as of t too, so a period registered after it began (an order issued late, or corrected) would be
invisible for its first hours. The rules need the latest knowledge of periods evaluated at each past instant,
so they apply the registry's documented rule themselves to the current periods and plans:

A period covers an enterprise while in force (starts_at ≤ t < ends_at), when issued by the city or by the
enterprise's county, and when it lists the enterprise's county and industry (an empty list covers all). Of
the measures the enterprise's plans prescribe for a facility under the covering periods, the strictest wins:
stop, then limit (smaller share first), then off-peak; equal ones go to the higher warning level.

Plans, unlike periods, are read as they stood at the time of the data: each plan version carries the span it
was in force (`valid_from`, `valid_to`: the registry's `/control-plan-versions`; a plan without them holds all
along), so an hour of data is judged by the plan of that hour, and a span is cut where a plan was revised.
Adjacent spans that say the same (a revision of another facility's measure, a boundary of an unrelated period)
are joined again, so such a cut never splits a record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from fbjd_rules.engine.model import ControlAction, ControlSpan, Topology, Window
from fbjd_rules.evaluation.topology import parse_time

__all__ = ["covers", "spans_in_force"]

LEVEL_RANK = {"red": 0, "orange": 1, "yellow": 2, "differentiated": 3}
ACTION_RANK = {"stop": 0, "limit": 1, "off_peak": 2}


def covers(period: Mapping[str, Any], topology: Topology) -> bool:
    """Whether the period's scope (issuer, counties, industries) includes the enterprise (time aside)."""
    issuer = period.get("issuer_county_code")
    if issuer is not None and issuer != topology.county:
        return False
    counties, industries = period.get("counties") or [], period.get("industries") or []
    return (not counties or topology.county in counties) and (not industries or topology.industry in industries)


def _strictest(
    candidates: list[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    def rank(item: tuple[Mapping[str, Any], Mapping[str, Any]]) -> tuple[int, float, int, str]:
        period, measure = item
        share = float(measure.get("limit_share") or 0.0)
        return ACTION_RANK.get(measure["action"], 9), share, LEVEL_RANK.get(period["level"], 9), str(period["id"])

    return min(candidates, key=rank)


def _in_force(plan: Mapping[str, Any], moment: datetime) -> bool:
    valid_from, valid_to = plan.get("valid_from"), plan.get("valid_to")
    return (valid_from is None or parse_time(valid_from) <= moment) and (
        valid_to is None or moment < parse_time(valid_to)
    )


def _plan_cuts(plans: Sequence[Mapping[str, Any]], start: datetime, end: datetime) -> set[datetime]:
    bounds = (plan.get(key) for plan in plans for key in ("valid_from", "valid_to"))
    return {moment for text in bounds if text is not None and start < (moment := parse_time(text)) < end}


def _joined(spans: Sequence[ControlSpan]) -> list[ControlSpan]:
    """Spans of one facility that touch and say the same thing, joined (first-seen order kept)."""
    result: list[ControlSpan] = []
    for span in spans:
        same = next(
            (
                i
                for i, kept in enumerate(result)
                if kept.end == span.start and replace(kept, start=span.start, end=span.end) == span
            ),
            None,
        )
        if same is None:
            result.append(span)
        else:
            result[same] = replace(result[same], end=span.end)
    return result


def spans_in_force(
    *,
    periods: Sequence[Mapping[str, Any]],
    plans: Sequence[Mapping[str, Any]],
    topology: Topology,
    start: datetime,
    end: datetime,
) -> list[ControlSpan]:
    """The measures on the enterprise's facilities over [start, end), cut at every period boundary and plan
    revision (`plans`: plan versions, each in force over its own span)."""
    scoped = [(p, parse_time(p["starts_at"]), parse_time(p["ends_at"])) for p in periods if covers(p, topology)]
    scoped = [(p, s, e) for p, s, e in scoped if s < end and e > start]
    if not scoped:
        return []
    cuts = sorted(
        {start, end, *(t for _, s, e in scoped for t in (s, e) if start < t < end), *_plan_cuts(plans, start, end)}
    )
    result = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        active = [p for p, s, e in scoped if s <= lo < e]
        plan_of = {plan["level"]: plan for plan in plans if _in_force(plan, lo)}
        for facility in topology.facilities:
            candidates = [
                (period, measure)
                for period in active
                if (plan := plan_of.get(period["level"])) is not None
                for measure in plan.get("measures", [])
                if str(measure["facility_id"]) == facility.id
            ]
            if not candidates:
                continue
            period, measure = _strictest(candidates)
            result.append(
                ControlSpan(
                    facility_id=facility.id,
                    action=ControlAction(measure["action"]),
                    start=lo,
                    end=hi,
                    period_id=str(period["id"]),
                    period_name=str(period["name"]),
                    period_start=parse_time(period["starts_at"]),
                    level=period.get("level"),
                    limit_share=measure.get("limit_share"),
                    windows=tuple(Window(w["start"], w["end"]) for w in measure.get("windows") or []),
                )
            )
    return _joined(result)
