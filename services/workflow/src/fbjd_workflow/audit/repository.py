"""The reads of a verification: heads and events per enterprise, in chain order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm, AlarmEvent
from fbjd_workflow.maintenance.models import MaintenanceTicket, TicketEvent

__all__ = ["alarm_events", "alarm_heads", "enterprises", "ticket_events", "ticket_heads"]


async def enterprises(session: AsyncSession, *, ps_id: str | None, county: str | None) -> Sequence[str]:
    """The enterprises with a history in scope (alarms or tickets)."""
    queries = []
    for model in (Alarm, MaintenanceTicket):
        query = select(model.ps_id).distinct()
        if ps_id is not None:
            query = query.where(model.ps_id == ps_id)
        if county is not None:
            query = query.where(model.county == county)
        queries.append(query)
    found: set[str] = set()
    for query in queries:
        found.update((await session.scalars(query)).all())
    return sorted(found)


async def alarm_heads(session: AsyncSession, ps_id: str) -> Sequence[tuple[uuid.UUID, str]]:
    rows = await session.execute(select(Alarm.id, Alarm.head_hash).where(Alarm.ps_id == ps_id).order_by(Alarm.id))
    return [(row.id, row.head_hash) for row in rows]


async def alarm_events(
    session: AsyncSession, *, ps_id: str | None = None, alarm_id: uuid.UUID | None = None
) -> Sequence[AlarmEvent]:
    query = select(AlarmEvent)
    if ps_id is not None:
        query = query.where(AlarmEvent.ps_id == ps_id)
    if alarm_id is not None:
        query = query.where(AlarmEvent.alarm_id == alarm_id)
    return (await session.scalars(query.order_by(AlarmEvent.alarm_id, AlarmEvent.seq))).all()


async def ticket_heads(session: AsyncSession, ps_id: str) -> Sequence[tuple[uuid.UUID, str]]:
    query = select(MaintenanceTicket.id, MaintenanceTicket.head_hash).where(MaintenanceTicket.ps_id == ps_id)
    rows = await session.execute(query.order_by(MaintenanceTicket.id))
    return [(row.id, row.head_hash) for row in rows]


async def ticket_events(
    session: AsyncSession, *, ps_id: str | None = None, ticket_id: uuid.UUID | None = None
) -> Sequence[TicketEvent]:
    query = select(TicketEvent)
    if ps_id is not None:
        query = query.where(TicketEvent.ps_id == ps_id)
    if ticket_id is not None:
        query = query.where(TicketEvent.ticket_id == ticket_id)
    return (await session.scalars(query.order_by(TicketEvent.ticket_id, TicketEvent.seq))).all()
