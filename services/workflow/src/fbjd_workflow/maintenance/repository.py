"""Queries of maintenance tickets and their events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.audit.chain import event_hash, normalised
from fbjd_workflow.audit.contents import ticket_event_content
from fbjd_workflow.maintenance.models import MaintenanceTicket, TicketEvent
from fbjd_workflow.maintenance.states import OPEN_STATUSES

__all__ = [
    "OPEN_FILTER",
    "TicketFilter",
    "add_event",
    "claim_overdue",
    "count_tickets",
    "events_of",
    "get",
    "get_by_finding_for_update",
    "get_for_update",
    "ids_of_enterprise",
    "insert_if_absent",
    "list_tickets",
]


#: `status=open` in a list: every ticket not yet closed (assigned or in progress), the operator's to-do list.
OPEN_FILTER = "open"
_OPEN = sorted(status.value for status in OPEN_STATUSES)


@dataclass(frozen=True, slots=True)
class TicketFilter:
    status: str | None = None  # a Status, or OPEN_FILTER
    ps_id: str | None = None
    county: str | None = None
    kind: str | None = None
    escalated: bool | None = None
    limit: int = 100
    offset: int = 0


async def get(session: AsyncSession, ticket_id: uuid.UUID) -> MaintenanceTicket | None:
    return await session.get(MaintenanceTicket, ticket_id)


async def get_for_update(session: AsyncSession, ticket_id: uuid.UUID) -> MaintenanceTicket | None:
    query = (
        select(MaintenanceTicket)
        .where(MaintenanceTicket.id == ticket_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def get_by_finding_for_update(session: AsyncSession, finding_id: uuid.UUID) -> MaintenanceTicket | None:
    query = (
        select(MaintenanceTicket)
        .where(MaintenanceTicket.finding_id == finding_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> bool:
    """A new ticket unless one for the finding exists (a concurrent delivery): True if inserted now."""
    statement = (
        insert(MaintenanceTicket)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["finding_id"])
        .returning(MaintenanceTicket.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


def _conditions(f: TicketFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.status == OPEN_FILTER:
        conditions.append(MaintenanceTicket.status.in_(_OPEN))
    elif f.status is not None:
        conditions.append(MaintenanceTicket.status == f.status)
    for column, value in (
        (MaintenanceTicket.ps_id, f.ps_id),
        (MaintenanceTicket.county, f.county),
        (MaintenanceTicket.kind, f.kind),
    ):
        if value is not None:
            conditions.append(column == value)
    if f.escalated is not None:
        escalated_at = MaintenanceTicket.escalated_at
        conditions.append(escalated_at.is_not(None) if f.escalated else escalated_at.is_(None))
    return conditions


async def list_tickets(session: AsyncSession, f: TicketFilter) -> Sequence[MaintenanceTicket]:
    """Tickets not yet closed nearest their deadline first; otherwise the newest first."""
    order = (
        (MaintenanceTicket.deadline_at.asc(), MaintenanceTicket.id.asc())
        if f.status is not None and f.status != "closed"
        else (MaintenanceTicket.opened_at.desc(), MaintenanceTicket.id.desc())
    )
    query = select(MaintenanceTicket).where(*_conditions(f)).order_by(*order).limit(f.limit).offset(f.offset)
    return (await session.scalars(query)).all()


async def count_tickets(session: AsyncSession, f: TicketFilter) -> int:
    query = select(func.count()).select_from(MaintenanceTicket).where(*_conditions(f))
    return int(await session.scalar(query) or 0)


async def ids_of_enterprise(session: AsyncSession, ps_id: str) -> Sequence[uuid.UUID]:
    query = select(MaintenanceTicket.id).where(MaintenanceTicket.ps_id == ps_id).order_by(MaintenanceTicket.id)
    return (await session.scalars(query)).all()


async def claim_overdue(session: AsyncSession, *, at: datetime) -> MaintenanceTicket | None:
    """One ticket not yet closed (assigned or in progress) past its deadline, not yet escalated, that no other
    process holds (SKIP LOCKED)."""
    query = (
        select(MaintenanceTicket)
        .where(
            MaintenanceTicket.status.in_(_OPEN),
            MaintenanceTicket.escalated_at.is_(None),
            MaintenanceTicket.deadline_at <= at,
        )
        .order_by(MaintenanceTicket.deadline_at, MaintenanceTicket.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def add_event(session: AsyncSession, ticket: MaintenanceTicket, event: TicketEvent) -> None:
    """Append to the ticket's hash chain, the ticket row locked (see alarms.repository.add_event)."""
    head = (
        await session.execute(
            select(MaintenanceTicket.event_count, MaintenanceTicket.head_hash)
            .where(MaintenanceTicket.id == ticket.id)
            .with_for_update()
        )
    ).one()
    event.id = event.id or new_id()
    event.seq, event.prev_hash = head.event_count + 1, head.head_hash
    event.detail = normalised(event.detail or {})
    event.hash = event_hash(ticket_event_content(event), event.prev_hash)
    ticket.event_count, ticket.head_hash = event.seq, event.hash
    session.add(event)
    await session.flush()


async def events_of(session: AsyncSession, ticket_id: uuid.UUID) -> Sequence[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.seq)
    return (await session.scalars(query)).all()
