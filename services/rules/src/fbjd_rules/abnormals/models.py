"""Table rules.abnormals: one row per abnormal record, versioned; withdrawn rather than deleted."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Integer, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_rules.db import Base

__all__ = ["AbnormalRecord"]


class AbnormalRecord(Base):
    __tablename__ = "abnormals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    ps_id: Mapped[str] = mapped_column(Text)
    enterprise_name: Mapped[str] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(Text)
    production_facility_id: Mapped[str] = mapped_column(Text)
    production_facility_name: Mapped[str] = mapped_column(Text)
    treatment_facility_id: Mapped[str | None] = mapped_column(Text)
    treatment_facility_name: Mapped[str | None] = mapped_column(Text)
    treatment_point_id: Mapped[str | None] = mapped_column(Text)
    treatment_point_ids: Mapped[list[str]] = mapped_column(JSONB)
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ongoing: Mapped[bool] = mapped_column(Boolean)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(Text)
    production_threshold_kw: Mapped[float | None] = mapped_column(Float)
    treatment_threshold_kw: Mapped[float | None] = mapped_column(Float)
    judgement_minutes: Mapped[int] = mapped_column(Integer)
    limit_ratio: Mapped[float | None] = mapped_column(Float)
    remark: Mapped[str] = mapped_column(Text)
    evidence_points: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    evidence_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    evidence_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
