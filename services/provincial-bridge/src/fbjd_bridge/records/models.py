"""Table bridge.records: the latest version of every abnormal record the rules service sent.

Kept for the province's read API (what was pushed, its disposition) and for idempotency: a version not
newer than the stored one is a no-op.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["Record"]


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (Index("ix_records_updated_at", "updated_at"), Index("ix_records_ps_id", "ps_id"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(16))  # abnormal | limit
    status: Mapped[str] = mapped_column(String(16))  # open | withdrawn
    ps_id: Mapped[str] = mapped_column(String(32))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    record: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the contract's JSON, as received
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # first version
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # a new version or a disposition
