"""Storing a version of a record: newer versions replace older ones, the same or an older version is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.province.payload import endpoint_of
from fbjd_bridge.records import repository
from fbjd_bridge.records.models import Record
from fbjd_bridge.records.schemas import AbnormalIn

__all__ = ["store"]


def _fill(row: Record, record: AbnormalIn, *, at: datetime) -> None:
    row.version = record.version
    row.type = record.type
    row.endpoint = endpoint_of(record.type).value
    row.status = record.status
    row.ps_id = record.ps_id
    row.start_at = record.start
    row.end_at = record.end
    row.record = record.as_json()
    row.updated_at = at


async def store(session: AsyncSession, record: AbnormalIn, *, at: datetime) -> tuple[Record, bool]:
    """The stored row and whether this version was new (False: the same or a newer version is already here).

    Two first versions of one record arriving at once: the second insert fails at commit and is answered 409;
    the sender (the rules' outbox) tries again and then finds the row.
    """
    row = await repository.get_for_update(session, record.id)
    if row is not None:
        if record.version <= row.version:
            return row, False
        _fill(row, record, at=at)
        await session.flush()
        return row, True
    row = Record(id=record.id, received_at=at)
    _fill(row, record, at=at)
    await repository.add(session, row)
    return row, True
