"""Queries of the quarantine slice (SQLAlchemy, HTTP side)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.quarantine.models import QuarantinedPacket

__all__ = ["groups", "latest", "total_waiting"]

_Q = QuarantinedPacket


async def groups(
    session: AsyncSession, *, reason: str | None, limit: int
) -> Sequence[Row[str, str, int, datetime, datetime, Sequence[Any], Sequence[Any]]]:
    """Waiting packets grouped by MN and reason, most recent first."""
    stmt = (
        select(
            _Q.mn,
            _Q.reason,
            func.count().label("packets"),
            func.min(_Q.received_at).label("first_received_at"),
            func.max(_Q.received_at).label("last_received_at"),
            func.array_agg(func.distinct(_Q.peer)).label("peers"),
            func.array_agg(func.distinct(_Q.cn)).label("cns"),
        )
        .where(_Q.adopted_at.is_(None))
        .group_by(_Q.mn, _Q.reason)
        .order_by(func.max(_Q.received_at).desc())
        .limit(limit)
    )
    if reason is not None:
        stmt = stmt.where(_Q.reason == reason)
    return (await session.execute(stmt)).all()


async def total_waiting(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(_Q).where(_Q.adopted_at.is_(None))
    return int((await session.execute(stmt)).scalar_one())


async def latest(
    session: AsyncSession, *, mn: str, reason: str | None, limit: int, waiting_only: bool = True
) -> Sequence[QuarantinedPacket]:
    stmt = select(_Q).where(_Q.mn == mn).order_by(_Q.received_at.desc(), _Q.id.desc()).limit(limit)
    if waiting_only:
        stmt = stmt.where(_Q.adopted_at.is_(None))
    if reason is not None:
        stmt = stmt.where(_Q.reason == reason)
    return (await session.execute(stmt)).scalars().all()
