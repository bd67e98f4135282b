"""The province's reads, assembled from the records, the outbox and the dispositions.

Paging by `since` is inclusive (`>=`): the item at the boundary comes again and the reader dedupes by id
(and version), which is simpler and safer than an exclusive bound that loses items sharing a timestamp.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.dispositions import repository as dispositions_repository
from fbjd_bridge.dispositions import service as dispositions
from fbjd_bridge.dispositions.schemas import DispositionOut
from fbjd_bridge.outbox import repository as outbox_repository
from fbjd_bridge.outbox.repository import PushState
from fbjd_bridge.read_api.schemas import AbnormalPage, DispositionPage, ProvinceAbnormalOut, PushLabel, PushOut
from fbjd_bridge.records import repository as records_repository

__all__ = ["abnormals_since", "dispositions_since"]


def _push_state(state: PushState | None, version: int) -> PushLabel:
    if state is None:
        return "not_pushed"
    if state.pending:
        return "pending"
    if state.dead and (state.sent_version is None or state.sent_version < version):
        return "dead_letter"
    return "not_pushed" if state.sent_version is None else "sent"


def _push(endpoint: str, state: PushState | None, version: int, sent_item: dict[str, Any] | None) -> PushOut:
    return PushOut(
        state=_push_state(state, version),
        endpoint=endpoint,
        sent_version=None if state is None else state.sent_version,
        sent_at=None if state is None else state.sent_at,
        sent_item=sent_item,
    )


async def abnormals_since(session: AsyncSession, *, since: datetime | None, limit: int) -> AbnormalPage:
    rows = list(await records_repository.changed_since(session, since=since, limit=limit))
    ids = [row.id for row in rows]
    states = await outbox_repository.push_states(session, ids)
    sent = await outbox_repository.last_sent_bodies(session, ids)
    by_alarm: dict[object, list[DispositionOut]] = defaultdict(list)
    for disposition in await dispositions_repository.of_alarms(session, ids):
        by_alarm[disposition.alarm_id].append(dispositions.out(disposition))
    items = [
        ProvinceAbnormalOut(
            id=row.id,
            version=row.version,
            type=row.type,
            status=row.status,
            ps_id=row.ps_id,
            record=row.record,
            push=_push(row.endpoint, states.get(row.id), row.version, sent[row.id].body if row.id in sent else None),
            dispositions=by_alarm[row.id],
            updated_at=row.updated_at,
        )
        for row in rows
    ]
    return AbnormalPage(items=items, next_since=rows[-1].updated_at if rows else since)


async def dispositions_since(session: AsyncSession, *, since: datetime | None, limit: int) -> DispositionPage:
    rows = await dispositions_repository.received_since(session, since=since, limit=limit)
    return DispositionPage(
        items=[dispositions.out(row) for row in rows], next_since=rows[-1].received_at if rows else since
    )
