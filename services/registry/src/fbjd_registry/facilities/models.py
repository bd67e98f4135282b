"""A production facility (生产设施) or treatment facility (治污设施) of one enterprise."""

from __future__ import annotations

import uuid

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Facility"]


class Facility(Base):
    __tablename__ = "facilities"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    process: Mapped[str | None] = mapped_column(String(100))
    rated_kw: Mapped[float | None] = mapped_column(Float)
    needs_treatment: Mapped[bool] = mapped_column(Boolean, default=True)
