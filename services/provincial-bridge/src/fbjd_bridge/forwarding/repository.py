"""Queries of the forwarding: ingest's published views (`receipts_v1`, `readings_v1`; never ingest's tables) and
bridge.forward_cursor.

Receipts are walked in commit order: a row comparison on (xid, mn, cn, data_time), the order of ingest's index
`ix_receipts_xid` (each day partition answers with a short index scan from the cursor on), taking only receipts
whose transaction id is below the **commit boundary** `pg_snapshot_xmin(pg_current_snapshot())`: every
transaction below it has ended, so no receipt can appear behind the cursor later, however long its batch took
to commit. Receipts stored before ingest had the column (xid NULL, a closed set) are walked first, by
(received_at, mn, cn, data_time) as before, by a cursor that has not left that walk yet (xid NULL).

A receipt that gains readings later (a late part of a split packet) is moved by ingest to the transaction that
added them (ingest_0006): the walk meets it again after the cursor and the forwarder sends it again, whole. One
that leaves the xid NULL set that way is met in commit order instead: never skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.forwarding.packets import Position, Reading, Receipt

__all__ = [
    "Backlog",
    "Scope",
    "Walk",
    "backlog",
    "commit_boundary",
    "ensure_cursor",
    "first_xid",
    "read_cursor",
    "readings_of",
    "receipts_after",
    "try_lock",
]

_LOCK_CLASS = 0x62726466  # "brdf": forwarding, one lock per upstream (the object is hashtext of its name)

_COLUMNS = "ps_id, mn, cn, st, data_time, received_at, xid"
_COUNTY_SCAN = 10  # a county's upstream examines up to this many receipts per receipt it may send in a round
_AFTER_XID = "(xid, mn, cn, data_time) > (CAST(:xid AS xid8), :mn, :cn, :data_time)"
_AFTER_LEGACY = "xid IS NULL AND (received_at, mn, cn, data_time) > (:received_at, :mn, :cn, :data_time)"

# One lookup per receipt (a nested loop: each finds its own day partition at run time).
_READINGS_OF = text(
    """
    SELECT k.i, r.code, r.rtd, r.min, r.avg, r.max, r.cou, r.flag
    FROM unnest(CAST(:mns AS text[]), CAST(:cns AS text[]), CAST(:times AS timestamptz[]))
         WITH ORDINALITY AS k(mn, cn, data_time, i)
    JOIN ingest.readings_v1 AS r ON r.mn = k.mn AND r.cn = k.cn AND r.data_time = k.data_time
    """
)


class Scope(NamedTuple):
    """Which receipts an upstream gets: these CNs, of one county's terminals (None: all), received from `floor`
    on (None: no floor)."""

    cns: Sequence[str]
    county: str | None = None
    floor: datetime | None = None

    def where(self, *, county: bool = True) -> str:
        clauses = ["cn = ANY(:cns)"]
        if county and self.county is not None:
            clauses.append("county = :county")
        if self.floor is not None:
            clauses.append("received_at >= :floor")
        return " AND ".join(clauses)

    def params(self) -> dict[str, object]:
        return {"cns": list(self.cns), "county": self.county, "floor": self.floor}


class Walk(NamedTuple):
    """A round's receipts, and where the cursor may go once every one of them is answered: past the receipts the
    walk examined and passed over (another county's), or up to the boundary when it examined everything below
    it. None: as far as the last receipt."""

    receipts: list[Receipt]
    done_at: Position | None = None


class Backlog(NamedTuple):
    waiting: int  # receipts after the cursor, counted up to the cap
    oldest: datetime | None  # the earliest received_at among them


async def try_lock(session: AsyncSession, upstream: str) -> bool:
    """The upstream's forwarding lock for the rest of the transaction; False when another process forwards it."""
    lock = func.pg_try_advisory_xact_lock(_LOCK_CLASS, func.hashtext(upstream))
    return bool(await session.scalar(select(lock)))


async def commit_boundary(session: AsyncSession) -> int:
    """The lowest transaction id still running: every receipt below it is committed (or rolled back) for good.
    A later statement's snapshot sees all of them."""
    return int(await session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())")))


async def first_xid(session: AsyncSession, *, floor: datetime | None, boundary: int) -> int:
    """Where the commit-ordered walk starts: the first transaction that stored a receipt received from `floor` on
    (every id for no floor), and never after `boundary` (what commits later has a higher id)."""
    if floor is None:
        return 0
    found = await session.scalar(
        text("SELECT min(xid) FROM ingest.receipts_v1 WHERE received_at >= :floor AND xid IS NOT NULL"),
        {"floor": floor},
    )
    return boundary if found is None else min(int(found), boundary)


async def ensure_cursor(
    session: AsyncSession, upstream: str, *, start: datetime | None, at: datetime, boundary: int
) -> ForwardCursor:
    """The upstream's row. Made the first time: from `start` (FBJD_UPSTREAM_FROM) the receipts received from then
    on, beginning with any stored before ingest's commit order; without it, whatever commits from `boundary` on."""
    existing = await session.get(ForwardCursor, upstream)
    if existing is not None:
        return existing
    origin = start or at
    await session.execute(
        insert(ForwardCursor)
        .values(
            upstream=upstream,
            xid=None if start is not None else boundary,
            received_from=start,
            received_at=origin,
            mn="",  # before every MN: the receipts of the first position itself are forwarded
            cn="",
            data_time=origin,
            forwarded=0,
            skipped=0,
            consecutive_failures=0,
        )
        .on_conflict_do_nothing(index_elements=["upstream"])
    )
    return (await session.scalars(select(ForwardCursor).where(ForwardCursor.upstream == upstream))).one()


async def read_cursor(session: AsyncSession, upstream: str) -> ForwardCursor | None:
    return await session.get(ForwardCursor, upstream)


def _position(position: Position) -> dict[str, object]:
    return {
        "xid": position.xid,
        "received_at": position.received_at,
        "mn": position.mn,
        "cn": position.cn,
        "data_time": position.data_time,
    }


_QUERIES: dict[tuple[str, str], TextClause] = {}


def _query(kind: str, scope: Scope) -> TextClause:
    """The walk's query: `legacy` (received_at order, xid NULL), `commit` (commit order, the scope's filters),
    `county` (commit order over every county, each row marked `wanted` or not: the county's filter cannot use the
    walk's index, so the walk examines a bounded number of rows instead of searching the whole backlog)."""
    where = scope.where(county=kind != "county")
    query = _QUERIES.get((kind, where))
    if query is not None:
        return query
    if kind == "legacy":
        sql = f"""
        SELECT {_COLUMNS}, true FROM ingest.receipts_v1
        WHERE {_AFTER_LEGACY} AND {where}
        ORDER BY received_at, mn, cn, data_time
        LIMIT :limit
        """
    else:
        wanted = "county IS NOT DISTINCT FROM :county" if kind == "county" else "true"
        sql = f"""
        SELECT {_COLUMNS}, {wanted} FROM ingest.receipts_v1
        WHERE {_AFTER_XID} AND xid < CAST(:boundary AS xid8) AND {where}
        ORDER BY xid, mn, cn, data_time
        LIMIT :limit
        """
    query = _QUERIES[(kind, where)] = text(sql)
    return query


async def receipts_after(session: AsyncSession, position: Position, *, scope: Scope, boundary: int, limit: int) -> Walk:
    """Up to `limit` receipts after `position`, in its walk's order: below the commit boundary (commit order),
    or among those stored before ingest's commit order (xid None: that set is closed, it needs no boundary)."""
    kind = "legacy" if position.xid is None else "county" if scope.county is not None else "commit"
    examined = limit * _COUNTY_SCAN if kind == "county" else limit
    params = {**_position(position), **scope.params(), "boundary": boundary, "limit": examined}
    walked = [
        (Receipt(ps_id, mn, cn, st, data_time, received_at, None if xid is None else int(xid)), bool(wanted))
        for ps_id, mn, cn, st, data_time, received_at, xid, wanted in await session.execute(_query(kind, scope), params)
    ]
    receipts = [receipt for receipt, wanted in walked if wanted][:limit]
    if kind == "legacy" or len(receipts) == limit:
        return Walk(receipts)
    last = walked[-1][0] if walked else None
    if len(walked) == examined and last is not None:
        return Walk(receipts, last.position)  # past the other counties' receipts it examined
    shown = last.position if last is not None else position
    return Walk(receipts, Position(boundary, shown.received_at, "", "", shown.data_time))  # all below the boundary


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


async def backlog(session: AsyncSession, position: Position, *, scope: Scope, cap: int) -> Backlog:
    """The receipts stored after the cursor (committed ones: what the forwarder will send, the ones a still-open
    transaction holds back included), counted up to `cap`."""
    after = f"({_AFTER_LEGACY} OR xid IS NOT NULL)" if position.xid is None else _AFTER_XID
    query = text(
        f"""
        SELECT count(*) AS waiting, min(received_at) AS oldest
        FROM (SELECT received_at FROM ingest.receipts_v1 WHERE {after} AND {scope.where()} LIMIT :cap) AS b
        """
    )
    row = (await session.execute(query, {**_position(position), **scope.params(), "cap": cap})).one()
    return Backlog(int(row.waiting), row.oldest)
