"""The acceptance report (data and printable page) and the city's filing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.acceptance.report import service
from fbjd_registry.acceptance.report.render import PAGE_CSP, render_report
from fbjd_registry.acceptance.report.schemas import AcceptanceReport, FilingIn
from fbjd_registry.access import Reader, change_context
from fbjd_registry.config import SettingsDep
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath

__all__ = ["router"]

router = APIRouter(tags=["acceptance report"])

City = Annotated[Principal, Depends(require_roles(Role.CITY))]
BASE = "/enterprises/{ps_id}/acceptance"


@router.get(f"{BASE}/report")
async def get_report(
    ps_id: PsIdPath, session: SessionDep, principal: Reader, settings: SettingsDep
) -> AcceptanceReport:
    """沧州市工业企业分表计电系统验收报告 as data: counts, audits, conclusion, signatures block."""
    return await service.report_for(session, principal=principal, ps_id=ps_id, city_name=settings.city_name)


@router.get(f"{BASE}/report.html", response_class=HTMLResponse)
async def get_report_page(
    ps_id: PsIdPath, session: SessionDep, principal: Reader, settings: SettingsDep
) -> HTMLResponse:
    """The same report as a printable A4 page."""
    report = await service.report_for(session, principal=principal, ps_id=ps_id, city_name=settings.city_name)
    return HTMLResponse(render_report(report), headers={"Content-Security-Policy": PAGE_CSP})


@router.post(f"{BASE}/filing")
async def file_acceptance(
    ps_id: PsIdPath, data: FilingIn, session: SessionDep, principal: City, settings: SettingsDep
) -> AcceptanceReport:
    """备案: a passed application → filed; the enterprise's lifecycle → accepted on `on` (default today)."""
    return await service.record_filing(
        session,
        ctx=change_context(principal),
        principal=principal,
        ps_id=ps_id,
        data=data,
        city_name=settings.city_name,
    )
