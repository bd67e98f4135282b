"""Queries of the change log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes.models import Change

__all__ = ["add", "latest_states", "list_for_enterprise", "timeline"]


async def add(session: AsyncSession, change: Change) -> None:
    session.add(change)
    await session.flush()


async def list_for_enterprise(
    session: AsyncSession, *, ps_id: str, entity: str | None = None, limit: int = 200
) -> Sequence[Change]:
    query = select(Change).where(Change.ps_id == ps_id)
    if entity is not None:
        query = query.where(Change.entity == entity)
    result = await session.scalars(query.order_by(Change.seq.desc()).limit(limit))
    return result.all()


async def latest_states(
    session: AsyncSession, *, ps_id: str | None, entities: Sequence[str], at: datetime
) -> dict[str, list[dict[str, Any]]]:
    """entity → the `new` states of every such entity alive at `at` (the last change at or before `at`).

    `ps_id` None reads the city-wide entities (those logged without an enterprise).
    """
    owner = Change.ps_id.is_(None) if ps_id is None else Change.ps_id == ps_id
    query = (
        select(Change.entity, Change.action, Change.new)
        .where(owner, Change.entity.in_(entities), Change.at <= at)
        .order_by(Change.entity, Change.entity_id, Change.at.desc(), Change.seq.desc())
        .ext(distinct_on(Change.entity, Change.entity_id))
    )
    states: dict[str, list[dict[str, Any]]] = {entity: [] for entity in entities}
    for entity, action, new in (await session.execute(query)).all():
        if action != "delete" and new is not None:
            states[entity].append(new)
    return states


async def timeline(
    session: AsyncSession, *, ps_id: str, entity: str, start: datetime, end: datetime
) -> list[tuple[str, datetime, dict[str, Any] | None]]:
    """(entity id, at, state or None when deleted) of every `entity` of the enterprise that shaped [start, end):
    the last change at or before `start` of each, and every change inside (start, end), in log order."""
    mine = (Change.ps_id == ps_id, Change.entity == entity)
    before = (
        select(Change.entity_id, Change.at, Change.seq, Change.action, Change.new)
        .where(*mine, Change.at <= start)
        .order_by(Change.entity_id, Change.at.desc(), Change.seq.desc())
        .ext(distinct_on(Change.entity_id))
    )
    inside = select(Change.entity_id, Change.at, Change.seq, Change.action, Change.new).where(
        *mine, Change.at > start, Change.at < end
    )
    rows = [*(await session.execute(before)).all(), *(await session.execute(inside)).all()]
    rows.sort(key=lambda row: (row.at, row.seq))
    return [(row.entity_id, row.at, None if row.action == "delete" else row.new) for row in rows]
