"""Tables ingest.receipts, ingest.readings (both range-partitioned by day on data_time) and ingest.receipts_daily.

The migration owns the DDL (partitioning, the published view readings_v1); these mappings are for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_ingest.db import Base

__all__ = ["Reading", "Receipt", "ReceiptDaily"]


class Receipt(Base):
    """One received (MN, CN, DataTime): the packet's header facts and its non-factor CP params."""

    __tablename__ = "receipts"
    __table_args__ = {"postgresql_partition_by": "RANGE (data_time)"}

    ps_id: Mapped[str] = mapped_column(Text)
    mn: Mapped[str] = mapped_column(Text, primary_key=True)
    cn: Mapped[str] = mapped_column(Text, primary_key=True)
    data_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    qn: Mapped[str | None] = mapped_column(Text)
    st: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[int | None] = mapped_column(Integer)
    pnum: Mapped[int | None] = mapped_column(Integer)
    pno: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    peer: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reading(Base):
    """One factor of one received DataTime. Numeric fields in columns, every other field in `extra`."""

    __tablename__ = "readings"
    __table_args__ = {"postgresql_partition_by": "RANGE (data_time)"}

    ps_id: Mapped[str] = mapped_column(Text)
    mn: Mapped[str] = mapped_column(Text, primary_key=True)
    cn: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    data_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    rtd: Mapped[float | None] = mapped_column(Float)
    avg: Mapped[float | None] = mapped_column(Float)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    cou: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[str | None] = mapped_column(Text)
    point_id: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceiptDaily(Base):
    """Distinct DataTimes received per MN, CN and China-Standard-Time day, kept current on insert."""

    __tablename__ = "receipts_daily"

    ps_id: Mapped[str] = mapped_column(Text)
    mn: Mapped[str] = mapped_column(Text, primary_key=True)
    cn: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
