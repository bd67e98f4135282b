"""Enterprises (企业): the filterable list and the enterprise page — facts, the point table with live states,
curves of any period, thresholds with learned proposals, the control plan, acceptance state, downloads."""

from __future__ import annotations

import asyncio
import math
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.time import now

from fbjd_web.compliance import ACTION_LABELS, LEVEL_LABELS, covers
from fbjd_web.curves import MAX_SAMPLES, RANGES, RangeError, chart_data, chart_json, chart_series, resolve_range
from fbjd_web.gateway import NotVisible, api_get, api_get_bytes, api_send
from fbjd_web.lookups import (
    INDUSTRIES,
    POINT_ROLE_LABELS,
    STAGE_LABELS,
    THRESHOLD_SOURCE_LABELS,
    county_names,
    enterprise_index,
    is_staff,
)
from fbjd_web.point_table import shape_point_table
from fbjd_web.session import current_principal
from fbjd_web.templating import render
from fbjd_web.xlsx import XLSX_MEDIA_TYPE, content_disposition

__all__ = ["PAGE_SIZE", "router"]

router = APIRouter()
PAGE_SIZE = 25
PsId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
KIND_OF_ROLE = {"production": "production", "integrated": "production", "treatment": "treatment"}
LABELS = {
    "levels": LEVEL_LABELS,
    "actions": ACTION_LABELS,
    "stages": STAGE_LABELS,
    "roles": POINT_ROLE_LABELS,
    "sources": THRESHOLD_SOURCE_LABELS,
    "ranges": {key: label for key, (label, _) in RANGES.items()},
}


