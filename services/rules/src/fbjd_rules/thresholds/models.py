"""Table rules.threshold_proposals: a learned threshold waiting for a person to accept or reject it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, Integer, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_rules.db import Base

__all__ = ["ThresholdProposal"]


class ThresholdProposal(Base):
    __tablename__ = "threshold_proposals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ps_id: Mapped[str] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    point_id: Mapped[str] = mapped_column(Text)
    point_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # proposed | accepted | rejected | superseded
    estimate: Mapped[str] = mapped_column(Text)  # learned | always_on | always_off | unimodal
    learned_kw: Mapped[float | None] = mapped_column(Float)
    declared_kw: Mapped[float | None] = mapped_column(Float)
    declared_source: Mapped[str | None] = mapped_column(Text)
    rated_kw: Mapped[float | None] = mapped_column(Float)
    off_level_kw: Mapped[float | None] = mapped_column(Float)
    on_level_kw: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    eta: Mapped[float] = mapped_column(Float)
    on_share: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    data_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
