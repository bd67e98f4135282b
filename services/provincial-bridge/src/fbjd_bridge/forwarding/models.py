"""Table bridge.forward_cursor: per upstream, the last receipt it acknowledged and how the forwarding goes.

The cursor is a tuple — (received_at, mn, cn, data_time), the order ingest's receipts are walked in (several
receipts share one received_at) — and every receipt after it is the upstream's backlog. It moves only over
receipts the upstream answered without a gap (forwarding/tracking.py). A row is keyed by the upstream's
address, so pointing the bridge at another upstream starts that one afresh (FBJD_UPSTREAM_FROM, else the
moment it is first run).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["ForwardCursor"]


class ForwardCursor(Base):
    __tablename__ = "forward_cursor"

    upstream: Mapped[str] = mapped_column(String(300), primary_key=True)  # host:port
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mn: Mapped[str] = mapped_column(Text)
    cn: Mapped[str] = mapped_column(Text)
    data_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    forwarded: Mapped[int] = mapped_column(BigInteger, default=0)  # receipts acknowledged (resends not counted)
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)  # receipts that could not be written as HJ 212
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # backing off until then
    connected_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: no connection now
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_ack_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
