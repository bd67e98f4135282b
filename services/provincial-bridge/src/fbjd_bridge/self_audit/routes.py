"""GET /self-audit (JSON) and /self-audit.xlsx: the province's review, done first by the city (附件4 §4).

City and admin see every county (or the one asked for); a county user only its own county — asking for
another is refused (403), an enterprise of another county answers like a missing one (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fbjd_core.auth import Principal, Role
from fbjd_core.errors import Forbidden
from fbjd_core.time import now

from fbjd_bridge.access import Auditor
from fbjd_bridge.config import Settings, SettingsDep, service_token
from fbjd_bridge.self_audit.schemas import SelfAuditOut
from fbjd_bridge.self_audit.service import self_audit
from fbjd_bridge.self_audit.sources import AuditSources
from fbjd_bridge.self_audit.workbook import XLSX_TYPE, workbook_bytes

router = APIRouter(tags=["self-audit"])

County = Annotated[str | None, Query(pattern=r"^\d{6}$", description="county code (GB/T 2260)")]
PsId = Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")]
Days = Annotated[int, Query(ge=1, le=366, description="records, alarms and periodic findings of the last days")]


def _county_in_scope(principal: Principal, county: str | None) -> str | None:
    if principal.role is not Role.COUNTY:
        return county
    if county not in (None, principal.county) or principal.county is None:
        raise Forbidden(f"县级用户只能查看本县（{principal.county}）的自查报告")
    return principal.county


async def _report(
    settings: Settings, principal: Principal, county: str | None, ps_id: str | None, days: int
) -> SelfAuditOut:
    async with AuditSources(
        registry_url=settings.registry_url,
        rules_url=settings.rules_url,
        workflow_url=settings.workflow_url,
        token=lambda: service_token(settings),
        concurrency=settings.self_audit_concurrency,
    ) as sources:
        return await self_audit(sources, county=_county_in_scope(principal, county), ps_id=ps_id, days=days, at=now())


@router.get("/self-audit")
async def get_self_audit(
    principal: Auditor, settings: SettingsDep, county: County = None, ps_id: PsId = None, days: Days = 30
) -> SelfAuditOut:
    """Per enterprise and per county, the six checks of the province's review, each finding with its evidence."""
    return await _report(settings, principal, county, ps_id, days)


@router.get("/self-audit.xlsx", response_class=Response, responses={200: {"content": {XLSX_TYPE: {}}}})
async def get_self_audit_xlsx(
    principal: Auditor, settings: SettingsDep, county: County = None, ps_id: PsId = None, days: Days = 30
) -> Response:
    """The same report as a workbook: 按区县 and 问题清单."""
    report = await _report(settings, principal, county, ps_id, days)
    name = f"self-audit-{county or 'city'}.xlsx"
    return Response(
        workbook_bytes(report),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
