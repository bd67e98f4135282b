"""A monitoring point (监测点位): one meter channel on a facility (or the enterprise's total incoming line)."""

from __future__ import annotations

import uuid

from fbjd_core.ids import new_id
from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Point"]


class Point(Base):
    __tablename__ = "points"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(12))
    rated_kw: Mapped[float | None] = mapped_column(Float)
    threshold_kw: Mapped[float | None] = mapped_column(Float)
    threshold_source: Mapped[str | None] = mapped_column(String(10))
    judgement_minutes: Mapped[int] = mapped_column(Integer, default=15)
    mn: Mapped[str | None] = mapped_column(String(24), index=True)
    factor_code: Mapped[str | None] = mapped_column(String(16))
    standby_group: Mapped[str | None] = mapped_column(String(20))
