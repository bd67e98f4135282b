"""Queries of enterprises."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.enterprises.models import Enterprise

__all__ = ["add", "get", "get_by_credit_code", "list_by_ps_ids", "list_enterprises", "list_ps_ids"]


async def get(session: AsyncSession, ps_id: str) -> Enterprise | None:
    return await session.scalar(select(Enterprise).where(Enterprise.ps_id == ps_id))


async def get_by_credit_code(session: AsyncSession, credit_code: str) -> Enterprise | None:
    return await session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))


async def list_enterprises(
    session: AsyncSession,
    *,
    ps_id: str | None = None,
    county_code: str | None = None,
    industry: str | None = None,
    stage: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> Sequence[Enterprise]:
    query = select(Enterprise)
    if ps_id is not None:
        query = query.where(Enterprise.ps_id == ps_id)
    if county_code is not None:
        query = query.where(Enterprise.county_code == county_code)
    if industry is not None:
        query = query.where(Enterprise.industry == industry)
    if stage is not None:
        query = query.where(Enterprise.stage == stage)
    query = query.order_by(Enterprise.county_code, Enterprise.name).limit(limit).offset(offset)
    return (await session.scalars(query)).all()


async def list_ps_ids(session: AsyncSession, *, stage: str | None = None) -> list[str]:
    query = select(Enterprise.ps_id).order_by(Enterprise.ps_id)
    if stage is not None:
        query = query.where(Enterprise.stage == stage)
    return list((await session.scalars(query)).all())


async def add(session: AsyncSession, enterprise: Enterprise) -> None:
    session.add(enterprise)
    await session.flush()


async def list_by_ps_ids(session: AsyncSession, ps_ids: Sequence[str]) -> Sequence[Enterprise]:
    return (await session.scalars(select(Enterprise).where(Enterprise.ps_id.in_(ps_ids)))).all()
