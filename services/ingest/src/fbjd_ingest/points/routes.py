"""HTTP: a point's power curve for charts, and the live state (last power value) of points."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep
from fbjd_core.time import from_cst, now

from fbjd_ingest.access import Reader, scope_of
from fbjd_ingest.errors import IngestError, PointNotFound
from fbjd_ingest.points import repository
from fbjd_ingest.points.schemas import PointLatest, PowerSample, PowerSeries

__all__ = ["router"]

router = APIRouter(prefix="/points", tags=["points"])

MAX_RANGE = timedelta(days=400)


def bucket_seconds(start: datetime, end: datetime, max_samples: int) -> int:
    """Whole minutes, at least one, such that [start, end) holds at most `max_samples` buckets."""
    seconds = (end - start).total_seconds()
    return max(60, math.ceil(seconds / max_samples / 60) * 60)


@router.get(
    "/latest",
    response_model=list[PointLatest],
    summary="Live state of points: the last power value of each (kW), its DataTime and arrival",
    description=(
        "From a small table the writer keeps current in the same transaction as the readings (never a scan of "
        "the readings). Give ps_id (repeatable) and/or point_id (repeatable); an enterprise without either gets "
        "its own points. Points outside the caller's scope are left out. Power where only energy arrives is the "
        "period's consumption (Cou) over the interval, or the difference to the previous register reading."
    ),
)
async def latest(
    session: SessionDep,
    principal: Reader,
    ps_id: Annotated[list[str] | None, Query(description="enterprises (repeatable)")] = None,
    point_id: Annotated[list[str] | None, Query(description="points (repeatable)")] = None,
) -> list[PointLatest]:
    own, county = scope_of(principal)
    if not ps_id and not point_id and principal.role is not Role.ENTERPRISE:
        raise IngestError("give ps_id or point_id (repeatable)", status=422)
    rows = await repository.latest(session, ps_ids=ps_id, points=point_id, own=own, county=county)
    return [
        PointLatest(
            point_id=r.point_id, ps_id=r.ps_id, mn=r.mn, kw=r.kw, data_time=r.data_time, received_at=r.received_at
        )
        for r in rows
    ]


@router.get(
    "/{point_id}/series",
    response_model=PowerSeries,
    summary="Power curve of a point for charts (raw samples, or time buckets with average / min / max)",
    description=(
        "Active power (kW) of a point in [start, end): measured power where it arrives, else derived from energy "
        "(Cou over the interval, or register differences; resets and rollovers never give negative power). "
        "Minute data when the point has any in the range, else real-time data. When there are more than "
        "max_samples values, fixed buckets of step_seconds (whole minutes) are computed in the database, each "
        "with its average, minimum and maximum. Times without an offset are China Standard Time; default: the "
        "last 24 hours; at most 400 days. An unknown point, or one outside the caller's scope, answers 404."
    ),
)
async def series(
    point_id: str,
    session: SessionDep,
    principal: Reader,
    start: Annotated[datetime | None, Query(description="from (inclusive); no offset = CST")] = None,
    end: Annotated[datetime | None, Query(description="to (exclusive); default now")] = None,
    max_samples: Annotated[int, Query(ge=10, le=5000, description="raw samples beyond which buckets are used")] = 720,
) -> PowerSeries:
    for moment in (start, end):
        if moment is not None and not 2000 <= moment.year <= 2100:
            raise IngestError("start and end must lie between the years 2000 and 2100", status=422)
    end_at = from_cst(end) if end is not None else now()
    start_at = from_cst(start) if start is not None else end_at - timedelta(days=1)
    if end_at <= start_at:
        raise IngestError("end must be after start", status=422)
    if end_at - start_at > MAX_RANGE:
        raise IngestError("a series covers at most 400 days", status=422)
    devices = await repository.devices_of_point(session, point_id)
    visible = [d for d in devices if principal.can_see(enterprise_id=d.ps_id, county=d.county)]
    if not visible:
        raise PointNotFound(f"no point {point_id} (or it is not yours to see)")
    first = visible[0]
    step = bucket_seconds(start_at, end_at, max_samples)
    rows = await repository.power_series(
        session,
        point_id=point_id,
        mns=[d.mn for d in visible],
        start=start_at,
        end=end_at,
        end_ext=end_at + timedelta(seconds=3 * max(first.min_interval_s, first.rtd_interval_s)),
        min_iv=first.min_interval_s,
        rtd_iv=first.rtd_interval_s,
        max_samples=max_samples,
        step=step,
    )
    bucketed = bool(rows) and bool(rows[0].bucketed)
    cn = rows[0].cn if rows else "2051"
    raw_step = first.min_interval_s if cn == "2051" else first.rtd_interval_s
    return PowerSeries(
        point_id=point_id,
        ps_id=first.ps_id,
        start=start_at,
        end=end_at,
        step_seconds=step if bucketed else raw_step,
        samples=[PowerSample(t=r.sample_at, kw=r.kw, min_kw=r.min_kw, max_kw=r.max_kw) for r in rows],
    )
