"""The latest result of the province's platform audit (平台审核) per enterprise, refreshed on every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["AuditResult"]


class AuditResult(Base):
    __tablename__ = "audit_results"

    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
