"""Queries of bridge.records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.records.models import Record

__all__ = ["add", "changed_since", "get_for_update", "touch"]


async def get_for_update(session: AsyncSession, record_id: uuid.UUID) -> Record | None:
    """The stored record, locked until the transaction ends: two versions of one record arrive one after the
    other, never interleaved."""
    query = select(Record).where(Record.id == record_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def add(session: AsyncSession, record: Record) -> None:
    session.add(record)
    await session.flush()


async def touch(session: AsyncSession, record_id: uuid.UUID, *, at: datetime) -> None:
    """Mark a record as changed for the province's `since` reads (a disposition arrived)."""
    await session.execute(update(Record).where(Record.id == record_id).values(updated_at=at))


async def changed_since(session: AsyncSession, *, since: datetime | None, limit: int) -> Sequence[Record]:
    query = select(Record).order_by(Record.updated_at, Record.id).limit(limit)
    if since is not None:
        query = query.where(Record.updated_at >= since)
    return (await session.scalars(query)).all()
