"""Queries of the points slice. A point is found through the device whose factor map names it (the registry's
mapping); its readings are read by that MN, the leading column of the readings' primary key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["devices_of_point", "latest", "power_series"]

_DEVICES = text(
    """
    SELECT mn, ps_id, county, min_interval_s, rtd_interval_s
    FROM ingest.devices
    WHERE jsonb_path_exists(factor_map, '$.*.point_id ? (@ == $p)', jsonb_build_object('p', CAST(:point_id AS text)))
    ORDER BY mn
    """
)

# Power of one point over [start, end): measured power (period average, else real-time value) where it arrives,
# else derived from energy — the period's Cou over the interval, or the register difference to the next reading
# over the time between them (reset-safe, never negative; no value across a gap of more than three intervals),
# as the rules service derives it. Minute data when the point has any in the range, else real-time data.
# At most :max_samples raw samples; beyond that, buckets of :step seconds with average, minimum and maximum,
# computed here (a year of 5-min data never leaves the database).
_SERIES = text(
    """
    WITH c AS (
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM ingest.readings
            WHERE mn = ANY(:mns) AND cn = '2051' AND point_id = :point_id
              AND quantity IN ('active_power_kw', 'energy_kwh') AND data_time >= :start AND data_time < :end
        ) THEN '2051' ELSE '2011' END AS cn
    ), r AS (
        SELECT data_time, quantity, coalesce(avg, rtd) AS kw, min, max, cou, coalesce(max, rtd) AS reg,
               CASE WHEN cn = '2051' THEN CAST(:min_iv AS integer) ELSE CAST(:rtd_iv AS integer) END AS iv
        FROM ingest.readings
        WHERE mn = ANY(:mns) AND cn = (SELECT cn FROM c) AND point_id = :point_id
          AND quantity IN ('active_power_kw', 'energy_kwh') AND (flag IS NULL OR flag = 'N')
          AND data_time >= :start AND data_time < :end_ext
    ), p AS (
        SELECT data_time AS t, kw, min AS lo, max AS hi FROM r WHERE quantity = 'active_power_kw' AND kw IS NOT NULL
    ), e AS (
        SELECT data_time AS t, cou, reg, iv, lead(reg) OVER w AS reg2, lead(data_time) OVER w AS t2
        FROM r WHERE quantity = 'energy_kwh'
        WINDOW w AS (ORDER BY data_time)
    ), ed AS (
        SELECT t, CASE WHEN cou >= 0 THEN cou * 3600.0 / iv
                       WHEN t2 - t <= make_interval(secs => 3 * iv)
                       THEN ingest.energy_delta(reg, reg2) * 3600.0 / extract(epoch FROM t2 - t)
                  END AS kw
        FROM e
    ), s AS MATERIALIZED (
        SELECT coalesce(p.t, ed.t) AS t, coalesce(p.kw, ed.kw) AS kw, p.lo, p.hi
        FROM p FULL JOIN ed ON p.t = ed.t
        WHERE coalesce(p.t, ed.t) < :end AND coalesce(p.kw, ed.kw) IS NOT NULL
    ), n AS (
        SELECT count(*) AS raw FROM s
    )
    SELECT t AS sample_at, kw, NULL::float8 AS min_kw, NULL::float8 AS max_kw, (SELECT cn FROM c) AS cn,
           false AS bucketed
    FROM s WHERE (SELECT raw FROM n) <= CAST(:max_samples AS integer)
    UNION ALL
    SELECT date_bin(make_interval(secs => CAST(:step AS integer)), t, CAST(:start AS timestamptz)) AS t,
           avg(kw), min(coalesce(lo, kw)),
           max(coalesce(hi, kw)), (SELECT cn FROM c), true
    FROM s WHERE (SELECT raw FROM n) > CAST(:max_samples AS integer)
    GROUP BY 1
    ORDER BY 1
    """
)

_LATEST = text(
    """
    SELECT l.point_id, l.ps_id, l.mn, l.kw, l.data_time, l.received_at
    FROM ingest.point_latest AS l
    JOIN ingest.devices AS d ON d.mn = l.mn
    WHERE (CAST(:ps_ids AS text[]) IS NULL OR l.ps_id = ANY(CAST(:ps_ids AS text[])))
      AND (CAST(:points AS text[]) IS NULL OR l.point_id = ANY(CAST(:points AS text[])))
      AND (CAST(:own AS text) IS NULL OR l.ps_id = :own)
      AND (CAST(:county AS text) IS NULL OR d.county = :county)
    ORDER BY l.ps_id, l.point_id
    """
)


async def devices_of_point(session: AsyncSession, point_id: str) -> Sequence[Any]:
    """(mn, ps_id, county, min_interval_s, rtd_interval_s) of the devices that carry the point."""
    return (await session.execute(_DEVICES, {"point_id": point_id})).all()


async def power_series(
    session: AsyncSession,
    *,
    point_id: str,
    mns: Sequence[str],
    start: datetime,
    end: datetime,
    end_ext: datetime,
    min_iv: int,
    rtd_iv: int,
    max_samples: int,
    step: int,
) -> Sequence[Any]:
    """Rows (sample_at, kw, min_kw, max_kw, cn, bucketed): raw samples, or buckets of `step` seconds when there
    are more than `max_samples`."""
    params = {
        "point_id": point_id,
        "mns": list(mns),
        "start": start,
        "end": end,
        "end_ext": end_ext,
        "min_iv": min_iv,
        "rtd_iv": rtd_iv,
        "max_samples": max_samples,
        "step": step,
    }
    return (await session.execute(_SERIES, params)).all()


async def latest(
    session: AsyncSession,
    *,
    ps_ids: Sequence[str] | None,
    points: Sequence[str] | None,
    own: str | None,
    county: str | None,
) -> Sequence[Any]:
    params = {
        "ps_ids": list(ps_ids) if ps_ids else None,
        "points": list(points) if points else None,
        "own": own,
        "county": county,
    }
    return (await session.execute(_LATEST, params)).all()
