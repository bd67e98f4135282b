"""Queries of dossier sections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.dossier.models import DossierSectionRow

__all__ = ["add", "get", "list_for"]


async def get(session: AsyncSession, *, ps_id: str, section: str) -> DossierSectionRow | None:
    query = select(DossierSectionRow).where(DossierSectionRow.ps_id == ps_id, DossierSectionRow.section == section)
    return await session.scalar(query.with_for_update())


async def list_for(session: AsyncSession, ps_id: str) -> Sequence[DossierSectionRow]:
    return (await session.scalars(select(DossierSectionRow).where(DossierSectionRow.ps_id == ps_id))).all()


async def add(session: AsyncSession, row: DossierSectionRow) -> None:
    session.add(row)
    await session.flush()
