"""The forwarding's bookkeeping apart from sockets: a round's outcome on the cursor row, and the status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.forwarding import repository
from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.forwarding.packets import FORWARDED_CNS, ReceiptKey
from fbjd_bridge.forwarding.schemas import ForwardCursorOut, ForwardingStatusOut

__all__ = ["BACKLOG_CAP", "cursor_key", "record_round", "status"]

BACKLOG_CAP = 100_000  # the status counts the backlog up to this (an index walk; a day's outage is ~1.4 M)


def cursor_key(cursor: ForwardCursor) -> ReceiptKey:
    return ReceiptKey(cursor.received_at, cursor.mn, cursor.cn, cursor.data_time)


def record_round(
    cursor: ForwardCursor,
    *,
    at: datetime,
    moved_to: ReceiptKey | None,
    acknowledged: int,
    skipped: Sequence[str],
    error: str | None,
    retry_in: timedelta | None,
) -> None:
    """A round's outcome: the cursor over what the upstream answered without a gap, and the failure if any."""
    cursor.last_attempt_at = at
    if moved_to is not None:
        cursor.received_at, cursor.mn, cursor.cn, cursor.data_time = moved_to
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


async def status(session: AsyncSession, *, upstream: str | None, running: bool) -> ForwardingStatusOut:
    cursor = None if upstream is None else await repository.read_cursor(session, upstream)
    if cursor is None:
        return ForwardingStatusOut(
            upstream=upstream,
            running=running,
            connected=False,
            connected_since=None,
            cursor=None,
            backlog=None,
            backlog_cap=BACKLOG_CAP,
            oldest_waiting_at=None,
            forwarded=0,
            skipped=0,
            last_ack_at=None,
            last_attempt_at=None,
            last_error=None,
            last_error_at=None,
            consecutive_failures=0,
            next_attempt_at=None,
        )
    waiting = await repository.backlog(session, cursor_key(cursor), cns=FORWARDED_CNS, cap=BACKLOG_CAP)
    return ForwardingStatusOut(
        upstream=upstream,
        running=running,
        connected=cursor.connected_since is not None,
        connected_since=cursor.connected_since,
        cursor=ForwardCursorOut(received_at=cursor.received_at, mn=cursor.mn, cn=cursor.cn, data_time=cursor.data_time),
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
