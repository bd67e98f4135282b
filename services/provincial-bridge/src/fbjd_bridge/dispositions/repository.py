"""Queries of bridge.dispositions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.dispositions.models import Disposition

__all__ = ["insert_once", "of_alarms", "received_since"]


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless this (alarm, stage) is already here; True when it was new."""
    statement = (
        insert(Disposition)
        .values(**values)
        .on_conflict_do_nothing(constraint="uq_dispositions_alarm_id_stage")
        .returning(Disposition.id)
    )
    return (await session.scalar(statement)) is not None


async def received_since(session: AsyncSession, *, since: datetime | None, limit: int) -> Sequence[Disposition]:
    query = select(Disposition).order_by(Disposition.received_at, Disposition.id).limit(limit)
    if since is not None:
        query = query.where(Disposition.received_at >= since)
    return (await session.scalars(query)).all()


async def of_alarms(session: AsyncSession, alarm_ids: Sequence[uuid.UUID]) -> Sequence[Disposition]:
    if not alarm_ids:
        return []
    query = select(Disposition).where(Disposition.alarm_id.in_(list(alarm_ids))).order_by(Disposition.at)
    return (await session.scalars(query)).all()
