"""Queries of facilities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.facilities.models import Facility

__all__ = ["add", "get", "list_for", "list_for_many", "name_holder", "remove"]


async def get(session: AsyncSession, facility_id: uuid.UUID) -> Facility | None:
    return await session.get(Facility, facility_id)


async def list_for(session: AsyncSession, ps_id: str) -> Sequence[Facility]:
    query = select(Facility).where(Facility.ps_id == ps_id).order_by(Facility.id)
    return (await session.scalars(query)).all()


async def name_holder(session: AsyncSession, *, ps_id: str, name: str) -> Facility | None:
    return await session.scalar(select(Facility).where(Facility.ps_id == ps_id, Facility.name == name).limit(1))


async def add(session: AsyncSession, facility: Facility) -> None:
    session.add(facility)
    await session.flush()


async def remove(session: AsyncSession, facility: Facility) -> None:
    await session.execute(delete(Facility).where(Facility.id == facility.id))
    session.expunge(facility)


async def list_for_many(session: AsyncSession, ps_ids: Sequence[str]) -> Sequence[Facility]:
    return (await session.scalars(select(Facility).where(Facility.ps_id.in_(ps_ids)).order_by(Facility.id))).all()
