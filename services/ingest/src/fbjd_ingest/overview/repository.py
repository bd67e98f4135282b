"""The overview's one query: devices and their receipts of this month, grouped by enterprise.

Expected DataTimes of a device this month: the intervals of its data CN from the later of the month's start and
the device's start (registration, or its first data this month when adopted history predates it) up to now.
Received: distinct DataTimes of its data CN this month (`receipts_daily`), capped at the expected count. (The
`/rates` API caps each day instead; a month's figure differs from it only where a device sent more than
expected on one day and less on another.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["per_enterprise"]

_PER_ENTERPRISE = text(
    """
    WITH dev AS (
        SELECT mn, ps_id, data_cn, created_at, last_seen,
               CASE WHEN data_cn IN ('2011', '2021') THEN rtd_interval_s
                    WHEN data_cn = '2051' THEN min_interval_s
                    WHEN data_cn = '2061' THEN 3600
                    WHEN data_cn IN ('2031', '2041') THEN 86400
                    ELSE min_interval_s END AS iv
        FROM ingest.devices
        WHERE (CAST(:own AS text) IS NULL OR ps_id = :own) AND (CAST(:county AS text) IS NULL OR county = :county)
    ), rx AS (
        SELECT r.mn, sum(r.received) AS received, min(r.day) AS first_day,
               bool_or(r.day = CAST(:today AS date)) AS today
        FROM ingest.receipts_daily AS r JOIN dev ON dev.mn = r.mn AND dev.data_cn = r.cn
        WHERE r.day >= CAST(:month_start AS date) AND r.day <= CAST(:today AS date)
        GROUP BY r.mn
    ), per AS (
        SELECT dev.ps_id,
               coalesce(dev.last_seen >= CAST(:at AS timestamptz)
                        - make_interval(secs => CAST(:factor AS float8) * dev.iv), false) AS online,
               coalesce(rx.today, false) AS today,
               coalesce(rx.received, 0) AS received,
               greatest(0, floor(extract(epoch FROM CAST(:at AS timestamptz) - greatest(
                   CAST(:month_start_at AS timestamptz),
                   least(dev.created_at, coalesce(rx.first_day::timestamp AT TIME ZONE 'Asia/Shanghai', dev.created_at))
               )) / dev.iv))::bigint AS expected
        FROM dev LEFT JOIN rx ON rx.mn = dev.mn
    )
    SELECT ps_id, count(*) AS devices, count(*) FILTER (WHERE online) AS online_now,
           count(*) FILTER (WHERE today) AS reported_today,
           sum(least(received, expected)) AS received, sum(expected) AS expected
    FROM per
    GROUP BY ps_id
    ORDER BY ps_id
    """
)


async def per_enterprise(
    session: AsyncSession,
    *,
    own: str | None,
    county: str | None,
    at: datetime,
    today: date,
    month_start: date,
    month_start_at: datetime,
    online_factor: float,
) -> Sequence[Any]:
    """Rows (ps_id, devices, online_now, reported_today, received, expected) of the enterprises in scope."""
    params = {
        "own": own,
        "county": county,
        "at": at,
        "today": today,
        "month_start": month_start,
        "month_start_at": month_start_at,
        "factor": online_factor,
    }
    return (await session.execute(_PER_ENTERPRISE, params)).all()
