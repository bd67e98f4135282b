"""The county's audits of one submission round: the platform audit form and the site audit record."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["PlatformAudit", "SiteAudit"]


class PlatformAudit(Base):
    """分表计电平台审核表 as the auditor confirmed it: each item passed or not, with opinions."""

    __tablename__ = "acceptance_platform_audits"
    __table_args__ = (UniqueConstraint("ps_id", "round", name="uq_acceptance_platform_audits_ps_id_round"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"))
    round: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # code, passed, opinion, suggested, evidence
    opinion: Mapped[str] = mapped_column(Text)
    transmission_rate: Mapped[float | None] = mapped_column(Float)
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    audited_by: Mapped[str] = mapped_column(String(100))
    audited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SiteAudit(Base):
    """现场核查记录: when, who, what was found, and whether it passed (photos are documents)."""

    __tablename__ = "acceptance_site_audits"
    __table_args__ = (UniqueConstraint("ps_id", "round", name="uq_acceptance_site_audits_ps_id_round"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"))
    round: Mapped[int] = mapped_column(Integer)
    audited_on: Mapped[date] = mapped_column(Date)
    people: Mapped[list[str]] = mapped_column(JSONB)
    findings: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
