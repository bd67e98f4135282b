"""HTTP: the overview figures of the devices in the caller's scope."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep
from fbjd_core.ids import PSID_PATTERN
from fbjd_core.time import CST, now

from fbjd_ingest.access import Reader, scope_of
from fbjd_ingest.overview import repository
from fbjd_ingest.overview.schemas import EnterpriseOverview, Overview
from fbjd_ingest.runtime import RuntimeDep

__all__ = ["router"]

router = APIRouter(tags=["overview"])


def _rate(received: int, expected: int) -> float | None:
    return round(min(received, expected) / expected, 4) if expected else None


@router.get(
    "/overview",
    response_model=Overview,
    summary="Devices online now, today's online rate and this month's transmission rate, per enterprise",
    description=(
        "All devices in the caller's scope (an enterprise: its own; a county: its county), or only those of "
        "enterprise `ps_id` when given (an enterprise page needs no city-wide query). online_now: data "
        "within online_factor × the device's data interval; online_rate_today: share of devices that sent data "
        "of their data CN today (CST); transmission_rate_month: received ÷ expected DataTimes this month so far. "
        "One grouped query over the devices and the daily receipt rollup."
    ),
)
async def overview(
    session: SessionDep,
    principal: Reader,
    runtime: RuntimeDep,
    ps_id: Annotated[str | None, Query(pattern=PSID_PATTERN, description="only this enterprise")] = None,
) -> Overview:
    own, county = scope_of(principal)
    if ps_id is not None:
        own = ps_id if own in (None, ps_id) else "-"  # another enterprise's figures: none, not an error
    at = now()
    today = at.astimezone(CST).date()
    month_start = today.replace(day=1)
    rows = await repository.per_enterprise(
        session,
        own=own,
        county=county,
        at=at,
        today=today,
        month_start=month_start,
        month_start_at=datetime.combine(month_start, time(0), tzinfo=CST),
        online_factor=runtime.settings.online_factor,
    )
    total = sum(r.devices for r in rows)
    online = sum(r.online_now for r in rows)
    return Overview(
        devices_total=total,
        online_now=online,
        offline_now=total - online,
        online_rate_today=round(sum(r.reported_today for r in rows) / total, 4) if total else None,
        transmission_rate_month=_rate(sum(int(r.received) for r in rows), sum(int(r.expected) for r in rows)),
        enterprises=[
            EnterpriseOverview(
                ps_id=r.ps_id,
                devices=r.devices,
                online_now=r.online_now,
                transmission_rate_month=_rate(int(r.received), int(r.expected)),
            )
            for r in rows
        ],
    )
