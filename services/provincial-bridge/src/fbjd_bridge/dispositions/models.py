"""Table bridge.dispositions: one row per (alarm, stage) the workflow reported, for the province to read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["Disposition"]


class Disposition(Base):
    __tablename__ = "dispositions"
    __table_args__ = (
        UniqueConstraint("alarm_id", "stage", name="uq_dispositions_alarm_id_stage"),
        Index("ix_dispositions_received_at", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # = the abnormal record's id
    ps_id: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    opinion: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inspection: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
