"""The write path's SQL for security events and link-error counters (asyncpg)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import NamedTuple

import asyncpg

__all__ = ["LinkErrorKey", "SecurityEventRow", "add_link_errors", "insert_security_events"]


class SecurityEventRow(NamedTuple):
    id: uuid.UUID
    at: datetime
    kind: str
    ps_id: str | None
    mn: str
    peer: str | None
    cn: str | None
    qn: str | None
    detail: str | None  # JSON text


class LinkErrorKey(NamedTuple):
    day: date
    peer: str
    mn: str
    kind: str


_INSERT_EVENT = """
INSERT INTO ingest.security_events (id, at, kind, ps_id, mn, peer, cn, qn, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
"""

_ADD_ERRORS = """
INSERT INTO ingest.link_errors_daily AS e (day, peer, mn, kind, count, last_at)
SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])
ON CONFLICT (day, peer, mn, kind) DO UPDATE
SET count = e.count + EXCLUDED.count, last_at = greatest(e.last_at, EXCLUDED.last_at)
"""


async def insert_security_events(conn: asyncpg.Connection, rows: Sequence[SecurityEventRow]) -> None:
    if rows:
        await conn.executemany(_INSERT_EVENT, rows)


async def add_link_errors(conn: asyncpg.Connection, counts: Mapping[LinkErrorKey, tuple[int, datetime]]) -> None:
    if not counts:
        return
    keys = list(counts)
    await conn.execute(
        _ADD_ERRORS,
        [k.day for k in keys],
        [k.peer for k in keys],
        [k.mn for k in keys],
        [k.kind for k in keys],
        [counts[k][0] for k in keys],
        [counts[k][1] for k in keys],
    )
