"""HTTP: consumption per enterprise or point, by day, month or year, within the caller's scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep

from fbjd_ingest.access import Reader, scope_of
from fbjd_ingest.consumption import repository
from fbjd_ingest.consumption.schemas import (
    ConsumptionOut,
    ConsumptionRow,
    Group,
    GroupSumRow,
    GroupSumsIn,
    GroupSumsOut,
    Period,
)
from fbjd_ingest.errors import IngestError

__all__ = ["router"]

router = APIRouter(tags=["consumption"])

MAX_DAYS = {Period.DAY: 400, Period.MONTH: 3700, Period.YEAR: 3700}


def _first_of(period: Period, day: date) -> date:
    if period is Period.MONTH:
        return day.replace(day=1)
    if period is Period.YEAR:
        return day.replace(month=1, day=1)
    return day


def _check_span(start: date, end: date, period: Period) -> None:
    if end < start:
        raise IngestError("end must not be before start", status=422)
    if end - start > timedelta(days=MAX_DAYS[period]):
        raise IngestError(f"a {period.value} query covers at most {MAX_DAYS[period]} days", status=422)


@router.get(
    "/consumption",
    response_model=ConsumptionOut,
    summary="Electricity consumption (kWh) by day, month or year, per enterprise or per point",
    description=(
        "From the per-point daily and monthly rollups (kept current on insert, late data included; never the "
        "raw readings). `start` and `end` are CST calendar days, both included; with period=month or year the "
        "periods that contain them are reported whole. Scope: an enterprise sees its own psId, a county the "
        "enterprises with devices in its county; ps_id / point_id narrow further."
    ),
)
async def get_consumption(
    session: SessionDep,
    principal: Reader,
    start: Annotated[date, Query(description="first CST day (YYYY-MM-DD), included")],
    end: Annotated[date, Query(description="last CST day (YYYY-MM-DD), included")],
    period: Annotated[Period, Query(description="day, month or year")] = Period.DAY,
    group: Annotated[Group, Query(description="enterprise (sum of its points) or point")] = Group.ENTERPRISE,
    ps_id: Annotated[list[str] | None, Query(description="only these enterprises (repeatable)")] = None,
    point_id: Annotated[list[str] | None, Query(description="only these points (repeatable)")] = None,
) -> ConsumptionOut:
    _check_span(start, end, period)
    own, county = scope_of(principal)
    rows = await repository.consumption(
        session,
        period=period,
        group=group,
        first=_first_of(period, start),
        last=end,
        ps_ids=ps_id,
        points=point_id,
        own=own,
        county=county,
    )
    return ConsumptionOut(
        period=period,
        group=group,
        rows=[
            ConsumptionRow(ps_id=r.ps_id, point_id=r.point_id, period_start=r.period_start, kwh=round(r.kwh, 3))
            for r in rows
        ],
    )


@router.post(
    "/consumption/groups",
    response_model=GroupSumsOut,
    summary="Electricity consumption (kWh) of named groups of enterprises, by day, month or year",
    description=(
        "The caller names the groups (the web groups the registry's enterprises by industry or county) and "
        "ingest sums the enterprise rollups in SQL: one row per group and period. A read, sent as POST because "
        "a city's psIds do not fit in a URL. Scope as for GET /consumption: enterprises outside the caller's "
        "scope count for nothing."
    ),
)
async def post_group_sums(session: SessionDep, principal: Reader, query: GroupSumsIn) -> GroupSumsOut:
    _check_span(query.start, query.end, query.period)
    own, county = scope_of(principal)
    rows = await repository.group_sums(
        session,
        period=query.period,
        first=_first_of(query.period, query.start),
        last=query.end,
        groups={name: list(members) for name, members in query.groups.items()},
        own=own,
        county=county,
    )
    return GroupSumsOut(
        period=query.period,
        rows=[GroupSumRow(group=r.grp, period_start=r.period_start, kwh=round(r.kwh, 3)) for r in rows],
    )
