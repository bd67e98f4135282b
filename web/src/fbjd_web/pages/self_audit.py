"""The city's self-audit (市级自查, 附件4 §4): the six things the province checks, per county and enterprise, each
finding with its evidence — so the city sees and fixes them before the province does (the bridge builds it).

The bridge computes the report once a day and answers it from storage (its `generated_at` is shown); while the
first one is being made it answers 202 and the page says so. A city user may ask for a new one (重新生成).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from fbjd_web.downloads import passed_on
from fbjd_web.gateway import api_get_bytes, api_get_reply
from fbjd_web.templating import render

__all__ = ["router"]

router = APIRouter()

#: Where a finding's evidence is shown on the web, by the service that holds it.
EVIDENCE_PAGES = {"registry": "/enterprises/{ps_id}", "rules": "/enterprises/{ps_id}", "workflow": "/alarms/{id}"}

County = Annotated[str | None, Query(pattern=r"^\d{6}$")]


def _params(county: str | None, days: int, refresh: bool = False) -> dict[str, str | int]:
    return {"days": days, **({"county": county} if county else {}), **({"refresh": "true"} if refresh else {})}


@router.get("/self-audit", response_class=HTMLResponse)
async def self_audit(
    request: Request, county: County = None, days: Annotated[int, Query(ge=1, le=366)] = 30, refresh: bool = False
) -> Response:
    reply = await api_get_reply(request, "/api/bridge/self-audit", _params(county, days, refresh))
    report = reply.json()
    pending = reply.status_code == 202  # the first daily report is still being generated
    flagged = [] if pending else [e for e in report["enterprises"] if any(c["status"] != "ok" for c in e["checks"])]
    context = {"report": report, "pending": pending, "flagged": flagged, "county": county, "days": days,
               "evidence": EVIDENCE_PAGES}  # fmt: skip
    return render(request, "self_audit/page.html", context)


@router.get("/self-audit.xlsx")
async def self_audit_xlsx(
    request: Request, county: County = None, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    return passed_on(await api_get_bytes(request, "/api/bridge/self-audit.xlsx", _params(county, days)))
