"""Keeps the consumption rollups current: recomputes the dirty (point, CST day) keys from the raw readings.

The writer records, in the same transaction as the readings, which (point, day) got new data and the earliest
DataTime of it (`consumption_dirty.since`). `refresh_consumption` takes a page of those keys and:

* in order data (every new reading later than the day's last one, the live case) is *added*: only the new
  readings are read, continued from the stored last register reading — a round costs what arrived, not a day;
* anything else (late data inside the day, a better series appearing) recomputes the day from its readings.

The writer must never wait for a round (its packets wait for their 9014): a round takes its page of keys in a
short transaction of its own (DELETE … RETURNING, SKIP LOCKED: it never waits for the writer either), then
computes in a second one. A key the writer marks again meanwhile is simply dirty once more: an addition always
continues from the stored last reading, so whatever the round did not see is counted by the next one. If the
second transaction fails the keys are put back; if the process dies between the two, a live day heals with its
next reading (the addition reads everything after the stored last one) and a late day waits for the next late
reading of it. One round at a time across all ingest processes (a PostgreSQL advisory lock): two rounds adding
the same new readings would count them twice.

Which series a day is computed from, best first: minute energy (3), real-time energy (2), minute power (1),
real-time power (0). Energy: the period's Cou where sent, else the register difference to the previous reading
(`ingest.energy_delta`: a rollover or a reset is never a negative consumption), attributed to the day of the
later reading; the previous reading is looked for up to a day back. Power only: each value holds for one
interval (the device's MinInterval for minute data, RtdInterval for real-time), kWh = Σ kW × interval.

A late reading that becomes the last one of its day changes the next day's first register difference: such a
next day (one computed from energy whose first difference started earlier) is recomputed in the same round.
Monthly rows are rewritten from the daily rows of every month touched, and the enterprise's day and month sums
(what the city's statistics by enterprise, county or industry read) from those.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from fbjd_core.time import now

from fbjd_ingest.db_errors import CONNECTION_ERRORS

__all__ = ["DirtyKey", "refresh_consumption", "refresh_all"]

log = logging.getLogger(__name__)

_TAKE = """
DELETE FROM ingest.consumption_dirty AS c
USING (
    SELECT point_id, day FROM ingest.consumption_dirty ORDER BY day, point_id LIMIT $1 FOR UPDATE SKIP LOCKED
) AS t
WHERE c.point_id = t.point_id AND c.day = t.day
RETURNING c.point_id, c.day, c.ps_id, c.mn, c.since
"""

_CURRENT = """
SELECT d.point_id, d.day, d.prio, d.last_at
FROM ingest.consumption_daily AS d
JOIN unnest($1::text[], $2::date[]) AS k(point_id, day) ON d.point_id = k.point_id AND d.day = k.day
"""

# One row per key that has readings of its series in the day. `after` null: recompute the day; else add the
# readings later than `after` (the stored last_at) of the stored series `old_prio`.
_COMPUTE = """
WITH k AS MATERIALIZED (
    SELECT k.point_id, k.day, k.mn, k.after, k.old_prio, k.day_start, k.day_end,
           coalesce(d.min_interval_s, 300) AS min_iv, coalesce(d.rtd_interval_s, 60) AS rtd_iv,
           m.data_time AS m_at, m.reg AS m_reg, t.data_time AS t_at, t.reg AS t_reg
    FROM (
        SELECT k.*, (k.day::timestamp AT TIME ZONE 'Asia/Shanghai') AS day_start,
               ((k.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS day_end
        FROM unnest($1::text[], $2::date[], $3::text[], $4::timestamptz[], $5::smallint[])
             AS k(point_id, day, mn, after, old_prio)
    ) AS k
    LEFT JOIN ingest.devices AS d ON d.mn = k.mn
    -- a recomputed day starts from the last register reading before it (up to a day back), of minute (m) and
    -- of real-time (t) energy: whichever series the day turns out to be computed from
    LEFT JOIN LATERAL (
        SELECT r.data_time, coalesce(r.max, r.rtd) AS reg FROM ingest.readings AS r
        WHERE k.after IS NULL AND r.mn = k.mn AND r.cn = '2051' AND r.point_id = k.point_id
          AND r.quantity = 'energy_kwh' AND (r.flag IS NULL OR r.flag = 'N')
          AND r.data_time >= k.day_start - interval '1 day' AND r.data_time < k.day_start
        ORDER BY r.data_time DESC LIMIT 1
    ) AS m ON true
    LEFT JOIN LATERAL (
        SELECT r.data_time, coalesce(r.max, r.rtd) AS reg FROM ingest.readings AS r
        WHERE k.after IS NULL AND r.mn = k.mn AND r.cn = '2011' AND r.point_id = k.point_id
          AND r.quantity = 'energy_kwh' AND (r.flag IS NULL OR r.flag = 'N')
          AND r.data_time >= k.day_start - interval '1 day' AND r.data_time < k.day_start
        ORDER BY r.data_time DESC LIMIT 1
    ) AS t ON true
), x AS (
    SELECT k.point_id, k.day, k.after, k.old_prio, k.day_start, r.data_time, r.prio, r.kw, r.reg, r.cou,
           CASE WHEN r.prio = 1 THEN k.min_iv ELSE k.rtd_iv END AS iv,
           max(r.prio) OVER (PARTITION BY k.point_id, k.day) AS chosen,
           k.m_at, k.m_reg, k.t_at, k.t_reg
    FROM k CROSS JOIN LATERAL (
        SELECT r.data_time, r.cou, coalesce(r.avg, r.rtd) AS kw, coalesce(r.max, r.rtd) AS reg,
               (CASE WHEN r.quantity = 'energy_kwh' THEN 2 ELSE 0 END
                + CASE WHEN r.cn = '2051' THEN 1 ELSE 0 END)::smallint AS prio
        FROM ingest.readings AS r
        WHERE r.mn = k.mn AND r.cn IN ('2051', '2011') AND r.point_id = k.point_id
          AND r.quantity IN ('active_power_kw', 'energy_kwh') AND (r.flag IS NULL OR r.flag = 'N')
          AND r.data_time >= coalesce(k.after, k.day_start) AND r.data_time < k.day_end
        OFFSET 0  -- keeps this a per-key index lookup: never a join against whole day partitions
    ) AS r
), s AS (
    SELECT x.*,
           lag(x.reg, 1, CASE WHEN x.prio = 3 THEN x.m_reg WHEN x.prio = 2 THEN x.t_reg END) OVER w AS prev_reg,
           lag(x.data_time, 1, CASE WHEN x.prio = 3 THEN x.m_at WHEN x.prio = 2 THEN x.t_at END) OVER w AS prev_at,
           (x.after IS NULL OR x.data_time > x.after) AS counted
    FROM x
    WHERE x.prio = coalesce(x.old_prio, x.chosen)
    WINDOW w AS (PARTITION BY x.point_id, x.day ORDER BY x.data_time)
)
SELECT point_id, day, max(chosen) AS chosen,
       coalesce(sum(CASE WHEN prio >= 2
                         THEN coalesce(CASE WHEN cou >= 0 THEN cou END, ingest.energy_delta(prev_reg, reg), 0)
                         ELSE greatest(kw, 0) * iv / 3600.0 END) FILTER (WHERE counted), 0) AS kwh,
       count(*) FILTER (WHERE counted) AS samples,
       max(data_time) AS last_at,
       (array_agg(reg ORDER BY data_time DESC))[1] AS last_reg,
       (array_agg(prev_at ORDER BY data_time))[1] AS prev_at
FROM s
GROUP BY point_id, day
"""

_REPLACE = """
INSERT INTO ingest.consumption_daily AS d
    (point_id, day, ps_id, kwh, samples, prio, last_at, last_reg, prev_at, updated_at)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::float8[], $5::int[], $6::smallint[],
                     $7::timestamptz[], $8::float8[], $9::timestamptz[], $10::timestamptz[])
ON CONFLICT (point_id, day) DO UPDATE SET
    ps_id = EXCLUDED.ps_id, kwh = EXCLUDED.kwh, samples = EXCLUDED.samples, prio = EXCLUDED.prio,
    last_at = EXCLUDED.last_at, last_reg = EXCLUDED.last_reg, prev_at = EXCLUDED.prev_at,
    updated_at = EXCLUDED.updated_at
"""

_ADD = """
UPDATE ingest.consumption_daily AS d
SET kwh = d.kwh + u.kwh, samples = d.samples + u.samples, last_at = u.last_at, last_reg = u.last_reg,
    updated_at = u.updated_at
FROM unnest($1::text[], $2::date[], $3::float8[], $4::int[], $5::timestamptz[], $6::float8[], $7::timestamptz[])
     AS u(point_id, day, kwh, samples, last_at, last_reg, updated_at)
WHERE d.point_id = u.point_id AND d.day = u.day
"""

_DELETE = """
DELETE FROM ingest.consumption_daily AS d
USING unnest($1::text[], $2::date[]) AS k(point_id, day)
WHERE d.point_id = k.point_id AND d.day = k.day
"""

_LAST_AT = """
SELECT d.point_id, d.day, d.last_at
FROM ingest.consumption_daily AS d
JOIN unnest($1::text[], $2::date[]) AS k(point_id, day) ON d.point_id = k.point_id AND d.day = k.day
"""

# Next days computed from energy whose first register difference started before the new last reading.
_NEXT_DAYS = """
SELECT d.point_id, d.day
FROM ingest.consumption_daily AS d
JOIN unnest($1::text[], $2::date[], $3::timestamptz[]) AS u(point_id, day, last_at)
  ON d.point_id = u.point_id AND d.day = u.day + 1
WHERE d.prio >= 2 AND (d.prev_at IS NULL OR d.prev_at < u.last_at)
"""

# Monthly rows, and the per-enterprise day and month sums, are rewritten for every (point, month) and
# (enterprise, day / month) touched: delete, then insert the sums (two statements, so the insert sees the delete).
_TOUCHED = """
CREATE TEMP TABLE IF NOT EXISTS consumption_touched (point_id text, ps_id text, day date, month date)
ON COMMIT DELETE ROWS
"""

_REWRITE = [
    """
    INSERT INTO consumption_touched
    SELECT DISTINCT point_id, ps_id, day, date_trunc('month', day)::date FROM unnest($1::text[], $2::text[], $3::date[])
        AS k(point_id, ps_id, day)
    """,
    """
    DELETE FROM ingest.consumption_monthly AS m
    USING (SELECT DISTINCT point_id, month FROM consumption_touched) AS t
    WHERE m.point_id = t.point_id AND m.month = t.month
    """,
    """
    INSERT INTO ingest.consumption_monthly (point_id, month, ps_id, kwh, samples)
    SELECT d.point_id, t.month, min(d.ps_id), sum(d.kwh), sum(d.samples)
    FROM (SELECT DISTINCT point_id, month FROM consumption_touched) AS t
    JOIN ingest.consumption_daily AS d
      ON d.point_id = t.point_id AND d.day >= t.month AND d.day < (t.month + interval '1 month')::date
    GROUP BY d.point_id, t.month
    """,
    """
    DELETE FROM ingest.consumption_enterprise_daily AS e
    USING (SELECT DISTINCT ps_id, day FROM consumption_touched) AS t
    WHERE e.ps_id = t.ps_id AND e.day = t.day
    """,
    """
    INSERT INTO ingest.consumption_enterprise_daily (ps_id, day, kwh, points)
    SELECT t.ps_id, t.day, sum(d.kwh), count(*)
    FROM (SELECT DISTINCT ps_id, day FROM consumption_touched) AS t
    JOIN ingest.consumption_daily AS d ON d.ps_id = t.ps_id AND d.day = t.day
    GROUP BY t.ps_id, t.day
    """,
    """
    DELETE FROM ingest.consumption_enterprise_monthly AS e
    USING (SELECT DISTINCT ps_id, month FROM consumption_touched) AS t
    WHERE e.ps_id = t.ps_id AND e.month = t.month
    """,
    """
    INSERT INTO ingest.consumption_enterprise_monthly (ps_id, month, kwh, points)
    SELECT t.ps_id, t.month, sum(m.kwh), count(*)
    FROM (SELECT DISTINCT ps_id, month FROM consumption_touched) AS t
    JOIN ingest.consumption_monthly AS m ON m.ps_id = t.ps_id AND m.month = t.month
    GROUP BY t.ps_id, t.month
    """,
]


@dataclass(frozen=True, slots=True)
class DirtyKey:
    point_id: str
    day: date
    ps_id: str
    mn: str
    since: datetime


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


async def _compute(
    conn: asyncpg.Connection, keys: list[DirtyKey], modes: dict[tuple[str, date], tuple[datetime, int] | None]
) -> dict[tuple[str, date], asyncpg.Record]:
    params = [
        (k.point_id, k.day, k.mn, *(modes[(k.point_id, k.day)] or (None, None)))
        for k in keys  # mode: None = recompute, (last_at, prio) = add what came after last_at
    ]
    rows = await conn.fetch(_COMPUTE, *_columns(params, 5))
    return {(r["point_id"], r["day"]): r for r in rows}


async def _apply(conn: asyncpg.Connection, keys: list[DirtyKey], *, full: bool) -> list[DirtyKey]:
    """Recompute (full) or continue the days of `keys`; returns the keys that turned out to need a recompute."""
    current = {
        (r["point_id"], r["day"]): (r["last_at"], r["prio"])
        for r in await conn.fetch(_CURRENT, [k.point_id for k in keys], [k.day for k in keys])
    }
    modes: dict[tuple[str, date], tuple[datetime, int] | None] = {}
    for k in keys:
        held = current.get((k.point_id, k.day))
        modes[(k.point_id, k.day)] = held if not full and held is not None and k.since >= held[0] else None
    results = await _compute(conn, keys, modes)
    at = now()
    replace: list[tuple[Any, ...]] = []
    add: list[tuple[Any, ...]] = []
    delete: list[tuple[str, date]] = []
    redo: list[DirtyKey] = []
    for k in keys:
        key = (k.point_id, k.day)
        mode, row = modes[key], results.get(key)
        if row is None:
            if mode is None:
                delete.append(key)
        elif mode is None:
            replace.append(
                (k.point_id, k.day, k.ps_id, row["kwh"], row["samples"], row["chosen"])
                + (row["last_at"], row["last_reg"], row["prev_at"], at)
            )
        elif row["chosen"] > mode[1]:
            redo.append(k)  # a better series arrived: the day is recomputed from it
        elif row["samples"]:
            add.append((k.point_id, k.day, row["kwh"], row["samples"], row["last_at"], row["last_reg"], at))
    if replace:
        await conn.execute(_REPLACE, *_columns(replace, 10))
    if add:
        await conn.execute(_ADD, *_columns(add, 7))
    if delete:
        await conn.execute(_DELETE, *_columns(delete, 2))
    return redo


async def _next_days(conn: asyncpg.Connection, keys: list[DirtyKey]) -> list[DirtyKey]:
    """The following days whose first register difference a (late) last reading of one of `keys` changed."""
    if not keys:
        return []
    ends = await conn.fetch(_LAST_AT, [k.point_id for k in keys], [k.day for k in keys])
    rows = await conn.fetch(
        _NEXT_DAYS, [r["point_id"] for r in ends], [r["day"] for r in ends], [r["last_at"] for r in ends]
    )
    by_point = {k.point_id: k for k in keys}
    return [DirtyKey(r["point_id"], r["day"], *_owner(by_point[r["point_id"]])) for r in rows]


def _owner(key: DirtyKey) -> tuple[str, str, datetime]:
    return key.ps_id, key.mn, key.since


async def _rewrite_sums(conn: asyncpg.Connection, keys: list[DirtyKey]) -> None:
    """Rewrite the monthly rows and the enterprise sums that the recomputed days of `keys` are part of."""
    await conn.execute(_TOUCHED)  # emptied at each commit
    fill, *rewrite = _REWRITE
    await conn.execute(fill, [k.point_id for k in keys], [k.ps_id for k in keys], [k.day for k in keys])
    for statement in rewrite:
        await conn.execute(statement)


_LOCK = "SELECT pg_try_advisory_lock(hashtext('fbjd_ingest.consumption_rollup'))"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext('fbjd_ingest.consumption_rollup'))"

_PUT_BACK = """
INSERT INTO ingest.consumption_dirty AS c (point_id, day, ps_id, mn, since)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::timestamptz[])
ON CONFLICT (point_id, day) DO UPDATE SET since = least(c.since, EXCLUDED.since)
"""


async def _recompute(conn: asyncpg.Connection, keys: list[DirtyKey]) -> int:
    """The second transaction of a round: the days of `keys`, the next days they moved, the sums."""
    async with conn.transaction():
        await conn.execute("SET LOCAL work_mem = '64MB'")  # a page of full recomputes sorts ~300,000 readings
        redo = await _apply(conn, keys, full=False)
        if redo:
            await _apply(conn, redo, full=True)
        following = await _next_days(conn, keys)
        if following:
            await _apply(conn, following, full=True)
        await _rewrite_sums(conn, keys + following)
    return len(following)


async def refresh_consumption(pool: asyncpg.Pool, *, limit: int = 1000) -> int:
    """One round: take up to `limit` dirty keys and bring their days (and months) up to date; returns how many
    keys were taken (0: nothing was dirty, or another process's round is running)."""
    async with pool.acquire() as conn:
        if not await conn.fetchval(_LOCK):
            return 0
        try:
            async with conn.transaction():
                keys = [DirtyKey(**dict(r)) for r in await conn.fetch(_TAKE, limit)]
            if not keys:
                return 0
            try:
                following = await _recompute(conn, keys)
            except CONNECTION_ERRORS:
                await _put_back(conn, keys)
                raise
        finally:
            await conn.fetchval(_UNLOCK)
    log.debug("consumption refreshed", extra={"keys": len(keys), "next_days": following})
    return len(keys)


async def _put_back(conn: asyncpg.Connection, keys: list[DirtyKey]) -> None:
    rows = [(k.point_id, k.day, k.ps_id, k.mn, k.since) for k in keys]
    try:
        await conn.execute(_PUT_BACK, *_columns(rows, 5))
    except CONNECTION_ERRORS as exc:
        log.error("consumption keys lost with their round; late days wait for new data", extra={"error": repr(exc)})


async def refresh_all(pool: asyncpg.Pool, *, limit: int = 1000) -> int:
    """Rounds until nothing is dirty (tests, benchmarks, shutdown); returns the keys processed."""
    total = 0
    while taken := await refresh_consumption(pool, limit=limit):
        total += taken
    return total
