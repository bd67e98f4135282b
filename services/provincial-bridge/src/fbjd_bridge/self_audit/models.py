"""Table bridge.self_audit_reports: the city's self-audit (市级自查) as the daily job computed it.

One row per computation: `running` while the job reads the sources (the claim that keeps a second one from
starting, in any bridge process), then `done` with the whole city's report as JSON (a county's view is
filtered from it on read), or `failed` with why. The last few `done` rows per window are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["StoredSelfAudit"]


class StoredSelfAudit(Base):
    __tablename__ = "self_audit_reports"
    __table_args__ = (Index("ix_self_audit_reports_latest", "window_days", "state", "generated_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    window_days: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))  # running | done | failed
    trigger: Mapped[str] = mapped_column(String(16))  # start | schedule | refresh | request
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    enterprises: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)  # SelfAuditOut, the whole city
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
