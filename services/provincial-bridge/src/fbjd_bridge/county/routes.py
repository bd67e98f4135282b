"""The county intake (the province's interface, offered by the city) and the list of what counties reported.

    POST /pcom/ps/ex/join/abnormal   treatment abnormal records (JSON array), as the province takes them
    POST /pcom/ps/ex/join/limit      stop / limit / off-peak records (JSON array)
    GET  /county-reports             the records counties reported, with their delivery to the workflow

Callers: a county platform (machine client, role county, claim `county`: only its county's enterprises) and
the city (role city) or admin. The reply is the province's: HTTP 200 `{"success": true|false, "msg": …}`; 503
with `success: false` when the registry cannot be read (try again).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse
from fbjd_core.auth import Principal, Role
from fbjd_core.db import SessionDep
from fbjd_core.errors import Forbidden
from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.access import CountyReporter
from fbjd_bridge.county import flows, repository
from fbjd_bridge.county.flows import Outcome
from fbjd_bridge.county.schemas import CountyReply, CountyReportOut, report_out
from fbjd_bridge.county.validation import Problem
from fbjd_bridge.province.payload import ABNORMAL_FIELDS, LIMIT_FIELDS, PATHS, Endpoint
from fbjd_bridge.runtime import wake_county_deliverer

router = APIRouter(tags=["county"])

County = Annotated[str | None, Query(pattern=r"^\d{6}$", description="county code (GB/T 2260)")]
PsId = Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")]


def _body_doc(fields: tuple[str, ...]) -> dict[str, Any]:
    item = {"type": "object", "properties": {f: {} for f in fields}, "required": list(fields)}
    schema = {"type": "array", "minItems": 1, "maxItems": 500, "items": item}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _answer(outcome: Outcome) -> JSONResponse:
    reply = CountyReply(success=outcome.success, msg=outcome.msg)
    return JSONResponse(reply.model_dump(), status_code=503 if outcome.unavailable else 200)


async def _push(
    endpoint: Endpoint, request: Request, session: AsyncSession, principal: Principal, background: BackgroundTasks
) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/json"):
        return _answer(Outcome(problem=Problem(-1, None, "Content-Type 须为 application/json")))
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _answer(Outcome(problem=Problem(-1, None, "请求体不是合法的 JSON")))
    outcome = await flows.receive(session, request.app.state.registry, endpoint, body, principal=principal, at=now())
    if outcome.success:
        background.add_task(wake_county_deliverer, request.app)
    return _answer(outcome)


@router.post(PATHS[Endpoint.ABNORMAL], response_model=CountyReply, openapi_extra=_body_doc(ABNORMAL_FIELDS))
async def push_abnormal(
    request: Request, session: SessionDep, principal: CountyReporter, background: BackgroundTasks
) -> JSONResponse:
    """Treatment abnormal records of the county's enterprises (治理设施异常), the province's body exactly."""
    return await _push(Endpoint.ABNORMAL, request, session, principal, background)


@router.post(PATHS[Endpoint.LIMIT], response_model=CountyReply, openapi_extra=_body_doc(LIMIT_FIELDS))
async def push_limit(
    request: Request, session: SessionDep, principal: CountyReporter, background: BackgroundTasks
) -> JSONResponse:
    """Emergency / differentiated control records (应急减排/差异化管控异常), the province's body exactly."""
    return await _push(Endpoint.LIMIT, request, session, principal, background)


def _county_in_scope(principal: Principal, county: str | None) -> str | None:
    if principal.role is not Role.COUNTY:
        return county
    if county not in (None, principal.county) or principal.county is None:
        raise Forbidden(f"县级用户只能查看本县（{principal.county}）上报的记录")
    return principal.county


@router.get("/county-reports")
async def county_reports(
    session: SessionDep,
    principal: CountyReporter,
    county: County = None,
    ps_id: PsId = None,
    undelivered: bool = False,
    since: Annotated[datetime | None, Query(description="changed at or after (inclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CountyReportOut]:
    """What county platforms reported, newest change first, each with its delivery to the workflow (a county
    sees its own county's)."""
    rows = await repository.listing(
        session,
        county=_county_in_scope(principal, county),
        ps_id=ps_id,
        undelivered=undelivered,
        since=since,
        limit=limit,
    )
    return [report_out(row) for row in rows]
