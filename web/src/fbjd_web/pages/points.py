"""A monitoring point's page: what an on-site label's QR code opens — the registry's data, the live state and
the last 24 hours' power curve."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fbjd_core.time import now

from fbjd_web.curves import MAX_SAMPLES, chart_data, chart_json, chart_series, resolve_range
from fbjd_web.gateway import api_get
from fbjd_web.point_table import point_state
from fbjd_web.templating import render

__all__ = ["router"]

router = APIRouter()
KIND_OF_ROLE = {"production": "production", "integrated": "production", "treatment": "treatment"}


async def _live(request: Request, point_id: uuid.UUID) -> dict[str, object]:
    found, latest = await asyncio.gather(
        api_get(request, f"/api/registry/points/{point_id}"),
        api_get(request, "/api/ingest/points/latest", {"point_id": str(point_id)}),
    )
    return {"point": found, "live": point_state(found, latest[0] if latest else None, now())}


@router.get("/points/{point_id}", response_class=HTMLResponse)
async def point(request: Request, point_id: uuid.UUID) -> Response:
    """The point as the registry has it (same data as the label), its live state and its 24 h curve."""
    context = await _live(request, point_id)
    span = resolve_range("24h", None, None, now())
    params = {"start": span.start.isoformat(), "end": span.end.isoformat(), "max_samples": MAX_SAMPLES}
    series = await api_get(request, f"/api/ingest/points/{point_id}/series", params)
    found = context["point"]
    assert isinstance(found, dict)
    line = chart_series(
        found["name"], series, threshold=found.get("threshold_kw"), kind=KIND_OF_ROLE.get(found["role"], "other")
    )
    context |= {"chart": chart_json(chart_data([line])), "samples": len(series.get("samples", [])), "span": span}
    return render(request, "points/page.html", context)


@router.get("/points/{point_id}/live", response_class=HTMLResponse)
async def point_live(request: Request, point_id: uuid.UUID) -> Response:
    """The live state alone (htmx polls it every 15 s)."""
    return render(request, "points/_live.html", await _live(request, point_id))
