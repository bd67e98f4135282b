"""The forwarding as the city sees it: GET /forwarding."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["ForwardCursorOut", "ForwardingStatusOut"]


class ForwardCursorOut(BaseModel):
    """The last receipt the upstream acknowledged: every receipt after it is still to be forwarded. mn "" is a
    fresh start: nothing acknowledged yet, receipts from received_at on are to be forwarded."""

    received_at: datetime
    mn: str
    cn: str
    data_time: datetime


class ForwardingStatusOut(BaseModel):
    upstream: str | None = Field(description="FBJD_UPSTREAM_HJ212 (host:port); None: forwarding is off")
    running: bool  # the forwarder runs in this process
    connected: bool  # a connection to the upstream is open (as the forwarding process last recorded it)
    connected_since: datetime | None
    cursor: ForwardCursorOut | None  # None: configured, not started yet
    backlog: int | None = Field(description="receipts after the cursor (counted up to backlog_cap)")
    backlog_cap: int  # a backlog equal to this means "at least"
    oldest_waiting_at: datetime | None  # received_at of the first receipt after the cursor
    forwarded: int  # receipts the upstream acknowledged (a resend counts once)
    skipped: int  # receipts that could not be written as HJ 212 (logged, passed over)
    last_ack_at: datetime | None  # when a round last moved the cursor over acknowledged receipts
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_at: datetime | None  # set while the upstream is failing: the forwarder waits until then
