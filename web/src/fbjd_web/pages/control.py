"""Control periods (应急管控): start an emergency response for the city or chosen counties, end it early, and for
a period in force see which enterprises and facilities must stop or limit and which comply now."""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.time import CST, now

from fbjd_web.compliance import ACTION_LABELS, LEVEL_LABELS, FacilityDuty, covers, facility_duty, is_active
from fbjd_web.gateway import ApiRefused, api_get, api_send
from fbjd_web.lookups import INDUSTRIES, county_names, enterprise_index, is_staff
from fbjd_web.point_table import point_state
from fbjd_web.templating import render

__all__ = ["ENTERPRISES_PER_PAGE", "router"]

router = APIRouter()
ENTERPRISES_PER_PAGE = 20
VERDICT_LABELS = {"complying": "已落实", "violating": "未落实", "unknown": "无法判断", "not_now": "非错峰时段"}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _duties(
    request: Request, period: dict[str, Any], enterprises: list[dict[str, Any]], at: datetime
) -> list[dict[str, Any]]:
    """Each covered enterprise of this page with its plan's measures for the period's level and their live check."""
    ps_ids = [e["ps_id"] for e in enterprises]
    if not ps_ids:
        return []
    plans, devices, latest = await asyncio.gather(
        asyncio.gather(*(api_get(request, f"/api/registry/enterprises/{p}/control-plans") for p in ps_ids)),
        asyncio.gather(*(api_get(request, "/api/registry/devices", {"ps_id": p}) for p in ps_ids)),
        api_get(request, "/api/ingest/points/latest", {"ps_id": ps_ids}),
    )
    last = {row["point_id"]: row for row in latest}
    result = []
    for enterprise, own_plans, own_devices in zip(enterprises, plans, devices, strict=True):
        points_of: dict[str, list[dict[str, Any]]] = {}
        names: dict[str, str] = {}
        for device in own_devices:
            for point in device["points"]:
                if point.get("facility"):
                    fid = str(point["facility"]["id"])
                    names[fid] = point["facility"]["name"]
                    points_of.setdefault(fid, []).append({**point, "id": point["point_id"]})
        plan = next((p for p in own_plans if p["level"] == period["level"]), None)
        duties: list[FacilityDuty] = []
        for measure in plan["measures"] if plan else []:
            fid = str(measure["facility_id"])
            pts = [point_state(p, last.get(str(p["id"])), at) for p in points_of.get(fid, [])]
            rated = sum(float(p.get("rated_kw") or 0) for p in points_of.get(fid, [])) or None
            duties.append(facility_duty(measure, names.get(fid, fid), pts, rated, at))
        result.append({"enterprise": enterprise, "plan": plan, "duties": duties})
    return result


@router.get("/control", response_class=HTMLResponse)
async def control(request: Request, period: str | None = None, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    at = now()
    periods, counties = await asyncio.gather(api_get(request, "/api/registry/control-periods"), county_names(request))
    periods.sort(key=lambda p: p["starts_at"], reverse=True)
    active = [p for p in periods if is_active(p, at)]
    upcoming = [p for p in periods if _at(p["starts_at"]) > at]
    past = [p for p in periods if _at(p["ends_at"]) <= at][:20]
    chosen = next((p for p in periods if p["id"] == period), active[0] if active else None)
    context: dict[str, Any] = {
        "active": active,
        "upcoming": upcoming,
        "past": past,
        "chosen": chosen,
        "counties": counties,
        "industries": INDUSTRIES,
        "levels": LEVEL_LABELS,
        "actions": ACTION_LABELS,
        "verdicts": VERDICT_LABELS,
        "staff": is_staff(request),
        "default_start": at.astimezone(CST).strftime("%Y-%m-%dT%H:%M"),
        "default_end": (at + timedelta(days=3)).astimezone(CST).strftime("%Y-%m-%dT%H:%M"),
        "rows": [],
        "page": 1,
        "pages": 1,
        "covered": 0,
    }
    if chosen is not None and is_active(chosen, at):
        index = await enterprise_index(request)
        covered = sorted(
            (e for e in index.values() if covers(chosen, e, at)), key=lambda e: (e["county_code"], e["name"])
        )
        pages = max(1, math.ceil(len(covered) / ENTERPRISES_PER_PAGE))
        page = min(page, pages)
        shown = covered[(page - 1) * ENTERPRISES_PER_PAGE : page * ENTERPRISES_PER_PAGE]
        context |= {
            "rows": await _duties(request, chosen, shown, at),
            "page": page,
            "pages": pages,
            "covered": len(covered),
            "checked_at": at,
        }
    return render(request, "control/page.html", context, fragment="control/_duties.html")


def _cst_input(value: str) -> datetime:
    """A datetime-local field (CST wall clock) → aware."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=CST) if parsed.tzinfo is None else parsed


@router.post("/control/periods")
async def start_period(
    request: Request,
    name: Annotated[str, Form()],
    level: Annotated[str, Form()],
    starts_at: Annotated[str, Form()],
    ends_at: Annotated[str, Form()],
    counties: Annotated[list[str] | None, Form()] = None,
    industries: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Start an emergency response: empty county and industry lists cover the issuer's whole area and every industry."""
    try:
        begin, end = _cst_input(starts_at), _cst_input(ends_at)
    except ValueError as exc:
        raise ApiRefused(422, "开始、结束时间格式不正确") from exc
    body = {
        "name": name,
        "level": level,
        "starts_at": begin.isoformat(),
        "ends_at": end.isoformat(),
        "counties": counties or [],
        "industries": industries or [],
    }
    created = await api_send(request, "POST", "/api/registry/control-periods", json=body)
    return RedirectResponse(f"/control?period={created['id']}", status_code=303)


@router.post("/control/periods/{period_id}/end")
async def end_period(request: Request, period_id: uuid.UUID) -> Response:
    """End a period now (it stays in the record with its new end); one not yet begun is withdrawn instead."""
    found = next(
        (p for p in await api_get(request, "/api/registry/control-periods") if p["id"] == str(period_id)), None
    )
    if found is not None and _at(found["starts_at"]) > now():
        await api_send(request, "DELETE", f"/api/registry/control-periods/{period_id}")
        return RedirectResponse("/control", status_code=303)
    await api_send(request, "PATCH", f"/api/registry/control-periods/{period_id}", json={"ends_at": now().isoformat()})
    return RedirectResponse(f"/control?period={period_id}", status_code=303)
