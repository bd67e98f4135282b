"""Queries of ingest's published view `ingest.readings_v1` (the contract; never ingest's tables).

Only power and energy of minute ('2051') and real-time ('2011') data with a registry point id are read: that is
all the rules judge by. data_time is UTC; the view prunes to the day partitions of the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "DEVICE_QUANTITIES",
    "READING_CNS",
    "RULE_QUANTITIES",
    "enterprises_with_data",
    "for_enterprise",
    "grouped_arrays",
    "device_rows",
    "received_since",
    "restarts",
    "status_rows",
    "terminal_times",
    "terminals_by_enterprise",
    "transmission_times",
]

RULE_QUANTITIES = ("active_power_kw", "energy_kwh")
READING_CNS = ("2051", "2011")

_FOR_ENTERPRISE = text(
    """
    SELECT point_id, quantity, cn, data_time, rtd, avg, max, cou, flag
    FROM ingest.readings_v1
    WHERE ps_id = :ps_id AND data_time >= :start AND data_time < :end
      AND point_id IS NOT NULL AND quantity = ANY(:quantities) AND cn = ANY(:cns)
      AND (CAST(:points AS text[]) IS NULL OR point_id = ANY(CAST(:points AS text[])))
    ORDER BY point_id, data_time
    """
)

# Rule 5 (device and data) also reads voltage and current, every factor code apart (phases), and received_at.
DEVICE_QUANTITIES = ("active_power_kw", "energy_kwh", "voltage_v", "current_a")

_DEVICE = text(
    """
    SELECT point_id, mn, quantity, code, cn, data_time, coalesce(avg, rtd, max) AS value, flag, received_at
    FROM ingest.readings_v1
    WHERE ps_id = :ps_id AND data_time >= :start AND data_time < :end
      AND point_id IS NOT NULL AND quantity = ANY(:quantities) AND cn = ANY(:cns)
    ORDER BY point_id, code, cn, data_time
    """
)

# Distinct data times of each point's rule data, one array per point and CN (a month is 43 200 per point).
_TRANSMISSION = text(
    """
    SELECT point_id, mn, cn, array_agg(DISTINCT CAST(extract(epoch FROM data_time) AS bigint)) AS times
    FROM ingest.readings_v1
    WHERE ps_id = :ps_id AND data_time >= :start AND data_time < :end
      AND point_id IS NOT NULL AND quantity = ANY(:quantities) AND cn = ANY(:cns)
    GROUP BY point_id, mn, cn
    """
)

_RECEIVED = text(
    """
    SELECT ps_id, mn, min(data_time) AS first, max(data_time) AS last, max(received_at) AS received
    FROM ingest.readings_v1
    WHERE data_time >= :data_after AND received_at > :received_after AND point_id IS NOT NULL
    GROUP BY ps_id, mn
    """
)

_ENTERPRISES = text(
    """
    SELECT DISTINCT ps_id FROM ingest.readings_v1
    WHERE data_time >= :start AND data_time < :end AND point_id IS NOT NULL
    ORDER BY ps_id
    """
)

# One row per (enterprise, point, quantity, cn) with its samples as arrays in PostgreSQL's binary array format
# (`array_send`: a fixed 12-byte stride of length + float8 per element, no NULLs), which numpy reads without
# creating a Python object per reading: that is what makes the replay fast. Flagged samples are NaN already;
# register and consumption are sent for energy only. The arrays are not ordered in SQL (that would sort every
# group again inside the aggregate); all arrays of a group share one order and the reader sorts by time.
_GROUPED = """
    SELECT ps_id, point_id, quantity, cn,
           array_send(array_agg(CAST(extract(epoch FROM data_time) AS float8))) AS t,
           array_send(array_agg(CASE WHEN flag IS NULL OR flag = 'N'
                                     THEN coalesce(avg, rtd, max, 'NaN') ELSE 'NaN' END)) AS v,
           CASE WHEN quantity = 'energy_kwh' THEN
               array_send(array_agg(CASE WHEN flag IS NULL OR flag = 'N'
                                         THEN coalesce(max, rtd, 'NaN') ELSE 'NaN' END)) END AS reg,
           CASE WHEN quantity = 'energy_kwh' THEN
               array_send(array_agg(CASE WHEN flag IS NULL OR flag = 'N'
                                         THEN coalesce(cou, 'NaN') ELSE 'NaN' END)) END AS cou
    FROM ingest.readings_v1
    WHERE data_time >= $1 AND data_time < $2 AND point_id IS NOT NULL
      AND quantity = ANY($3::text[]) AND cn = ANY($4::text[])
      AND ($5::text[] IS NULL OR mn = ANY($5::text[]))
    GROUP BY ps_id, point_id, quantity, cn
"""

# The replay's list of what to read: the terminals (MN) of each enterprise with data in the range. Chunks are
# then read by MN, the leading column of ingest.readings' primary key, so each read is an index scan.
_TERMINALS = """
    SELECT DISTINCT ps_id, mn
    FROM ingest.readings_v1
    WHERE data_time >= $1 AND data_time < $2 AND point_id IS NOT NULL
      AND ($3::text[] IS NULL OR ps_id = ANY($3::text[]))
