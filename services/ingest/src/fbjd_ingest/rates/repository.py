"""Queries of the rates slice: the daily receipt rollup, never the raw readings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.devices.models import Device
from fbjd_ingest.readings.models import ReceiptDaily

__all__ = ["daily_counts", "first_days"]

_D = ReceiptDaily


async def daily_counts(
    session: AsyncSession, *, mns: Sequence[str] | None, ps_id: str | None, county: str | None, first: date, last: date
) -> Sequence[Row[str, str, date, int]]:
    """(mn, cn, day, received) for the days [first, last] of the devices in scope, on each device's data CN."""
    stmt = (
        select(_D.mn, _D.cn, _D.day, _D.received)
        .join(Device, (Device.mn == _D.mn) & (Device.data_cn == _D.cn))
        .where(_D.day >= first, _D.day <= last)
    )
    if mns is not None:
        stmt = stmt.where(_D.mn.in_(mns))
    if ps_id is not None:
        stmt = stmt.where(Device.ps_id == ps_id)
    if county is not None:
        stmt = stmt.where(Device.county == county)
    return (await session.execute(stmt)).all()


async def first_days(
    session: AsyncSession, *, mns: Sequence[str] | None, ps_id: str | None, county: str | None
) -> dict[str, date]:
    """The first day anything of the device's data CN was received (adopted history may predate registration)."""
    stmt = (
        select(_D.mn, func.min(_D.day)).join(Device, (Device.mn == _D.mn) & (Device.data_cn == _D.cn)).group_by(_D.mn)
    )
    if mns is not None:
        stmt = stmt.where(_D.mn.in_(mns))
    if ps_id is not None:
        stmt = stmt.where(Device.ps_id == ps_id)
    if county is not None:
        stmt = stmt.where(Device.county == county)
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}
