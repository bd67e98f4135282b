"""Queries of the forwarding: ingest's published views (`receipts_v1`, `readings_v1`; never ingest's tables) and
bridge.forward_cursor.

Receipts are walked with a row comparison on (received_at, mn, cn, data_time), the order of ingest's index
`ix_receipts_received_at`: each day partition answers with a short index scan from the cursor on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.forwarding.packets import Reading, Receipt, ReceiptKey

__all__ = ["Backlog", "backlog", "ensure_cursor", "read_cursor", "readings_of", "receipts_after", "try_lock"]

_LOCK_CLASS, _LOCK_OBJECT = 0x62726467, 300  # "brdg", forwarding: one forwarder across every bridge process

_AFTER = "(received_at, mn, cn, data_time) > (:received_at, :mn, :cn, :data_time) AND cn = ANY(:cns)"

_RECEIPTS_AFTER = text(
    f"""
    SELECT ps_id, mn, cn, st, data_time, received_at
    FROM ingest.receipts_v1
    WHERE {_AFTER} AND received_at <= :horizon
    ORDER BY received_at, mn, cn, data_time
    LIMIT :limit
    """
)

# One lookup per receipt (a nested loop: each finds its own day partition at run time).
_READINGS_OF = text(
    """
    SELECT k.i, r.code, r.rtd, r.min, r.avg, r.max, r.cou, r.flag
    FROM unnest(CAST(:mns AS text[]), CAST(:cns AS text[]), CAST(:times AS timestamptz[]))
         WITH ORDINALITY AS k(mn, cn, data_time, i)
    JOIN ingest.readings_v1 AS r ON r.mn = k.mn AND r.cn = k.cn AND r.data_time = k.data_time
    """
)

_BACKLOG = text(
    f"""
    SELECT count(*) AS waiting, min(received_at) AS oldest
    FROM (
        SELECT received_at FROM ingest.receipts_v1
        WHERE {_AFTER}
        ORDER BY received_at, mn, cn, data_time
        LIMIT :cap
    ) AS b
    """
)


class Backlog(NamedTuple):
    waiting: int  # receipts after the cursor, counted up to the cap
    oldest: datetime | None  # received_at of the first of them


async def try_lock(session: AsyncSession) -> bool:
    """The forwarder's lock for the rest of the transaction; False when another process is forwarding."""
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(_LOCK_CLASS, _LOCK_OBJECT))))


async def ensure_cursor(session: AsyncSession, upstream: str, *, start: datetime) -> ForwardCursor:
    """The upstream's row, made the first time with the cursor just before `start`."""
    existing = await session.get(ForwardCursor, upstream)
    if existing is not None:
        return existing
    await session.execute(
        insert(ForwardCursor)
        .values(
            upstream=upstream,
            received_at=start,
            mn="",  # before every MN: the receipts received at `start` itself are forwarded
            cn="",
            data_time=start,
            forwarded=0,
            skipped=0,
            consecutive_failures=0,
        )
        .on_conflict_do_nothing(index_elements=["upstream"])
    )
    return (await session.scalars(select(ForwardCursor).where(ForwardCursor.upstream == upstream))).one()


async def read_cursor(session: AsyncSession, upstream: str) -> ForwardCursor | None:
    return await session.get(ForwardCursor, upstream)


def _after(key: ReceiptKey, cns: Sequence[str]) -> dict[str, object]:
    return {
        "received_at": key.received_at,
        "mn": key.mn,
        "cn": key.cn,
        "data_time": key.data_time,
        "cns": list(cns),
    }


async def receipts_after(
    session: AsyncSession, key: ReceiptKey, *, cns: Sequence[str], horizon: datetime, limit: int
) -> list[Receipt]:
    """The next receipts after `key`, in cursor order, received no later than `horizon`."""
    rows = await session.execute(_RECEIPTS_AFTER, {**_after(key, cns), "horizon": horizon, "limit": limit})
    return [Receipt(*row) for row in rows]


async def readings_of(session: AsyncSession, receipts: Sequence[Receipt]) -> list[list[Reading]]:
    """Each receipt's readings (its factors), in the order of `receipts`."""
    found: list[list[Reading]] = [[] for _ in receipts]
    if not receipts:
        return found
    rows = await session.execute(
        _READINGS_OF,
        {
            "mns": [r.mn for r in receipts],
            "cns": [r.cn for r in receipts],
            "times": [r.data_time for r in receipts],
        },
    )
    for index, code, rtd, min_, avg, max_, cou, flag in rows:
        found[index - 1].append(Reading(code, rtd=rtd, min=min_, avg=avg, max=max_, cou=cou, flag=flag))
    return found


async def backlog(session: AsyncSession, key: ReceiptKey, *, cns: Sequence[str], cap: int) -> Backlog:
    row = (await session.execute(_BACKLOG, {**_after(key, cns), "cap": cap})).one()
    return Backlog(int(row.waiting), row.oldest)