"""


async def for_enterprise(
    session: AsyncSession, *, ps_id: str, start: datetime, end: datetime, points: Sequence[str] | None = None
) -> Sequence[Any]:
    """Rows (point_id, quantity, cn, data_time, rtd, avg, max, cou, flag) of one enterprise in [start, end)."""
    result = await session.execute(
        _FOR_ENTERPRISE,
        {
            "ps_id": ps_id,
            "start": start,
            "end": end,
            "quantities": list(RULE_QUANTITIES),
            "cns": list(READING_CNS),
            "points": None if points is None else list(points),
        },
    )
    return result.all()


async def received_since(session: AsyncSession, *, received_after: datetime, data_after: datetime) -> Sequence[Any]:
    """(ps_id, mn, first, last, received) of data stored after `received_after` (data times from `data_after`,
    which bounds the partitions scanned): the sweep's safety net for a lost notification."""
    result = await session.execute(_RECEIVED, {"received_after": received_after, "data_after": data_after})
    return result.all()


async def enterprises_with_data(session: AsyncSession, *, start: datetime, end: datetime) -> list[str]:
    result = await session.execute(_ENTERPRISES, {"start": start, "end": end})
    return [row[0] for row in result.all()]


async def grouped_arrays(
    connection: Any, *, start: datetime, end: datetime, mns: Sequence[str] | None = None
) -> list[Any]:
    """The replay's bulk read over a raw asyncpg connection: one row of arrays per point, quantity and CN."""
    rows: list[Any] = await connection.fetch(
        _GROUPED, start, end, list(RULE_QUANTITIES), list(READING_CNS), None if mns is None else list(mns)
    )
    return rows


async def terminals_by_enterprise(
    connection: Any, *, start: datetime, end: datetime, ps_ids: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """psId → the MNs that sent rule data in [start, end) (raw asyncpg connection)."""
    terminals: dict[str, list[str]] = {}
    for row in await connection.fetch(_TERMINALS, start, end, None if ps_ids is None else list(ps_ids)):
        terminals.setdefault(row["ps_id"], []).append(row["mn"])
    return {ps_id: sorted(mns) for ps_id, mns in sorted(terminals.items())}


async def device_rows(session: AsyncSession, *, ps_id: str, start: datetime, end: datetime) -> Sequence[Any]:
    """Rows (point_id, mn, quantity, code, cn, data_time, value, flag, received_at) for rule 5, in [start, end)."""
    result = await session.execute(
        _DEVICE,
        {"ps_id": ps_id, "start": start, "end": end, "quantities": list(DEVICE_QUANTITIES), "cns": list(READING_CNS)},
    )
    return result.all()


async def transmission_times(session: AsyncSession, *, ps_id: str, start: datetime, end: datetime) -> Sequence[Any]:
    """Rows (point_id, mn, cn, [epoch seconds]) of the distinct data times of each point's rule data."""
    result = await session.execute(
        _TRANSMISSION,
        {"ps_id": ps_id, "start": start, "end": end, "quantities": list(RULE_QUANTITIES), "cns": list(READING_CNS)},
    )
    return result.all()


# Rule 5, terminal power-off. The 2081 packets (data-logger power-on time) are receipts without readings; their
# RestartTime is a CP param (receipts_v1.params). Where a terminal leaves it out, the packet's DataTime (sent
# after power-on) stands for it.
_RESTARTS = text(
    """
    SELECT r.mn, r.data_time, r.params ->> 'RestartTime' AS restart_time
    FROM ingest.receipts_v1 AS r
    WHERE r.ps_id = :ps_id AND r.cn = '2081' AND r.data_time >= :start AND r.data_time < :end
    ORDER BY r.mn, r.data_time
    """
)

# A terminal's distinct data times of rule data (any point): where its silence before a power-on began.
_TERMINAL_TIMES = text(
    """
    SELECT DISTINCT CAST(extract(epoch FROM data_time) AS bigint) AS t
    FROM ingest.readings_v1
    WHERE mn = :mn AND data_time >= :start AND data_time < :end
      AND point_id IS NOT NULL AND cn = ANY(:cns)
    ORDER BY t
    """
)

# Instrument status i12001 (6 = power fault), of a point or of the terminal itself (point_id null). Sent as a
# number (Rtd) or as text (`i12001-Info=6`, which readings_v1 publishes in extra).
_STATUS = text(
    r"""
    SELECT r.point_id, r.mn, r.data_time,
           coalesce(r.rtd, r.avg, CASE WHEN info ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$' THEN CAST(info AS float8) END)
    FROM ingest.readings_v1 AS r
    CROSS JOIN LATERAL (SELECT r.extra ->> 'Info' AS info) AS x
    WHERE r.ps_id = :ps_id AND r.code = 'i12001' AND r.data_time >= :start AND r.data_time < :end
    ORDER BY r.point_id, r.mn, r.data_time
    """
)


async def restarts(session: AsyncSession, *, ps_id: str, start: datetime, end: datetime) -> Sequence[Any]:
    """Rows (mn, data_time, RestartTime text or None) of the enterprise's 2081 packets with DataTime in [start, end)."""
    result = await session.execute(_RESTARTS, {"ps_id": ps_id, "start": start, "end": end})
    return result.all()


async def terminal_times(session: AsyncSession, *, mn: str, start: datetime, end: datetime) -> list[int]:
    """The distinct data times (epoch s, ascending) of the terminal's rule data in [start, end)."""
    result = await session.execute(_TERMINAL_TIMES, {"mn": mn, "start": start, "end": end, "cns": list(READING_CNS)})
    return [int(row[0]) for row in result.all()]


async def status_rows(session: AsyncSession, *, ps_id: str, start: datetime, end: datetime) -> Sequence[Any]:
    """Rows (point_id, mn, data_time, status or None) of instrument status i12001 in [start, end)."""
    result = await session.execute(_STATUS, {"ps_id": ps_id, "start": start, "end": end})
    return result.all()
