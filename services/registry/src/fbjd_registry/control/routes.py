"""Control plans per enterprise and level, control periods, and GET /facilities/{id}/obligation?at=ISO."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Response
from fbjd_core.time import from_cst, now

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.control import service
from fbjd_registry.control.schemas import (
    ObligationOut,
    PeriodIn,
    PeriodOut,
    PeriodPatch,
    PlanIn,
    PlanOut,
    PlanVersionOut,
)
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.vocabulary import ControlLevel

router = APIRouter(tags=["control"])


@router.get("/enterprises/{ps_id}/control-plans")
async def list_plans(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[PlanOut]:
    return await service.list_plans(session, principal=principal, ps_id=ps_id)


@router.get("/enterprises/{ps_id}/control-plan-versions")
async def plan_versions(
    ps_id: PsIdPath,
    session: SessionDep,
    principal: Reader,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[PlanVersionOut]:
    """The plans as they stood over [start, end) (without a time zone read as CST), each with its validity.
    Without `end`: up to now; without `start`: the minute before `end` (the plans in force then)."""
    until = from_cst(end) if end is not None else now()
    since = from_cst(start) if start is not None else until - timedelta(minutes=1)
    return await service.plan_versions(session, principal=principal, ps_id=ps_id, start=since, end=until)


@router.put("/enterprises/{ps_id}/control-plans/{level}")
async def put_plan(
    ps_id: PsIdPath, level: ControlLevel, data: PlanIn, session: SessionDep, principal: Editor
) -> PlanOut:
    return await service.put_plan(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, level=level, data=data
    )


@router.delete("/enterprises/{ps_id}/control-plans/{level}", status_code=204)
async def delete_plan(ps_id: PsIdPath, level: ControlLevel, session: SessionDep, principal: Editor) -> Response:
    await service.delete_plan(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, level=level)
    return Response(status_code=204)


@router.get("/control-periods")
async def list_periods(session: SessionDep, _principal: Reader, active_at: datetime | None = None) -> list[PeriodOut]:
    return await service.list_periods(session, active_at=None if active_at is None else from_cst(active_at))


@router.post("/control-periods", status_code=201)
async def create_period(data: PeriodIn, session: SessionDep, principal: Editor) -> PeriodOut:
    return await service.create_period(session, ctx=change_context(principal), principal=principal, data=data)


@router.patch("/control-periods/{period_id}")
async def patch_period(period_id: uuid.UUID, data: PeriodPatch, session: SessionDep, principal: Editor) -> PeriodOut:
    return await service.patch_period(
        session, ctx=change_context(principal), principal=principal, period_id=period_id, data=data
    )


@router.delete("/control-periods/{period_id}", status_code=204)
async def delete_period(period_id: uuid.UUID, session: SessionDep, principal: Editor) -> Response:
    await service.delete_period(session, ctx=change_context(principal), principal=principal, period_id=period_id)
    return Response(status_code=204)


@router.get("/facilities/{facility_id}/obligation")
async def get_obligation(
    facility_id: uuid.UUID, session: SessionDep, principal: Reader, at: datetime | None = None
) -> ObligationOut:
    """What the facility must do at `at` (default now; without a time zone read as CST)."""
    moment = None if at is None else from_cst(at)
    return await service.obligation_for(session, principal=principal, facility_id=facility_id, at=moment)
