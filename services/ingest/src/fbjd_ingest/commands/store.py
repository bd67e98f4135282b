"""The command log's SQL (asyncpg): written by the dispatcher as commands go out and replies come in.

A reply may overtake another (9012 before the 9011's update ran), so each update only moves `state` forward:
sent → accepted/rejected (9011) → done/failed (9012); timeout/disconnected only replace sent/accepted.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import asyncpg

__all__ = ["insert_command", "record_answer", "record_exe_rtn", "record_qn_rtn", "record_unanswered"]


async def insert_command(
    conn: asyncpg.Connection,
    *,
    id: uuid.UUID,
    ps_id: str,
    mn: str,
    qn: str,
    cn: str,
    params: dict[str, str],
    origin: str,
    requested_by: str | None,
    sent_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO ingest.commands (id, ps_id, mn, qn, cn, params, origin, requested_by, state, sent_at) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, 'sent', $9)",
        id,
        ps_id,
        mn,
        qn,
        cn,
        json.dumps(params),
        origin,
        requested_by,
        sent_at,
    )


async def record_qn_rtn(conn: asyncpg.Connection, *, mn: str, qn: str, qn_rtn: int, at: datetime) -> bool:
    status: str = await conn.execute(
        "UPDATE ingest.commands SET qn_rtn = $3, qn_rtn_at = $4, "
        "state = CASE WHEN state IN ('sent', 'timeout') THEN (CASE WHEN $3 = 1 THEN 'accepted' ELSE 'rejected' END) "
        "ELSE state END WHERE mn = $1 AND qn = $2",
        mn,
        qn,
        qn_rtn,
        at,
    )
    return status != "UPDATE 0"


async def record_exe_rtn(conn: asyncpg.Connection, *, mn: str, qn: str, exe_rtn: int, at: datetime) -> bool:
    status: str = await conn.execute(
        "UPDATE ingest.commands SET exe_rtn = $3, replied_at = $4, "
        "state = CASE WHEN $3 = 1 THEN 'done' ELSE 'failed' END WHERE mn = $1 AND qn = $2",
        mn,
        qn,
        exe_rtn,
        at,
    )
    return status != "UPDATE 0"


async def record_answer(conn: asyncpg.Connection, *, mn: str, qn: str, answer: dict[str, Any]) -> bool:
    status: str = await conn.execute(
        "UPDATE ingest.commands SET answer = coalesce(answer, '{}'::jsonb) || $3::jsonb WHERE mn = $1 AND qn = $2",
        mn,
        qn,
        json.dumps(answer, ensure_ascii=False),
    )
    return status != "UPDATE 0"


async def record_unanswered(conn: asyncpg.Connection, *, mn: str, qn: str, state: str) -> None:
    await conn.execute(
        "UPDATE ingest.commands SET state = $3 WHERE mn = $1 AND qn = $2 AND state IN ('sent', 'accepted')",
        mn,
        qn,
        state,
    )
