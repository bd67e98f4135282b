"""Enterprise self-service (企业自助): its open records with the time left to handle each, handling and
declarations (before, and after with evidence files), its terminals and points, curves of any period.

Every call names no enterprise but the signed-in one (the API scopes an enterprise token to itself and answers
404 for anything else), so no page here can list another enterprise."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.auth import Principal, Role
from fbjd_core.time import now

from fbjd_web.evidence import EvidencePoint, series_of
from fbjd_web.gateway import ApiRefused, NotVisible, api_get, api_send
from fbjd_web.local_time import form_value, parse_local
from fbjd_web.pages.alarms import list_context
from fbjd_web.record_page import MAX_SAMPLES, record_context
from fbjd_web.session import current_principal, home_of
from fbjd_web.templating import render
from fbjd_web.vocabulary import DECLARATION_STATUS_LABELS, HANDLING_REASONS, PRE_REASONS

__all__ = ["router"]

router = APIRouter()

MAX_CURVE_RANGE = timedelta(days=400)
ROLE_LABELS_OF_POINT = {"production": "生产", "treatment": "治污", "integrated": "产治一体", "total_line": "总进线"}


def _enterprise(request: Request) -> Principal | None:
    principal = current_principal(request)
    return principal if principal is not None and principal.role is Role.ENTERPRISE else None


def _elsewhere(request: Request) -> Response:
    return RedirectResponse(home_of(current_principal(request)), status_code=303)


@router.get("/my", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """本企业: open records with their countdown, the terminals' state (live fragment)."""
    principal = _enterprise(request)
    if principal is None:
        return _elsewhere(request)
    ps_id = principal.enterprise_id
    enterprise, open_alarms, counts, devices = await asyncio.gather(
        api_get(request, f"/api/registry/enterprises/{ps_id}"),
        api_get(request, "/api/workflow/alarms", {"status": "open", "order": "oldest", "limit": 100}),
        api_get(request, "/api/workflow/alarms/open-count"),
        api_get(request, "/api/ingest/devices"),
    )
    context = {"enterprise": enterprise, "alarms": open_alarms, "counts": counts, "devices": devices}
    return render(request, "my/home.html", context, fragment="my/_home_live.html")


@router.get("/my/alarms", response_class=HTMLResponse)
async def my_alarms(request: Request) -> Response:
    principal = _enterprise(request)
    if principal is None:
        return _elsewhere(request)
    context = await list_context(request, ps_id=principal.enterprise_id, base="/my/alarms")
    return render(request, "alarms/page.html", context, fragment="alarms/_table.html")


@router.get("/my/alarms/{alarm_id}", response_class=HTMLResponse)
async def my_record(request: Request, alarm_id: uuid.UUID) -> Response:
    if _enterprise(request) is None:
        return RedirectResponse(f"/alarms/{alarm_id}", status_code=303)
    return render(request, "alarms/record.html", await record_context(request, str(alarm_id)))


async def _answered(request: Request, alarm_id: uuid.UUID, *, message: str | None, error: str | None) -> Response:
    context = await record_context(request, str(alarm_id))
    context.update(message=message, error=error)
    return render(request, "alarms/record.html", context, fragment="alarms/_disposition.html")


