"""Queries of bridge.county_reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.county.models import CountyReport

__all__ = ["add", "due", "listing", "lock_point", "mark_delivered", "mark_failed", "touching"]


async def lock_point(session: AsyncSession, *, endpoint: str, ps_id: str, point: str) -> None:
    """One report of a point at a time (until the transaction ends): two requests about one point merge, never
    open two records."""
    key = f"county:{endpoint}:{ps_id}:{point}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


async def touching(
    session: AsyncSession, *, endpoint: str, ps_id: str, point: str, start: datetime, end: datetime
) -> Sequence[CountyReport]:
    """The open records of this point whose span overlaps or touches [start, end], earliest
    start first, locked."""
    query = (
        select(CountyReport)
        .where(
            CountyReport.endpoint == endpoint,
            CountyReport.ps_id == ps_id,
            CountyReport.point == point,
            CountyReport.status == "open",
            CountyReport.start_at <= end,
            CountyReport.end_at >= start,
        )
        .order_by(CountyReport.start_at, CountyReport.received_at, CountyReport.id)
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def add(session: AsyncSession, row: CountyReport) -> None:
    session.add(row)
    await session.flush()


async def due(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[CountyReport]:
    """Records whose newest version has not reached the workflow and whose back-off is over, oldest change
    first."""
    query = (
        select(CountyReport)
        .where(
            CountyReport.delivered_version < CountyReport.version,
            or_(CountyReport.next_attempt_at.is_(None), CountyReport.next_attempt_at <= now),
        )
        .order_by(CountyReport.updated_at, CountyReport.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def mark_delivered(
    session: AsyncSession, report_id: uuid.UUID, *, version: int, stage: str | None, at: datetime
) -> None:
    """The workflow took `version`: a newer version stored meanwhile stays due (delivered_version < version)."""
    await session.execute(
        update(CountyReport)
        .where(CountyReport.id == report_id)
        .values(
            delivered_version=func.greatest(CountyReport.delivered_version, version),
            delivered_at=at,
            last_attempt_at=at,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
            alarm_stage=stage,
        )
    )


async def mark_failed(
    session: AsyncSession, report_id: uuid.UUID, *, attempts: int, retry_at: datetime, error: str, at: datetime
) -> None:
    await session.execute(
        update(CountyReport)
        .where(CountyReport.id == report_id)
        .values(attempts=attempts, next_attempt_at=retry_at, last_attempt_at=at, last_error=error[:1000])
    )


async def listing(
    session: AsyncSession,
    *,
    county: str | None,
    ps_id: str | None,
    undelivered: bool,
    since: datetime | None,
    limit: int,
) -> Sequence[CountyReport]:
    query = select(CountyReport).order_by(CountyReport.updated_at.desc(), CountyReport.id).limit(limit)
    if county is not None:
        query = query.where(CountyReport.county == county)
    if ps_id is not None:
        query = query.where(CountyReport.ps_id == ps_id)
    if undelivered:
        query = query.where(CountyReport.delivered_version < CountyReport.version)
    if since is not None:
        query = query.where(CountyReport.updated_at >= since)
    return (await session.scalars(query)).all()
