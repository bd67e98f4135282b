"""Control plans (一厂一策) and control periods (预警/管控时段), and the obligation they put on a facility."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from fbjd_core.auth import Principal, Role
from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.control import repository
from fbjd_registry.control.models import ControlMeasure, ControlPeriod, ControlPlan
from fbjd_registry.control.obligation import obligation
from fbjd_registry.control.schemas import (
    MeasureOut,
    ObligationOut,
    PeriodIn,
    PeriodOut,
    PeriodPatch,
    PlanIn,
    PlanOut,
    PlanVersionOut,
)
from fbjd_registry.enterprises.schemas import EnterpriseOut
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import InvalidInput, Problem, RegistryNotFound, WriteForbidden
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.facilities.service import get_visible_facility
from fbjd_registry.regions.service import county_exists
from fbjd_registry.vocabulary import ControlLevel

__all__ = [
    "create_period",
    "delete_period",
    "delete_plan",
    "list_periods",
    "list_plans",
    "obligation_for",
    "patch_period",
    "plan_versions",
    "put_plan",
]

log = logging.getLogger(__name__)

PLAN, PERIOD = "control_plan", "control_period"


async def _plan_out(session: AsyncSession, plan: ControlPlan) -> PlanOut:
    measures = [
        MeasureOut.model_validate(m, from_attributes=True) for m in await repository.measures_of(session, plan.id)
    ]
    return PlanOut(id=plan.id, ps_id=plan.ps_id, level=ControlLevel(plan.level), name=plan.name, measures=measures)


def _period_out(period: ControlPeriod) -> PeriodOut:
    return PeriodOut.model_validate(period, from_attributes=True)


async def list_plans(session: AsyncSession, *, principal: Principal, ps_id: str) -> list[PlanOut]:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return [await _plan_out(session, plan) for plan in await repository.list_plans(session, ps_id)]


async def plan_versions(
    session: AsyncSession, *, principal: Principal, ps_id: str, start: datetime, end: datetime
) -> list[PlanVersionOut]:
    """Every version of the enterprise's plans in force at some instant of [start, end), from the change log.

    A version holds from its change (or `start`) until the next change of the same plan (a new PUT or the
    delete), so data of any instant is judged by the plan as it stood then, not as it stands now.
    """
    await get_visible(session, principal=principal, ps_id=ps_id)
    if end <= start:
        raise InvalidInput([Problem("end", f"结束时间 {end} 须晚于开始时间 {start}", "结束时间")])
    states: dict[str, list[tuple[datetime, dict[str, Any] | None]]] = {}
    for entity_id, at, state in await changes.timeline(session, ps_id=ps_id, entity=PLAN, start=start, end=end):
        states.setdefault(entity_id, []).append((at, state))
    versions = []
    for history in states.values():
        for index, (at, state) in enumerate(history):
            if state is None:
                continue
            valid_to = history[index + 1][0] if index + 1 < len(history) else None
            versions.append(
                PlanVersionOut.model_validate({**state, "valid_from": max(at, start), "valid_to": valid_to})
            )
    return sorted(versions, key=lambda v: (v.valid_from, v.level.value))


async def _measure_problems(session: AsyncSession, ps_id: str, data: PlanIn) -> list[Problem]:
    problems, seen = [], set()
    for index, measure in enumerate(data.measures):
        field = f"measures.{index}.facility_id"
        facility = await facilities_repository.get(session, measure.facility_id)
        if facility is None or facility.ps_id != ps_id:
            problems.append(Problem(field, f"设施 {measure.facility_id} 不存在或不属于本企业", "设施"))
        elif measure.facility_id in seen:
            problems.append(Problem(field, f"设施「{facility.name}」在同一预案中出现了两次", "设施"))
        seen.add(measure.facility_id)
    return problems


async def put_plan(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, level: ControlLevel, data: PlanIn
) -> PlanOut:
    """Create or replace the enterprise's plan for one level, measures and all."""
    await get_visible(session, principal=principal, ps_id=ps_id)
    problems = await _measure_problems(session, ps_id, data)
    if problems:
        raise InvalidInput(problems)
    plan = await repository.get_plan(session, ps_id=ps_id, level=level.value)
    before = None if plan is None else await _plan_out(session, plan)
    if plan is None:
        plan = ControlPlan(ps_id=ps_id, level=level.value, name=data.name)
        await repository.add(session, plan)
    else:
        plan.name = data.name
        await repository.remove_measures(session, plan.id)
    rows = [
        ControlMeasure(ps_id=ps_id, plan_id=plan.id, **m.model_dump(mode="json", exclude_none=False))
        for m in data.measures
    ]
    await repository.add(session, *rows)
    after = await _plan_out(session, plan)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=PLAN, entity_id=str(plan.id), old=before, new=after)
    return after


