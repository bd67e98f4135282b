"""Queries of bridge.registry_push, and the registry items waiting beyond a cursor."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.registry_push.models import RegistryPushState
from fbjd_bridge.registry_sync.models import RegistryItem

__all__ = ["count_after", "items_after", "read_state", "state_for_update", "try_lock"]

_LOCK_CLASS, _LOCK_OBJECT = 0x62726467, 200  # "brdg", registry push: one pusher across every bridge process


async def try_lock(session: AsyncSession) -> bool:
    """The pusher's lock for the rest of the transaction; False when another process is pushing."""
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(_LOCK_CLASS, _LOCK_OBJECT))))


async def state_for_update(session: AsyncSession, target: str) -> RegistryPushState:
    """The target's row (made at cursor 0 the first time), locked for the transaction."""
    await session.execute(
        insert(RegistryPushState)
        .values(target=target, cursor=0, pushes=0, consecutive_failures=0)
        .on_conflict_do_nothing(index_elements=["target"])
    )
    query = select(RegistryPushState).where(RegistryPushState.target == target).with_for_update()
    return (await session.scalars(query)).one()


async def read_state(session: AsyncSession, target: str) -> RegistryPushState | None:
    return await session.get(RegistryPushState, target)


async def items_after(session: AsyncSession, cursor: int, *, limit: int) -> Sequence[RegistryItem]:
    query = select(RegistryItem).where(RegistryItem.seq > cursor).order_by(RegistryItem.seq).limit(limit)
    return (await session.scalars(query)).all()


async def count_after(session: AsyncSession, cursor: int) -> int:
    query = select(func.count()).select_from(RegistryItem).where(RegistryItem.seq > cursor)
    return int(await session.scalar(query) or 0)
