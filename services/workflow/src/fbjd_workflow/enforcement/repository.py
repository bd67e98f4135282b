"""Queries of enforcement tasks and inspection records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.enforcement.models import EnforcementTask, InspectionRecord

__all__ = ["add", "get", "get_for_update", "inspection_of", "list_tasks", "task_of_alarm"]


async def add(session: AsyncSession, row: EnforcementTask | InspectionRecord) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, task_id: uuid.UUID) -> EnforcementTask | None:
    return await session.get(EnforcementTask, task_id)


async def get_for_update(session: AsyncSession, task_id: uuid.UUID) -> EnforcementTask | None:
    query = (
        select(EnforcementTask)
        .where(EnforcementTask.id == task_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def task_of_alarm(session: AsyncSession, alarm_id: uuid.UUID) -> EnforcementTask | None:
    return await session.scalar(select(EnforcementTask).where(EnforcementTask.alarm_id == alarm_id))


async def inspection_of(session: AsyncSession, task_id: uuid.UUID) -> InspectionRecord | None:
    return await session.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task_id))


async def list_tasks(
    session: AsyncSession,
    *,
    status: str | None,
    since: datetime | None,
    county: str | None,
    limit: int,
) -> Sequence[EnforcementTask]:
    """Oldest change first, so a client that remembers the last `updated_at` it saw can page with `since`."""
    query = select(EnforcementTask)
    if status is not None:
        query = query.where(EnforcementTask.status == status)
    if since is not None:
        query = query.where(EnforcementTask.updated_at > since)
    if county is not None:
        query = query.where(EnforcementTask.county == county)
    query = query.order_by(EnforcementTask.updated_at, EnforcementTask.id).limit(limit)
    return (await session.scalars(query)).all()
