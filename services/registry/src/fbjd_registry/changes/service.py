"""Recording changes, and reading the registry as it was at a past instant.

Every write of every slice goes through `record`: it writes one log row and marks the enterprise as changed,
so that the transaction's edge (`fbjd_registry.edge`) re-runs the audit of that enterprise before commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import repository
from fbjd_registry.changes.models import Change
from fbjd_registry.changes.schemas import ChangeContext, ChangeOut

__all__ = [
    "CHANGED_ENTERPRISES",
    "changed_enterprises",
    "history",
    "record",
    "snapshot",
    "states_at",
    "timeline",
]

log = logging.getLogger(__name__)

CHANGED_ENTERPRISES = "fbjd_registry.changed_enterprises"


def snapshot(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def changed_enterprises(session: AsyncSession) -> set[str]:
    """The psIds changed in this session's transaction (filled by `record`, drained by the edge)."""
    changed: set[str] = session.info.setdefault(CHANGED_ENTERPRISES, set())
    return changed


async def record(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    ps_id: str | None,
    entity: str,
    entity_id: str,
    old: BaseModel | None,
    new: BaseModel | None,
) -> bool:
    """Log one change; an update that changes nothing is not logged (returns False)."""
    before, after = snapshot(old), snapshot(new)
    if before == after:
        return False
    action = "create" if before is None else "delete" if after is None else "update"
    await repository.add(
        session,
        Change(
            ps_id=ps_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            old=before,
            new=after,
            actor=ctx.actor,
            at=ctx.at,
        ),
    )
    if ps_id is not None:
        changed_enterprises(session).add(ps_id)
    log.info("registry change", extra={"ps_id": ps_id, "entity": entity, "entity_id": entity_id, "action": action})
    return True


async def states_at(
    session: AsyncSession, *, ps_id: str | None, entities: Sequence[str], at: datetime
) -> dict[str, list[dict[str, Any]]]:
    return await repository.latest_states(session, ps_id=ps_id, entities=entities, at=at)


async def timeline(
    session: AsyncSession, *, ps_id: str, entity: str, start: datetime, end: datetime
) -> list[tuple[str, datetime, dict[str, Any] | None]]:
    """The states one kind of entity of an enterprise went through over [start, end) (see the repository)."""
    return await repository.timeline(session, ps_id=ps_id, entity=entity, start=start, end=end)


async def history(session: AsyncSession, *, ps_id: str, entity: str | None = None, limit: int = 200) -> list[ChangeOut]:
    rows = await repository.list_for_enterprise(session, ps_id=ps_id, entity=entity, limit=limit)
    return [
        ChangeOut(
            seq=row.seq,
            ps_id=row.ps_id,
            entity=row.entity,
            entity_id=row.entity_id,
            action=row.action,
            old=row.old,
            new=row.new,
            actor=row.actor,
            at=row.at,
        )
        for row in rows
    ]
