"""Queries of cities and counties."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.regions.models import City, County

__all__ = ["add", "get_city", "get_county", "list_cities", "list_counties"]


async def get_city(session: AsyncSession, code: str) -> City | None:
    return await session.scalar(select(City).where(City.code == code))


async def get_county(session: AsyncSession, code: str) -> County | None:
    return await session.scalar(select(County).where(County.code == code))


async def list_cities(session: AsyncSession) -> Sequence[City]:
    return (await session.scalars(select(City).order_by(City.code))).all()


async def list_counties(session: AsyncSession, *, city_code: str | None = None) -> Sequence[County]:
    query = select(County).order_by(County.code)
    if city_code is not None:
        query = query.where(County.city_code == city_code)
    return (await session.scalars(query)).all()


async def add(session: AsyncSession, row: City | County) -> None:
    session.add(row)
    await session.flush()
