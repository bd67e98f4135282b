"""One abnormal record's page (异常记录详情), shared by the staff's /alarms/{id} and the enterprise's
/my/alarms/{id}: the workflow's 处置单, the rules' evidence points, the curves from ingest, the control periods
where the record is a control one — fetched in parallel — and what the signed-in user may do with it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fbjd_core.auth import Principal, Role
from fbjd_core.time import now

from fbjd_web.evidence import EvidencePoint, chart_window, evidence_chart, evidence_points, parse_time
from fbjd_web.gateway import NotVisible, api_get
from fbjd_web.province import endpoint_of, province_fields
from fbjd_web.session import current_principal
from fbjd_web.vocabulary import CONTROL_TYPES, HANDLING_REASONS, STAGE_LABELS, TASK_STATUS_LABELS

__all__ = ["MAX_SAMPLES", "REVIEWERS", "chart_of", "file_href", "permissions", "record_context"]

MAX_SAMPLES = 600  # per curve: the chart never needs more points than it has pixels
REVIEWERS = (Role.CITY, Role.COUNTY, Role.ADMIN)
AFTER_DECLARATION_STAGES = ("enterprise_check", "city_review")


def file_href(download_path: str) -> str:
    """The web's own link for a workflow file (the browser has no API token): /files/{id} or
    /tasks/{task}/files/{id}."""
    return download_path.removeprefix("/api/workflow")


def permissions(principal: Principal | None, alarm: Mapping[str, Any]) -> dict[str, bool]:
    """Which actions the page offers; the API decides again (and answers 403/409 if the page was stale)."""
    role = None if principal is None else principal.role
    stage = alarm.get("stage")
    left = alarm.get("seconds_left")
    return {
        "review": role in REVIEWERS and stage == "city_review",
        "handle": role is Role.ENTERPRISE and stage == "enterprise_check" and (left is None or left > 0),
        "declare_after": role is Role.ENTERPRISE and stage in AFTER_DECLARATION_STAGES,
    }


async def _rules_record(request: Request, alarm_id: str) -> dict[str, Any] | None:
    """The rules' record with its evidence points; None when the rules do not show it (the chart then falls
    back to the treatment points the workflow's record names)."""
    try:
        found: dict[str, Any] = await api_get(request, f"/api/rules/abnormals/{alarm_id}")
    except NotVisible:
        return None
    return found


async def _samples(request: Request, point: EvidencePoint, window: tuple[datetime, datetime]) -> list[Any]:
    params = {"start": window[0].isoformat(), "end": window[1].isoformat(), "max_samples": MAX_SAMPLES}
    try:
        series = await api_get(request, f"/api/ingest/points/{point.point_id}/series", params)
    except NotVisible:
        return []
    samples: list[Any] = series.get("samples") or []
    return samples


async def _periods(request: Request, alarm: Mapping[str, Any]) -> list[Any]:
    if alarm.get("type") not in CONTROL_TYPES:
        return []
    periods: list[Any] = await api_get(request, "/api/registry/control-periods")
    return periods


async def chart_of(request: Request, alarm: Mapping[str, Any], rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """The evidence chart's data (charts.js convention) over the abnormal ± a margin."""
    window = chart_window(parse_time(alarm["start"]), parse_time(alarm["end"]), at=now())
    points = evidence_points(rules, alarm)
    *curves, periods = await asyncio.gather(*(_samples(request, p, window) for p in points), _periods(request, alarm))
    samples = {p.point_id: curve for p, curve in zip(points, curves, strict=True)}
    return evidence_chart(alarm, points, samples, periods=periods, window=window)


async def record_context(request: Request, alarm_id: str) -> dict[str, Any]:
    """Everything the record page shows. 404 (NotVisible) for a record the user may not see."""
    alarm, rules = await asyncio.gather(
        api_get(request, f"/api/workflow/alarms/{alarm_id}"), _rules_record(request, alarm_id)
    )
    record = {**(alarm.get("record") or {}), **{k: alarm[k] for k in ("start", "end") if k in alarm}}
    record.setdefault("type", alarm.get("type"))
    principal = current_principal(request)
    return {
        "alarm": alarm,
        "chart": await chart_of(request, alarm, rules),
        "province": province_fields(record),
        "province_endpoint": endpoint_of(str(alarm.get("type"))),
        "can": permissions(principal, alarm),
        "STAGE_LABELS": STAGE_LABELS,
        "HANDLING_REASONS": HANDLING_REASONS,
        "TASK_STATUS_LABELS": TASK_STATUS_LABELS,
        "file_href": file_href,
        "base": "/my/alarms" if principal is not None and principal.role is Role.ENTERPRISE else "/alarms",
        "message": None,
        "error": None,
    }
