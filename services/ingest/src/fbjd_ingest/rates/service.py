"""Transmission rate = DataTimes received ÷ intervals expected (per CST day, and per month).

Expected intervals of a day are counted over the part of it the device was expected to send: from the
earlier of its registration and its first received data, up to now for the current day. Received counts come
from the daily rollup (distinct DataTimes of the device's data CN, kept current on insert, late data
included). A day's rate is capped at 100% (a terminal sending more often than configured does not make up
for another day's gaps); the monthly rate sums the capped days.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from fbjd_core.time import CST, now

from fbjd_ingest.devices.directory import expected_interval_s
from fbjd_ingest.devices.models import Device
from fbjd_ingest.errors import IngestError
from fbjd_ingest.rates.schemas import DayRate, DeviceRates, RateSummary

__all__ = ["device_rates", "month_bounds", "parse_month"]

MAINTENANCE_BELOW = 0.90


def parse_month(text: str | None, *, at: datetime | None = None) -> tuple[int, int]:
    if text is None:
        local = (at or now()).astimezone(CST)
        return local.year, local.month
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1 <= month <= 12 or len(text) != 7:
            raise ValueError
    except ValueError:
        raise IngestError(f"month {text!r} is not YYYY-MM", status=422) from None
    return year, month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CST).astimezone(UTC)


def _expected(day: date, *, since: datetime, until: datetime, interval: int) -> int:
    begin = max(_day_start(day), since)
    end = min(_day_start(day + timedelta(days=1)), until)
    if end <= begin:
        return 0
    return int((end - begin).total_seconds() // interval)


def device_rates(
    device: Device,
    *,
    year: int,
    month: int,
    received: Mapping[date, int],
    first_day: date | None,
    at: datetime | None = None,
) -> DeviceRates:
    at = at or now()
    interval = expected_interval_s(
        device.data_cn, rtd_interval_s=device.rtd_interval_s, min_interval_s=device.min_interval_s
    )
    since = device.created_at if first_day is None else min(device.created_at, _day_start(first_day))
    first, last = month_bounds(year, month)
    days: list[DayRate] = []
    total_received = total_expected = 0
    day = first
    while day <= last:
        expected = _expected(day, since=since, until=at, interval=interval)
        got = received.get(day, 0)
        if expected or got:
            days.append(
                DayRate(
                    day=day,
                    received=got,
                    expected=expected,
                    rate=round(min(got, expected) / expected, 4) if expected else None,
                )
            )
        total_received += min(got, expected)
        total_expected += expected
        day += timedelta(days=1)
    rate = round(total_received / total_expected, 4) if total_expected else None
    return DeviceRates(
        mn=device.mn,
        ps_id=device.ps_id,
        name=device.name,
        cn=device.data_cn,
        expected_interval_s=interval,
        received=total_received,
        expected=total_expected,
        rate=rate,
        needs_maintenance=rate is not None and rate < MAINTENANCE_BELOW,
        month=f"{year:04d}-{month:02d}",
        days=days,
    )


def summary(rates: DeviceRates) -> RateSummary:
    return RateSummary(**rates.model_dump(exclude={"month", "days"}))
