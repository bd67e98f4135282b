"""Queries of rules.enterprise_state and rules.device_state (pending evaluation work, last data per terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.evaluation.models import DeviceState, EnterpriseState

__all__ = [
    "all_enterprises",
    "dirty_enterprises",
    "fail",
    "finish",
    "get",
    "mark_dirty",
    "silent_devices",
    "touch_device",
    "try_lock",
]

_MARK_DIRTY = text(
    """
    INSERT INTO rules.enterprise_state (ps_id, dirty_from, dirty_seq, dirty_since, last_data_at, updated_at)
    VALUES (:ps_id, :start, 1, :now, :last_data_at, :now)
    ON CONFLICT (ps_id) DO UPDATE SET
        dirty_from = LEAST(coalesce(rules.enterprise_state.dirty_from, EXCLUDED.dirty_from), EXCLUDED.dirty_from),
        dirty_seq = rules.enterprise_state.dirty_seq + 1,
        dirty_since = coalesce(rules.enterprise_state.dirty_since, EXCLUDED.dirty_since),
        last_data_at = GREATEST(rules.enterprise_state.last_data_at, EXCLUDED.last_data_at),
        retry_at = NULL,
        updated_at = EXCLUDED.updated_at
    """
)

_TOUCH_DEVICE = text(
    """
    INSERT INTO rules.device_state (mn, ps_id, last_data_at, interval_s, updated_at)
    VALUES (:mn, :ps_id, :last_data_at, coalesce(CAST(:interval_s AS integer), 300), :now)
    ON CONFLICT (mn) DO UPDATE SET
        ps_id = EXCLUDED.ps_id,
        last_data_at = GREATEST(rules.device_state.last_data_at, EXCLUDED.last_data_at),
        interval_s = coalesce(CAST(:interval_s AS integer), rules.device_state.interval_s),
        updated_at = EXCLUDED.updated_at
    """
)


async def mark_dirty(
    session: AsyncSession, *, ps_id: str, start: datetime, now: datetime, last_data_at: datetime | None = None
) -> None:
    """Note that the enterprise's data from `start` on changed (kept until an evaluation has covered it)."""
    await session.execute(_MARK_DIRTY, {"ps_id": ps_id, "start": start, "now": now, "last_data_at": last_data_at})


async def touch_device(
    session: AsyncSession, *, mn: str, ps_id: str, last_data_at: datetime, interval_s: int | None, now: datetime
) -> None:
    await session.execute(
        _TOUCH_DEVICE,
        {"mn": mn, "ps_id": ps_id, "last_data_at": last_data_at, "interval_s": interval_s, "now": now},
    )


async def get(session: AsyncSession, ps_id: str) -> EnterpriseState | None:
    return await session.get(EnterpriseState, ps_id, populate_existing=True)


async def try_lock(session: AsyncSession, ps_id: str) -> bool:
    """A transaction-scoped advisory lock: one evaluation of an enterprise at a time, across processes."""
    locked = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"fbjd-rules:{ps_id}"}
    )
    return bool(locked)


async def dirty_enterprises(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    query = (
        select(EnterpriseState.ps_id)
        .where(EnterpriseState.dirty_from.is_not(None))
        .where((EnterpriseState.retry_at.is_(None)) | (EnterpriseState.retry_at <= now))
        .order_by(EnterpriseState.dirty_since)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def finish(
    session: AsyncSession, *, ps_id: str, seq: int, evaluated_from: datetime, county: str | None, now: datetime
) -> None:
    """Clear the pending window, unless a notification arrived meanwhile (then it stays for the next round)."""
    await session.execute(
        update(EnterpriseState)
        .where(EnterpriseState.ps_id == ps_id)
        .values(
            dirty_from=None,
            dirty_since=None,
            last_evaluated_at=now,
            evaluated_from=evaluated_from,
            county=county,
            last_error=None,
            retry_at=None,
            updated_at=now,
        )
        .where(EnterpriseState.dirty_seq == seq)
    )
    await session.execute(
        update(EnterpriseState)
        .where(EnterpriseState.ps_id == ps_id, EnterpriseState.dirty_seq != seq)
        .values(last_evaluated_at=now, evaluated_from=evaluated_from, county=county, last_error=None, updated_at=now)
    )


async def fail(session: AsyncSession, *, ps_id: str, error: str, retry_at: datetime, now: datetime) -> None:
    await session.execute(
        update(EnterpriseState)
        .where(EnterpriseState.ps_id == ps_id)
        .values(last_error=error[:2000], retry_at=retry_at, updated_at=now)
    )


async def silent_devices(session: AsyncSession, *, now: datetime, intervals: int) -> Sequence[DeviceState]:
    """Terminals that sent nothing for `intervals` of their data interval."""
    query = select(DeviceState).where(
        DeviceState.last_data_at < now - func.make_interval(0, 0, 0, 0, 0, 0, DeviceState.interval_s * intervals)
    )
    return (await session.scalars(query)).all()


async def all_enterprises(session: AsyncSession, *, county: str | None = None) -> list[str]:
    query = select(EnterpriseState.ps_id).order_by(EnterpriseState.ps_id)
    if county is not None:
        query = query.where(EnterpriseState.county == county)
    return list((await session.scalars(query)).all())
