"""Queries of the security slice (SQLAlchemy, HTTP side)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.security.models import SecurityEvent

__all__ = ["recent"]


async def recent(session: AsyncSession, *, mn: str | None, ps_id: str | None, limit: int) -> Sequence[SecurityEvent]:
    stmt = select(SecurityEvent).order_by(SecurityEvent.at.desc()).limit(limit)
    if mn is not None:
        stmt = stmt.where(SecurityEvent.mn == mn)
    if ps_id is not None:
        stmt = stmt.where(SecurityEvent.ps_id == ps_id)
    return (await session.execute(stmt)).scalars().all()
