"""GET /self-audit (JSON) and /self-audit.xlsx: the province's review, done first by the city (附件4 §4).

City and admin see every county (or the one asked for); a county user only its own county — asking for
another is refused (403), an enterprise of another county answers like a missing one (404).

Where the answer comes from:

- the default window (FBJD_SELF_AUDIT_DAYS, `days` left out or equal to it), no `ps_id`: the newest daily
  report (self_audit/job.py), filtered to the county asked for; at once, `stored: true`, with its
  `generated_at`. While none is stored yet: 202 and `{"state": "generating"}` (a run is started if none is
  under way); the web shows "being generated".
- `?refresh=true` (city and admin only): a new daily report is computed in the background — one at a time: a
  second refresh while one runs answers `refresh: "already_running"` — and the stored one is answered meanwhile.
- another `days`, or one enterprise (`ps_id`: five reads, seconds): computed for this request, as before
  (`stored: false`). A city-wide report of another window takes minutes at city size: ask it per county.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from fbjd_core.auth import Principal, Role
from fbjd_core.errors import Forbidden
from fbjd_core.time import now

from fbjd_bridge.access import Auditor
from fbjd_bridge.config import Settings, SettingsDep
from fbjd_bridge.self_audit.job import SelfAuditJob, audit_sources
from fbjd_bridge.self_audit.schemas import RefreshState, SelfAuditOut, SelfAuditPending
from fbjd_bridge.self_audit.service import self_audit
from fbjd_bridge.self_audit.workbook import XLSX_TYPE, workbook_bytes

router = APIRouter(tags=["self-audit"])

County = Annotated[str | None, Query(pattern=r"^\d{6}$", description="county code (GB/T 2260)")]
PsId = Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")]
Days = Annotated[
    int | None,
    Query(ge=1, le=366, description="the last days (default: the daily report's window, FBJD_SELF_AUDIT_DAYS)"),
]
Refresh = Annotated[bool, Query(description="city/admin: compute a new daily report in the background")]
_PENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": SelfAuditPending, "description": "no daily report yet: it is being generated"}
}


def _county_in_scope(principal: Principal, county: str | None) -> str | None:
    if principal.role is not Role.COUNTY:
        return county
    if county not in (None, principal.county) or principal.county is None:
        raise Forbidden(f"县级用户只能查看本县（{principal.county}）的自查报告")
    return principal.county


def _job(request: Request) -> SelfAuditJob:
    job: SelfAuditJob = request.app.state.self_audit_job
    return job


def _of_county(report: SelfAuditOut, county: str | None) -> SelfAuditOut:
    """The city's report cut to one county (its totals are already per county)."""
    if county is None:
        return report
    return report.model_copy(
        update={
            "counties": [c for c in report.counties if c.county == county],
            "enterprises": [e for e in report.enterprises if e.county == county],
        }
    )


async def _refresh(job: SelfAuditJob, principal: Principal) -> RefreshState:
    if principal.role is Role.COUNTY:
        raise Forbidden("只有市级用户可以重新生成自查报告")
    if job.running_here or await job.running_since() is not None or not job.start("refresh"):
        return "already_running"
    return "started"


async def _report(
    request: Request,
    settings: Settings,
    principal: Principal,
    county: str | None,
    ps_id: str | None,
    days: int | None,
    refresh: bool,
) -> SelfAuditOut | SelfAuditPending:
    county = _county_in_scope(principal, county)
    job = _job(request)
    refreshed = await _refresh(job, principal) if refresh else None
    if ps_id is not None or days not in (None, job.days):
        async with audit_sources(settings) as sources:
            return await self_audit(sources, county=county, ps_id=ps_id, days=days or job.days, at=now())
    stored = await job.latest()
    since = await job.running_since()
    if stored is None:
        if since is None and not job.running_here:
            job.start("request")
        detail = f"自查报告（最近 {job.days} 天）正在生成，全市需要几分钟，请稍后刷新页面"
        return SelfAuditPending(window_days=job.days, started_at=since, detail=detail)
    return _of_county(stored, county).model_copy(
        update={"stored": True, "refreshing": since is not None or job.running_here, "refresh": refreshed}
    )


def _pending(pending: SelfAuditPending) -> JSONResponse:
    return JSONResponse(pending.model_dump(mode="json"), status_code=202)


@router.get("/self-audit", response_model=SelfAuditOut, responses=_PENDING)
async def get_self_audit(
    request: Request,
    principal: Auditor,
    settings: SettingsDep,
    county: County = None,
    ps_id: PsId = None,
    days: Days = None,
    refresh: Refresh = False,
) -> SelfAuditOut | JSONResponse:
    """Per enterprise and per county, the six checks of the province's review, each finding with its evidence.

    The default window answers from the daily report at once (202 while the first is being generated); another
    `days` or a `ps_id` is computed for this request (see the module's docstring)."""
    report = await _report(request, settings, principal, county, ps_id, days, refresh)
    return _pending(report) if isinstance(report, SelfAuditPending) else report


@router.get("/self-audit.xlsx", response_class=Response, responses={200: {"content": {XLSX_TYPE: {}}}, **_PENDING})
async def get_self_audit_xlsx(
    request: Request,
    principal: Auditor,
    settings: SettingsDep,
    county: County = None,
    ps_id: PsId = None,
    days: Days = None,
    refresh: Refresh = False,
) -> Response:
    """The same report as a workbook: 按区县 and 问题清单 (202 JSON while the first daily report is generated)."""
    report = await _report(request, settings, principal, county, ps_id, days, refresh)
    if isinstance(report, SelfAuditPending):
        return _pending(report)
    name = f"self-audit-{county or 'city'}.xlsx"
    return Response(
        workbook_bytes(report),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
