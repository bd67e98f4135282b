"""Queries of the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.outbox.models import OutboxMessage

__all__ = ["claim_due", "insert_once", "of_alarm"]


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Queue a message unless one with its dedupe_key exists: True if queued now."""
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def claim_due(session: AsyncSession, *, channels: Sequence[str], at: datetime) -> OutboxMessage | None:
    """The oldest undelivered message due for an attempt that no other sender holds (SKIP LOCKED)."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.channel.in_(channels),
            OutboxMessage.next_attempt_at <= at,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def of_alarm(
    session: AsyncSession, alarm_id: uuid.UUID, *, channel: str | None = None
) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.alarm_id == alarm_id)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    return (await session.scalars(query.order_by(OutboxMessage.created_at, OutboxMessage.id))).all()
