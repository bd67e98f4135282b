"""Queries of spot checks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.models import SpotCheck, SpotCheckItem

__all__ = ["add", "get", "get_item", "items_of", "list_checks"]


async def get(session: AsyncSession, check_id: uuid.UUID) -> SpotCheck | None:
    return await session.get(SpotCheck, check_id)


async def list_checks(session: AsyncSession) -> Sequence[SpotCheck]:
    return (await session.scalars(select(SpotCheck).order_by(SpotCheck.drawn_at.desc()))).all()


async def items_of(session: AsyncSession, check_id: uuid.UUID) -> Sequence[SpotCheckItem]:
    query = select(SpotCheckItem).where(SpotCheckItem.spot_check_id == check_id).order_by(SpotCheckItem.position)
    return (await session.scalars(query)).all()


async def get_item(session: AsyncSession, *, check_id: uuid.UUID, ps_id: str) -> SpotCheckItem | None:
    query = select(SpotCheckItem).where(SpotCheckItem.spot_check_id == check_id, SpotCheckItem.ps_id == ps_id)
    return await session.scalar(query)


async def add(session: AsyncSession, *rows: SpotCheck | SpotCheckItem) -> None:
    session.add_all(rows)
    await session.flush()