async def delete_plan(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, level: ControlLevel
) -> None:
    await get_visible(session, principal=principal, ps_id=ps_id)
    plan = await repository.get_plan(session, ps_id=ps_id, level=level.value)
    if plan is None:
        raise RegistryNotFound(f"企业 {ps_id} 没有{level.value}级预案")
    before = await _plan_out(session, plan)
    await repository.remove_plan(session, plan)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=PLAN, entity_id=str(before.id), old=before, new=None)


async def _scope_problems(session: AsyncSession, principal: Principal, data: PeriodIn) -> list[Problem]:
    problems = []
    if data.ends_at <= data.starts_at:
        problems.append(Problem("ends_at", f"结束时间 {data.ends_at} 须晚于开始时间 {data.starts_at}", "结束时间"))
    for index, code in enumerate(data.counties):
        if not await county_exists(session, code):
            problems.append(Problem(f"counties.{index}", f"县(市、区)代码 {code} 不存在", "管控县(市、区)"))
        elif principal.role is Role.COUNTY and code != principal.county:
            problems.append(
                Problem(f"counties.{index}", f"县级用户只能对本县({principal.county})启动管控", "管控县(市、区)")
            )
    return problems


async def create_period(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, data: PeriodIn
) -> PeriodOut:
    problems = await _scope_problems(session, principal, data)
    if problems:
        raise InvalidInput(problems)
    issuer = principal.county if principal.role is Role.COUNTY else None
    if principal.role is Role.COUNTY and issuer is None:
        raise WriteForbidden("县级用户的令牌没有县(市、区)代码")
    period = ControlPeriod(
        name=data.name,
        level=data.level.value,
        issuer_county_code=issuer,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        counties=list(data.counties),
        industries=[i.value for i in data.industries],
        created_by=ctx.actor,
    )
    await repository.add(session, period)
    created = _period_out(period)
    await changes.record(session, ctx=ctx, ps_id=None, entity=PERIOD, entity_id=str(period.id), old=None, new=created)
    log.info("control period", extra={"period": str(period.id), "level": data.level.value, "issuer": issuer})
    return created


async def _writable_period(session: AsyncSession, principal: Principal, period_id: uuid.UUID) -> ControlPeriod:
    period = await repository.get_period(session, period_id)
    if period is None:
        raise RegistryNotFound(f"管控时段 {period_id} 不存在")
    if principal.role is Role.COUNTY and period.issuer_county_code != principal.county:
        raise WriteForbidden("县级用户只能修改本县启动的管控时段")
    return period


async def patch_period(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, period_id: uuid.UUID, data: PeriodPatch
) -> PeriodOut:
    """Correct a period, e.g. lift it early (a new `ends_at`); the log keeps what it said before."""
    period = await _writable_period(session, principal, period_id)
    before = _period_out(period)
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(period, name, value)
    if period.ends_at <= period.starts_at:
        raise InvalidInput([Problem("ends_at", "结束时间须晚于开始时间", "结束时间")])
    await session.flush()
    after = _period_out(period)
    await changes.record(session, ctx=ctx, ps_id=None, entity=PERIOD, entity_id=str(period.id), old=before, new=after)
    return after


async def delete_period(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, period_id: uuid.UUID
) -> None:
    period = await _writable_period(session, principal, period_id)
    before = _period_out(period)
    await repository.remove_period(session, period)
    await changes.record(session, ctx=ctx, ps_id=None, entity=PERIOD, entity_id=str(before.id), old=before, new=None)


async def list_periods(session: AsyncSession, *, active_at: datetime | None) -> list[PeriodOut]:
    return [_period_out(p) for p in await repository.list_periods(session, active_at=active_at)]


async def obligation_for(
    session: AsyncSession, *, principal: Principal, facility_id: uuid.UUID, at: datetime | None
) -> ObligationOut:
    """The facility's obligation at `at` (default now), from what the registry said at that instant."""
    facility = await get_visible_facility(session, principal=principal, facility_id=facility_id)
    moment = at or now()
    mine = await changes.states_at(session, ps_id=facility.ps_id, entities=("enterprise", PLAN), at=moment)
    city = await changes.states_at(session, ps_id=None, entities=(PERIOD,), at=moment)
    if not mine["enterprise"]:
        return ObligationOut(facility_id=facility_id, ps_id=facility.ps_id, at=moment, action="none")
    return obligation(
        facility_id=facility_id,
        enterprise=EnterpriseOut.model_validate(mine["enterprise"][0]),
        periods=[PeriodOut.model_validate(state) for state in city[PERIOD]],
        plans=[PlanOut.model_validate(state) for state in mine[PLAN]],
        at=moment,
    )
