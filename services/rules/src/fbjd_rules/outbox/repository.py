"""Queries of rules.outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.outbox.models import OutboxMessage

__all__ = ["add", "mark_failed", "mark_sent", "pending", "pending_count"]


async def add(session: AsyncSession, message: OutboxMessage) -> None:
    session.add(message)
    await session.flush()


async def pending(session: AsyncSession, *, destination: str, now: datetime, limit: int) -> Sequence[OutboxMessage]:
    """Unsent messages to `destination` of the records that have one due, oldest first, locked (other senders
    skip them)."""
    unsent = (OutboxMessage.sent_at.is_(None), OutboxMessage.destination == destination)
    due = (
        select(OutboxMessage.record_id)
        .where(*unsent, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.seq)
        .limit(limit)
        .scalar_subquery()
    )
    query = (
        select(OutboxMessage)
        .where(*unsent, OutboxMessage.record_id.in_(due))
        .order_by(OutboxMessage.seq)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def mark_sent(session: AsyncSession, seqs: Sequence[int], *, at: datetime, outcome: str) -> None:
    if seqs:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.seq.in_(list(seqs))).values(sent_at=at, outcome=outcome)
        )


async def mark_failed(session: AsyncSession, seq: int, *, error: str, retry_at: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.seq == seq)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=retry_at, last_error=error[:2000])
    )


async def pending_count(session: AsyncSession, record_id: uuid.UUID | None = None) -> int:
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    if record_id is not None:
        query = query.where(OutboxMessage.record_id == record_id)
    return int((await session.scalar(query)) or 0)