@router.get("/enterprises", response_class=HTMLResponse)
async def enterprises(
    request: Request,
    county: str | None = None,
    industry: str | None = None,
    stage: str | None = None,
    q: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Filters narrow at the registry (county, industry, stage); the name filter and the pages are applied here,
    as the registry's list has no name search nor total count."""
    principal = current_principal(request)
    if principal is not None and principal.role.value == "enterprise" and principal.enterprise_id:
        return RedirectResponse(f"/enterprises/{principal.enterprise_id}", status_code=303)
    industry = industry if industry in INDUSTRIES else None
    stage = stage if stage in STAGE_LABELS else None
    found, counties, overview = await asyncio.gather(
        enterprise_index(request, county_code=county, industry=industry, stage=stage),
        county_names(request),
        api_get(request, "/api/ingest/overview"),
    )
    rows = [e for e in found.values() if not q or q.strip() in e["name"]]
    rows.sort(key=lambda e: (e["county_code"], e["name"]))
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(page, pages)
    terminals = {row["ps_id"]: row for row in overview["enterprises"]}
    context = {
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "total": len(rows),
        "page": page,
        "pages": pages,
        "filters": {"county": county or "", "industry": industry or "", "stage": stage or "", "q": q or ""},
        "counties": counties,
        "industries": INDUSTRIES,
        "terminals": terminals,
        "labels": LABELS,
    }
    return render(request, "enterprises/list.html", context, fragment="enterprises/_list.html")


async def _optional(request: Request, path: str, params: Any = None) -> Any:
    """An answer that may legitimately be missing (no audit run yet): None instead of the 404 page."""
    try:
        return await api_get(request, path, params)
    except NotVisible:
        return None


async def _point_table_context(request: Request, ps_id: str) -> dict[str, Any]:
    topology, latest = await asyncio.gather(
        api_get(request, f"/api/registry/enterprises/{ps_id}/topology"),
        api_get(request, "/api/ingest/points/latest", {"ps_id": ps_id}),
    )
    return {"topology": topology, "table": shape_point_table(topology, latest, now()), "checked_at": now()}


async def _curve_context(
    request: Request,
    points: list[dict[str, Any]],
    point_id: str | None,
    key: str | None,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    """The chosen point's curve over the chosen period (the first production point and 24 h by default)."""
    chosen = next((p for p in points if str(p["id"]) == point_id), None)
    if chosen is None:
        chosen = next((p for p in points if p["role"] in ("production", "integrated")), points[0] if points else None)
    context: dict[str, Any] = {"points": points, "chosen": chosen, "range_key": key or "24h", "error": None}
    try:
        span = resolve_range(key, start, end, now())
    except RangeError as exc:
        span = resolve_range("24h", None, None, now())
        context["error"] = str(exc)
    context["span"] = span
    if chosen is None:
        context["chart"] = None
        return context
    params = {"start": span.start.isoformat(), "end": span.end.isoformat(), "max_samples": MAX_SAMPLES}
    series = await api_get(request, f"/api/ingest/points/{chosen['id']}/series", params)
    line = chart_series(
        chosen["name"], series, threshold=chosen.get("threshold_kw"), kind=KIND_OF_ROLE.get(chosen["role"], "other")
    )
    context["chart"] = chart_json(chart_data([line]))
    context["samples"] = len(series.get("samples", []))
    context["step_seconds"] = series.get("step_seconds")
    return context


@router.get("/enterprises/{ps_id}", response_class=HTMLResponse)
async def enterprise(request: Request, ps_id: PsId) -> Response:
    table = await _point_table_context(request, ps_id)  # 404 here for an enterprise the user may not see
    topology = table["topology"]
    staff = is_staff(request)
    proposals, plans, audit, periods, counties, overview, curve = await asyncio.gather(
        api_get(request, "/api/rules/thresholds/proposals", {"ps_id": ps_id, "status": "proposed"}),
        api_get(request, f"/api/registry/enterprises/{ps_id}/control-plans"),
        _optional(request, f"/api/registry/enterprises/{ps_id}/audit/latest"),
        api_get(request, "/api/registry/control-periods", {"active_at": now().isoformat()}),
        county_names(request),
        api_get(request, "/api/ingest/overview", {"ps_id": ps_id}),
        _curve_context(request, topology["points"], None, "24h", None, None),
    )
    enterprise = topology["enterprise"]
    facility_names = {str(f["id"]): f["name"] for f in topology["facilities"]}
    terminals = next((row for row in overview["enterprises"] if row["ps_id"] == ps_id), None)
    context = {
        **table,
        **curve,
        "enterprise": enterprise,
        "ps_id": ps_id,
        "county_name": counties.get(enterprise["county_code"], enterprise["county_code"]),
        "proposals": proposals,
        "plans": sorted(plans, key=lambda p: list(LEVEL_LABELS).index(p["level"]) if p["level"] in LEVEL_LABELS else 9),
        "facility_names": facility_names,
        "audit": audit,
        "active_periods": [p for p in periods if covers(p, enterprise, now())],
        "terminals": terminals,
        "staff": staff,
        "labels": LABELS,
    }
    return render(request, "enterprises/page.html", context)


@router.get("/enterprises/{ps_id}/live", response_class=HTMLResponse)
async def live(request: Request, ps_id: PsId) -> Response:
    """The point table with live states alone (htmx polls it every 15 s)."""
    context = {**await _point_table_context(request, ps_id), "ps_id": ps_id, "labels": LABELS}
    return render(request, "enterprises/_points.html", context)


@router.get("/enterprises/{ps_id}/curve", response_class=HTMLResponse)
async def curve(
    request: Request,
    ps_id: PsId,
    point_id: str | None = None,
    range: str | None = None,  # noqa: A002 - the picker's field name
    start: str | None = None,
    end: str | None = None,
) -> Response:
    topology = await api_get(request, f"/api/registry/enterprises/{ps_id}/topology")
    context = {
        **await _curve_context(request, topology["points"], point_id, range, start, end),
        "ps_id": ps_id,
        "labels": LABELS,
    }
    return render(request, "enterprises/curve.html", context, fragment="enterprises/_curve.html")


@router.post("/enterprises/{ps_id}/proposals/{proposal_id}/{decision}")
async def decide_proposal(request: Request, ps_id: PsId, proposal_id: uuid.UUID, decision: str) -> Response:
    """Accept (the learned threshold becomes the point's threshold in the registry) or reject a proposal."""
    if decision not in ("accept", "reject"):
        raise NotVisible
    await api_send(request, "POST", f"/api/rules/thresholds/proposals/{proposal_id}/{decision}")
    return RedirectResponse(f"/enterprises/{ps_id}#thresholds", status_code=303)


@router.get("/enterprises/{ps_id}/point-table.xlsx")
async def point_table_download(request: Request, ps_id: PsId) -> Response:
    """「XX企业分表计电监测点位信息表」 as the registry writes it."""
    reply = await api_get_bytes(request, f"/api/registry/enterprises/{ps_id}/point-table")
    disposition = reply.headers.get("content-disposition") or content_disposition(f"{ps_id}-监测点位信息表.xlsx")
    return Response(reply.content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition})


@router.get("/enterprises/{ps_id}/labels", response_class=HTMLResponse)
async def labels(request: Request, ps_id: PsId) -> Response:
    """The registry's printable label sheet. It carries its own <style> and inline SVG QR codes, so this one
    page gets a policy that allows inline styles and nothing else (no scripts at all)."""
    reply = await api_get_bytes(request, f"/api/registry/enterprises/{ps_id}/labels")
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    return HTMLResponse(reply.text, headers={"Content-Security-Policy": policy})
