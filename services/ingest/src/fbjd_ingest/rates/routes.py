"""HTTP: daily and monthly transmission rates, per device and for all devices in scope."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep

from fbjd_ingest.access import Reader, scope_of
from fbjd_ingest.devices import repository as devices
from fbjd_ingest.devices.routes import visible_device
from fbjd_ingest.rates import repository
from fbjd_ingest.rates.schemas import DeviceRates, RatesList
from fbjd_ingest.rates.service import device_rates, month_bounds, parse_month, summary

__all__ = ["router"]

router = APIRouter(tags=["rates"])
Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (CST); default this month")]


@router.get(
    "/devices/{mn}/rates",
    response_model=DeviceRates,
    summary="Daily and monthly transmission rate of one device (received ÷ expected intervals)",
)
async def rates_of_device(mn: str, session: SessionDep, principal: Reader, month: Month = None) -> DeviceRates:
    device = await visible_device(session, principal, mn)
    year, mon = parse_month(month)
    first, last = month_bounds(year, mon)
    rows = await repository.daily_counts(session, mns=[mn], ps_id=None, county=None, first=first, last=last)
    first_day = (await repository.first_days(session, mns=[mn], ps_id=None, county=None)).get(mn)
    return device_rates(
        device, year=year, month=mon, received={row.day: row.received for row in rows}, first_day=first_day
    )


@router.get("/rates", response_model=RatesList, summary="Monthly transmission rate of every device in scope")
async def rates_of_all(
    session: SessionDep, principal: Reader, month: Month = None, limit: Annotated[int, Query(ge=1, le=50_000)] = 5000
) -> RatesList:
    ps_id, county = scope_of(principal)
    year, mon = parse_month(month)
    first, last = month_bounds(year, mon)
    found = await devices.list_devices(session, ps_id=ps_id, county=county, limit=limit, offset=0)
    received: dict[str, dict[date, int]] = defaultdict(dict)
    for row in await repository.daily_counts(session, mns=None, ps_id=ps_id, county=county, first=first, last=last):
        received[row.mn][row.day] = row.received
    first_days = await repository.first_days(session, mns=None, ps_id=ps_id, county=county)
    items = [
        summary(device_rates(d, year=year, month=mon, received=received.get(d.mn, {}), first_day=first_days.get(d.mn)))
        for d in found
    ]
    return RatesList(month=f"{year:04d}-{mon:02d}", items=items)