@router.post("/my/alarms/{alarm_id}/handle", response_class=HTMLResponse)
async def handle(
    request: Request,
    alarm_id: uuid.UUID,
    reason: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    """企业自查处理 within the window: a reason from the list and what happened."""
    message = error = None
    if reason not in HANDLING_REASONS:
        error = "请选择原因"
    elif len(text.strip()) < 2:
        error = "请填写情况说明（至少 2 个字）"
    else:
        try:
            body = {"reason": reason, "text": text.strip()}
            await api_send(request, "POST", f"/api/workflow/alarms/{alarm_id}/handle", json=body)
            message = "已提交自查处理，记录已由企业处理。"
        except ApiRefused as exc:
            error = exc.message
    return await _answered(request, alarm_id, message=message, error=error)


@router.post("/my/alarms/{alarm_id}/declarations", response_class=HTMLResponse)
async def declare_after(
    request: Request,
    alarm_id: uuid.UUID,
    reason: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """事后申报 with evidence files (PDF, JPEG, PNG); the workflow checks type and size and keeps all or none."""
    message = error = None
    uploads = [f for f in files or [] if f.filename]
    if reason not in HANDLING_REASONS:
        error = "请选择原因"
    elif len(text.strip()) < 2:
        error = "请填写原因说明（至少 2 个字）"
    else:
        parts = [
            ("files", (f.filename or "附件", await f.read(), f.content_type or "application/octet-stream"))
            for f in uploads
        ]
        try:
            await api_send(
                request,
                "POST",
                f"/api/workflow/alarms/{alarm_id}/declarations",
                data={"reason": reason, "text": text.strip()},
                files=parts or None,
            )
            message = f"已提交事后申报（附件 {len(parts)} 个），随记录一并审核。"
        except ApiRefused as exc:
            error = exc.message
    return await _answered(request, alarm_id, message=message, error=error)


async def _declarations_context(request: Request, ps_id: str) -> dict[str, Any]:
    declarations, topology = await asyncio.gather(
        api_get(request, "/api/workflow/declarations", {"limit": 200}),
        api_get(request, f"/api/registry/enterprises/{ps_id}/topology"),
    )
    start = now() + timedelta(hours=1)
    return {
        "declarations": list(reversed(declarations)),
        "facilities": topology.get("facilities") or [],
        "PRE_REASONS": PRE_REASONS,
        "STATUS_LABELS": DECLARATION_STATUS_LABELS,
        "default_start": form_value(start.replace(minute=0)),
        "default_end": form_value(start.replace(minute=0) + timedelta(hours=8)),
        "message": None,
        "error": None,
    }


@router.get("/my/declarations", response_class=HTMLResponse)
async def declarations(request: Request) -> Response:
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request)
    return render(request, "my/declarations.html", await _declarations_context(request, principal.enterprise_id))


@router.post("/my/declarations", response_class=HTMLResponse)
async def declare_before(
    request: Request,
    facility_id: Annotated[str, Form()],
    starts_at: Annotated[str, Form()],
    ends_at: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    """提前申报: a facility, a window (CST) and a reason, for the city to approve in advance."""
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request)
    context = await _declarations_context(request, principal.enterprise_id)
    start, end = parse_local(starts_at), parse_local(ends_at)
    facility = next((f for f in context["facilities"] if str(f.get("id")) == facility_id), None)
    if facility is None:
        context["error"] = "请选择本企业的设施"
    elif start is None or end is None or end <= start:
        context["error"] = "请填写申报时段，结束时间须晚于开始时间"
    elif reason not in PRE_REASONS or len(text.strip()) < 2:
        context["error"] = "请选择原因并填写说明（至少 2 个字）"
    else:
        body = {
            "facility_id": facility_id,
            "facility_name": str(facility.get("name") or ""),
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "reason": reason,
            "text": text.strip(),
        }
        try:
            await api_send(request, "POST", "/api/workflow/declarations/before", json=body)
            context = await _declarations_context(request, principal.enterprise_id)
            context["message"] = "已提交提前申报，等待生态环境部门审批。"
        except ApiRefused as exc:
            context["error"] = exc.message
    return render(request, "my/declarations.html", context, fragment="my/_declarations_body.html")


@router.get("/my/data", response_class=HTMLResponse)
async def data(request: Request, point: str = "", start: str = "", end: str = "") -> Response:
    """本企业数据: each point's live state, and the curve of one point over any period (default: 24 hours)."""
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request)
    topology, latest = await asyncio.gather(
        api_get(request, f"/api/registry/enterprises/{principal.enterprise_id}/topology"),
        api_get(request, "/api/ingest/points/latest"),
    )
    points = topology.get("points") or []
    facilities = {str(f["id"]): f for f in topology.get("facilities") or []}
    finish = parse_local(end) or now()
    begin = parse_local(start) or finish - timedelta(days=1)
    error = None
    if finish <= begin or finish - begin > MAX_CURVE_RANGE:
        error = "时段无效：结束须晚于开始，且不超过 400 天"
        begin, finish = now() - timedelta(days=1), now()
    chosen = next((p for p in points if str(p["id"]) == point), points[0] if points else None)
    chart = None
    if chosen is not None:
        chart = await _curve(request, chosen, begin, finish)
    context = {
        "points": points,
        "facilities": facilities,
        "latest": {str(r["point_id"]): r for r in latest},
        "chosen": chosen,
        "chart": chart,
        "start_value": form_value(begin),
        "end_value": form_value(finish),
        "error": error,
        "ROLE_LABELS_OF_POINT": ROLE_LABELS_OF_POINT,
    }
    return render(request, "my/data.html", context, fragment="my/_curve.html")


async def _curve(request: Request, point: dict[str, Any], begin: datetime, finish: datetime) -> dict[str, Any]:
    """One point's curve (charts.js data) with its threshold; empty when ingest has nothing for it."""
    params = {"start": begin.isoformat(), "end": finish.isoformat(), "max_samples": MAX_SAMPLES}
    try:
        series = await api_get(request, f"/api/ingest/points/{point['id']}/series", params)
    except NotVisible:
        series = {"samples": []}
    evidence = EvidencePoint(str(point["id"]), str(point["name"]), str(point["role"]), point.get("threshold_kw"))
    return {"series": [series_of(evidence, series.get("samples") or [])], "bands": [], "unit": "kW"}
