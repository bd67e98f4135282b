"""Queries of the readings slice (SQLAlchemy, HTTP side). Every query names the MN and a data_time range, so
PostgreSQL reads only the partitions of those days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.readings.models import Reading, Receipt

__all__ = ["readings_between", "receipts_page"]


async def receipts_page(
    session: AsyncSession,
    *,
    mn: str,
    start: datetime,
    end: datetime,
    cn: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> Sequence[Receipt]:
    stmt = select(Receipt).where(Receipt.mn == mn, Receipt.data_time >= start, Receipt.data_time < end)
    if cn is not None:
        stmt = stmt.where(Receipt.cn == cn)
    if after is not None:
        stmt = stmt.where(or_(Receipt.data_time > after[0], and_(Receipt.data_time == after[0], Receipt.cn > after[1])))
    stmt = stmt.order_by(Receipt.data_time, Receipt.cn).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def readings_between(
    session: AsyncSession, *, mn: str, first: datetime, last: datetime, cns: Sequence[str]
) -> Sequence[Reading]:
    stmt = (
        select(Reading)
        .where(Reading.mn == mn, Reading.cn.in_(cns), Reading.data_time >= first, Reading.data_time <= last)
        .order_by(Reading.data_time, Reading.cn, Reading.code)
    )
    return (await session.execute(stmt)).scalars().all()
