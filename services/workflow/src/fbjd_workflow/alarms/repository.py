"""Queries of alarms and their events."""

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

from fbjd_workflow.alarms.models import Alarm, AlarmEvent
from fbjd_workflow.audit.chain import event_hash, normalised
from fbjd_workflow.audit.contents import alarm_event_content

__all__ = [
    "AlarmFilter",
    "add_event",
    "count_alarms",
    "count_open",
    "coverable",
    "events_of",
    "get",
    "get_for_update",
    "insert_if_absent",
    "latest_of_enterprise",
    "list_alarms",
]


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    """What a list asks for, scope included (an enterprise's ps_id, a county user's county)."""

    stages: Sequence[str] = ()
    ps_id: str | None = None
    county: str | None = None
    scope_ps_id: str | None = None
    scope_county: str | None = None
    types: Sequence[str] = ()
    grades: Sequence[str] = ()
    industry: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    name_contains: str | None = None  # a substring of the enterprise's name (q)
    oldest_first: bool = False
    limit: int = 100
    offset: int = 0


async def get(session: AsyncSession, alarm_id: uuid.UUID) -> Alarm | None:
    return await session.get(Alarm, alarm_id)


async def get_for_update(session: AsyncSession, alarm_id: uuid.UUID) -> Alarm | None:
    """The alarm with its row locked until commit: two reviewers (or a reviewer and a timer) queue here."""
    query = select(Alarm).where(Alarm.id == alarm_id).with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a new alarm unless its id exists (a concurrent delivery of the same record): True if inserted."""
    statement = insert(Alarm).values(**values).on_conflict_do_nothing(index_elements=["id"]).returning(Alarm.id)
    inserted = (await session.execute(statement)).scalar_one_or_none()
    return inserted is not None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(f: AlarmFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.stages:
        conditions.append(Alarm.stage.in_(f.stages))
    for column, value in (
        (Alarm.ps_id, f.ps_id),
        (Alarm.ps_id, f.scope_ps_id),
        (Alarm.county, f.county),
        (Alarm.county, f.scope_county),
        (Alarm.industry, f.industry),
    ):
        if value is not None:
            conditions.append(column == value)
    if f.types:
        conditions.append(Alarm.type.in_(f.types))
    if f.grades:
        conditions.append(Alarm.grade.in_(f.grades))
    if f.started_from is not None:
        conditions.append(Alarm.started_at >= f.started_from)
    if f.started_to is not None:
        conditions.append(Alarm.started_at < f.started_to)
    if f.name_contains:
        conditions.append(Alarm.enterprise_name.ilike(f"%{_escape_like(f.name_contains)}%", escape="\\"))
    return conditions


async def list_alarms(session: AsyncSession, f: AlarmFilter) -> Sequence[Alarm]:
    """Newest first, or oldest first for a work queue (by when the alarm reached its stage)."""
    order = (
        (Alarm.stage_changed_at.asc(), Alarm.received_at.asc(), Alarm.id.asc())
        if f.oldest_first
        else (Alarm.received_at.desc(), Alarm.id.desc())
    )
    query = select(Alarm).where(*_conditions(f)).order_by(*order).limit(f.limit).offset(f.offset)
    return (await session.scalars(query)).all()


async def count_alarms(session: AsyncSession, f: AlarmFilter) -> int:
    """How many alarms match the filter, whatever its limit and offset (the list's X-Total-Count)."""
    query = select(func.count()).select_from(Alarm).where(*_conditions(f))
    return int(await session.scalar(query) or 0)


async def add_event(session: AsyncSession, alarm: Alarm, event: AlarmEvent) -> None:
    """Append `event` to the alarm's hash chain: the alarm row is locked (a no-op when the caller holds it), so
    two transactions never link to the same predecessor."""
    head = (
        await session.execute(select(Alarm.event_count, Alarm.head_hash).where(Alarm.id == alarm.id).with_for_update())
    ).one()
    event.id = event.id or new_id()
    event.seq, event.prev_hash = head.event_count + 1, head.head_hash
    event.detail = normalised(event.detail or {})
    event.hash = event_hash(alarm_event_content(event), event.prev_hash)
    alarm.event_count, alarm.head_hash = event.seq, event.hash
    session.add(event)
    await session.flush()


async def events_of(session: AsyncSession, alarm_id: uuid.UUID) -> Sequence[AlarmEvent]:
    """In the order they were written (their place in the chain)."""
    query = select(AlarmEvent).where(AlarmEvent.alarm_id == alarm_id).order_by(AlarmEvent.seq)
    return (await session.scalars(query)).all()


async def coverable(
    session: AsyncSession,
    *,
    ps_id: str,
    facility_id: str,
    starts_at: datetime,
    ends_at: datetime,
    stages: Sequence[str],
) -> Sequence[Alarm]:
    """Alarms of one facility lying wholly inside a declared window, in the given stages, locked for update."""
    query = (
        select(Alarm)
        .where(
            Alarm.ps_id == ps_id,
            (Alarm.production_facility_id == facility_id) | (Alarm.treatment_facility_id == facility_id),
            Alarm.started_at >= starts_at,
            Alarm.ended_at <= ends_at,
            Alarm.stage.in_(stages),
        )
        .order_by(Alarm.id)
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def count_open(session: AsyncSession, *, ps_id: str, stages: Sequence[str]) -> dict[str, Any]:
    """Per stage the number of the enterprise's alarms, and the nearest self-check deadline."""
    rows = (
        await session.execute(
            select(Alarm.stage, func.count(), func.min(Alarm.self_check_deadline))
            .where(Alarm.ps_id == ps_id, Alarm.stage.in_(stages))
            .group_by(Alarm.stage)
        )
    ).all()
    return {stage: (count, deadline) for stage, count, deadline in rows}


async def latest_of_enterprise(session: AsyncSession, ps_id: str) -> Alarm | None:
    query = select(Alarm).where(Alarm.ps_id == ps_id).order_by(Alarm.received_at.desc()).limit(1)
    return await session.scalar(query)
