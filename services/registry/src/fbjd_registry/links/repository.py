"""Queries of production↔treatment links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.links.models import Link

__all__ = ["add", "count_for_facility", "get", "get_pair", "list_for", "list_for_many", "remove"]


async def get(session: AsyncSession, link_id: uuid.UUID) -> Link | None:
    return await session.get(Link, link_id)


async def get_pair(session: AsyncSession, *, production_id: uuid.UUID, treatment_id: uuid.UUID) -> Link | None:
    query = select(Link).where(Link.production_facility_id == production_id, Link.treatment_facility_id == treatment_id)
    return await session.scalar(query)


async def list_for(session: AsyncSession, ps_id: str) -> Sequence[Link]:
    return (await session.scalars(select(Link).where(Link.ps_id == ps_id).order_by(Link.id))).all()


async def count_for_facility(session: AsyncSession, facility_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        or_(Link.production_facility_id == facility_id, Link.treatment_facility_id == facility_id)
    )
    return int(await session.scalar(query) or 0)


async def add(session: AsyncSession, link: Link) -> None:
    session.add(link)
    await session.flush()


async def remove(session: AsyncSession, link: Link) -> None:
    await session.execute(delete(Link).where(Link.id == link.id))
    session.expunge(link)


async def list_for_many(session: AsyncSession, ps_ids: Sequence[str]) -> Sequence[Link]:
    return (await session.scalars(select(Link).where(Link.ps_id.in_(ps_ids)).order_by(Link.id))).all()
