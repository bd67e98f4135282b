"""Queries of declarations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.declarations.models import Declaration

__all__ = ["add", "covering", "get", "get_for_update", "list_declarations", "of_alarm"]


async def add(session: AsyncSession, declaration: Declaration) -> None:
    session.add(declaration)
    await session.flush()


async def get(session: AsyncSession, declaration_id: uuid.UUID) -> Declaration | None:
    return await session.get(Declaration, declaration_id)


async def get_for_update(session: AsyncSession, declaration_id: uuid.UUID) -> Declaration | None:
    query = (
        select(Declaration)
        .where(Declaration.id == declaration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def of_alarm(
    session: AsyncSession, alarm_id: uuid.UUID, *, covered_by: uuid.UUID | None
) -> Sequence[Declaration]:
    """The after-declarations of an alarm and the pre-declaration that covers it, oldest first."""
    condition = Declaration.alarm_id == alarm_id
    if covered_by is not None:
        condition = condition | (Declaration.id == covered_by)
    query = select(Declaration).where(condition).order_by(Declaration.created_at, Declaration.id)
    return (await session.scalars(query)).all()


async def covering(
    session: AsyncSession, *, ps_id: str, facility_ids: Sequence[str], starts_at: datetime, ends_at: datetime
) -> Declaration | None:
    """An approved pre-declaration of one of the facilities whose window holds [starts_at, ends_at]."""
    query = (
        select(Declaration)
        .where(
            Declaration.ps_id == ps_id,
            Declaration.kind == "before",
            Declaration.status == "approved",
            Declaration.facility_id.in_(facility_ids),
            Declaration.starts_at <= starts_at,
            Declaration.ends_at >= ends_at,
        )
        .order_by(Declaration.decided_at, Declaration.id)
        .limit(1)
    )
    return await session.scalar(query)


async def list_declarations(
    session: AsyncSession,
    *,
    kind: str | None,
    status: str | None,
    ps_id: str | None,
    county: str | None,
    limit: int,
    offset: int,
) -> Sequence[Declaration]:
    query = select(Declaration)
    for column, value in (
        (Declaration.kind, kind),
        (Declaration.status, status),
        (Declaration.ps_id, ps_id),
        (Declaration.county, county),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Declaration.created_at.asc(), Declaration.id).limit(limit).offset(offset)
    return (await session.scalars(query)).all()
