"""City overview (总览): enterprises by lifecycle state, terminals online, transmission rate, abnormal records by
type, grade and stage, counties and industries side by side — for the city, or a county user's own county.
Live: the figures are a fragment the page polls (htmx), never a full reload."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.auth import Role
from fbjd_core.time import CST, now

from fbjd_web.gateway import api_get
from fbjd_web.overview_figures import (
    area_rows,
    county_names,
    grade_rows,
    lifecycle_counts,
    stage_rows,
    type_rows,
)
from fbjd_web.session import current_principal
from fbjd_web.templating import render

__all__ = ["router"]

router = APIRouter()


def today_start() -> datetime:
    """Midnight today, China Standard Time (the bureau's day)."""
    return datetime.combine(now().astimezone(CST).date(), time(0), tzinfo=CST)


async def figures(request: Request) -> dict[str, Any]:
    """Everything the overview shows, from six services' answers fetched at once."""
    since = today_start().isoformat()
    enterprises, regions, devices, stats_all, stats_today = await asyncio.gather(
        api_get(request, "/api/registry/enterprises", {"limit": 5000}),
        api_get(request, "/api/registry/regions"),
        api_get(request, "/api/ingest/overview"),
        api_get(request, "/api/workflow/stats"),
        api_get(request, "/api/workflow/stats", {"from": since}),
    )
    principal = current_principal(request)
    names = county_names(regions)
    if principal is not None and principal.county:
        names = {code: name for code, name in names.items() if code == principal.county}
    industries = {str(e.get("industry")): str(e.get("industry")) for e in enterprises if e.get("industry")}
    per_enterprise = devices.get("enterprises") or []
    return {
        "enterprises_total": len(enterprises),
        "lifecycle": lifecycle_counts(enterprises),
        "devices": devices,
        "stats": stats_all,
        "today": stats_today,
        "types": type_rows(stats_today.get("by_type") or [], stats_all.get("by_type") or []),
        "grades": grade_rows(stats_today.get("by_grade") or [], stats_all.get("by_grade") or []),
        "stages": stage_rows(stats_today.get("by_stage") or {}, stats_all.get("by_stage") or {}),
        "counties": area_rows(
            enterprises,
            per_enterprise,
            stats_all.get("by_county") or [],
            stats_today.get("by_county") or [],
            area_of="county_code",
            names=names,
        ),
        "industries": area_rows(
            enterprises,
            per_enterprise,
            stats_all.get("by_industry") or [],
            stats_today.get("by_industry") or [],
            area_of="industry",
            names=industries,
        ),
        "today_from": now().astimezone(CST).date().isoformat(),
        "updated_at": now(),
    }


@router.get("/overview", response_class=HTMLResponse)
async def overview(request: Request) -> Response:
    principal = current_principal(request)
    if principal is not None and principal.role is Role.ENTERPRISE:
        return RedirectResponse("/my", status_code=303)
    return render(request, "overview/page.html", await figures(request), fragment="overview/_figures.html")
