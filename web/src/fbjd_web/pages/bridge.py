"""The link to the province (省平台对接) as the city's operators watch it: per endpoint of the abnormal push, its
backlog, last success and last error (and the back-off while the province fails); the records the province
refused as invalid (dead letters) with a retry once the cause is fixed; the registry push and the HJ 212
forwarding of readings upstream. All of it is the bridge's own state (GET /api/bridge/status, /forwarding,
/dead-letters), shown live; and the abnormal records county platforms pushed to the city through the same
interface (GET /api/bridge/county-reports), each with its way into the city's disposition."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fbjd_web.gateway import api_get, api_send
from fbjd_web.templating import render
from fbjd_web.vocabulary import STAGE_LABELS

__all__ = ["DELIVERY_LABELS", "ENDPOINT_LABELS", "router"]

router = APIRouter()

#: The province's two endpoints (附件3): treatment abnormals, and stop / limit / off-peak violations.
ENDPOINT_LABELS = {"abnormal": "治理设施异常", "limit": "应停未停、限产未限、错峰生产"}
#: Where a county platform's record stands on its way to the city's alarms (the bridge's delivery state).
DELIVERY_LABELS = {"delivered": "已转入本市处置", "pending": "待转入", "retrying": "转入失败，重试中"}
DEAD_LETTERS_SHOWN = 100
COUNTY_REPORTS_SHOWN = 50


async def _state(request: Request) -> dict[str, Any]:
    status, forwarding, dead, county = await asyncio.gather(
        api_get(request, "/api/bridge/status"),
        api_get(request, "/api/bridge/forwarding"),
        api_get(request, "/api/bridge/dead-letters", {"limit": DEAD_LETTERS_SHOWN}),
        api_get(request, "/api/bridge/county-reports", {"limit": COUNTY_REPORTS_SHOWN}),
    )
    return {
        "status": status,
        "forwarding": forwarding,
        "dead_letters": dead,
        "county_reports": county,
        "delivery_labels": DELIVERY_LABELS,
        "stage_labels": STAGE_LABELS,
        "failing": any(e["consecutive_failures"] for e in status["endpoints"]),
        "endpoint_labels": ENDPOINT_LABELS,
    }


@router.get("/bridge", response_class=HTMLResponse)
async def bridge(request: Request, retried: Annotated[int | None, Query(ge=1)] = None) -> Response:
    context = {**await _state(request), "retried": retried}
    return render(request, "bridge/page.html", context, fragment="bridge/_live.html")


@router.post("/bridge/dead-letters/{seq}/retry")
async def retry(request: Request, seq: Annotated[int, Path(ge=1)]) -> Response:
    """Back in the province's queue: the sender tries it again at once."""
    await api_send(request, "POST", f"/api/bridge/dead-letters/{seq}/retry")
    return RedirectResponse(f"/bridge?retried={seq}#dead-letters", status_code=303)
