"""Queries of the county's audits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.review.models import PlatformAudit, SiteAudit

__all__ = ["add", "platform_audit", "site_audit"]


async def platform_audit(session: AsyncSession, *, ps_id: str, round_: int) -> PlatformAudit | None:
    query = select(PlatformAudit).where(PlatformAudit.ps_id == ps_id, PlatformAudit.round == round_)
    return await session.scalar(query)


async def site_audit(session: AsyncSession, *, ps_id: str, round_: int) -> SiteAudit | None:
    return await session.scalar(select(SiteAudit).where(SiteAudit.ps_id == ps_id, SiteAudit.round == round_))


async def add(session: AsyncSession, row: PlatformAudit | SiteAudit) -> None:
    session.add(row)
    await session.flush()
