"""Aggregations for the statistics (统计): counts and stage durations, in SQL, over the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.enforcement.models import EnforcementTask

__all__ = ["StatsScope", "counts", "duration"]


@dataclass(frozen=True, slots=True)
class StatsScope:
    ps_id: str | None = None
    county: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.ps_id is not None:
            conditions.append(Alarm.ps_id == self.ps_id)
        if self.county is not None:
            conditions.append(Alarm.county == self.county)
        if self.received_from is not None:
            conditions.append(Alarm.received_at >= self.received_from)
        if self.received_to is not None:
            conditions.append(Alarm.received_at < self.received_to)
        return conditions


async def counts(session: AsyncSession, scope: StatsScope, *, by: str) -> Sequence[Any]:
    """Rows (key, stage, count) with key = county | industry | type | grade, or (stage, count) for by="stage"."""
    if by == "stage":
        by_stage = select(Alarm.stage, func.count()).where(*scope.conditions()).group_by(Alarm.stage)
        return (await session.execute(by_stage)).all()
    column = {"county": Alarm.county, "industry": Alarm.industry, "type": Alarm.type, "grade": Alarm.grade}[by]
    query = (
        select(column, Alarm.stage, func.count())
        .where(*scope.conditions())
        .group_by(column, Alarm.stage)
        .order_by(column)
    )
    return (await session.execute(query)).all()


async def duration(session: AsyncSession, scope: StatsScope, *, stage: str) -> tuple[int, float | None, float | None]:
    """(count, average minutes, longest minutes) of one stage: enterprise_handling, city_review, inspection."""
    if stage == "inspection":
        minutes = func.extract("epoch", EnforcementTask.completed_at - EnforcementTask.created_at) / 60
        query = (
            select(func.count(), func.avg(minutes), func.max(minutes))
            .select_from(EnforcementTask)
            .join(Alarm, Alarm.id == EnforcementTask.alarm_id)
            .where(EnforcementTask.completed_at.is_not(None), *scope.conditions())
        )
    else:
        start, end = {
            "enterprise_handling": (Alarm.received_at, Alarm.handled_at),
            "city_review": (Alarm.escalated_at, Alarm.reviewed_at),
        }[stage]
        minutes = func.extract("epoch", end - start) / 60
        query = select(func.count(), func.avg(minutes), func.max(minutes)).where(
            start.is_not(None), end.is_not(None), *scope.conditions()
        )
    count, average, longest = (await session.execute(query)).one()
    return int(count), None if average is None else float(average), None if longest is None else float(longest)
