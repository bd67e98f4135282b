"""Queries of monitoring points."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.points.models import Point

__all__ = [
    "add",
    "channel_holder",
    "count_by_role",
    "count_for_facility",
    "get",
    "list_for",
    "list_with_mn",
    "mn_owner",
    "name_holder",
    "remove",
]


async def get(session: AsyncSession, point_id: uuid.UUID) -> Point | None:
    return await session.get(Point, point_id)


async def list_for(session: AsyncSession, ps_id: str) -> Sequence[Point]:
    return (await session.scalars(select(Point).where(Point.ps_id == ps_id).order_by(Point.id))).all()


async def list_with_mn(session: AsyncSession, *, ps_ids: Sequence[str] | None = None) -> Sequence[Point]:
    query = select(Point).where(Point.mn.is_not(None))
    if ps_ids is not None:
        query = query.where(Point.ps_id.in_(ps_ids))
    return (await session.scalars(query.order_by(Point.mn, Point.factor_code))).all()


async def count_for_facility(session: AsyncSession, facility_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).where(Point.facility_id == facility_id)) or 0)


async def name_holder(session: AsyncSession, *, ps_id: str, name: str) -> Point | None:
    return await session.scalar(select(Point).where(Point.ps_id == ps_id, Point.name == name).limit(1))


async def channel_holder(session: AsyncSession, *, mn: str, factor_code: str) -> Point | None:
    return await session.scalar(select(Point).where(Point.mn == mn, Point.factor_code == factor_code).limit(1))


async def mn_owner(session: AsyncSession, mn: str) -> str | None:
    """The psId of the enterprise whose points a device (MN) already carries."""
    return await session.scalar(select(Point.ps_id).where(Point.mn == mn).limit(1))


async def add(session: AsyncSession, point: Point) -> None:
    session.add(point)
    await session.flush()


async def remove(session: AsyncSession, point: Point) -> None:
    await session.execute(delete(Point).where(Point.id == point.id))
    session.expunge(point)


async def count_by_role(session: AsyncSession, ps_ids: Sequence[str]) -> dict[tuple[str, str], int]:
    """(psId, role) → number of points."""
    query = (
        select(Point.ps_id, Point.role, func.count()).where(Point.ps_id.in_(ps_ids)).group_by(Point.ps_id, Point.role)
    )
    return {(ps_id, role): int(count) for ps_id, role, count in (await session.execute(query)).all()}
