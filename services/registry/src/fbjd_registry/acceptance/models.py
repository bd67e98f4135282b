"""The city's spot checks of accepted enterprises (市级抽查): the draw, its seed and population, and results."""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["SpotCheck", "SpotCheckItem"]


class SpotCheck(Base):
    __tablename__ = "spot_checks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    population: Mapped[list[str]] = mapped_column(JSONB)  # the accepted psIds drawn from, sorted
    drawn_by: Mapped[str] = mapped_column(String(100))
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpotCheckItem(Base):
    __tablename__ = "spot_check_items"
    __table_args__ = (UniqueConstraint("spot_check_id", "ps_id", name="uq_spot_check_items_check_ps_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    spot_check_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spot_checks.id"), index=True)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
