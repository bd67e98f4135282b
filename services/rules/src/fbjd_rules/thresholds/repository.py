"""Queries of rules.threshold_proposals."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.thresholds.models import ThresholdProposal

__all__ = ["add", "get", "listing", "supersede"]


async def get(session: AsyncSession, proposal_id: uuid.UUID) -> ThresholdProposal | None:
    return await session.get(ThresholdProposal, proposal_id, with_for_update=True)


async def add(session: AsyncSession, proposal: ThresholdProposal) -> None:
    session.add(proposal)
    await session.flush()


async def supersede(session: AsyncSession, *, point_id: str) -> None:
    """The point's pending proposal gives way to a newer one."""
    await session.execute(
        update(ThresholdProposal)
        .where(ThresholdProposal.point_id == point_id, ThresholdProposal.status == "proposed")
        .values(status="superseded")
    )


async def listing(
    session: AsyncSession, *, ps_id: str | None, county: str | None, status: str | None, limit: int, offset: int
) -> Sequence[ThresholdProposal]:
    conditions = []
    for column, value in (
        (ThresholdProposal.ps_id, ps_id),
        (ThresholdProposal.county, county),
        (ThresholdProposal.status, status),
    ):
        if value is not None:
            conditions.append(column == value)
    query = (
        select(ThresholdProposal)
        .where(*conditions)
        .order_by(ThresholdProposal.created_at.desc(), ThresholdProposal.id)
        .limit(limit)
        .offset(offset)
    )
    return (await session.scalars(query)).all()
