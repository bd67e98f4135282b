"""Queries of rules.abnormals."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals.models import AbnormalRecord

__all__ = [
    "RecordFilter",
    "add",
    "by_ids",
    "get",
    "listing",
    "open_between",
    "open_overlapping",
    "since",
    "stale_ongoing",
]


@dataclass(frozen=True, slots=True)
class RecordFilter:
    ps_id: str | None = None
    county: str | None = None
    type: str | None = None
    grade: str | None = None
    status: str | None = None
    start_from: datetime | None = None  # records ending at or after this instant
    start_to: datetime | None = None  # records starting before this instant
    limit: int = 100
    offset: int = 0


async def get(session: AsyncSession, record_id: uuid.UUID) -> AbnormalRecord | None:
    return await session.get(AbnormalRecord, record_id)


async def by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, AbnormalRecord]:
    if not ids:
        return {}
    rows = await session.scalars(select(AbnormalRecord).where(AbnormalRecord.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def since(
    session: AsyncSession, *, ps_id: str, start: datetime, types: Collection[str]
) -> Sequence[AbnormalRecord]:
    """Records of the enterprise starting at or after `start` (any status), of the given types."""
    query = select(AbnormalRecord).where(
        AbnormalRecord.ps_id == ps_id, AbnormalRecord.start_at >= start, AbnormalRecord.type.in_(list(types))
    )
    return (await session.scalars(query)).all()


async def open_overlapping(session: AsyncSession, *, ps_id: str, after: datetime) -> Sequence[AbnormalRecord]:
    """Open records of the enterprise still going at `after` (their stretch may change with new data)."""
    query = select(AbnormalRecord).where(
        AbnormalRecord.ps_id == ps_id, AbnormalRecord.status == "open", AbnormalRecord.end_at >= after
    )
    return (await session.scalars(query)).all()


async def stale_ongoing(
    session: AsyncSession, *, ended_before: datetime, limit: int = 500
) -> list[tuple[str, datetime]]:
    """(psId, earliest start) of enterprises with records still marked ongoing whose end has not moved since."""
    query = (
        select(AbnormalRecord.ps_id, AbnormalRecord.start_at)
        .where(AbnormalRecord.ongoing, AbnormalRecord.status == "open", AbnormalRecord.end_at < ended_before)
        .order_by(AbnormalRecord.start_at)
        .limit(limit)
    )
    earliest: dict[str, datetime] = {}
    for ps_id, start in (await session.execute(query)).all():
        earliest.setdefault(ps_id, start)
    return list(earliest.items())


async def add(session: AsyncSession, row: AbnormalRecord) -> None:
    session.add(row)
    await session.flush()


async def listing(session: AsyncSession, flt: RecordFilter) -> Sequence[AbnormalRecord]:
    conditions = []
    for column, value in (
        (AbnormalRecord.ps_id, flt.ps_id),
        (AbnormalRecord.county, flt.county),
        (AbnormalRecord.type, flt.type),
        (AbnormalRecord.grade, flt.grade),
        (AbnormalRecord.status, flt.status),
    ):
        if value is not None:
            conditions.append(column == value)
    if flt.start_from is not None:
        conditions.append(AbnormalRecord.end_at >= flt.start_from)
    if flt.start_to is not None:
        conditions.append(AbnormalRecord.start_at < flt.start_to)
    query = (
        select(AbnormalRecord)
        .where(*conditions)
        .order_by(AbnormalRecord.start_at.desc(), AbnormalRecord.id)
        .limit(flt.limit)
        .offset(flt.offset)
    )
    return (await session.scalars(query)).all()


async def open_between(connection: Any, *, start: datetime, end: datetime) -> list[Any]:
    """Open records overlapping [start, end), over a raw asyncpg connection (the accuracy tool, outside the app)."""
    rows: list[Any] = await connection.fetch(
        "SELECT type, ps_id, production_facility_id, treatment_facility_id, start_at, end_at "
        "FROM rules.abnormals WHERE status = 'open' AND end_at >= $1 AND start_at < $2",
        start,
        end,
    )
    return rows
