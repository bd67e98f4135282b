"""All queries of the devices slice (SQLAlchemy, HTTP side)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.devices.models import Device

__all__ = ["add", "count", "get_by_mn", "list_devices"]


async def get_by_mn(session: AsyncSession, mn: str) -> Device | None:
    result = await session.execute(select(Device).where(Device.mn == mn))
    return result.scalar_one_or_none()


def _scoped(stmt, *, ps_id: str | None, county: str | None):  # type: ignore[no-untyped-def]
    if ps_id is not None:
        stmt = stmt.where(Device.ps_id == ps_id)
    if county is not None:
        stmt = stmt.where(Device.county == county)
    return stmt


async def list_devices(
    session: AsyncSession, *, ps_id: str | None, county: str | None, limit: int, offset: int
) -> Sequence[Device]:
    stmt = _scoped(select(Device), ps_id=ps_id, county=county).order_by(Device.mn).limit(limit).offset(offset)
    return (await session.execute(stmt)).scalars().all()


async def count(session: AsyncSession, *, ps_id: str | None, county: str | None) -> int:
    stmt = _scoped(select(func.count()).select_from(Device), ps_id=ps_id, county=county)
    return int((await session.execute(stmt)).scalar_one())


async def add(session: AsyncSession, device: Device) -> None:
    session.add(device)
    await session.flush()
