"""The write path's SQL for quarantine (asyncpg): rows come from the batched writer and from adoption."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import asyncpg

__all__ = ["Reason", "QuarantineRow", "insert_quarantine", "mark_adopted", "waiting_packets"]


class Reason:
    """Why a packet is in quarantine."""

    UNKNOWN_MN = "unknown_mn"  # no device registered with this MN: adopt it by registering the MN
    NO_DATA_TIME = "no_data_time"  # an upload without a readable DataTime cannot be keyed
    DATA_TIME_OUT_OF_RANGE = "data_time_out_of_range"  # DataTime far in the past or future (terminal clock)
    STORE_FAILED = "store_failed"  # the database refused its readings (e.g. a value out of range)


class QuarantineRow(NamedTuple):
    id: uuid.UUID
    mn: str
    ps_id: str | None
    reason: str
    peer: str | None
    received_at: datetime
    st: str | None
    cn: str | None
    qn: str | None
    data_time: datetime | None
    raw: bytes


_INSERT = """
INSERT INTO ingest.quarantine (id, mn, ps_id, reason, peer, received_at, st, cn, qn, data_time, raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
"""

_WAITING = """
SELECT id, raw, peer, received_at FROM ingest.quarantine
WHERE mn = $1 AND reason = $2 AND adopted_at IS NULL AND (received_at, id) > ($3, $4)
ORDER BY received_at, id
LIMIT $5
"""


async def insert_quarantine(conn: asyncpg.Connection, rows: Sequence[QuarantineRow]) -> None:
    if rows:
        await conn.executemany(_INSERT, rows)


async def waiting_packets(
    conn: asyncpg.Connection, mn: str, *, after: tuple[datetime, uuid.UUID], limit: int
) -> list[asyncpg.Record]:
    """Quarantined packets of an unknown MN not adopted yet, oldest first, after the keyset cursor `after`."""
    rows: list[asyncpg.Record] = await conn.fetch(_WAITING, mn, Reason.UNKNOWN_MN, after[0], after[1], limit)
    return rows


async def mark_adopted(conn: asyncpg.Connection, ids: Sequence[uuid.UUID], *, ps_id: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE ingest.quarantine SET adopted_at = $2, ps_id = $3 WHERE id = ANY($1::uuid[])", list(ids), at, ps_id
    )
