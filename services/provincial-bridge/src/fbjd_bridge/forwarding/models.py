"""Table bridge.forward_cursor: per upstream, the last receipt it acknowledged and how the forwarding goes.

The cursor is a position in ingest's commit order — (xid, mn, cn, data_time): the transaction that stored the
receipt, then the receipt's key — and every receipt after it (below the commit boundary) is the upstream's
backlog. It moves only over receipts the upstream answered without a gap (forwarding/tracking.py), or, after a
round that read everything below the boundary and had all of it answered, to the boundary itself (mn "").
xid NULL: the cursor is still walking the receipts stored before ingest_0005 by (received_at, mn, cn,
data_time), as every cursor did before (a row made by bridge_0004 goes on from where it stood).

A row is keyed by the upstream's name (a bare host:port upstream is named after its address, as rows were
keyed before several upstreams existed). `received_from` is FBJD_UPSTREAM_FROM as it stood when the row was made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["ForwardCursor"]


class ForwardCursor(Base):
    __tablename__ = "forward_cursor"

    upstream: Mapped[str] = mapped_column(String(300), primary_key=True)  # the upstream's name
    xid: Mapped[int | None] = mapped_column(BigInteger)  # commit position; None: the received_at walk
    received_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # only receipts received since
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
