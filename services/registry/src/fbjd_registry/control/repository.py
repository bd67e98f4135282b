"""Queries of control plans, measures and periods."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.control.models import ControlMeasure, ControlPeriod, ControlPlan

__all__ = [
    "add",
    "controlled_facility_ids",
    "count_measures_for_facility",
    "get_period",
    "get_plan",
    "list_periods",
    "list_plans",
    "measures_of",
    "remove_measures",
    "remove_period",
    "remove_plan",
]


async def get_plan(session: AsyncSession, *, ps_id: str, level: str) -> ControlPlan | None:
    return await session.scalar(select(ControlPlan).where(ControlPlan.ps_id == ps_id, ControlPlan.level == level))


async def list_plans(session: AsyncSession, ps_id: str) -> Sequence[ControlPlan]:
    return (
        await session.scalars(select(ControlPlan).where(ControlPlan.ps_id == ps_id).order_by(ControlPlan.level))
    ).all()


async def measures_of(session: AsyncSession, plan_id: uuid.UUID) -> Sequence[ControlMeasure]:
    query = select(ControlMeasure).where(ControlMeasure.plan_id == plan_id).order_by(ControlMeasure.facility_id)
    return (await session.scalars(query)).all()


async def remove_measures(session: AsyncSession, plan_id: uuid.UUID) -> None:
    await session.execute(delete(ControlMeasure).where(ControlMeasure.plan_id == plan_id))


async def remove_plan(session: AsyncSession, plan: ControlPlan) -> None:
    await remove_measures(session, plan.id)
    await session.execute(delete(ControlPlan).where(ControlPlan.id == plan.id))
    session.expunge(plan)


async def controlled_facility_ids(session: AsyncSession, ps_id: str) -> set[uuid.UUID]:
    query = select(ControlMeasure.facility_id).where(ControlMeasure.ps_id == ps_id)
    return set((await session.scalars(query)).all())


async def count_measures_for_facility(session: AsyncSession, facility_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).where(ControlMeasure.facility_id == facility_id)) or 0)


async def get_period(session: AsyncSession, period_id: uuid.UUID) -> ControlPeriod | None:
    return await session.get(ControlPeriod, period_id)


async def list_periods(session: AsyncSession, *, active_at: datetime | None = None) -> Sequence[ControlPeriod]:
    query = select(ControlPeriod)
    if active_at is not None:
        query = query.where(ControlPeriod.starts_at <= active_at, ControlPeriod.ends_at > active_at)
    return (await session.scalars(query.order_by(ControlPeriod.starts_at.desc()))).all()


async def remove_period(session: AsyncSession, period: ControlPeriod) -> None:
    await session.execute(delete(ControlPeriod).where(ControlPeriod.id == period.id))
    session.expunge(period)


async def add(session: AsyncSession, *rows: ControlPlan | ControlMeasure | ControlPeriod) -> None:
    session.add_all(rows)
    await session.flush()
