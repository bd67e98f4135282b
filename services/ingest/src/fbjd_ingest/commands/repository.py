"""Queries of the commands slice (SQLAlchemy, HTTP side)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.commands.models import Command

__all__ = ["by_qn", "recent"]


async def recent(session: AsyncSession, *, mn: str, limit: int) -> Sequence[Command]:
    stmt = select(Command).where(Command.mn == mn).order_by(Command.sent_at.desc(), Command.qn.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def by_qn(session: AsyncSession, *, mn: str, qn: str) -> Command | None:
    stmt = select(Command).where(Command.mn == mn, Command.qn == qn)
    return (await session.execute(stmt)).scalar_one_or_none()
