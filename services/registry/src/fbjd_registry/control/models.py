"""Control plans (一厂一策) per enterprise and level, their per-facility measures, and control periods.

A control period is the activation of a level by the city or a county (启动预警/差异化管控): from `starts_at` to
`ends_at`, for the enterprises of the listed counties and industries (an empty list means all).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["ControlMeasure", "ControlPeriod", "ControlPlan"]


class ControlPlan(Base):
    __tablename__ = "control_plans"
    __table_args__ = (UniqueConstraint("ps_id", "level", name="uq_control_plans_ps_id_level"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))


class ControlMeasure(Base):
    __tablename__ = "control_measures"
    __table_args__ = (UniqueConstraint("plan_id", "facility_id", name="uq_control_measures_plan_facility"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("control_plans.id", ondelete="CASCADE"))
    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    limit_share: Mapped[float | None] = mapped_column(Float)
    windows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)


class ControlPeriod(Base):
    __tablename__ = "control_periods"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    issuer_county_code: Mapped[str | None] = mapped_column(ForeignKey("counties.code"))  # None: the city
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    counties: Mapped[list[str]] = mapped_column(JSONB)
    industries: Mapped[list[str]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(100))
