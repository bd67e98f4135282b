"""Queries of acceptance applications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.application.models import Application

__all__ = ["add", "get", "get_for_update"]


async def get(session: AsyncSession, ps_id: str) -> Application | None:
    return await session.scalar(select(Application).where(Application.ps_id == ps_id))


async def get_for_update(session: AsyncSession, ps_id: str) -> Application | None:
    """The row locked for this transaction, so two concurrent steps of one application cannot interleave."""
    return await session.scalar(select(Application).where(Application.ps_id == ps_id).with_for_update())


async def add(session: AsyncSession, application: Application) -> None:
    session.add(application)
    await session.flush()
