"""The city's self-audit (市级自查, 附件4 §4): the six things the province checks, per county and enterprise, each
finding with its evidence — so the city sees and fixes them before the province does (the bridge builds it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from fbjd_web.downloads import passed_on
from fbjd_web.gateway import api_get, api_get_bytes
from fbjd_web.templating import render

__all__ = ["router"]

router = APIRouter()

#: Where a finding's evidence is shown on the web, by the service that holds it.
EVIDENCE_PAGES = {"registry": "/enterprises/{ps_id}", "rules": "/enterprises/{ps_id}", "workflow": "/alarms/{id}"}

County = Annotated[str | None, Query(pattern=r"^\d{6}$")]


def _params(county: str | None, days: int) -> dict[str, str | int]:
    return {"days": days, **({"county": county} if county else {})}


@router.get("/self-audit", response_class=HTMLResponse)
async def self_audit(
    request: Request, county: County = None, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    report = await api_get(request, "/api/bridge/self-audit", _params(county, days))
    flagged = [e for e in report["enterprises"] if any(c["status"] != "ok" for c in e["checks"])]
    context = {"report": report, "flagged": flagged, "county": county, "days": days, "evidence": EVIDENCE_PAGES}
    return render(request, "self_audit/page.html", context)


@router.get("/self-audit.xlsx")
async def self_audit_xlsx(
    request: Request, county: County = None, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    return passed_on(await api_get_bytes(request, "/api/bridge/self-audit.xlsx", _params(county, days)))
