"""Queries of timers. `claim_due` is the heart of "never fire twice": FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.timers.models import Timer

__all__ = ["add", "cancel", "claim_due", "of_alarm", "postpone"]


async def add(session: AsyncSession, timer: Timer) -> None:
    session.add(timer)
    await session.flush()


async def claim_due(session: AsyncSession, *, at: datetime) -> Timer | None:
    """The oldest due timer nobody else holds, locked until this transaction ends; None when none is due.

    A timer locked by another process is skipped, not waited for; once that process commits it carries
    `fired_at` and no longer matches.
    """
    query = (
        select(Timer)
        .where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.due_at <= at)
        .order_by(Timer.due_at, Timer.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def cancel(session: AsyncSession, *, alarm_id: uuid.UUID, kinds: Sequence[str], at: datetime) -> None:
    """Cancel the alarm's pending timers of these kinds, skipping any a poller holds right now.

    Skipping (not waiting) keeps the lock order one-way — a poller holds a timer and waits for the alarm,
    a user holds the alarm and never waits for a timer — so the two cannot deadlock. A timer skipped here
    fires after this transaction commits, re-checks the alarm under its lock and does nothing.
    """
    pending = (
        select(Timer.id)
        .where(
            Timer.alarm_id == alarm_id,
            Timer.kind.in_(kinds),
            Timer.fired_at.is_(None),
            Timer.cancelled_at.is_(None),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    await session.execute(update(Timer).where(Timer.id.in_(pending)).values(cancelled_at=at))


async def postpone(session: AsyncSession, *, timer_id: uuid.UUID, due_at: datetime, error: str) -> None:
    """After a failed firing (in a fresh transaction): try again later, keeping the error."""
    statement = (
        update(Timer)
        .where(Timer.id == timer_id, Timer.fired_at.is_(None))
        .values(due_at=due_at, attempts=Timer.attempts + 1, last_error=error[:2000])
    )
    await session.execute(statement)


async def of_alarm(session: AsyncSession, alarm_id: uuid.UUID) -> Sequence[Timer]:
    query = select(Timer).where(Timer.alarm_id == alarm_id).order_by(Timer.due_at, Timer.id)
    return (await session.scalars(query)).all()
