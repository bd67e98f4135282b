"""Queries of the consumption slice: the daily and monthly rollups, never the raw readings.

Per point: days from `consumption_daily`, months and years from `consumption_monthly` (12 rows per point and
year instead of 365). Per enterprise (no point filter): the enterprise sums `consumption_enterprise_daily` /
`_monthly` (a city's year by enterprise is 24,000 rows, not 360,000).
Scope: an enterprise sees its psId; a county the enterprises that have devices in its county.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.consumption.schemas import Group, Period

__all__ = ["consumption", "group_sums"]

_COLUMNS = {
    Period.DAY: ("day", "day"),
    Period.MONTH: ("month", "month"),
    Period.YEAR: ("month", "date_trunc('year', month)::date"),
}
_POINT_TABLES = {Period.DAY: "ingest.consumption_daily"}
_ENTERPRISE_TABLES = {Period.DAY: "ingest.consumption_enterprise_daily"}


def _sql(period: Period, group: Group, *, by_points: bool) -> str:
    column, bucket = _COLUMNS[period]
    if by_points:
        table = _POINT_TABLES.get(period, "ingest.consumption_monthly")
        points = "(CAST(:points AS text[]) IS NULL OR point_id = ANY(CAST(:points AS text[])))"
    else:
        table = _ENTERPRISE_TABLES.get(period, "ingest.consumption_enterprise_monthly")
        points = "true"
    point = "point_id" if group is Group.POINT else "NULL::text"
    keys = "ps_id, point_id, period_start" if group is Group.POINT else "ps_id, period_start"
    # psIds are lower-case hex: byte order is their order, and sorting by it is cheap. (It also keeps the planner
    # from walking the whole (ps_id, day) primary key in order to skip a sort of the rows it actually needs.)
    order = keys.replace("ps_id", 'ps_id COLLATE "C"', 1)
    # A table already at the asked grain (its primary key) is read in key order, without grouping or sorting.
    same_grain = period is not Period.YEAR and by_points == (group is Group.POINT)
    kwh, grouping = ("kwh", "") if same_grain else ("sum(kwh)", f"GROUP BY {keys}")
    return f"""
        SELECT ps_id, {point} AS point_id, {bucket} AS period_start, {kwh} AS kwh
        FROM {table}
        WHERE {column} >= :first AND {column} <= :last
          AND (CAST(:ps_ids AS text[]) IS NULL OR ps_id = ANY(CAST(:ps_ids AS text[])))
          AND {points}
          AND (CAST(:own AS text) IS NULL OR ps_id = :own)
          AND (CAST(:county AS text) IS NULL
               OR ps_id IN (SELECT ps_id FROM ingest.devices WHERE county = :county))
        {grouping}
        ORDER BY {order}
    """  # noqa: S608 - every fragment comes from the enums above


async def consumption(
    session: AsyncSession,
    *,
    period: Period,
    group: Group,
    first: date,
    last: date,
    ps_ids: Sequence[str] | None,
    points: Sequence[str] | None,
    own: str | None,
    county: str | None,
) -> Sequence[Any]:
    """Rows (ps_id, point_id, period_start, kwh) of the rollup rows with day/month in [first, last]."""
    by_points = group is Group.POINT or bool(points)
    result = await session.execute(
        text(_sql(period, group, by_points=by_points)),
        {
            "first": first,
            "last": last,
            "ps_ids": list(ps_ids) if ps_ids else None,
            "points": list(points) if points else None,
            "own": own,
            "county": county,
        },
    )
    return result.all()


async def group_sums(
    session: AsyncSession,
    *,
    period: Period,
    first: date,
    last: date,
    groups: dict[str, list[str]],
    own: str | None,
    county: str | None,
) -> Sequence[Any]:
    """Rows (group, period_start, kwh): the enterprise rollups of each named group's members, summed in SQL
    (a city's months by industry are 23 × 12 rows to send, not 24,000 per-enterprise rows)."""
    column, bucket = _COLUMNS[period]
    table = _ENTERPRISE_TABLES.get(period, "ingest.consumption_enterprise_monthly")
    pairs = [(ps_id, name) for name, members in groups.items() for ps_id in members]
    result = await session.execute(
        text(f"""
            WITH member(ps_id, grp) AS (SELECT * FROM unnest(CAST(:ps_ids AS text[]), CAST(:names AS text[])))
            SELECT member.grp AS grp, {bucket} AS period_start, sum(c.kwh) AS kwh
            FROM {table} c JOIN member ON member.ps_id = c.ps_id
            WHERE c.{column} >= :first AND c.{column} <= :last
              AND (CAST(:own AS text) IS NULL OR c.ps_id = :own)
              AND (CAST(:county AS text) IS NULL
                   OR c.ps_id IN (SELECT ps_id FROM ingest.devices WHERE county = :county))
            GROUP BY member.grp, 2
            ORDER BY member.grp, 2
        """),  # noqa: S608 - table and columns come from the enums above
        {
            "ps_ids": [ps_id for ps_id, _name in pairs],
            "names": [name for _ps_id, name in pairs],
            "first": first,
            "last": last,
            "own": own,
            "county": county,
        },
    )
    return result.all()
