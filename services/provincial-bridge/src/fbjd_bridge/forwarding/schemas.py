"""The forwarding as the city sees it: GET /forwarding, one entry per configured upstream."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["ForwardCursorOut", "ForwardingStatusOut", "UpstreamStatusOut"]


class ForwardCursorOut(BaseModel):
    """Where the upstream stands in ingest's commit order: every receipt after it is still to be forwarded. xid
    is the transaction that stored the last receipt acknowledged (None: still on the receipts stored before ingest
    kept a commit order, walked by received_at); mn "" stands before every receipt of that transaction (a fresh
    start, or everything below it done). received_at, data_time: the last receipt acknowledged, or the start."""

    xid: int | None
    received_at: datetime
    mn: str
    cn: str
    data_time: datetime


class UpstreamStatusOut(BaseModel):
    name: str = Field(description="the upstream's name (a bare host:port upstream is named after its address)")
    address: str  # host:port
    county: str | None  # the only county whose terminals it gets (a county platform); None: every terminal
    running: bool  # its forwarder runs in this process
    connected: bool  # a connection to it is open (as the forwarding process last recorded it)
    connected_since: datetime | None = None
    cursor: ForwardCursorOut | None  # None: configured, not started yet
    backlog: int | None = Field(description="receipts after the cursor (counted up to backlog_cap)")
    backlog_cap: int  # a backlog equal to this means "at least"
    oldest_waiting_at: datetime | None = None  # the earliest received_at among the receipts after the cursor
    forwarded: int = 0  # receipts it acknowledged (a resend counts once)
    skipped: int = 0  # receipts that could not be written as HJ 212 (logged, passed over)
    last_ack_at: datetime | None = None  # when a round last moved the cursor over acknowledged receipts
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_attempt_at: datetime | None = None  # set while it is failing: its forwarder waits until then


class ForwardingStatusOut(BaseModel):
    upstreams: list[UpstreamStatusOut] = Field(description="FBJD_UPSTREAM_HJ212, in order; []: forwarding is off")
