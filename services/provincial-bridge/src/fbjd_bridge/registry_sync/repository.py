"""Queries of bridge.registry_items and bridge.registry_state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.registry_sync.models import REGISTRY_SEQ, RegistryItem, RegistryState

__all__ = [
    "digests",
    "items_since",
    "latest_seq",
    "live_items",
    "lock_refresh",
    "mark_deleted",
    "refreshed_at",
    "set_refreshed",
    "upsert",
]

_LOCK_CLASS, _LOCK_OBJECT = 0x62726467, 100  # "brdg", registry refresh
_STATE = "registry"


async def lock_refresh(session: AsyncSession) -> None:
    """One refresh at a time (held until the transaction ends): seqs then commit in the order they are taken."""
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, _LOCK_OBJECT)))


async def refreshed_at(session: AsyncSession) -> datetime | None:
    state = await session.get(RegistryState, _STATE)
    return None if state is None else state.refreshed_at


async def set_refreshed(session: AsyncSession, *, at: datetime) -> None:
    statement = insert(RegistryState).values(name=_STATE, refreshed_at=at)
    await session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"refreshed_at": at}))


async def digests(session: AsyncSession) -> dict[tuple[str, str], tuple[str, bool]]:
    """(kind, id) → (digest, deleted) of every item ever served."""
    rows = await session.execute(
        select(RegistryItem.kind, RegistryItem.item_id, RegistryItem.digest, RegistryItem.deleted)
    )
    return {(kind, item_id): (digest, deleted) for kind, item_id, digest, deleted in rows}


async def upsert(
    session: AsyncSession, *, kind: str, item_id: str, ps_id: str, digest: str, body: dict[str, Any], at: datetime
) -> None:
    values = {
        "kind": kind,
        "item_id": item_id,
        "ps_id": ps_id,
        "digest": digest,
        "body": body,
        "seq": REGISTRY_SEQ.next_value(),
        "deleted": False,
        "changed_at": at,
    }
    statement = insert(RegistryItem).values(**values)
    changed = {key: statement.excluded[key] for key in ("ps_id", "digest", "body", "seq", "deleted", "changed_at")}
    await session.execute(statement.on_conflict_do_update(index_elements=["kind", "item_id"], set_=changed))


async def mark_deleted(session: AsyncSession, *, kind: str, item_id: str, at: datetime) -> None:
    await session.execute(
        update(RegistryItem)
        .where(RegistryItem.kind == kind, RegistryItem.item_id == item_id)
        .values(deleted=True, seq=REGISTRY_SEQ.next_value(), changed_at=at)
    )


async def latest_seq(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(RegistryItem.seq), 0))) or 0)


async def live_items(session: AsyncSession) -> Sequence[RegistryItem]:
    query = select(RegistryItem).where(RegistryItem.deleted.is_(False)).order_by(RegistryItem.seq)
    return (await session.scalars(query)).all()


async def items_since(session: AsyncSession, seq: int) -> Sequence[RegistryItem]:
    query = select(RegistryItem).where(RegistryItem.seq > seq).order_by(RegistryItem.seq)
    return (await session.scalars(query)).all()
