"""Storing a county platform's reports: one record per continuous abnormal of a point, as the province merges.

A report whose span overlaps or touches (end = next start) an open record of the same endpoint, enterprise and
point is merged into it: start the earliest, end the latest, the other fields from the latest report, exDay the
date of the end. So a re-sent report (the same psId, point and exTimeStart) or an extended one updates the
record and never doubles it. A report that bridges two held records merges them: the one that started first
keeps its id, the other becomes `merged` (its city alarm is withdrawn, the kept alarm carries the whole span).

A change raises the record's version and makes it due for the workflow (the row is its own outbox entry, in
the same transaction); a report that changes nothing (the same report again) only counts as a report.

The records are **not** pushed on to the province from here: a county's record becomes a city alarm, and the
city's disposition decides what the province hears of it (DESIGN "Disposition workflow").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.county import repository
from fbjd_bridge.county.models import CountyReport
from fbjd_bridge.county.scope import Enterprise
from fbjd_bridge.county.validation import CountyItem
from fbjd_bridge.province.payload import ex_day, province_time

__all__ = ["NAMESPACE", "Stored", "record_id", "store_all"]

#: uuid5 namespace of county records (the ids of their city alarms); fixed for ever.
NAMESPACE = uuid.UUID("6f1d3c1e-5b0a-4c43-9d7e-0c0b7a1f2e61")

Applied = Literal["created", "updated", "duplicate"]


@dataclass(frozen=True, slots=True)
class Stored:
    id: uuid.UUID
    version: int
    applied: Applied


def record_id(item: CountyItem) -> uuid.UUID:
    """The deterministic id of the record this report opens: (endpoint, psId, point, exTimeStart)."""
    return uuid.uuid5(NAMESPACE, f"{item.endpoint.value}|{item.ps_id}|{item.point}|{item.item['exTimeStart']}")


def _context(item: CountyItem, enterprise: Enterprise) -> dict[str, Any]:
    treatment = item.treatment_facility_id
    return {
        "enterprise_name": enterprise.name,
        "industry": enterprise.industry,
        "production_facility_name": enterprise.facilities.get(item.production_facility_id, ""),
        "treatment_facility_name": None if treatment is None else enterprise.facilities.get(treatment),
    }


def _merged_item(item: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """The latest report with the record's whole span (as the province shows a merged record)."""
    return {**item, "exTimeStart": province_time(start), "exTimeEnd": province_time(end), "exDay": ex_day(end)}


def _due(row: CountyReport) -> None:
    row.attempts = 0
    row.next_attempt_at = None


async def _create(session: AsyncSession, item: CountyItem, enterprise: Enterprise, *, by: str, at: datetime) -> Stored:
    row = CountyReport(
        id=record_id(item),
        endpoint=item.endpoint.value,
        ps_id=item.ps_id,
        county=enterprise.county,
        point=item.point,
        start_at=item.start,
        end_at=item.end,
        item=dict(item.item),
        context=_context(item, enterprise),
        status="open",
        merged_into=None,
        reports=1,
        version=1,
        reported_by=by,
        received_at=at,
        updated_at=at,
        delivered_version=0,
        attempts=0,
    )
    await repository.add(session, row)
    return Stored(row.id, 1, "created")


async def _merge(
    held: list[CountyReport], item: CountyItem, enterprise: Enterprise, *, by: str, at: datetime
) -> Stored:
    keeper, *absorbed = held
    start = min([item.start, *(row.start_at for row in held)])
    end = max([item.end, *(row.end_at for row in held)])
    merged = _merged_item(item.item, start, end)
    context = _context(item, enterprise)
    changed = bool(absorbed) or (start, end, merged, context) != (
        keeper.start_at,
        keeper.end_at,
        keeper.item,
        keeper.context,
    )
    keeper.reports += 1 + sum(row.reports for row in absorbed)
    for row in absorbed:
        row.status, row.merged_into = "merged", keeper.id
        row.version += 1
        row.updated_at = at
        _due(row)
    if not changed:
        return Stored(keeper.id, keeper.version, "duplicate")
    keeper.start_at, keeper.end_at, keeper.item, keeper.context = start, end, merged, context
    keeper.county = enterprise.county
    keeper.version += 1
    keeper.reported_by = by
    keeper.updated_at = at
    _due(keeper)
    return Stored(keeper.id, keeper.version, "updated")


async def store(
    session: AsyncSession, item: CountyItem, enterprise: Enterprise, *, principal: Principal, at: datetime
) -> Stored:
    by = f"{principal.role.value}:{principal.subject}"[:200]
    endpoint = item.endpoint.value
    await repository.lock_point(session, endpoint=endpoint, ps_id=item.ps_id, point=item.point)
    held = list(
        await repository.touching(
            session, endpoint=endpoint, ps_id=item.ps_id, point=item.point, start=item.start, end=item.end
        )
    )
    if not held:
        return await _create(session, item, enterprise, by=by, at=at)
    stored = await _merge(held, item, enterprise, by=by, at=at)
    await session.flush()
    return stored


async def store_all(
    session: AsyncSession,
    items: list[CountyItem],
    enterprises: dict[str, Enterprise],
    *,
    principal: Principal,
    at: datetime,
) -> list[Stored]:
    """Every item of one request, in array order, in the caller's transaction (all or nothing)."""
    return [await store(session, item, enterprises[item.ps_id], principal=principal, at=at) for item in items]
