"""The forwarding's bookkeeping apart from sockets: a round's outcome on the cursor row, and the status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.forwarding import repository
from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.forwarding.packets import FORWARDED_CNS, Position
from fbjd_bridge.forwarding.schemas import ForwardCursorOut, ForwardingStatusOut, UpstreamStatusOut
from fbjd_bridge.forwarding.targets import Upstream

__all__ = ["BACKLOG_CAP", "cursor_position", "move", "record_round", "scope_of", "status"]

BACKLOG_CAP = 100_000  # the status counts the backlog up to this (an index walk; a day's outage is ~1.4 M)


def cursor_position(cursor: ForwardCursor) -> Position:
    return Position(cursor.xid, cursor.received_at, cursor.mn, cursor.cn, cursor.data_time)


def scope_of(upstream: Upstream, cursor: ForwardCursor) -> repository.Scope:
    """The receipts this upstream gets: the forwarded CNs, its county's terminals only where it has one."""
    return repository.Scope(FORWARDED_CNS, upstream.county, cursor.received_from)


def move(cursor: ForwardCursor, to: Position) -> None:
    """The cursor's position set to `to` (the caller's transaction commits it)."""
    cursor.xid, cursor.received_at, cursor.mn, cursor.cn, cursor.data_time = to


def record_round(
    cursor: ForwardCursor,
    *,
    at: datetime,
    moved_to: Position | None,
    acknowledged: int,
    skipped: Sequence[str],
    error: str | None,
    retry_in: timedelta | None,
) -> None:
    """A round's outcome: the cursor over what the upstream answered without a gap, and the failure if any."""
    cursor.last_attempt_at = at
    if moved_to is not None:
        move(cursor, moved_to)
    if acknowledged:
        cursor.forwarded += acknowledged
        cursor.last_ack_at = at
    if skipped:
        cursor.skipped += len(skipped)
        cursor.last_error, cursor.last_error_at = skipped[-1], at
    if error is None:
        cursor.consecutive_failures = 0
        cursor.next_attempt_at = None
        return
    cursor.consecutive_failures += 1
    cursor.next_attempt_at = at + (retry_in or timedelta(0))
    cursor.last_error, cursor.last_error_at = error, at
    cursor.connected_since = None


async def _one(session: AsyncSession, upstream: Upstream, *, running: bool) -> UpstreamStatusOut:
    cursor = await repository.read_cursor(session, upstream.name)
    if cursor is None:
        return UpstreamStatusOut(
            name=upstream.name,
            address=upstream.address,
            county=upstream.county,
            running=running,
            connected=False,
            cursor=None,
            backlog=None,
            backlog_cap=BACKLOG_CAP,
        )
    position = cursor_position(cursor)
    waiting = await repository.backlog(session, position, scope=scope_of(upstream, cursor), cap=BACKLOG_CAP)
    return UpstreamStatusOut(
        name=upstream.name,
        address=upstream.address,
        county=upstream.county,
        running=running,
        connected=cursor.connected_since is not None,
        connected_since=cursor.connected_since,
        cursor=ForwardCursorOut(
            xid=cursor.xid, received_at=cursor.received_at, mn=cursor.mn, cn=cursor.cn, data_time=cursor.data_time
        ),
        backlog=waiting.waiting,
        backlog_cap=BACKLOG_CAP,
        oldest_waiting_at=waiting.oldest,
        forwarded=cursor.forwarded,
        skipped=cursor.skipped,
        last_ack_at=cursor.last_ack_at,
        last_attempt_at=cursor.last_attempt_at,
        last_error=cursor.last_error,
        last_error_at=cursor.last_error_at,
        consecutive_failures=cursor.consecutive_failures,
        next_attempt_at=cursor.next_attempt_at,
    )


async def status(session: AsyncSession, *, upstreams: Sequence[Upstream], running: set[str]) -> ForwardingStatusOut:
    """Every configured upstream, in the order configured ([]: forwarding is off)."""
    return ForwardingStatusOut(
        upstreams=[await _one(session, upstream, running=upstream.name in running) for upstream in upstreams]
    )
