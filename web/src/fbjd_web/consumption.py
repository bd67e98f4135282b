"""Electricity consumption statistics (北京导则 6.9): by enterprise, industry or county, per day, month or year,
with month-on-month (环比: against the period just before) and year-on-year (同比: the same period a year before).

Ingest answers per enterprise and period from its rollups; the grouping by industry or county uses the
registry's attributes of each enterprise. The arithmetic is here, pure, so it can be checked by hand:
change = (current − earlier) ÷ earlier, none when the earlier period had no data or used nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

__all__ = [
    "GRANULARITY_LABELS",
    "GROUP_LABELS",
    "ConsumptionLine",
    "Granularity",
    "GroupBy",
    "change",
    "first_of",
    "period_label",
    "periods_in",
    "previous_period",
    "query_ranges",
    "summarise",
    "year_ago",
]

Granularity = Literal["day", "month", "year"]
GroupBy = Literal["enterprise", "industry", "county"]

GRANULARITY_LABELS: dict[str, str] = {"day": "日", "month": "月", "year": "年"}
GROUP_LABELS: dict[str, str] = {"enterprise": "企业", "industry": "行业", "county": "县（市、区）"}


@dataclass(frozen=True)
class ConsumptionLine:
    group: str
    period_start: date
    label: str
    kwh: float
    previous_kwh: float | None
    mom: float | None  # 环比
    year_ago_kwh: float | None
    yoy: float | None  # 同比


def first_of(day: date, granularity: Granularity) -> date:
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return day.replace(month=1, day=1)
    return day


def year_ago(day: date) -> date:
    """The same calendar day a year before; 29 February → 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def previous_period(start: date, granularity: Granularity) -> date:
    """The start of the period just before the one starting at `start` (环比's comparison)."""
    if granularity == "day":
        return start - timedelta(days=1)
    if granularity == "month":
        return (start.replace(day=1) - timedelta(days=1)).replace(day=1)
    return start.replace(year=start.year - 1, month=1, day=1)


def _next_period(start: date, granularity: Granularity) -> date:
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1, month=1, day=1)


def periods_in(start: date, end: date, granularity: Granularity) -> list[date]:
    """The starts of every period that overlaps [start, end] (both days included)."""
    found, at = [], first_of(start, granularity)
    while at <= end:
        found.append(at)
        at = _next_period(at, granularity)
    return found


def period_label(start: date, granularity: Granularity) -> str:
    if granularity == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if granularity == "year":
        return f"{start.year:04d}"
    return start.isoformat()


def change(current: float | None, earlier: float | None) -> float | None:
    """(current − earlier) ÷ earlier; none without an earlier figure or when it was zero."""
    if current is None or earlier is None or earlier == 0:
        return None
    return (current - earlier) / earlier


def query_ranges(start: date, end: date, granularity: Granularity) -> list[tuple[date, date]]:
    """The two ranges to ask ingest for: the range itself with the period before it, and the same a year earlier."""
    first = first_of(start, granularity)
    return [(previous_period(first, granularity), end), (year_ago(first), year_ago(end))]


def summarise(
    rows: Iterable[Mapping[str, Any]],
    group_of: Callable[[str], str],
    start: date,
    end: date,
    granularity: Granularity,
) -> list[ConsumptionLine]:
    """Ingest's per-enterprise rows (ps_id, period_start, kwh; several queries may repeat a row) → one line per
    group and period in [start, end], with its 环比 and 同比, sorted by group then period."""
    seen: dict[tuple[str, date], float] = {}
    for row in rows:
        seen[(str(row["ps_id"]), date.fromisoformat(str(row["period_start"])))] = float(row["kwh"])
    totals: dict[tuple[str, date], float] = {}
    for (ps_id, period), kwh in seen.items():
        key = (group_of(ps_id), period)
        totals[key] = totals.get(key, 0.0) + kwh
    wanted = set(periods_in(start, end, granularity))
    lines = []
    for (group, period), kwh in sorted(totals.items()):
        if period not in wanted:
            continue
        earlier = totals.get((group, previous_period(period, granularity)))
        last_year = totals.get((group, year_ago(period)))
        lines.append(
            ConsumptionLine(
                group=group,
                period_start=period,
                label=period_label(period, granularity),
                kwh=round(kwh, 3),
                previous_kwh=None if earlier is None else round(earlier, 3),
                mom=change(kwh, earlier),
                year_ago_kwh=None if last_year is None else round(last_year, 3),
                yoy=change(kwh, last_year),
            )
        )
    return lines
