"""GET /enterprises/{psId}/audit: run the province's platform audit now; /audit/latest: the kept result."""

from __future__ import annotations

from fastapi import APIRouter

from fbjd_registry.access import Reader
from fbjd_registry.audit import service
from fbjd_registry.audit.schemas import AuditReport
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import RegistryNotFound

router = APIRouter(tags=["audit"])


@router.get("/enterprises/{ps_id}/audit")
async def run_audit(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> AuditReport:
    return await service.audit_for(session, principal=principal, ps_id=ps_id)


@router.get("/enterprises/{ps_id}/audit/latest")
async def latest_audit(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> AuditReport:
    await get_visible(session, principal=principal, ps_id=ps_id)
    report = await service.latest(session, ps_id)
    if report is None:
        raise RegistryNotFound(f"企业 {ps_id} 还没有审核结果")
    return report
